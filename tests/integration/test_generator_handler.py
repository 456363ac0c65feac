"""The scheduled generator, invoked as its schedule invokes it, writes through the data layer: transactions
appear, balances move with them and their accounts go stale for the next detection run."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import boto3

from isoflow.functions import GENERATOR, local_function_name
from isoflow.generator.history import generate_window
from isoflow.generator.live import GENERATION_INTERVAL
from isoflow.local.scheduler import scheduled_event
from isoflow.store.accounts import AccountRisk, create_account, read_account, record_risks, stale_accounts
from isoflow.store.db import Db
from isoflow.store.transactions import create_transaction, read_transaction
from isoflow.timestamps import format_timestamp, now_text, parse_timestamp

HOMES = (("CHECKING", "GB", "GBP"), ("CREDIT", "US", "USD"), ("BUSINESS", "DE", "EUR"), ("CHECKING", "FR", "EUR"))


def open_accounts(db: Db, count: int) -> list[dict[str, Any]]:
    """Accounts with fixed ids (so their profiles are fixed) and an opening deposit each."""
    accounts = []
    for n in range(count):
        account_type, country, currency = HOMES[n % len(HOMES)]
        data = {"name": f"Holder {n}", "accountType": account_type, "currency": currency, "homeCountry": country}
        account = create_account(db, data, account_id=f"acc_{n + 1:016x}")
        create_transaction(
            db,
            {
                "accountId": account.accountId,
                "transactionType": "DEPOSIT",
                "amount": Decimal("5000.00"),
                "description": "Opening deposit",
                "merchant": "Account opening",
                "category": "opening",
                "country": country,
                "channel": "BANK_TRANSFER",
                "timestamp": account.createdAt,
            },
        )
        accounts.append(asdict(read_account(db, account.accountId)))
    return accounts


def first_busy_period(accounts: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """The end of the first scheduled period, after the accounts opened, in which something happens, and what
    the generator will write then (it is deterministic)."""
    end = parse_timestamp(accounts[0]["createdAt"]) + timedelta(hours=1)
    for _ in range(24 * 12):
        expected = [t for a in accounts for t in generate_window(a, end - GENERATION_INTERVAL, end)]
        if expected:
            return format_timestamp(end), expected
        end += GENERATION_INTERVAL
    raise AssertionError("a whole day without a transaction")


def invoke_generator(time: str) -> dict[str, Any]:
    event = {**scheduled_event("isoflow-generator-schedule"), "time": time}
    response = boto3.client("lambda").invoke(
        FunctionName=local_function_name(GENERATOR), Payload=json.dumps(event).encode()
    )
    assert "FunctionError" not in response, response["Payload"].read()
    return json.loads(response["Payload"].read())


def test_a_scheduled_run_writes_through_the_data_layer_and_marks_accounts_stale(local_aws):
    db = Db.from_settings(local_aws.settings)
    accounts = open_accounts(db, 12)
    before = {a["accountId"]: a for a in accounts}
    # As if a detection run had just scored everything.
    risks = [AccountRisk(a["accountId"], a["version"], risk_score=0.1, risk_level="LOW") for a in accounts]
    assert record_risks(db, risks, scored_at=now_text()) == {a["accountId"] for a in accounts}
    assert not list(stale_accounts(db))
    time, expected = first_busy_period(accounts)

    run = invoke_generator(time)

    assert (run["accounts"], run["transactions"], run["repeated"]) == (12, len(expected), 0)
    touched = {t["accountId"] for t in expected}
    assert {stale.account_id for stale in stale_accounts(db)} == touched
    for t in expected:
        stored = read_transaction(db, t["transactionId"])
        assert (stored.accountId, stored.timestamp, stored.merchant) == (
            t["accountId"], t["timestamp"], t["merchant"],
        )  # fmt: skip
        assert stored.amount == t["amount"]
        assert stored.injectedAnomaly == t.get("injectedAnomaly")
        assert stored.features  # computed by the data layer at write time
    for account_id in touched:
        moved = sum(t["amount"] if t["transactionType"] == "DEPOSIT" else -t["amount"] for t in expected
                    if t["accountId"] == account_id)  # fmt: skip
        after = read_account(db, account_id)
        assert Decimal(str(after.balance)) == Decimal(str(before[account_id]["balance"])) + moved
        assert after.isStale is True


def test_a_repeated_delivery_of_the_same_event_writes_nothing_twice(local_aws):
    db = Db.from_settings(local_aws.settings)
    accounts = open_accounts(db, 8)
    time, expected = first_busy_period(accounts)

    first = invoke_generator(time)
    again = invoke_generator(time)

    assert first["transactions"] == len(expected)
    assert (again["transactions"], again["repeated"]) == (0, len(expected))
