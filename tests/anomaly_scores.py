"""Scores written as the detector writes them, for tests that need an anomaly without depending on the model."""

from __future__ import annotations

from typing import Any

from isoflow.store.db import Db
from isoflow.store.records import Score
from isoflow.store.scores import write_scores
from isoflow.timestamps import now_text


def flag_as_anomaly(db: Db, transaction: dict[str, Any], reason: str = "amount 40× this account's median") -> None:
    """Scores one transaction HIGH, as the detector would, so a test does not depend on the model's verdict."""
    score = Score(
        accountId=transaction["accountId"],
        transactionId=transaction["transactionId"],
        timestamp=transaction["timestamp"],
        revision=1,
        riskScore=0.93,
        riskLevel="HIGH",
        isAnomaly=True,
        reasons=(reason,),
        scoredAt=now_text(),
        modelVersion="e2e",
    )
    write_scores(db, [score])
