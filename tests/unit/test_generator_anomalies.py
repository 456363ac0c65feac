"""Injected anomalies: their rate, their kinds, what each kind looks like, and that detection never sees them."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime

import pytest

from isoflow.generator.anomalies import ANOMALY_KINDS, DEFAULT_ANOMALY_RATE, SPIKE_MINIMUM_FACTOR
from isoflow.generator.catalog import HOME_COUNTRIES, UNUSUAL_CATEGORIES
from isoflow.generator.history import AccountHistory, generate_history
from isoflow.generator.profiles import Profile, profile_for
from isoflow.store.transactions import model_input
from isoflow.timestamps import parse_timestamp
from model.features import Txn, replay

END = datetime(2026, 11, 1, tzinfo=UTC)
RATE = 0.02  # higher than the default, so that a small population holds enough of every kind


@pytest.fixture(scope="module")
def population() -> list[tuple[AccountHistory, Profile]]:
    histories = generate_history(300, 60, seed=5, end=END, anomaly_rate=RATE)
    return [(history, profile_for(history.account)) for history in histories]


def anomalies(population, kind: str) -> list[tuple[list[dict], Profile]]:
    """Per account, its transactions of one anomaly kind."""
    found = []
    for history, profile in population:
        of_kind = [t for t in history.transactions if t.get("injectedAnomaly") == kind]
        if of_kind:
            found.append((of_kind, profile))
    return found


def seconds(transaction: dict) -> float:
    return parse_timestamp(transaction["timestamp"]).timestamp()


def test_the_default_rate_is_a_few_per_thousand():
    assert 0.001 <= DEFAULT_ANOMALY_RATE <= 0.01


def test_anomalies_appear_at_the_configured_rate_with_every_kind(population):
    transactions = [t for history, _ in population for t in history.transactions]
    kinds = Counter(t.get("injectedAnomaly") for t in transactions)
    anomalous = len(transactions) - kinds.pop(None)
    assert 0.75 * RATE < anomalous / len(transactions) < 1.25 * RATE
    assert set(kinds) == set(ANOMALY_KINDS)


def test_no_anomalies_at_rate_zero():
    histories = generate_history(50, 30, seed=5, end=END, anomaly_rate=0.0)
    assert not any("injectedAnomaly" in t for history in histories for t in history.transactions)


def test_amount_spikes_are_many_times_the_usual_amount(population):
    for spikes, profile in anomalies(population, "amount_spike"):
        for t in spikes:
            habit = profile.habit(t["category"])
            assert float(t["amount"]) >= SPIKE_MINIMUM_FACTOR * habit.median * 0.99
            assert t["merchant"] in {m.name for m in habit.favourites}


def test_foreign_country_anomalies_happen_abroad_in_person(population):
    for found, profile in anomalies(population, "foreign_country"):
        for t in found:
            assert t["country"] != profile.home.code
            assert t["country"] not in HOME_COUNTRIES
            assert t["channel"] in ("CARD_PRESENT", "ATM")


def test_unusual_hours_are_the_accounts_quiet_hours(population):
    found = anomalies(population, "unusual_hour")
    assert found
    for transactions, profile in found:
        for t in transactions:
            local = seconds(t) + profile.home.utc_offset_minutes * 60
            assert int(local // 3600 % 24) in profile.quiet_hours


def test_velocity_bursts_are_several_transactions_within_minutes(population):
    for burst, _ in anomalies(population, "velocity_burst"):
        times = sorted(seconds(t) for t in burst)
        assert len(times) >= 4
        # a window of 4 or more transactions within 5 minutes
        assert any(times[i + 3] - times[i] <= 300 for i in range(len(times) - 3))


def test_new_merchants_in_unusual_categories_are_outside_the_profile(population):
    for found, profile in anomalies(population, "new_merchant_unusual_category"):
        for t in found:
            assert t["category"] in UNUSUAL_CATEGORIES
            assert t["category"] not in {habit.category for habit in profile.habits}


def test_account_takeover_combines_several_departures(population):
    found = anomalies(population, "account_takeover")
    assert found
    for transactions, profile in found:
        usual_merchants = {m.name for habit in profile.habits for m in habit.favourites}
        for t in transactions:
            # online, somewhere new, in what resells or straight out to a new payee
            assert t["channel"] in ("ONLINE", "BANK_TRANSFER")
            assert t["merchant"] not in usual_merchants
            assert t["category"] in UNUSUAL_CATEGORIES or t["transactionType"] == "TRANSFER"
        times = sorted(seconds(t) for t in transactions)
        assert len(times) >= 2 and times[1] - times[0] <= 60


def test_ground_truth_never_reaches_the_detectors_inputs(population):
    assert not {"injectedAnomaly", "injected_anomaly", "label", "kind"} & {f.name for f in dataclasses.fields(Txn)}
    for history, profile in population:
        if not any("injectedAnomaly" in t for t in history.transactions):
            continue
        with_truth = [model_input(t) for t in history.transactions]
        without = [model_input({k: v for k, v in t.items() if k != "injectedAnomaly"}) for t in history.transactions]
        assert with_truth == without
        assert replay(with_truth, profile.home.code) == replay(without, profile.home.code)
        return
    pytest.fail("no account with an injected anomaly")
