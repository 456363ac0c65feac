"""An account's risk, defined once: the detector records it, and an analyst's verdict changes it at once.

An account's risk is what its recent, unresolved anomalies say: the highest current score among its
transactions of the last RISK_DAYS days up to its newest transaction, leaving out the ones an analyst judged
not fraud; a confirmed fraud in those days makes the account HIGH whatever its score. An account with none
is LOW, at 0.

Up to its newest transaction rather than up to now: an account's stored risk changes only when the account
does (detection scores stale accounts only), so a risk measured back from the clock would go out of date in
the store, while one measured back from the account's own newest transaction stays true until the account
changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from isoflow.timestamps import format_timestamp, parse_timestamp
from model.config import DEFAULT_CONFIG, ScoringConfig

# The verdicts an analyst records (the API's Verdict takes its values from here).
CONFIRMED = "CONFIRMED"
NOT_FRAUD = "NOT_FRAUD"

# Measured on a seeded local system (300 generated accounts, 60 days, seeds 7 and 11, one detection run), the
# share of accounts HIGH / MEDIUM by the days counted: 1: 0.3-0.7% / 2-5%; 3: 0.7-1.7% / 11-12%; 7: 3.0-3.7% /
# 24-26%; 14: 5-6% / 36-40%; all 60 (about the old rule, the highest score in the window): 27% / 47-48%.
# Three days hold a few of an account's transactions (about 1.3 a day there) and keep HIGH to a percent or two.
RISK_DAYS = 3


@dataclass(frozen=True)
class ScoredTransaction:
    """What the risk rule sees of a transaction: its time, its current score (None: none for its revision)
    and the analyst's verdict, if any."""

    timestamp: str
    risk_score: float | None
    risk_level: str | None
    verdict: str | None = None


@dataclass(frozen=True)
class Risk:
    score: float
    level: str


NO_RISK = Risk(0.0, "LOW")


def account_risk(
    transactions: Iterable[ScoredTransaction], *, days: int = RISK_DAYS, config: ScoringConfig = DEFAULT_CONFIG
) -> Risk:
    listed = list(transactions)
    if not listed:
        return NO_RISK
    since = format_timestamp(parse_timestamp(max(t.timestamp for t in listed)) - timedelta(days=days))
    counted = [NO_RISK]
    for transaction in listed:
        if transaction.timestamp < since or transaction.verdict == NOT_FRAUD:
            continue
        if transaction.verdict == CONFIRMED:
            counted.append(Risk(max(transaction.risk_score or 0.0, config.high_threshold), "HIGH"))
        elif transaction.risk_score is not None and transaction.risk_level is not None:
            counted.append(Risk(transaction.risk_score, transaction.risk_level))
    return max(counted, key=lambda risk: risk.score)
