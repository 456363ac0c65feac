"""Which unscored transactions of an account share one fit, and the history each group is scored against."""

from __future__ import annotations

from isoflow.detection.score import history_of, target_groups
from model.config import DEFAULT_CONFIG

WINDOW = DEFAULT_CONFIG.window


def test_a_few_new_transactions_at_the_end_share_one_fit_on_the_window_before_them() -> None:
    assert target_groups([700, 701, 703], WINDOW) == [[700, 701, 703]]
    assert history_of([700, 701, 703], 704, WINDOW) == (200, 704)


def test_a_late_transaction_far_back_gets_a_fit_of_its_own_on_the_history_before_it() -> None:
    groups = target_groups([120, 700, 701], WINDOW)

    assert groups == [[120], [700, 701]]
    assert history_of(groups[0], 702, WINDOW) == (0, 121)
    assert history_of(groups[1], 702, WINDOW) == (200, 702)


def test_targets_share_a_fit_only_as_far_as_a_stored_model_would_still_be_reused() -> None:
    # max(reuse_min_changes, 10% of the 500 rows before): 50 transactions past the group's first.
    assert target_groups([600, 650, 651], WINDOW) == [[600, 650], [651]]
    assert target_groups([40, 44, 45], WINDOW) == [[40, 44], [45]]  # 10% of 40 rows is 4 (at least 3)


def test_a_young_account_is_scored_as_one_window_like_a_first_run() -> None:
    everything = list(range(620))

    groups = target_groups(everything, WINDOW)

    assert groups[0] == list(range(500))
    assert history_of(groups[0], 620, WINDOW) == (0, 500)
    assert [len(g) for g in groups[1:]] == [51, 51, 18]
    # A late one among the first few transactions gets the account's first window, not too few rows for a model.
    assert history_of([2], 620, WINDOW) == (0, 500)
    assert history_of([2], 12, WINDOW) == (0, 12)
