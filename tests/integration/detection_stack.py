"""The detection state machine running in moto's Step Functions interpreter, in this process.

moto executes the definition from `isoflow.workflow`; its Lambda tasks call moto's Lambda Invoke, which is
answered here by running our real handlers in-process (`isoflow.local.lambda_invoke.invoke`, the same code
the local stack uses), so Retry and Catch see the errors Lambda would report.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from isoflow import runs
from isoflow.detection.files import RunFiles
from isoflow.functions import FUNCTIONS, local_function_name
from isoflow.local.lambda_invoke import function_name_from, invoke
from isoflow.local.resources import bootstrap, function_arn, local_functions
from isoflow.settings import Settings
from isoflow.store.accounts import account_transaction_keys, create_account
from isoflow.store.db import Db, from_item
from isoflow.store.transactions import create_transaction
from isoflow.workflow import FunctionArns, Tuning, definition

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
    invocations: list[tuple[str, dict[str, Any]]]

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

    def account(self, account_id: str) -> dict[str, Any]:
        item = self.db.client.get_item(TableName=self.db.accounts, Key={"accountId": {"S": account_id}})["Item"]
        return from_item(item)

    def transaction_ids(self, account_id: str) -> list[str]:
        return list(account_transaction_keys(self.db, account_id))

    def scores(self) -> list[dict[str, Any]]:
        pages = self.db.client.get_paginator("scan").paginate(TableName=self.db.scores)
        return [from_item(item) for page in pages for item in page.get("Items", [])]

    def invocations_of(self, function: str) -> list[dict[str, Any]]:
        return [event for name, event in self.invocations if name == f"isoflow-{function}"]


@contextmanager
def detection_stack(monkeypatch: pytest.MonkeyPatch, tuning: Tuning = QUICK) -> Iterator[Stack]:
    functions = local_functions(FUNCTIONS)
    invocations: list[tuple[str, dict[str, Any]]] = []

    def answer_invoke(self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response: Any) -> bytes:
        name = function_name_from(function_name)
        event = json.loads(body) if body else {}
        invocations.append((name, event))
        result = invoke(name, functions[name], event)
        if result.error:
            response["x-amz-function-error"] = result.error
        return result.payload

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setattr("moto.awslambda.models.LambdaBackend.invoke", answer_invoke)
    arns = FunctionArns.of(lambda spec: function_arn(local_function_name(spec)))
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        settings = bootstrap(boto3.Session(), definition(arns, tuning))
        for variable, value in settings.as_environment().items():
            monkeypatch.setenv(variable, value)
        yield Stack(
            settings=settings,
            db=Db.from_settings(settings, boto3.client("dynamodb")),
            runs=runs.Runs.from_names(settings.state_machine_arn, settings.runs_table),
            files=RunFiles(boto3.client("s3"), settings.data_bucket),
            invocations=invocations,
        )


START = datetime(2026, 10, 1, 9, tzinfo=UTC)
MERCHANTS = ("Grocer", "Bakery", "Fuel", "Pharmacy", "Cafe")


def seed_account(db: Db, *, transactions: int, name: str = "Test", unusual_last: bool = False) -> str:
    """An account with a regular history: small purchases at a few merchants, a few hours apart."""
    account = create_account(db, {"name": name, "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"})
    account_id = str(account["accountId"])
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
