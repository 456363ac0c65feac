"""Generated history into a system in bulk: a fresh deployment or local stack gets months of data at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from isoflow.generator.anomalies import DEFAULT_ANOMALY_RATE
from isoflow.generator.history import AccountHistory, generate_history
from isoflow.store.db import Db
from isoflow.store.history import import_history
from isoflow.timestamps import utc_now

# Per bulk import: enough for the data layer to write full batches, small enough to hold in memory.
ACCOUNTS_PER_BATCH = 100


@dataclass(frozen=True)
class Loaded:
    accounts: int
    transactions: int
    anomalies: int


def load_histories(
    db: Db, histories: Iterable[AccountHistory], *, accounts_per_batch: int = ACCOUNTS_PER_BATCH
) -> Loaded:
    """Import the histories a batch of accounts at a time (their balances, features and stale marks are the
    data layer's work)."""
    accounts = transactions = anomalies = 0
    batch: list[AccountHistory] = []

    def flush() -> None:
        nonlocal accounts, transactions, anomalies
        rows = [t for history in batch for t in history.transactions]
        import_history(db, [history.account for history in batch], rows)
        accounts += len(batch)
        transactions += len(rows)
        anomalies += sum("injectedAnomaly" in t for t in rows)
        batch.clear()

    for history in histories:
        batch.append(history)
        if len(batch) == accounts_per_batch:
            flush()
    if batch:
        flush()
    return Loaded(accounts, transactions, anomalies)


def seed(
    db: Db,
    *,
    accounts: int = 300,
    days: int = 60,
    seed: int = 7,
    end: datetime | None = None,
    anomaly_rate: float = DEFAULT_ANOMALY_RATE,
) -> Loaded:
    """A fresh system's starting data: `accounts` accounts with `days` of history up to `end` (now)."""
    histories = generate_history(accounts, days, seed, end or utc_now(), anomaly_rate)
    return load_histories(db, histories)
