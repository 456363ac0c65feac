"""Merged newest-first pages over several Query streams, with an in-memory stand-in for DynamoDB's Query."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from isoflow.store.paging import QUERIES_PER_STREAM, InvalidCursorError, Stream, collect, merged_page


class FakeQueries:
    """Query semantics that matter here: descending order, Limit and ExclusiveStartKey/LastEvaluatedKey."""

    def __init__(
        self, partitions: dict[str, list[dict[str, Any]]], matches: Callable[[dict[str, Any]], bool] | None = None
    ) -> None:
        self.partitions = {
            name: sorted(items, key=lambda i: (i["timestamp"]["S"], i["id"]["S"]), reverse=True)
            for name, items in partitions.items()
        }
        self.matches = matches or (lambda item: True)  # a FilterExpression: applied after Limit, as DynamoDB does
        self.calls = 0

    def query(self, *, TableName: str, Limit: int, ExclusiveStartKey: dict | None = None, **_: Any) -> dict:
        self.calls += 1
        items = self.partitions[TableName]
        start = 0
        if ExclusiveStartKey:
            start = next(i for i, item in enumerate(items) if item["id"] == ExclusiveStartKey["id"]) + 1
        page = items[start : start + Limit]
        response: dict[str, Any] = {"Items": [item for item in page if self.matches(item)]}
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


def test_a_filter_that_matches_little_ends_pages_short_and_the_cursors_still_reach_every_match() -> None:
    # 3 streams of 2,000 items each, one in 500 matching: a page may read 4 Query pages per stream.
    partitions = {
        f"shard{s}": [{"id": {"S": f"{s}-{n}"}, "timestamp": {"S": f"2026-11-01T{n:05d}"}} for n in range(2000)]
        for s in range(3)
    }
    client = FakeQueries(partitions, matches=lambda item: int(item["id"]["S"].split("-")[1]) % 500 == 7)
    streams = streams_for(partitions)
    seen: list[dict[str, Any]] = []
    cursor = None
    requests = 0
    while True:
        client.calls = 0
        page, cursor = merged_page(client, streams, limit=5, cursor=cursor)
        requests += 1
        assert client.calls <= QUERIES_PER_STREAM * len(streams)
        seen.extend(page)
        if cursor is None:
            break
    assert sorted(i["id"]["S"] for i in seen) == sorted(f"{s}-{n}" for s in range(3) for n in (7, 507, 1007, 1507))
    stamps = [(i["timestamp"]["S"], i["id"]["S"]) for i in seen]
    assert [s for s, _ in stamps] == sorted((s for s, _ in stamps), reverse=True)
    assert requests > 2  # the reading was spread over several requests, some of them short pages


def test_a_request_stops_filling_its_page_once_a_read_ran_out_of_budget() -> None:
    partitions = {"only": [{"id": {"S": f"0-{n}"}, "timestamp": {"S": f"2026-11-01T{n:05d}"}} for n in range(5000)]}
    client = FakeQueries(partitions, matches=lambda item: False)
    streams = streams_for(partitions)

    items, cursor = collect(
        lambda c, n: merged_page(client, streams, limit=n, cursor=c), lambda raw: raw, limit=50, cursor=None
    )

    assert items == [] and cursor is not None
    assert client.calls == QUERIES_PER_STREAM
