"""Generated transactions follow their account's profile: amounts, hours, weekdays, merchants, balances."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from isoflow.generator.catalog import CATEGORIES, merchants
from isoflow.generator.history import AccountHistory, generate_history
from isoflow.generator.profiles import NEW_MERCHANT_RATE, Profile, profile_for
from isoflow.timestamps import parse_timestamp

END = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def population() -> list[tuple[AccountHistory, Profile]]:
    """Three months of 200 accounts without anomalies: everything in it should match the profiles."""
    histories = generate_history(200, 90, seed=11, end=END, anomaly_rate=0.0)
    return [(history, profile_for(history.account)) for history in histories]


def everyday(history: AccountHistory, profile: Profile) -> list[dict]:
    """The transactions drawn from the profile's habits (not the opening deposit or monthly items)."""
    monthly = {(r.category, r.merchant.name) for r in profile.recurring}
    habits = {habit.category for habit in profile.habits}
    return [
        t for t in history.transactions if t["category"] in habits and (t["category"], t["merchant"]) not in monthly
    ]


def local_hour(transaction: dict, profile: Profile) -> int:
    moment = parse_timestamp(transaction["timestamp"]).timestamp() + profile.home.utc_offset_minutes * 60
    return int(moment // 3600 % 24)


def test_every_account_type_is_generated_with_its_own_kind_of_activity(population):
    types = Counter(history.account["accountType"] for history, _ in population)
    assert set(types) == {"CHECKING", "SAVINGS", "BUSINESS", "CREDIT"}
    per_day = defaultdict(list)
    for history, _ in population:
        per_day[history.account["accountType"]].append(len(history.transactions) / 90)
    assert statistics.median(per_day["SAVINGS"]) < 0.5 < statistics.median(per_day["CHECKING"])


def test_amounts_are_log_normal_with_each_habits_parameters(population):
    checked = 0
    for history, profile in population:
        by_category = defaultdict(list)
        for t in everyday(history, profile):
            if t["category"] != "cash":  # cash comes in notes, rounded
                by_category[t["category"]].append(math.log(float(t["amount"])))
        for category, logs in by_category.items():
            if len(logs) < 30:
                continue
            habit = profile.habit(category)
            standard_error = habit.sigma / math.sqrt(len(logs))
            assert abs(statistics.fmean(logs) - habit.mu) < 4.5 * standard_error, (profile.account_id, category)
            assert 0.6 < statistics.stdev(logs) / habit.sigma < 1.5, (profile.account_id, category)
            checked += 1
    assert checked > 100


def test_business_accounts_move_larger_sums_than_people(population):
    business, personal = [], []
    for history, profile in population:
        transfers = [float(t["amount"]) for t in history.transactions if t["transactionType"] == "TRANSFER"]
        if profile.account_type == "BUSINESS":
            business += transfers
        elif profile.account_type == "CHECKING":
            personal += transfers
    assert statistics.median(business) > 10 * statistics.median(personal)


def test_credit_accounts_are_card_spending(population):
    for history, profile in population:
        if profile.account_type != "CREDIT":
            continue
        debits = [t for t in history.transactions if t["transactionType"] != "DEPOSIT"]
        assert all(t["transactionType"] == "PURCHASE" for t in debits)
        assert all(t["channel"] in ("CARD_PRESENT", "ONLINE") for t in debits)


def test_hours_follow_the_profiles_daily_rhythm(population):
    correlated = 0
    quiet = total = 0
    for history, profile in population:
        hours = [local_hour(t, profile) for t in everyday(history, profile)]
        total += len(hours)
        quiet += sum(hour in profile.quiet_hours for hour in hours)
        if len(hours) >= 150:
            counts = Counter(hours)
            assert statistics.correlation([counts[h] for h in range(24)], list(profile.hour_weights)) > 0.7
            correlated += 1
    assert correlated > 30
    assert quiet / total < 0.02


def test_weekly_rhythm(population):
    business_weekend, business_all = 0, 0
    saturdays, mondays = 0, 0
    for history, profile in population:
        for t in everyday(history, profile):
            moment = parse_timestamp(t["timestamp"]).timestamp() + profile.home.utc_offset_minutes * 60
            weekday = int((moment // 86400 + 3) % 7)
            if profile.account_type == "BUSINESS":
                business_all += 1
                business_weekend += weekday >= 5
            else:
                saturdays += weekday == 5
                mondays += weekday == 0
    assert business_weekend / business_all < 0.12
    assert saturdays > 1.15 * mondays


def test_merchants_come_from_a_stable_set_with_occasional_new_ones(population):
    usual = total = 0
    for history, profile in population:
        for t in everyday(history, profile):
            habit = profile.habit(t["category"])
            total += 1
            if t["merchant"] in {m.name for m in habit.favourites}:
                usual += 1
            else:
                assert t["merchant"] in {m.name for m in merchants(profile.home, t["category"])}
    assert 1 - NEW_MERCHANT_RATE - 0.01 < usual / total < 1 - NEW_MERCHANT_RATE / 2


def test_checking_accounts_are_paid_monthly_and_pay_their_bills(population):
    for history, profile in population:
        if profile.account_type != "CHECKING":
            continue
        salary = next(r for r in profile.recurring if r.category == "income")
        paid = [t for t in history.transactions if t["category"] == "income"]
        months = {t["timestamp"][:7] for t in history.transactions[1:]}
        assert len(paid) >= len(months) - 1
        assert {t["merchant"] for t in paid} == {salary.merchant.name}
        assert {t["amount"] for t in paid} == {Decimal(str(salary.amount))}
        assert all(t["transactionType"] == "DEPOSIT" and t["channel"] == "BANK_TRANSFER" for t in paid)
        rent = [t for t in history.transactions if t["category"] == "housing"]
        assert len({t["timestamp"][8:16] for t in rent}) <= 2  # same day and time, short months aside


def test_balances_open_with_a_deposit_and_stay_within_the_overdraft(population):
    for history, profile in population:
        opening = history.transactions[0]
        assert opening["transactionType"] == "DEPOSIT"
        assert opening["timestamp"] == history.account["createdAt"]
        assert opening["amount"] == Decimal(str(profile.opening_balance))
        balance = Decimal(0)
        for t in history.transactions:
            assert t["amount"] > 0
            balance += t["amount"] if t["transactionType"] == "DEPOSIT" else -t["amount"]
            assert balance >= -Decimal(str(profile.overdraft_limit)), profile.account_id


def test_card_repayments_restore_the_credit_line(population):
    for history, profile in population:
        if profile.account_type != "CREDIT":
            continue
        balance = Decimal(0)
        for t in history.transactions:
            balance += t["amount"] if t["transactionType"] == "DEPOSIT" else -t["amount"]
            if t["category"] == "repayment":
                assert balance == Decimal(str(profile.credit_line))


def test_descriptions_channels_and_countries_fit_the_transaction(population):
    for history, profile in population:
        for t in history.transactions[1:]:
            category = CATEGORIES[t["category"]]
            assert t["transactionType"] == category.transaction_type
            assert t["channel"] in dict(category.channels)
            assert t["merchant"] in t["description"] or t["category"] in (
                "savings", "interest", "repayment", "own_transfer", "payroll",
            )  # fmt: skip
            if category.merchant_style != "digital":  # digital services bill from where they are registered
                assert t["country"] == profile.home.code


def test_a_profile_comes_from_the_stored_account_alone(population):
    history, profile = population[0]
    stored = {**history.account, "name": "Someone Else", "balance": 12.5, "version": 9, "isStale": True}
    assert profile_for(stored) == profile
    other = population[1][0].account
    assert profile_for({**stored, "accountId": other["accountId"]}) != profile


def test_accounts_from_elsewhere_get_a_profile_in_their_own_country_and_currency():
    account = {"accountId": "acc_00000000000000aa", "accountType": "CHECKING", "homeCountry": "JP", "currency": "JPY"}
    profile = profile_for(account)
    assert profile.currency == "JPY"
    assert profile.habit("groceries").median > 500  # yen, not dollars
    assert {m.country for m in profile.habit("groceries").favourites} == {"JP"}
