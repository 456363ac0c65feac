"""An account's risk through the detector and the API: recent, unresolved anomalies only. A NOT_FRAUD verdict
changes it at once and the next run agrees; an anomaly older than the risk window does not count."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import boto3
from detection_stack import START, purchase

from isoflow.detection.clear import clear_stale_flags
from isoflow.detection.files import RunFiles
from isoflow.detection.score import AccountRef, Batch, score_batch
from isoflow.settings import Settings
from isoflow.store.accounts import create_account, read_account
from isoflow.store.db import Db
from isoflow.store.risk import RISK_DAYS
from isoflow.store.transactions import create_transaction
from isoflow.timestamps import format_timestamp
from model.population import PopulationModel
from model.scoring import ModelStore, Score


def by_amount(
    account_id: str,
    history: Sequence[Mapping[str, float]],
    targets: Sequence[int],
    models: ModelStore | None,
    *,
    population: PopulationModel,
) -> list[Score]:
    """A stand-in model: a transaction's score is its amount in thousands."""
    scores = []
    for i in targets:
        value = min(1.0, history[i]["amount"] / 1000)
        level = "HIGH" if value >= 0.65 else "MEDIUM" if value >= 0.57 else "LOW"
        scores.append(Score(value, level, level == "HIGH", ("amount",), "test-1"))
    return scores


def detection_run(db: Db, settings: Settings, account_id: str, run: str) -> dict[str, Any]:
    """ScoreAccountBatch then ClearStaleFlags over the one account, as a run's batch goes."""
    account = read_account(db, account_id)
    batch = Batch(run, 0, (AccountRef(account_id, account.version, account.unscoredFrom),))
    scored = score_batch(db, batch, models=None, scorer=by_amount)
    return clear_stale_flags(db, RunFiles(boto3.client("s3"), settings.data_bucket), scored)


def account_with(db: Db, amounts: Sequence[float], *, days_apart: float = 1) -> tuple[str, list[str]]:
    account_id = create_account(
        db, {"name": "Risk", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}
    ).accountId
    ids = [
        create_transaction(
            db,
            {
                **purchase(account_id, i),
                "amount": f"{amount:.2f}",
                "timestamp": format_timestamp(START + timedelta(days=days_apart * i)),
            },
        ).transactionId
        for i, amount in enumerate(amounts)
    ]
    return account_id, ids


def test_a_not_fraud_verdict_on_the_only_recent_high_transaction_lowers_the_risk_at_once(
    db: Db, aws: Settings, api: Any
) -> None:
    account_id, ids = account_with(db, [120, 590, 40, 900, 60])
    detection_run(db, aws, account_id, "run-1")
    assert (read_account(db, account_id).riskLevel, read_account(db, account_id).riskScore) == ("HIGH", 0.9)

    reply = api.request("PUT", f"/api/transactions/{ids[3]}/feedback", json_body={"verdict": "NOT_FRAUD"})

    assert reply.status == 200 and reply.json["riskLevel"] == "HIGH"  # its score stays what the model said
    account = api.get(f"/api/accounts/{account_id}").json
    assert (account["riskLevel"], account["riskScore"]) == ("MEDIUM", 0.59)
    assert account["isStale"] is True  # the next run derives the risk again from what it reads

    cleared = detection_run(db, aws, account_id, "run-2")

    assert (cleared["transactionsScored"], cleared["accountsCleared"]) == (0, 1)
    account = api.get(f"/api/accounts/{account_id}").json
    assert (account["riskLevel"], account["riskScore"], account["isStale"]) == ("MEDIUM", 0.59, False)


def test_a_verdict_that_does_not_change_the_risk_leaves_the_account_alone(db: Db, aws: Settings, api: Any) -> None:
    account_id, ids = account_with(db, [120, 900, 60])
    detection_run(db, aws, account_id, "run-1")
    before = read_account(db, account_id)

    reply = api.request("PUT", f"/api/transactions/{ids[0]}/feedback", json_body={"verdict": "NOT_FRAUD"})

    assert reply.status == 200 and reply.json["feedback"]["verdict"] == "NOT_FRAUD"
    assert read_account(db, account_id) == before


def test_a_high_transaction_older_than_the_risk_window_does_not_make_the_account_high(db: Db, aws: Settings) -> None:
    # A HIGH one, then everyday payments for longer than the window.
    account_id, _ = account_with(db, [950, *[40] * (RISK_DAYS + 2)])

    result = detection_run(db, aws, account_id, "run-1")

    assert result["riskLevels"]["HIGH"] == 1  # the transaction itself is still HIGH, in the anomalies list
    account = read_account(db, account_id)
    assert (account.riskLevel, account.riskScore, account.isStale) == ("LOW", 0.04, False)
