"""Query for the local endpoint, in time proportional to the items it reads, not to the table.

moto answers every Query by sorting the whole table and testing each item against the key condition, about
half a second per request on a seeded system. The detector queries each account's window and the feed merges
eight shards, so local runs and lists spent their time there. This Query keeps, per table and index, the
items grouped by partition key and sorted as DynamoDB reads them, built on the index's first Query and kept
up to date by every put, update and delete; a request then reads only its partition, from where its
ExclusiveStartKey says. (A table's own partitions are its items by partition key already.) The rest is
moto's own behaviour: Limit and the 1 MB page, LastEvaluatedKey, the index's projection, FilterExpression
and ProjectionExpression. Requests of another shape (legacy KeyConditions, multi-attribute keys, an unknown
index or a consistent read of a GSI, which moto rejects) go to moto's Query unchanged.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, GlobalSecondaryIndex, Table

MOTO_QUERY = Table.query
MOTO_PUT_ITEM = Table.put_item
MOTO_DELETE_ITEM = Table.delete_item
MOTO_UPDATE_ITEM = DynamoDBBackend.update_item
SortKey = tuple[Any, ...]
Place = tuple[tuple[str, Any], SortKey]  # (partition key, sort key) of one item in one index


def _value(attribute: DynamoType) -> tuple[str, Any]:
    return attribute.type, attribute.cast_value


def _stored_items(table: Table) -> Iterable[Item]:
    for stored in table.items.values():
        if table.range_key_attr is None:
            yield stored  # type: ignore[misc]
        else:
            yield from stored.values()


class _Entry:
    __slots__ = ("_size", "item", "key")

    def __init__(self, key: SortKey, item: Item) -> None:
        self.key, self.item, self._size = key, item, -1

    def size(self) -> int:
        # moto sizes an item by walking its attributes; an entry lives only as long as its item is unchanged.
        if self._size < 0:
            self._size = self.item.size()
        return self._size


_KEY = attrgetter("key")


class _Index:
    """One secondary index: the table's items that carry its key attributes, grouped by partition key, each
    partition in the order DynamoDB reads it (the index's sort key, then the table's keys, as moto orders
    items with equal index keys)."""

    def __init__(self, table: Table, index_name: str) -> None:
        schema = table.get_index(index_name).schema
        self.hash_attr = next(k["AttributeName"] for k in schema if k["KeyType"] == "HASH")
        self.range_attr = next(k["AttributeName"] for k in schema if k["KeyType"] == "RANGE")
        self.order = [self.range_attr, table.hash_key_attr] + (
            [table.range_key_attr] if table.range_key_attr is not None else []
        )
        self.partitions: dict[tuple[str, Any], list[_Entry]] = defaultdict(list)
        for item in _stored_items(table):
            place = self.place(item)
            if place is not None:
                self.partitions[place[0]].append(_Entry(place[1], item))
        for partition in self.partitions.values():
            partition.sort(key=_KEY)

    def place(self, item: Item | None) -> Place | None:
        if item is None or self.hash_attr not in item.attrs or any(a not in item.attrs for a in self.order):
            return None
        return _value(item.attrs[self.hash_attr]), tuple(item.attrs[name].cast_value for name in self.order)

    def partition(self, partition_key: DynamoType) -> list[_Entry]:
        return self.partitions.get(_value(partition_key), [])

    def remove(self, place: Place | None) -> None:
        if place is None or place[0] not in self.partitions:
            return
        partition = self.partitions[place[0]]
        i = bisect_left(partition, place[1], key=_KEY)
        if i < len(partition) and partition[i].key == place[1]:
            del partition[i]

    def add(self, item: Item | None) -> None:
        place = self.place(item)
        if place is None:
            return
        assert item is not None
        self.remove(place)
        insort(self.partitions[place[0]], _Entry(place[1], item), key=_KEY)


# table -> its secondary indexes in read order, built on a table's first Query of each and kept up to date
# by every write to the table.
_indexes: weakref.WeakKeyDictionary[Table, dict[str, _Index]] = weakref.WeakKeyDictionary()


def _index(table: Table, index_name: str) -> _Index:
    built = _indexes.setdefault(table, {})
    if index_name not in built:
        built[index_name] = _Index(table, index_name)
    return built[index_name]


def _table_partition(table: Table, partition_key: DynamoType) -> list[_Entry]:
    stored = table.items.get(partition_key, {})
    entries = [_Entry((item.range_key.cast_value,), item) for item in stored.values()]
    entries.sort(key=_KEY)
    return entries


def _supported(
    table: Table,
    index_name: str | None,
    consistent_read: bool,
    hash_key_conditions: list | None,
    range_key_conditions: list | None,
    filter_kwargs: dict[str, Any],
) -> bool:
    if filter_kwargs or len(hash_key_conditions or []) != 1 or len(range_key_conditions or []) > 1:
        return False
    if index_name is None:
        return table.range_key_attr is not None
    index = {i.name: i for i in table.all_indexes()}.get(index_name)
    if index is None or (consistent_read and isinstance(index, GlobalSecondaryIndex)):
        return False
    key_types = sorted(k["KeyType"] for k in index.schema)
    return key_types == ["HASH", "RANGE"]


def query(
    self: Table,
    hash_key: DynamoType | None,
    range_comparison: str | None,
    range_objs: list[DynamoType],
    limit: int,
    exclusive_start_key: dict[str, Any],
    scan_index_forward: bool,
    projection_expressions: list[list[str]] | None,
    index_name: str | None = None,
    consistent_read: bool = False,
    filter_expression: Any = None,
    hash_key_conditions: list[tuple[str, DynamoType]] | None = None,
    range_key_conditions: list[tuple[str, str, list[DynamoType]]] | None = None,
    **filter_kwargs: Any,
) -> tuple[list[Item], int, dict[str, Any] | None]:
    if not _supported(self, index_name, consistent_read, hash_key_conditions, range_key_conditions, filter_kwargs):
        return MOTO_QUERY(
            self,
            hash_key,
            range_comparison,
            range_objs,
            limit,
            exclusive_start_key,
            scan_index_forward,
            projection_expressions,
            index_name,
            consistent_read,
            filter_expression,
            hash_key_conditions=hash_key_conditions,
            range_key_conditions=range_key_conditions,
            **filter_kwargs,
        )
    assert hash_key_conditions
    partition_key = hash_key_conditions[0][1]
    if index_name is None:
        assert self.range_key_attr is not None
        range_attr, order = self.range_key_attr, [self.range_key_attr]
        partition = _table_partition(self, partition_key)
    else:
        index = _index(self, index_name)
        range_attr, order, partition = index.range_attr, index.order, index.partition(partition_key)

    start, stop = 0, len(partition)
    if exclusive_start_key:
        after = tuple(DynamoType(exclusive_start_key[name]).cast_value for name in order)
        if scan_index_forward:
            start = bisect_right(partition, after, key=_KEY)
        else:
            stop = bisect_left(partition, after, key=_KEY)
    ordered = partition[start:stop] if scan_index_forward else reversed(partition[start:stop])

    results: list[Item] = []
    size = 0
    last_evaluated_key = None
    for entry in ordered:
        item = entry.item
        if len(results) == limit or size + entry.size() > RESULT_SIZE_LIMIT:
            last_evaluated_key = self._get_last_evaluated_key(results[-1], index_name)
            break
        if range_comparison and not item.attrs[range_attr].compare(range_comparison, range_objs):
            continue
        results.append(item)
        size += entry.size()
    scanned = len(results)  # ScannedCount: the items the key condition matched, before FilterExpression

    # Unlike moto, no deep copy: the endpoint serves one request at a time, and projecting, filtering and
    # serialising only read the stored items.
    if index_name is not None:
        results = [self.get_index(index_name).project(item) for item in results]
    if filter_expression is not None:
        results = [item for item in results if filter_expression.expr(item)]
    if projection_expressions:
        results = [item.project(projection_expressions) for item in results]
    return results, scanned, last_evaluated_key


def _keeping_indexes(table: Table, key: tuple[DynamoType, DynamoType | None] | None, write: Callable[[], Any]) -> Any:
    """Runs `write` on the item at `key`, then moves that item in every built index of the table. (An update
    changes the stored item in place, so where it was must be read before.) A write whose key can't be read
    from its arguments drops the table's indexes instead; the next Query rebuilds them."""
    indexes = _indexes.get(table)
    if not indexes:
        return write()
    if key is None:
        _indexes.pop(table, None)
        return write()
    before = table.get_item(*key)
    places = {name: index.place(before) for name, index in indexes.items()}
    try:
        return write()
    finally:
        after = table.get_item(*key)
        for name, index in indexes.items():
            index.remove(places[name])
            index.add(after)


def _item_key(table: Table, attrs: dict[str, Any]) -> tuple[DynamoType, DynamoType | None] | None:
    try:
        range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr is not None else None
        return DynamoType(attrs[table.hash_key_attr]), range_key
    except (KeyError, TypeError):
        return None


def put_item(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Item:
    return _keeping_indexes(self, _item_key(self, item_attrs), lambda: MOTO_PUT_ITEM(self, item_attrs, *args, **kwargs))


def delete_item(self: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    return _keeping_indexes(self, (hash_key, range_key), lambda: MOTO_DELETE_ITEM(self, hash_key, range_key))


def update_item(self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Item:
    table = self.get_table(table_name)
    return _keeping_indexes(
        table, _item_key(table, key), lambda: MOTO_UPDATE_ITEM(self, table_name, key, *args, **kwargs)
    )


# (class, method, replacement) for isoflow.local.dynamodb.install: Query, and the writes that keep the
# indexes up to date.
REPLACEMENTS = (
    (Table, "query", query),
    (Table, "put_item", put_item),
    (Table, "delete_item", delete_item),
    (DynamoDBBackend, "update_item", update_item),
)
