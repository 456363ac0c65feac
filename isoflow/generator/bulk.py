"""Generated history into a system in bulk: a fresh deployment or local stack gets months of data at once."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import boto3

from isoflow.detection.files import PopulationFiles
from isoflow.generator.anomalies import DEFAULT_ANOMALY_RATE
from isoflow.generator.history import AccountHistory, generate_accounts, history_of
from isoflow.settings import Settings
from isoflow.store.db import Db, dynamodb_client
from isoflow.store.history import import_history
from isoflow.timestamps import now_text

# Per bulk import: enough for the data layer to write full batches, small enough to hold in memory.
ACCOUNTS_PER_BATCH = 100


@dataclass(frozen=True)
class Loaded:
    accounts: int
    transactions: int
    anomalies: int

    def __add__(self, other: Loaded) -> Loaded:
        return Loaded(
            self.accounts + other.accounts, self.transactions + other.transactions, self.anomalies + other.anomalies
        )


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


def load_generated(
    settings: Settings,
    *,
    accounts: int,
    days: int,
    seed: int,
    end: datetime,
    anomaly_rate: float = DEFAULT_ANOMALY_RATE,
    workers: int = 1,
    accounts_per_batch: int = ACCOUNTS_PER_BATCH,
    progress: Callable[[Loaded], None] | None = None,
) -> Loaded:
    """What `generate_history` draws, imported into the tables `settings` name by `workers` processes at once,
    each generating and importing a batch of accounts at a time with its own client (generating and
    computing features take more time than the writes). What is written does not depend on `workers`;
    `progress` hears of each batch as it is imported. The next detection run refits the population model."""
    population = list(generate_accounts(accounts, days, seed, end))
    batches = [population[i : i + accounts_per_batch] for i in range(0, len(population), accounts_per_batch)]
    load = partial(_load_batch, seed=seed, end=end, anomaly_rate=anomaly_rate)

    def loaded_batches() -> Iterator[Loaded]:
        if workers == 1:  # in this process, which may be the only one that reaches the tables (moto in-process)
            _connect(settings)
            yield from map(load, batches)
            return
        # Spawned, not forked: the parent may hold threads (a progress bar's, boto3's) whose locks a fork copies.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_connect, initargs=(settings,)) as pool:
            yield from pool.map(load, batches)

    total = Loaded(0, 0, 0)
    for loaded in loaded_batches():
        total += loaded
        if progress:
            progress(loaded)
    # What is usual across accounts may have changed with the import: the next detection run refits.
    PopulationFiles(boto3.client("s3"), settings.data_bucket).request_refit(now_text())
    return total


_worker_db: Db | None = None  # each worker process's client, made once by `_connect`


def _connect(settings: Settings) -> None:
    global _worker_db
    _worker_db = Db.from_settings(settings, dynamodb_client(validate=False))


def _load_batch(accounts: list[dict[str, Any]], *, seed: int, end: datetime, anomaly_rate: float) -> Loaded:
    assert _worker_db is not None, "a worker process starts with _connect"
    histories = (history_of(account, seed, end, anomaly_rate) for account in accounts)
    return load_histories(_worker_db, histories, accounts_per_batch=len(accounts))
