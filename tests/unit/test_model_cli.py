import csv
import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from isoflow.cli import main
from model.scoring import seed_for

START = datetime(2024, 4, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def labelled_csv(tmp_path_factory):
    """Six accounts of everyday spending, each with one 20x amount spike labelled as fraud."""
    rng = random.Random(3)
    path = tmp_path_factory.mktemp("cli") / "labelled.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("transaction_id", "account_id", "timestamp", "amount", "merchant", "label", "scenario"))
        for a in range(6):
            moment = START
            for i in range(60):
                moment += timedelta(hours=rng.uniform(8, 30))
                spike = i == 45
                amount = 40 * rng.uniform(0.7, 1.3) * (20 if spike else 1)
                stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
                writer.writerow(
                    (f"t{a}-{i}", f"c{a}", stamp, f"{amount:.2f}", f"m{i % 5}", int(spike), 1 if spike else 0)
                )
    return path


def test_score_writes_every_row_with_a_score_level_and_reasons(labelled_csv, tmp_path):
    out = tmp_path / "scores.csv"
    assert main(["score", "--input", str(labelled_csv), "--output", str(out), "--workers", "1", "--quiet"]) == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 360
    assert [r["transaction_id"] for r in rows[:2]] == ["t0-0", "t0-1"]
    assert all(0 < float(r["score"]) < 1 and r["risk_level"] in {"LOW", "MEDIUM", "HIGH"} for r in rows)
    highest = sorted(rows, key=lambda r: -float(r["score"]))[:6]
    assert {r["transaction_id"] for r in highest} == {f"t{a}-45" for a in range(6)}
    assert all(r["risk_level"] != "LOW" and r["reasons"].startswith("amount ") for r in highest)
    assert all(r["reasons"] == "" for r in rows if r["risk_level"] == "LOW")


def test_score_is_the_same_with_one_or_two_processes(labelled_csv, tmp_path):
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    main(["score", "--input", str(labelled_csv), "--output", str(one), "--workers", "1", "--quiet"])
    main(["score", "--input", str(labelled_csv), "--output", str(two), "--workers", "2", "--quiet"])
    assert one.read_text() == two.read_text()


def test_evaluate_reports_metrics_beside_the_baselines(labelled_csv, tmp_path, capsys):
    report = tmp_path / "report.json"
    args = ["evaluate", "--input", str(labelled_csv), "--workers", "1", "--quiet", "--report", str(report)]
    assert main([*args, "--judge-from", "2024-04-20"]) == 0
    results = json.loads(report.read_text())
    assert set(results) == {"isoflow", "amount_zscore", "global_iforest", "population"}
    assert set(results["isoflow"]) == {"overall", "1"}
    overall = results["isoflow"]["overall"]
    assert overall["positives"] == 6
    assert overall["rows"] < 360  # only rows from the judge date on
    assert overall["auc"] == pytest.approx(1.0)
    out = capsys.readouterr().out
    assert "amount_zscore" in out
    # 360 rows of six accounts are too few to learn what is ordinary across accounts from.
    assert "shipped as the cold start" in out and results["population"].startswith("population model shipped-")


def test_evaluate_on_a_share_of_the_accounts_scores_only_those_accounts(labelled_csv, tmp_path):
    report = tmp_path / "report.json"
    args = ["evaluate", "--input", str(labelled_csv), "--workers", "1", "--quiet", "--report", str(report)]
    assert main([*args, "--accounts-fraction", "0.5"]) == 0
    overall = json.loads(report.read_text())["isoflow"]["overall"]
    kept = [a for a in range(6) if seed_for(f"c{a}") < 0.5 * 2**32]
    assert 0 < len(kept) < 6
    assert (overall["rows"], overall["positives"]) == (60 * len(kept), len(kept))
    with pytest.raises(SystemExit):
        main([*args, "--accounts-fraction", "0"])


def test_missing_columns_and_bad_values_are_named(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("transaction_id,account_id,amount\nt1,c1,10\n")
    assert main(["score", "--input", str(bad), "--output", str(tmp_path / "o.csv"), "--quiet"]) == 2
    assert "missing column(s) timestamp" in capsys.readouterr().err
    bad.write_text("transaction_id,account_id,timestamp,amount\nt1,c1,2024-01-01T00:00:00Z,-3\n")
    assert main(["score", "--input", str(bad), "--output", str(tmp_path / "o.csv"), "--quiet"]) == 2
    assert "line 2: amount" in capsys.readouterr().err
