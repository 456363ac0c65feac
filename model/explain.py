"""Reasons a person can read: which of a transaction's features made it unusual for the account.

A feature counts as a reason when the transaction's value is beyond nearly all of the rows the model was
fitted on (its tail share is at most `reason_tail`); the most extreme come first. Related features (the
amount ratio and the amount z-score, the foreign flag and the country's rarity, the hour against all the
account's hours and against its hours in the channel) give one reason together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from model.config import ScoringConfig
from model.features import FEATURE_NAMES

Row = Mapping[str, float]


def _times(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def _amount(row: Row) -> str:
    median = row.get("amount_median", -1.0)
    if median <= 0:
        return f"large amount ({row['amount']:.2f})"
    if row["amount"] < 1.5 * median:
        return f"amount above this account's usual range ({row['amount']:.2f} vs median {median:.2f})"
    return f"amount {_times(row['amount'] / median)}× this account's median ({row['amount']:.2f} vs {median:.2f})"


def _category_amount(row: Row) -> str:
    usual = row.get("category_median", -1.0)
    if usual <= 0:
        return f"amount {row['amount']:.2f} above this account's usual spend in this category"
    return f"amount {_times(row['amount'] / usual)}× this account's usual spend in this category"


def _activity(row: Row) -> str:
    return f"{int(row.get('txns_last_hour', 0)) + 1} transactions within an hour"


def _new(what: str) -> Callable[[Row], str]:
    return lambda row: f"first transaction {what}"


def _foreign(row: Row) -> str:
    if row.get("new_country", 0.0) > 0:
        return "first transaction in this country, abroad"
    return "transaction abroad, rare for this account"


def _hour(row: Row) -> str:
    at = f"{int(row.get('hour', 0)):02d}:00 UTC"
    if row.get("channel_hour_rarity", 0.0) > row.get("hour_rarity", 0.0):
        return f"unusual hour for this account in this channel ({at})"
    return f"unusual hour for this account ({at})"


# aspect -> (its features, how to say it)
ASPECTS: dict[str, tuple[tuple[str, ...], Callable[[Row], str]]] = {
    "amount": (("amount_log_ratio", "amount_robust_z", "amount_excess_z", "amount_large"), _amount),
    "category_amount": (("amount_category_ratio",), _category_amount),
    "activity": (("rapid_succession", "burst_last_hour"), _activity),
    "merchant": (("new_merchant",), _new("at this merchant")),
    "category": (("new_category",), _new("in this category")),
    "channel": (("new_channel",), _new("through this channel")),
    "country": (("foreign_country", "new_country"), _foreign),
    "hour": (("hour_rarity", "channel_hour_rarity"), _hour),
}
_COLUMN = {name: j for j, name in enumerate(FEATURE_NAMES)}


def explain(row: Row, sorted_columns: np.ndarray, config: ScoringConfig) -> tuple[str, ...]:
    """The reasons for `row` against the training rows (`sorted_columns`: one sorted row per feature).

    Asked for transactions scored above LOW, so there is always at least the most extreme feature.
    """
    rows = sorted_columns.shape[1]
    ranked = []
    for order, (aspect, (names, _)) in enumerate(ASPECTS.items()):
        tails = []
        for name in names:
            value = row.get(name, 0.0)
            if value > 0:
                column = sorted_columns[_COLUMN[name]]
                tails.append((rows - int(np.searchsorted(column, value, side="left"))) / rows)
        if tails:
            ranked.append((min(tails), order, aspect))
    ranked.sort()
    chosen = [aspect for tail, _, aspect in ranked if tail <= config.reason_tail][: config.max_reasons]
    if not chosen and ranked:
        chosen = [ranked[0][2]]
    return tuple(ASPECTS[aspect][1](row) for aspect in chosen)
