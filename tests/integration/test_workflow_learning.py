"""Learning from verdicts in the deployed workflow: a batch of verdicts asks the next run to learn, the layer
is versioned in the data bucket, the detector judges with it the transactions after the verdicts it learnt
from were known (and no others), and every such score names both models and what the verdicts say."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from test_workflow_population import run_detection

from isoflow import runs
from isoflow.detection.files import VerdictModelFiles
from isoflow.generator.bulk import load_generated
from isoflow.store.db import Db
from isoflow.store.records import Score, Transaction
from isoflow.store.risk import CONFIRMED, NOT_FRAUD
from isoflow.store.transactions import GivenVerdict, create_transaction, record_verdicts
from isoflow.timestamps import format_timestamp, now_text, parse_timestamp
from isoflow.workflow import States
from model.verdict_features import LAYER_INPUTS, MIN_FRAUDS, MIN_VERDICTS

NOW = datetime.now(UTC).replace(microsecond=0)


def scanned(db: Db, table: str) -> list[dict[str, Any]]:
    pages = db.client.get_paginator("scan").paginate(TableName=table)
    return [item for page in pages for item in page.get("Items", [])]


def entered(run: dict[str, Any]) -> list[str]:
    return [e["stateName"] for e in run["events"] if e["type"].endswith("StateEntered")]


def again(t: Transaction, at: datetime, merchant: str | None = None) -> dict[str, Any]:
    """A new transaction like `t`, at `at` (and `merchant`)."""
    return {
        "accountId": t.accountId,
        "transactionType": t.transactionType,
        "amount": str(t.amount),
        "description": t.description,
        "merchant": merchant or t.merchant,
        "category": t.category,
        "country": t.country,
        "channel": t.channel,
        "timestamp": format_timestamp(at),
    }


SKIMMED = "Skimmed Fuel 24"


@pytest.fixture
def reviewed(local_aws: Any) -> Any:
    """40 generated accounts' 45 days up to two hours ago, and a compromised terminal: ordinary purchases of
    the accounts at one fuel station over the last three weeks, all scored once; then each of those confirmed
    as fraud a day after it, and enough other transactions judged not fraud, all known before the next run."""
    settings = local_aws.settings
    load_generated(settings, accounts=40, days=45, seed=5, end=NOW - timedelta(hours=2))
    db = Db.from_settings(settings, boto3.client("dynamodb"))
    generated = sorted(map(Transaction.from_item, scanned(db, db.transactions)), key=lambda t: t.transactionId)
    purchases = [t for t in generated if t.transactionType == "PURCHASE" and t.merchant]
    compromised = [
        create_transaction(db, again(t, NOW - timedelta(days=21) + timedelta(hours=11 * i), SKIMMED))
        for i, t in enumerate(purchases[: MIN_FRAUDS + 10])
    ]
    others = [t for t in generated if parse_timestamp(t.timestamp) < NOW - timedelta(days=2)][: MIN_VERDICTS + 50]
    time.sleep(1)
    detection_runs = runs.Runs.from_names(settings.state_machine_arn, settings.runs_table)
    assert run_detection(detection_runs)["status"] == "SUCCEEDED"

    def known(t: Transaction) -> str:
        return format_timestamp(parse_timestamp(t.timestamp) + timedelta(days=1))

    verdicts = [GivenVerdict(t.transactionId, CONFIRMED, known(t), "chargeback") for t in compromised] + [
        GivenVerdict(t.transactionId, NOT_FRAUD, known(t)) for t in others
    ]
    record_verdicts(db, verdicts)
    VerdictModelFiles(boto3.client("s3"), settings.data_bucket).request_refit(now_text())
    time.sleep(1)
    return local_aws, db, detection_runs, compromised, others


def test_a_run_after_verdicts_learns_from_them_and_judges_the_transactions_after_them(reviewed: Any) -> None:
    local_aws, db, detection_runs, compromised, others = reviewed
    files = VerdictModelFiles(boto3.client("s3"), local_aws.settings.data_bucket)
    # What an account does every day, at the compromised terminal and at a merchant it uses.
    usual = next(t for t in others if t.transactionType == "PURCHASE" and t.merchant)
    now = datetime.now(UTC).replace(microsecond=0)
    there = create_transaction(db, again(usual, now, SKIMMED))
    elsewhere = create_transaction(db, again(usual, now))
    # Late: from before the verdicts the layer learnt from were known, so the layer may not judge it.
    late = create_transaction(db, again(usual, now - timedelta(hours=3), SKIMMED))

    run = run_detection(detection_runs)

    assert run["status"] == "SUCCEEDED", run.get("cause")
    assert States.REFIT_MODELS in entered(run)
    current = files.current()
    assert current is not None and current["features"] == list(LAYER_INPUTS)
    assert (current["frauds"], current["verdicts"]) == (len(compromised), len(compromised) + len(others))
    version = current["version"]
    assert version.startswith("verdicts-") and current["key"] == files.model_key(version)
    assert run["summary"]["verdictModelVersion"] == version
    scores = {s.transactionId: s for s in map(Score.from_item, scanned(db, db.scores))}
    judged, other, before = (scores[t.transactionId] for t in (there, elsewhere, late))
    for score in (judged, other):
        assert score.modelVersion.endswith("+" + version) and score.baseScore is not None
    assert "+verdicts-" not in before.modelVersion and before.baseScore is None
    assert judged.baseScore is not None and judged.riskScore > judged.baseScore and judged.riskScore > other.riskScore
    assert judged.riskLevel != "LOW"
    assert any("confirmed frauds at this merchant in the last 7 days" in reason for reason in judged.reasons)
    assert judged.reasons[0].endswith("confirmed frauds at this merchant in the last 7 days")
