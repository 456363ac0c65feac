"""Bulk history into a running system: `isoflow generate` and the local stack's seed, through the data
layer's import, then the schedule carrying on from where the history ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from isoflow.cli import main
from isoflow.generator.bulk import load_generated
from isoflow.generator.history import generate_history
from isoflow.generator.live import generate_recent
from isoflow.store.accounts import every_account, read_account, stale_accounts
from isoflow.store.db import Db
from isoflow.store.records import Account
from isoflow.store.transactions import list_transactions, read_transaction

END = datetime(2026, 11, 1, tzinfo=UTC)


def all_accounts(db: Db) -> list[Account]:
    return list(every_account(db))


def test_the_cli_imports_accounts_with_balances_features_and_ground_truth(local_aws):
    db = Db.from_settings(local_aws.settings)
    args = ["--accounts", "12", "--days", "20", "--seed", "9", "--end", "2026-11-01T00:00:00Z"]

    assert main(["generate", *args, "--anomaly-rate", "0.05", "--batch", "5"]) == 0

    expected = list(generate_history(12, 20, seed=9, end=END, anomaly_rate=0.05))
    stored = {a.accountId: a for a in all_accounts(db)}
    assert set(stored) == {h.account["accountId"] for h in expected}
    assert {stale.account_id for stale in stale_accounts(db)} == set(stored)
    anomalous = 0
    for history in expected:
        account = stored[history.account["accountId"]]
        assert account.createdAt == history.account["createdAt"]
        signed = sum(t["amount"] if t["transactionType"] == "DEPOSIT" else -t["amount"] for t in history.transactions)
        assert Decimal(str(account.balance)) == signed
        for t in history.transactions:
            item = read_transaction(db, t["transactionId"])
            assert item.amount == t["amount"]
            assert item.injectedAnomaly == t.get("injectedAnomaly")
            assert item.features
            anomalous += "injectedAnomaly" in t
    assert anomalous


def test_a_seeded_system_keeps_growing_on_schedule(local_aws):
    db = Db.from_settings(local_aws.settings)
    loaded = load_generated(local_aws.settings, accounts=10, days=14, seed=7, end=END)
    expected = list(generate_history(10, 14, seed=7, end=END))
    assert (loaded.accounts, loaded.transactions) == (10, sum(len(h.transactions) for h in expected))
    balances = {a.accountId: Decimal(str(a.balance)) for a in all_accounts(db)}

    run = generate_recent(db, END + timedelta(days=1), period=timedelta(days=1))

    assert run.transactions > 0
    grown = 0
    for account_id, before in balances.items():
        recent, _ = list_transactions(db, account_id=account_id, since="2026-11-01T00:00:00Z", limit=100)
        moved = sum(Decimal(str(t["amount"])) * (1 if t["transactionType"] == "DEPOSIT" else -1) for t in recent)
        assert Decimal(str(read_account(db, account_id).balance)) == before + moved
        grown += len(recent)
    assert grown == run.transactions
