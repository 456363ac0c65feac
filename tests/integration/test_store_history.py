"""A bulk-imported history equals what the live write path produces for the same transactions."""

from __future__ import annotations

import json

import pytest

from isoflow.store import accounts, transactions
from isoflow.store.db import Db
from isoflow.store.errors import ConflictError
from isoflow.store.history import import_history

ACCOUNT = {"name": "Grace", "accountType": "BUSINESS", "currency": "USD", "homeCountry": "US"}


def history(account_id: str) -> list[dict]:
    return [
        {
            "transactionId": f"txn_{n:020x}" if account_id.endswith("1") else f"txn_{n + 100:020x}",
            "accountId": account_id,
            "transactionType": "DEPOSIT" if n % 4 == 0 else "PURCHASE",
            "amount": 100 + 7 * n,
            "merchant": f"m{n % 3}",
            "country": "US" if n % 5 else "MX",
            "timestamp": f"2026-10-{1 + n:02d}T{(3 * n) % 24:02d}:15:00Z",
            "injectedAnomaly": "foreign_country" if n == 5 else None,
        }
        for n in range(12)
    ]


def test_imported_history_matches_the_live_path(db: Db) -> None:
    imported_id, live_id = "acc_0000000000000001", "acc_0000000000000002"
    result = import_history(db, [{"accountId": imported_id, **ACCOUNT}], history(imported_id))
    assert (result.accounts, result.transactions) == (1, 12)

    accounts.create_account(db, ACCOUNT, account_id=live_id)
    for transaction in history(live_id):
        fields = {k: v for k, v in transaction.items() if k not in ("transactionId", "injectedAnomaly")}
        transactions.create_transaction(db, fields, transaction_id=transaction["transactionId"])

    imported, live = accounts.read_account(db, imported_id), accounts.read_account(db, live_id)
    assert imported.balance == live.balance == sum(100 + 7 * n if n % 4 == 0 else -(100 + 7 * n) for n in range(12))
    assert imported.isStale and imported_id in {s.account_id for s in accounts.stale_accounts(db)}
    assert json.loads(imported.featureState) == json.loads(live.featureState)
    imported_rows = transactions.list_transactions(db, account_id=imported_id, limit=100)[0]
    live_rows = transactions.list_transactions(db, account_id=live_id, limit=100)[0]
    assert [t["features"] for t in imported_rows] == [t["features"] for t in live_rows]
    assert [t.get("injectedAnomaly") for t in imported_rows].count("foreign_country") == 1


def test_existing_accounts_are_never_overwritten(db: Db) -> None:
    made = accounts.create_account(db, ACCOUNT)
    with pytest.raises(ConflictError):
        import_history(db, [{"accountId": made.accountId, **ACCOUNT}], [])
    assert accounts.read_account(db, made.accountId).version == 0
