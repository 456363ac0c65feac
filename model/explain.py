"""Reasons a person can read: what raised a transaction's score, strongest first.

Related features give one reason together, an aspect (the four amount features, the foreign flag and the
country's rarity, the hour against all the account's hours and against its hours in the channel). An aspect's
contribution is measured by occlusion, setting features to 0 (for every model feature "as usual for this
account") and scoring the row again by the same forests, from both sides: how far the score falls when the
aspect is taken out of the row, and how far the aspect alone raises a wholly usual row; the contribution is
the mean of the two (the two-sided estimate of its Shapley value). Taken out, an aspect is undersold when
another already isolates the row (a 250× amount at 03:00: without the hour the amount still isolates it);
alone, one that matters only beside others is; the mean ranks the 250× amount above the hour. Occlusion
rather than crediting the splits along each tree's path: it measures the score the transaction was given, from
whichever forests gave it (the account's and the population's trees together, or the population's alone),
through nothing but their scoring function, and it takes an aspect's features out together where a split
credit would be shared among features that stand in for one another. It costs two rows per aspect for each
explained transaction, all scored in one call, and only MEDIUM and HIGH scores are explained.

Even so, a red flag beside a stronger one can rank below an aspect that merely helped, so an extreme amount, a
foreign country and an unusual hour are always said when present: when one of the aspect's features lies
beyond all but `reason_tail` of the rows the model was fitted on (the account's history, or the population's
rows when the population scored alone). Relative on purpose: abroad is no red flag for an account that is
often abroad, nor 03:00 for one that often pays at night, and the same rule catches a 43× amount in any
account. The aspects that raised the score most fill the remaining places up to `max_reasons`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

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
_ASPECT_COLUMNS = [[_COLUMN[name] for name in names] for names, _ in ASPECTS.values()]


# Red flags said whenever present, however little occlusion credits them.
ALWAYS_SAID = ("amount", "country", "hour")


def explain(
    rows: Sequence[Row],
    matrix: np.ndarray,
    score: Callable[[np.ndarray], np.ndarray],
    sorted_columns: np.ndarray,
    config: ScoringConfig,
) -> list[tuple[str, ...]]:
    """The reasons for each of `rows` (feature dicts; `matrix` holds their model features), as scored by
    `score`, against the rows the model was fitted on (`sorted_columns`: one sorted row per feature)."""
    if not rows:
        return []
    aspects = len(ASPECTS)
    # Per row: the row itself, the row without each aspect, each aspect alone, and no aspect at all.
    variants = np.repeat(matrix[:, np.newaxis, :], 2 * aspects + 2, axis=1)
    variants[:, aspects + 1 :, :] = 0.0
    for k, columns in enumerate(_ASPECT_COLUMNS):
        variants[:, 1 + k, columns] = 0.0
        variants[:, aspects + 1 + k, columns] = matrix[:, columns]
    scores = score(variants.reshape(-1, matrix.shape[1])).reshape(len(rows), 2 * aspects + 2)
    taken_out = scores[:, :1] - scores[:, 1 : aspects + 1]
    alone = scores[:, aspects + 1 : 2 * aspects + 1] - scores[:, -1:]
    contributions = (taken_out + alone) / 2
    return [_reasons(row, drops, sorted_columns, config) for row, drops in zip(rows, contributions, strict=True)]


def _reasons(row: Row, contributions: np.ndarray, sorted_columns: np.ndarray, config: ScoringConfig) -> tuple[str, ...]:
    # Strongest first; sorted() is stable, so ties keep the order of ASPECTS.
    ranked = sorted(zip(ASPECTS, contributions, strict=True), key=lambda pair: -pair[1])
    always = {aspect for aspect in ALWAYS_SAID if _present(row, aspect, sorted_columns, config)}
    others = [aspect for aspect, drop in ranked if drop > 0 and aspect not in always]
    chosen = always | set(others[: max(0, config.max_reasons - len(always))])
    return tuple(ASPECTS[aspect][1](row) for aspect, _ in ranked if aspect in chosen)


def _present(row: Row, aspect: str, sorted_columns: np.ndarray, config: ScoringConfig) -> bool:
    """Whether one of the aspect's features is positive and beyond all but `reason_tail` of the training rows."""
    rows = sorted_columns.shape[1]
    for name in ASPECTS[aspect][0]:
        value = row.get(name, 0.0)
        beyond = rows - int(np.searchsorted(sorted_columns[_COLUMN[name]], value, side="left"))
        if value > 0 and beyond <= config.reason_tail * rows:
            return True
    return False
