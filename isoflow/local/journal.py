"""The local system's data on disk, so that it survives a restart.

Every DynamoDB write the local endpoint applies (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
TransactWriteItems that succeeded) is appended to a journal in the data directory, in the order applied, and
flushed to the operating system before its answer goes back: a process that is killed loses at most the
write in flight. A write's request says everything it does (its items, keys, conditions and the times the
caller chose), so replaying the journal into empty tables in the same order builds the same tables again.

With sign-in (`isoflow local --auth`) the local users, those added by hand too, are kept from one start to the
next with their passwords and groups (`users.json`, written at start and at a clean stop).

On start the journal is replayed, then, once it holds more than twice the writes of its compact form,
compacted: rewritten as one BatchWriteItem per 25 items of each table, so a long-lived system starts as fast
as a new one. Replay and compaction speak to the endpoint's app in this
process, in the wire JSON the journal holds, without a client to encode and decode each item.

The data bucket holds what can be made again (run manifests and results, models refitted when missing); its
objects are copied to the data directory at a clean stop and put back on start.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from werkzeug.test import Client

from isoflow.local.auth import KeptUser
from isoflow.local.resources import json_request_headers
from isoflow.tables import ALL_TABLES, local_table_name

JOURNAL = "dynamodb.jsonl"
USERS = "users.json"  # the local users and their passwords (`isoflow local --auth`), kept for the next start
BUCKET = "bucket"
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
TARGET = "DynamoDB_20120810."
BATCH = 25


class ReplayError(RuntimeError):
    """A journalled write the endpoint refused on replay: the data directory is not what this system wrote."""


@dataclass(frozen=True)
class Restored:
    writes: int  # journal entries replayed
    items: int  # items in the tables afterwards
    objects: int  # data bucket objects put back


class Journal:
    """The journal of the data directory `directory`; `recording(app)` wraps the endpoint's WSGI app."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / JOURNAL
        self._file: Any = None
        self._lock = threading.Lock()
        self._endpoint: Client | None = None

    @property
    def exists(self) -> bool:
        return self.path.is_file() or (self.directory / BUCKET).is_dir()

    def recording(self, app: Callable) -> Callable:
        """WSGI: each DynamoDB write that succeeds is appended once recording has started (`start()`); `app`
        is also where the journal is replayed."""
        self._endpoint = Client(app)

        def recorded(environ: dict, start_response: Callable) -> Iterable[bytes]:
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            operation = target.removeprefix(TARGET) if target.startswith(TARGET) else ""
            if self._file is None or operation not in WRITES:
                return app(environ, start_response)
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            status: list[str] = []

            def capture(code: str, headers: list, exc_info: Any = None) -> Any:
                status.append(code)
                return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

            response = list(app(environ, capture))
            if status and status[0].startswith("2"):
                self._append({"op": operation, "request": json.loads(body)})
            return response

        return recorded

    def _append(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._file.write(json.dumps(entry, separators=(",", ":")) + "\n")
            self._file.flush()

    def entries(self) -> Iterator[dict[str, Any]]:
        if not self.path.is_file():
            return
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.endswith("\n"):  # a line cut short by a kill was never answered: it did not happen
                    yield json.loads(line)

    def _call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """One DynamoDB request to the endpoint's app, in this process."""
        assert self._endpoint is not None, "replaying needs the endpoint's app: recording(app) first"
        response = self._endpoint.post(
            "/",
            data=json.dumps(request),
            headers=json_request_headers("dynamodb", TARGET + operation),
        )
        answer: dict[str, Any] = json.loads(response.get_data() or b"{}")
        if response.status_code != 200:
            raise ReplayError(f"{operation} refused on replay ({response.status_code}): {answer}")
        return answer

    def restore(self, s3: Any, bucket: str) -> Restored:
        """Replays the journal into the (new, empty) tables and puts the bucket's saved objects back."""
        writes = 0
        for entry in self.entries():
            self._call(entry["op"], entry["request"])
            writes += 1
        objects = 0
        saved = self.directory / BUCKET
        if saved.is_dir():
            for path in sorted(p for p in saved.rglob("*") if p.is_file()):
                s3.put_object(Bucket=bucket, Key=path.relative_to(saved).as_posix(), Body=path.read_bytes())
                objects += 1
        items = sum(
            self._call("DescribeTable", {"TableName": local_table_name(spec)})["Table"]["ItemCount"]
            for spec in ALL_TABLES
        )
        if writes > 2 * math.ceil(items / BATCH):
            self.compact()
        return Restored(writes, items, objects)

    def compact(self) -> None:
        """Rewrites the journal as the tables' items, 25 a BatchWriteItem."""
        self.directory.mkdir(parents=True, exist_ok=True)
        written = self.path.with_suffix(".tmp")
        with written.open("w", encoding="utf-8") as out:
            for spec in ALL_TABLES:
                table = local_table_name(spec)
                page: list[dict[str, Any]] = []
                scan: dict[str, Any] = {"TableName": table}
                while True:
                    scanned = self._call("Scan", scan)
                    for item in scanned.get("Items", []):
                        page.append({"PutRequest": {"Item": item}})
                        if len(page) == BATCH:
                            out.write(_batch(table, page))
                            page = []
                    if "LastEvaluatedKey" not in scanned:
                        break
                    scan["ExclusiveStartKey"] = scanned["LastEvaluatedKey"]
                if page:
                    out.write(_batch(table, page))
            out.flush()
            os.fsync(out.fileno())
        os.replace(written, self.path)

    def users(self) -> dict[str, KeptUser]:
        path = self.directory / USERS
        if not path.is_file():
            return {}
        kept = json.loads(path.read_text())
        return {
            email: KeptUser(password=user)
            if isinstance(user, str)
            else KeptUser(**{**user, "groups": tuple(user["groups"])})
            for email, user in kept.items()
        }

    def keep_users(self, users: Mapping[str, KeptUser]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / USERS
        path.write_text(json.dumps({email: asdict(user) for email, user in users.items()}))
        path.chmod(0o600)

    def start(self) -> None:
        """From now on, every write the endpoint applies is appended."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a", encoding="utf-8")

    def stop(self, s3: Any, bucket: str) -> int:
        """Stops recording and saves the data bucket's objects; answers how many."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
        saved = self.directory / BUCKET
        staging = self.directory / f"{BUCKET}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        objects = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for listed in page.get("Contents", []):
                target = staging / listed["Key"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(s3.get_object(Bucket=bucket, Key=listed["Key"])["Body"].read())
                objects += 1
        staging.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(saved, ignore_errors=True)
        os.replace(staging, saved)
        return objects


def _batch(table: str, requests: list[dict[str, Any]]) -> str:
    entry = {"op": "BatchWriteItem", "request": {"RequestItems": {table: requests}}}
    return json.dumps(entry, separators=(",", ":")) + "\n"
