"""Transaction features: defined once here, computed incrementally at write time and in batch by replay.

Every model feature is one-sided: 0 means "as usual for this account" and larger means riskier, because an
IsolationForest isolates both tails of a feature and a very small amount, a long quiet spell or a favourite
merchant must not look like fraud.

The feature dict of a transaction holds the model inputs (`FEATURE_NAMES`) and the raw context a person
needs to read an explanation (`CONTEXT_NAMES`: the amount, the account's median it was compared with, how
often the merchant was seen, ...). Both are plain floats, so the dict can be stored on the transaction.

The rolling state of an account is a small JSON-serialisable dict with every collection capped, so it stays
well under 16 KB whatever the length of the history. `advance` folds one transaction into it; `replay`
folds a whole history and equals folding `advance` (both run the same code).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median

# Model inputs, in the column order of the feature matrix.
FEATURE_NAMES: tuple[str, ...] = (
    "amount_log_ratio",  # log(amount / the account's median amount for this transaction type), 0 below
    "amount_robust_z",  # the same excess in units of the account's spread of log amounts (robust z)
    "txns_last_hour_log",  # log(1 + transactions of the account in the hour before this one)
    "txns_last_day_log",  # log(1 + transactions of the account in the 24 hours before this one)
    "merchant_rarity",  # log((n + 1) / (times this merchant was seen + 1)): high for a new merchant
    "category_rarity",  # the same for the category
    "channel_rarity",  # the same for the channel
    "foreign_country",  # 1 when the country differs from the account's home country
    "country_rarity",  # log((n + 1) / (times this country was seen + 1))
    "hour_rarity",  # log(uniform share / the account's smoothed share of this hour of day), 0 below
)

# Raw values kept beside the features so that explanations can quote them; -1 means "not known".
CONTEXT_NAMES: tuple[str, ...] = (
    "amount",
    "amount_median",  # the account's median the amount was compared with (-1 without enough history)
    "history_size",  # transactions seen on the account before this one
    "txns_last_hour",
    "txns_last_day",
    "merchant_seen",  # times the merchant was seen before (-1 when the transaction has no merchant)
    "category_seen",
    "category_share",  # share of the account's history in this category (-1 without a category)
    "channel_seen",
    "country_seen",
    "hour",  # hour of day, UTC
    "hour_share",  # the account's smoothed share of transactions at this hour of day
)

STATE_VERSION = 1

# Caps that bound the state: recent amounts per transaction type and pooled, distinct keys per map.
AMOUNTS_PER_TYPE = 30
AMOUNTS_POOLED = 50
MAX_TYPES = 6
MAX_MERCHANTS = 64
MAX_CATEGORIES = 32
MAX_COUNTRIES = 16
MAX_CHANNELS = 8
MAX_KEY_CHARS = 48
MAX_RECENT_TIMESTAMPS = 64

# A type-specific median needs this many amounts of that type; otherwise the pooled one is used.
MIN_TYPE_AMOUNTS = 5
MIN_POOLED_AMOUNTS = 3
# Floor on the spread of log amounts, so an account that always pays the same sum is not alarmed by cents.
MIN_LOG_SPREAD = 0.1
MAX_ROBUST_Z = 50.0
HOUR_SMOOTHING = 1.0  # pseudo-count per hour of day
HOUR_S = 3600
DAY_S = 86400


@dataclass(frozen=True)
class Txn:
    """What the model sees of a transaction (never ground truth)."""

    timestamp: datetime  # tz-aware UTC
    amount: float
    transaction_type: str | None = None
    merchant: str | None = None
    category: str | None = None
    country: str | None = None
    channel: str | None = None


def initial_state(home_country: str | None) -> dict:
    return {
        "version": STATE_VERSION,
        "home": home_country,
        "n": 0,
        "recent": [],  # epoch seconds of the transactions of the last 24 h, newest last
        "amounts": {"pooled": [], "by_type": {}},
        "merchants": {},  # key -> [count, index of last use]
        "categories": {},
        "channels": {},
        "countries": {},
        "hours": [0] * 24,
    }


def advance(state: dict, txn: Txn) -> tuple[dict[str, float], dict]:
    """The features of `txn` against the history before it, and the state after it (`state` is untouched)."""
    after = copy.deepcopy(state)
    return _fold(after, txn), after


def replay(txns: Sequence[Txn], home_country: str | None) -> list[dict[str, float]]:
    """Features of each transaction of a time-ordered history, as folding `advance` from `initial_state`."""
    state = initial_state(home_country)
    return [_fold(state, txn) for txn in txns]


def _fold(state: dict, txn: Txn) -> dict[str, float]:
    """Compute the features of `txn` from `state`, then update `state` in place to include it."""
    if txn.timestamp.tzinfo is None:
        raise ValueError("transaction timestamp must be timezone-aware")
    if not (txn.amount > 0 and math.isfinite(txn.amount)):
        raise ValueError(f"transaction amount must be a positive finite number, got {txn.amount!r}")
    n = state["n"]
    now = txn.timestamp.timestamp()
    amount = round(float(txn.amount), 2)
    type_key = _key(txn.transaction_type) or ""
    merchant, category, channel, country = (
        _key(txn.merchant),
        _key(txn.category),
        _key(txn.channel),
        _key(txn.country),
    )

    features: dict[str, float] = {}
    context: dict[str, float] = {"amount": amount, "history_size": float(n)}

    reference = _reference_amounts(state["amounts"], type_key)
    if reference:
        logs = [math.log(a) for a in reference]
        centre = median(logs)
        spread = max(1.4826 * median(abs(x - centre) for x in logs), MIN_LOG_SPREAD)
        excess = max(0.0, math.log(amount) - centre)
        features["amount_log_ratio"] = excess
        features["amount_robust_z"] = min(excess / spread, MAX_ROBUST_Z)
        context["amount_median"] = round(median(reference), 2)
    else:
        features["amount_log_ratio"] = features["amount_robust_z"] = 0.0
        context["amount_median"] = -1.0

    last_hour = sum(1 for t in state["recent"] if now - HOUR_S <= t <= now)
    last_day = sum(1 for t in state["recent"] if now - DAY_S <= t <= now)
    features["txns_last_hour_log"] = math.log1p(last_hour)
    features["txns_last_day_log"] = math.log1p(last_day)
    context["txns_last_hour"] = float(last_hour)
    context["txns_last_day"] = float(last_day)

    for name, key, counts in (
        ("merchant", merchant, state["merchants"]),
        ("category", category, state["categories"]),
        ("channel", channel, state["channels"]),
        ("country", country, state["countries"]),
    ):
        seen = counts[key][0] if key in counts else 0
        if name != "country":
            features[f"{name}_rarity"] = math.log((n + 1) / (seen + 1)) if key is not None else 0.0
        context[f"{name}_seen"] = float(seen) if key is not None else -1.0
    if category is None:
        context["category_share"] = -1.0
    else:
        context["category_share"] = context["category_seen"] / n if n else 0.0
    foreign = country is not None and state["home"] is not None and country != state["home"]
    features["foreign_country"] = 1.0 if foreign else 0.0
    country_seen = context["country_seen"]
    features["country_rarity"] = math.log((n + 1) / (country_seen + 1)) if country is not None else 0.0

    hour = txn.timestamp.astimezone(UTC).hour
    hours = state["hours"]
    smoothed = hours[(hour - 1) % 24] + 2 * hours[hour] + hours[(hour + 1) % 24]
    share = (smoothed + HOUR_SMOOTHING) / (4 * n + 24 * HOUR_SMOOTHING)
    features["hour_rarity"] = max(0.0, math.log((1 / 24) / share))
    context["hour"] = float(hour)
    context["hour_share"] = share

    _remember(state, now, amount, type_key, merchant, category, channel, country, hour)
    ordered = {name: float(features[name]) for name in FEATURE_NAMES}
    ordered.update((name, float(context[name])) for name in CONTEXT_NAMES)
    return ordered


def _remember(
    state: dict,
    now: float,
    amount: float,
    type_key: str,
    merchant: str | None,
    category: str | None,
    channel: str | None,
    country: str | None,
    hour: int,
) -> None:
    n = state["n"]
    recent = [t for t in state["recent"] if t >= now - DAY_S]
    recent.append(now)
    state["recent"] = recent[-MAX_RECENT_TIMESTAMPS:]

    amounts = state["amounts"]
    amounts["pooled"] = [*amounts["pooled"], amount][-AMOUNTS_POOLED:]
    by_type = amounts["by_type"]
    if type_key in by_type or len(by_type) < MAX_TYPES:
        by_type[type_key] = [*by_type.get(type_key, []), amount][-AMOUNTS_PER_TYPE:]

    for key, counts, cap in (
        (merchant, state["merchants"], MAX_MERCHANTS),
        (category, state["categories"], MAX_CATEGORIES),
        (channel, state["channels"], MAX_CHANNELS),
        (country, state["countries"], MAX_COUNTRIES),
    ):
        if key is None:
            continue
        if key not in counts and len(counts) >= cap:
            # Forget the least used key (the longest unused among equals) to keep the state bounded.
            del counts[min(counts, key=lambda k: (counts[k][0], counts[k][1]))]
        counts[key] = [counts[key][0] + 1 if key in counts else 1, n]

    state["hours"][hour] += 1
    state["n"] = n + 1


def _reference_amounts(amounts: dict, type_key: str) -> list[float]:
    typed = amounts["by_type"].get(type_key, [])
    if len(typed) >= MIN_TYPE_AMOUNTS:
        return typed
    if len(amounts["pooled"]) >= MIN_POOLED_AMOUNTS:
        return amounts["pooled"]
    return []


def _key(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    return value[:MAX_KEY_CHARS]
