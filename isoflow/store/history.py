"""Bulk import of whole account histories: for seeding a fresh system, not for live writes.

The live path writes one transaction at a time in a TransactWriteItems; an imported history is computed up
front instead (features by replay, running balances) and written with BatchWriteItem, 25 items a request.
The result is what the live path would have produced for the same transactions in time order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from isoflow.store.accounts import stale_shard
from isoflow.store.db import Db, batch_get, batch_write, to_item
from isoflow.store.errors import ConflictError, InvalidReferenceError
from isoflow.store.records import list_shard, name_key
from isoflow.store.transactions import model_input, new_transaction, signed_amount
from isoflow.timestamps import now_text
from model.features import fold, initial_state

ACCOUNT_FIELDS = ("accountId", "name", "accountType", "currency", "homeCountry")


@dataclass(frozen=True)
class Imported:
    accounts: int
    transactions: int
    requests: int


def import_history(
    db: Db,
    accounts: Sequence[Mapping[str, Any]],
    transactions: Sequence[Mapping[str, Any]],
    *,
    progress: Callable[[int], None] | None = None,
) -> Imported:
    """Write new accounts with their transactions; every imported account is left stale for detection.

    `accounts` carry ACCOUNT_FIELDS; `transactions` their transactionId, accountId and what an owner posts
    (`transactions.INPUT_FIELDS`: the time is required, the currency defaults to the account's) and, optionally,
    the ground truth `injectedAnomaly`. Refuses accounts that already exist, since overwriting one would break
    its balance; `progress` is called with the number of items each request wrote.
    """
    by_account: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for transaction in transactions:
        by_account[transaction["accountId"]].append(transaction)
    known = {account["accountId"] for account in accounts}
    unknown = set(by_account) - known
    if unknown:
        raise InvalidReferenceError(f"transactions for accounts not imported: {sorted(unknown)[:5]}", "accountId")
    existing = batch_get(db, db.accounts, [{"accountId": account_id} for account_id in sorted(known)])
    if existing:
        raise ConflictError(f"accounts already exist: {[a['accountId']['S'] for a in existing][:5]}", "accountId")

    now = now_text()
    # DynamoDB items, to write in batches.
    account_items: list[dict[str, Any]] = []
    transaction_items: list[dict[str, Any]] = []
    for account in accounts:
        state = initial_state(account["homeCountry"])
        balance = Decimal(0)
        history = sorted(by_account[account["accountId"]], key=lambda t: (t["timestamp"], t["transactionId"]))
        for transaction in history:
            posted = new_transaction(
                transaction,
                transaction_id=transaction["transactionId"],
                currency=transaction.get("currency") or account["currency"],
                now=now,
                injected_anomaly=transaction.get("injectedAnomaly"),
            )
            balance += signed_amount(posted.transactionType, posted.amount)
            transaction_items.append(replace(posted, features=fold(state, model_input(posted))).to_item())
        account_items.append(
            to_item(
                {
                    **{field: account[field] for field in ACCOUNT_FIELDS},
                    "balance": balance,
                    "isStale": True,
                    "staleShard": stale_shard(account["accountId"]),
                    "listShard": list_shard(account["accountId"]),
                    "nameKey": name_key(account["name"]),
                    "version": 1,
                    "featureState": json.dumps(state, separators=(",", ":")),
                    # Every imported transaction is unscored; None (no transactions) leaves the attribute out.
                    "latestAt": history[-1]["timestamp"] if history else None,
                    "unscoredFrom": history[0]["timestamp"] if history else None,
                    "createdAt": account.get("createdAt") or now,
                    "updatedAt": now,
                }
            )
        )

    # Transactions first: an account appears only once its whole history is written.
    requests = 0
    for table, items in ((db.transactions, transaction_items), (db.accounts, account_items)):
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            requests += batch_write(db, table, [{"PutRequest": {"Item": item}} for item in chunk])
            if progress:
                progress(len(chunk))
    return Imported(accounts=len(account_items), transactions=len(transaction_items), requests=requests)
