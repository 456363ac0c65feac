"""10,000 stale accounts in one run: every state's payload stays far below Step Functions' 256 KB."""

from __future__ import annotations

import json
from typing import Any

import pytest
from detection_stack import QUICK, Stack, detection_stack, seed_account

from isoflow.runs import largest_payload
from isoflow.store.accounts import new_account_id, stale_shard
from isoflow.store.db import batch_write, to_item
from isoflow.workflow import Tuning

STATE_PAYLOAD_LIMIT = 256 * 1024
ACCOUNTS = 10_000
WITH_TRANSACTIONS = 3


def mark_stale(stack: Stack, count: int) -> None:
    """Accounts written to since the last run; most hold no transactions, which keeps the run quick."""
    batch_write(
        stack.db,
        stack.db.accounts,
        (
            {
                "PutRequest": {
                    "Item": to_item(
                        {
                            "accountId": (account_id := new_account_id()),
                            "name": "Dormant",
                            "accountType": "SAVINGS",
                            "currency": "EUR",
                            "homeCountry": "DE",
                            "balance": 0,
                            "isStale": True,
                            "staleShard": stale_shard(account_id),
                            "version": 1,
                        }
                    )
                }
            }
            for _ in range(count)
        ),
    )


@pytest.fixture
def stack(local_aws: Any) -> Stack:
    tuning = Tuning(**{**QUICK.__dict__, "batch_size": 100, "max_concurrency": 8})
    return detection_stack(local_aws, tuning)


# 75-110 s on two cores, nearly all of it moto evaluating 10,000 conditional UpdateItems.
@pytest.mark.slow
def test_ten_thousand_stale_accounts_keep_every_payload_small(stack: Stack) -> None:
    for _ in range(WITH_TRANSACTIONS):
        seed_account(stack.db, transactions=31)
    mark_stale(stack, ACCOUNTS - WITH_TRANSACTIONS)

    run = stack.run(timeout_s=600)

    assert run["status"] == "SUCCEEDED", run["cause"]
    summary = run["output"]
    assert summary["accounts"] == summary["accountsCleared"] == ACCOUNTS
    assert summary["batches"] == ACCOUNTS // 100 and summary["failedBatches"] == 0
    assert summary["transactionsScored"] == WITH_TRANSACTIONS * 31
    # The execution's own history: every state's input and output.
    assert 0 < largest_payload(run["events"]) < 4 * 1024
    # Each batch's detector call and answer are a Map item's payloads (kept in the child executions).
    batches = stack.invocations_of("score-account-batch")
    assert len(batches) == ACCOUNTS // 100
    assert max(len(json.dumps(event)) for event in batches) < STATE_PAYLOAD_LIMIT // 4
    cleared = stack.invocations_of("clear-stale-flags")
    assert max(len(json.dumps(event)) for event in cleared) < STATE_PAYLOAD_LIMIT // 4
