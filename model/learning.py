"""Learning from verdicts: the detector becomes a supervised one as confirmed frauds and "not fraud" verdicts
arrive.

The IsolationForest score stays the base, and the only score while too few verdicts are known. On top of it, a
gradient-boosted layer (scikit-learn's HistGradientBoostingClassifier) reads the detector's features, its score
and what the verdicts known so far say about the transaction's merchant (a compromised terminal: ordinary
amounts at ordinary places, invisible in any one account's history) and its account (frauds and "not fraud"
verdicts of the last weeks). It is fitted on the transactions whose verdict is known at fit time, and its
probability is mapped onto the base score's scale by their quantiles among all recent transactions (reviewed or
not), so 0-1 and the HIGH / MEDIUM thresholds keep their meaning: about as many transactions reach HIGH, the
right ones more often.

What keeps it honest: a verdict counts for a transaction only if it was known at or before that transaction's
time (the counts below), a transaction's label for fitting is the verdict known last at fit time, and a
transaction is judged by a layer fitted before it.
"""

from __future__ import annotations

import hashlib
import io
from bisect import bisect_left, bisect_right, insort
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import joblib
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from model.config import DEFAULT_CONFIG
from model.verdict_features import MIN_FRAUDS, MIN_VERDICTS, VERDICT_FEATURES

DAY_S = 86400.0
_MERCHANT_WINDOWS = (7, 14, 30)
_ACCOUNT_WINDOWS = (14, 30)
_CLEARED_DAYS = 30
ALERT_SCORE = DEFAULT_CONFIG.medium_threshold
# Measured on development data (model/README.md): a slow learning rate, a strong L2 penalty and leaves of at
# least a tenth as many transactions as there are known frauds (20 to 100); the field's defaults (leaves of 20,
# with early stopping) learnt a few accounts' frauds by heart and ranked worse than the base score alone.
CLASSIFIER = {"max_iter": 100, "learning_rate": 0.05, "l2_regularization": 10.0, "early_stopping": False}
LEAF_SHARE_OF_FRAUDS = 0.1
MIN_LEAF, MAX_LEAF = 20, 100
SEED = 0


@dataclass(frozen=True)
class Verdict:
    transaction_id: str
    fraud: bool
    known_at: float  # epoch seconds: when it became known


@dataclass(frozen=True)
class Rows:
    """What the learning layer needs of each transaction, row by row."""

    ids: Sequence[str]
    accounts: Sequence[str]
    merchants: Sequence[str | None]
    times: np.ndarray  # epoch seconds


@dataclass(frozen=True)
class Evidence:
    """Verdicts, with what the counts need of the transactions they judge: account, merchant and time."""

    verdicts: Sequence[Verdict]
    accounts: Sequence[str]
    merchants: Sequence[str | None]
    times: np.ndarray  # epoch seconds of the judged transactions
    base_scores: np.ndarray  # their base scores

    def since(self, moment: float) -> Evidence:
        """The verdicts on transactions at or after `moment`."""
        keep = [int(i) for i in np.flatnonzero(self.times >= moment)]
        return Evidence(
            [self.verdicts[i] for i in keep],
            [self.accounts[i] for i in keep],
            [self.merchants[i] for i in keep],
            self.times[keep],
            self.base_scores[keep],
        )


def evidence_in(rows: Rows, base_scores: np.ndarray, verdicts: Sequence[Verdict]) -> Evidence:
    """The verdicts on transactions among the rows, whose base scores are given (of other transactions, the
    merchant and account are not known here)."""
    position = {tid: i for i, tid in enumerate(rows.ids)}
    known = [v for v in verdicts if v.transaction_id in position]
    where = np.array([position[v.transaction_id] for v in known], dtype=np.int64)
    return Evidence(
        known,
        [rows.accounts[i] for i in where],
        [rows.merchants[i] for i in where],
        rows.times[where].astype(float),
        base_scores[where].astype(float),
    )


def verdict_features(rows: Rows, base_scores: np.ndarray, verdicts: Sequence[Verdict]) -> np.ndarray:
    """`VERDICT_FEATURES` for each row, from the verdicts on the rows known at its own time."""
    return counted_features(rows, evidence_in(rows, base_scores, verdicts))


def counted_features(rows: Rows, evidence: Evidence) -> np.ndarray:
    """`VERDICT_FEATURES` for each row, from the evidence's verdicts known at the row's own time."""
    times = rows.times
    merchant_frauds, merchant_verdicts = _known_counts(
        rows.merchants, times, evidence.verdicts, evidence.merchants, evidence.times, _MERCHANT_WINDOWS
    )
    account_frauds, account_verdicts = _known_counts(
        rows.accounts, times, evidence.verdicts, evidence.accounts, evidence.times, _ACCOUNT_WINDOWS
    )
    merchant_rates = merchant_frauds[:, 1:] / np.maximum(merchant_verdicts[:, 1:], 1)
    # Counted as frauds are, each transaction by the verdict on it known last: an alert judged not fraud.
    cleared = [
        Verdict(v.transaction_id, not v.fraud and base >= ALERT_SCORE, v.known_at)
        for v, base in zip(evidence.verdicts, evidence.base_scores, strict=True)
    ]
    account_cleared, _ = _known_counts(
        rows.accounts, times, cleared, evidence.accounts, evidence.times, (_CLEARED_DAYS,)
    )
    columns = [
        merchant_frauds,
        merchant_verdicts[:, 1:],
        merchant_rates,
        account_frauds,
        account_verdicts[:, 1:],
        account_cleared,
    ]
    return np.column_stack(columns).astype(np.float64)


def _known_counts(
    keys: Sequence[Hashable | None],
    times: np.ndarray,
    verdicts: Sequence[Verdict],
    verdict_keys: Sequence[Hashable | None],
    verdict_times: np.ndarray,
    windows_days: Sequence[int],
) -> tuple[np.ndarray, np.ndarray]:
    """For each row (key, time t) and window w: the frauds and the verdicts among transactions of the same key
    with a time in (t - w, t], each transaction counted by the verdict on it known last at t. Rows and
    verdicts are swept in time order, so every count is what was known at t and nothing after."""
    n = len(keys)
    frauds_out = np.zeros((n, len(windows_days)))
    verdicts_out = np.zeros((n, len(windows_days)))
    windows = [days * DAY_S for days in windows_days]
    by_known = sorted(range(len(verdicts)), key=lambda k: verdicts[k].known_at)
    fraud_times: dict[Hashable, list[float]] = {}
    verdict_times_by_key: dict[Hashable, list[float]] = {}
    in_force: dict[str, tuple[Hashable, float, bool]] = {}  # transaction id -> its key, time, fraud
    next_verdict = 0
    for i in np.argsort(times, kind="stable"):
        t = float(times[i])
        while next_verdict < len(by_known) and verdicts[by_known[next_verdict]].known_at <= t:
            k = by_known[next_verdict]
            next_verdict += 1
            key = verdict_keys[k]
            if key is None:
                continue
            verdict = verdicts[k]
            replaced = in_force.get(verdict.transaction_id)
            if replaced is not None:
                _remove(verdict_times_by_key[replaced[0]], replaced[1])
                if replaced[2]:
                    _remove(fraud_times[replaced[0]], replaced[1])
            moment = float(verdict_times[k])
            in_force[verdict.transaction_id] = (key, moment, verdict.fraud)
            insort(verdict_times_by_key.setdefault(key, []), moment)
            if verdict.fraud:
                insort(fraud_times.setdefault(key, []), moment)
        key = keys[i]
        if key is None:
            continue
        for out, by_key in ((frauds_out, fraud_times), (verdicts_out, verdict_times_by_key)):
            held = by_key.get(key)
            if held:
                upto = bisect_right(held, t)
                out[i] = [upto - bisect_right(held, t - window) for window in windows]
    return frauds_out, verdicts_out


def _remove(held: list[float], moment: float) -> None:
    del held[bisect_left(held, moment)]


def labels_known_at(ids: Sequence[str], verdicts: Sequence[Verdict], at: float) -> np.ndarray:
    """Each row's label as the verdict on it known last at `at`: 1 fraud, 0 not fraud, -1 none known yet."""
    position = {tid: i for i, tid in enumerate(ids)}
    labels = np.full(len(ids), -1, dtype=np.int8)
    for verdict in sorted(verdicts, key=lambda v: v.known_at):
        if verdict.known_at > at:
            break
        i = position.get(verdict.transaction_id)
        if i is not None:
            labels[i] = int(verdict.fraud)
    return labels


@dataclass(frozen=True)
class VerdictModel:
    """The learnt layer: the classifier, and the quantile map from its probabilities onto base scores."""

    classifier: HistGradientBoostingClassifier
    probabilities: np.ndarray  # of the reference rows, sorted
    base_scores: np.ndarray  # of the reference rows, sorted
    frauds: int
    verdicts: int

    def score(self, inputs: np.ndarray) -> np.ndarray:
        """0-1 scores on the base score's scale, in the classifier's order."""
        probabilities = self.classifier.predict_proba(inputs)[:, 1]
        return np.asarray(np.interp(probabilities, self.probabilities, self.base_scores))


def learning_inputs(base_scores: np.ndarray, features: np.ndarray, verdict_rows: np.ndarray) -> np.ndarray:
    """The layer's input matrix: the base score, the detector's features and the verdict features."""
    return np.column_stack([base_scores, features, verdict_rows])


def enough_verdicts(labels: np.ndarray) -> bool:
    """Whether the labels known (-1: none) are enough to learn from: MIN_FRAUDS frauds, MIN_VERDICTS in all,
    and some of them not fraud."""
    frauds, known = int((labels == 1).sum()), int((labels >= 0).sum())
    return frauds >= MIN_FRAUDS and known >= MIN_VERDICTS and frauds < known


def fit_verdict_model(inputs: np.ndarray, labels: np.ndarray, reference: np.ndarray) -> VerdictModel | None:
    """The layer fitted on the rows with a known label (`labels` -1 elsewhere), or None with too few verdicts.
    Column 0 of the inputs is the base score. The quantile map is drawn on `reference`, inputs of the
    transactions the layer will judge the like of (all of them, reviewed or not): reviewed transactions are
    mostly alerts, and a map drawn on them alone would lift every score to theirs."""
    if not enough_verdicts(labels):
        return None
    known = labels >= 0
    frauds = int((labels == 1).sum())
    leaf = int(np.clip(LEAF_SHARE_OF_FRAUDS * frauds, MIN_LEAF, MAX_LEAF))
    classifier = HistGradientBoostingClassifier(**CLASSIFIER, min_samples_leaf=leaf, random_state=SEED)
    classifier.fit(inputs[known], labels[known])
    probabilities = classifier.predict_proba(reference)[:, 1]
    return VerdictModel(classifier, np.sort(probabilities), np.sort(reference[:, 0]), frauds, int(known.sum()))


@dataclass(frozen=True)
class Learnt:
    scores: np.ndarray  # every row's score, learnt where a layer was fitted before it, else the base score
    layers: list[VerdictModel]  # in the order they were fitted
    verdict_rows: np.ndarray  # every row's VERDICT_FEATURES


def learnt_scores(
    rows: Rows,
    base_scores: np.ndarray,
    features: np.ndarray,
    verdicts: Sequence[Verdict],
    *,
    refit_days: float = 7.0,
) -> Learnt:
    """Every row's score as a deployment that refits the layer every `refit_days` would have given it: from
    the first time on, the layer is fitted at each refit time on the verdicts known then and scores the rows
    until the next; rows before enough verdicts are known keep their base score."""
    verdict_rows = verdict_features(rows, base_scores, verdicts)
    inputs = learning_inputs(base_scores, features, verdict_rows)
    scores = base_scores.astype(np.float64).copy()
    models: list[VerdictModel] = []
    if len(rows.times) == 0:
        return Learnt(scores, models, verdict_rows)
    step = refit_days * DAY_S
    fit_at = float(rows.times.min()) + step
    while fit_at <= float(rows.times.max()):
        # Calibrated on every transaction before the refit, as a deployment draws its map on a sample of all.
        before = rows.times < fit_at
        model = fit_verdict_model(inputs, labels_known_at(rows.ids, verdicts, fit_at), inputs[before])
        until = (rows.times >= fit_at) & (rows.times < fit_at + step)
        if model is not None and until.any():
            scores[until] = model.score(inputs[until])
            models.append(model)
        fit_at += step
    return Learnt(scores, models, verdict_rows)


# A deployed layer counts the verdicts on transactions of this many days before the one it judges (the
# longest window of VERDICT_FEATURES), so it keeps those only.
EVIDENCE_DAYS = max(*_MERCHANT_WINDOWS, *_ACCOUNT_WINDOWS)


@dataclass
class VerdictLayer:
    """The layer as a deployment keeps it between refits: the fitted model, the verdicts it counts when it
    judges a transaction, and the time from which it may judge. Every verdict it learnt from was known by
    `known_until`, so it judges only transactions at or after that time: a verdict never reaches the score
    of a transaction it was not known before."""

    model: VerdictModel
    evidence: Evidence
    known_until: float  # epoch seconds
    version: str = ""

    def judges(self, times: np.ndarray) -> np.ndarray:
        """Which of the transactions at these times the layer may judge."""
        return np.asarray(times >= self.known_until)

    def judge(self, rows: Rows, base_scores: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The learnt scores of the rows, all of which it judges, and their verdict features (for reasons)."""
        verdict_rows = counted_features(rows, self.evidence)
        return self.model.score(learning_inputs(base_scores, features, verdict_rows)), verdict_rows


def dump_layer(layer: VerdictLayer) -> tuple[bytes, str]:
    """The layer serialised with joblib, and its version ("verdicts-" and the digest of those bytes)."""
    buffer = io.BytesIO()
    joblib.dump(layer, buffer, compress=3)
    data = buffer.getvalue()
    layer.version = _layer_version(data)
    return data, layer.version


def loads_layer(data: bytes) -> VerdictLayer:
    layer: VerdictLayer = joblib.load(io.BytesIO(data))
    layer.version = _layer_version(data)
    return layer


def _layer_version(data: bytes) -> str:
    return "verdicts-" + hashlib.sha256(data).hexdigest()[:12]


def verdict_reasons(verdict_row: np.ndarray) -> tuple[str, ...]:
    """What the verdicts known at a transaction's time say of its merchant and account, in words."""
    said = []
    for where, said_where, windows in (
        ("merchant", "at this merchant", _MERCHANT_WINDOWS),
        ("account", "in this account", _ACCOUNT_WINDOWS),
    ):
        for days in windows:
            frauds = int(verdict_row[VERDICT_FEATURES.index(f"{where}_frauds_{days}d")])
            if frauds:
                plural = "fraud" if frauds == 1 else "frauds"
                said.append(f"{frauds} confirmed {plural} {said_where} in the last {days} days")
                break
    cleared = int(verdict_row[VERDICT_FEATURES.index(f"account_cleared_{_CLEARED_DAYS}d")])
    if cleared:
        alerts = "alert" if cleared == 1 else "alerts"
        said.append(f"{cleared} {alerts} in this account judged not fraud in the last {_CLEARED_DAYS} days")
    return tuple(said)


def layer_reasons(
    model: VerdictModel,
    verdict_row: np.ndarray,
    base_reasons: Sequence[str],
    base_score: float,
    score: float,
    level: str,
) -> tuple[str, ...]:
    """The reasons of a score the layer gave: what the verdicts say of the merchant and account, then the base
    score's own reasons; a score the layer raised out of LOW with neither says what raised it."""
    if level == "LOW":
        return ()
    said = (*verdict_reasons(verdict_row), *base_reasons)
    if said or score <= base_score:
        return said
    return (
        f"like the confirmed frauds among the {model.verdicts} reviewed transactions learnt from "
        f"(base score {base_score:.2f})",
    )
