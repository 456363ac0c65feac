import copy
import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.countries import local_hour
from model.features import (
    CONTEXT_NAMES,
    FEATURE_NAMES,
    HOUR_SMOOTHING,
    Txn,
    advance,
    hour_prior,
    initial_state,
    replay,
)

START = datetime(2024, 3, 1, tzinfo=UTC)

optional_text = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "Grocer & Co", "x" * 80]))
transactions = st.lists(
    st.builds(
        lambda gap, amount, kind, merchant, category, country, channel: (
            gap,
            Txn(START, amount, kind, merchant, category, country, channel),
        ),
        st.integers(min_value=0, max_value=3 * 86400),
        st.floats(min_value=0.01, max_value=1e6, allow_nan=False),
        st.one_of(st.none(), st.sampled_from(["PURCHASE", "DEPOSIT", "TRANSFER"])),
        optional_text,
        optional_text,
        st.one_of(st.none(), st.sampled_from(["US", "GB", "FR"])),
        st.one_of(st.none(), st.sampled_from(["ONLINE", "ATM"])),
    ),
    max_size=60,
)


def _timed(gaps_and_txns: list[tuple[int, Txn]]) -> list[Txn]:
    moment, out = START, []
    for gap, txn in gaps_and_txns:
        moment += timedelta(seconds=gap)
        out.append(
            Txn(
                moment,
                *[
                    getattr(txn, f)
                    for f in ("amount", "transaction_type", "merchant", "category", "country", "channel")
                ],
            )
        )
    return out


@settings(max_examples=60, deadline=None)
@given(transactions, st.one_of(st.none(), st.sampled_from(["US", "GB"])))
def test_incremental_through_stored_json_equals_replay(gaps_and_txns, home):
    txns = _timed(gaps_and_txns)
    stored = json.dumps(initial_state(home))
    incremental = []
    for txn in txns:
        features, state = advance(json.loads(stored), txn)
        incremental.append(features)
        stored = json.dumps(state)
    assert incremental == replay(txns, home)


def test_feature_dict_holds_model_inputs_then_context():
    (features,) = replay([Txn(START, 12.5)], "US")
    assert tuple(features) == FEATURE_NAMES + CONTEXT_NAMES
    assert all(isinstance(v, float) for v in features.values())


def test_advance_leaves_the_given_state_untouched():
    state = initial_state("US")
    state, _ = advance(state, Txn(START, 10.0, merchant="a"))[1], None
    before = copy.deepcopy(state)
    advance(state, Txn(START + timedelta(hours=1), 20.0, merchant="b"))
    assert state == before


def test_state_stays_small_whatever_the_history_length():
    state = initial_state("US")
    for i in range(3000):
        txn = Txn(
            START + timedelta(minutes=i),
            1000000.0 + i,
            f"TYPE{i % 11}" * 5,
            f"merchant number {i} with a very long trading name, incorporated",
            f"category {i} " * 8,
            f"C{i % 300}",
            f"CHANNEL{i % 20}",
        )
        _, state = advance(state, txn)
    assert len(json.dumps(state)) < 16 * 1024


def _history(amounts: list[float]) -> list[Txn]:
    return [
        Txn(START + timedelta(days=i, hours=12), amount, "PURCHASE", "Grocer", "groceries", "US", "ATM")
        for i, amount in enumerate(amounts)
    ]


def test_small_amounts_and_usual_habits_give_zero_risk_features():
    history = _history([50.0, 55.0, 45.0, 60.0, 52.0, 48.0, 0.5])
    small = replay(history, "US")[-1]
    risky = {name: value for name, value in small.items() if name in FEATURE_NAMES and value != 0.0}
    assert risky == {}


def test_large_amount_is_measured_against_the_accounts_median():
    spike = replay(_history([50.0, 55.0, 45.0, 60.0, 52.0, 48.0, 450.0]), "US")[-1]
    assert spike["amount_median"] == pytest.approx(51.0)
    assert spike["amount_log_ratio"] == pytest.approx(2.176, abs=0.01)
    assert spike["amount_robust_z"] > 5
    assert spike["amount_excess_z"] > 5
    assert spike["amount_large"] == pytest.approx(0.811, abs=0.01)


def test_deposits_are_compared_with_deposits():
    history = _history([50.0, 55.0, 45.0, 60.0, 52.0, 48.0])
    salaries = [Txn(START + timedelta(days=7 + i, hours=9), 90.0, "DEPOSIT") for i in range(6)]
    features = replay([*history, *salaries], "US")
    assert features[-1]["amount_log_ratio"] == 0.0


def test_burst_new_merchant_foreign_country_and_odd_hour_stand_out():
    history = _history([50.0] * 30)
    odd_time = START + timedelta(days=29, hours=15, minutes=5)
    odd = Txn(odd_time, 50.0, "PURCHASE", "Casino", "gambling", "MT", "ONLINE")
    burst = [Txn(odd.timestamp + timedelta(minutes=i + 1), 50.0, "PURCHASE", "Grocer") for i in range(3)]
    features = replay([*history, odd, *burst], "US")
    odd_features, last = features[30], features[-1]
    assert odd_features["merchant_seen"] == 0.0
    for name in ("new_merchant", "new_category", "new_channel", "new_country"):
        assert odd_features[name] > 1, name
    assert odd_features["foreign_country"] > 2
    assert odd_features["hour_rarity"] > 1
    # A channel this new is judged against all the account's hours.
    assert odd_features["channel_hour_rarity"] == odd_features["hour_rarity"]
    assert last["txns_last_hour"] == 3.0  # the odd one and two of the burst
    assert last["rapid_succession"] == pytest.approx(math.log(2))  # a minute after the previous one
    assert last["burst_last_hour"] == pytest.approx(math.log(2))


def test_new_merchants_are_not_news_for_an_account_that_always_shops_somewhere_new():
    explorer = [
        Txn(START + timedelta(days=i, hours=12), 50.0, "PURCHASE", f"shop {i}", "groceries", "US", "ATM")
        for i in range(40)
    ]
    habitual = [*_history([50.0] * 39), explorer[-1]]
    assert replay(explorer, "US")[-1]["new_merchant"] == 0.0
    assert replay(habitual, "US")[-1]["new_merchant"] > 1.5
    # One that meets a new merchant about one time in three: a new one is ordinary for it too.
    sometimes = [
        Txn(START + timedelta(days=i, hours=12), 50.0, "PURCHASE", f"shop {i if i % 3 == 0 else 0}") for i in range(40)
    ]
    assert replay(sometimes, "US")[-1]["new_merchant"] == 0.0 and replay(sometimes, "US")[-1]["merchant_seen"] == 0


def test_naive_timestamps_and_negative_amounts_are_rejected():
    with pytest.raises(ValueError, match="timezone"):
        advance(initial_state(None), Txn(datetime(2024, 1, 1), 10.0))
    with pytest.raises(ValueError, match="amount"):
        advance(initial_state(None), Txn(START, -0.01))


def test_an_hour_is_judged_against_the_hours_of_the_same_channel():
    # Bills post by bank transfer at 02:00 every day; the customer pays by card in the afternoon.
    bills = [
        Txn(START + timedelta(days=i, hours=2), 80.0, "PAYMENT", "Utility", channel="BANK_TRANSFER") for i in range(30)
    ]
    cards = [Txn(START + timedelta(days=i, hours=15), 20.0, "PURCHASE", "Grocer", channel="CARD") for i in range(30)]
    history = sorted([*bills, *cards], key=lambda txn: txn.timestamp)
    at_two = START + timedelta(days=31, hours=2, minutes=30)
    card_at_two = replay([*history, Txn(at_two, 20.0, "PURCHASE", "Grocer", channel="CARD")], "US")[-1]
    bill_at_two = replay([*history, Txn(at_two, 80.0, "PAYMENT", "Utility", channel="BANK_TRANSFER")], "US")[-1]
    assert card_at_two["hour_rarity"] == 0.0  # the account is active at 02:00...
    assert card_at_two["channel_hour_rarity"] > 1  # ...but its card never is
    assert bill_at_two["channel_hour_rarity"] == 0.0


def test_without_a_channel_only_the_accounts_hours_judge_the_hour():
    history = _history([50.0] * 30)
    night = Txn(START + timedelta(days=31, hours=3), 50.0, "PURCHASE", "Grocer")
    features = replay([*history, night], "US")[-1]
    assert features["hour_rarity"] > 1
    assert features["channel_hour_rarity"] == 0.0


def test_a_channel_with_little_history_is_judged_against_all_the_accounts_hours():
    history = _history([50.0] * 30)  # ATM at noon
    few_online = [Txn(START + timedelta(days=30 + i, hours=3), 10.0, "PURCHASE", channel="ONLINE") for i in range(3)]
    online_at_noon = Txn(START + timedelta(days=34, hours=12), 10.0, "PURCHASE", channel="ONLINE")
    features = replay([*history, *few_online, online_at_noon], "US")[-1]
    assert features["channel_hour_rarity"] == features["hour_rarity"] == 0.0


def test_a_state_stored_before_hours_per_channel_keeps_working():
    history = _history([50.0] * 30)
    state = initial_state("US")
    for txn in history:
        _, state = advance(state, txn)
    del state["channel_hours"]
    state["version"] = 1
    features, after = advance(
        json.loads(json.dumps(state)), Txn(START + timedelta(days=31, hours=3), 50.0, channel="ATM")
    )
    # judged against all the account's hours until the channel has its own
    assert features["channel_hour_rarity"] == features["hour_rarity"] > 1
    assert after["version"] == 2
    assert after["channel_hours"] == {"ATM": [0, 0, 0, 1] + [0] * 20}


def _young(home: str | None, utc_hour: int) -> dict[str, float]:
    """The features of a young account's sixth transaction, at `utc_hour`, after five at 12:00-16:00 UTC."""
    days = [Txn(START + timedelta(days=i, hours=12 + i), 30.0, "PURCHASE", "Grocer", channel="CARD") for i in range(5)]
    return replay([*days, Txn(START + timedelta(days=6, hours=utc_hour), 30.0, "PURCHASE", "Grocer")], home)[-1]


def test_a_young_accounts_first_payment_in_the_night_of_its_home_country_stands_out():
    assert local_hour(3, "GB") == 3 and local_hour(3, "AU") == 13
    night_in_gb = _young("GB", 3)["hour_rarity"]
    assert night_in_gb > 2
    # The same hour is the afternoon in Australia, and unknown for an account whose home is not known: a few
    # transactions say little about the rest of its day.
    assert _young("AU", 3)["hour_rarity"] < 0.5
    assert _young(None, 3)["hour_rarity"] < 0.5
    # In the home country's day, an hour the account has not used yet is not news either.
    assert _young("GB", 9)["hour_rarity"] < 0.5


def test_an_account_that_lives_at_night_is_judged_by_its_own_hours():
    owl = [Txn(START + timedelta(days=i, hours=2), 30.0, "PURCHASE", "Grocer") for i in range(40)]
    at_three = Txn(START + timedelta(days=41, hours=3), 30.0, "PURCHASE", "Grocer")
    assert replay([*owl, at_three], "GB")[-1]["hour_rarity"] == 0.0


def test_the_hour_prior_is_even_unless_the_home_country_is_known():
    assert hour_prior(None) == hour_prior("XX") == (HOUR_SMOOTHING,) * 24
    in_india = hour_prior("IN")  # UTC+05:30, read as +6
    assert sum(in_india) == pytest.approx(24 * HOUR_SMOOTHING)
    assert [i for i, weight in enumerate(in_india) if weight < HOUR_SMOOTHING] == [18, 19, 20, 21, 22, 23]
