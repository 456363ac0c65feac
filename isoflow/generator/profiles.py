"""Account profiles: how one account holder earns, spends and when.

A profile is derived from an account's stored attributes alone (id, type, home country, currency) with a
random generator seeded by the account id, so the scheduled generator can go on producing believable
transactions for an account created long before, and two runs agree on what an account looks like.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from isoflow.generator.catalog import (
    CATEGORIES,
    HomeCountry,
    Merchant,
    home_country,
    merchants,
)

AccountType = Literal["CHECKING", "SAVINGS", "BUSINESS", "CREDIT"]
ACCOUNT_TYPE_WEIGHTS: dict[AccountType, float] = {
    "CHECKING": 0.45,
    "SAVINGS": 0.20,
    "CREDIT": 0.20,
    "BUSINESS": 0.15,
}

DAYS_PER_MONTH = 30.44
NEW_MERCHANT_RATE = 0.03  # share of everyday spending at a merchant outside the account's usual set

# Relative activity by local hour. People spend at lunch and in the evening; businesses in office hours.
_PERSONAL_HOURS = (0.3, 0.15, 0.06, 0.04, 0.04, 0.1, 0.4, 1.0, 1.6, 1.6, 1.7, 2.0,
                   2.6, 2.2, 1.7, 1.7, 1.9, 2.4, 2.7, 2.5, 2.0, 1.5, 1.0, 0.6)  # fmt: skip
_BUSINESS_HOURS = (0.05, 0.02, 0.02, 0.02, 0.02, 0.05, 0.2, 0.8, 2.0, 2.6, 2.7, 2.6,
                   2.0, 2.3, 2.6, 2.5, 2.2, 1.5, 0.7, 0.3, 0.2, 0.15, 0.1, 0.08)  # fmt: skip
# Relative activity by weekday, Monday first.
_PERSONAL_WEEK = (0.9, 0.9, 0.95, 1.0, 1.15, 1.25, 0.85)
_BUSINESS_WEEK = (1.3, 1.3, 1.3, 1.3, 1.3, 0.35, 0.1)
QUIET_HOUR_COUNT = 4  # the least active hours of a profile: activity there is unusual
DAYS_IN_LONGEST_MONTH = 31  # a monthly date this late means the month's last day


@dataclass(frozen=True)
class Habit:
    """Spending (or income) that happens at random times, at a rate, with log-normal amounts."""

    category: str
    rate_per_day: float
    mu: float  # mean of log(amount in the account's currency)
    sigma: float  # standard deviation of log(amount)
    favourites: tuple[Merchant, ...]  # the account's stable merchants here, most used first
    favourite_weights: tuple[float, ...]

    @property
    def median(self) -> float:
        return math.exp(self.mu)


Rule = Literal["fixed", "repay_credit_line", "interest"]


@dataclass(frozen=True)
class Recurring:
    """Something that happens once a month on a set day: salary, rent, bills, subscriptions, payroll."""

    name: str  # stable within the profile; keys the month-to-month variation
    category: str
    merchant: Merchant
    day_of_month: int  # later than a month's last day means its last day
    minute_of_day: int  # local time
    amount: float  # for rule "fixed"; the others compute the amount from the balance
    variation: float  # relative standard deviation month to month
    rule: Rule = "fixed"
    business_day: bool = False  # a weekend date moves to the Friday before


@dataclass(frozen=True)
class Profile:
    account_id: str
    account_type: AccountType
    home: HomeCountry
    habits: tuple[Habit, ...]
    recurring: tuple[Recurring, ...]
    hour_weights: tuple[float, ...]  # 24, sum to 1, local time
    weekday_weights: tuple[float, ...]  # 7, Monday first, mean 1
    opening_balance: float
    overdraft_limit: float  # how far below zero the balance may go
    credit_line: float  # CREDIT accounts: the limit the monthly repayment restores
    annual_interest: float  # SAVINGS accounts

    @property
    def currency(self) -> str:
        return self.home.currency

    @property
    def daily_rate(self) -> float:
        return sum(habit.rate_per_day for habit in self.habits)

    @property
    def quiet_hours(self) -> tuple[int, ...]:
        """The local hours this account is least active in, quietest first."""
        return tuple(sorted(range(24), key=lambda hour: self.hour_weights[hour])[:QUIET_HOUR_COUNT])

    @property
    def typical_amount(self) -> float:
        """The median amount of the account's most frequent debit habit: the yardstick for spikes."""
        debits = [habit for habit in self.habits if CATEGORIES[habit.category].transaction_type != "DEPOSIT"]
        return max(debits, key=lambda habit: habit.rate_per_day).median

    def habit(self, category: str) -> Habit:
        for habit in self.habits:
            if habit.category == category:
                return habit
        raise KeyError(category)


def profile_for(account: Mapping[str, Any]) -> Profile:
    """The profile of a stored account (its accountId, accountType, homeCountry and currency)."""
    rng = random.Random(f"profile:{account['accountId']}")
    home = home_country(str(account["homeCountry"]), str(account["currency"]))
    builder = _BUILDERS[account["accountType"]]
    return builder(rng, str(account["accountId"]), home)


# --- building blocks -------------------------------------------------------------------------------------


def _rhythm(rng: random.Random, hours: Sequence[float], week: Sequence[float]) -> tuple[tuple, tuple]:
    shift = rng.choice((-1, 0, 0, 1, 1, 2))  # early birds and night owls
    shifted = [hours[(hour - shift) % 24] * rng.uniform(0.8, 1.25) for hour in range(24)]
    total = sum(shifted)
    days = [weight * rng.uniform(0.9, 1.1) for weight in week]
    mean_day = sum(days) / 7
    return tuple(w / total for w in shifted), tuple(d / mean_day for d in days)


def _favourites(rng: random.Random, home: HomeCountry, category: str, low: int, high: int) -> tuple:
    pool = merchants(home, category)
    chosen = tuple(rng.sample(pool, min(len(pool), rng.randint(low, high))))
    return chosen, tuple(1 / (rank + 1) for rank in range(len(chosen)))


# category -> (events per day, favourite merchants low..high, probability the account has this habit)
_PERSONAL_SPENDING: dict[str, tuple[float, int, int, float]] = {
    "groceries": (0.45, 2, 4, 1.0),
    "restaurants": (0.3, 3, 7, 0.95),
    "coffee": (0.5, 1, 3, 0.6),
    "fuel": (0.12, 1, 3, 0.7),
    "transport": (0.25, 1, 3, 0.6),
    "shopping": (0.2, 3, 8, 1.0),
    "entertainment": (0.1, 2, 5, 0.8),
    "health": (0.05, 1, 3, 0.8),
    "travel": (0.01, 2, 4, 0.5),
    "cash": (0.08, 1, 3, 0.85),
    "transfer": (0.1, 2, 6, 0.8),
}
_CARD_SPENDING: dict[str, tuple[float, int, int, float]] = {
    "restaurants": (0.35, 3, 8, 1.0),
    "shopping": (0.35, 3, 8, 1.0),
    "groceries": (0.2, 1, 3, 0.8),
    "travel": (0.03, 2, 4, 0.7),
    "entertainment": (0.15, 2, 5, 0.9),
    "transport": (0.15, 1, 3, 0.7),
    "fuel": (0.08, 1, 3, 0.6),
    "coffee": (0.2, 1, 3, 0.5),
    "health": (0.05, 1, 3, 0.7),
}
_BUSINESS_SPENDING: dict[str, tuple[float, int, int, float]] = {
    "suppliers": (0.3, 2, 6, 1.0),
    "office": (0.15, 2, 4, 1.0),
    "software": (0.05, 2, 4, 0.8),
    "business_travel": (0.03, 2, 4, 0.7),
    "restaurants": (0.1, 2, 5, 0.8),
    "fuel": (0.1, 1, 3, 0.6),
    "transport": (0.05, 1, 3, 0.6),
}
_SAVINGS_SPENDING: dict[str, tuple[float, int, int, float]] = {
    "own_transfer": (0.04, 1, 1, 1.0),
    "cash": (0.01, 1, 2, 0.5),
}


def _habits(
    rng: random.Random,
    home: HomeCountry,
    spending: Mapping[str, tuple[float, int, int, float]],
    monthly_budget: float | None,
) -> tuple[Habit, ...]:
    """Habits with amounts scaled so their expected monthly total meets the budget (None: catalog scale)."""
    drafts = []
    for category, (rate, low, high, probability) in spending.items():
        if rng.random() >= probability:
            continue
        favourites, weights = _favourites(rng, home, category, low, high)
        median = CATEGORIES[category].median_usd * home.units_per_usd * rng.uniform(0.7, 1.4)
        drafts.append((category, rate * rng.uniform(0.6, 1.4), median, favourites, weights))
    scale = 1.0
    if monthly_budget is not None:
        sigma_of = {category: CATEGORIES[category].sigma for category, *_ in drafts}
        expected = DAYS_PER_MONTH * sum(
            rate * median * math.exp(sigma_of[category] ** 2 / 2) for category, rate, median, *_ in drafts
        )
        scale = monthly_budget / expected
    return tuple(
        Habit(
            category=category,
            rate_per_day=rate,
            mu=math.log(median * scale),
            sigma=CATEGORIES[category].sigma,
            favourites=favourites,
            favourite_weights=weights,
        )
        for category, rate, median, favourites, weights in drafts
    )


def _bill(
    rng: random.Random,
    home: HomeCountry,
    name: str,
    category: str,
    amount: float,
    day: int | None = None,
    variation: float = 0.0,
    rule: Rule = "fixed",
    business_day: bool = False,
) -> Recurring:
    return Recurring(
        name=name,
        category=category,
        merchant=rng.choice(merchants(home, category)),
        day_of_month=day if day is not None else rng.randint(1, 28),
        minute_of_day=rng.randint(6 * 60, 10 * 60 - 1),  # banks post scheduled payments in the morning
        amount=round(amount, 2),
        variation=variation,
        rule=rule,
        business_day=business_day,
    )


def _subscriptions(rng: random.Random, home: HomeCountry, low: int, high: int, price: float) -> list:
    return [
        _bill(rng, home, f"subscription{n}", "subscriptions", price * home.units_per_usd * rng.uniform(0.6, 1.6))
        for n in range(rng.randint(low, high))
    ]


# --- the four account types ------------------------------------------------------------------------------


def _checking(rng: random.Random, account_id: str, home: HomeCountry) -> Profile:
    hours, week = _rhythm(rng, _PERSONAL_HOURS, _PERSONAL_WEEK)
    fx = home.units_per_usd
    salary = 3200 * fx * rng.lognormvariate(0, 0.4)
    payday = rng.choice((1, 15, 25, 28, 31))
    bills = [
        _bill(rng, home, "salary", "income", salary, payday, business_day=True),
        _bill(rng, home, "rent", "housing", salary * rng.uniform(0.22, 0.38), rng.randint(1, 5)),
        _bill(rng, home, "utilities", "utilities", salary * rng.uniform(0.02, 0.04), variation=0.15),
    ]
    if rng.random() < 0.9:
        bills.append(_bill(rng, home, "phone", "telecom", 45 * fx * rng.uniform(0.6, 1.6)))
    if rng.random() < 0.6:
        bills.append(_bill(rng, home, "insurance", "insurance", 60 * fx * rng.uniform(0.5, 2.0)))
    if rng.random() < 0.4:
        bills.append(_bill(rng, home, "gym", "fitness", 40 * fx * rng.uniform(0.6, 1.5)))
    bills += _subscriptions(rng, home, 0, 3, 12)
    fixed_costs = sum(bill.amount for bill in bills if bill.category != "income")
    # Most people spend most of what is left; a floor keeps even a tight budget buying groceries.
    budget = max(salary * rng.uniform(0.75, 0.95) - fixed_costs, salary * 0.15)
    return Profile(
        account_id=account_id,
        account_type="CHECKING",
        home=home,
        habits=_habits(rng, home, _PERSONAL_SPENDING, budget),
        recurring=tuple(bills),
        hour_weights=hours,
        weekday_weights=week,
        opening_balance=round(salary * rng.uniform(0.3, 2.5), 2),
        overdraft_limit=round(rng.choice((0, 250, 500, 1000)) * fx, 2),
        credit_line=0.0,
        annual_interest=0.0,
    )


def _credit(rng: random.Random, account_id: str, home: HomeCountry) -> Profile:
    hours, week = _rhythm(rng, _PERSONAL_HOURS, _PERSONAL_WEEK)
    credit_line = round(5000 * home.units_per_usd * rng.lognormvariate(0, 0.5), -2)
    bills = [
        # The statement is paid in full: the repayment restores the credit line.
        _bill(rng, home, "repayment", "repayment", 0.0, rule="repay_credit_line"),
        *_subscriptions(rng, home, 1, 3, 12),
    ]
    return Profile(
        account_id=account_id,
        account_type="CREDIT",
        home=home,
        habits=_habits(rng, home, _CARD_SPENDING, credit_line * rng.uniform(0.15, 0.45)),
        recurring=tuple(bills),
        hour_weights=hours,
        weekday_weights=week,
        opening_balance=credit_line,  # the balance of a card account is its available credit
        overdraft_limit=0.0,
        credit_line=credit_line,
        annual_interest=0.0,
    )


def _savings(rng: random.Random, account_id: str, home: HomeCountry) -> Profile:
    hours, week = _rhythm(rng, _PERSONAL_HOURS, _PERSONAL_WEEK)
    fx = home.units_per_usd
    bills = [_bill(rng, home, "interest", "interest", 0.0, DAYS_IN_LONGEST_MONTH, rule="interest")]
    if rng.random() < 0.7:
        bills.append(_bill(rng, home, "standing_order", "savings", 300 * fx * rng.lognormvariate(0, 0.5)))
    return Profile(
        account_id=account_id,
        account_type="SAVINGS",
        home=home,
        habits=_habits(rng, home, _SAVINGS_SPENDING, None),
        recurring=tuple(bills),
        hour_weights=hours,
        weekday_weights=week,
        opening_balance=round(8000 * fx * rng.lognormvariate(0, 0.8), 2),
        overdraft_limit=0.0,
        credit_line=0.0,
        annual_interest=rng.uniform(0.005, 0.04),
    )


def _business(rng: random.Random, account_id: str, home: HomeCountry) -> Profile:
    hours, week = _rhythm(rng, _BUSINESS_HOURS, _BUSINESS_WEEK)
    fx = home.units_per_usd
    revenue = 30000 * fx * rng.lognormvariate(0, 0.7)
    sales_rate = rng.uniform(0.3, 1.5)
    sales_sigma = CATEGORIES["sales"].sigma
    clients, client_weights = _favourites(rng, home, "sales", 4, 15)
    sales = Habit(
        category="sales",
        rate_per_day=sales_rate,
        # the median that makes the expected monthly sales equal the revenue
        mu=math.log(revenue / (DAYS_PER_MONTH * sales_rate)) - sales_sigma**2 / 2,
        sigma=sales_sigma,
        favourites=clients,
        favourite_weights=client_weights,
    )
    bills = [
        _bill(
            rng,
            home,
            "payroll",
            "payroll",
            revenue * rng.uniform(0.25, 0.4),
            rng.choice((25, 28, 31)),
            business_day=True,
        ),
        _bill(rng, home, "rent", "housing", revenue * rng.uniform(0.05, 0.1), 1),
        _bill(rng, home, "utilities", "utilities", revenue * rng.uniform(0.01, 0.02), variation=0.15),
        _bill(rng, home, "phone", "telecom", 120 * fx * rng.uniform(0.6, 1.6)),
        *_subscriptions(rng, home, 2, 4, 60),
    ]
    fixed_costs = sum(bill.amount for bill in bills)
    budget = max(revenue * rng.uniform(0.8, 0.95) - fixed_costs, revenue * 0.1)
    return Profile(
        account_id=account_id,
        account_type="BUSINESS",
        home=home,
        habits=(sales, *_habits(rng, home, _BUSINESS_SPENDING, budget)),
        recurring=tuple(bills),
        hour_weights=hours,
        weekday_weights=week,
        opening_balance=round(revenue * rng.uniform(0.5, 2.0), 2),
        overdraft_limit=round(revenue * 0.1, 2),
        credit_line=0.0,
        annual_interest=0.0,
    )


_BUILDERS = {"CHECKING": _checking, "CREDIT": _credit, "SAVINGS": _savings, "BUSINESS": _business}
