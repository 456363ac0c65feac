"""Transactions: the atomic write path, reads joined with scores, lists and analyst feedback.

Every create, change or delete is one TransactWriteItems that also moves the account's balance, bumps its
version and marks it stale. The account update is conditional on the version read, so concurrent writes
to one account serialise: the loser re-reads and goes again.
"""

from __future__ import annotations

import json
import secrets
import zlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from isoflow.store.accounts import read_account, stale_shard
from isoflow.store.db import (
    Db,
    cancellation_codes,
    error_code,
    from_item,
    to_item,
    to_values,
    with_retries,
)
from isoflow.store.errors import BusyError, InvalidReferenceError, NotFoundError, RejectedValueError
from isoflow.store.paging import Stream, collect, merged_page
from isoflow.store.scores import RISK_LEVELS, attach_scores, batch_get, join_scores, levels_at_or_above
from isoflow.tables import BY_ACCOUNT_INDEX, BY_RISK_INDEX, FEED_INDEX, FEED_SHARDS
from isoflow.timestamps import now_text, parse_timestamp
from model.features import Txn, advance

CREDIT_TYPES = frozenset({"DEPOSIT"})
# The fields a transaction's owner may set; the rest are derived.
INPUT_FIELDS = (
    "transactionType",
    "amount",
    "currency",
    "description",
    "merchant",
    "category",
    "country",
    "channel",
    "timestamp",
)
OPTIMISTIC_ATTEMPTS = 8


def new_transaction_id() -> str:
    return "txn_" + secrets.token_hex(10)


def feed_shard(transaction_id: str) -> str:
    return str(zlib.crc32(transaction_id.encode()) % FEED_SHARDS)


def signed_amount(transaction_type: str, amount: Decimal | float | int) -> Decimal:
    value = Decimal(str(amount))
    return value if transaction_type in CREDIT_TYPES else -value


def model_input(transaction: Mapping[str, Any]) -> Txn:
    """What detection sees of a transaction: never ground truth or derived fields."""
    return Txn(
        timestamp=parse_timestamp(transaction["timestamp"]),
        amount=float(transaction["amount"]),
        transaction_type=transaction.get("transactionType"),
        merchant=transaction.get("merchant"),
        category=transaction.get("category"),
        country=transaction.get("country"),
        channel=transaction.get("channel"),
    )


def _account_update(
    db: Db, account: Mapping[str, Any], balance: Decimal, now: str, feature_state: str | None
) -> dict[str, Any]:
    assignments = "balance = :balance, version = :next, isStale = :true, staleShard = :shard, updatedAt = :now"
    values: dict[str, Any] = {
        ":balance": balance,
        ":next": account["version"] + 1,
        ":version": account["version"],
        ":true": True,
        ":shard": stale_shard(account["accountId"]),
        ":now": now,
    }
    if feature_state is not None:
        assignments += ", featureState = :state"
        values[":state"] = feature_state
    return {
        "Update": {
            "TableName": db.accounts,
            "Key": to_item({"accountId": account["accountId"]}),
            "UpdateExpression": "SET " + assignments,
            "ConditionExpression": "version = :version",
            "ExpressionAttributeValues": to_values(values),
        }
    }


def _write(db: Db, actions: list[dict[str, Any]], *, what: str) -> bool:
    """TransactWriteItems; False when a condition failed (the caller re-reads and tries again)."""
    try:
        with_retries(lambda: db.client.transact_write_items(TransactItems=actions), what=what)
        return True
    except ClientError as error:
        if error_code(error) == "TransactionCanceledException" and "ConditionalCheckFailed" in cancellation_codes(
            error
        ):
            return False
        raise


def _balance(account: Mapping[str, Any]) -> Decimal:
    return Decimal(str(account["balance"]))


def _check_currency(account: Mapping[str, Any], currency: str | None) -> str:
    if currency is not None and currency != account["currency"]:
        raise RejectedValueError(f"currency must be the account's currency ({account['currency']})", field="currency")
    return str(account["currency"])


def create_transaction(
    db: Db,
    data: Mapping[str, Any],
    *,
    transaction_id: str | None = None,
    injected_anomaly: str | None = None,
) -> dict[str, Any]:
    """Write a new transaction, move its account's balance and mark the account stale, atomically."""
    transaction_id = transaction_id or new_transaction_id()
    for _ in range(OPTIMISTIC_ATTEMPTS):
        try:
            account = read_account(db, data["accountId"], consistent=True)
        except NotFoundError as error:
            raise InvalidReferenceError(f"account {data['accountId']} does not exist", "accountId") from error
        now = now_text()
        transaction = {
            "transactionId": transaction_id,
            "accountId": account["accountId"],
            **{field: data.get(field) for field in INPUT_FIELDS},
            "currency": _check_currency(account, data.get("currency")),
            "timestamp": data.get("timestamp") or now,
            "feedShard": feed_shard(transaction_id),
            "revision": 1,
            "createdAt": now,
            "updatedAt": now,
            "injectedAnomaly": injected_anomaly,
        }
        features, state = advance(json.loads(account["featureState"]), model_input(transaction))
        balance = _balance(account) + signed_amount(transaction["transactionType"], transaction["amount"])
        transaction.update(balanceAfter=balance, features=features)
        actions = [
            {
                "Put": {
                    "TableName": db.transactions,
                    "Item": to_item(transaction),
                    "ConditionExpression": "attribute_not_exists(transactionId)",
                }
            },
            _account_update(db, account, balance, now, json.dumps(state, separators=(",", ":"))),
        ]
        if _write(db, actions, what="create transaction"):
            return from_item(to_item(transaction))
        if _exists(db, transaction_id):
            raise RejectedValueError(f"transaction {transaction_id} already exists", field="transactionId")
    raise BusyError("too many concurrent writes to this account, try again", field="accountId")


def _exists(db: Db, transaction_id: str) -> bool:
    response = db.client.get_item(
        TableName=db.transactions, Key=to_item({"transactionId": transaction_id}), ConsistentRead=True
    )
    return "Item" in response


def read_transaction(db: Db, transaction_id: str, *, consistent: bool = False) -> dict[str, Any]:
    response = db.client.get_item(
        TableName=db.transactions, Key=to_item({"transactionId": transaction_id}), ConsistentRead=consistent
    )
    if "Item" not in response:
        raise NotFoundError(f"transaction {transaction_id} not found", field="transactionId")
    return from_item(response["Item"])


def get_transaction(db: Db, transaction_id: str) -> dict[str, Any]:
    return attach_scores(db, [read_transaction(db, transaction_id)])[0]


def _score_delete(transaction: Mapping[str, Any], db: Db) -> dict[str, Any]:
    key = {"accountId": transaction["accountId"], "transactionId": transaction["transactionId"]}
    return {"Delete": {"TableName": db.scores, "Key": to_item(key)}}


def update_transaction(db: Db, transaction_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change a transaction: its balance effect moves, its old score is dropped, its account goes stale.

    Its features are recomputed against the account's current rolling state, which is not advanced again.
    """
    for _ in range(OPTIMISTIC_ATTEMPTS):
        old = read_transaction(db, transaction_id, consistent=True)
        if "accountId" in changes and changes["accountId"] != old["accountId"]:
            raise RejectedValueError("a transaction cannot move to another account", field="accountId")
        account = read_account(db, old["accountId"], consistent=True)
        now = now_text()
        new = {**old, **{k: v for k, v in changes.items() if k in INPUT_FIELDS}}
        new["currency"] = _check_currency(account, changes.get("currency", old["currency"]))
        new["features"], _ = advance(json.loads(account["featureState"]), model_input(new))
        delta = signed_amount(new["transactionType"], new["amount"]) - signed_amount(
            old["transactionType"], old["amount"]
        )
        balance = _balance(account) + delta
        new.update(
            revision=old["revision"] + 1,
            updatedAt=now,
            balanceAfter=Decimal(str(old["balanceAfter"])) + delta,
        )
        actions = [
            {
                "Put": {
                    "TableName": db.transactions,
                    "Item": to_item(new),
                    "ConditionExpression": "revision = :revision",
                    "ExpressionAttributeValues": to_values({":revision": old["revision"]}),
                }
            },
            _account_update(db, account, balance, now, None),
            _score_delete(old, db),
        ]
        if _write(db, actions, what="update transaction"):
            return from_item(to_item(new))
    raise BusyError("too many concurrent writes to this transaction, try again", field="transactionId")


def delete_transaction(db: Db, transaction_id: str) -> None:
    for _ in range(OPTIMISTIC_ATTEMPTS):
        old = read_transaction(db, transaction_id, consistent=True)
        account = read_account(db, old["accountId"], consistent=True)
        balance = _balance(account) - signed_amount(old["transactionType"], old["amount"])
        actions = [
            {
                "Delete": {
                    "TableName": db.transactions,
                    "Key": to_item({"transactionId": transaction_id}),
                    "ConditionExpression": "revision = :revision",
                    "ExpressionAttributeValues": to_values({":revision": old["revision"]}),
                }
            },
            _account_update(db, account, balance, now_text(), None),
            _score_delete(old, db),
        ]
        if _write(db, actions, what="delete transaction"):
            return
    raise BusyError("too many concurrent writes to this transaction, try again", field="transactionId")


def set_feedback(db: Db, transaction_id: str, verdict: str, note: str | None) -> dict[str, Any]:
    """Record an analyst's verdict on the transaction; feedback is not a change that needs rescoring."""
    feedback = {"verdict": verdict, "note": note, "at": now_text()}
    try:
        db.client.update_item(
            TableName=db.transactions,
            Key=to_item({"transactionId": transaction_id}),
            UpdateExpression="SET feedback = :feedback",
            ConditionExpression="attribute_exists(transactionId)",
            ExpressionAttributeValues=to_values({":feedback": feedback}),
        )
    except ClientError as error:
        if error_code(error) == "ConditionalCheckFailedException":
            raise NotFoundError(f"transaction {transaction_id} not found", field="transactionId") from error
        raise
    return get_transaction(db, transaction_id)


def _time_condition(key: str, since: str | None, until: str | None, values: dict[str, Any]) -> str:
    if since and until:
        values.update({":from": since, ":to": until})
        return f"{key} = :p AND #ts BETWEEN :from AND :to"
    if since:
        values[":from"] = since
        return f"{key} = :p AND #ts >= :from"
    if until:
        values[":to"] = until
        return f"{key} = :p AND #ts <= :to"
    return f"{key} = :p"


def _query(
    table: str,
    index: str,
    key: str,
    partition: str,
    *,
    since: str | None,
    until: str | None,
    filters: Mapping[str, tuple[str, Any]] = {},
) -> dict[str, Any]:
    """A newest-first Query on `index` for one partition, with optional time range and filters."""
    values: dict[str, Any] = {":p": partition}
    names = {"#ts": "timestamp"} if since or until else {}
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": _time_condition(key, since, until, values),
        "ScanIndexForward": False,
    }
    conditions = []
    for attribute, (operator, value) in filters.items():
        names[f"#{attribute}"] = attribute
        values[f":{attribute}"] = value
        conditions.append(f"#{attribute} {operator} :{attribute}")
    if conditions:
        request["FilterExpression"] = " AND ".join(conditions)
    request.update(ExpressionAttributeNames=names, ExpressionAttributeValues=to_values(values))
    return request


def list_transactions(
    db: Db,
    *,
    account_id: str | None = None,
    transaction_type: str | None = None,
    since: str | None = None,
    until: str | None = None,
    min_score: float | None = None,
    risk_level: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Transactions newest first, with their scores; every path is a Query (or merged Queries)."""
    type_filter = {"transactionType": ("=", transaction_type)} if transaction_type else {}
    if account_id is None and (risk_level or min_score is not None):
        levels = (risk_level,) if risk_level else RISK_LEVELS
        return scored_transactions(
            db,
            levels,
            since=since,
            until=until,
            min_score=min_score,
            transaction_type=transaction_type,
            limit=limit,
            cursor=cursor,
        )
    if account_id is not None:
        streams = [
            Stream(
                "account",
                _query(
                    db.transactions,
                    BY_ACCOUNT_INDEX,
                    "accountId",
                    account_id,
                    since=since,
                    until=until,
                    filters=type_filter,
                ),
                ("transactionId", "accountId", "timestamp"),
            )
        ]
    else:
        streams = [
            Stream(
                f"feed{shard}",
                _query(
                    db.transactions,
                    FEED_INDEX,
                    "feedShard",
                    str(shard),
                    since=since,
                    until=until,
                    filters=type_filter,
                ),
                ("transactionId", "feedShard", "timestamp"),
            )
            for shard in range(FEED_SHARDS)
        ]

    def keep(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        joined = attach_scores(db, [from_item(item) for item in items])
        return [
            t
            for t in joined
            if (risk_level is None or t.get("riskLevel") == risk_level)
            and (min_score is None or t.get("riskScore", -1) >= min_score)
        ]

    return collect(lambda c, n: merged_page(db.client, streams, limit=n, cursor=c), keep, limit=limit, cursor=cursor)


def scored_transactions(
    db: Db,
    levels: tuple[str, ...],
    *,
    since: str | None = None,
    until: str | None = None,
    min_score: float | None = None,
    transaction_type: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Scored transactions at the given risk levels, newest first, from the scores' risk index."""
    score_filter = {"riskScore": (">=", min_score)} if min_score is not None else {}
    streams = [
        Stream(
            f"{level}{shard}",
            _query(
                db.scores,
                BY_RISK_INDEX,
                "riskShard",
                f"{level}#{shard}",
                since=since,
                until=until,
                filters=score_filter,
            ),
            ("accountId", "transactionId", "riskShard", "timestamp"),
        )
        for level in levels
        for shard in range(FEED_SHARDS)
    ]

    def keep(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        scores = [from_item(item) for item in items]
        found = batch_get(db, db.transactions, [{"transactionId": s["transactionId"]} for s in scores])
        by_id = {t["transactionId"]: t for t in found}
        joined = []
        for score in scores:
            transaction = by_id.get(score["transactionId"])
            if transaction is None or transaction.get("revision") != score.get("revision"):
                continue
            if transaction_type and transaction.get("transactionType") != transaction_type:
                continue
            joined.extend(join_scores([transaction], [score]))
        return joined

    return collect(lambda c, n: merged_page(db.client, streams, limit=n, cursor=c), keep, limit=limit, cursor=cursor)


def list_anomalies(
    db: Db, *, min_level: str = "MEDIUM", limit: int = 50, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    return scored_transactions(db, levels_at_or_above(min_level), limit=limit, cursor=cursor)
