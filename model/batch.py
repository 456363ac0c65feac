"""Scoring many accounts' transactions offline, in parallel, with the detector's own code.

Each account's rows are put in time order, their features computed by replay, and every row scored by
`score_account` with all of the account's rows as its history. The result does not depend on the number of
worker processes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from model.config import DEFAULT_CONFIG, ScoringConfig
from model.features import Txn, replay
from model.population import PopulationModel
from model.scoring import Score, score_account


@dataclass(frozen=True)
class AccountHistory:
    account_id: str
    transaction_ids: tuple[str, ...]  # in time order
    txns: tuple[Txn, ...]
    home_country: str | None = None


@dataclass(frozen=True)
class ScoredAccount:
    account_id: str
    transaction_ids: tuple[str, ...]
    features: tuple[dict[str, float], ...]
    scores: tuple[Score, ...]


def group_by_account(
    rows: Iterable[tuple[str, str, Txn]], home_countries: dict[str, str] | None = None
) -> list[AccountHistory]:
    """(transaction_id, account_id, txn) rows -> one time-ordered history per account, by account id.

    Without a known home country, an account's most frequent country stands for it.
    """
    grouped: dict[str, list[tuple[str, Txn]]] = {}
    for transaction_id, account_id, txn in rows:
        grouped.setdefault(account_id, []).append((transaction_id, txn))
    histories = []
    for account_id in sorted(grouped):
        ordered = sorted(grouped[account_id], key=lambda item: item[1].timestamp)  # stable for equal times
        home = (home_countries or {}).get(account_id) or _most_frequent_country([txn for _, txn in ordered])
        histories.append(
            AccountHistory(account_id, tuple(t for t, _ in ordered), tuple(txn for _, txn in ordered), home)
        )
    return histories


def score_history(
    account: AccountHistory, config: ScoringConfig = DEFAULT_CONFIG, population: PopulationModel | None = None
) -> ScoredAccount:
    features = replay(account.txns, account.home_country)
    scores = score_account(account.account_id, features, range(len(features)), None, config, population)
    return ScoredAccount(account.account_id, account.transaction_ids, tuple(features), tuple(scores))


def score_histories(
    accounts: Sequence[AccountHistory],
    workers: int = 1,
    config: ScoringConfig = DEFAULT_CONFIG,
    population: PopulationModel | None = None,
    progress: Callable[[int], object] | None = None,
) -> list[ScoredAccount]:
    """Score every account, in `workers` processes; `progress(n)` is called as accounts complete."""
    if workers <= 1:
        results = []
        for account in accounts:
            results.append(score_history(account, config, population))
            if progress:
                progress(1)
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = []
        chunk = max(1, min(64, len(accounts) // (workers * 8) or 1))
        for result in pool.map(
            score_history,
            accounts,
            [config] * len(accounts),
            [population] * len(accounts),
            chunksize=chunk,
        ):
            results.append(result)
            if progress:
                progress(1)
        return results


def _most_frequent_country(txns: Sequence[Txn]) -> str | None:
    counts = Counter(txn.country for txn in txns if txn.country)
    if not counts:
        return None
    return min(counts, key=lambda country: (-counts[country], country))
