"""Who did what: every write and verdict through the API leaves an entry naming its user, in the same
TransactWriteItems as the write, readable per account and per transaction and kept after a delete."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from isoflow.local.auth import LOCAL_ADMINISTRATOR
from isoflow.store.audit import Actor
from isoflow.store.db import Db
from isoflow.store.errors import RejectedValueError
from isoflow.store.transactions import create_transaction

ACCOUNT = {"name": "Ada Lovelace", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "GB"}
ADMIN = {**LOCAL_ADMINISTRATOR, "sub": "sub-admin", "email": "admin@bank.example", "cognito:username": "admin"}
ANALYST = {
    "sub": "sub-analyst",
    "token_use": "id",
    "cognito:username": "analyst",
    "email": "analyst@bank.example",
    "cognito:groups": "analysts",
}


def entries_stored(db: Db) -> int:
    return int(db.client.scan(TableName=db.audit, Select="COUNT")["Count"])


def trail(api: Any, path: str) -> list[dict[str, Any]]:
    reply = api.get(f"{path}/audit")
    assert reply.status == 200, reply.text
    return reply.json["items"]


def test_an_account_s_trail_names_who_created_changed_and_deleted_it(api: Any) -> None:
    account = api.request("POST", "/api/accounts", json_body=ACCOUNT, claims=ADMIN).json
    path = f"/api/accounts/{account['accountId']}"
    api.request("PATCH", path, json_body={"name": "Ada King"}, claims=ADMIN)
    assert api.request("DELETE", path, claims=ADMIN).status == 204

    entries = trail(api, path)

    assert [e["action"] for e in entries] == ["deleted", "changed", "created"]  # newest first
    assert {(e["subject"], e["name"]) for e in entries} == {("sub-admin", "admin@bank.example")}
    assert entries[2]["fields"] == ACCOUNT
    assert entries[1]["fields"] == {"name": "Ada King"}
    assert entries[0]["fields"] == {"name": "Ada King", "transactions": 0}
    assert entries[0]["at"] > entries[1]["at"] > entries[2]["at"]
    assert api.get(path).status == 404  # the account is gone, its trail is not


def test_a_transaction_s_trail_holds_its_writes_and_each_verdict_with_its_analyst(api: Any) -> None:
    account = api.post("/api/accounts", ACCOUNT).json
    body = {"accountId": account["accountId"], "transactionType": "PURCHASE", "amount": 12.5, "merchant": "Cafe"}
    created = api.request("POST", "/api/transactions", json_body=body, claims=ADMIN).json
    path = f"/api/transactions/{created['transactionId']}"
    api.request("PATCH", path, json_body={"amount": 15}, claims=ADMIN)
    verdict = api.request(
        "PUT", f"{path}/feedback", json_body={"verdict": "NOT_FRAUD", "note": "known"}, claims=ANALYST
    )
    assert verdict.status == 200 and verdict.json["feedback"]["by"] == "analyst@bank.example"
    api.request("DELETE", path, claims=ADMIN)

    entries = trail(api, path)

    assert [(e["action"], e["subject"]) for e in entries] == [
        ("deleted", "sub-admin"),
        ("verdict", "sub-analyst"),
        ("changed", "sub-admin"),
        ("created", "sub-admin"),
    ]
    assert entries[1]["fields"] == {"verdict": "NOT_FRAUD", "note": "known", "knownAt": verdict.json["feedback"]["at"]}
    assert entries[2]["fields"] == {"amount": 15}
    assert entries[3]["fields"]["accountId"] == account["accountId"] and entries[3]["fields"]["amount"] == 12.5
    assert entries[0]["fields"]["amount"] == 15


def test_without_sign_in_the_local_system_names_its_local_user(api: Any) -> None:
    account = api.post("/api/accounts", ACCOUNT).json  # the local administrator, as `make run` acts
    [entry] = trail(api, f"/api/accounts/{account['accountId']}")
    assert (entry["subject"], entry["name"]) == ("local", "local")


def test_a_write_that_fails_leaves_no_entry_and_an_entry_never_stands_without_its_write(
    api: Any, db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = api.post("/api/accounts", ACCOUNT).json
    actor = Actor("sub-admin", "admin@bank.example")
    refused = {"accountId": account["accountId"], "transactionType": "PURCHASE", "amount": 5, "currency": "USD"}
    with pytest.raises(RejectedValueError, match="currency"):
        create_transaction(db, refused, actor=actor)
    assert entries_stored(db) == 1  # the account's own
    # A write whose account changed meanwhile is tried again: one entry for the one transaction it wrote.
    real = db.client.transact_write_items
    calls: list[int] = []

    def conflict_once(**request: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                    "CancellationReasons": [{"Code": "ConditionalCheckFailed"}],
                },
                "TransactWriteItems",
            )
        return real(**request)

    monkeypatch.setattr(db.client, "transact_write_items", conflict_once)
    written = create_transaction(db, {**refused, "currency": "EUR"}, actor=actor)

    assert len(calls) == 2
    entries = trail(api, f"/api/transactions/{written.transactionId}")
    assert [e["action"] for e in entries] == ["created"]
    assert entries_stored(db) == 2


def test_an_unknown_id_has_an_empty_trail_and_a_malformed_one_is_refused(api: Any) -> None:
    assert trail(api, "/api/accounts/acc_0123456789abcdef") == []
    assert api.get("/api/transactions/not-an-id/audit").status == 422
