"""Faults injected into boto3 with botocore event hooks: throttling and transaction conflicts on the API's write
path, unprocessed BatchWriteItem items in the detector, S3 errors reading the run's manifest, a detector that
times out. Each either recovers or fails as designed, and leaves nothing half-done: a refused write leaves the
account and its transactions as they were; every stale account ends scored and cleared or still stale; no
score is ever written twice with different values."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from detection_stack import QUICK, Stack, detection_stack, seed_account
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from isoflow import runs
from isoflow.api.app import create_app, services_from_settings
from isoflow.functions import SCORE_ACCOUNT_BATCH, local_function_name
from isoflow.local.api_gateway import proxy_event
from isoflow.local.lambda_invoke import LambdaContext
from isoflow.settings import Settings
from isoflow.store.db import from_item
from isoflow.store.records import Score
from isoflow.store.transactions import read_transaction


@dataclass
class Fault:
    """Answers the next `times` calls of one operation with an AWS error instead of sending them."""

    code: str
    times: int
    status: int = 400
    cancellation_reasons: list[str] | None = None
    matches: Callable[[dict[str, Any]], bool] = lambda request: True
    injected: int = 0

    def __call__(self, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if self.injected >= self.times or not self.matches(params):
            return None
        self.injected += 1
        parsed: dict[str, Any] = {
            "Error": {"Code": self.code, "Message": f"injected {self.code}"},
            "ResponseMetadata": {"HTTPStatusCode": self.status},
        }
        if self.cancellation_reasons is not None:
            parsed["CancellationReasons"] = [{"Code": code} for code in self.cancellation_reasons]
        return AWSResponse("https://injected.invalid/", self.status, {}, None), parsed


def inject(events: Any, service: str, operation: str, fault: Fault) -> Fault:
    events.register_first(f"before-call.{service}.{operation}", fault)
    return fault


# ----------------------------------------------------------------------------------------------- write path


@dataclass
class FaultyApi:
    """The API over moto in-process, with hooks on the very DynamoDB client it writes through."""

    settings: Settings
    app: Any
    events: Any

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        builder = EnvironBuilder(
            method=method,
            path=path,
            data=json.dumps(body) if body is not None else None,
            headers=[("Content-Type", "application/json")],
        )
        request = Request(builder.get_environ())
        context = LambdaContext(function_name="isoflow-api", memory_limit_in_mb=1024, timeout_s=29)
        result = self.app.resolve(proxy_event(request, "faults", request.get_data()), context)
        return result["statusCode"], json.loads(result["body"]) if result.get("body") else {}


@pytest.fixture
def faulty_api(aws: Settings) -> FaultyApi:
    services = services_from_settings(aws)
    return FaultyApi(aws, create_app(services), services.db.client.meta.events)


def snapshot(api: FaultyApi) -> dict[str, list[dict[str, Any]]]:
    """Every item of the data tables: what a refused write must leave exactly as it was."""
    client = boto3.client("dynamodb")
    return {
        name: sorted(
            (from_item(item) for item in client.scan(TableName=name)["Items"]), key=lambda item: sorted(item.items())
        )
        for name in (api.settings.accounts_table, api.settings.transactions_table, api.settings.scores_table)
    }


def open_account(api: FaultyApi) -> str:
    status, account = api.call(
        "POST", "/api/accounts", {"name": "Faults", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}
    )
    assert status == 201, account
    return str(account["accountId"])


def payment(account_id: str, amount: float = 25) -> dict[str, Any]:
    return {
        "accountId": account_id,
        "transactionType": "PURCHASE",
        "amount": amount,
        "description": "Card payment",
        "merchant": "Grocer",
        "category": "groceries",
        "country": "DE",
        "channel": "CARD_PRESENT",
        "timestamp": "2026-11-20T10:00:00Z",
    }


THROTTLED = {"code": "ProvisionedThroughputExceededException"}
THROTTLED_TRANSACTION = {"code": "TransactionCanceledException", "cancellation_reasons": ["None", "ThrottlingError"]}
# What DynamoDB answers when another transaction holds one of the items: retried like throttling.
CONFLICTING_TRANSACTION = {
    "code": "TransactionCanceledException",
    "cancellation_reasons": ["TransactionConflict", "None"],
}
# How often the store tries one TransactWriteItems before answering busy (isoflow.store.db.with_retries).
WRITE_ATTEMPTS = 6
WRITE_FAULTS = pytest.mark.parametrize(
    "fault",
    [THROTTLED, THROTTLED_TRANSACTION, CONFLICTING_TRANSACTION],
    ids=["throttled", "throttled-item", "conflict"],
)


@WRITE_FAULTS
def test_a_write_retried_through_transient_faults_is_written_once(faulty_api: FaultyApi, fault: dict) -> None:
    account_id = open_account(faulty_api)
    injected = inject(faulty_api.events, "dynamodb", "TransactWriteItems", Fault(times=3, **fault))

    status, created = faulty_api.call("POST", "/api/transactions", payment(account_id, 25))

    assert (status, injected.injected) == (201, 3), created
    status, account = faulty_api.call("GET", f"/api/accounts/{account_id}")
    assert account["balance"] == -25 and account["isStale"] is True
    status, page = faulty_api.call("GET", "/api/transactions", None)
    assert [t["transactionId"] for t in page["items"]] == [created["transactionId"]]


@WRITE_FAULTS
def test_a_write_that_outlasts_the_retries_is_a_503_and_changes_nothing(faulty_api: FaultyApi, fault: dict) -> None:
    account_id = open_account(faulty_api)
    status, kept = faulty_api.call("POST", "/api/transactions", payment(account_id, 10))
    assert status == 201
    # A score of the kept transaction, which a change would delete in the same write.
    boto3.client("dynamodb").put_item(
        TableName=faulty_api.settings.scores_table,
        Item=Score(
            accountId=account_id,
            transactionId=kept["transactionId"],
            timestamp=kept["timestamp"],
            revision=1,  # a new transaction's
            riskScore=0.4,
            riskLevel="LOW",
            isAnomaly=False,
            reasons=(),
            scoredAt="2026-11-20T11:00:00Z",
            modelVersion="test",
        ).to_item(),
    )
    before = snapshot(faulty_api)
    injected = inject(faulty_api.events, "dynamodb", "TransactWriteItems", Fault(times=10_000, **fault))

    attempts = [
        faulty_api.call("POST", "/api/transactions", payment(account_id, 99)),
        faulty_api.call("PATCH", f"/api/transactions/{kept['transactionId']}", {"amount": 11}),
        faulty_api.call("DELETE", f"/api/transactions/{kept['transactionId']}"),
    ]

    for status, body in attempts:
        assert status == 503, body
        assert "try again" in body["message"]
    assert injected.injected == 3 * WRITE_ATTEMPTS  # each write was retried before it was refused
    assert snapshot(faulty_api) == before


@pytest.mark.parametrize("operation", ["GetItem", "Query", "BatchGetItem"])
def test_reads_throttled_beyond_the_retries_are_a_503_to_retry(faulty_api: FaultyApi, operation: str) -> None:
    account_id = open_account(faulty_api)
    status, created = faulty_api.call("POST", "/api/transactions", payment(account_id))
    assert status == 201
    injected = inject(faulty_api.events, "dynamodb", operation, Fault(times=10_000, **THROTTLED))

    answers = [
        faulty_api.call("GET", f"/api/accounts/{account_id}"),
        faulty_api.call("GET", f"/api/transactions/{created['transactionId']}"),
        faulty_api.call("GET", "/api/transactions"),
        faulty_api.call("GET", "/api/anomalies"),
    ]

    assert injected.injected > 0
    refused = [(status, body) for status, body in answers if status != 200]
    assert refused and all(status == 503 and "try again" in body["message"] for status, body in refused), refused


# ----------------------------------------------------------------------------------------------- detection


@dataclass
class ScoreWrites:
    """Every score the detector sends, and the BatchWriteItem items it is told were not processed."""

    drop_calls: int = 0  # this many BatchWriteItem calls leave their second half unprocessed
    calls: int = 0
    dropped: int = 0
    written: dict[tuple[str, int], set[tuple[float, str]]] = field(default_factory=lambda: defaultdict(set))

    def before(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        self.calls += 1
        for table, requests in params["RequestItems"].items():
            for request in requests:
                score = from_item(request["PutRequest"]["Item"])
                self.written[(score["transactionId"], score["revision"])].add((score["riskScore"], score["riskLevel"]))
            if self.calls <= self.drop_calls and len(requests) > 1:
                keep = len(requests) // 2
                context["unprocessed"] = {table: requests[keep:]}
                params["RequestItems"] = {table: requests[:keep]}
                self.dropped += len(requests) - keep

    def after(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if "unprocessed" in context:
            parsed["UnprocessedItems"] = context["unprocessed"]

    def assert_never_rewritten_differently(self) -> None:
        differing = {key: values for key, values in self.written.items() if len(values) > 1}
        assert not differing


@pytest.fixture
def session_events() -> Iterator[Any]:
    """The event hooks of a fresh default boto3 session: every client the handlers build during the test has
    them. The session before it comes back afterwards, so no hook outlives the test."""
    previous = boto3.DEFAULT_SESSION
    boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    yield boto3.DEFAULT_SESSION.events
    boto3.DEFAULT_SESSION = previous


@pytest.fixture
def stack(local_aws: Any) -> Stack:
    return detection_stack(local_aws)


def record_scores(events: Any, writes: ScoreWrites) -> ScoreWrites:
    events.register("before-parameter-build.dynamodb.BatchWriteItem", writes.before)
    events.register("after-call.dynamodb.BatchWriteItem", writes.after)
    return writes


def transaction_count(stack: Stack, accounts: list[str]) -> int:
    return sum(len(stack.transaction_ids(a)) for a in accounts)


def assert_scored_and_cleared_or_still_stale(stack: Stack, accounts: list[str]) -> None:
    """Every account is either cleared with every transaction scored at its current revision, or still stale."""
    scores = {(s["transactionId"], s["revision"]) for s in stack.scores()}
    for account_id in accounts:
        if stack.account(account_id).isStale:
            continue
        for transaction_id in stack.transaction_ids(account_id):
            revision = read_transaction(stack.db, transaction_id).revision
            assert (transaction_id, revision) in scores, (account_id, transaction_id)


def test_unprocessed_score_writes_are_retried_until_every_score_is_written(stack: Stack, session_events: Any) -> None:
    # 30 transactions an account: two BatchWriteItem requests of at most 25 for a batch of accounts.
    accounts = [seed_account(stack.db, transactions=30) for _ in range(4)]
    writes = record_scores(session_events, ScoreWrites(drop_calls=4))

    run = stack.run()

    assert run["status"] == "SUCCEEDED", run["cause"]
    assert writes.dropped > 0
    assert run["output"]["transactionsScored"] == transaction_count(stack, accounts) == len(stack.scores())
    assert all(stack.account(a).isStale is False for a in accounts)
    assert_scored_and_cleared_or_still_stale(stack, accounts)
    writes.assert_never_rewritten_differently()


def test_s3_errors_reading_the_manifest_fail_the_run_and_a_rerun_scores_everything(
    stack: Stack, session_events: Any
) -> None:
    accounts = [seed_account(stack.db, transactions=3) for _ in range(4)]
    events = session_events
    writes = record_scores(events, ScoreWrites())
    manifest_reads = inject(
        events,
        "s3",
        "GetObject",
        Fault(
            code="SlowDown",
            status=503,
            times=10_000,
            matches=lambda request: request["url_path"].endswith("manifest.json"),
        ),
    )

    failed = stack.run()

    assert failed["status"] == "FAILED" and manifest_reads.injected >= 1
    assert failed["cause"].startswith("BatchesFailedError: ScoreAccounts failed: ")
    assert all(stack.account(a).isStale is True for a in accounts)
    assert stack.scores() == []

    manifest_reads.times = manifest_reads.injected  # S3 answers again
    rerun = runs.rerun(stack.runs, failed["executionId"])
    completed = stack.wait(rerun.executionId)

    assert completed["status"] == "SUCCEEDED", completed["cause"]
    assert all(stack.account(a).isStale is False for a in accounts)
    assert completed["output"]["transactionsScored"] == transaction_count(stack, accounts)
    assert_scored_and_cleared_or_still_stale(stack, accounts)
    writes.assert_never_rewritten_differently()


def test_a_detector_that_times_out_fails_its_batch_and_a_rerun_scores_nothing_twice(
    local_aws: Any, monkeypatch: pytest.MonkeyPatch, session_events: Any
) -> None:
    # Lambda stops a function at its timeout: here the detector finishes its work (its scores are written)
    # and answers after its 1 s timeout, so the local Lambda reports Sandbox.Timedout as Lambda would.
    local_aws.server.functions[local_function_name(SCORE_ACCOUNT_BATCH)] = replace(SCORE_ACCOUNT_BATCH, timeout_s=1)
    slow_batches: list[int] = []

    stack = detection_stack(local_aws)
    real = SCORE_ACCOUNT_BATCH.load()

    def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
        result = real(event, context)
        if event["batch"] == 0:
            slow_batches.append(event["batch"])
            time.sleep(1.1)
        return result

    monkeypatch.setattr("handlers.detector.score_account_batch", slow)
    accounts = [seed_account(stack.db, transactions=3) for _ in range(4)]
    first_batch = sorted(accounts)[: QUICK.batch_size]
    writes = record_scores(session_events, ScoreWrites())

    failed = stack.run()

    assert failed["status"] == "FAILED"
    assert slow_batches == [0]  # a timeout is not retried: it would most likely time out again
    assert "batch 0: no answer" in failed["cause"]
    assert all(stack.account(a).isStale is True for a in first_batch)
    assert_scored_and_cleared_or_still_stale(stack, accounts)
    scores_before = {s["transactionId"]: s for s in stack.scores()}

    # The fault is gone and the detector gets its own timeout back, so the rerun holds on a slow machine.
    monkeypatch.setattr("handlers.detector.score_account_batch", real)
    functions, name = local_aws.server.functions, local_function_name(SCORE_ACCOUNT_BATCH)
    functions[name] = replace(functions[name], timeout_s=SCORE_ACCOUNT_BATCH.timeout_s)
    completed = stack.wait(runs.rerun(stack.runs, failed["executionId"]).executionId)

    assert completed["status"] == "SUCCEEDED", completed["cause"]
    assert all(stack.account(a).isStale is False for a in accounts)
    assert_scored_and_cleared_or_still_stale(stack, accounts)
    scores = {s["transactionId"]: s for s in stack.scores()}
    assert len(scores) == transaction_count(stack, accounts)
    assert all(scores[t] == s for t, s in scores_before.items())
    writes.assert_never_rewritten_differently()
