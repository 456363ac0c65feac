"""Items built and projected in time proportional to the attributes they keep.

moto checks DynamoDB's 400 KB item limit on every attribute it sets, by sizing every attribute already set,
so building an item of n attributes sizes n²/2 of them; for a transaction with its features that was most
of the cost of storing it. This builds the attributes first and checks the same limit once.

moto projects an item (ProjectionExpression) by deep-copying the whole item into plain Python, picking the
paths and serialising the result back; reading a sample of transactions with their features spent most of its
time there. A projection of top-level attributes only picks them; one with a nested path or a list index is
moto's own.
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


def item_project(self: Item, projection_expressions: list[list[str]]) -> Item:
    if any(len(path) != 1 or path[0].endswith("]") for path in projection_expressions):
        return MOTO_PROJECT(self, projection_expressions)
    projected = Item(self.hash_key, self.range_key, {})
    for (name,) in projection_expressions:
        if name in self.attrs:
            # Shared, not copied: the endpoint serves one request at a time and writes the answer before the
            # next request can change the stored item.
            dict.__setitem__(projected.attrs, name, self.attrs[name])
    return projected


# (class, method, replacement) for isoflow.local.dynamodb.install
REPLACEMENTS = ((Item, "__init__", item_init), (Item, "project", item_project))
