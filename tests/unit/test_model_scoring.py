import copy
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

from model.config import DEFAULT_CONFIG
from model.features import Txn, replay
from model.forest import CompactForest, joint_score
from model.population import build_population, load_population
from model.scoring import InMemoryModelStore, model_key, risk_level, score_account, seed_for

START = datetime(2024, 3, 1, tzinfo=UTC)
MERCHANTS = ("Grocer", "Bakery", "Fuel", "Pharmacy")


def _habits(seed: int, count: int) -> list[Txn]:
    rng = random.Random(seed)
    moment, txns = START, []
    for _ in range(count):
        moment += timedelta(hours=rng.uniform(10, 40))
        moment = moment.replace(hour=rng.choice((9, 12, 13, 18)))
        txns.append(
            Txn(
                moment,
                round(rng.lognormvariate(3.5, 0.3), 2),
                "PURCHASE",
                rng.choice(MERCHANTS),
                "shopping",
                "US",
                "CARD_PRESENT",
            )
        )
    return sorted(txns, key=lambda t: t.timestamp)


@pytest.fixture(scope="module")
def population():
    rows = [row for seed in range(30) for row in replay(_habits(seed, 90), "US")]
    model = build_population(rows)
    model.version = "test"
    return model


def _with(history: list[Txn], txn: Txn) -> list[Txn]:
    return [*history, replace(txn, timestamp=history[-1].timestamp + timedelta(hours=20))]


def test_scores_are_paper_scores_between_0_and_1_and_deterministic(population):
    features = replay(_habits(1, 120), "US")
    first = score_account("acc_1", features, range(len(features)), population=population)
    again = score_account("acc_1", features, range(len(features)), population=population)
    assert first == again
    assert all(0 < s.score < 1 for s in first)
    assert {s.model_version for s in first} == {"iforest-4/account+population-test"}


def test_a_score_is_the_same_in_a_later_run_with_more_history_after_it(population):
    features = replay(_habits(2, 130), "US")
    then = score_account("acc_2", features[:120], [119], population=population)
    later = score_account("acc_2", features, [119], population=population)
    assert then == later


def test_seed_is_stable_across_processes():
    assert seed_for("acc_0123456789abcdef") == 951929772


def test_amount_spike_is_high_risk_with_its_reason_and_a_small_amount_is_not(population):
    history = _habits(3, 100)
    spike = replay(_with(history, Txn(START, 900.0, "PURCHASE", "Grocer", "shopping", "US", "CARD_PRESENT")), "US")
    small = replay(_with(history, Txn(START, 0.5, "PURCHASE", "Grocer", "shopping", "US", "CARD_PRESENT")), "US")
    (spike_score,) = score_account("acc_3", spike, [100], population=population)
    (small_score,) = score_account("acc_3", small, [100], population=population)
    assert spike_score.risk_level == "HIGH" and spike_score.is_anomaly
    assert spike_score.reasons[0].startswith("amount ")
    assert "× this account's median" in spike_score.reasons[0]
    assert small_score.risk_level == "LOW" and not small_score.is_anomaly
    assert small_score.score < spike_score.score - 0.2


def test_takeover_gets_several_reasons_in_words(population):
    history = _habits(4, 100)
    takeover = Txn(START, 700.0, "PURCHASE", "Crypto Exchange", "crypto", "RU", "ONLINE")
    features = replay(_with(history, takeover), "US")
    (score,) = score_account("acc_4", features, [100], population=population)
    assert score.risk_level == "HIGH"
    assert 2 <= len(score.reasons) <= DEFAULT_CONFIG.max_reasons
    assert score.reasons[0].startswith("amount ")
    assert "first transaction in this country, abroad" in score.reasons


def test_risk_levels_follow_the_configured_thresholds():
    config = replace(DEFAULT_CONFIG, medium_threshold=0.5, high_threshold=0.8)
    assert [risk_level(s, config) for s in (0.49, 0.5, 0.79, 0.8, 1.0)] == ["LOW", "MEDIUM", "MEDIUM", "HIGH", "HIGH"]


def test_short_history_falls_back_to_the_population_model(population):
    features = replay(_habits(5, 5), "US")
    scores = score_account("acc_5", features, range(5), population=population)
    assert {s.model_version for s in scores} == {"iforest-4/population-test"}
    assert all(0 < s.score < 1 for s in scores)


def test_the_shipped_population_model_loads():
    shipped = load_population()
    assert shipped.version.startswith("shipped-") and len(shipped.version) == len("shipped-") + 12
    assert shipped.reference.shape[1] == shipped.sorted_columns.shape[0]


def test_a_stored_model_is_reused_for_new_transactions_with_identical_scores(population):
    history = replay(_habits(6, 130), "US")
    store = InMemoryModelStore()
    score_account("acc_6", history[:127], range(127), store, population=population)
    stored = store.get(model_key("acc_6"))
    assert stored is not None
    reused = score_account("acc_6", history, [127, 128, 129], store, population=population)
    refitted = score_account("acc_6", history, [127, 128, 129], None, population=population)
    assert reused == refitted
    assert store.get(model_key("acc_6")) == stored  # nothing refitted


def test_a_stored_model_is_refitted_when_the_history_changed(population):
    history = replay(_habits(7, 130), "US")
    store = InMemoryModelStore()
    score_account("acc_7", history[:100], range(100), store, population=population)
    stored = store.get(model_key("acc_7"))
    score_account("acc_7", history, [129], store, population=population)
    assert store.get(model_key("acc_7")) != stored


def test_targets_out_of_range_are_refused(population):
    features = replay(_habits(8, 40), "US")
    with pytest.raises(IndexError):
        score_account("acc_8", features, [40], population=population)


def test_the_compact_forest_scores_exactly_as_scikit_learn():
    rng = np.random.default_rng(0)
    training = rng.exponential(size=(400, 6))
    training[:, 2] = 0.0  # a constant feature, as when a transaction field is absent
    forest = IsolationForest(n_estimators=50, max_samples=256, random_state=5).fit(training)
    queries = np.vstack([training[:20], rng.exponential(size=(20, 6)) * 4])
    assert np.array_equal(CompactForest.from_forest(forest).score(queries), -forest.score_samples(queries))


def test_the_joint_score_of_two_forests_is_the_score_of_all_their_trees_together():
    rng = np.random.default_rng(1)
    training = rng.exponential(size=(400, 6))
    forest = IsolationForest(n_estimators=60, max_samples=256, random_state=5).fit(training)

    def trees(part: slice) -> CompactForest:
        some = copy.copy(forest)
        some.estimators_ = forest.estimators_[part]
        some._decision_path_lengths = forest._decision_path_lengths[part]
        some._average_path_length_per_tree = forest._average_path_length_per_tree[part]
        return CompactForest.from_forest(some)

    queries = np.vstack([training[:20], rng.exponential(size=(20, 6)) * 4])
    together = joint_score([trees(slice(0, 30)), trees(slice(30, 60))], queries)
    assert np.allclose(together, -forest.score_samples(queries), rtol=0, atol=1e-12)
