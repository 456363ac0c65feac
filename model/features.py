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
from functools import cache
from statistics import median

from model.countries import local_hour

# Model inputs, in the column order of the feature matrix.
FEATURE_NAMES: tuple[str, ...] = (
    "amount_log_ratio",  # log(amount / the account's median amount for this transaction type), 0 below
    "amount_robust_z",  # the same excess in units of the account's spread of log amounts (robust z)
    "amount_excess_z",  # (amount - median) / the account's spread of amounts (robust z, linear), 0 below
    "amount_category_ratio",  # log(amount / the account's median in this category), 0 below
    "amount_large",  # log(amount / LARGE_AMOUNT), 0 below: a large sum is risky in any account
    "rapid_succession",  # log(RAPID_S / seconds since the previous transaction), 0 beyond RAPID_S
    "burst_last_hour",  # log(1 + transactions in the hour before, beyond the first two)
    "new_merchant",  # -log(the account's rate of new merchants) beyond NOVELTY_SLACK for a merchant never seen
    "new_category",  # the same for the category
    "new_channel",  # the same for the channel
    "new_country",  # the same for the country
    "foreign_country",  # -log(the account's share of foreign transactions) when abroad, else 0
    "hour_rarity",  # log(uniform share / the account's share of this hour of day), beyond HOUR_SLACK
    "channel_hour_rarity",  # the same against the account's hours in this channel; 0 without a channel
)

# Raw values kept beside the features so that explanations can quote them; -1 means "not known".
CONTEXT_NAMES: tuple[str, ...] = (
    "amount",
    "amount_median",  # the account's median the amount was compared with (-1 without enough history)
    "category_median",  # the account's median amount in this category (-1 without enough history)
    "history_size",  # transactions seen on the account before this one
    "txns_last_hour",
    "merchant_seen",  # times the merchant was seen before (-1 when the transaction has no merchant)
    "category_seen",
    "channel_seen",
    "country_seen",
    "hour",  # hour of day, UTC
    "hour_share",  # the account's smoothed share of transactions at this hour of day
)

STATE_VERSION = 2  # 2: hours of day per channel

# Caps that bound the state: recent amounts per transaction type and pooled, distinct keys per map. A type keeps
# its last 100 amounts: a shorter memory is soon made of a compromised card's own payments (a few weeks of a
# customer paying five times as much hide the next such payment) and estimates the spread from too few. The
# pooled amounts only stand in while a type has fewer than MIN_TYPE_AMOUNTS of its own.
AMOUNTS_PER_TYPE = 100
AMOUNTS_POOLED = 30
MAX_TYPES = 6
MAX_MERCHANTS = 64
MAX_CATEGORIES = 32
MAX_COUNTRIES = 16
MAX_CHANNELS = 8
MAX_KEY_CHARS = 48
MAX_RECENT_TIMESTAMPS = 32

# A type-specific median needs this many amounts of that type; otherwise the pooled one is used.
MIN_TYPE_AMOUNTS = 5
MIN_POOLED_AMOUNTS = 3
# Floor on the spread of log amounts, so an account that always pays the same sum is not alarmed by cents.
MIN_LOG_SPREAD = 0.1
MIN_SPREAD_SHARE = 0.1  # the same floor for the spread of amounts, as a share of the median
# Beyond this many spreads an amount is as unusual as it gets: a longer scale would spend the forest's splits
# telling extreme amounts apart (mostly young accounts' spreads estimated from a few amounts), not ordinary from
# unusual ones.
MAX_ROBUST_Z = 10.0
# An hour's count is smoothed with its neighbours' (weights 1, 4, 1: 07:59 and 08:01 are the same habit, yet a
# quiet hour beside a busy one stays quiet) and a pseudo-count per hour of day, 24 × HOUR_SMOOTHING in all.
HOUR_NEIGHBOUR_WEIGHT = 1
HOUR_OWN_WEIGHT = 4
HOUR_SMOOTHING = 1.0
# The pseudo-counts say what is expected before the account's own hours do: people sleep at night, so when the
# account holder's home country is known, an hour of its night (NIGHT_HOURS, local time) gets NIGHT_PRIOR of a
# day hour's pseudo-count. A young account's first night-time payment then stands out as a long-established
# account's does; with a few weeks of its own hours, the account's habits outweigh the prior.
NIGHT_HOURS = range(0, 6)
NIGHT_PRIOR = 0.1
# An hour counts as unusual only when it is this many times rarer than an even spread over the day.
HOUR_SLACK = 2.0
# Something new (merchant, category, channel, country) counts only for an account that meets something new
# less than once in this many transactions: for one that often tries new merchants, a new one is ordinary.
NOVELTY_SLACK = 4.0
# An hour is judged against all the account's hours and, as a second feature, against its hours in the
# transaction's channel once that channel has this many transactions (until then, all the account's hours again):
# bank transfers and bills post at the bank's hours while card payments follow the customer's day, so a card
# payment at the hour the rent goes out is usual for the account and not for its card.
MIN_CHANNEL_HOURS = 20
# Amounts up to this (in the account's currency) never count as large in absolute terms: everyday payments
# stay below it, so the feature is 0 on nearly every row and what exceeds it stands out in any account.
LARGE_AMOUNT = 200.0
RAPID_S = 120
HOUR_S = 3600
AMOUNTS_PER_CATEGORY = 8
MAX_AMOUNT_CATEGORIES = 16
MIN_CATEGORY_AMOUNTS = 3


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
        "recent": [],  # epoch seconds of the transactions of the last hour, newest last
        "amounts": {"pooled": [], "by_type": {}, "by_category": {}},
        "foreign": 0,  # transactions outside the home country
        "distinct": {"merchants": 0, "categories": 0, "channels": 0, "countries": 0},  # first sightings
        "merchants": {},  # key -> [count, index of last use]
        "categories": {},
        "channels": {},
        "countries": {},
        "hours": [0] * 24,
        "channel_hours": {},  # channel -> transactions per hour of day
    }


def advance(state: dict, txn: Txn) -> tuple[dict[str, float], dict]:
    """The features of `txn` against the history before it, and the state after it (`state` is untouched)."""
    after = copy.deepcopy(state)
    return fold(after, txn), after


def replay(txns: Sequence[Txn], home_country: str | None) -> list[dict[str, float]]:
    """Features of each transaction of a time-ordered history, as folding `advance` from `initial_state`."""
    state = initial_state(home_country)
    return [fold(state, txn) for txn in txns]


def fold(state: dict, txn: Txn) -> dict[str, float]:
    """Compute the features of `txn` from `state`, then update `state` in place to include it (`advance`
    without the copy, for a caller that owns the state, such as a bulk import replaying a history)."""
    if txn.timestamp.tzinfo is None:
        raise ValueError("transaction timestamp must be timezone-aware")
    _upgrade(state)
    if not (txn.amount >= 0 and math.isfinite(txn.amount)):
        raise ValueError(f"transaction amount must be a finite number >= 0, got {txn.amount!r}")
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
        logs = [_log_amount(a) for a in reference]
        centre = median(logs)
        spread = max(1.4826 * median(abs(x - centre) for x in logs), MIN_LOG_SPREAD)
        excess = max(0.0, _log_amount(amount) - centre)
        features["amount_log_ratio"] = excess
        features["amount_robust_z"] = min(excess / spread, MAX_ROBUST_Z)
        middle = median(reference)
        linear_spread = max(1.4826 * median(abs(a - middle) for a in reference), MIN_SPREAD_SHARE * middle, 0.01)
        features["amount_excess_z"] = min(max(0.0, amount - middle) / linear_spread, MAX_ROBUST_Z)
        context["amount_median"] = round(median(reference), 2)
    else:
        features["amount_log_ratio"] = features["amount_robust_z"] = features["amount_excess_z"] = 0.0
        context["amount_median"] = -1.0

    in_category = state["amounts"]["by_category"].get(category, []) if category is not None else []
    if len(in_category) >= MIN_CATEGORY_AMOUNTS:
        category_median = median(in_category)
        features["amount_category_ratio"] = max(0.0, _log_amount(amount) - _log_amount(category_median))
        context["category_median"] = round(category_median, 2)
    else:
        features["amount_category_ratio"] = 0.0
        context["category_median"] = -1.0
    features["amount_large"] = max(0.0, _log_amount(amount) - math.log(LARGE_AMOUNT))

    previous = max((t for t in state["recent"] if t <= now), default=None)
    last_hour = sum(1 for t in state["recent"] if now - HOUR_S <= t <= now)
    # Seconds apart stand out more than minutes apart; two or three in an hour are everyday, more are not.
    gap = now - previous if previous is not None else RAPID_S
    features["rapid_succession"] = max(0.0, math.log(RAPID_S / max(gap, 1.0)))
    features["burst_last_hour"] = math.log1p(max(0, last_hour - 2))
    context["txns_last_hour"] = float(last_hour)

    for name, plural, key in (
        ("merchant", "merchants", merchant),
        ("category", "categories", category),
        ("channel", "channels", channel),
        ("country", "countries", country),
    ):
        counts = state[plural]
        seen = counts[key][0] if key in counts else 0
        # The chance of something new, from how often this account has met something new before.
        novelty = max(0.0, -math.log((state["distinct"][plural] + 1) / (n + 2)) - math.log(NOVELTY_SLACK))
        features[f"new_{name}"] = novelty if key is not None and seen == 0 else 0.0
        context[f"{name}_seen"] = float(seen) if key is not None else -1.0
    foreign = country is not None and state["home"] is not None and country != state["home"]
    features["foreign_country"] = -math.log((state["foreign"] + 1) / (n + 2)) if foreign else 0.0

    hour = txn.timestamp.astimezone(UTC).hour
    prior = hour_prior(state["home"])
    share = _hour_share(state["hours"], hour, prior)
    features["hour_rarity"] = _hour_rarity(share)
    in_channel = state["channel_hours"].get(channel, ())
    channel_share = _hour_share(in_channel, hour, prior) if sum(in_channel) >= MIN_CHANNEL_HOURS else share
    features["channel_hour_rarity"] = _hour_rarity(channel_share) if channel is not None else 0.0
    context["hour"] = float(hour)
    context["hour_share"] = share

    _remember(state, now, amount, type_key, merchant, category, channel, country, hour, foreign)
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
    foreign: bool,
) -> None:
    n = state["n"]
    state["foreign"] += int(foreign)
    recent = [t for t in state["recent"] if t >= now - HOUR_S]
    recent.append(now)
    state["recent"] = recent[-MAX_RECENT_TIMESTAMPS:]

    amounts = state["amounts"]
    amounts["pooled"] = [*amounts["pooled"], amount][-AMOUNTS_POOLED:]
    by_type = amounts["by_type"]
    if type_key in by_type or len(by_type) < MAX_TYPES:
        by_type[type_key] = [*by_type.get(type_key, []), amount][-AMOUNTS_PER_TYPE:]
    by_category = amounts["by_category"]
    if category is not None and (category in by_category or len(by_category) < MAX_AMOUNT_CATEGORIES):
        by_category[category] = [*by_category.get(category, []), amount][-AMOUNTS_PER_CATEGORY:]

    for key, plural, cap in (
        (merchant, "merchants", MAX_MERCHANTS),
        (category, "categories", MAX_CATEGORIES),
        (channel, "channels", MAX_CHANNELS),
        (country, "countries", MAX_COUNTRIES),
    ):
        if key is None:
            continue
        counts = state[plural]
        if key not in counts:
            state["distinct"][plural] += 1
        if key not in counts and len(counts) >= cap:
            # Forget the least used key (the longest unused among equals) to keep the state bounded.
            del counts[min(counts, key=lambda k: (counts[k][0], counts[k][1]))]
        counts[key] = [counts[key][0] + 1 if key in counts else 1, n]

    state["hours"][hour] += 1
    channel_hours = state["channel_hours"]
    if channel is not None and (channel in channel_hours or len(channel_hours) < MAX_CHANNELS):
        channel_hours.setdefault(channel, [0] * 24)[hour] += 1
    state["n"] = n + 1


def _upgrade(state: dict) -> None:
    """Bring a state stored by an earlier version up to this one, in place. A version 1 state has no hours per
    channel: they start empty, so each channel is compared with all the account's hours until it has its own."""
    if state["version"] == 1:
        state["channel_hours"] = {}
        state["version"] = STATE_VERSION


@cache
def hour_prior(home_country: str | None) -> tuple[float, ...]:
    """The pseudo-count of each hour of day (UTC): even, or lower in the night of a known home country."""
    weights = [1.0] * 24
    for hour in range(24):
        local = local_hour(hour, home_country) if home_country is not None else None
        if local is not None and local in NIGHT_HOURS:
            weights[hour] = NIGHT_PRIOR
    return tuple(24 * HOUR_SMOOTHING * weight / sum(weights) for weight in weights)


def _hour_share(hours: Sequence[int], hour: int, prior: Sequence[float]) -> float:
    """The smoothed share of `hours` (transactions per hour of day) at `hour`, with `prior`'s pseudo-counts."""
    around = hours[(hour - 1) % 24] + hours[(hour + 1) % 24]
    smoothed = HOUR_NEIGHBOUR_WEIGHT * around + HOUR_OWN_WEIGHT * hours[hour]
    kernel = 2 * HOUR_NEIGHBOUR_WEIGHT + HOUR_OWN_WEIGHT
    return (smoothed + prior[hour]) / (kernel * sum(hours) + 24 * HOUR_SMOOTHING)


def _hour_rarity(share: float) -> float:
    return max(0.0, math.log((1 / 24) / share) - math.log(HOUR_SLACK))


def _reference_amounts(amounts: dict, type_key: str) -> list[float]:
    typed = amounts["by_type"].get(type_key, [])
    if len(typed) >= MIN_TYPE_AMOUNTS:
        return typed
    if len(amounts["pooled"]) >= MIN_POOLED_AMOUNTS:
        return amounts["pooled"]
    return []


def _log_amount(amount: float) -> float:
    # A zero amount (a card check) compares like a cent.
    return math.log(max(amount, 0.01))


def _key(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    return value[:MAX_KEY_CHARS]
