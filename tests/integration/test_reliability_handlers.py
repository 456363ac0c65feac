"""Every Lambda handler fails fast at cold start without its settings, and answers a malformed event with an
error that says what is wrong (as Lambda reports it: errorType and errorMessage), writing nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3

from isoflow.functions import FUNCTIONS, FunctionSpec, by_name
from isoflow.local.lambda_invoke import invoke
from isoflow.settings import ENVIRONMENT
from isoflow.tables import ALL_TABLES, local_table_name

ROOT = Path(__file__).resolve().parents[2]

# Events that are not an object at all: every handler must refuse them by name.
NOT_OBJECTS: tuple[Any, ...] = (None, [], [{"executionId": "x"}], "event", 7, True)

# Per function, a well-formed event (as the state machine, API Gateway or EventBridge sends it) and the keys
# whose absence or wrong type must be named in the error.
VALID_EVENTS: dict[str, dict[str, Any]] = {
    "api": {"httpMethod": "GET", "path": "/api/health", "headers": {}, "body": None},
    "check-models": {"startedAt": "2026-11-24T10:00:00Z"},
    "refit-models": {
        "startedAt": "2026-11-24T10:00:00Z",
        "population": None,
        "verdictModel": None,
        "refitPopulation": False,
        "learnFromVerdicts": True,
    },
    "find-stale-accounts": {
        "executionId": "run-1",
        "startedAt": "2026-11-24T10:00:00Z",
        "batchSize": 10,
        "indexLagSeconds": 2,
        "population": {"version": "3f2a9c1d0b7e", "key": "population/models/3f2a9c1d0b7e.joblib"},
        "verdictModel": None,
    },
    "score-account-batch": {
        "executionId": "run-1",
        "batch": 0,
        "accounts": [{"accountId": "acc_1", "version": 1, "unscoredFrom": "2026-11-20T08:00:00Z"}],
        "clearIfWrittenBefore": "2026-11-24T09:59:58Z",
        "population": None,
    },
    "clear-stale-flags": {
        "executionId": "run-1",
        "batch": 0,
        "accounts": [{"accountId": "acc_1", "version": 1, "riskScore": 0.5, "riskLevel": "LOW"}],
        "clearIfWrittenBefore": "2026-11-24T09:59:58Z",
        "transactionsScored": 1,
        "riskLevels": {"LOW": 1, "MEDIUM": 0, "HIGH": 0},
        "accountsFailed": 1,
        "accountFailures": [{"accountId": "acc_2", "error": "BusyError", "message": "throttled"}],
    },
    "record-run": {
        "executionId": "run-1",
        "startedAt": "2026-11-24T10:00:00Z",
        "accounts": 1,
        "batches": 1,
        "population": None,
        "toleratedFailurePercentage": 0,
    },
}
# A wrong value for each key: the error must name the key.
WRONG_VALUES: dict[str, Any] = {
    "httpMethod": 5,
    "path": None,
    "executionId": 12,
    "startedAt": "",
    "batchSize": "many",
    "indexLagSeconds": "a moment",
    "clearIfWrittenBefore": "yesterday",
    "batches": 1.5j,
    "batch": "first",
    "accounts": "acc_1",
    "transactionsScored": None,
    "riskLevels": ["LOW"],
    "accountsFailed": "one",
    "accountFailures": "acc_2",
    "toleratedFailurePercentage": "some",
    "population": "the latest",
    "verdictModel": "the newest",
    "refitPopulation": "yes",
    "learnFromVerdicts": 1,
}
# Nested damage inside a list the step iterates over: refused before any account is touched.
NESTED_CASES: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("score-account-batch", {"accounts": [{"accountId": "acc_1"}]}, "version"),
    ("score-account-batch", {"accounts": [{"accountId": "acc_1", "version": "v1"}]}, "v1"),
    (
        "score-account-batch",
        {"accounts": [{"accountId": "acc_1", "version": 1, "unscoredFrom": "last week"}]},
        "last week",
    ),
    ("clear-stale-flags", {"accountFailures": [{"accountId": "acc_2", "message": "throttled"}]}, "error"),
    ("clear-stale-flags", {"accounts": [{"accountId": "acc_1", "version": 1, "riskScore": 0.5}]}, "riskLevel"),
    (
        "clear-stale-flags",
        {"accounts": [{"accountId": "acc_1", "version": 1, "riskScore": "high", "riskLevel": "LOW"}]},
        "accounts",
    ),
    ("find-stale-accounts", {"population": {"version": "3f2a9c1d0b7e"}}, "population"),
    # Optional (a manifest or run from before layers were learnt has none), but checked when given.
    ("score-account-batch", {"verdictModel": {"version": "verdicts-0a1b2c3d4e5f"}}, "verdictModel"),
    ("record-run", {"verdictModel": "the newest"}, "verdictModel"),
    ("generator", {"time": "yesterday"}, "time"),
    ("generator", {"time": 17}, "time"),
)


def malformed_events() -> Iterator[tuple[str, Any, str]]:
    """(function, event, what the error message must name)."""
    for spec in FUNCTIONS:
        for event in NOT_OBJECTS:
            yield spec.name, event, type(event).__name__
    for name, valid in VALID_EVENTS.items():
        for key in valid:
            if key in ("headers", "body"):
                continue
            yield name, {k: v for k, v in valid.items() if k != key}, key
            yield name, {**valid, key: WRONG_VALUES[key]}, key
    for name, change, named in NESTED_CASES:
        yield name, {**VALID_EVENTS.get(name, {}), **change}, named


CASES = list(malformed_events())


def table_item_counts(client: Any) -> dict[str, int]:
    return {spec.env: client.scan(TableName=local_table_name(spec), Select="COUNT")["Count"] for spec in ALL_TABLES}


def test_every_function_has_malformed_cases() -> None:
    assert {name for name, _, _ in CASES} == {spec.name for spec in FUNCTIONS}


def test_malformed_events_get_an_error_naming_what_is_wrong_and_write_nothing(local_aws: Any) -> None:
    # On the local endpoint: handlers that keep clients from their first import keep this worker's endpoint.
    settings = local_aws.settings
    dynamodb = boto3.client("dynamodb")
    s3 = boto3.client("s3")
    before = table_item_counts(dynamodb)

    for name, event, named in CASES:
        invocation = invoke(name, by_name(name), event)

        answer = json.loads(invocation.payload)
        case = f"{name} with {event!r}: {answer}"
        assert invocation.error == "Unhandled", case
        assert answer["errorType"] in ("ValueError", "InvalidStepInputError"), case
        assert named in answer["errorMessage"], case

    assert table_item_counts(dynamodb) == before
    assert s3.list_objects_v2(Bucket=settings.data_bucket).get("KeyCount", 0) == 0


def cold_start(spec: FunctionSpec) -> subprocess.Popen[str]:
    module = spec.handler.rsplit(".", 1)[0]
    return subprocess.Popen(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        env={},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_every_handler_fails_at_cold_start_naming_each_missing_setting() -> None:
    # Started together: each is a fresh interpreter importing its handler module, as Lambda's init does.
    starts = {spec.name: (spec, cold_start(spec)) for spec in FUNCTIONS}
    for name, (spec, process) in starts.items():
        _, stderr = process.communicate(timeout=120)
        last_line = stderr.strip().splitlines()[-1]
        assert process.returncode != 0, name
        assert last_line.startswith("isoflow.settings.MissingSettingError: missing environment variable(s):"), (
            name,
            last_line,
        )
        for setting in spec.settings:
            assert ENVIRONMENT[setting] in last_line, (name, setting, last_line)
