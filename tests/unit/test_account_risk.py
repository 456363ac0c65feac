"""An account's risk: its recent, unresolved anomalies."""

from __future__ import annotations

from isoflow.api.models import Verdict
from isoflow.store.risk import CONFIRMED, NO_RISK, NOT_FRAUD, RISK_DAYS, Risk, ScoredTransaction, account_risk
from model.config import DEFAULT_CONFIG


def scored(day: int, score: float | None, level: str | None = None, verdict: str | None = None) -> ScoredTransaction:
    level = level or ("HIGH" if (score or 0) >= 0.65 else "MEDIUM" if (score or 0) >= 0.57 else "LOW")
    return ScoredTransaction(f"2026-10-{day:02d}T12:00:00Z", score, level if score is not None else None, verdict)


def test_the_highest_current_score_of_the_days_up_to_the_newest_transaction() -> None:
    newest = 10 + RISK_DAYS
    assert account_risk([scored(10, 0.4), scored(11, 0.6), scored(newest, 0.45)]) == Risk(0.6, "MEDIUM")
    assert account_risk([scored(10, 0.4), scored(newest, None)]) == Risk(0.4, "LOW")  # unscored: not yet known


def test_an_old_anomaly_outside_the_window_does_not_count() -> None:
    newest = 10 + RISK_DAYS
    assert account_risk([scored(9, 0.9), scored(newest, 0.3)]) == Risk(0.3, "LOW")
    assert account_risk([scored(10, 0.9), scored(newest, 0.3)]) == Risk(0.9, "HIGH")  # exactly RISK_DAYS back
    # Measured back from the account's newest transaction, not from today: a quiet account keeps its risk.
    assert account_risk([scored(1, 0.9)]) == Risk(0.9, "HIGH")


def test_a_not_fraud_verdict_resolves_an_anomaly_and_confirmed_fraud_is_high() -> None:
    assert account_risk([scored(20, 0.9, verdict=NOT_FRAUD), scored(21, 0.58)]) == Risk(0.58, "MEDIUM")
    assert account_risk([scored(20, 0.9), scored(21, 0.58)]) == Risk(0.9, "HIGH")
    assert account_risk([scored(20, 0.9, verdict=NOT_FRAUD)]) == NO_RISK
    assert account_risk([scored(20, 0.2, verdict=CONFIRMED), scored(21, 0.6)]) == Risk(
        DEFAULT_CONFIG.high_threshold, "HIGH"
    )
    assert account_risk([scored(20, 0.8, verdict=CONFIRMED)]) == Risk(0.8, "HIGH")


def test_no_transactions_no_risk() -> None:
    assert account_risk([]) == NO_RISK == Risk(0.0, "LOW")


def test_the_api_takes_its_verdicts_from_the_risk_rule() -> None:
    assert {v.value for v in Verdict} == {CONFIRMED, NOT_FRAUD}
