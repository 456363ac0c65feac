"""What a run keeps in the data bucket, and the models kept there between runs.

    runs/<executionId>/manifest.json          the batches to score (the Map's items)
    runs/<executionId>/results/<batch>.json   a finished batch's counts (RecordRun sums them)
    runs/<executionId>/failures/<batch>.json  the last error of a batch that failed
    models/<model key>                        fitted account models (model.scoring.ModelStore)
    population/models/<version>.joblib        a population model fitted on the deployment's own data
    population/models/<version>.json          its metadata: when, how many rows and accounts, dates, features
    population/current.json                   the metadata of the population model detection uses now
    population/attempt.json                   when a run last set out to refit it
    population/request.json                   when a bulk import last asked for a refit
    verdicts/...                              the same for the layer learnt from verdicts (model.learning), whose
                                              refit a batch of verdicts asks for

Per-batch objects rather than the Map's output keep every state's payload small whatever the number of
batches, and writing them is idempotent: a retried or redriven batch overwrites its own object.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

from isoflow.observability import logger

RUNS_PREFIX = "runs/"
MODELS_PREFIX = "models/"
POPULATION_PREFIX = "population/"
VERDICTS_PREFIX = "verdicts/"
# Reading many small result objects is latency-bound; a few threads keep RecordRun short.
READ_THREADS = 8


def _is_missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404")


class BucketFiles:
    """JSON and binary objects in the data bucket."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def _put(self, key: str, body: Any) -> None:
        self.s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=json.dumps(body, separators=(",", ":")).encode(),
            ContentType="application/json",
        )

    def _get_bytes(self, key: str) -> bytes | None:
        """The object's content, or None when there is no such object."""
        try:
            body: bytes = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if _is_missing(error):
                return None
            raise
        return body

    def _get(self, key: str) -> Any:
        body = self._get_bytes(key)
        return None if body is None else json.loads(body)


class RunFiles(BucketFiles):
    """A run's objects in the data bucket."""

    @staticmethod
    def _prefix(execution_id: str) -> str:
        return f"{RUNS_PREFIX}{execution_id}/"

    def write_manifest(self, execution_id: str, batches: Sequence[dict[str, Any]]) -> dict[str, str]:
        """Writes the Map's items; answers where they are, as the state machine's ItemReader reads it."""
        key = self._prefix(execution_id) + "manifest.json"
        self._put(key, list(batches))
        return {"bucket": self.bucket, "key": key}

    def put_result(self, execution_id: str, batch: int, result: dict[str, Any]) -> None:
        self._put(f"{self._prefix(execution_id)}results/{batch:06d}.json", result)

    def put_failure(self, execution_id: str, batch: int, failure: dict[str, Any]) -> None:
        self._put(f"{self._prefix(execution_id)}failures/{batch:06d}.json", failure)

    @contextmanager
    def recording_failure(self, execution_id: str, batch: int) -> Iterator[None]:
        """Keeps the error of a batch that fails (the last attempt's stays), so that the run's summary and
        its failure cause can say what went wrong, then lets the error propagate."""
        try:
            yield
        except Exception as error:
            failure = {"batch": batch, "error": type(error).__name__, "message": str(error)[:500]}
            logger.exception("batch failed", extra={"executionId": execution_id, "batch": batch})
            try:
                self.put_failure(execution_id, batch, failure)
            except Exception:
                logger.exception("could not store the batch's failure", extra={"batch": batch})
            raise

    def results(self, execution_id: str) -> dict[int, dict[str, Any]]:
        return self._read_all(self._prefix(execution_id) + "results/")

    def failures(self, execution_id: str) -> dict[int, dict[str, Any]]:
        return self._read_all(self._prefix(execution_id) + "failures/")

    def _read_all(self, prefix: str) -> dict[int, dict[str, Any]]:
        """batch index -> object, for every object under `prefix`."""
        keys = [
            item["Key"]
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            for item in page.get("Contents", [])
        ]

        def read(key: str) -> tuple[int, dict[str, Any]]:
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            return int(key.rsplit("/", 1)[1].split(".", 1)[0]), json.loads(body)

        with ThreadPoolExecutor(READ_THREADS) as pool:
            return dict(pool.map(read, keys))


class S3ModelStore(BucketFiles):
    """model.scoring.ModelStore over the data bucket, so a fitted account model outlives the container."""

    def __init__(self, s3: Any, bucket: str, prefix: str = MODELS_PREFIX) -> None:
        super().__init__(s3, bucket)
        self.prefix = prefix

    def get(self, key: str) -> bytes | None:
        return self._get_bytes(self.prefix + key)

    def put(self, key: str, data: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)


class ModelFiles(BucketFiles):
    """Models a run fits on the deployment's own data and keeps under `prefix`: which one is current, and the
    marks that say when a refit was last attempted and last asked for. Models are named by their version, the
    digest of their content, so a retried refit of the same data writes the same object again."""

    prefix = ""

    def model_key(self, version: str) -> str:
        return f"{self.prefix}models/{version}.joblib"

    def current(self) -> dict[str, Any] | None:
        """The current model's metadata (with its `version` and `key`), or None before the first refit."""
        current: dict[str, Any] | None = self._get(self.prefix + "current.json")
        return current

    def put_model(self, data: bytes, metadata: dict[str, Any]) -> None:
        """Stores a fitted model and its metadata, then makes it current (in that order: `current` never
        names a model that is not there)."""
        key = metadata["key"]
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)
        self._put(key.removesuffix(".joblib") + ".json", metadata)
        self._put(self.prefix + "current.json", metadata)

    def model(self, key: str) -> bytes:
        data = self._get_bytes(key)
        if data is None:
            raise FileNotFoundError(f"no model at s3://{self.bucket}/{key}")
        return data

    def last_attempt(self) -> str | None:
        return (self._get(self.prefix + "attempt.json") or {}).get("at")

    def record_attempt(self, at: str) -> None:
        self._put(self.prefix + "attempt.json", {"at": at})

    def last_request(self) -> str | None:
        return (self._get(self.prefix + "request.json") or {}).get("at")

    def request_refit(self, at: str) -> None:
        """Asks the next detection run to refit (after a bulk import changed what is usual, or brought
        verdicts)."""
        self._put(self.prefix + "request.json", {"at": at})


class PopulationFiles(ModelFiles):
    """The population models (model.population)."""

    prefix = POPULATION_PREFIX


class VerdictModelFiles(ModelFiles):
    """The layers learnt from verdicts (model.learning.VerdictLayer)."""

    prefix = VERDICTS_PREFIX
