"""Merged newest-first pages over several Query streams, with an in-memory stand-in for DynamoDB's Query."""

from __future__ import annotations

import random
from typing import Any

import pytest

from isoflow.store.paging import InvalidCursorError, Stream, merged_page


class FakeQueries:
    """Query semantics that matter here: descending order, Limit and ExclusiveStartKey/LastEvaluatedKey."""

    def __init__(self, partitions: dict[str, list[dict[str, Any]]]) -> None:
        self.partitions = {
            name: sorted(items, key=lambda i: (i["timestamp"]["S"], i["id"]["S"]), reverse=True)
            for name, items in partitions.items()
        }
        self.calls = 0

    def query(self, *, TableName: str, Limit: int, ExclusiveStartKey: dict | None = None, **_: Any) -> dict:
        self.calls += 1
        items = self.partitions[TableName]
        start = 0
        if ExclusiveStartKey:
            start = next(i for i, item in enumerate(items) if item["id"] == ExclusiveStartKey["id"]) + 1
        page = items[start : start + Limit]
        response: dict[str, Any] = {"Items": page}
        if start + Limit < len(items):
            response["LastEvaluatedKey"] = {"id": page[-1]["id"], "timestamp": page[-1]["timestamp"]}
        return response


def make_partitions(seed: int, shards: int, size: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    return {
        f"shard{s}": [
            {"id": {"S": f"{s}-{n}"}, "timestamp": {"S": f"2026-11-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}"}}
            for n in range(rng.randint(0, size))
        ]
        for s in range(shards)
    }


def streams_for(partitions: dict[str, list]) -> list[Stream]:
    return [Stream(name, {"TableName": name}, ("id", "timestamp")) for name in partitions]


@pytest.mark.parametrize(("seed", "limit"), [(1, 1), (2, 3), (3, 7), (4, 50)])
def test_pages_cover_every_item_once_newest_first(seed: int, limit: int) -> None:
    partitions = make_partitions(seed, shards=5, size=20)
    client = FakeQueries(partitions)
    streams = streams_for(partitions)
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        page, cursor = merged_page(client, streams, limit=limit, cursor=cursor)
        assert len(page) <= limit
        seen.extend(page)
        if cursor is None:
            break
        assert len(page) == limit
    everything = [item for items in partitions.values() for item in items]
    assert sorted(i["id"]["S"] for i in seen) == sorted(i["id"]["S"] for i in everything)
    stamps = [i["timestamp"]["S"] for i in seen]
    assert stamps == sorted(stamps, reverse=True)


def test_a_cursor_only_works_for_the_list_that_issued_it() -> None:
    partitions = make_partitions(5, shards=2, size=10)
    client = FakeQueries(partitions)
    _, cursor = merged_page(client, streams_for(partitions), limit=1)
    assert cursor
    other = [Stream(name, {"TableName": name, "FilterExpression": "x"}, ("id", "timestamp")) for name in partitions]
    with pytest.raises(InvalidCursorError):
        merged_page(client, other, limit=1, cursor=cursor)
    for forged in ("not-base64!", "e30", cursor[:-4] + "AAAA"):
        with pytest.raises(InvalidCursorError):
            merged_page(client, streams_for(partitions), limit=1, cursor=forged)
