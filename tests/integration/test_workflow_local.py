"""The detection state machine on the local AWS endpoint (moto's server, Lambda Invoke over HTTP), as
`make run` runs it: a run, a failed run with its cause, a rerun, and the schedule's start while one runs."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3
import pytest
from detection_stack import seed_account

from isoflow import runs
from isoflow.detection import score
from isoflow.functions import SCORE_ACCOUNT_BATCH, START_SCHEDULED_RUN, local_function_name
from isoflow.local.scheduler import scheduled_event
from isoflow.store.db import Db
from isoflow.store.errors import BusyError

FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def wait(detection_runs: runs.Runs, execution_id: str, timeout_s: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while (run := runs.describe_run(detection_runs, execution_id))["status"] not in FINISHED:
        assert time.monotonic() < deadline, f"{execution_id} still running"
        time.sleep(0.1)
    return run


def test_a_failed_run_on_the_local_endpoint_is_rerun_to_completion(
    local_aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = local_aws.settings
    db = Db.from_settings(settings, boto3.client("dynamodb"))
    detection_runs = runs.Runs.from_names(settings.state_machine_arn, settings.runs_table)
    account_id = seed_account(db, transactions=31)

    def throttled(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise BusyError("scores table throttled")

    monkeypatch.setattr("handlers.detector.score_batch", throttled)
    failed = wait(detection_runs, runs.start(detection_runs, trigger="cli").executionId)

    assert failed["status"] == "FAILED"
    assert "batch 0: BusyError: scores table throttled" in failed["cause"]

    monkeypatch.setattr("handlers.detector.score_batch", score.score_batch)
    rerun = runs.rerun(detection_runs, failed["executionId"], trigger="cli")
    completed = wait(detection_runs, rerun.executionId)

    assert (rerun.mode, completed["status"], completed["rerunOf"]) == ("restart", "SUCCEEDED", failed["executionId"])
    assert completed["output"]["transactionsScored"] == 31 and completed["output"]["accountsCleared"] == 1
    account = db.client.get_item(TableName=db.accounts, Key={"accountId": {"S": account_id}})["Item"]
    assert account["isStale"] == {"BOOL": False}


def scheduled_start() -> dict[str, Any]:
    """What the detection schedule does: invoke the starter function (as the EventBridge rule does)."""
    response = boto3.client("lambda").invoke(
        FunctionName=local_function_name(START_SCHEDULED_RUN), Payload=json.dumps(scheduled_event("detection"))
    )
    assert "FunctionError" not in response, response["Payload"].read()
    return dict(json.load(response["Payload"]))


def test_the_schedule_does_not_start_a_second_run_while_one_is_in_progress(local_aws: Any) -> None:
    settings = local_aws.settings
    detection_runs = runs.Runs.from_names(settings.state_machine_arn, settings.runs_table)
    seed_account(Db.from_settings(settings, boto3.client("dynamodb")), transactions=31)
    # The first run's detector waits until the second start has been tried, however slow the machine.
    second_tried = threading.Event()

    def held(event: dict[str, Any], context: Any) -> dict[str, Any]:
        second_tried.wait(timeout=120)
        return SCORE_ACCOUNT_BATCH.load()(event, context)

    local_aws.register("score-account-batch", held, timeout_s=150)
    first = scheduled_start()
    second = scheduled_start()
    second_tried.set()

    assert first["started"] and not second["started"] and second["executionId"] == first["executionId"]
    run = wait(detection_runs, first["executionId"])
    assert (run["status"], run["trigger"], run["input"]) == ("SUCCEEDED", "schedule", {"trigger": "schedule"})
    third = scheduled_start()
    assert third["started"] and wait(detection_runs, third["executionId"])["status"] == "SUCCEEDED"
