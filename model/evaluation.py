"""Detection quality: metrics over labelled transactions and the baselines they are compared with.

Metrics: ROC AUC, average precision and precision at 100 and 500, overall and per group (a scenario or
anomaly kind: that group's positives against all negatives). Baselines, computed on the same rows:
- `amount_zscore`: per account, the amount's z-score against the account's earlier transactions;
- `global_iforest`: one IsolationForest over every account's transactions, on the same features;
- `seed_iforest`: the approach Isoflow replaced: per account, StandardScaler and an IsolationForest with
  contamination 0.1 on the account's own rows, min-max normalised over each scored batch;
- `supervised_baseline`: the Fraud Detection Handbook's supervised model fed the same late labels: gradient
  boosting over the amount, the customer's spending (count and mean amount over 1, 7 and 30 days) and the
  merchant's fraud rate and count over 1, 7 and 30 days ending when labels become known, trained once on
  every label known before the judged period.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.preprocessing import StandardScaler

from model.features import Txn
from model.learning import DAY_S, Rows
from model.scoring import feature_matrix

GLOBAL_FOREST_SEED = 0


@dataclass(frozen=True)
class Metrics:
    rows: int
    positives: int
    auc: float
    ap: float
    p_at_100: float
    p_at_500: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "rows": self.rows,
            "positives": self.positives,
            "auc": self.auc,
            "ap": self.ap,
            "p_at_100": self.p_at_100,
            "p_at_500": self.p_at_500,
        }


def precision_at(labels: np.ndarray, scores: np.ndarray, k: int) -> float:
    """Share of positives among the k highest scores (ties kept in input order)."""
    if len(labels) == 0:
        return math.nan
    top = np.argsort(-scores, kind="stable")[:k]
    return float(labels[top].mean())


def metrics(labels: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> Metrics:
    y = np.asarray(labels, dtype=np.int8)
    s = np.asarray(scores, dtype=np.float64)
    both = 0 < y.sum() < len(y)
    return Metrics(
        rows=len(y),
        positives=int(y.sum()),
        auc=float(roc_auc_score(y, s)) if both else math.nan,
        ap=float(average_precision_score(y, s)) if both else math.nan,
        p_at_100=precision_at(y, s, 100),
        p_at_500=precision_at(y, s, 500),
    )


def metrics_by_group(
    labels: Sequence[int] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    groups: Sequence[str] | None = None,
) -> dict[str, Metrics]:
    """'overall' and, per group of the positives, that group's positives against every negative."""
    y = np.asarray(labels, dtype=np.int8)
    s = np.asarray(scores, dtype=np.float64)
    out = {"overall": metrics(y, s)}
    if groups is not None:
        g = np.asarray(groups, dtype=object)
        for group in sorted({str(v) for v in g[y == 1]}):
            keep = (y == 0) | (g == group)
            out[group] = metrics(y[keep], s[keep])
    return out


def amount_zscores(histories: Sequence[Sequence[Txn]]) -> list[np.ndarray]:
    """Per account (time-ordered), each amount's z-score against that account's earlier amounts.

    With fewer than two earlier amounts there is nothing to compare with, and the score is 0.
    """
    out = []
    for txns in histories:
        amounts = np.array([t.amount for t in txns], dtype=np.float64)
        n = np.arange(len(amounts))
        cumulative = np.concatenate(([0.0], np.cumsum(amounts)[:-1]))
        cumulative_sq = np.concatenate(([0.0], np.cumsum(amounts**2)[:-1]))
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = cumulative / n
            variance = (cumulative_sq - n * mean**2) / (n - 1)
            z = (amounts - mean) / np.sqrt(np.maximum(variance, 1e-4))
        out.append(np.where(n >= 2, z, 0.0))
    return out


def global_iforest_scores(feature_rows: Sequence[Mapping[str, float]], n_estimators: int = 100) -> np.ndarray:
    """One IsolationForest over every account's transactions (paper score, 0-1)."""
    matrix = feature_matrix(feature_rows)
    forest = IsolationForest(n_estimators=n_estimators, random_state=GLOBAL_FOREST_SEED).fit(matrix)
    return -forest.score_samples(matrix)


def seed_iforest_scores(
    histories: Sequence[Sequence[Mapping[str, float]]], n_estimators: int = 100
) -> list[np.ndarray]:
    """The approach Isoflow replaced, per account (each history is one account's feature rows, scored as one
    batch): StandardScaler, then an IsolationForest with contamination 0.1 fitted on the account's own rows,
    and its decision function min-max normalised over the batch, so each account's most unusual row scores 1
    whatever it is."""
    out = []
    for rows in histories:
        if len(rows) < 2:
            out.append(np.zeros(len(rows)))
            continue
        matrix = StandardScaler().fit_transform(feature_matrix(rows))
        forest = IsolationForest(n_estimators=n_estimators, contamination=0.1, random_state=GLOBAL_FOREST_SEED)
        raw = -forest.fit(matrix).decision_function(matrix)
        spread = raw.max() - raw.min()
        out.append((raw - raw.min()) / spread if spread > 0 else np.zeros(len(rows)))
    return out


BASELINE_WINDOWS_DAYS = (1, 7, 30)


def supervised_baseline_scores(
    rows: Rows, amounts: np.ndarray, labels: np.ndarray, delay_days: float, fit_at: float
) -> np.ndarray:
    """`supervised_baseline` (see the module's docstring): each row's label becomes known `delay_days` after it;
    the model is fitted at `fit_at` on the rows whose label is known then and scores every row."""
    delay = delay_days * DAY_S
    columns = [amounts]
    accounts = _groups(rows.accounts)
    for days in BASELINE_WINDOWS_DAYS:
        count = _window_sums(accounts, rows.times, np.ones(len(amounts)), days * DAY_S, 0.0)
        columns += [count, _window_sums(accounts, rows.times, amounts, days * DAY_S, 0.0) / np.maximum(count, 1)]
    merchants = _groups(rows.merchants)
    for days in BASELINE_WINDOWS_DAYS:
        count = _window_sums(merchants, rows.times, np.ones(len(amounts)), days * DAY_S, delay)
        frauds = _window_sums(merchants, rows.times, labels.astype(np.float64), days * DAY_S, delay)
        columns += [count, frauds / np.maximum(count, 1)]
    inputs = np.column_stack(columns)
    known = rows.times + delay <= fit_at
    classifier = HistGradientBoostingClassifier(random_state=GLOBAL_FOREST_SEED).fit(inputs[known], labels[known])
    return np.asarray(classifier.predict_proba(inputs)[:, 1])


def _groups(keys: Sequence[object]) -> list[np.ndarray]:
    """The row indices of each key's rows (rows without a key are in none)."""
    by_key: dict[object, list[int]] = {}
    for i, key in enumerate(keys):
        if key is not None:
            by_key.setdefault(key, []).append(i)
    return [np.array(indices) for indices in by_key.values()]


def _window_sums(
    groups: list[np.ndarray], times: np.ndarray, values: np.ndarray, window: float, lag: float
) -> np.ndarray:
    """For each row, the sum of `values` over the rows of its group with a time in (t - lag - window, t - lag]."""
    out = np.zeros(len(times))
    for indices in groups:
        order = indices[np.argsort(times[indices], kind="stable")]
        moments = times[order]
        cumulative = np.concatenate([[0.0], np.cumsum(values[order])])
        upper = np.searchsorted(moments, moments - lag, side="right")
        lower = np.searchsorted(moments, moments - lag - window, side="right")
        out[order] = cumulative[upper] - cumulative[lower]
    return out
