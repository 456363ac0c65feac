"""ClearStaleFlags: record each scored account's risk and clear its flag, then store the batch's counts.

Only the accounts the detector scored completely are in its result: one it could not score keeps its flag
and is only counted (`Keys.ACCOUNTS_FAILED`). Clearing is conditional on the version the run read (one
TransactWriteItems per batch in the common case, see `record_risks`): an account written to during the run
keeps its flag, with its risk recorded, and the next run scores what arrived. So does an account written just
before the run, which the detector's index read could have missed (`Keys.CLEAR_IF_WRITTEN_BEFORE`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from isoflow.detection.files import RunFiles
from isoflow.observability import logger
from isoflow.store.accounts import AccountRisk, record_risks
from isoflow.store.db import Db
from isoflow.timestamps import now_text
from isoflow.workflow import Keys, States, optional_timestamp, step_input, text


def _scored_account(value: Any) -> dict[str, Any]:
    return {
        Keys.ACCOUNT_ID: text(value[Keys.ACCOUNT_ID]),
        Keys.VERSION: int(value[Keys.VERSION]),
        "riskScore": float(value["riskScore"]),
        "riskLevel": text(value["riskLevel"]),
    }


def _scored_accounts(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of accounts, got {type(value).__name__}")
    return [_scored_account(account) for account in value]


def _account_failures(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of failed accounts, got {type(value).__name__}")
    return [
        {
            Keys.ACCOUNT_ID: text(failure[Keys.ACCOUNT_ID]),
            "error": text(failure["error"]),
            "message": str(failure["message"]),
        }
        for failure in value
    ]


def _top_anomalies(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of anomalies, got {type(value).__name__}")
    return [
        {
            Keys.ACCOUNT_ID: text(anomaly[Keys.ACCOUNT_ID]),
            "transactionId": text(anomaly["transactionId"]),
            "riskScore": float(anomaly["riskScore"]),
            "reasons": [str(reason) for reason in anomaly["reasons"]],
        }
        for anomaly in value
    ]


def scored_batch(event: Any) -> dict[str, Any]:
    """ScoreAccountBatch's output as this step's input, checked whole before any flag is touched."""
    return step_input(
        States.CLEAR_STALE_FLAGS,
        event,
        {
            Keys.EXECUTION_ID: text,
            Keys.BATCH: int,
            Keys.ACCOUNTS: _scored_accounts,
            Keys.CLEAR_IF_WRITTEN_BEFORE: optional_timestamp,
            "transactionsScored": int,
            "riskLevels": lambda levels: {text(level): int(count) for level, count in dict(levels).items()},
            Keys.ACCOUNTS_FAILED: int,
            Keys.ACCOUNT_FAILURES: _account_failures,
        },
        # A batch scored before runs sent alerts names none.
        optional={Keys.TOP_ANOMALIES: _top_anomalies},
    )


def clear_stale_flags(
    db: Db, files: RunFiles, scored: Mapping[str, Any], *, now: Callable[[], str] = now_text
) -> dict[str, Any]:
    """`scored` is ScoreAccountBatch's output; answers the batch's counts (also stored for RecordRun)."""
    scored_at = now()
    risks = [
        AccountRisk(
            account_id=account[Keys.ACCOUNT_ID],
            version=int(account[Keys.VERSION]),
            risk_score=float(account["riskScore"]),
            risk_level=str(account["riskLevel"]),
        )
        for account in scored[Keys.ACCOUNTS]
    ]
    cleared = len(record_risks(db, risks, scored_at=scored_at, written_before=scored[Keys.CLEAR_IF_WRITTEN_BEFORE]))
    accounts = len(scored[Keys.ACCOUNTS])
    result = {
        "accounts": accounts,
        "accountsCleared": cleared,
        "accountsStillStale": accounts - cleared,
        "transactionsScored": int(scored["transactionsScored"]),
        "riskLevels": dict(scored["riskLevels"]),
        Keys.ACCOUNTS_FAILED: int(scored[Keys.ACCOUNTS_FAILED]),
        Keys.ACCOUNT_FAILURES: list(scored[Keys.ACCOUNT_FAILURES]),
        Keys.TOP_ANOMALIES: list(scored[Keys.TOP_ANOMALIES] or []),
    }
    files.put_result(str(scored[Keys.EXECUTION_ID]), int(scored[Keys.BATCH]), result)
    logger.info(
        "batch recorded", extra={"executionId": scored[Keys.EXECUTION_ID], "batch": scored[Keys.BATCH], **result}
    )
    return result
