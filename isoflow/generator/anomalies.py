"""Injected anomalies: what fraud and errors look like on an account, with the kind kept as ground truth.

Each kind departs from the account's profile in one recognisable way, except account takeover, which does
several at once. The kind travels on the stored transaction as `injectedAnomaly` so that detection can be
measured; it is never an input to detection.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from isoflow.generator.catalog import CATEGORIES, FOREIGN_COUNTRIES, UNUSUAL_CATEGORIES, Channel, merchants
from isoflow.generator.profiles import Profile
from isoflow.generator.transactions import Draft, cents_for, describe, pick_channel

AnomalyKind = Literal[
    "amount_spike",
    "foreign_country",
    "unusual_hour",
    "velocity_burst",
    "new_merchant_unusual_category",
    "account_takeover",
]
ANOMALY_KINDS: tuple[AnomalyKind, ...] = get_args(AnomalyKind)

DEFAULT_ANOMALY_RATE = 0.004  # share of all transactions that are injected anomalies

# How many transactions one anomaly of each kind makes (inclusive ranges) and over how many seconds at most.
_BURST_SIZE = (4, 8)
_TAKEOVER_SIZE = (3, 6)
_BURST_GAP_SECONDS = (5, 30)
_TAKEOVER_GAP_SECONDS = (10, 45)
SPIKE_FACTOR = (6.0, 20.0)  # an amount spike is this many times the habit's median
SPIKE_MINIMUM_FACTOR = 4.0  # capped to the balance, a spike below this is no spike and is not injected


def _mean_size(kind: AnomalyKind) -> float:
    if kind == "velocity_burst":
        return sum(_BURST_SIZE) / 2
    if kind == "account_takeover":
        return sum(_TAKEOVER_SIZE) / 2
    return 1.0


MEAN_TRANSACTIONS_PER_ANOMALY = sum(_mean_size(kind) for kind in ANOMALY_KINDS) / len(ANOMALY_KINDS)


def anomalies_per_normal_transaction(rate: float) -> float:
    """How many anomalies to start per normal transaction so that `rate` of all transactions are anomalous."""
    if not 0 <= rate < 1:
        raise ValueError(f"anomaly rate must be in [0, 1), got {rate}")
    return rate / (MEAN_TRANSACTIONS_PER_ANOMALY * (1 - rate))


@dataclass(frozen=True)
class Planned:
    """One anomalous transaction placed in time; `make` drafts it when the replay reaches it."""

    timestamp: int
    make: Callable[[random.Random], Draft]


def plan(profile: Profile, kind: AnomalyKind, start: int, end: int, rng: random.Random) -> list[Planned]:
    """The transactions of one anomaly of `kind` somewhere in [start, end); empty if it cannot fit there."""
    at = rng.randrange(start, end)
    if kind == "unusual_hour":
        quiet = _quiet_time(profile, at, start, end, rng)
        if quiet is None:
            return []
        return [Planned(quiet, lambda r: _unusual_hour(profile, quiet, r))]
    if kind == "amount_spike":
        return [Planned(at, lambda r: _amount_spike(profile, at, r))]
    if kind == "foreign_country":
        where = _foreign_country(profile, rng)
        return [Planned(at, lambda r: _foreign_purchase(profile, where, at, r))]
    if kind == "new_merchant_unusual_category":
        return [Planned(at, lambda r: _unusual_category(profile, at, r))]
    if kind == "velocity_burst":
        return _velocity_burst(profile, at, end, rng)
    return _account_takeover(profile, at, start, end, rng)


# --- single transactions ---------------------------------------------------------------------------------


def _quiet_time(profile: Profile, at: int, start: int, end: int, rng: random.Random) -> int | None:
    """`at`, or the same local day moved into one of the account's quiet hours; None outside [start, end)."""
    offset = profile.home.utc_offset_minutes * 60
    local = at + offset
    if (local // 3600) % 24 in profile.quiet_hours:
        return at
    day_start = local - local % 86400
    moved = day_start + rng.choice(profile.quiet_hours) * 3600 + rng.randrange(3600) - offset
    return moved if start <= moved < end else None


def _spending_habits(profile: Profile) -> list:
    return [habit for habit in profile.habits if CATEGORIES[habit.category].transaction_type == "PURCHASE"] or [
        habit for habit in profile.habits if CATEGORIES[habit.category].transaction_type != "DEPOSIT"
    ]


def _amount_spike(profile: Profile, at: int, rng: random.Random) -> Draft:
    habits = _spending_habits(profile)
    habit = rng.choices(habits, weights=[h.rate_per_day for h in habits])[0]
    merchant = rng.choices(habit.favourites, weights=habit.favourite_weights)[0]
    channel = pick_channel(rng, habit.category)
    return Draft(
        category=habit.category,
        merchant=merchant,
        channel=channel,
        cents=cents_for(habit.category, habit.median * rng.uniform(*SPIKE_FACTOR)),
        description=describe(rng, habit.category, channel, merchant, at),
        transaction_type=CATEGORIES[habit.category].transaction_type,
        anomaly="amount_spike",
        minimum_cents=cents_for(habit.category, habit.median * SPIKE_MINIMUM_FACTOR),
    )


def _foreign_country(profile: Profile, rng: random.Random) -> str:
    return rng.choice(sorted(code for code in FOREIGN_COUNTRIES if code != profile.home.code))


def _foreign_purchase(profile: Profile, country_code: str, at: int, rng: random.Random) -> Draft:
    category = rng.choice(("shopping", "restaurants", "cash", "electronics"))
    merchant = rng.choice(merchants(FOREIGN_COUNTRIES[country_code], category))
    channel: Channel = "ATM" if category == "cash" else "CARD_PRESENT"
    return Draft(
        category=category,
        merchant=merchant,
        channel=channel,
        cents=cents_for(category, profile.typical_amount * rng.uniform(1.0, 4.0)),
        description=describe(rng, category, channel, merchant, at),
        transaction_type=CATEGORIES[category].transaction_type,
        anomaly="foreign_country",
    )


def _unusual_hour(profile: Profile, at: int, rng: random.Random) -> Draft:
    habits = _spending_habits(profile)
    habit = rng.choices(habits, weights=[h.rate_per_day for h in habits])[0]
    merchant = rng.choices(habit.favourites, weights=habit.favourite_weights)[0]
    channel = pick_channel(rng, habit.category)
    return Draft(
        category=habit.category,
        merchant=merchant,
        channel=channel,
        cents=cents_for(habit.category, rng.lognormvariate(habit.mu, habit.sigma) * rng.uniform(1.0, 2.0)),
        description=describe(rng, habit.category, channel, merchant, at),
        transaction_type=CATEGORIES[habit.category].transaction_type,
        anomaly="unusual_hour",
    )


def _unusual_category(profile: Profile, at: int, rng: random.Random) -> Draft:
    category = rng.choice(UNUSUAL_CATEGORIES)
    merchant = rng.choice(merchants(profile.home, category))
    channel = pick_channel(rng, category)
    median = CATEGORIES[category].median_usd * profile.home.units_per_usd
    return Draft(
        category=category,
        merchant=merchant,
        channel=channel,
        cents=cents_for(category, median * rng.lognormvariate(0, 0.4)),
        description=describe(rng, category, channel, merchant, at),
        transaction_type=CATEGORIES[category].transaction_type,
        anomaly="new_merchant_unusual_category",
    )


# --- several transactions at once ------------------------------------------------------------------------


def _times(at: int, end: int, count: int, gaps: tuple[int, int], rng: random.Random) -> list[int]:
    times = [at]
    for _ in range(count - 1):
        times.append(times[-1] + rng.randint(*gaps))
    # A burst near the end of the period is squeezed into it rather than spilling past it.
    return [min(t, end - 1) for t in times]


def _velocity_burst(profile: Profile, at: int, end: int, rng: random.Random) -> list[Planned]:
    category = rng.choice(("shopping", "electronics", "gift_cards"))
    targets = rng.sample(merchants(profile.home, category), rng.randint(1, 3))

    def make(when: int) -> Callable[[random.Random], Draft]:
        def draft(r: random.Random) -> Draft:
            merchant = r.choice(targets)
            return Draft(
                category=category,
                merchant=merchant,
                channel="ONLINE",
                cents=cents_for(category, profile.typical_amount * r.uniform(0.3, 1.5)),
                description=describe(r, category, "ONLINE", merchant, when),
                transaction_type="PURCHASE",
                anomaly="velocity_burst",
            )

        return draft

    times = _times(at, end, rng.randint(*_BURST_SIZE), _BURST_GAP_SECONDS, rng)
    return [Planned(when, make(when)) for when in times]


def _account_takeover(profile: Profile, at: int, start: int, end: int, rng: random.Random) -> list[Planned]:
    """Someone else in control: at night if the period allows, often abroad, buying what resells, then
    moving money to a payee the account never paid."""
    at = _quiet_time(profile, at, start, end, rng) or at
    where = FOREIGN_COUNTRIES[_foreign_country(profile, rng)] if rng.random() < 0.6 else profile.home
    count = rng.randint(*_TAKEOVER_SIZE)
    times = _times(at, end, count, _TAKEOVER_GAP_SECONDS, rng)

    def purchase(when: int) -> Callable[[random.Random], Draft]:
        def draft(r: random.Random) -> Draft:
            category = r.choice(("electronics", "gift_cards", "crypto"))
            merchant = r.choice(merchants(where, category))
            return Draft(
                category=category,
                merchant=merchant,
                channel="ONLINE",
                cents=cents_for(category, profile.typical_amount * r.uniform(3.0, 10.0)),
                description=describe(r, category, "ONLINE", merchant, when),
                transaction_type="PURCHASE",
                anomaly="account_takeover",
            )

        return draft

    def transfer_out(when: int) -> Callable[[random.Random], Draft]:
        def draft(r: random.Random) -> Draft:
            payee = r.choice(merchants(where, "transfer"))
            return Draft(
                category="transfer",
                merchant=payee,
                channel="BANK_TRANSFER",
                cents=cents_for("transfer", profile.typical_amount * r.uniform(5.0, 15.0)),
                description=describe(r, "transfer", "BANK_TRANSFER", payee, when),
                transaction_type="TRANSFER",
                anomaly="account_takeover",
            )

        return draft

    return [Planned(when, purchase(when)) for when in times[:-1]] + [Planned(times[-1], transfer_out(times[-1]))]
