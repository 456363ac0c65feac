"""The local schedules reach their targets the way EventBridge rules do: an asynchronous Lambda Invoke with a
scheduled event, again at every interval, whatever happened to the previous delivery."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from typing import Any

from isoflow.local.scheduler import Scheduler


class RecordingLambda:
    """Stands in for boto3's Lambda client: records each Invoke, fails the first `failures` of them, and
    sets `enough` once every function of `expected` was invoked twice."""

    def __init__(self, expected: tuple[str, ...], failures: int = 0) -> None:
        self.expected = expected
        self.failures = failures
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.enough = threading.Event()

    def invoke(self, **request: Any) -> dict[str, Any]:
        with self.lock:
            self.calls.append(request)
            invoked = Counter(call["FunctionName"] for call in self.calls)
            if all(invoked[name] >= 2 for name in self.expected):
                self.enough.set()
            if len(self.calls) <= self.failures:
                raise ConnectionError("endpoint unavailable")
        return {"StatusCode": 202}


def run_scheduler(every: dict[str, float], failures: int = 0, at_start: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Runs the schedules until each function was invoked twice; returns the Invoke requests."""
    lambda_client = RecordingLambda(tuple(every), failures)
    scheduler = Scheduler(lambda_client, every, at_start)
    scheduler.start()
    try:
        assert lambda_client.enough.wait(timeout=10)
    finally:
        scheduler.stop()
    return lambda_client.calls


def test_each_function_is_invoked_asynchronously_with_a_scheduled_event():
    calls = run_scheduler({"isoflow-generator": 0.05, "isoflow-start-scheduled-run": 0.05})

    assert {call["FunctionName"] for call in calls} == {"isoflow-generator", "isoflow-start-scheduled-run"}
    assert all(call["InvocationType"] == "Event" for call in calls)
    event = json.loads(calls[0]["Payload"])
    assert (event["source"], event["detail-type"]) == ("aws.events", "Scheduled Event")
    assert event["resources"][0].startswith("arn:aws:events:us-east-1:123456789012:rule/")


def test_a_failed_delivery_does_not_stop_the_schedule():
    calls = run_scheduler({"isoflow-generator": 0.05}, failures=1)

    assert len(calls) >= 2


def test_a_function_to_run_at_start_runs_at_once_then_on_its_interval():
    started = time.monotonic()
    calls = run_scheduler({"isoflow-start-scheduled-run": 2.0}, at_start=("isoflow-start-scheduled-run",))

    # Invoked at once, then after one interval: not after two.
    assert len(calls) == 2
    assert 2.0 <= time.monotonic() - started < 3.9
