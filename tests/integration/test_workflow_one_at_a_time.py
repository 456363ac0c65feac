"""One detection run at a time: a manual start (API, CLI) or a rerun while a run is in progress answers 409
naming it, starts at the same moment cannot both start one, and the schedule passes over a busy moment."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from detection_stack import Stack, detection_stack, seed_account
from test_workflow_api import RunsApi
from test_workflow_cli import main
from test_workflow_reruns import WAITS, finished, runs_of

from isoflow import runs
from isoflow.store.errors import RunInProgressError


@pytest.fixture
def stack(local_aws: Any) -> Stack:
    """The detection stack with three stale accounts."""
    detection = detection_stack(local_aws)
    for _ in range(3):
        seed_account(detection.db, transactions=40)
    return detection


def test_a_start_while_a_run_is_in_progress_is_a_409_naming_it(stack: Stack, capsys: pytest.CaptureFixture) -> None:
    api = RunsApi(stack)
    status, first = api.call("POST", "/api/executions")
    assert status == 201

    status, refused = api.call("POST", "/api/executions")
    assert status == 409, refused
    assert refused["executionId"] == first["executionId"]
    assert refused["message"] == f"run {first['executionId']} is in progress; start another once it has finished"
    assert main(["runs", "start"]) == 1
    assert first["executionId"] in capsys.readouterr().err
    scheduled = runs.start(stack.runs, trigger="schedule", only_if_idle=True)
    assert (scheduled.executionId, scheduled.started) == (first["executionId"], False)

    assert stack.wait(first["executionId"])["status"] == "SUCCEEDED"
    status, second = api.call("POST", "/api/executions")  # the first has finished: the claim no longer holds
    assert status == 201 and second["executionId"] != first["executionId"]
    stack.wait(second["executionId"])
    status, page = api.call("GET", "/api/executions")
    assert [r["executionId"] for r in page["items"]] == [second["executionId"], first["executionId"]]


def test_starts_at_the_same_moment_start_one_run(stack: Stack) -> None:
    outcomes: list[str] = []
    gate = threading.Barrier(4)

    def start() -> None:
        gate.wait()
        try:
            outcomes.append(runs.start(stack.runs, trigger="api").executionId)
        except RunInProgressError as error:
            outcomes.append(f"refused for {error.execution_id}")

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    started = [o for o in outcomes if not o.startswith("refused")]
    assert len(started) == 1, outcomes
    assert sorted(outcomes) == sorted([started[0]] + [f"refused for {started[0]}"] * 3)
    assert stack.wait(started[0])["summary"]["accountsCleared"] == 3


def test_a_rerun_waits_for_the_run_in_progress(local_aws: Any) -> None:
    detection_runs, _ = runs_of(local_aws, WAITS)
    aborted = runs.start(detection_runs, trigger="api").executionId
    detection_runs.stepfunctions.stop_execution(executionArn=detection_runs.execution_arn(aborted))
    assert finished(detection_runs, aborted)["status"] == "ABORTED"
    busy = runs.start(detection_runs, trigger="api").executionId  # the aborted run's claim no longer holds

    with pytest.raises(RunInProgressError) as refused:
        runs.rerun(detection_runs, aborted)

    assert refused.value.execution_id == busy
    detection_runs.stepfunctions.stop_execution(executionArn=detection_runs.execution_arn(busy))
