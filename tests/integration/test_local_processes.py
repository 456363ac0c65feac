"""The local endpoint runs CPU-bound functions in worker processes: each invocation has its own process, two
run at the same time, a dead worker is a failed invocation (not a hung one), and other functions stay in this
process."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from isoflow.functions import FunctionSpec
from isoflow.local.aws import LocalAws
from isoflow.local.lambda_invoke import ProcessEnvironments
from isoflow.local.resources import REGION

WORK = FunctionSpec(name="work", handler="process_handlers.work", bundle="detector", settings=(), timeout_s=10)
DIE = FunctionSpec(name="die", handler="process_handlers.die", bundle="detector", settings=(), timeout_s=1)
HERE = FunctionSpec(name="here", handler="process_handlers.work", bundle="api", settings=())


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Any]:
    functions = {"isoflow-work": WORK, "isoflow-die": DIE, "isoflow-here": HERE}
    server = LocalAws("127.0.0.1", 0, functions, processes=ProcessEnvironments((WORK, DIE), 2))
    server.start()
    client = boto3.client(
        "lambda", endpoint_url=server.url, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t"
    )
    yield client
    server.stop()


def call(client: Any, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    response = client.invoke(FunctionName=name, Payload=json.dumps(payload))
    return {"error": response.get("FunctionError"), **json.loads(response["Payload"].read())}


def test_two_invocations_run_at_once_each_in_its_own_process(endpoint: Any) -> None:
    call(endpoint, "isoflow-work", {"seconds": 0})  # the workers start and load meanwhile
    answers: list[dict[str, Any]] = []
    callers = [
        threading.Thread(target=lambda: answers.append(call(endpoint, "isoflow-work", {"seconds": 1.5})))
        for _ in range(2)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()

    first, second = sorted(answers, key=lambda answer: answer["started"])
    assert first["error"] is None and first["function"] == "isoflow-work" and first["turns"] > 0
    assert len({first["pid"], second["pid"], os.getpid()}) == 3
    assert second["started"] < first["ended"]  # both ran at the same time


def test_a_function_not_named_runs_in_this_process(endpoint: Any) -> None:
    assert call(endpoint, "isoflow-here", {"seconds": 0})["pid"] == os.getpid()


def test_a_worker_that_dies_fails_its_invocation_and_the_next_one_runs(endpoint: Any) -> None:
    died = call(endpoint, "isoflow-die", {})

    assert died["error"] == "Unhandled"
    assert died["errorType"] == "Sandbox.Timedout"
    assert call(endpoint, "isoflow-work", {"seconds": 0})["error"] is None
