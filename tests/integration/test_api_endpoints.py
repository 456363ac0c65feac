"""Every endpoint through the real API application against moto."""

from __future__ import annotations

from typing import Any

import pytest
from anomaly_scores import flag_as_anomaly

from isoflow.local.auth import LOCAL_ADMINISTRATOR
from isoflow.store.db import Db
from isoflow.store.records import Score
from isoflow.store.scores import write_scores

ACCOUNT = {"name": "Ada Lovelace", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}


def create_account(api: Any, **overrides: Any) -> dict[str, Any]:
    reply = api.post("/api/accounts", {**ACCOUNT, **overrides})
    assert reply.status == 201, reply.text
    return reply.json


def create_transaction(api: Any, account_id: str, **fields: Any) -> dict[str, Any]:
    body = {"accountId": account_id, "transactionType": "PURCHASE", "amount": 12.5, **fields}
    reply = api.post("/api/transactions", body)
    assert reply.status == 201, reply.text
    return reply.json


def scored(transaction: dict[str, Any], value: float, level: str, reasons: tuple[str, ...] = ()) -> Score:
    """The detector's score of a transaction as the API showed it when it was made (its first revision)."""
    return Score(
        accountId=transaction["accountId"],
        transactionId=transaction["transactionId"],
        timestamp=transaction["timestamp"],
        revision=1,
        riskScore=value,
        riskLevel=level,
        isAnomaly=level == "HIGH",
        reasons=reasons,
        scoredAt="2026-12-03T00:00:00Z",
        modelVersion="test",
    )


def test_account_lifecycle(api: Any) -> None:
    account = create_account(api)
    assert account["balance"] == 0 and account["isStale"] is False
    assert api.get(f"/api/accounts/{account['accountId']}").json == account

    changed = api.patch(f"/api/accounts/{account['accountId']}", {"name": "Ada King"})
    assert changed.status == 200 and changed.json["name"] == "Ada King"

    assert api.delete(f"/api/accounts/{account['accountId']}").status == 204
    assert api.get(f"/api/accounts/{account['accountId']}").status == 404


def test_transaction_moves_balance_and_marks_account_stale(api: Any) -> None:
    account = create_account(api)
    deposit = create_transaction(api, account["accountId"], transactionType="DEPOSIT", amount=100)
    purchase = create_transaction(
        api, account["accountId"], amount=30.25, merchant="Bakery", timestamp="2026-11-24T10:00:00+01:00"
    )
    assert deposit["amount"] == 100 and "balanceAfter" not in purchase
    assert purchase["timestamp"] == "2026-11-24T09:00:00Z"
    assert purchase["currency"] == "EUR"
    stored = api.get(f"/api/accounts/{account['accountId']}").json
    assert stored["balance"] == 69.75 and stored["isStale"] is True

    changed = api.patch(f"/api/transactions/{purchase['transactionId']}", {"amount": 50})
    assert changed.status == 200 and changed.json["amount"] == 50
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == 50

    assert api.delete(f"/api/transactions/{deposit['transactionId']}").status == 204
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == -50
    assert api.get(f"/api/transactions/{deposit['transactionId']}").status == 404


def test_account_with_transactions_deletes_only_with_cascade(api: Any) -> None:
    account = create_account(api)
    transaction = create_transaction(api, account["accountId"])
    refused = api.delete(f"/api/accounts/{account['accountId']}")
    assert refused.status == 409 and refused.json["errors"][0]["field"] == "accountId"
    assert api.delete(f"/api/accounts/{account['accountId']}", cascade="true").status == 204
    assert api.get(f"/api/transactions/{transaction['transactionId']}").status == 404


def test_lists_filter_and_page_newest_first(api: Any) -> None:
    first, second = create_account(api), create_account(api, accountType="SAVINGS")
    made = [
        create_transaction(api, first["accountId"], timestamp=f"2026-11-{day:02d}T12:00:00Z") for day in range(1, 13)
    ]
    create_transaction(api, second["accountId"], transactionType="DEPOSIT", timestamp="2026-11-05T00:00:00Z")

    seen: list[str] = []
    cursor = None
    while True:
        page = api.get("/api/transactions", limit=5, cursor=cursor).json
        seen += [t["transactionId"] for t in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == 13 == len(set(seen))

    mine = api.get("/api/transactions", accountId=first["accountId"], limit=100).json["items"]
    assert [t["transactionId"] for t in mine] == [t["transactionId"] for t in reversed(made)]
    window = api.get(
        "/api/transactions",
        accountId=first["accountId"],
        **{"from": "2026-11-03T00:00:00Z", "to": "2026-11-05T23:00:00Z"},
    ).json["items"]
    assert [t["timestamp"][:10] for t in window] == ["2026-11-05", "2026-11-04", "2026-11-03"]
    deposits = api.get("/api/transactions", transactionType="DEPOSIT").json["items"]
    assert [t["accountId"] for t in deposits] == [second["accountId"]]

    savings = api.get("/api/accounts", accountType="SAVINGS").json["items"]
    assert [a["accountId"] for a in savings] == [second["accountId"]]
    assert len(api.get("/api/accounts", stale="true").json["items"]) == 2


def test_scores_appear_on_transactions_and_anomalies(api: Any, db: Db) -> None:
    account = create_account(api)
    quiet = create_transaction(api, account["accountId"], timestamp="2026-11-01T10:00:00Z")
    odd = create_transaction(api, account["accountId"], amount=990, timestamp="2026-11-02T03:00:00Z")

    def score(transaction: dict[str, Any], value: float, level: str) -> Score:
        return scored(transaction, value, level, ("amount 79× this account's median",) if level == "HIGH" else ())

    write_scores(db, [score(quiet, 0.31, "LOW"), score(odd, 0.82, "HIGH")])
    got = api.get(f"/api/transactions/{odd['transactionId']}").json
    assert got["riskLevel"] == "HIGH" and got["reasons"] == ["amount 79× this account's median"]

    anomalies = api.get("/api/anomalies").json["items"]
    assert [t["transactionId"] for t in anomalies] == [odd["transactionId"]]
    high = api.get("/api/transactions", minScore=0.5).json["items"]
    assert [t["transactionId"] for t in high] == [odd["transactionId"]]
    stats = api.get("/api/anomalies/stats", since="2026-10-01T00:00:00Z").json
    assert stats["counts"] == {"LOW": 1, "MEDIUM": 0, "HIGH": 1}
    assert stats["histogram"][3] == 1 and stats["histogram"][8] == 1

    # A change makes the old score void: the transaction is unscored until the next run.
    api.patch(f"/api/transactions/{odd['transactionId']}", {"amount": 15})
    assert api.get(f"/api/transactions/{odd['transactionId']}").json["riskScore"] is None
    assert api.get("/api/anomalies").json["items"] == []


def test_feedback_is_stored_with_the_transaction(api: Any) -> None:
    account = create_account(api)
    transaction = create_transaction(api, account["accountId"])
    reply = api.request(
        "PUT", f"/api/transactions/{transaction['transactionId']}/feedback", json_body={"verdict": "NOT_FRAUD"}
    )
    assert reply.status == 200 and reply.json["feedback"]["verdict"] == "NOT_FRAUD"
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == -12.5


def test_ground_truth_only_when_asked(api: Any, db: Db) -> None:
    from isoflow.store.transactions import create_transaction as store_create

    account = create_account(api)
    made = store_create(
        db,
        {"accountId": account["accountId"], "transactionType": "PURCHASE", "amount": 5},
        injected_anomaly="amount_spike",
    )
    path = f"/api/transactions/{made.transactionId}"
    assert api.get(path).json["injectedAnomaly"] is None
    assert api.get(path, include="groundTruth").json["injectedAnomaly"] == "amount_spike"


def test_idempotency_key_replays_the_first_response(api: Any) -> None:
    account = create_account(api)
    body = {"accountId": account["accountId"], "transactionType": "DEPOSIT", "amount": 10}
    headers = {"Idempotency-Key": "deposit-1"}
    first = api.post("/api/transactions", body, headers=headers)
    again = api.post("/api/transactions", body, headers=headers)
    assert first.status == again.status == 201 and first.json == again.json
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == 10

    other = api.post("/api/transactions", {**body, "amount": 11}, headers=headers)
    assert other.status == 422 and other.json["errors"][0]["field"] == "Idempotency-Key"
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == 10


def test_an_idempotency_key_is_the_callers_own(api: Any) -> None:
    account = create_account(api)
    headers = {"Idempotency-Key": "monthly-fee"}
    admins = [{**LOCAL_ADMINISTRATOR, "sub": sub, "cognito:username": sub} for sub in ("ada", "grace")]
    replies = [
        api.request(
            "POST",
            "/api/transactions",
            json_body={"accountId": account["accountId"], "transactionType": "DEPOSIT", "amount": amount},
            headers=headers,
            claims=claims,
        )
        for claims, amount in zip(admins, (10, 20), strict=True)
    ]
    assert [r.status for r in replies] == [201, 201], [r.text for r in replies]
    assert replies[0].json["transactionId"] != replies[1].json["transactionId"]
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == 30
    replay = api.request(
        "POST",
        "/api/transactions",
        json_body={"accountId": account["accountId"], "transactionType": "DEPOSIT", "amount": 20},
        headers=headers,
        claims=admins[1],
    )
    assert replay.json == replies[1].json
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == 30


def test_health_reports_each_dependency(api: Any) -> None:
    reply = api.get("/api/health")
    assert reply.status == 200
    names = {d["name"] for d in reply.json["dependencies"]}
    assert {"table:isoflow-accounts", "table:isoflow-transactions", "bucket:isoflow-data"} <= names


def test_health_is_503_when_a_dependency_fails(api: Any, db: Db) -> None:
    db.client.delete_table(TableName=db.scores)
    reply = api.get("/api/health")
    assert reply.status == 503
    failed = [d["name"] for d in reply.json["dependencies"] if not d["ok"]]
    assert failed == ["table:isoflow-scores"]


def test_openapi_and_docs(api: Any) -> None:
    document = api.get("/api/openapi.json").json
    assert {"/api/accounts", "/api/transactions", "/api/anomalies", "/api/health"} <= set(document["paths"])
    error = document["components"]["schemas"]["HTTPValidationError"]
    # executionId only on a start refused for the run in progress (a 409).
    assert set(error["properties"]) == {"message", "errors", "executionId"}
    # The reference is the dashboard's API page, which draws this document with the project's own Swagger UI.
    docs = api.get("/api/docs")
    assert docs.status == 302 and docs.headers["location"] == "/docs"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": -5}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 1.234}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": "10"}, "amount"),
        ({"amount": " 10 "}, "amount"),
        ({"amount": "1_000"}, "amount"),
        ({"transactionType": "REFUND"}, "transactionType"),
        ({"channel": "PIGEON"}, "channel"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"timestamp": "2026-11-24T10:00:00"}, "timestamp"),
        ({"country": "Germany"}, "country"),
        ({"accountId": "acc_0000000000000000"}, "accountId"),
        ({"surprise": 1}, "surprise"),
        ({"currency": "USD"}, "currency"),
    ],
)
def test_bad_transaction_input_names_the_field_and_writes_nothing(api: Any, body: dict, field: str) -> None:
    account = create_account(api)
    reply = api.post(
        "/api/transactions", {"accountId": account["accountId"], "transactionType": "PURCHASE", "amount": 5, **body}
    )
    assert 400 <= reply.status < 500, reply.text
    assert field in [e["field"] for e in reply.json["errors"]], reply.text
    assert api.get("/api/transactions").json["items"] == []
    assert api.get(f"/api/accounts/{account['accountId']}").json["isStale"] is False


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", "/api/accounts", {"data": "{not json"}, 400),
        ("POST", "/api/accounts", {"data": "x" * (65 * 1024)}, 413),
        ("GET", "/api/transactions", {"query": {"cursor": "bm90LWEtY3Vyc29y"}}, 400),
        ("GET", "/api/transactions", {"query": {"limit": "0"}}, 422),
        ("GET", "/api/accounts/acc_0000000000000000", {}, 404),
        ("GET", "/api/transactions/txn_00000000000000000000", {}, 404),
        ("PATCH", "/api/transactions/txn_00000000000000000000", {"json_body": {"amount": 3}}, 404),
        ("PATCH", "/api/accounts/acc_0000000000000000", {"json_body": {"name": None}}, 422),
        ("GET", "/api/nowhere", {}, 404),
    ],
)
def test_bad_requests_get_clear_client_errors(api: Any, method: str, path: str, kwargs: dict, status: int) -> None:
    reply = api.request(method, path, **kwargs)
    assert reply.status == status, reply.text
    assert reply.json["message"]


@pytest.mark.parametrize(
    ("change", "balance"),
    [
        ({"amount": 50}, 50),  # a larger purchase takes more
        ({"transactionType": "DEPOSIT"}, 130),  # a purchase turned deposit adds what it took
        ({"transactionType": "WITHDRAWAL"}, 70),  # debit to debit: the same
        ({"transactionType": "DEPOSIT", "amount": 5}, 105),  # both at once
        ({"timestamp": "2026-10-01T10:00:00Z"}, 70),  # when it happened does not move money
        ({"merchant": "Bakery", "category": "food", "country": "FR", "channel": "ONLINE", "description": "bread"}, 70),
    ],
)
def test_a_change_to_a_transaction_moves_the_balance_by_exactly_its_difference(
    api: Any, change: dict[str, Any], balance: float
) -> None:
    account = create_account(api)
    create_transaction(api, account["accountId"], transactionType="DEPOSIT", amount=100)
    purchase = create_transaction(api, account["accountId"], transactionType="PURCHASE", amount=30)
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == 70

    reply = api.patch(f"/api/transactions/{purchase['transactionId']}", change)
    assert reply.status == 200, reply.text
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == balance


@pytest.mark.parametrize(("kind", "before"), [("DEPOSIT", 170), ("PURCHASE", 30), ("WITHDRAWAL", 30)])
def test_deleting_a_transaction_takes_back_exactly_what_it_moved(api: Any, kind: str, before: float) -> None:
    account = create_account(api)
    create_transaction(api, account["accountId"], transactionType="DEPOSIT", amount=100)
    removed = create_transaction(api, account["accountId"], transactionType=kind, amount=70)
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == before
    assert api.delete(f"/api/transactions/{removed['transactionId']}").status == 204
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == 100


def test_an_amount_is_judged_by_the_digits_sent_not_a_rounded_float(api: Any) -> None:
    account = create_account(api)
    body = f'{{"accountId": "{account["accountId"]}", "transactionType": "DEPOSIT", "amount": 12.30000000000000000001}}'
    reply = api.request("POST", "/api/transactions", data=body)
    assert reply.status == 422 and [e["field"] for e in reply.json["errors"]] == ["amount"], reply.text
    exact = api.request("POST", "/api/transactions", data=body.replace("12.30000000000000000001", "12.30"))
    assert exact.status == 201 and exact.json["amount"] == 12.3, exact.text
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == 12.3


def test_a_minimum_score_that_few_match_pages_in_bounded_reads_and_reaches_every_match(api: Any, db: Db) -> None:
    # 2,000 low scores newer than the one high score: a request reads a bounded part of the risk index and
    # answers a short page with a cursor; the cursors lead to the match.
    account = create_account(api)
    odd = create_transaction(api, account["accountId"], amount=990, timestamp="2026-10-01T03:00:00Z")
    scores = [
        Score(
            accountId=account["accountId"],
            transactionId=f"txn_low{n:05d}",
            timestamp=f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
            revision=1,
            riskScore=0.3,
            riskLevel="LOW",
            isAnomaly=False,
            reasons=(),
            scoredAt="2026-11-30T00:00:00Z",
            modelVersion="test",
        )
        for n in range(2000)
    ]
    flag_as_anomaly(db, odd)
    write_scores(db, scores)
    found, replies, cursor = [], 0, None
    while True:
        reply = api.get("/api/transactions", minScore=0.9, limit=50, cursor=cursor)
        assert reply.status == 200, reply.text
        replies += 1
        found += reply.json["items"]
        cursor = reply.json["nextCursor"]
        if cursor is None:
            break
    assert [t["transactionId"] for t in found] == [odd["transactionId"]]
    assert replies > 1


def test_the_model_report_names_the_models_and_holds_alerts_against_verdicts(api: Any, db: Db) -> None:
    account = create_account(api)
    made = [
        create_transaction(api, account["accountId"], timestamp=at)
        for at in ("2026-11-30T10:00:00Z", "2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z", "2026-11-24T10:00:00Z")
    ]

    levels = [(0.85, "HIGH"), (0.82, "HIGH"), (0.3, "LOW"), (0.66, "MEDIUM")]
    write_scores(db, [scored(t, value, level) for t, (value, level) in zip(made, levels, strict=True)])
    for transaction, verdict in zip(made, ("CONFIRMED", "NOT_FRAUD", "NOT_FRAUD", "CONFIRMED"), strict=True):
        path = f"/api/transactions/{transaction['transactionId']}/feedback"
        assert api.request("PUT", path, json_body={"verdict": verdict}).status == 200

    report = api.get("/api/model").json

    assert [m["role"] for m in report["models"]] == ["detector", "population"]
    assert report["models"][1]["version"] == "shipped" and report["verdictsLearntFrom"] == 0
    assert "stands alone" in report["learning"]
    assert (report["confirmed"], report["notFraud"]) == (2, 2)
    assert report["precision"] == [
        {"week": "2026-11-23", "level": "MEDIUM", "reviewed": 1, "confirmed": 1, "precision": 1.0},
        {"week": "2026-11-30", "level": "HIGH", "reviewed": 2, "confirmed": 1, "precision": 0.5},
    ]
    assert report["distribution"]["confirmed"] == [0, 0, 0, 0, 0, 0, 1, 0, 1, 0]
    assert report["distribution"]["notFraud"] == [0, 0, 0, 1, 0, 0, 0, 0, 1, 0]
    assert api.get("/api/model", weeks=0).status == 422
