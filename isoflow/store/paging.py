"""Pages of items merged in order (newest first, or by name, risk or balance) from several Query streams, with
opaque cursors.

Ordered indexes spread their writes over shards (and risk levels), so one logical list is several Queries. A
page takes the first item in order across the streams until it is full; the cursor records, per stream,
the key of the last item the page used (or, for a stream whose filter dropped everything read since, the key
where its reading stopped), so the next page resumes exactly there.

A page's reading is bounded: at most QUERIES_PER_STREAM Query pages per stream, each of at most 100 items.
A filter that matches few items (a high minimum score) makes a short page, even an empty one, with a cursor
to go on from, rather than one request that reads whole partitions. Each stream whose next item is not known
yet reads on from where it stopped, so following the cursors always reaches the end.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from isoflow.store.db import error_code
from isoflow.store.errors import StoreError
from isoflow.tables import ALL_TABLES

DONE = "done"
QUERIES_PER_STREAM = 4
# Every key attribute's type, from the table definitions: a cursor's key values must have it (a key DynamoDB
# would refuse, such as {"N": "nan"} for a string key, is a bad cursor, not a failed request).
KEY_TYPES = {d["AttributeName"]: d["AttributeType"] for spec in ALL_TABLES for d in spec.attribute_definitions()}


class InvalidCursorError(StoreError):
    def __init__(self, reason: str = "not a cursor this list returned") -> None:
        super().__init__(f"invalid cursor: {reason}", field="cursor")


@dataclass(frozen=True)
class Stream:
    """One Query: `key_attributes` are the attributes of its ExclusiveStartKey (table and index keys)."""

    name: str
    request: Mapping[str, Any]
    key_attributes: tuple[str, ...]
    operation: str = "query"  # or "scan", for lists with no order


@dataclass
class _Reader:
    stream: Stream
    position: dict[str, Any] | None  # the resume key; None is the start of the stream
    buffer: list[dict[str, Any]] = field(default_factory=list)
    next_key: dict[str, Any] | None = None
    exhausted: bool = False
    started: bool = False
    queries: int = 0  # Query pages read for this page


def _fingerprint(streams: Sequence[Stream]) -> str:
    text = json.dumps([[s.name, dict(s.request)] for s in streams], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(streams: Sequence[Stream], positions: Mapping[str, Any]) -> str:
    payload = {"q": _fingerprint(streams), "p": positions}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(streams: Sequence[Stream], cursor: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidCursorError() from error
    if not isinstance(payload, dict) or payload.get("q") != _fingerprint(streams):
        raise InvalidCursorError("it belongs to a different list or filter")
    positions = payload.get("p")
    if not isinstance(positions, dict) or set(positions) != {s.name for s in streams}:
        raise InvalidCursorError()
    for stream in streams:
        position = positions[stream.name]
        if position is None or position == DONE:
            continue
        if not isinstance(position, dict) or set(position) != set(stream.key_attributes):
            raise InvalidCursorError()
        for name, value in position.items():
            if not (isinstance(value, dict) and len(value) == 1):
                raise InvalidCursorError()
            ((kind, text),) = value.items()
            if kind != KEY_TYPES.get(name) or not isinstance(text, str) or not 0 < len(text) <= 1024:
                raise InvalidCursorError()
    return positions


def merged_page(
    client: Any,
    streams: Sequence[Stream],
    *,
    limit: int,
    cursor: str | None = None,
    sort_attribute: str = "timestamp",
    descending: bool = True,
    fetch_size: int | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to `limit` raw items, in `sort_attribute` order (newest or greatest first unless not `descending`,
    as the streams read) across `streams`, and the cursor of the rest (None at the end)."""
    pick = max if descending else min
    positions = decode_cursor(streams, cursor) if cursor else {s.name: None for s in streams}
    readers = [_Reader(stream=s, position=positions[s.name], exhausted=positions[s.name] == DONE) for s in streams]
    fetch = fetch_size or max(10, min(100, limit // max(1, len(streams)) + 5))
    page: list[dict[str, Any]] = []
    while len(page) < limit:
        try:
            candidates = [r for r in readers if _fill(client, r, fetch)]
        except _OutOfBudget:
            break  # a stream's next item is not known yet: the page ends short, and the cursor goes on
        if not candidates:
            break
        first = pick(candidates, key=lambda r: (_sort_value(r.buffer[0], sort_attribute), r.stream.name))
        item = first.buffer.pop(0)
        first.position = {name: item[name] for name in first.stream.key_attributes}
        page.append(item)
    # A stream is finished once every item it holds has been used; one whose items read so far are all used
    # goes on after the last item it read.
    next_positions: dict[str, Any] = {}
    for reader in readers:
        finished = reader.exhausted or (reader.started and not reader.buffer and reader.next_key is None)
        read_through = reader.started and not reader.buffer
        next_positions[reader.stream.name] = DONE if finished else reader.next_key if read_through else reader.position
    if all(p == DONE for p in next_positions.values()):
        return page, None
    return page, encode_cursor(streams, next_positions)


class _OutOfBudget(Exception):
    """A stream's next item is not known yet and the page may read no more of it."""


def _fill(client: Any, reader: _Reader, fetch: int) -> bool:
    """Make sure the reader has a buffered item if its stream has one left; say whether it has. Raises
    _OutOfBudget when the stream's next item is not known yet and the page may read no more of it."""
    while not reader.buffer and not reader.exhausted:
        if reader.started and reader.next_key is None:
            return False
        if reader.queries == QUERIES_PER_STREAM:
            raise _OutOfBudget
        reader.queries += 1
        request = dict(reader.stream.request, Limit=fetch)
        start = reader.next_key if reader.started else reader.position
        if start:
            request["ExclusiveStartKey"] = start
        try:
            response = getattr(client, reader.stream.operation)(**request)
        except ClientError as error:
            # DynamoDB refuses a start key outside the Query's partition: a cursor edited by hand.
            if not reader.started and start and error_code(error) == "ValidationException":
                raise InvalidCursorError() from error
            raise
        reader.started = True
        reader.buffer = list(response.get("Items", []))
        reader.next_key = response.get("LastEvaluatedKey")
    return bool(reader.buffer)


def _sort_value(item: Mapping[str, Any], attribute: str) -> str | Decimal:
    """The item's sort key as its index orders it: a number by value, a string by its characters."""
    value = item.get(attribute, {})
    return Decimal(value["N"]) if "N" in value else str(value.get("S", ""))


def collect(
    fetch_page: Callable[[str | None, int], tuple[list[dict[str, Any]], str | None]],
    keep: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    *,
    limit: int,
    cursor: str | None,
    max_rounds: int = 10,
) -> tuple[list[dict[str, Any]], str | None]:
    """Fill a page when some raw items are dropped after reading (e.g. scores of changed transactions).

    `fetch_page(cursor, n)` returns raw items and the next cursor; `keep(items)` returns those to show.
    """
    kept: list[dict[str, Any]] = []
    for _ in range(max_rounds):
        wanted = limit - len(kept)
        raw, cursor = fetch_page(cursor, wanted)
        kept.extend(keep(raw))
        # A short page that goes on has spent its reading budget: so has this request.
        if len(kept) >= limit or cursor is None or len(raw) < wanted:
            break
    return kept, cursor
