"""/api/anomalies as a work queue: open until a verdict closes it, filtered by status, level, account and date,
with the open counts in the stats and each transaction's account named, through the API against moto."""

from __future__ import annotations

from typing import Any

import pytest
from test_api_endpoints import create_account, create_transaction, scored

from isoflow.store.db import Db
from isoflow.store.scores import write_scores


@pytest.fixture
def queue(api: Any, aws: Any) -> dict[str, Any]:
    """Two accounts' scored transactions: Ada's HIGH (day 1), MEDIUM (day 2) and LOW (day 3); Grace's HIGH
    (day 3)."""
    ada = create_account(api, name="Ada Lovelace", homeCountry="GB")
    grace = create_account(api, name="Grace Hopper", homeCountry="US")
    made = {
        "ada_high": create_transaction(api, ada["accountId"], timestamp="2026-12-01T10:00:00Z"),
        "ada_medium": create_transaction(api, ada["accountId"], timestamp="2026-12-02T10:00:00Z"),
        "ada_low": create_transaction(api, ada["accountId"], timestamp="2026-12-03T09:00:00Z"),
        "grace_high": create_transaction(api, grace["accountId"], timestamp="2026-12-03T10:00:00Z"),
    }
    levels = {
        "ada_high": (0.9, "HIGH"),
        "ada_medium": (0.6, "MEDIUM"),
        "ada_low": (0.1, "LOW"),
        "grace_high": (0.95, "HIGH"),
    }
    write_scores(Db.from_settings(aws), [scored(made[key], *levels[key], ("why",)) for key in made])
    return {"ada": ada, "grace": grace, **made}


def ids(reply: Any) -> list[str]:
    assert reply.status == 200, reply.text
    return [t["transactionId"] for t in reply.json["items"]]


def test_the_queue_names_each_transactions_account(queue: Any, api: Any) -> None:
    items = api.get("/api/anomalies").json["items"]
    assert [(t["accountName"], t["homeCountry"]) for t in items] == [
        ("Grace Hopper", "US"),
        ("Ada Lovelace", "GB"),
        ("Ada Lovelace", "GB"),
    ]
    shown = api.get(f"/api/transactions/{queue['ada_low']['transactionId']}").json
    assert (shown["accountName"], shown["homeCountry"]) == ("Ada Lovelace", "GB")
    listed = api.get("/api/transactions", accountId=queue["grace"]["accountId"]).json["items"]
    assert [t["accountName"] for t in listed] == ["Grace Hopper"]


def test_a_verdict_closes_an_item_and_the_open_counts_follow(queue: Any, api: Any) -> None:
    since = {"since": "2026-11-30T00:00:00Z"}
    before = api.get("/api/anomalies/stats", **since).json
    assert before["open"] == {"MEDIUM": 1, "HIGH": 2}

    judged = queue["grace_high"]["transactionId"]
    reply = api.request(
        "PUT", f"/api/transactions/{judged}/feedback", json_body={"verdict": "CONFIRMED", "note": "card stolen"}
    )
    assert reply.status == 200, reply.text
    assert reply.json["feedback"]["note"] == "card stolen" and reply.json["accountName"] == "Grace Hopper"

    assert api.get("/api/anomalies/stats", **since).json["open"] == {"MEDIUM": 1, "HIGH": 1}
    assert ids(api.get("/api/anomalies", status="open")) == [
        queue["ada_medium"]["transactionId"],
        queue["ada_high"]["transactionId"],
    ]
    assert ids(api.get("/api/anomalies", status="closed")) == [judged]
    assert len(ids(api.get("/api/anomalies"))) == 3


def test_the_queue_filters_by_level_account_and_date(queue: Any, api: Any) -> None:
    ada = queue["ada"]["accountId"]
    assert ids(api.get("/api/anomalies", riskLevel="MEDIUM")) == [queue["ada_medium"]["transactionId"]]
    assert ids(api.get("/api/anomalies", minLevel="HIGH")) == [
        queue["grace_high"]["transactionId"],
        queue["ada_high"]["transactionId"],
    ]
    assert ids(api.get("/api/anomalies", accountId=ada)) == [
        queue["ada_medium"]["transactionId"],
        queue["ada_high"]["transactionId"],
    ]
    assert ids(api.get("/api/anomalies", accountId=ada, riskLevel="LOW")) == [queue["ada_low"]["transactionId"]]
    day_two_on = {"from": "2026-12-02T00:00:00Z", "to": "2026-12-03T09:30:00Z"}
    assert ids(api.get("/api/anomalies", **day_two_on)) == [queue["ada_medium"]["transactionId"]]
    assert ids(api.get("/api/anomalies", accountId=ada, **day_two_on)) == [queue["ada_medium"]["transactionId"]]


@pytest.mark.parametrize(
    "query", [{"status": "pending"}, {"accountId": "nope"}, {"from": "yesterday"}, {"riskLevel": "SEVERE"}]
)
def test_a_filter_the_queue_does_not_know_is_a_422(api: Any, query: dict[str, str]) -> None:
    reply = api.get("/api/anomalies", **query)
    assert reply.status == 422, reply.text


def test_activity_counts_exactly_what_happened_since_a_time(queue: Any, api: Any) -> None:
    reply = api.get("/api/activity", since="2026-12-02T00:00:00Z")
    assert reply.status == 200, reply.text
    counts = reply.json
    # Day 2 and 3: Ada's MEDIUM and LOW, Grace's HIGH; both accounts' newest transactions are on day 3; both
    # are stale (nothing has run).
    assert (counts["transactions"], counts["activeAccounts"], counts["staleAccounts"]) == (3, 2, 2)
    assert counts["anomalies"] == {"MEDIUM": 1, "HIGH": 1} == counts["open"]

    judged = queue["grace_high"]["transactionId"]
    api.request("PUT", f"/api/transactions/{judged}/feedback", json_body={"verdict": "NOT_FRAUD"})
    after = api.get("/api/activity", since="2026-12-03T09:30:00Z").json
    assert (after["transactions"], after["activeAccounts"]) == (1, 1)
    assert after["anomalies"] == {"MEDIUM": 0, "HIGH": 1} and after["open"] == {"MEDIUM": 0, "HIGH": 0}
