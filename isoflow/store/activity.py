"""What happened since a time, counted exactly: transactions, accounts active, accounts waiting to be scored.

Every count is Queries with Select=COUNT over the sharded indexes, never a Scan: DynamoDB reads the index
entries in the range (each page up to 1 MB) and sends back only the number.
"""

from __future__ import annotations

from typing import Any

from isoflow.store.db import Db, to_values
from isoflow.tables import ACCOUNT_ORDERS, FEED_INDEX, FEED_SHARDS, LIST_SHARDS, STALE_INDEX, STALE_SHARDS


def _count(db: Db, request: dict[str, Any]) -> int:
    total = 0
    for page in db.client.get_paginator("query").paginate(**request, Select="COUNT"):
        total += int(page["Count"])
    return total


def _since(table: str, index: str, key: str, shard: int, since: str | None, sort: str) -> dict[str, Any]:
    condition, values = f"{key} = :p", {":p": str(shard)}
    names = {}
    if since is not None:
        condition += " AND #sort >= :since"
        values[":since"] = since
        names["#sort"] = sort
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": to_values(values),
    }
    if names:
        request["ExpressionAttributeNames"] = names
    return request


def activity(db: Db, since: str) -> dict[str, int]:
    """Transactions dated from `since` on, accounts whose newest transaction is, and stale accounts now."""
    latest_index, latest = ACCOUNT_ORDERS["lastActivity"]
    return {
        "transactions": sum(
            _count(db, _since(db.transactions, FEED_INDEX, "feedShard", s, since, "timestamp"))
            for s in range(FEED_SHARDS)
        ),
        "activeAccounts": sum(
            _count(db, _since(db.accounts, latest_index, "listShard", s, since, latest.name))
            for s in range(LIST_SHARDS)
        ),
        "staleAccounts": sum(
            _count(db, _since(db.accounts, STALE_INDEX, "staleShard", s, None, "")) for s in range(STALE_SHARDS)
        ),
    }
