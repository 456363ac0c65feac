"""An account's transactions in time order, read newest first from the account/time index.

Three readers: the write path replays the window before a late or edited transaction to compute its features
at its own time; the detector reads what it must score (every transaction from the account's earliest
unscored one on, with the window before it as history); a verdict reads the account's recent transactions to
work out its risk again. Each reads a page at a time and stops as soon as it has what it needs.

Transactions are ordered by (timestamp, transactionId): timestamps are whole seconds, and ties need an order
every reader agrees on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

from isoflow.store.db import Db, from_item, to_values
from isoflow.tables import BY_ACCOUNT_INDEX
from isoflow.timestamps import format_timestamp, parse_timestamp

# The detector's first page reads this many transactions beyond its window, so that an account with a few
# new ones since the last run (the common case) takes one Query.
NEW_TRANSACTIONS_PAGE_SLACK = 25


def order(transaction: Mapping[str, Any]) -> tuple[str, str]:
    return str(transaction["timestamp"]), str(transaction["transactionId"])


def _newest_first(
    db: Db, account_id: str, attributes: Sequence[str], *, page: int, until: str | None = None
) -> Iterator[dict[str, Any]]:
    """The account's transactions from `until` (inclusive) back, newest first, with `attributes` (document paths
    such as "feedback.verdict" allowed); requests a page of `page` items when the caller asks for the next item,
    so a caller that stops early reads no further."""
    names: dict[str, str] = {}

    def placeholder(name: str) -> str:
        return names.setdefault(name, f"#n{len(names)}")

    paths = dict.fromkeys(attributes)  # once each: DynamoDB refuses a projection that names a path twice
    projection = ", ".join(".".join(placeholder(part) for part in path.split(".")) for path in paths)
    values: dict[str, Any] = {":a": account_id}
    condition = "accountId = :a"
    if until is not None:
        condition += f" AND {placeholder('timestamp')} <= :until"
        values[":until"] = until
    request: dict[str, Any] = {
        "TableName": db.transactions,
        "IndexName": BY_ACCOUNT_INDEX,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": to_values(values),
        "ProjectionExpression": projection,
        "ExpressionAttributeNames": {placeholder: name for name, placeholder in names.items()},
        "ScanIndexForward": False,
        "Limit": page,
    }
    while True:
        response = db.client.query(**request)
        for item in response.get("Items", []):
            yield from_item(item)
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def newest_timestamp(db: Db, account_id: str) -> str | None:
    """The time of the account's newest transaction (None without any): one Query of one item."""
    newest = next(_newest_first(db, account_id, ("timestamp",), page=1), None)
    return None if newest is None else str(newest["timestamp"])


def history_before(
    db: Db, account_id: str, position: tuple[str, str], size: int, attributes: Sequence[str]
) -> list[dict[str, Any]]:
    """The account's `size` transactions just before `position` ((timestamp, transactionId)), oldest first;
    the transaction at `position` itself is left out wherever it is stored (an edit may move it in time)."""
    found: list[dict[str, Any]] = []
    if size < 1:
        return found
    for transaction in _newest_first(
        db, account_id, ("transactionId", "timestamp", *attributes), page=size + 1, until=position[0]
    ):
        if transaction["transactionId"] != position[1] and order(transaction) < position:
            found.append(transaction)
            if len(found) == size:
                break
    return sorted(found, key=order)


def window_from(
    db: Db, account_id: str, since: str | None, size: int, attributes: Sequence[str]
) -> list[dict[str, Any]]:
    """Oldest first: every transaction of the account at or after `since` and the `size` before it; without
    `since`, the newest `size`. One Query while no more than NEW_TRANSACTIONS_PAGE_SLACK are at or after `since`."""
    found: list[dict[str, Any]] = []
    before = 0
    if size < 1:
        raise ValueError(f"a window holds at least one transaction, not {size}")
    fields = ("transactionId", "timestamp", *attributes)
    for transaction in _newest_first(db, account_id, fields, page=size + NEW_TRANSACTIONS_PAGE_SLACK):
        found.append(transaction)
        if since is None or transaction["timestamp"] < since:
            before += 1
            if before == size:
                break
    return sorted(found, key=order)


def recent(db: Db, account_id: str, reach: timedelta, size: int, attributes: Sequence[str]) -> list[dict[str, Any]]:
    """Oldest first: the account's transactions no more than `reach` before its newest one, at most the newest
    `size` of them."""
    fields = ("transactionId", "timestamp", *attributes)
    found: list[dict[str, Any]] = []
    since = None
    for transaction in _newest_first(db, account_id, fields, page=size):
        since = since or format_timestamp(parse_timestamp(transaction["timestamp"]) - reach)
        if transaction["timestamp"] < since:
            break
        found.append(transaction)
        if len(found) == size:
            break
    return sorted(found, key=order)
