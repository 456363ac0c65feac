"""`python -m bench --smoke`: every section runs on a tiny scale and writes the figures people compare.

It checks the shape and sanity of bench/results.json, never speed: timings are what `make bench` reports.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from isoflow.generator.csv_export import write_csv
from isoflow.generator.history import generate_history

REPO = Path(__file__).resolve().parents[2]
SCORERS = ("isoflow", "amount_zscore", "global_iforest", "seed_iforest")
STATE_PAYLOAD_LIMIT = 256 * 1024


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("bench")
    labelled = directory / "labelled.csv.gz"
    with gzip.open(labelled, "wt", encoding="utf-8", newline="") as out:
        write_csv(generate_history(30, 60, 5, datetime(2026, 11, 1, tzinfo=UTC), anomaly_rate=0.02), out)
    output = directory / "results.json"
    done = subprocess.run(
        [
            sys.executable, "-m", "bench", "--smoke", "--data", str(labelled), "--judge-from", "2026-09-15T00:00:00Z",
            "--output", str(output), "--workers", "1",
        ],
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(output.read_text()))


def test_detection_is_measured_per_data_set_and_scorer_beside_the_baselines(results: dict[str, Any]) -> None:
    detection = results["detection"]
    assert set(detection) == {"generated", "labelled"}
    for by_scorer in detection.values():
        for scorer in SCORERS:
            figures = by_scorer[scorer]
            assert 0 <= figures["auc"] <= 1 and 0 <= figures["ap"] <= 1 and 0 <= figures["p_at_100"] <= 1
            assert figures["positives"] > 0 and figures["by_group"]
    assert set(detection["labelled"]["isoflow"]["by_group"]) <= {
        "amount_spike", "foreign_country", "unusual_hour", "velocity_burst",
        "new_merchant_unusual_category", "account_takeover",
    }  # fmt: skip


def test_throughput_per_window_and_incremental_runs_score_alike(results: dict[str, Any]) -> None:
    throughput = results["throughput"]
    assert set(throughput["txns_per_s_per_core"]) == {"100", "500", "2000"}
    assert all(rate > 0 for rate in throughput["txns_per_s_per_core"].values())
    assert throughput["incremental_speedup"] > 1
    assert throughput["incremental"]["same_scores"] is True


def test_requests_cost_and_end_to_end_runs(results: dict[str, Any]) -> None:
    assert results["requests"]["scans"] == 0
    assert 0 < results["requests"]["dynamodb_per_scored_txn"] < 10
    assert results["cost"]["usd_per_million_txns"] > 0
    assert results["cost"]["prices"]["date"]
    e2e = results["e2e"]
    assert e2e["accounts_1000_s"] > 0 and e2e["accounts_10000_s"] > 0
    assert 0 < e2e["max_state_payload_bytes"] < STATE_PAYLOAD_LIMIT
    for run in results["pipeline"].values():
        assert run["summary"]["accounts"] == run["summary"]["accountsCleared"] == run["accounts"]
        assert run["transactions_scored"] == run["transactions"]


def test_api_latency_at_each_concurrency_without_errors(results: dict[str, Any]) -> None:
    api = results["api"]
    assert set(api["by_clients"]) == {"1", "8", "32"}
    for by_call in api["by_clients"].values():
        for figures in by_call.values():
            assert figures["errors"] == 0 and 0 < figures["median_ms"] <= figures["p99_ms"]
    assert api["create_p99_ms"] > 0 and api["list_p99_ms"] > 0


def test_cold_start_and_machine(results: dict[str, Any]) -> None:
    coldstart = results["coldstart"]
    assert coldstart["detector_import_s"] > 0
    size = coldstart["bundles"]["detector"]
    assert (size["mb"] is None and size["missing"]) or size["mb"] == coldstart["detector_bundle_mb"] > 0
    assert results["machine"]["cores"] >= 1 and results["machine"]["cpu"]
