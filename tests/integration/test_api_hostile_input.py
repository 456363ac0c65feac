"""Input no client should send, answered with a 4xx in the documented error shape and nothing written."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from anomaly_scores import flag_as_anomaly

from isoflow.store.db import Db

ACCOUNT = {"name": "Ada Lovelace", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}
BODY_ROUTES = [
    ("POST", "/api/accounts"),
    ("PATCH", "/api/accounts/acc_0000000000000000"),
    ("POST", "/api/transactions"),
    ("PATCH", "/api/transactions/txn_00000000000000000000"),
    ("PUT", "/api/transactions/txn_00000000000000000000/feedback"),
    ("POST", "/api/executions"),
]


def assert_client_error(reply: Any, status: int | None = None) -> None:
    assert 400 <= reply.status < 500, (reply.status, reply.text)
    if status is not None:
        assert reply.status == status, reply.text
    body = reply.json
    assert isinstance(body["message"], str) and body["message"], reply.text
    assert isinstance(body["errors"], list), reply.text
    assert set(body) == {"message", "errors"}, reply.text


def assert_nothing_written(api: Any) -> None:
    assert api.get("/api/accounts").json["items"] == []
    assert api.get("/api/transactions").json["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "Zoë", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}'.encode("latin-1"),
        '{"name": "Zoë", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}'.encode("utf-16"),
        b'{"name": "Ad\xffa", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}',
        b"\xff\xfe\xfd",
    ],
    ids=["latin-1", "utf-16", "stray-0xff", "binary"],
)
def test_a_body_that_is_not_utf8_json_is_a_400_naming_the_body(api: Any, body: bytes) -> None:
    reply = api.request("POST", "/api/accounts", data=body)
    assert_client_error(reply, 400)
    assert [e["field"] for e in reply.json["errors"]] == ["body"]
    assert_nothing_written(api)


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_multipart_without_a_boundary_is_refused_on_every_route_that_takes_a_body(
    api: Any, method: str, path: str
) -> None:
    reply = api.request(method, path, data="--x\r\n", headers={"Content-Type": "multipart/form-data"})
    assert_client_error(reply, 415)
    assert_nothing_written(api)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_body_that_is_not_json_is_a_415_in_the_documented_shape(api: Any, content_type: str) -> None:
    reply = api.request("POST", "/api/accounts", data=json.dumps(ACCOUNT), headers={"Content-Type": content_type})
    assert_client_error(reply, 415)
    assert_nothing_written(api)


@pytest.mark.parametrize("depth", [100, 1_000, 20_000])
def test_deeply_nested_json_is_a_client_error(api: Any, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    reply = api.request("POST", "/api/transactions", data=f'{{"accountId": {nested}}}')
    assert_client_error(reply)
    assert_nothing_written(api)


@pytest.fixture
def listed(api: Any, db: Db) -> Any:
    """Three accounts with eight transactions each, all scored HIGH, and nine more accounts: more items than the
    shards of any list."""
    for _ in range(9):
        api.post("/api/accounts", ACCOUNT)
    for _ in range(3):
        account = api.post("/api/accounts", ACCOUNT).json
        for day in range(1, 9):
            reply = api.post(
                "/api/transactions",
                {
                    "accountId": account["accountId"],
                    "transactionType": "DEPOSIT",
                    "amount": 5,
                    "timestamp": f"2026-11-0{day}T10:00:00Z",
                },
            )
            assert reply.status == 201, reply.text
            flag_as_anomaly(db, reply.json)
    return api


def _tampered(cursor: str, value: dict[str, str]) -> str | None:
    """The cursor with every key value of every stream it stopped in set to `value`; None if it stopped in none
    (each stream not started or done)."""
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    positions = [p for p in payload["p"].values() if isinstance(p, dict)]
    for position in positions:
        for name in position:
            position[name] = value
    encoded = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
    return encoded if positions else None


def _tampered_cursor(api: Any, path: str, query: dict[str, str], value: dict[str, str]) -> str:
    cursor = None
    for _ in range(24):
        cursor = api.get(path, limit=1, cursor=cursor, **query).json["nextCursor"]
        assert cursor, f"{path} ended before a cursor stopped inside a stream"
        tampered = _tampered(cursor, value)
        if tampered is not None:
            return tampered
    raise AssertionError(f"no cursor of {path} stopped inside a stream")


@pytest.mark.parametrize(
    "value",
    [{"N": "nan"}, {"N": "inf"}, {"N": "1e999999"}, {"N": "12abc"}, {"S": ""}, {"B": "AA=="}, {"S": "x" * 1100}],
    ids=["nan", "inf", "huge", "not-a-number", "empty-string", "binary", "too-long"],
)
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/accounts", {}),
        ("/api/transactions", {}),
        ("/api/transactions", {"minScore": "0.5"}),
        ("/api/anomalies", {}),
    ],
)
def test_a_cursor_in_the_real_format_with_an_impossible_key_is_a_client_error_naming_the_cursor(
    listed: Any, path: str, query: dict[str, str], value: dict[str, str]
) -> None:
    reply = listed.get(path, limit=1, cursor=_tampered_cursor(listed, path, query, value), **query)
    # 400 from the cursor's check; 422 from the query's length limit when the edited cursor grew past it.
    assert_client_error(reply)
    assert [e["field"] for e in reply.json["errors"]] == ["cursor"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/transactions"),
        ("PUT", "/api/accounts"),
        ("POST", "/api/accounts/acc_0000000000000000"),
        ("PATCH", "/api/health"),
        ("DELETE", "/api/openapi.json"),
    ],
)
def test_a_known_path_with_a_method_it_does_not_take_is_a_405_naming_the_methods_it_does(
    api: Any, method: str, path: str
) -> None:
    reply = api.request(method, path, data="{}")
    assert_client_error(reply, 405)
    assert reply.headers.get("allow"), reply.headers
    assert_nothing_written(api)


def test_a_transaction_dated_more_than_a_day_ahead_is_refused_and_nothing_written(api: Any) -> None:
    account = api.post("/api/accounts", ACCOUNT).json
    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {"accountId": account["accountId"], "transactionType": "PURCHASE", "amount": 12.5, "timestamp": later}

    reply = api.post("/api/transactions", body)

    assert_client_error(reply, 422)
    assert [e["field"] for e in reply.json["errors"]] == ["timestamp"]
    assert api.get("/api/transactions").json["items"] == []
    assert api.get(f"/api/accounts/{account['accountId']}").json["balance"] == 0
