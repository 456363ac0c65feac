"""The population model a deployment fits on its own data: when a run refits it, what it keeps in the data
bucket, how the detector picks up a new one, and that every score names the one that judged it."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from detection_stack import purchase

from isoflow import runs
from isoflow.detection.check import check_models
from isoflow.detection.files import PopulationFiles, VerdictModelFiles
from isoflow.detection.refit import refit_population, sample_rows
from isoflow.detection.score import populations
from isoflow.generator.bulk import load_generated
from isoflow.store.db import Db, from_item
from isoflow.store.transactions import create_transaction
from isoflow.workflow import States
from model.features import FEATURE_NAMES
from model.population import REFERENCE_ROWS, load_population

END = datetime(2026, 11, 1, tzinfo=UTC)
FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def run_detection(detection_runs: runs.Runs) -> dict[str, Any]:
    started = runs.start(detection_runs, trigger="cli")
    while (run := runs.describe_run(detection_runs, started.executionId))["status"] not in FINISHED:
        pass
    return run


def entered(run: dict[str, Any]) -> list[str]:
    return [e["stateName"] for e in run["events"] if e["type"].endswith("StateEntered")]


def score_versions(db: Db) -> Counter[str]:
    pages = db.client.get_paginator("scan").paginate(TableName=db.scores)
    return Counter(from_item(item)["modelVersion"] for page in pages for item in page.get("Items", []))


@pytest.fixture
def seeded(local_aws: Any) -> Any:
    """A local system with 40 generated accounts' 60 days of history, imported in bulk."""
    load_generated(local_aws.settings, accounts=40, days=60, seed=3, end=END)
    # Refit requests and attempts are compared to the second, and a run in the second of an import refits again
    # on the next run: the tests' runs start after it.
    time.sleep(1)
    return local_aws


def test_a_run_after_a_bulk_import_fits_the_population_on_the_deployments_own_data(seeded: Any) -> None:
    settings = seeded.settings
    db = Db.from_settings(settings, boto3.client("dynamodb"))
    files = PopulationFiles(boto3.client("s3"), settings.data_bucket)
    detection_runs = runs.Runs.from_names(settings.state_machine_arn, settings.runs_table)

    first = run_detection(detection_runs)

    assert first["status"] == "SUCCEEDED", first.get("cause")
    assert entered(first)[:4] == [
        States.CHECK_MODELS,
        States.REFIT_DUE,
        States.REFIT_MODELS,
        States.FIND_STALE_ACCOUNTS,
    ]
    current = files.current()
    assert current is not None
    version = current["version"]
    assert version != load_population().version and not version.startswith("shipped")
    # What was fitted on, said where a person looks for it: the bucket's metadata and the run's summary.
    assert current["rows"] >= REFERENCE_ROWS and 0 < current["accounts"] <= 40
    assert current["from"] < current["to"] <= "2026-11-01T00:00:00Z"
    assert current["features"] == list(FEATURE_NAMES) and current["fittedAt"] == first["startedAt"]
    stored = json.loads(
        boto3.client("s3")
        .get_object(Bucket=settings.data_bucket, Key=current["key"].replace(".joblib", ".json"))["Body"]
        .read()
    )
    assert stored == current
    assert first["summary"]["populationVersion"] == version
    # Every score of the run names the population that judged it; none the shipped one.
    versions = score_versions(db)
    assert sum(versions.values()) == first["summary"]["transactionsScored"] > 0
    assert {v.rsplit("population-", 1)[1] for v in versions} == {version}

    account_id = from_item(db.client.scan(TableName=db.accounts, Limit=1)["Items"][0])["accountId"]
    create_transaction(db, {**purchase(account_id, 0), "timestamp": "2026-11-01T09:00:00Z"})
    second = run_detection(detection_runs)

    assert second["status"] == "SUCCEEDED", second.get("cause")
    assert States.REFIT_MODELS not in entered(second)
    assert second["summary"]["populationVersion"] == version and second["summary"]["transactionsScored"] == 1
    assert files.current() == current


def test_the_sample_is_drawn_with_queries_the_same_every_time_and_only_from_established_accounts(
    seeded: Any,
) -> None:
    client = boto3.client("dynamodb")
    operations: list[str] = []
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: operations.append(model.name))
    db = Db.from_settings(seeded.settings, client)

    whole = sample_rows(db, rows_wanted=200_000)

    # Every shard holds fewer rows than its share: one Query per shard, after two for the time range.
    assert set(operations) == {"Query"} and len(operations) == 3 * 8
    assert len(whole.rows) >= REFERENCE_ROWS and all(row["history_size"] >= 30 for row in whole.rows)
    thinned = sample_rows(db, rows_wanted=2_000)  # about twice its share in a shard: read whole, every other row
    sliced = sample_rows(db, rows_wanted=800)  # more: the newest few before each of 32 points over the period
    assert set(operations) == {"Query"}
    assert sliced == sample_rows(db, rows_wanted=800)  # the same data gives the same sample
    assert len(sliced.rows) < len(thinned.rows) < len(whole.rows)
    for sample in (thinned, sliced):  # spread over the whole period, not its last days
        assert sample.first is not None and whole.first is not None
        assert datetime.fromisoformat(sample.first) - datetime.fromisoformat(whole.first) < timedelta(days=3)


def test_too_little_history_keeps_the_model_in_use_and_says_why(local_aws: Any) -> None:
    load_generated(local_aws.settings, accounts=3, days=20, seed=3, end=END)
    db = Db.from_settings(local_aws.settings, boto3.client("dynamodb"))
    files = PopulationFiles(boto3.client("s3"), local_aws.settings.data_bucket)

    result = refit_population(db, files, now="2026-11-01T00:10:00Z", current=None)

    assert (result["population"], result["refitted"]) == (None, False)
    assert "too little history" in result["reason"] and "shipped cold-start model" in result["reason"]
    assert files.current() is None


def test_a_refit_is_due_daily_after_a_bulk_import_and_hourly_on_the_cold_start(local_aws: Any) -> None:
    files = PopulationFiles(boto3.client("s3"), local_aws.settings.data_bucket)
    verdicts = VerdictModelFiles(boto3.client("s3"), local_aws.settings.data_bucket)

    def check(now: str) -> dict[str, Any]:
        return check_models(files, verdicts, now=now)

    def due(now: str) -> bool:
        return bool(check(now)["refitPopulation"])

    assert due("2026-11-01T00:00:00Z")  # never attempted
    assert not due("2026-11-01T00:10:00Z")  # attempted 10 minutes ago, still on the cold start
    assert due("2026-11-01T01:00:00Z")  # an hour on the cold start: try again
    files.put_model(
        b"model",
        {
            "version": "0123456789ab",
            "key": files.model_key("0123456789ab"),
            "fittedAt": "2026-11-01T01:00:00Z",
            "features": list(FEATURE_NAMES),
        },
    )
    checked = check("2026-11-01T02:00:00Z")
    assert (checked["refitPopulation"], checked["population"]["version"]) == (False, "0123456789ab")
    assert not due("2026-11-02T00:59:59Z")
    assert due("2026-11-02T01:00:00Z")  # a day after the last refit
    files.request_refit("2026-11-02T01:05:00Z")  # a bulk import
    assert due("2026-11-02T01:10:00Z")
    assert not due("2026-11-02T01:20:00Z")
    # A model fitted on other features is of no use to this code: the cold start judges until a refit.
    files.put_model(b"model", {"version": "ba9876543210", "key": "k", "fittedAt": "x", "features": ["amount"]})
    assert check("2026-11-02T01:30:00Z")["population"] is None


def test_a_warm_detector_loads_each_population_model_once_and_a_new_one_when_a_run_names_it(seeded: Any) -> None:
    s3 = boto3.client("s3")
    reads: list[str] = []
    s3.meta.events.register("provide-client-params.s3.GetObject", lambda params, **_: reads.append(params["Key"]))
    files = PopulationFiles(s3, seeded.settings.data_bucket)
    db = Db.from_settings(seeded.settings, boto3.client("dynamodb"))
    first = refit_population(db, files, now="2026-11-01T00:10:00Z", current=None)["population"]
    loaded = populations()

    model = loaded.get(files, first)
    assert loaded.get(files, first) is model and reads == [first["key"]]

    load_generated(seeded.settings, accounts=10, days=60, seed=4, end=END)
    second = refit_population(db, files, now="2026-11-02T00:10:00Z", current=first)["population"]
    assert second["version"] != first["version"]
    assert loaded.get(files, second).version == second["version"] and reads[-1] == second["key"]
    with pytest.raises(ValueError, match="not ffffffffffff"):
        populations().get(files, {**second, "version": "ffffffffffff"})


def test_a_refit_that_fails_fails_its_run_and_the_next_runs_score_with_the_model_in_use(
    seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = seeded.settings
    detection_runs = runs.Runs.from_names(settings.state_machine_arn, settings.runs_table)

    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("the sample could not be read")

    monkeypatch.setattr("isoflow.detection.refit.refit_population", broken)
    failed = run_detection(detection_runs)

    assert failed["status"] == "FAILED"
    assert "the sample could not be read" in failed["cause"]
    after = run_detection(detection_runs)
    assert after["status"] == "SUCCEEDED", after.get("cause")
    assert States.REFIT_MODELS not in entered(after)
    assert after["summary"]["populationVersion"] == "shipped" and after["summary"]["transactionsScored"] > 0
