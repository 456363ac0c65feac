"""A sample of the deployment's stored transactions, spread over a period, read without a Scan.

The sample is deterministic for the same stored data: the last `lookback` of the feed index (every
transaction, newest first, over `FEED_SHARDS` partitions) is cut into `SLICES` equal time slices, and one
Query per slice and shard reads the slice's newest few transactions, so the sample spreads over the whole
period and every hour of the day. The population refit samples what is ordinary from it, and learning from
verdicts the transactions its quantile map is drawn on.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from isoflow.store.db import Db, from_item, to_values
from isoflow.tables import FEED_INDEX, FEED_SHARDS
from isoflow.timestamps import format_timestamp, parse_timestamp

LOOKBACK = timedelta(days=90)
# A large shard's share: the newest few transactions before each of SLICES points spread over the period.
SLICES = 32
QUERY_THREADS = 8


def _edge(db: Db, shard: int, newest: bool) -> str | None:
    response = db.client.query(
        TableName=db.transactions,
        IndexName=FEED_INDEX,
        KeyConditionExpression="feedShard = :s",
        ExpressionAttributeValues=to_values({":s": str(shard)}),
        ExpressionAttributeNames={"#t": "timestamp"},
        ProjectionExpression="#t",
        ScanIndexForward=not newest,
        Limit=1,
    )
    items = response.get("Items", [])
    return str(items[0]["timestamp"]["S"]) if items else None


def _page(
    db: Db, shard: int, since: datetime, until: datetime, limit: int, start: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of the shard's transactions in [since, until], newest first, and where the next page starts."""
    request: dict[str, Any] = {
        "TableName": db.transactions,
        "IndexName": FEED_INDEX,
        "KeyConditionExpression": "feedShard = :s AND #t BETWEEN :from AND :to",
        "ExpressionAttributeValues": to_values(
            {":s": str(shard), ":from": format_timestamp(since), ":to": format_timestamp(until)}
        ),
        "ExpressionAttributeNames": {"#t": "timestamp"},
        "ProjectionExpression": "transactionId, accountId, #t, merchant, revision, features",
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if start is not None:
        request["ExclusiveStartKey"] = start
    response = db.client.query(**request)
    return [from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")


def _sample_shard(db: Db, shard: int, first: datetime, last: datetime, quota: int) -> list[dict[str, Any]]:
    """About `quota` of the shard's transactions in [first, last], spread evenly over the period. A shard holding
    up to twice that (judged by how much of the period its first page covers) is read whole and thinned; a
    larger one gives the newest few before each of SLICES points, staggered between shards so that the points
    of all shards fall at different times of day."""
    items, start = _page(db, shard, first, last, quota)
    if start is None:
        return items
    covered = (last - parse_timestamp(str(items[-1]["timestamp"]))).total_seconds()
    if len(items) * (last - first).total_seconds() <= 2 * quota * max(covered, 1.0):
        while start is not None:
            page, start = _page(db, shard, first, last, quota, start)
            items += page
        return items[:: math.ceil(len(items) / quota)]
    width = (last - first) / SLICES
    per_slice = math.ceil(quota / SLICES)
    items = []
    for i in range(SLICES):
        until = last - width * (i + shard / FEED_SHARDS)
        items += _page(db, shard, max(first, until - width), until, per_slice)[0]
    return items


def sample_items(db: Db, *, rows_wanted: int, lookback: timedelta = LOOKBACK) -> list[dict[str, Any]]:
    """About `rows_wanted` transactions (id, account, time, merchant, revision, features) spread over the last
    `lookback` of stored data, in time order."""
    shards = range(FEED_SHARDS)
    newest = [t for t in (_edge(db, shard, newest=True) for shard in shards) if t]
    if not newest:
        return []
    last = parse_timestamp(max(newest))
    oldest = min(t for t in (_edge(db, shard, newest=False) for shard in shards) if t)
    first = max(last - lookback, parse_timestamp(oldest))
    quota = math.ceil(rows_wanted / FEED_SHARDS)
    with ThreadPoolExecutor(QUERY_THREADS) as pool:
        found = pool.map(lambda shard: _sample_shard(db, shard, first, last, quota), shards)
        unique = {item["transactionId"]: item for batch in found for item in batch}
    return sorted(unique.values(), key=lambda item: (item["timestamp"], item["transactionId"]))
