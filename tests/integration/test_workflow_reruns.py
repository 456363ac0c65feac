"""How a run is rerun: redriven where that resumes its work, otherwise a new run that records the old one."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from isoflow import runs
from isoflow.local.resources import bootstrap

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


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield


def runs_of(definition: dict[str, Any]) -> tuple[runs.Runs, Redrives]:
    settings = bootstrap(boto3.Session(), definition)
    client = Redrives(boto3.client("stepfunctions"))
    return runs.Runs(client, boto3.client("dynamodb"), settings.state_machine_arn, settings.runs_table), client


def finished(detection_runs: runs.Runs, execution_id: str) -> dict[str, Any]:
    while (run := runs.describe_run(detection_runs, execution_id))["status"] == "RUNNING":
        time.sleep(0.05)
    return run


def test_an_aborted_run_is_redriven(aws: None) -> None:
    detection_runs, client = runs_of(WAITS)
    started = runs.start(detection_runs, trigger="api")
    client.stop_execution(executionArn=detection_runs.execution_arn(started.executionId))
    assert finished(detection_runs, started.executionId)["status"] == "ABORTED"

    rerun = runs.rerun(detection_runs, started.executionId)

    assert (rerun.executionId, rerun.mode) == (started.executionId, "redrive")
    assert client.redriven == [detection_runs.execution_arn(started.executionId)]


def test_a_run_that_ended_in_a_fail_state_is_rerun_as_a_new_run(aws: None) -> None:
    detection_runs, client = runs_of(CAUGHT)
    failed = finished(detection_runs, runs.start(detection_runs, trigger="schedule").executionId)
    assert failed["status"] == "FAILED" and failed["events"][-2]["type"] == "FailStateEntered", failed["events"]

    rerun = runs.rerun(detection_runs, failed["executionId"], trigger="cli")

    assert rerun.mode == "restart" and client.redriven == []
    restarted = finished(detection_runs, rerun.executionId)
    assert restarted["input"] == {"trigger": "cli", "rerunOf": failed["executionId"]}
    assert restarted["rerunOf"] == failed["executionId"] and restarted["trigger"] == "cli"
    assert json.dumps(restarted["definition"]) == json.dumps(CAUGHT)
