"""Transactions of one account over a period: its profile's habits and monthly bills, with anomalies mixed in.

Times are whole seconds since the epoch (UTC). Everyday spending is a Poisson process whose intensity
follows the profile's weekday and hour-of-day rhythm in the account's local time; monthly items post on
calendar dates, so simulating consecutive periods separately yields each of them exactly once. The replay
walks the period in time order with a running balance: everyday spending the account cannot afford does
not happen, an anomaly is capped to what is available, and balance-based amounts (card repayment, interest)
come from the balance at that moment.
"""

from __future__ import annotations

import calendar
import math
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from isoflow.generator.anomalies import (
    ANOMALY_KINDS,
    anomalies_per_normal_transaction,
    plan,
)
from isoflow.generator.catalog import CATEGORIES, merchants
from isoflow.generator.profiles import NEW_MERCHANT_RATE, Habit, Profile, Recurring
from isoflow.generator.transactions import (
    Draft,
    cents_for,
    describe,
    opening_deposit,
    pick_channel,
    to_cents,
    to_item,
)

DAY = 86400
HOUR = 3600
_HOURS = tuple(range(24))
# Within one second, the opening deposit comes first, then monthly items, then everything else.
_OPENING, _MONTHLY, _EVERYDAY = 0, 1, 2

Maker = Callable[[random.Random, int], Draft | None]  # (rng, balance in cents) -> draft, or nothing happens


def simulate(
    profile: Profile,
    start: int,
    end: int,
    rng: random.Random,
    balance: int = 0,
    anomaly_rate: float = 0.0,
    open_account: bool = False,
) -> list[dict[str, object]]:
    """The account's transactions in [start, end), oldest first, as stored items.

    `balance` is the balance in cents at `start`; `open_account` starts the period with the opening deposit.
    """
    events: list[tuple[int, int, int, Maker]] = []
    if open_account:
        opening = opening_deposit(profile.account_type, profile.home.code, to_cents(profile.opening_balance))
        events.append((start, _OPENING, 0, lambda r, b: opening))
    for when, recurring in _monthly(profile, start, end):
        events.append((when, _MONTHLY, len(events), _recurring_maker(profile, recurring, when)))
    habits = profile.habits
    habit_weights = [habit.rate_per_day for habit in habits]
    for when in _everyday_times(profile, start, end, rng):
        habit = rng.choices(habits, weights=habit_weights)[0]
        events.append((when, _EVERYDAY, len(events), _habit_maker(profile, habit, when)))

    expected_anomalies = len(events) * anomalies_per_normal_transaction(anomaly_rate)
    for _ in range(_poisson(rng, expected_anomalies)):
        for planned in plan(profile, rng.choice(ANOMALY_KINDS), start, end, rng):
            events.append((planned.timestamp, _EVERYDAY, len(events), _anomaly_maker(planned.make)))

    events.sort(key=lambda event: (event[0], event[1], event[2]))
    floor = -to_cents(profile.overdraft_limit)
    items = []
    for when, _, _, maker in events:
        # Drawn before anything can be skipped: generating a period again gives its transactions the same
        # ids whatever the balance did in between, so a repeated run cannot write them twice.
        transaction_id = f"txn_{rng.getrandbits(80):020x}"
        draft = maker(rng, balance)
        if draft is None:
            continue
        if draft.transaction_type == "DEPOSIT":
            balance += draft.cents
        else:
            available = balance - floor
            if draft.cents > available:
                if draft.anomaly is None or available * 9 // 10 < draft.minimum_cents:
                    continue
                draft = replace(draft, cents=available * 9 // 10)
            balance -= draft.cents
        items.append(to_item(draft, transaction_id, profile.account_id, profile.currency, when))
    return items


# --- when things happen ----------------------------------------------------------------------------------


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:  # the normal approximation is close and saves the long product below
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _everyday_times(profile: Profile, start: int, end: int, rng: random.Random) -> list[int]:
    """Times of everyday spending in [start, end): per local day, then per hour for partly covered days."""
    offset = profile.home.utc_offset_minutes * 60
    local_start, local_end = start + offset, end + offset
    rate, hour_weights = profile.daily_rate, profile.hour_weights
    times = []
    day = local_start // DAY
    while day * DAY < local_end:
        day_start = day * DAY
        day_rate = rate * profile.weekday_weights[(day + 3) % 7]  # 1970-01-01 was a Thursday
        if local_start <= day_start and day_start + DAY <= local_end:
            for _ in range(_poisson(rng, day_rate)):
                hour = rng.choices(_HOURS, weights=hour_weights)[0]
                times.append(day_start + hour * HOUR + rng.randrange(HOUR) - offset)
        else:
            low, high = max(day_start, local_start), min(day_start + DAY, local_end)
            for hour in range((low - day_start) // HOUR, (high - day_start - 1) // HOUR + 1):
                slot_low = max(low, day_start + hour * HOUR)
                slot_high = min(high, day_start + (hour + 1) * HOUR)
                mean = day_rate * hour_weights[hour] * (slot_high - slot_low) / HOUR
                times.extend(rng.randrange(slot_low, slot_high) - offset for _ in range(_poisson(rng, mean)))
        day += 1
    return times


def _monthly(profile: Profile, start: int, end: int) -> list[tuple[int, Recurring]]:
    """Each monthly item's posting time in [start, end), from the calendar alone."""
    offset = profile.home.utc_offset_minutes * 60
    first = datetime.fromtimestamp(start + offset, UTC)
    last = datetime.fromtimestamp(end + offset, UTC)
    year, month = first.year, first.month
    posted = []
    while (year, month) <= (last.year, last.month):
        days_in_month = calendar.monthrange(year, month)[1]
        for recurring in profile.recurring:
            day = min(recurring.day_of_month, days_in_month)
            weekday = calendar.weekday(year, month, day)
            if recurring.business_day and weekday >= 5:
                day -= weekday - 4  # back to Friday
            local = calendar.timegm((year, month, day, 0, 0, 0)) + recurring.minute_of_day * 60
            if start <= local - offset < end:
                posted.append((local - offset, recurring))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return posted


# --- what happens ----------------------------------------------------------------------------------------


def _recurring_maker(profile: Profile, recurring: Recurring, when: int) -> Maker:
    category = CATEGORIES[recurring.category]

    def make(rng: random.Random, balance: int) -> Draft | None:
        # Every draw comes before the balance is looked at, so the draws do not depend on it.
        channel = pick_channel(rng, recurring.category)
        description = describe(rng, recurring.category, channel, recurring.merchant, when)
        fixed = cents_for(recurring.category, recurring.amount * max(0.2, rng.gauss(1, recurring.variation)))
        if recurring.rule == "repay_credit_line":
            cents = to_cents(profile.credit_line) - balance
        elif recurring.rule == "interest":
            cents = round(balance * profile.annual_interest / 12)
        else:
            cents = fixed
        if cents <= 0:
            return None
        return Draft(
            category=recurring.category,
            merchant=recurring.merchant,
            channel=channel,
            cents=cents,
            description=description,
            transaction_type=category.transaction_type,
        )

    return make


def _anomaly_maker(make: Callable[[random.Random], Draft]) -> Maker:
    return lambda rng, balance: make(rng)


def _habit_maker(profile: Profile, habit: Habit, when: int) -> Maker:
    def make(rng: random.Random, balance: int) -> Draft:
        if rng.random() < NEW_MERCHANT_RATE:
            merchant = rng.choice(merchants(profile.home, habit.category))
        else:
            merchant = rng.choices(habit.favourites, weights=habit.favourite_weights)[0]
        channel = pick_channel(rng, habit.category)
        return Draft(
            category=habit.category,
            merchant=merchant,
            channel=channel,
            cents=cents_for(habit.category, rng.lognormvariate(habit.mu, habit.sigma)),
            description=describe(rng, habit.category, channel, merchant, when),
            transaction_type=CATEGORIES[habit.category].transaction_type,
        )

    return make
