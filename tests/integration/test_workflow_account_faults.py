"""Faults inside the real detector, for one account of a batch, through the real state machine: a throttled
read of the account's window, a stored model that will not load. That account stays stale with its
transactions unscored and is reported in the run's summary, the batch's other accounts are scored and
cleared, and the next run without the fault completes it. When every account of a batch fails, the batch
fails and Step Functions retries it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from detection_stack import QUICK, Stack, detection_stack, seed_account

from isoflow import runs
from isoflow.detection.files import S3ModelStore
from isoflow.store.db import to_item
from isoflow.tables import BY_ACCOUNT_INDEX
from model.scoring import model_key

HISTORY = 31  # enough for an account model of its own, which is what the detector stores and loads


@dataclass
class ThrottledWindow:
    """Answers the detector's Query of one account's transactions with ProvisionedThroughputExceededException
    (as after botocore's own retries), while `active`."""

    account_id: str
    active: bool = True
    refused: int = 0

    def __call__(self, params: dict[str, Any], **_: Any) -> None:
        values = params.get("ExpressionAttributeValues", {}).values()
        if (
            self.active
            and params.get("IndexName") == BY_ACCOUNT_INDEX
            and to_item({"a": self.account_id})["a"] in values
        ):
            self.refused += 1
            error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "Rate of requests exceeds"}}
            raise boto3.client("dynamodb").exceptions.ProvisionedThroughputExceededException(error, "Query")


@pytest.fixture
def stack(local_aws: Any) -> Stack:
    return detection_stack(local_aws)


@pytest.fixture
def throttle() -> Iterator[list[ThrottledWindow]]:
    """Registers faults on the default boto3 session, which every client the handlers build comes from."""
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    events = boto3.DEFAULT_SESSION.events
    faults: list[ThrottledWindow] = []
    yield faults
    for fault in faults:
        events.unregister("before-parameter-build.dynamodb.Query", fault)


def throttled(faults: list[ThrottledWindow], account_id: str) -> ThrottledWindow:
    fault = ThrottledWindow(account_id)
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register_first("before-parameter-build.dynamodb.Query", fault)
    faults.append(fault)
    return fault


def one_batch(stack: Stack) -> tuple[str, list[str]]:
    """Accounts that make up one batch: the one a fault will hit, and the others."""
    accounts = sorted(seed_account(stack.db, transactions=HISTORY) for _ in range(QUICK.batch_size))
    return accounts[1], [accounts[0], accounts[2]]


def assert_left_stale_and_unscored(stack: Stack, account_id: str) -> None:
    account = stack.account(account_id)
    assert account.isStale is True and account.staleShard is not None and account.unscoredFrom
    assert account.lastScoredAt is None and account.riskLevel is None  # left out of ClearStaleFlags entirely
    assert [s for s in stack.scores() if s["accountId"] == account_id] == []


def assert_scored_and_cleared(stack: Stack, account_ids: list[str]) -> None:
    scored = {s["transactionId"] for s in stack.scores()}
    for account_id in account_ids:
        account = stack.account(account_id)
        assert account.isStale is False and account.unscoredFrom is None and account.lastScoredAt
        assert set(stack.transaction_ids(account_id)) <= scored


def test_a_throttled_window_read_leaves_its_account_stale_while_the_batch_completes(
    stack: Stack, throttle: list[ThrottledWindow]
) -> None:
    victim, others = one_batch(stack)
    fault = throttled(throttle, victim)

    run = stack.run()

    fault.active = False
    assert run["status"] == "SUCCEEDED", run["cause"]
    assert fault.refused == 1  # within a batch an account is not tried again: the next run does
    summary = run["output"]
    assert (summary["batches"], summary["failedBatches"]) == (1, 0)
    assert (summary["accountsScored"], summary["accountsCleared"], summary["accountsFailed"]) == (2, 2, 1)
    (failure,) = summary["accountFailures"]
    assert (failure["accountId"], failure["error"]) == (victim, "ProvisionedThroughputExceededException")
    assert "Rate of requests exceeds" in failure["message"]
    assert summary["transactionsScored"] == 2 * HISTORY
    assert_left_stale_and_unscored(stack, victim)
    assert_scored_and_cleared(stack, others)

    again = stack.run()

    assert again["status"] == "SUCCEEDED", again["cause"]
    assert (again["output"]["accounts"], again["output"]["accountsFailed"]) == (1, 0)
    assert again["output"]["transactionsScored"] == HISTORY
    assert_scored_and_cleared(stack, [victim, *others])


def test_a_stored_model_that_will_not_load_leaves_its_account_stale_while_the_batch_completes(stack: Stack) -> None:
    victim, others = one_batch(stack)
    models = S3ModelStore(boto3.client("s3"), stack.settings.data_bucket)
    models.put(model_key(victim), b"not a model: the bytes of something else entirely")

    run = stack.run()

    assert run["status"] == "SUCCEEDED", run["cause"]
    summary = run["output"]
    assert (summary["accountsCleared"], summary["accountsFailed"], summary["failedBatches"]) == (2, 1, 0)
    assert [f["accountId"] for f in summary["accountFailures"]] == [victim]
    assert_left_stale_and_unscored(stack, victim)
    assert_scored_and_cleared(stack, others)
    described = runs.describe_run(stack.runs, run["executionId"])
    assert described["summary"]["accountsFailed"] == 1  # as the API and the dashboard read it

    models.s3.delete_object(Bucket=models.bucket, Key=models.prefix + model_key(victim))
    again = stack.run()

    assert again["status"] == "SUCCEEDED", again["cause"]
    assert (again["output"]["accountsCleared"], again["output"]["accountsFailed"]) == (1, 0)
    assert_scored_and_cleared(stack, [victim, *others])
    assert models.get(model_key(victim))  # refitted and stored


def test_a_batch_whose_every_account_fails_is_retried_then_fails_the_run(
    stack: Stack, throttle: list[ThrottledWindow]
) -> None:
    account_id = seed_account(stack.db, transactions=HISTORY)
    fault = throttled(throttle, account_id)

    failed = stack.run()

    fault.active = False
    assert failed["status"] == "FAILED"
    assert len(stack.invocations_of("score-account-batch")) == 1 + QUICK.retry_max_attempts
    assert "batch 0: ProvisionedThroughputExceededException" in failed["cause"]
    assert_left_stale_and_unscored(stack, account_id)

    rerun = stack.wait(runs.rerun(stack.runs, failed["executionId"]).executionId)

    assert rerun["status"] == "SUCCEEDED", rerun["cause"]
    assert_scored_and_cleared(stack, [account_id])
