"""How a run is rerun: redriven where that resumes its work, otherwise a new run that records the old one."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import boto3
from detection_stack import detection_stack, seed_account

from isoflow import runs
from isoflow.functions import by_name
from isoflow.local.resources import STATE_MACHINE_ROLE_ARN

WAITS = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 30, "End": True}}}
# A task whose error is caught and routed to a Fail state, as every task of the detection state machine does.
CAUGHT = {
    "StartAt": "Read",
    "States": {
        "Read": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": "no-such-table", "Key": {"id": {"S": "x"}}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
            "End": True,
        },
        "Failed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"},
    },
}


class Redrives:
    """moto's Step Functions client with the RedriveExecution that moto lacks, recording its calls."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.redriven: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def redrive_execution(self, executionArn: str) -> dict[str, Any]:
        self.redriven.append(executionArn)
        return {"redriveDate": time.time()}


def runs_of(local_aws: Any, definition: dict[str, Any]) -> tuple[runs.Runs, Redrives]:
    """Runs of a state machine of `definition` on the local endpoint, whose client records redrives."""
    client = Redrives(boto3.client("stepfunctions"))
    created = client.create_state_machine(
        name=f"rerun-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition), roleArn=STATE_MACHINE_ROLE_ARN
    )
    table = local_aws.settings.runs_table
    return runs.Runs(client, boto3.client("dynamodb"), created["stateMachineArn"], table), client


def finished(detection_runs: runs.Runs, execution_id: str) -> dict[str, Any]:
    while (run := runs.describe_run(detection_runs, execution_id))["status"] == "RUNNING":
        time.sleep(0.05)
    return run


def test_an_aborted_run_is_redriven(local_aws: Any) -> None:
    detection_runs, client = runs_of(local_aws, WAITS)
    started = runs.start(detection_runs, trigger="api")
    client.stop_execution(executionArn=detection_runs.execution_arn(started.executionId))
    assert finished(detection_runs, started.executionId)["status"] == "ABORTED"

    rerun = runs.rerun(detection_runs, started.executionId)

    assert (rerun.executionId, rerun.mode) == (started.executionId, "redrive")
    assert client.redriven == [detection_runs.execution_arn(started.executionId)]


def test_a_run_that_ended_in_a_fail_state_is_rerun_as_a_new_run(local_aws: Any) -> None:
    detection_runs, client = runs_of(local_aws, CAUGHT)
    failed = finished(detection_runs, runs.start(detection_runs, trigger="schedule").executionId)
    assert failed["status"] == "FAILED" and failed["events"][-2]["type"] == "FailStateEntered", failed["events"]

    rerun = runs.rerun(detection_runs, failed["executionId"], trigger="cli")

    assert rerun.mode == "restart" and client.redriven == []
    restarted = finished(detection_runs, rerun.executionId)
    assert restarted["input"] == {"trigger": "cli", "rerunOf": failed["executionId"]}
    assert restarted["rerunOf"] == failed["executionId"] and restarted["trigger"] == "cli"
    assert json.dumps(restarted["definition"]) == json.dumps(CAUGHT)


def test_a_detection_run_stopped_locally_ends_aborted_and_its_rerun_finishes_the_work(local_aws: Any) -> None:
    stack = detection_stack(local_aws)
    account = seed_account(stack.db, transactions=31)
    released = threading.Event()
    detector = by_name("score-account-batch").load()

    def held(event: Any, context: Any) -> Any:
        released.wait(30)
        return detector(event, context)

    local_aws.register("score-account-batch", held)
    stopped = runs.start(stack.runs, trigger="api").executionId
    arn = stack.runs.execution_arn(stopped)
    while not any(e["type"] == "MapRunStarted" for e in runs.describe_run(stack.runs, stopped)["events"]):
        time.sleep(0.05)
    stack.runs.stepfunctions.stop_execution(executionArn=arn)
    released.set()  # the batch in flight returns; the run goes no further

    aborted = stack.wait(stopped)
    assert aborted["status"] == "ABORTED", aborted["status"]
    assert stack.account(account).isStale, "a stopped run clears no flag"

    rerun = runs.rerun(stack.runs, stopped)
    # Locally there is no redrive: the rerun is a new run recording the one it reruns.
    assert rerun.mode == "restart"
    finished_rerun = stack.wait(rerun.executionId)
    assert finished_rerun["status"] == "SUCCEEDED" and finished_rerun["rerunOf"] == stopped
    assert not stack.account(account).isStale
