"""Every transaction gets a score, whatever its timestamp: a late (back-dated) or edited transaction has the
features it had at its own time, is scored against the history before it, lands in the anomalies list like
any other, and its account's flag is cleared only once it is scored."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import pytest
from detection_stack import START, Stack, deposit, detection_stack, purchase
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from isoflow.api.app import create_app
from isoflow.api.services import Services
from isoflow.detection.score import AccountRef, Batch, score_batch
from isoflow.local.api_gateway import proxy_event
from isoflow.local.lambda_invoke import LambdaContext
from isoflow.store.accounts import (
    AccountRisk,
    create_account,
    new_account_id,
    read_account,
    record_risks,
    stale_accounts,
)
from isoflow.store.db import Db, from_item, to_item
from isoflow.store.history import import_history
from isoflow.store.records import Transaction
from isoflow.store.transactions import create_transaction, model_input, read_transaction, update_transaction
from isoflow.tables import BY_ACCOUNT_INDEX
from isoflow.timestamps import format_timestamp, parse_timestamp
from model.features import advance
from model.population import PopulationModel
from model.scoring import InMemoryModelStore, ModelStore, Score, model_key

ACCOUNT = {"name": "Late", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}


def at(hours: float) -> str:
    return format_timestamp(START + timedelta(hours=hours))


def in_time_order(db: Db, entries: list[dict[str, Any]]) -> dict[str, Transaction]:
    """A fresh account with `entries` written in time order, as the live path writes them; by description."""
    account_id = create_account(db, ACCOUNT).accountId
    written = {}
    for entry in sorted(entries, key=lambda e: e["timestamp"]):
        written[entry["description"]] = create_transaction(db, {**entry, "accountId": account_id})
    return written


def history(account_id: str, count: int) -> list[dict[str, Any]]:
    """An opening deposit and small card payments three hours apart."""
    entries = [{**deposit(account_id, START - timedelta(days=1), 100_000), "description": "opening"}]
    for i in range(count - 1):
        entries.append({**purchase(account_id, i), "description": f"purchase {i}", "timestamp": at(3 * i)})
    return entries


def clear(db: Db, account_id: str) -> None:
    """What a finished run does to the account (its scores are beside the point here)."""
    account = read_account(db, account_id)
    assert record_risks(db, [AccountRisk(account_id, account.version, 0.1, "LOW")], scored_at=at(0))


def test_a_back_dated_transaction_has_the_features_of_its_own_time(db: Db) -> None:
    account_id = create_account(db, ACCOUNT).accountId
    entries = history(account_id, 40)
    for entry in entries:
        create_transaction(db, entry)
    clear(db, account_id)
    before = read_account(db, account_id)
    # A card settlement that reaches the bank days after the payment, at a new merchant abroad.
    settlement = {
        **purchase(account_id, 7),
        "description": "late settlement",
        "amount": "480.00",
        "merchant": "Hotel Lisboa",
        "country": "PT",
        "timestamp": at(3 * 7 + 1),
    }

    late = create_transaction(db, settlement)

    expected = in_time_order(db, [*entries, settlement])["late settlement"]
    assert late.features == expected.features
    # Against the account's state now, which has seen 32 later payments, it would have looked otherwise.
    assert late.features != advance(json.loads(before.featureState), model_input(late))[0]
    account = read_account(db, account_id)
    assert account.unscoredFrom == settlement["timestamp"]  # where the next run starts scoring
    assert account.latestAt == before.latestAt == entries[-1]["timestamp"]
    assert json.loads(account.featureState)["n"] == 41  # folded into the rolling state all the same


def test_an_edited_transaction_is_recomputed_from_the_history_before_it_without_itself(db: Db) -> None:
    account_id = create_account(db, ACCOUNT).accountId
    entries = history(account_id, 40)
    written = [create_transaction(db, entry) for entry in entries]
    clear(db, account_id)

    edited = update_transaction(db, written[10].transactionId, {"amount": "5000.00", "country": "TH"})

    changed = [{**e, "amount": "5000.00", "country": "TH"} if e is entries[10] else e for e in entries]
    expected = in_time_order(db, changed)[entries[10]["description"]]
    assert edited.features == expected.features
    assert edited.features["history_size"] == 10
    assert read_account(db, account_id).unscoredFrom == entries[10]["timestamp"]
    # A change that does not touch what features are made of keeps them.
    renamed = update_transaction(db, written[10].transactionId, {"description": "hotel"})
    assert renamed.features == edited.features and renamed.revision == edited.revision + 1


class Api:
    """The API over the stack's tables, called with the events API Gateway sends."""

    def __init__(self, stack: Stack) -> None:
        self.app = create_app(Services(db=stack.db, idempotency_table=stack.settings.idempotency_table))

    def call(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        builder = EnvironBuilder(
            method=method,
            path=path,
            query_string=query,
            data=json.dumps(body) if body is not None else None,
            headers={"Content-Type": "application/json"},
        )
        request = Request(builder.get_environ())
        context = LambdaContext(function_name="isoflow-api", memory_limit_in_mb=1024, timeout_s=29)
        result = self.app.resolve(proxy_event(request, "test", request.get_data()), context)
        assert result["statusCode"] < 300, result
        return json.loads(result["body"]) if result.get("body") else None


@pytest.fixture
def stack(local_aws: Any) -> Stack:
    return detection_stack(local_aws)


def imported_account(stack: Stack, count: int) -> str:
    """An account with `count` transactions, three hours apart, imported and scored by a first run."""
    account_id = imported(stack.db, count)
    first = stack.run()
    assert first["status"] == "SUCCEEDED", first["cause"]
    assert first["output"]["transactionsScored"] == count
    return account_id


def assert_scored_listed_and_cleared(stack: Stack, api: Api, account_id: str, transaction_id: str) -> None:
    shown = api.call("GET", f"/api/transactions/{transaction_id}")
    assert shown["riskLevel"] == "HIGH" and shown["reasons"], shown
    anomalies = api.call("GET", "/api/anomalies", minLevel="HIGH", limit=100)["items"]
    assert transaction_id in [a["transactionId"] for a in anomalies]
    account = api.call("GET", f"/api/accounts/{account_id}")
    assert account["isStale"] is False
    assert stack.account(account_id).unscoredFrom is None


def test_a_withdrawal_dated_two_months_back_on_a_505_transaction_account_is_scored_and_listed(stack: Stack) -> None:
    account_id = imported_account(stack, 505)
    api = Api(stack)
    newest = read_account(stack.db, account_id).latestAt
    # Between the account's second and third transactions: outside its newest 500.
    withdrawal = api.call(
        "POST",
        "/api/transactions",
        {
            "accountId": account_id,
            "transactionType": "WITHDRAWAL",
            "amount": 950_000,
            "channel": "ATM",
            "country": "DE",
            "timestamp": at(4),
        },
    )
    assert parse_timestamp(newest) - parse_timestamp(withdrawal["timestamp"]) > timedelta(days=61)

    runs = [stack.run() for _ in range(3)]

    assert [r["status"] for r in runs] == ["SUCCEEDED"] * 3, [r.get("cause") for r in runs]
    assert runs[0]["output"]["transactionsScored"] == 1 and runs[0]["output"]["accountsCleared"] == 1
    assert [r["output"]["accounts"] for r in runs[1:]] == [0, 0]  # nothing left stale
    assert_scored_listed_and_cleared(stack, api, account_id, withdrawal["transactionId"])
    assert len(stack.scores()) == 506


def test_an_edited_old_transaction_is_scored_again_and_listed(stack: Stack) -> None:
    account_id = imported_account(stack, 540)
    api = Api(stack)
    # The 36th of 540 transactions: outside the newest 500, with enough before it for the account's own model.
    old = next(t for t in stack.transaction_ids(account_id) if read_transaction(stack.db, t).timestamp == at(3 * 34))
    before = {s["transactionId"]: s for s in stack.scores()}

    api.call("PATCH", f"/api/transactions/{old}", {"amount": 950_000, "merchant": "Gold Bullion Ltd"})
    run = stack.run()

    assert run["status"] == "SUCCEEDED", run["cause"]
    assert run["output"]["transactionsScored"] == 1
    assert_scored_listed_and_cleared(stack, api, account_id, old)
    after = {s["transactionId"]: s for s in stack.scores()}
    assert after[old]["revision"] == 2 and before[old]["riskLevel"] != "HIGH"
    assert {t: s for t, s in after.items() if t != old} == {t: s for t, s in before.items() if t != old}


def imported(db: Db, count: int) -> str:
    account_id = new_account_id()
    rows = [{**entry, "transactionId": f"txn_{n:020x}"} for n, entry in enumerate(history(account_id, count))]
    import_history(db, [{"accountId": account_id, **ACCOUNT}], rows)
    return account_id


def batch_for(db: Db, account_id: str) -> Batch:
    """The batch FindStaleAccounts would write for the account."""
    (stale,) = [s for s in stale_accounts(db) if s.account_id == account_id]
    return Batch("run-1", 0, (AccountRef(stale.account_id, stale.version, stale.unscored_from),))


def scored_and_cleared(db: Db, account_id: str, **kwargs: Any) -> dict[str, Any]:
    """A detection run over the one account: score it, then record its risk and clear its flag."""
    result = score_batch(db, batch_for(db, account_id), **kwargs)
    (account,) = result["accounts"]
    record_risks(
        db,
        [AccountRisk(account_id, account["version"], account["riskScore"], account["riskLevel"])],
        scored_at=at(0),
    )
    return result


def everyday(
    account_id: str,
    history: Sequence[Mapping[str, float]],
    targets: Sequence[int],
    models: ModelStore | None,
    *,
    population: PopulationModel,
) -> list[Score]:
    return [Score(0.3, "LOW", False, (), "test-1") for _ in targets]


def test_an_account_with_a_few_new_transactions_reads_its_window_in_one_query(db: Db) -> None:
    account_id = imported(db, 600)  # beyond the window, so a read of everything would take more
    scored_and_cleared(db, account_id, models=None, scorer=everyday)
    for i in range(3):
        create_transaction(db, {**purchase(account_id, 600 + i), "timestamp": at(3 * (600 + i))})
    batch = batch_for(db, account_id)
    queries: list[str] = []
    db.client.meta.events.register(
        "before-parameter-build.dynamodb.Query",
        lambda params, **_: queries.append(params.get("IndexName", params["TableName"])),
    )

    result = score_batch(db, batch, models=None, scorer=everyday)

    assert result["transactionsScored"] == 3
    assert queries == [BY_ACCOUNT_INDEX, db.scores]  # the window with the new ones, and the account's scores


def test_a_far_back_transaction_leaves_the_accounts_stored_model_alone(db: Db) -> None:
    account_id = imported(db, 80)
    models = InMemoryModelStore()
    scored_and_cleared(db, account_id, models=models)
    kept = dict(models.blobs)
    assert list(kept) == [model_key(account_id)]

    late = create_transaction(db, {**purchase(account_id, 7), "amount": "31.00", "timestamp": at(3 * 50 + 1)})
    result = scored_and_cleared(db, account_id, models=models)

    assert result["transactionsScored"] == 1
    assert read_score(db, account_id, late.transactionId)["modelVersion"].split("/")[1].startswith("account+")
    # Fitted on the 51 transactions before it, not stored: the next run's newest ones reuse the stored model.
    assert models.blobs == kept


def read_score(db: Db, account_id: str, transaction_id: str) -> dict[str, Any]:
    key = to_item({"accountId": account_id, "transactionId": transaction_id})
    return from_item(db.client.get_item(TableName=db.scores, Key=key)["Item"])
