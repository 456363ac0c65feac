import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from model.config import DEFAULT_CONFIG
from model.explain import explain
from model.features import FEATURE_NAMES, Txn, replay
from model.scoring import score_account

START = datetime(2025, 3, 1, tzinfo=UTC)
ABROAD = "first transaction in this country, abroad"
AT_NIGHT = "unusual hour for this account (03:00 UTC)"


def _shopper(count: int) -> list[Txn]:
    """A GB account paying about 45 by card at a few shops, in daytime hours."""
    rng = random.Random(11)
    moment, txns = START, []
    for _ in range(count):
        moment += timedelta(hours=rng.uniform(10, 30))
        moment = moment.replace(hour=rng.choice((9, 11, 12, 13, 17, 18)), minute=rng.randrange(60))
        shop, category = rng.choice((("Tesco", "groceries"), ("Greggs", "groceries"), ("Shell", "fuel")))
        amount = round(rng.lognormvariate(3.8, 0.25), 2)
        txns.append(Txn(moment, amount, "PURCHASE", shop, category, "GB", "CARD_PRESENT"))
    return txns


def _cash_user(count: int) -> list[Txn]:
    """A GB account withdrawing about 100 at ATMs in daytime hours."""
    rng = random.Random(12)
    moment, txns = START, []
    for _ in range(count):
        moment += timedelta(hours=rng.uniform(20, 60))
        moment = moment.replace(hour=rng.choice((10, 12, 14, 16)), minute=rng.randrange(60))
        amount = float(rng.choice((80, 100, 100, 120)))
        txns.append(Txn(moment, amount, "WITHDRAWAL", rng.choice(("ATM Barclays", "ATM HSBC")), "cash", "GB", "ATM"))
    return txns


def _reasons_for(history: list[Txn], txn: Txn, hour: int, minute: int) -> tuple[str, ...]:
    """The reasons `txn` gets the day after `history`, at hour:minute UTC, scored by the shipped population."""
    when = (history[-1].timestamp + timedelta(days=1)).replace(hour=hour, minute=minute)
    rows = replay([*history, replace(txn, timestamp=when)], "GB")
    (score,) = score_account("acc_gb", rows, [len(history)])
    assert score.risk_level == "HIGH"
    return score.reasons


# 12 transactions: the population forest scores alone; 90: the account's forest and the population's together.
@pytest.mark.parametrize("history_size", [12, 90])
def test_an_online_purchase_in_brazil_at_night_names_the_amount_the_country_and_the_hour(history_size):
    history = _shopper(history_size)
    # One earlier large payment: beside it the amount was no longer beyond every training row, and reasons ranked
    # by that alone named only the first merchant, category and channel.
    history[history_size // 3] = replace(history[history_size // 3], amount=2450.0)
    purchase = Txn(START, 1999.99, "PURCHASE", "LojaTech", "electronics", "BR", "ONLINE")
    reasons = _reasons_for(history, purchase, 3, 2)
    assert reasons[0].startswith("amount ") and "× this account's median (1999.99 vs " in reasons[0]
    assert {ABROAD, AT_NIGHT} <= set(reasons)


@pytest.mark.parametrize("history_size", [12, 90])
def test_a_cash_withdrawal_in_nigeria_at_night_names_the_amount_the_country_and_the_hour(history_size):
    withdrawal = Txn(START, 25000.0, "WITHDRAWAL", "ATM Lagos", "cash", "NG", "ATM")
    reasons = _reasons_for(_cash_user(history_size), withdrawal, 3, 10)
    assert reasons[0] == "amount 250× this account's median (25000.00 vs 100.00)"
    assert {ABROAD, AT_NIGHT} <= set(reasons)


def test_low_scores_have_no_reasons_and_higher_ones_do():
    history = _shopper(120)
    history[100] = replace(history[100], amount=1999.99, country="BR", channel="ONLINE")
    scores = score_account("acc_gb", replay(history, "GB"), range(60, 120))
    levels = {score.risk_level for score in scores}
    assert "LOW" in levels and len(levels) > 1
    assert all((score.risk_level == "LOW") == (score.reasons == ()) for score in scores)


def _features(**values: float) -> np.ndarray:
    return np.array([[values.get(name, 0.0) for name in FEATURE_NAMES]])


def _linear(**weights: float):
    """A stand-in for the forests: the score rises by each feature's value times its weight."""
    return lambda matrix: matrix @ _features(**weights)[0]


# Training rows where nothing was unusual: any positive value is beyond them all.
USUAL = np.zeros((len(FEATURE_NAMES), 100))


def test_reasons_come_strongest_first_not_in_a_fixed_order():
    row = {"burst_last_hour": 1.0, "txns_last_hour": 5.0, "new_merchant": 1.0, "new_category": 1.0, "new_channel": 1.0}
    score = _linear(burst_last_hour=0.5, new_merchant=1.0, new_category=3.0, new_channel=4.0)
    (reasons,) = explain([row], _features(**row), score, USUAL, DEFAULT_CONFIG)
    assert reasons == (
        "first transaction through this channel",
        "first transaction in this category",
        "first transaction at this merchant",
    )


def test_the_amount_country_and_hour_are_said_beyond_max_reasons_and_others_only_fill_up_to_it():
    row = {"amount_log_ratio": 1.0, "amount": 500.0, "amount_median": 50.0, "foreign_country": 1.0}
    row |= {"hour_rarity": 1.0, "hour": 3.0, "new_merchant": 1.0, "new_category": 1.0}
    # The merchant and the category push the score most, yet the three red flags take every place and more.
    score = _linear(amount_log_ratio=2.0, foreign_country=0.1, hour_rarity=1.0, new_merchant=5.0, new_category=4.0)
    (reasons,) = explain([row], _features(**row), score, USUAL, replace(DEFAULT_CONFIG, max_reasons=2))
    assert reasons == (
        "amount 10× this account's median (500.00 vs 50.00)",
        "unusual hour for this account (03:00 UTC)",
        "transaction abroad, rare for this account",
    )
    (reasons,) = explain([row], _features(**row), score, USUAL, replace(DEFAULT_CONFIG, max_reasons=4))
    assert reasons[0] == "first transaction at this merchant" and len(reasons) == 4


def test_abroad_is_not_always_said_for_an_account_often_abroad():
    row = {"foreign_country": 0.7, "new_merchant": 1.0}
    often_abroad = USUAL.copy()
    often_abroad[FEATURE_NAMES.index("foreign_country"), 50:] = 0.7  # half the training rows were abroad
    score = _linear(foreign_country=0.1, new_merchant=1.0)
    config = replace(DEFAULT_CONFIG, max_reasons=1)
    assert explain([row], _features(**row), score, often_abroad, config) == [("first transaction at this merchant",)]
    # Against training rows never abroad, the same row's country takes the one place from the merchant.
    assert explain([row], _features(**row), score, USUAL, config) == [("transaction abroad, rare for this account",)]


def test_every_explained_row_is_scored_in_one_call():
    rows = [{"new_merchant": 1.0}, {"new_category": 2.0}, {"burst_last_hour": 1.0, "txns_last_hour": 3.0}]
    calls = []

    def score(matrix: np.ndarray) -> np.ndarray:
        calls.append(len(matrix))
        return matrix.sum(axis=1)

    matrix = np.vstack([_features(**row) for row in rows])
    reasons = explain(rows, matrix, score, USUAL, DEFAULT_CONFIG)
    assert reasons == [
        ("first transaction at this merchant",),
        ("first transaction in this category",),
        ("4 transactions within an hour",),
    ]
    assert len(calls) == 1


def test_an_hour_unusual_only_in_its_channel_says_so():
    card_at_two = {"hour": 2.0, "hour_rarity": 0.0, "channel_hour_rarity": 2.5}
    at_night = {"hour": 3.0, "hour_rarity": 2.5, "channel_hour_rarity": 2.5}
    matrix = np.vstack([_features(**card_at_two), _features(**at_night)])
    assert explain([card_at_two, at_night], matrix, lambda m: m.sum(axis=1), USUAL, DEFAULT_CONFIG) == [
        ("unusual hour for this account in this channel (02:00 UTC)",),
        ("unusual hour for this account (03:00 UTC)",),
    ]
