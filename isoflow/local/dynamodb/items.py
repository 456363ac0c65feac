"""Items built and projected in time proportional to the attributes they keep.

moto checks DynamoDB's 400 KB item limit on every attribute it sets, by sizing every attribute already set,
so building an item of n attributes sizes n²/2 of them; for a transaction with its features that was most
of the cost of storing it. This builds the attributes first and checks the same limit once.

moto projects an item (ProjectionExpression) by deep-copying the whole item into plain Python, picking the
paths and serialising the result back; reading the detector's windows and the refit's sample spent most of
their time there. This picks the attributes and map paths without copying them; a projection with a list
index is moto's own.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize

# moto's limit: DynamoDB documents 400 KB and accepts items up to between 409 and 410 KB.
ITEM_SIZE_LIMIT = 405_000
MOTO_PROJECT = Item.project


def item_init(self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]) -> None:
    self.hash_key = hash_key
    self.range_key = range_key
    values = LimitedSizeDict()
    size = 0
    for key, value in attrs.items():
        typed = DynamoType(value)
        size += bytesize(key) + typed.size()
        dict.__setitem__(values, key, typed)
    if size > ITEM_SIZE_LIMIT:
        raise ItemSizeTooLarge
    self.attrs = values


def _pick(value: DynamoType, path: list[str]) -> DynamoType | None:
    """The part of `value` at the map path `path`, inside maps holding only that path; None if it is not there."""
    if not path:
        return value
    if value.type != "M" or path[0] not in value.value:
        return None
    inner = _pick(value.value[path[0]], path[1:])
    return None if inner is None else _map({path[0]: inner})


def _map(members: dict[str, DynamoType]) -> DynamoType:
    picked = DynamoType({"M": {}})
    picked.value = members
    return picked


def _merge(into: dict[str, DynamoType], name: str, part: DynamoType) -> None:
    """Adds a picked part; parts of one map are merged member by member. (An index's projection may name an
    attribute twice: the same part again.)"""
    kept = into.get(name)
    if kept is None or kept is part or kept.type != "M" or part.type != "M":
        dict.__setitem__(into, name, part)
        return
    merged = dict(kept.value)
    for member, value in part.value.items():
        _merge(merged, member, value)
    dict.__setitem__(into, name, _map(merged))


def item_project(self: Item, projection_expressions: list[list[str]]) -> Item:
    if any(part.endswith("]") for path in projection_expressions for part in path):
        return MOTO_PROJECT(self, projection_expressions)  # a list index
    projected = Item(self.hash_key, self.range_key, {})
    for name, *path in projection_expressions:
        if name in self.attrs:
            # Shared, not copied: the endpoint serves one request at a time and writes the answer before the
            # next request can change the stored item.
            part = _pick(self.attrs[name], path)
            if part is not None:
                _merge(projected.attrs, name, part)
    return projected


# (class, method, replacement) for isoflow.local.dynamodb.install
REPLACEMENTS = ((Item, "__init__", item_init), (Item, "project", item_project))
