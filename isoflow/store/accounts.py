"""Accounts: create, read, change, delete, list, and the stale-account index the detector reads."""

from __future__ import annotations

import json
import secrets
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from isoflow.store.audit import Actor, audit_put
from isoflow.store.db import (
    Db,
    batch_get,
    batch_write,
    cancellation_codes,
    error_code,
    from_item,
    to_item,
    to_values,
    with_retries,
    write_transaction,
)
from isoflow.store.errors import ConflictError, NotFoundError
from isoflow.store.paging import Stream, merged_page
from isoflow.store.records import Account, name_key
from isoflow.tables import ACCOUNT_ORDERS, BY_ACCOUNT_INDEX, LIST_SHARDS, STALE_INDEX, STALE_SHARDS
from isoflow.timestamps import now_text
from model.features import initial_state

# DynamoDB's limit on the actions of one TransactWriteItems.
MAX_TRANSACTION_ITEMS = 100

# What the audit trail records of a new account.
AUDITED_FIELDS = ("name", "accountType", "currency", "homeCountry")


def new_account_id() -> str:
    return "acc_" + secrets.token_hex(8)


def stale_shard(account_id: str) -> str:
    return str(zlib.crc32(account_id.encode()) % STALE_SHARDS)


def create_account(
    db: Db, data: Mapping[str, Any], *, account_id: str | None = None, actor: Actor | None = None
) -> Account:
    """A new account with a zero balance; money arrives as transactions, so the balance is their sum. With an
    `actor`, the audit trail records who opened it."""
    now = now_text()
    account = Account(
        accountId=account_id or new_account_id(),
        name=data["name"],
        accountType=data["accountType"],
        currency=data["currency"],
        homeCountry=data["homeCountry"],
        balance=0,
        isStale=False,
        version=0,
        featureState=json.dumps(initial_state(data["homeCountry"]), separators=(",", ":")),
        createdAt=now,
        updatedAt=now,
    )
    put = {
        "TableName": db.accounts,
        "Item": account.to_item(),
        "ConditionExpression": "attribute_not_exists(accountId)",
    }
    if actor is None:
        try:
            db.client.put_item(**put)
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise ConflictError(f"account {account.accountId} already exists", field="accountId") from error
            raise
        return account
    opened = audit_put(db, actor, "account", account.accountId, "created", {k: data[k] for k in AUDITED_FIELDS})
    if not write_transaction(db, [{"Put": put}, opened], what="create account"):
        raise ConflictError(f"account {account.accountId} already exists", field="accountId")
    return account


def read_account(db: Db, account_id: str, *, consistent: bool = False) -> Account:
    response = db.client.get_item(
        TableName=db.accounts, Key=to_item({"accountId": account_id}), ConsistentRead=consistent
    )
    if "Item" not in response:
        raise NotFoundError(f"account {account_id} not found", field="accountId")
    return Account.from_item(response["Item"])


def update_account(db: Db, account_id: str, changes: Mapping[str, Any], *, actor: Actor | None = None) -> Account:
    """Sets `changes` on the account; with an `actor`, the audit trail records who and what."""
    if not changes:
        return read_account(db, account_id)
    stored = dict(changes)
    if "name" in changes:  # the lists find and sort it by its new name
        stored["nameKey"] = name_key(changes["name"])
    names = {f"#{key}": key for key in stored}
    values = {f":{key}": value for key, value in stored.items()}
    assignments = [f"#{key} = :{key}" for key in stored] + ["updatedAt = :now", "version = version + :one"]
    update = {
        "TableName": db.accounts,
        "Key": to_item({"accountId": account_id}),
        "UpdateExpression": "SET " + ", ".join(assignments),
        "ConditionExpression": "attribute_exists(accountId)",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_values({**values, ":now": now_text(), ":one": 1}),
    }
    if actor is None:
        try:
            return Account.from_item(db.client.update_item(**update, ReturnValues="ALL_NEW")["Attributes"])
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise NotFoundError(f"account {account_id} not found", field="accountId") from error
            raise
    changed = audit_put(
        db, actor, "account", account_id, "changed", {k: v for k, v in changes.items() if k != "nameKey"}
    )
    if not write_transaction(db, [{"Update": update}, changed], what="change account"):
        raise NotFoundError(f"account {account_id} not found", field="accountId")
    return read_account(db, account_id, consistent=True)


def account_transaction_keys(db: Db, account_id: str) -> Iterator[str]:
    """Ids of every transaction of the account (keys only, paginated)."""
    paginator = db.client.get_paginator("query")
    for page in paginator.paginate(
        TableName=db.transactions,
        IndexName=BY_ACCOUNT_INDEX,
        KeyConditionExpression="accountId = :a",
        ExpressionAttributeValues=to_values({":a": account_id}),
        ProjectionExpression="transactionId",
    ):
        for item in page.get("Items", []):
            yield item["transactionId"]["S"]


def delete_account(db: Db, account_id: str, *, cascade: bool = False, actor: Actor | None = None) -> None:
    """Delete the account; with `cascade`, its transactions and scores too. With an `actor`, the audit trail
    records who deleted it, and how many transactions went with it.

    The final delete is conditional on the version read first, so a transaction written meanwhile stops it
    (and a cascade goes round again) instead of leaving an orphan behind.
    """
    for _ in range(5):
        account = read_account(db, account_id, consistent=True)
        transaction_ids = list(account_transaction_keys(db, account_id))
        if transaction_ids and not cascade:
            raise ConflictError(
                f"account {account_id} has {len(transaction_ids)} transactions; delete them first or pass cascade=true",
                field="accountId",
            )
        if transaction_ids:
            batch_write(
                db,
                db.transactions,
                ({"DeleteRequest": {"Key": to_item({"transactionId": t})}} for t in transaction_ids),
            )
        _delete_scores(db, account_id)
        delete = {
            "TableName": db.accounts,
            "Key": to_item({"accountId": account_id}),
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": to_values({":v": account.version}),
        }
        actions = [{"Delete": delete}]
        if actor is not None:
            gone = {"name": account.name, "transactions": len(transaction_ids)}
            actions.append(audit_put(db, actor, "account", account_id, "deleted", gone))
        if write_transaction(db, actions, what="delete account"):
            return
    raise ConflictError(f"account {account_id} keeps changing; try again", field="accountId")


def _delete_scores(db: Db, account_id: str) -> None:
    paginator = db.client.get_paginator("query")
    keys = [
        {"DeleteRequest": {"Key": {"accountId": item["accountId"], "transactionId": item["transactionId"]}}}
        for page in paginator.paginate(
            TableName=db.scores,
            KeyConditionExpression="accountId = :a",
            ExpressionAttributeValues=to_values({":a": account_id}),
            ProjectionExpression="accountId, transactionId",
        )
        for item in page.get("Items", [])
    ]
    batch_write(db, db.scores, keys)


def list_accounts(
    db: Db,
    *,
    order: str = "name",
    descending: bool = False,
    search: str | None = None,
    account_type: str | None = None,
    risk_level: str | None = None,
    stale: bool | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Accounts as lists show them (every attribute but the feature state), in `order` (a key of
    ACCOUNT_ORDERS) across the list shards; `search` keeps those with a word of the name starting with it.

    Each page is bounded (isoflow.store.paging): a search or filter that matches few accounts makes a short
    page with a cursor to go on from."""
    index, sort = ACCOUNT_ORDERS[order]
    conditions: list[str] = []
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    for attribute, value in (("accountType", account_type), ("riskLevel", risk_level), ("isStale", stale)):
        if value is not None:
            conditions.append(f"#{attribute} = :{attribute}")
            names[f"#{attribute}"] = attribute
            values[f":{attribute}"] = value
    wanted = name_key(search or "")
    if wanted:
        conditions.append("(begins_with(nameKey, :search) OR contains(nameKey, :word))")
        values.update({":search": wanted, ":word": " " + wanted})
    streams = []
    for shard in range(LIST_SHARDS):
        request: dict[str, Any] = {
            "TableName": db.accounts,
            "IndexName": index,
            "KeyConditionExpression": "listShard = :shard",
            "ExpressionAttributeValues": to_values({**values, ":shard": str(shard)}),
            "ScanIndexForward": not descending,
        }
        if conditions:
            request["FilterExpression"] = " AND ".join(conditions)
        if names:
            request["ExpressionAttributeNames"] = names
        streams.append(Stream(f"{order}{shard}", request, ("accountId", "listShard", sort.name)))
    items, next_cursor = merged_page(
        db.client, streams, limit=limit, cursor=cursor, sort_attribute=sort.name, descending=descending
    )
    return [from_item(item) for item in items], next_cursor


def with_account_names(db: Db, transactions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The transactions, each with its account's name (`accountName`) and `homeCountry`, from one BatchGetItem
    per 100 accounts; a transaction whose account is gone has neither."""
    ids = sorted({t["accountId"] for t in transactions})
    found = batch_get(db, db.accounts, [{"accountId": i} for i in ids], ("accountId", "name", "homeCountry"))
    names = {a["accountId"]: {"accountName": a["name"], "homeCountry": a["homeCountry"]} for a in map(from_item, found)}
    return [{**t, **names.get(t["accountId"], {})} for t in transactions]


def every_account(db: Db) -> Iterator[Account]:
    """Every account, in no order (a Scan): for work that visits them all, such as generating transactions."""
    for page in db.client.get_paginator("scan").paginate(TableName=db.accounts):
        for item in page.get("Items", []):
            yield Account.from_item(item)


@dataclass(frozen=True, order=True)
class StaleAccount:
    """A stale account as the detector finds it: the version to clear it on, and the time from which its
    transactions may lack a score (None: only its newest window, as for an account marked by a delete)."""

    account_id: str
    version: int
    unscored_from: str | None = None


def stale_accounts(db: Db) -> Iterator[StaleAccount]:
    """Every stale account: a Query per shard of the sparse index, never a Scan."""
    paginator = db.client.get_paginator("query")
    for shard in range(STALE_SHARDS):
        for page in paginator.paginate(
            TableName=db.accounts,
            IndexName=STALE_INDEX,
            KeyConditionExpression="staleShard = :s",
            ExpressionAttributeValues=to_values({":s": str(shard)}),
        ):
            for item in page.get("Items", []):
                yield StaleAccount(
                    account_id=item["accountId"]["S"],
                    version=int(item["version"]["N"]),
                    unscored_from=item["unscoredFrom"]["S"] if "unscoredFrom" in item else None,
                )


@dataclass(frozen=True)
class AccountRisk:
    """What a detection run learned of one account: its risk, and the version it read when it found it stale."""

    account_id: str
    version: int
    risk_score: float
    risk_level: str


def record_risks(
    db: Db, risks: Sequence[AccountRisk], *, scored_at: str, written_before: str | None = None
) -> set[str]:
    """Set each account's risk and clear its stale flag and its `unscoredFrom` mark if nothing was written since
    its version was read (and, given `written_before`, it was last written before that time): the caller has
    scored every transaction from the mark on. Answers the accounts cleared.

    An account written to meanwhile keeps its flag, with its risk recorded, for the next run; one deleted
    meanwhile is left alone. The common case is one TransactWriteItems per 100 accounts: when an account's
    condition fails DynamoDB cancels the whole transaction and names it, and the others are tried again
    without it.
    """
    if len({risk.account_id for risk in risks}) != len(risks):
        raise ValueError("an account appears twice")
    cleared: set[str] = set()
    for start in range(0, len(risks), MAX_TRANSACTION_ITEMS):
        remaining = list(risks[start : start + MAX_TRANSACTION_ITEMS])
        while remaining:
            refused = with_retries(
                partial(_clear_flags, db, remaining, scored_at, written_before), what="clear stale flags"
            )
            if not refused:
                cleared.update(risk.account_id for risk in remaining)
                break
            for risk in remaining:
                if risk.account_id in refused:
                    _record_risk(db, risk, scored_at)
            remaining = [risk for risk in remaining if risk.account_id not in refused]
    return cleared


def _clear_flags(db: Db, risks: Sequence[AccountRisk], scored_at: str, written_before: str | None) -> set[str]:
    """One transaction recording every risk and clearing every flag; answers the accounts whose condition
    failed (nothing is written then). Conflicts and throttling are raised, for the caller to retry."""
    condition, settled = "version = :v", {}
    if written_before is not None:
        condition, settled = "version = :v AND updatedAt < :before", {":before": written_before}
    actions = [
        {
            "Update": {
                "TableName": db.accounts,
                "Key": to_item({"accountId": risk.account_id}),
                "UpdateExpression": "SET riskScore = :score, riskLevel = :level, lastScoredAt = :at, "
                "isStale = :false REMOVE staleShard, unscoredFrom",
                "ConditionExpression": condition,
                "ExpressionAttributeValues": to_values(
                    {
                        ":score": risk.risk_score,
                        ":level": risk.risk_level,
                        ":at": scored_at,
                        ":v": risk.version,
                        ":false": False,
                        **settled,
                    }
                ),
            }
        }
        for risk in risks
    ]
    try:
        db.client.transact_write_items(TransactItems=actions)
    except ClientError as error:
        codes = cancellation_codes(error) if error_code(error) == "TransactionCanceledException" else []
        refused = {
            risk.account_id for risk, code in zip(risks, codes, strict=False) if code == "ConditionalCheckFailed"
        }
        if not refused:
            raise
        return refused
    return set()


def _record_risk(db: Db, risk: AccountRisk, scored_at: str) -> None:
    """The risk alone, on an account that keeps its flag; nothing for one deleted during the run."""
    try:
        with_retries(
            lambda: db.client.update_item(
                TableName=db.accounts,
                Key=to_item({"accountId": risk.account_id}),
                UpdateExpression="SET riskScore = :score, riskLevel = :level, lastScoredAt = :at",
                ConditionExpression="attribute_exists(accountId)",
                ExpressionAttributeValues=to_values(
                    {":score": risk.risk_score, ":level": risk.risk_level, ":at": scored_at}
                ),
            ),
            what="record account risk",
        )
    except ClientError as error:
        if error_code(error) != "ConditionalCheckFailedException":
            raise
