"""Faults in a detection run: a failing batch, its retries, the run's cause, reruns, and writes mid-run."""

from __future__ import annotations

from typing import Any

import pytest
from detection_stack import QUICK, Stack, detection_stack, purchase, seed_account

from isoflow import runs
from isoflow.detection import clear, find, score
from isoflow.store.errors import BusyError
from isoflow.store.transactions import create_transaction
from isoflow.workflow import Tuning

HISTORY = 31  # enough for each account's own model


def failing_batch(monkeypatch: pytest.MonkeyPatch, batch: int) -> list[int]:
    """Makes the detector fail on one batch with a transient error; answers the attempts made on it."""
    attempts: list[int] = []
    real = score.score_batch

    def flaky(db: Any, job: score.Batch, **kwargs: Any) -> dict[str, Any]:
        if job.index == batch:
            attempts.append(job.index)
            raise BusyError("scores table throttled")
        return real(db, job, **kwargs)

    monkeypatch.setattr("handlers.detector.score_batch", flaky)
    return attempts


def accounts_by_batch(stack: Stack, accounts: list[str]) -> list[list[str]]:
    ordered = sorted(accounts)
    size = QUICK.batch_size
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


@pytest.fixture
def stack(local_aws: Any) -> Stack:
    return detection_stack(local_aws)


def test_a_failing_batch_is_retried_then_fails_the_run_and_a_rerun_completes_it(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = [seed_account(stack.db, transactions=HISTORY) for _ in range(4)]
    good, bad = accounts_by_batch(stack, accounts)
    attempts = failing_batch(monkeypatch, batch=1)

    failed = stack.run()

    assert failed["status"] == "FAILED"
    assert len(attempts) == 1 + QUICK.retry_max_attempts
    assert failed["error"] == "BatchesFailedError"
    assert "1 of 2 account batches failed" in failed["cause"]
    assert "batch 1: BusyError: scores table throttled" in failed["cause"]
    assert failed["summary"]["failedBatches"] == 1 and failed["summary"]["accountsCleared"] == len(good)
    assert all(stack.account(a).isStale is False for a in good)
    assert all(stack.account(a).isStale is True for a in bad)
    first_scores = {s["transactionId"]: s for s in stack.scores()}
    assert {s["accountId"] for s in first_scores.values()} == set(good)

    monkeypatch.setattr("handlers.detector.score_batch", score.score_batch)  # the fault is gone
    rerun = runs.rerun(stack.runs, failed["executionId"])
    assert rerun.mode == "restart" and rerun.executionId != failed["executionId"]
    completed = stack.wait(rerun.executionId)

    assert completed["status"] == "SUCCEEDED", completed["cause"]
    assert completed["rerunOf"] == failed["executionId"] == completed["input"]["rerunOf"]
    assert all(stack.account(a).isStale is False for a in accounts)
    scores = {s["transactionId"]: s for s in stack.scores()}
    assert len(scores) == len(accounts) * HISTORY
    # The rerun scored only what the failed run left, and left the first run's scores as they were.
    assert completed["summary"]["transactionsScored"] == len(bad) * HISTORY
    assert all(scores[t] == s for t, s in first_scores.items())


def test_a_batch_failing_after_its_scores_are_written_is_tolerated_and_never_scored_twice(
    local_aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tolerant = Tuning(**{**QUICK.__dict__, "tolerated_failure_percentage": 50})
    stack = detection_stack(local_aws, tolerant)
    accounts = [seed_account(stack.db, transactions=HISTORY) for _ in range(4)]
    good, bad = accounts_by_batch(stack, accounts)
    real = clear.clear_stale_flags

    def unreachable_table(db: Any, files: Any, scored: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if scored["batch"] == 1:
            raise BusyError("accounts table throttled")
        return real(db, files, scored, **kwargs)

    monkeypatch.setattr("handlers.clear_stale_flags.clear_flags", unreachable_table)
    run = stack.run()

    assert run["status"] == "SUCCEEDED", run["cause"]
    summary = run["output"]
    assert summary["failedBatches"] == 1
    assert summary["failures"] == [{"batch": 1, "error": "BusyError", "message": "accounts table throttled"}]
    assert summary["accountsCleared"] == len(good)
    assert all(stack.account(a).isStale is True for a in bad)
    written = {s["transactionId"]: s for s in stack.scores()}
    assert len(written) == len(accounts) * HISTORY  # the failed batch's scores were written before it failed

    monkeypatch.setattr("handlers.clear_stale_flags.clear_flags", real)
    again = stack.run()

    assert again["status"] == "SUCCEEDED", again["cause"]
    assert again["output"]["accounts"] == again["output"]["accountsCleared"] == len(bad)
    assert again["output"]["transactionsScored"] == 0
    assert {s["transactionId"]: s for s in stack.scores()} == written
    assert all(stack.account(a).isStale is False for a in accounts)


def test_a_write_during_a_run_keeps_its_account_stale_for_the_next_run(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = [seed_account(stack.db, transactions=HISTORY) for _ in range(2)]
    written = accounts[0]
    real = score.score_batch

    def with_a_write_meanwhile(db: Any, job: score.Batch, **kwargs: Any) -> dict[str, Any]:
        result = real(db, job, **kwargs)
        # The account's window was read and scored; a new transaction arrives before its flag is cleared.
        create_transaction(db, purchase(written, HISTORY + 1))
        return result

    monkeypatch.setattr("handlers.detector.score_batch", with_a_write_meanwhile)
    first = stack.run()

    assert first["status"] == "SUCCEEDED", first["cause"]
    assert first["summary"]["accountsStillStale"] == 1
    assert stack.account(written).isStale is True
    assert stack.account(written).riskLevel  # its risk is recorded all the same
    assert stack.account(accounts[1]).isStale is False

    monkeypatch.setattr("handlers.detector.score_batch", real)
    second = stack.run()

    assert second["status"] == "SUCCEEDED", second["cause"]
    assert second["summary"]["accounts"] == 1 and second["summary"]["transactionsScored"] == 1
    assert stack.account(written).isStale is False
    assert len(stack.scores()) == 2 * HISTORY + 1


def test_a_map_that_cannot_read_its_batches_fails_the_run_with_its_own_cause_and_a_summary(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_id = seed_account(stack.db, transactions=1)
    real = find.find_stale_accounts

    def manifest_gone(db: Any, files: Any, **kwargs: Any) -> dict[str, Any]:
        found = real(db, files, **kwargs)
        files.s3.delete_object(Bucket=found["manifest"]["bucket"], Key=found["manifest"]["key"])
        return found

    monkeypatch.setattr("handlers.find_stale_accounts.find_accounts", manifest_gone)
    run = stack.run()

    assert run["status"] == "FAILED"
    assert run["cause"].startswith("BatchesFailedError: ScoreAccounts failed: ")
    assert "1 of 1 account batches failed" in run["cause"]
    assert run["summary"]["failedBatches"] == 1 and run["summary"]["accountsCleared"] == 0
    assert stack.account(account_id).isStale is True
