"""Scoring configuration, in one place: risk thresholds, model sizes, history limits and model reuse.

The thresholds are on the IsolationForest paper score (0-1) and were chosen by measurement on labelled data:
HIGH flags about as many transactions as there are anomalies, MEDIUM a short list an analyst can review.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScoringConfig:
    # Measured (model/README.md): >= 0.65 flags 0.41% of generated transactions (0.38% are anomalies) and 0.62% of
    # the Fraud Detection Handbook's May (0.95% are frauds; precision 0.44); >= 0.57 flags 2.4-2.7%, a list an
    # analyst can work.
    medium_threshold: float = 0.57
    high_threshold: float = 0.65
    # An account model needs at least this many transactions to fit on; below it the population model scores.
    min_history: int = 30
    # The detector reads at most this many of an account's most recent transactions.
    window: int = 500
    n_estimators: int = 100
    max_samples: int = 512
    # A stored account model is reused while the history differs from its training rows by at most
    # max(reuse_min_changes, reuse_fraction * rows) transactions added or aged out.
    reuse_min_changes: int = 3
    reuse_fraction: float = 0.1
    model_compression: int = 3
    # Reasons (model.explain): an amount, a foreign country or an hour beyond all but reason_tail of the model's
    # training rows is always said; the other aspects that raised the score most fill up to max_reasons.
    reason_tail: float = 0.05
    max_reasons: int = 3


DEFAULT_CONFIG = ScoringConfig()
