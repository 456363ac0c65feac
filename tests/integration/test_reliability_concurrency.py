"""Many clients writing to the same few accounts over HTTP while detection runs: nothing acknowledged is lost,
every balance is the sum of its account's transactions, and the next run clears every flag. The same writers
racing straight on the store (no API in between) serialise on the account's version.

CI runs 32 clients for 8 s (the store-level race for half that); RELIABILITY_CLIENTS and RELIABILITY_SECONDS
set a longer load by hand, e.g.
RELIABILITY_SECONDS=30 .venv/bin/pytest -s tests/integration/test_reliability_concurrency.py
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3
import requests

from isoflow.store.accounts import create_account
from isoflow.store.db import Db, dynamodb_client, from_item
from isoflow.store.errors import BusyError
from isoflow.store.records import Transaction
from isoflow.store.transactions import create_transaction, signed_amount

CLIENTS = int(os.environ.get("RELIABILITY_CLIENTS", "32"))
SECONDS = float(os.environ.get("RELIABILITY_SECONDS", "8"))
ACCOUNTS = 10
TYPES = ("DEPOSIT", "WITHDRAWAL", "TRANSFER", "PURCHASE", "PAYMENT")
FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass
class Client:
    """One writer: what the API acknowledged to it (transaction id -> its last acknowledged state)."""

    number: int
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)

    def run(self, api: str, accounts: list[str], until: float) -> None:
        rng = random.Random(self.number)
        with requests.Session() as http:
            while time.monotonic() < until:
                if self.acknowledged and rng.random() < 0.2:
                    self.change(http, api, rng)
                else:
                    self.create(http, api, rng.choice(accounts), rng)

    def create(self, http: requests.Session, api: str, account_id: str, rng: random.Random) -> None:
        body = {
            "accountId": account_id,
            "transactionType": rng.choice(TYPES),
            "amount": rng.randint(1, 50_000) / 100,
            "description": f"client {self.number}",
            "merchant": rng.choice(("Grocer", "Bakery", "Fuel")),
            "category": "groceries",
            "country": "DE",
            "channel": "ONLINE",
        }
        reply = http.post(f"{api}/transactions", json=body, timeout=120, headers={"Idempotency-Key": str(uuid.uuid4())})
        self.answer(reply, 201, "create")

    def change(self, http: requests.Session, api: str, rng: random.Random) -> None:
        transaction_id = rng.choice(sorted(self.acknowledged))
        body = {"amount": rng.randint(1, 50_000) / 100, "transactionType": rng.choice(TYPES)}
        self.answer(http.patch(f"{api}/transactions/{transaction_id}", json=body, timeout=120), 200, "change")

    def answer(self, reply: requests.Response, ok: int, what: str) -> None:
        self.statuses[reply.status_code] += 1
        if reply.status_code == ok:
            transaction = reply.json()
            self.acknowledged[transaction["transactionId"]] = {
                k: transaction[k] for k in ("accountId", "transactionType", "amount")
            }
        elif reply.status_code != 503:  # 503: too busy, nothing written, the client may retry
            self.unexpected.append(f"{what}: {reply.status_code} {reply.text[:200]}")


def start_run(api: str) -> str:
    reply = requests.post(f"{api}/executions", timeout=60)
    assert reply.status_code == 201, reply.text
    return str(reply.json()["executionId"])


def wait_for(api: str, execution_id: str, timeout_s: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while (run := requests.get(f"{api}/executions/{execution_id}", timeout=60).json())["status"] not in FINISHED:
        assert time.monotonic() < deadline, f"run {execution_id} still running"
        time.sleep(0.2)
    return dict(run)


def scan(db: Db, table: str) -> list[dict[str, Any]]:
    pages = db.client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    return [from_item(item) for page in pages for item in page.get("Items", [])]


def assert_balances_add_up(db: Db, accounts: list[str], transactions: list[dict[str, Any]]) -> None:
    balances = {a["accountId"]: Decimal(str(a["balance"])) for a in scan(db, db.accounts)}
    for account_id in accounts:
        owned = [t for t in transactions if t["accountId"] == account_id]
        total = sum((signed_amount(t["transactionType"], t["amount"]) for t in owned), Decimal(0))
        assert balances[account_id] == total, account_id


def test_writers_racing_on_the_same_accounts_in_the_store_serialise_on_the_version(local_aws: Any) -> None:
    """Without the API's single execution environment in between: the writes really race, and the version
    condition makes the losers re-read and go again (or answer busy after their attempts)."""
    db = Db.from_settings(local_aws.settings, boto3.client("dynamodb"))
    accounts = [
        create_account(
            db, {"name": f"Raced {n}", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}
        ).accountId
        for n in range(ACCOUNTS)
    ]
    acknowledged: list[Transaction] = []
    busy: list[str] = []
    until = time.monotonic() + SECONDS / 2

    def write(number: int) -> None:
        rng = random.Random(number)
        own = Db.from_settings(local_aws.settings, dynamodb_client())  # a client per writer, as per Lambda
        while time.monotonic() < until:
            data = {
                "accountId": rng.choice(accounts),
                "transactionType": rng.choice(TYPES),
                "amount": Decimal(rng.randint(1, 50_000)) / 100,
                "channel": "ONLINE",
            }
            try:
                acknowledged.append(create_transaction(own, data))
            except BusyError as error:
                busy.append(str(error))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = scan(db, db.transactions)
    print(f"\n{CLIENTS} writers x {SECONDS / 2:g} s in the store: {len(acknowledged)} written, {len(busy)} busy")
    assert acknowledged
    assert {t["transactionId"] for t in stored} == {t.transactionId for t in acknowledged}
    assert_balances_add_up(db, accounts, stored)


def test_concurrent_writers_during_a_run_lose_nothing_and_the_next_run_clears_every_flag(local_stack: Any) -> None:
    api = local_stack.url + "/api"
    db = Db.from_settings(local_stack.aws.settings, boto3.client("dynamodb"))
    accounts = []
    for n in range(ACCOUNTS):
        body = {"name": f"Shared {n}", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}
        reply = requests.post(f"{api}/accounts", json=body, timeout=60)
        assert reply.status_code == 201, reply.text
        accounts.append(reply.json()["accountId"])
    opening = Client(number=-1)
    with requests.Session() as http:
        for account_id in accounts:  # every account stale when the run starts
            opening.create(http, api, account_id, random.Random(account_id))

    clients = [Client(number=n) for n in range(CLIENTS)]
    until = time.monotonic() + SECONDS
    runs_during: list[dict[str, Any]] = []

    def run_detection_meanwhile() -> None:
        # One run after another for as long as the clients write (the first finds every account stale).
        while time.monotonic() < until:
            runs_during.append(wait_for(api, start_run(api)))

    threads = [threading.Thread(target=c.run, args=(api, accounts, until)) for c in clients]
    threads.append(threading.Thread(target=run_detection_meanwhile))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sum((c.statuses for c in [opening, *clients]), Counter())
    acknowledged = {t: s for c in [opening, *clients] for t, s in c.acknowledged.items()}
    print(f"\n{CLIENTS} clients x {SECONDS:g} s: {sum(statuses.values())} writes, statuses {dict(statuses)}")
    print(f"{len(runs_during)} runs during the writes: {[r['summary'] for r in runs_during]}")
    assert [u for c in clients for u in c.unexpected] == []
    assert runs_during and all(r["status"] == "SUCCEEDED" for r in runs_during), [r.get("cause") for r in runs_during]

    stored = {t["transactionId"]: t for t in scan(db, db.transactions) if t["accountId"] in accounts}
    assert stored.keys() == acknowledged.keys()  # nothing acknowledged lost, nothing unacknowledged written
    for transaction_id, state in acknowledged.items():
        t = stored[transaction_id]
        assert (t["accountId"], t["transactionType"], Decimal(str(t["amount"]))) == (
            state["accountId"],
            state["transactionType"],
            Decimal(str(state["amount"])),
        )
    assert_balances_add_up(db, accounts, list(stored.values()))

    after = wait_for(api, start_run(api))

    assert after["status"] == "SUCCEEDED", after.get("cause")
    assert all(a["isStale"] is False for a in scan(db, db.accounts) if a["accountId"] in accounts)
    current = {(s["transactionId"], s["revision"]) for s in scan(db, db.scores)}
    assert all((t, stored[t]["revision"]) in current for t in stored)
    print(f"the next run: {after['summary']}")
