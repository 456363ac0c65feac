"""Learning from verdicts, and the rule that keeps it honest: a verdict counts for a transaction only once it is
known, at or before the transaction's time."""

import csv
import json
import random

import numpy as np
import pytest

from isoflow.cli import main
from model.learning import (
    DAY_S,
    Evidence,
    Rows,
    Verdict,
    VerdictLayer,
    dump_layer,
    evidence_in,
    fit_verdict_model,
    labels_known_at,
    learning_inputs,
    learnt_scores,
    loads_layer,
    verdict_features,
    verdict_reasons,
)
from model.verdict_features import MIN_FRAUDS, VERDICT_FEATURES

T0 = 1_700_000_000.0
COLUMN = {name: j for j, name in enumerate(VERDICT_FEATURES)}


def _rows(spec: list[tuple[str, str, str | None, float]]) -> Rows:
    """Rows from (id, account, merchant, day)."""
    return Rows(
        ids=[s[0] for s in spec],
        accounts=[s[1] for s in spec],
        merchants=[s[2] for s in spec],
        times=np.array([T0 + s[3] * DAY_S for s in spec]),
    )


def _usual(rows: Rows) -> np.ndarray:
    """Base scores of transactions none of which was an alert."""
    return np.zeros(len(rows.ids))


def test_a_fraud_counts_at_its_merchant_only_once_known_and_within_the_window() -> None:
    rows = _rows(
        [
            ("fraud", "a", "shop", 0.0),
            ("before it is known", "b", "shop", 2.0),
            ("after", "c", "shop", 4.0),
            ("elsewhere", "c", "cafe", 4.0),
            ("ten days on", "d", "shop", 10.0),
            ("a month on", "d", "shop", 31.0),
        ]
    )
    known = verdict_features(rows, _usual(rows), [Verdict("fraud", True, T0 + 3 * DAY_S)])
    frauds_7d, frauds_14d, frauds_30d = (known[:, COLUMN[f"merchant_frauds_{d}d"]] for d in (7, 14, 30))
    assert frauds_7d.tolist() == [0, 0, 1, 0, 0, 0]
    assert frauds_14d.tolist() == [0, 0, 1, 0, 1, 0]
    assert frauds_30d.tolist() == [0, 0, 1, 0, 1, 0]
    # the account's own frauds, on its other transactions
    assert known[:, COLUMN["account_frauds_30d"]].tolist() == [0, 0, 0, 0, 0, 0]
    after = verdict_features(rows, _usual(rows), [Verdict("after", True, T0)])
    assert after[:, COLUMN["account_frauds_14d"]].tolist() == [0, 0, 1, 1, 0, 0]


def test_the_verdict_known_last_at_a_transactions_time_is_the_one_that_counts() -> None:
    rows = _rows([("t", "a", "shop", 0.0), ("x", "b", "shop", 5.0), ("y", "b", "shop", 9.0)])
    verdicts = [Verdict("t", True, T0 + 1 * DAY_S), Verdict("t", False, T0 + 7 * DAY_S)]
    known = verdict_features(rows, _usual(rows), verdicts)
    assert known[:, COLUMN["merchant_frauds_14d"]].tolist() == [0, 1, 0]  # withdrawn by day 7
    assert known[:, COLUMN["merchant_verdicts_14d"]].tolist() == [0, 1, 1]
    assert labels_known_at(rows.ids, verdicts, T0 + 2 * DAY_S).tolist() == [1, -1, -1]
    assert labels_known_at(rows.ids, verdicts, T0 + 8 * DAY_S).tolist() == [0, -1, -1]


def _compromised_merchants(seed: int = 5, accounts: int = 300) -> tuple[Rows, np.ndarray, np.ndarray, np.ndarray]:
    """60 days of `accounts` accounts at 40 merchants; from day 10, merchants m0-m2 are compromised and 40% of their
    transactions are fraud. The base score knows nothing of it."""
    rng = random.Random(seed)
    spec, labels = [], []
    for i in range(20_000):
        day = rng.uniform(0, 60)
        merchant = f"m{rng.randrange(40)}"
        spec.append((f"t{i}", f"a{rng.randrange(accounts)}", merchant, day))
        labels.append(int(merchant in COMPROMISED and day >= 10 and rng.random() < 0.4))
    spec_sorted = sorted(zip(spec, labels, strict=True), key=lambda pair: pair[0][3])
    rows = _rows([s for s, _ in spec_sorted])
    y = np.array([label for _, label in spec_sorted])
    base = np.array([rng.uniform(0.3, 0.5) for _ in y])
    features = np.array([[rng.random(), rng.random()] for _ in y])
    return rows, y, base, features


COMPROMISED = ("m0", "m1", "m2")


def _delayed(rows: Rows, labels: np.ndarray, days: float) -> list[Verdict]:
    return [
        Verdict(tid, bool(label), float(t) + days * DAY_S)
        for tid, label, t in zip(rows.ids, labels, rows.times, strict=True)
    ]


def test_verdicts_teach_the_compromised_merchant_and_no_later_verdict_leaks_in() -> None:
    rows, y, base, features = _compromised_merchants()
    verdicts = _delayed(rows, y, 7)
    learnt = learnt_scores(rows, base, features, verdicts)
    scores, layers = learnt.scores, learnt.layers
    assert layers and all(0 <= s <= 1 for s in scores)
    late = rows.times >= T0 + 35 * DAY_S
    at_m0 = np.array([m in COMPROMISED for m in rows.merchants])
    # the learnt score ranks the compromised merchant's transactions above the rest
    assert scores[late & at_m0].mean() > scores[late & ~at_m0].mean() + 0.05
    assert np.median(scores[late & ~at_m0]) == pytest.approx(np.median(base[late & ~at_m0]), abs=0.05)

    # Every row also gets the opposite verdict, known only long after the last transaction: a scorer that
    # respects when verdicts became known gives exactly the same scores.
    years_later = float(rows.times.max()) + 3 * 365 * DAY_S
    opposite = [Verdict(v.transaction_id, not v.fraud, years_later) for v in verdicts]
    again = learnt_scores(rows, base, features, verdicts + opposite).scores
    np.testing.assert_array_equal(again, scores)
    # And known one second too early, the opposite verdicts change them: the test above can fail.
    early = [Verdict(v.transaction_id, not v.fraud, v.known_at - 1) for v in verdicts]
    changed = learnt_scores(rows, base, features, verdicts + early).scores
    assert not np.array_equal(changed, scores)


def test_a_transaction_s_features_never_see_verdicts_known_after_it() -> None:
    rows, y, base, _ = _compromised_merchants(seed=6)
    verdicts = _delayed(rows, y, 7)
    cut = T0 + 30 * DAY_S
    before = verdict_features(rows, base, [v for v in verdicts if v.known_at <= cut])
    every = verdict_features(rows, base, verdicts)
    up_to_cut = rows.times <= cut
    np.testing.assert_array_equal(before[up_to_cut], every[up_to_cut])
    assert not np.array_equal(before[~up_to_cut], every[~up_to_cut])


def test_too_few_verdicts_leave_the_base_score_alone() -> None:
    rows, y, base, features = _compromised_merchants()
    inputs = np.column_stack([base, features])
    frauds = np.flatnonzero(y == 1)
    labels = np.where(y == 1, -1, 0)  # every "not fraud" known
    labels[frauds[: MIN_FRAUDS - 1]] = 1
    assert fit_verdict_model(inputs, labels, inputs) is None
    labels[frauds[MIN_FRAUDS - 1]] = 1
    assert fit_verdict_model(inputs, labels, inputs) is not None
    nothing = learnt_scores(rows, base, features, [])
    assert nothing.layers == [] and np.array_equal(nothing.scores, base)


@pytest.fixture(scope="module")
def compromised_csv(tmp_path_factory) -> tuple[object, Rows, np.ndarray]:
    rows, y, _, _ = _compromised_merchants(seed=7, accounts=40)  # few accounts: few forests to fit
    path = tmp_path_factory.mktemp("learning") / "labelled.csv"
    rng = random.Random(1)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("transaction_id", "account_id", "timestamp", "amount", "merchant", "label"))
        for tid, account, merchant, moment, label in zip(
            rows.ids, rows.accounts, rows.merchants, rows.times, y, strict=True
        ):
            writer.writerow((tid, account, _stamp(moment), f"{rng.uniform(10, 60):.2f}", merchant, int(label)))
    return path, rows, y


def _stamp(moment: float) -> str:
    return str(np.datetime64(int(moment), "s")) + "Z"


def test_score_learns_from_a_feedback_file_and_says_what_it_learnt(compromised_csv, tmp_path, capsys) -> None:
    path, rows, y = compromised_csv
    feedback = tmp_path / "chargebacks.csv"
    with feedback.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("transaction_id", "label", "known_at"))
        for tid, moment, label in zip(rows.ids, rows.times, y, strict=True):
            writer.writerow((tid, int(label), _stamp(moment + 7 * DAY_S)))
    out = tmp_path / "scores.csv"
    args = ["score", "--input", str(path), "--output", str(out), "--workers", "1", "--quiet"]
    assert main([*args, "--feedback", str(feedback)]) == 0
    assert "learnt from verdicts:" in capsys.readouterr().err
    scored = {r["transaction_id"]: r for r in csv.DictReader(out.open())}
    late = rows.times >= T0 + 30 * DAY_S
    frauds = [scored[tid] for tid, label, is_late in zip(rows.ids, y, late, strict=True) if label and is_late]
    raised = [r for r in frauds if r["risk_level"] != "LOW"]
    assert len(raised) > 0.7 * len(frauds) > 0
    assert all("confirmed frauds at this merchant in the last" in r["reasons"] for r in raised)


def test_evaluate_learns_from_late_labels_beside_a_supervised_baseline(compromised_csv, tmp_path, capsys) -> None:
    path, _, _ = compromised_csv
    report = tmp_path / "report.json"
    judge = _stamp(T0 + 40 * DAY_S)
    args = ["evaluate", "--input", str(path), "--workers", "1", "--quiet", "--judge-from", judge]
    assert main([*args, "--label-delay-days", "7", "--report", str(report)]) == 0
    results = json.loads(report.read_text())
    assert {"isoflow", "isoflow_base", "supervised_baseline"} <= set(results)
    assert results["isoflow"]["overall"]["auc"] > 0.8 > results["isoflow_base"]["overall"]["auc"]
    assert "learnt from verdicts" in capsys.readouterr().out


def test_not_fraud_verdicts_teach_too_the_same_pattern_in_the_same_account_scores_lower_next_time() -> None:
    """Accounts whose unusual purchases (a high base score) turned out to be fraud, and accounts whose same
    purchases an analyst judged not fraud: the next one in an account whose alerts were judged not fraud
    scores lower than the same purchase in an account whose alerts were not reviewed yet, and says why."""
    rng = random.Random(3)
    spec: list[tuple[str, str, str | None, float]] = []
    base, verdicts = [], []
    for a in range(120):
        for i in range(60):
            tid, day, unusual = f"t{a}_{i}", a * 0.05 + i * 1.0, i % 20 == 19
            spec.append((tid, f"acc{a}", f"shop{rng.randrange(40)}", day))
            base.append(rng.uniform(0.7, 0.9) if unusual else rng.uniform(0.2, 0.66))
            if unusual or rng.random() < 0.1:
                verdicts.append(Verdict(tid, unusual and a % 2 == 0, T0 + (day + 1) * DAY_S))
    rows, base_scores = _rows(spec), np.array(base)
    features = (base_scores >= 0.7).astype(float)[:, None]
    fit_at = T0 + 62 * DAY_S
    inputs = learning_inputs(base_scores, features, verdict_features(rows, base_scores, verdicts))
    model = fit_verdict_model(inputs, labels_known_at(rows.ids, verdicts, fit_at), inputs)
    assert model is not None
    layer = loads_layer(dump_layer(VerdictLayer(model, evidence_in(rows, base_scores, verdicts), fit_at))[0])
    # The same unusual purchase, the next day: in an account whose alerts were judged not fraud, and in one
    # with only usual purchases reviewed.
    judged = _rows([("n1", "acc1", "new shop", 62.5), ("n2", "acc_new", "new shop", 62.5)])
    reviewed = Verdict("usual", False, T0 + 61 * DAY_S)
    layer.evidence = Evidence(
        [*layer.evidence.verdicts, reviewed],
        [*layer.evidence.accounts, "acc_new"],
        [*layer.evidence.merchants, "shop2"],
        np.append(layer.evidence.times, T0 + 60 * DAY_S),
        np.append(layer.evidence.base_scores, 0.3),
    )
    assert layer.judges(judged.times).all() and not layer.judges(np.array([fit_at - 1])).any()
    scores, verdict_rows = layer.judge(judged, np.array([0.8, 0.8]), np.array([[1.0], [1.0]]))
    assert scores[0] < scores[1]
    assert verdict_reasons(verdict_rows[0]) == ("3 alerts in this account judged not fraud in the last 30 days",)
    assert verdict_reasons(verdict_rows[1]) == ()
