"""The detection state machine on the local AWS endpoint (the `local_aws` fixture), with helpers to seed
accounts and read what a run left behind.

moto's interpreter executes the definition from `isoflow.workflow`; its Lambda tasks reach the endpoint's
Lambda Invoke, which runs our real handlers in-process (the same code `make run` uses), so Retry and Catch
see the errors Lambda would report. A test replaces a handler's inner function with monkeypatch (the
handler's module is looked up on every invocation), or a whole function with `local_aws.register`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from isoflow import runs
from isoflow.detection.files import RunFiles
from isoflow.settings import Settings
from isoflow.store.accounts import account_transaction_keys, create_account, read_account
from isoflow.store.db import Db, from_item
from isoflow.store.records import Account
from isoflow.store.transactions import create_transaction
from isoflow.workflow import Tuning

# Short retries (whole seconds are the service's unit) so that a failing batch costs a few seconds.
QUICK = Tuning(
    batch_size=3, max_concurrency=4, retry_interval_s=1, retry_max_attempts=2, retry_backoff_rate=1, index_lag_s=0
)
SETTLE_S = 300


@dataclass
class Stack:
    settings: Settings
    db: Db
    runs: runs.Runs
    files: RunFiles
    invocations: list[tuple[str, Any]]

    def run(self, timeout_s: float = SETTLE_S) -> dict[str, Any]:
        """Starts a run as the API would and waits for it to finish; answers its description."""
        started = runs.start(self.runs, trigger="api")
        return self.wait(started.executionId, timeout_s)

    def wait(self, execution_id: str, timeout_s: float = SETTLE_S) -> dict[str, Any]:
        arn = self.runs.execution_arn(execution_id)
        deadline = time.monotonic() + timeout_s
        while self.runs.stepfunctions.describe_execution(executionArn=arn)["status"] == "RUNNING":
            if time.monotonic() > deadline:
                raise AssertionError(f"run {execution_id} still running after {timeout_s} s")
            time.sleep(0.05)
        return runs.describe_run(self.runs, execution_id)

    def account(self, account_id: str) -> Account:
        return read_account(self.db, account_id)

    def transaction_ids(self, account_id: str) -> list[str]:
        return list(account_transaction_keys(self.db, account_id))

    def scores(self) -> list[dict[str, Any]]:
        pages = self.db.client.get_paginator("scan").paginate(TableName=self.db.scores)
        return [from_item(item) for page in pages for item in page.get("Items", [])]

    def invocations_of(self, function: str) -> list[dict[str, Any]]:
        return [event for name, event in self.invocations if name == f"isoflow-{function}"]


def detection_stack(local_aws: Any, tuning: Tuning = QUICK) -> Stack:
    """The local endpoint's detection state machine with `tuning`, recording every invocation from now on."""
    local_aws.use_tuning(tuning)
    settings = local_aws.settings
    return Stack(
        settings=settings,
        db=Db.from_settings(settings, boto3.client("dynamodb")),
        runs=runs.Runs.from_names(settings.state_machine_arn, settings.runs_table),
        files=RunFiles(boto3.client("s3"), settings.data_bucket),
        invocations=local_aws.record_invocations(),
    )


START = datetime(2026, 10, 1, 9, tzinfo=UTC)
MERCHANTS = ("Grocer", "Bakery", "Fuel", "Pharmacy", "Cafe")


def seed_account(db: Db, *, transactions: int, name: str = "Test", unusual_last: bool = False) -> str:
    """An account with a regular history: small purchases at a few merchants, a few hours apart."""
    account = create_account(db, {"name": name, "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"})
    account_id = str(account.accountId)
    if transactions:
        create_transaction(db, deposit(account_id, START - timedelta(days=1), 100_000))
    for i in range(transactions - 1):
        create_transaction(db, purchase(account_id, i))
    if unusual_last:
        create_transaction(
            db,
            {
                **purchase(account_id, transactions),
                "amount": "9500.00",
                "merchant": "Jeweller Abroad",
                "country": "TH",
                "channel": "ONLINE",
                "timestamp": (START + timedelta(hours=6 * transactions + 3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )
    return account_id


def deposit(account_id: str, when: datetime, amount: float) -> dict[str, Any]:
    return {
        "accountId": account_id,
        "transactionType": "DEPOSIT",
        "amount": f"{amount:.2f}",
        "description": "Salary",
        "merchant": "Employer",
        "category": "income",
        "country": "DE",
        "channel": "BANK_TRANSFER",
        "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def purchase(account_id: str, i: int) -> dict[str, Any]:
    return {
        "accountId": account_id,
        "transactionType": "PURCHASE",
        "amount": f"{20 + (i * 7) % 30:.2f}",
        "description": "Card payment",
        "merchant": MERCHANTS[i % len(MERCHANTS)],
        "category": "groceries",
        "country": "DE",
        "channel": "CARD_PRESENT",
        "timestamp": (START + timedelta(hours=6 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
