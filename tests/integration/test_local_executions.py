"""The local system's run histories: finished executions archived by one start are answered by the next, in
ListExecutions' pages after the new start's own, and by each request that reads one execution."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from isoflow.local.aws import MOTO_CONFIG, MOTO_DEFAULTS, LocalAws
from isoflow.local.executions import ExecutionArchive
from isoflow.local.resources import REGION

ROLE = "arn:aws:iam::123456789012:role/runs"
DEFINITION = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Failed"}],
            "Default": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
        "Failed": {"Type": "Fail", "Error": "Refused", "Cause": "asked to fail"},
    },
}


class Endpoint:
    """A local endpoint archiving the runs of one state machine in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.archive = ExecutionArchive(directory, f"arn:aws:states:{REGION}:123456789012:stateMachine:runs")
        self.aws = LocalAws("127.0.0.1", 0, {}, archive=self.archive)
        self.aws.start()
        self.aws.reset()  # moto's backends are this process's: empty, as in a new process
        self.aws.configure(MOTO_CONFIG)
        self.sfn = boto3.client(
            "stepfunctions",
            endpoint_url=self.aws.url,
            region_name=REGION,
            aws_access_key_id="t",
            aws_secret_access_key="t",
        )
        self.arn = self.sfn.create_state_machine(name="runs", definition=json.dumps(DEFINITION), roleArn=ROLE)[
            "stateMachineArn"
        ]
        self.loaded = self.archive.load()
        self.archive.start(self.aws.url)

    def run(self, name: str, fail: bool = False) -> str:
        arn = self.sfn.start_execution(stateMachineArn=self.arn, name=name, input=json.dumps({"fail": fail}))
        deadline = time.monotonic() + 30
        while self.sfn.describe_execution(executionArn=arn["executionArn"])["status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        return str(arn["executionArn"])

    def listed(self, **request: Any) -> list[list[str]]:
        """ListExecutions' pages, each as the names it lists."""
        pages, token = [], None
        while True:
            page = self.sfn.list_executions(
                stateMachineArn=self.arn, **request, **({"nextToken": token} if token else {})
            )
            pages.append([execution["name"] for execution in page["executions"]])
            token = page.get("nextToken")
            if not token:
                return pages

    def stop(self) -> int:
        archived = self.archive.stop()
        self.aws.configure(MOTO_DEFAULTS)
        self.aws.reset()
        self.aws.stop()
        return archived


@pytest.fixture
def endpoints() -> Iterator[Callable[[Path], Endpoint]]:
    started: list[Endpoint] = []

    def start(directory: Path) -> Endpoint:
        started.append(Endpoint(directory))
        return started[-1]

    yield start
    for endpoint in started:
        if endpoint.aws._thread.is_alive():
            endpoint.stop()


def test_archived_runs_are_listed_after_the_new_ones_and_read_as_before(
    tmp_path: Path, endpoints: Callable[[Path], Endpoint]
) -> None:
    first = endpoints(tmp_path)
    for i in range(4):
        first.run(f"old-{i}")
    failed = first.run("old-failed", fail=True)
    history = first.sfn.get_execution_history(executionArn=failed)["events"]
    described = first.sfn.describe_execution(executionArn=failed)
    assert first.stop() == 5

    second = endpoints(tmp_path)
    assert second.loaded == 5
    second.run("new-0")

    # Newest first: this start's run, then the archived ones, in pages of the size asked.
    assert second.listed(maxResults=2) == [["new-0", "old-failed"], ["old-3", "old-2"], ["old-1", "old-0"]]
    assert second.listed(maxResults=10) == [["new-0", "old-failed", "old-3", "old-2", "old-1", "old-0"]]
    assert second.listed(statusFilter="FAILED") == [["old-failed"]]
    assert second.sfn.get_execution_history(executionArn=failed)["events"] == history
    assert second.sfn.get_execution_history(executionArn=failed, reverseOrder=True)["events"] == history[::-1]
    kept = second.sfn.describe_execution(executionArn=failed)
    assert (kept["status"], kept["cause"], kept["input"]) == ("FAILED", "asked to fail", described["input"])
    definition = second.sfn.describe_state_machine_for_execution(executionArn=failed)["definition"]
    assert json.loads(definition) == DEFINITION
