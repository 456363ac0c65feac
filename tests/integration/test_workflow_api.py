"""Runs through the API: start, list, describe and rerun detection runs (moto executing the state machine)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from detection_stack import Stack, detection_stack, seed_account
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from isoflow.api.app import create_app
from isoflow.api.services import Services
from isoflow.detection import score
from isoflow.local.api_gateway import proxy_event
from isoflow.local.lambda_invoke import LambdaContext
from isoflow.store.errors import BusyError
from isoflow.workflow import States


class RunsApi:
    def __init__(self, stack: Stack) -> None:
        services = Services(db=stack.db, idempotency_table=stack.settings.idempotency_table, runs=stack.runs)
        self.app = create_app(services)

    def call(self, method: str, path: str, **query: Any) -> tuple[int, Any]:
        builder = EnvironBuilder(
            method=method, path=path, query_string=query, headers={"Content-Type": "application/json"}
        )
        request = Request(builder.get_environ())
        context = LambdaContext(function_name="isoflow-api", memory_limit_in_mb=1024, timeout_s=29)
        result = self.app.resolve(proxy_event(request, "test", request.get_data()), context)
        return result["statusCode"], json.loads(result["body"]) if result.get("body") else None


@pytest.fixture
def stack(local_aws: Any) -> Stack:
    return detection_stack(local_aws)


def test_the_overviews_last_run_passes_over_runs_that_found_nothing_stale(stack: Stack) -> None:
    api = RunsApi(stack)
    seed_account(stack.db, transactions=31)
    scored = stack.run()
    nothing = stack.run()  # nothing changed since: nothing stale

    assert nothing["status"] == "SUCCEEDED" and "summary" not in nothing
    status, stats = api.call("GET", "/api/anomalies/stats")
    assert status == 200 and stats["lastRun"]["executionId"] == scored["executionId"]
    assert stats["lastRun"]["summary"]["transactionsScored"] == 31


def test_a_run_started_through_the_api_is_listed_and_described(stack: Stack) -> None:
    api = RunsApi(stack)
    seed_account(stack.db, transactions=31)

    status, started = api.call("POST", "/api/executions")
    assert status == 201 and started["mode"] == "start"
    stack.wait(started["executionId"])

    status, page = api.call("GET", "/api/executions")
    assert status == 200 and page["nextCursor"] is None
    (run,) = page["items"]
    assert run["executionId"] == started["executionId"] and run["status"] == "SUCCEEDED"
    assert run["trigger"] == "api" and run["summary"]["transactionsScored"] == 31
    status, detail = api.call("GET", f"/api/executions/{started['executionId']}")
    assert status == 200
    assert detail["output"] == run["summary"] and detail["input"] == {"trigger": "api"}
    assert set(detail["definition"]["States"]) >= {States.FIND_STALE_ACCOUNTS, States.SCORE_ACCOUNTS}
    assert detail["events"][0]["type"] == "ExecutionStarted" and detail["events"][-1]["type"] == "ExecutionSucceeded"
    assert detail["mapRuns"][0]["itemCounts"]["succeeded"] == 1

    status, conflict = api.call("POST", f"/api/executions/{started['executionId']}/rerun")
    assert status == 409 and conflict["errors"][0]["field"] == "executionId"


def test_unknown_runs_and_bad_cursors_are_client_errors(stack: Stack) -> None:
    api = RunsApi(stack)
    status, body = api.call("GET", "/api/executions/run-that-never-was")
    assert status == 404 and body["errors"][0]["field"] == "executionId"
    status, body = api.call("POST", "/api/executions/run-that-never-was/rerun")
    assert status == 404
    status, body = api.call("GET", "/api/executions", cursor="bm90LWEtY3Vyc29y")
    assert status == 400 and body["errors"][0]["field"] == "cursor"


def test_pages_of_runs_and_a_rerun_of_a_failed_one(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    api = RunsApi(stack)
    seed_account(stack.db, transactions=31)

    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise BusyError("scores table throttled")

    monkeypatch.setattr("handlers.detector.score_batch", broken)
    failed = stack.run()
    assert failed["status"] == "FAILED"
    monkeypatch.setattr("handlers.detector.score_batch", score.score_batch)

    status, rerun = api.call("POST", f"/api/executions/{failed['executionId']}/rerun")
    assert status == 201 and rerun["mode"] == "restart"
    assert stack.wait(rerun["executionId"])["status"] == "SUCCEEDED"

    status, first = api.call("GET", "/api/executions", limit=1)
    assert status == 200 and first["nextCursor"]
    status, second = api.call("GET", "/api/executions", limit=1, cursor=first["nextCursor"])
    assert status == 200 and second["nextCursor"] is None
    newest, oldest = first["items"][0], second["items"][0]
    assert (newest["executionId"], newest["rerunOf"]) == (rerun["executionId"], failed["executionId"])
    assert (oldest["executionId"], oldest["status"]) == (failed["executionId"], "FAILED")
    assert oldest["summary"]["failedBatches"] == 1
