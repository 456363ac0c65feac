"""Stored items as records: what goes into DynamoDB comes back the same, and only what the record knows."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from isoflow.store.db import to_item
from isoflow.store.records import Account, Feedback, Run, Score, Transaction, risk_shard

OPENED = Account(
    accountId="acc_0123456789abcdef",
    name="Ada Lovelace",
    accountType="CHECKING",
    currency="GBP",
    homeCountry="GB",
    balance=1250.5,
    isStale=True,
    version=3,
    featureState='{"n":0}',
    createdAt="2026-11-01T09:00:00Z",
    updatedAt="2026-11-02T10:00:00Z",
    staleShard="4",
)


def test_an_account_comes_back_from_its_item_as_it_went_in() -> None:
    assert Account.from_item(OPENED.to_item()) == OPENED
    scored = dataclasses.replace(
        OPENED, riskScore=0.93, riskLevel="HIGH", lastScoredAt="2026-11-02T11:00:00Z", staleShard=None
    )
    assert Account.from_item(scored.to_item()) == scored


def test_an_item_leaves_out_what_is_none_and_a_record_ignores_attributes_it_does_not_know() -> None:
    item = OPENED.to_item()
    assert "riskScore" not in item and "latestAt" not in item
    assert item["version"] == {"N": "3"} and item["isStale"] == {"BOOL": True}
    assert Account.from_item({**item, **to_item({"legacy": "x"})}) == OPENED


def test_records_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        OPENED.balance = 0  # type: ignore[misc]


POSTED = Transaction(
    transactionId="txn_0123456789abcdef0123",
    accountId=OPENED.accountId,
    transactionType="PURCHASE",
    amount=Decimal("12.30"),
    currency="GBP",
    merchant="Corner Cafe",
    channel="CARD_PRESENT",
    timestamp="2026-11-02T08:15:00Z",
    feedShard="3",
    revision=1,
    createdAt="2026-11-02T08:15:01Z",
    updatedAt="2026-11-02T08:15:01Z",
    features={"log_amount": 2.587764, "history_size": 0},
)


def test_a_transaction_comes_back_from_its_item_as_it_went_in() -> None:
    assert Transaction.from_item(POSTED.to_item()) == POSTED
    judged = dataclasses.replace(
        POSTED,
        revision=2,
        injectedAnomaly="amount_spike",
        feedback=Feedback(verdict="NOT_FRAUD", at="2026-11-03T09:00:00Z", by="ada@bank.example"),
    )
    assert Transaction.from_item(judged.to_item()) == judged


def test_a_transactions_amount_stays_the_exact_decimal_stored() -> None:
    item = POSTED.to_item()
    assert item["amount"] == {"N": "12.30"}
    amount = Transaction.from_item(item).amount
    assert isinstance(amount, Decimal) and str(amount) == "12.30"


def test_a_transaction_item_leaves_out_what_is_none_inside_its_feedback_too() -> None:
    item = dataclasses.replace(POSTED, feedback=Feedback(verdict="CONFIRMED", at="2026-11-03T09:00:00Z")).to_item()
    assert not {"description", "category", "country", "injectedAnomaly"} & item.keys()
    assert item["feedback"] == {"M": {"verdict": {"S": "CONFIRMED"}, "at": {"S": "2026-11-03T09:00:00Z"}}}
    assert Transaction.from_item(POSTED.to_item()).feedback is None


SCORED = Score(
    accountId=OPENED.accountId,
    transactionId=POSTED.transactionId,
    timestamp=POSTED.timestamp,
    revision=1,
    riskScore=0.912345,
    riskLevel="HIGH",
    isAnomaly=True,
    reasons=("amount 43× this account's median", "abroad: BR, home GB"),
    scoredAt="2026-11-02T08:20:00Z",
    modelVersion="iforest-4+population-7",
)


def test_a_score_comes_back_from_its_item_as_it_went_in() -> None:
    assert Score.from_item(SCORED.to_item()) == SCORED
    assert Score.from_item(dataclasses.replace(SCORED, reasons=()).to_item()).reasons == ()


def test_a_score_is_stored_to_six_places_and_a_whole_one_comes_back_a_float() -> None:
    item = dataclasses.replace(SCORED, riskScore=0.91234567).to_item()
    assert item["riskScore"] == {"N": "0.912346"}
    whole = Score.from_item(dataclasses.replace(SCORED, riskScore=1.0).to_item()).riskScore
    assert isinstance(whole, float) and whole == 1.0


def test_a_scores_partition_of_the_risk_index_follows_its_level() -> None:
    item = SCORED.to_item()
    assert item["riskShard"] == {"S": risk_shard("HIGH", SCORED.transactionId)}
    assert item["riskShard"]["S"].startswith("HIGH#")
    assert dataclasses.replace(SCORED, riskLevel="LOW").riskShard.startswith("LOW#")
    assert Score.from_item({**item, "riskShard": {"S": "MEDIUM#0"}}).riskShard == item["riskShard"]["S"]


STARTED = Run(
    executionId="run-20261124T160742Z-1a2b3c",
    trigger="api",
    requestedAt="2026-11-24T16:07:42Z",
)


def test_a_run_comes_back_from_its_item_as_it_went_in() -> None:
    assert Run.from_item(STARTED.to_item()) == STARTED
    summary = {"accounts": 3, "riskLevels": {"LOW": 2, "HIGH": 1}, "failures": [{"batch": 0, "error": "Boom"}]}
    recorded = dataclasses.replace(
        STARTED, rerunOf="run-20261124T150000Z-0f0f0f", summary=summary, recordedAt="2026-11-24T16:09:00Z"
    )
    assert Run.from_item(recorded.to_item()) == recorded


def test_a_run_item_holds_only_what_was_recorded() -> None:
    assert STARTED.to_item().keys() == {"executionId", "trigger", "requestedAt"}
    summarised = Run(executionId=STARTED.executionId, summary={"accounts": 0, "populationVersion": None})
    assert summarised.to_item() == {
        "executionId": {"S": STARTED.executionId},
        "summary": {"M": {"accounts": {"N": "0"}}},
    }
    assert Run.from_item(summarised.to_item()).trigger is None
