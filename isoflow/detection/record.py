"""RecordRun: the run's summary, summed from the batches' results, stored and returned as the run's output.

Step Functions fails the Map when more batches fail than `ToleratedFailurePercentage` allows, and the Map's
Catch brings the run here all the same: the summary is stored, then the run fails with a cause naming each
failed batch's own error (Step Functions' cause would only say the threshold was exceeded). Engines that do
not enforce the threshold (moto's) finish the Map anyway, so the same rule is applied here too, and a run
never reports success with more failed batches than it tolerates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from isoflow.detection.alert import top_anomalies
from isoflow.detection.files import RunFiles
from isoflow.observability import logger
from isoflow.runs import readable_cause
from isoflow.store.scores import RISK_LEVELS
from isoflow.timestamps import format_timestamp, parse_timestamp, utc_now
from isoflow.workflow import Keys, States, optional_model, step_input, text

# A run's population model when the deployment has none of its own yet (model.population's cold start).
SHIPPED_POPULATION = "shipped"
NO_LAYER = "none"
# The summary lists at most this many failed batches (and failed accounts), to stay small whatever happened.
MAX_LISTED_FAILURES = 5
# Step Functions' error for a Map with more failed items than tolerated: the batches' own errors say more.
THRESHOLD_EXCEEDED = "States.ExceedToleratedFailureThreshold"


class BatchesFailedError(Exception):
    """More account batches failed than the run tolerates (or the Map failed as a whole); the accounts the run
    did not finish stay stale for the next run."""


def summarise(
    run: Mapping[str, Any],
    results: Mapping[int, Mapping[str, Any]],
    failures: Mapping[int, Mapping[str, Any]],
    finished_at: str,
) -> dict[str, Any]:
    batches = int(run[Keys.BATCHES])
    failed = [index for index in range(batches) if index not in results]
    levels = {level: sum(r["riskLevels"].get(level, 0) for r in results.values()) for level in RISK_LEVELS}
    started_at = str(run[Keys.STARTED_AT])
    return {
        "accounts": int(run[Keys.ACCOUNTS]),
        "accountsScored": sum(r["accounts"] for r in results.values()),
        "accountsCleared": sum(r["accountsCleared"] for r in results.values()),
        "accountsStillStale": sum(r["accountsStillStale"] for r in results.values()),
        # Accounts the detector could not score in batches that finished: still stale, scored by the next run.
        "accountsFailed": sum(r[Keys.ACCOUNTS_FAILED] for r in results.values()),
        "accountFailures": [failure for index in sorted(results) for failure in results[index][Keys.ACCOUNT_FAILURES]][
            :MAX_LISTED_FAILURES
        ],
        "transactionsScored": sum(r["transactionsScored"] for r in results.values()),
        "riskLevels": levels,
        "anomalies": levels["HIGH"],
        Keys.TOP_ANOMALIES: top_anomalies(a for r in results.values() for a in r.get(Keys.TOP_ANOMALIES, [])),
        "batches": batches,
        # The population model the run scored with, as its scores' modelVersion names it.
        "populationVersion": (run.get(Keys.POPULATION) or {}).get("version", SHIPPED_POPULATION),
        # The layer learnt from verdicts it scored with, as the scores name it ("none": the base score alone).
        "verdictModelVersion": (run.get(Keys.VERDICT_MODEL) or {}).get("version", NO_LAYER),
        "failedBatches": len(failed),
        "failures": [
            {"batch": index, **{k: v for k, v in failures.get(index, {}).items() if k in ("error", "message")}}
            for index in failed[:MAX_LISTED_FAILURES]
        ],
        "startedAt": format_timestamp(parse_timestamp(started_at)),
        "finishedAt": finished_at,
        "durationSeconds": round((parse_timestamp(finished_at) - parse_timestamp(started_at)).total_seconds()),
    }


def failure_message(
    summary: Mapping[str, Any], tolerated_percentage: float, map_error: Mapping[str, Any] | None = None
) -> str:
    parts = []
    if map_error and map_error.get("Error") != THRESHOLD_EXCEEDED:
        cause = readable_cause(map_error.get("Cause"))
        parts.append(f"{States.SCORE_ACCOUNTS} failed: {map_error.get('Error')}: {cause}.")
    failed, batches = summary["failedBatches"], summary["batches"]
    if failed:
        listed = "; ".join(
            f"batch {f['batch']}: {f.get('error', 'no answer')}: {f.get('message', 'the batch did not finish')}"
            for f in summary["failures"]
        )
        more = f" (and {failed - len(summary['failures'])} more)" if failed > len(summary["failures"]) else ""
        parts.append(
            f"{failed} of {batches} account batches failed after retries "
            f"({100 * failed / batches:.0f}%, {tolerated_percentage:g}% tolerated): {listed}{more}."
        )
    parts.append("The accounts the run did not finish stay stale and are scored by the next run.")
    return " ".join(parts)


def run_to_record(event: Any) -> dict[str, Any]:
    """RecordRun's input, checked before anything is read or stored (the Map's error is optional)."""
    run = step_input(
        States.RECORD_RUN,
        event,
        {
            Keys.EXECUTION_ID: text,
            Keys.STARTED_AT: text,
            Keys.ACCOUNTS: int,
            Keys.BATCHES: int,
            Keys.POPULATION: optional_model,
            Keys.TOLERATED_FAILURE_PERCENTAGE: float,
        },
        # A run started before layers were learnt from verdicts names none.
        optional={Keys.VERDICT_MODEL: optional_model},
    )
    return {**run, Keys.SCORE_ACCOUNTS_ERROR: event.get(Keys.SCORE_ACCOUNTS_ERROR)}


def record_run(
    files: RunFiles,
    save_summary: Callable[[str, Mapping[str, Any]], None],
    run: Mapping[str, Any],
    *,
    alert: Callable[[str, Mapping[str, Any]], dict[str, Any]] | None = None,
    now: Callable[[], str] = lambda: format_timestamp(utc_now()),
) -> dict[str, Any]:
    """Sums, stores (`save_summary(executionId, summary)`) and answers the summary; raises BatchesFailedError
    when the Map failed or more batches failed than tolerated (after storing the summary, so a failed run has
    one too). When the run wrote new HIGH scores, `alert(executionId, summary)` sends the run's alert first
    (isoflow.detection.alert, which never raises) and the summary keeps what it answers."""
    execution_id = str(run[Keys.EXECUTION_ID])
    summary = summarise(run, files.results(execution_id), files.failures(execution_id), now())
    # null: no alert, as the run found no new HIGH anomaly (or sends none).
    summary["alert"] = alert(execution_id, summary) if alert is not None and summary["anomalies"] else None
    save_summary(execution_id, summary)
    logger.info("run summary", extra={"executionId": execution_id, **summary})
    tolerated = float(run[Keys.TOLERATED_FAILURE_PERCENTAGE])
    map_error = run.get(Keys.SCORE_ACCOUNTS_ERROR)
    exceeded = summary["failedBatches"] and 100 * summary["failedBatches"] > tolerated * summary["batches"]
    if map_error or exceeded:
        raise BatchesFailedError(failure_message(summary, tolerated, map_error))
    return summary
