"""The run's batches, its summary and its failure cause, from the pieces the states leave behind."""

from __future__ import annotations

from typing import Any

import pytest

from isoflow.detection.find import batches_of
from isoflow.detection.record import BatchesFailedError, record_run, summarise
from isoflow.detection.score import Batch
from isoflow.runs import largest_payload, new_execution_id, readable_cause
from isoflow.store.accounts import StaleAccount
from isoflow.workflow import Keys

RUN = {
    Keys.EXECUTION_ID: "run-1",
    Keys.STARTED_AT: "2026-11-24T10:00:00.123456+00:00",
    Keys.ACCOUNTS: 5,
    Keys.BATCHES: 3,
    Keys.POPULATION: {"version": "3f2a9c1d0b7e", "key": "population/models/3f2a9c1d0b7e.joblib"},
    Keys.TOLERATED_FAILURE_PERCENTAGE: 0,
}


def result(accounts: int, cleared: int, scored: int, high: int = 0, failed: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "accounts": accounts,
        "accountsCleared": cleared,
        "accountsStillStale": accounts - cleared,
        "transactionsScored": scored,
        "riskLevels": {"LOW": scored - high, "MEDIUM": 0, "HIGH": high},
        "accountsFailed": len(failed),
        "accountFailures": [{"accountId": a, "error": "BusyError", "message": "throttled"} for a in failed],
        "topAnomalies": [
            {
                "transactionId": f"txn_{scored}_{i}",
                "accountId": "acc_a",
                "riskScore": 0.9 - i / 100 - scored / 1000,
                "reasons": ["why"],
            }
            for i in range(high)
        ],
    }


class FakeFiles:
    def __init__(self, results: dict[int, dict[str, Any]], failures: dict[int, dict[str, Any]]) -> None:
        self._results, self._failures = results, failures

    def results(self, execution_id: str) -> dict[int, dict[str, Any]]:
        return self._results

    def failures(self, execution_id: str) -> dict[int, dict[str, Any]]:
        return self._failures


def test_batches_keep_their_order_index_and_versions_and_name_the_runs_models() -> None:
    population = RUN[Keys.POPULATION]
    layer = {"version": "verdicts-0a1b2c3d4e5f", "key": "verdicts/models/verdicts-0a1b2c3d4e5f.joblib"}
    stale = [
        StaleAccount("acc_a", 3, "2026-09-30T08:00:00Z"),
        StaleAccount("acc_b", 1),  # marked by a delete only
        StaleAccount("acc_c", 7, "2026-11-24T09:00:00Z"),
    ]
    batches = batches_of(stale, "run-1", 2, "2026-11-24T10:00:00Z", population, layer)
    assert batches == [
        {
            "executionId": "run-1",
            "batch": 0,
            "accounts": [
                {"accountId": "acc_a", "version": 3, "unscoredFrom": "2026-09-30T08:00:00Z"},
                {"accountId": "acc_b", "version": 1, "unscoredFrom": None},
            ],
            "clearIfWrittenBefore": "2026-11-24T10:00:00Z",
            "population": population,
            "verdictModel": layer,
        },
        {
            "executionId": "run-1",
            "batch": 1,
            "accounts": [{"accountId": "acc_c", "version": 7, "unscoredFrom": "2026-11-24T09:00:00Z"}],
            "clearIfWrittenBefore": "2026-11-24T10:00:00Z",
            "population": population,
            "verdictModel": layer,
        },
    ]
    assert Batch.from_event(batches[1]).accounts[0].version == 7
    assert [a.unscored_from for a in Batch.from_event(batches[0]).accounts] == ["2026-09-30T08:00:00Z", None]
    assert Batch.from_event(batches[1]).population == population
    assert Batch.from_event({**batches[1], "population": None}).population is None
    assert Batch.from_event(batches[1]).verdict_model == layer
    # A manifest written before layers were learnt names none: the base score stands alone.
    assert Batch.from_event({k: v for k, v in batches[1].items() if k != "verdictModel"}).verdict_model is None
    with pytest.raises(ValueError, match="ScoreAccountBatch input 'population' is not valid"):
        Batch.from_event({**batches[1], "population": {"version": "3f2a9c1d0b7e"}})
    with pytest.raises(ValueError, match="ScoreAccountBatch input has no 'accounts'"):
        Batch.from_event({"executionId": "run-1", "batch": 0})


def test_the_summary_sums_the_batches_and_names_the_missing_ones() -> None:
    summary = summarise(
        RUN,
        {0: result(2, 2, 40, high=1, failed=("acc_x",)), 2: result(1, 0, 3, high=2)},
        {1: {"batch": 1, "error": "BusyError", "message": "throttled"}},
        "2026-11-24T10:01:30Z",
    )
    assert summary == {
        "accounts": 5,
        "accountsScored": 3,
        "accountsCleared": 2,
        "accountsStillStale": 1,
        "accountsFailed": 1,
        "accountFailures": [{"accountId": "acc_x", "error": "BusyError", "message": "throttled"}],
        "transactionsScored": 43,
        "riskLevels": {"LOW": 40, "MEDIUM": 0, "HIGH": 3},
        "anomalies": 3,
        # The highest of every batch's, highest first.
        "topAnomalies": [
            {"transactionId": "txn_3_0", "accountId": "acc_a", "riskScore": 0.897, "reasons": ["why"]},
            {"transactionId": "txn_3_1", "accountId": "acc_a", "riskScore": 0.887, "reasons": ["why"]},
            {"transactionId": "txn_40_0", "accountId": "acc_a", "riskScore": 0.86, "reasons": ["why"]},
        ],
        "batches": 3,
        "populationVersion": "3f2a9c1d0b7e",
        "verdictModelVersion": "none",  # no layer learnt from verdicts yet
        "failedBatches": 1,
        "failures": [{"batch": 1, "error": "BusyError", "message": "throttled"}],
        "startedAt": "2026-11-24T10:00:00Z",
        "finishedAt": "2026-11-24T10:01:30Z",
        "durationSeconds": 90,
    }


def test_a_run_with_more_failed_batches_than_tolerated_is_stored_then_fails_with_a_readable_cause() -> None:
    stored: dict[str, Any] = {}
    files = FakeFiles({0: result(2, 2, 4)}, {2: {"batch": 2, "error": "ValueError", "message": "bad features"}})

    with pytest.raises(BatchesFailedError) as failure:
        record_run(files, stored.__setitem__, RUN, now=lambda: "2026-11-24T10:00:10Z")  # type: ignore[arg-type]

    assert str(failure.value) == (
        "2 of 3 account batches failed after retries (67%, 0% tolerated): "
        "batch 1: no answer: the batch did not finish; batch 2: ValueError: bad features. "
        "The accounts the run did not finish stay stale and are scored by the next run."
    )
    assert stored["run-1"]["failedBatches"] == 2


def test_a_failed_map_fails_the_run_with_the_batches_errors_or_its_own() -> None:
    files = FakeFiles({0: result(2, 2, 4), 1: result(2, 2, 4)}, {2: {"batch": 2, "error": "BusyError", "message": "x"}})
    tolerant = {**RUN, Keys.TOLERATED_FAILURE_PERCENTAGE: 10}
    threshold = {"Error": "States.ExceedToleratedFailureThreshold", "Cause": "The tolerated threshold was exceeded"}

    with pytest.raises(BatchesFailedError) as exceeded:
        record_run(files, lambda *_: None, {**tolerant, Keys.SCORE_ACCOUNTS_ERROR: threshold})  # type: ignore[arg-type]
    assert str(exceeded.value).startswith("1 of 3 account batches failed after retries (33%, 10% tolerated): batch 2")

    unreadable = {"Error": "States.ItemReaderFailed", "Cause": "Access Denied (Service: S3)"}
    with pytest.raises(BatchesFailedError) as reader:
        record_run(FakeFiles({}, {}), lambda *_: None, {**RUN, Keys.SCORE_ACCOUNTS_ERROR: unreadable})  # type: ignore[arg-type]
    assert str(reader.value).startswith(
        "ScoreAccounts failed: States.ItemReaderFailed: Access Denied (Service: S3). 3 of 3 account batches failed"
    )


def test_failures_within_the_tolerated_share_still_succeed() -> None:
    files = FakeFiles({0: result(2, 2, 4), 1: result(2, 2, 4)}, {})
    tolerant = {**RUN, Keys.TOLERATED_FAILURE_PERCENTAGE: 50}
    summary = record_run(files, lambda *_: None, tolerant, now=lambda: "2026-11-24T10:00:10Z")  # type: ignore[arg-type]
    assert summary["failedBatches"] == 1 and summary["accountsCleared"] == 4


def test_causes_read_as_messages_and_run_ids_sort_by_time() -> None:
    lambda_cause = '{"errorType": "BusyError", "errorMessage": "throttled", "stackTrace": ["..."]}'
    assert readable_cause(lambda_cause) == "BusyError: throttled"
    assert readable_cause("States.Timeout") == "States.Timeout"
    assert readable_cause(None) is None
    first, second = new_execution_id(), new_execution_id()
    assert first.startswith("run-") and len(first) <= 80 and first != second


def test_the_largest_payload_is_measured_over_every_state_input_and_output() -> None:
    events = [
        {"details": {"input": "{}", "inputDetails": {"truncated": False}}},
        {"details": {"name": "RecordRun", "output": '{"accounts":10000}'}},
        {"details": {"mapRunArn": "arn:aws:states:::mapRun:x"}},
    ]
    assert largest_payload(events) == len('{"accounts":10000}')
    assert largest_payload([]) == 0
