"""Items built in time proportional to their attributes.

moto checks DynamoDB's 400 KB item limit on every attribute it sets, by sizing every attribute already set,
so building an item of n attributes sizes n²/2 of them; for a transaction with its features that was most
of the cost of storing it. This builds the attributes first and checks the same limit once.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize

# moto's limit: DynamoDB documents 400 KB and accepts items up to between 409 and 410 KB.
ITEM_SIZE_LIMIT = 405_000


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


# (class, method, replacement) for isoflow.local.dynamodb.install
REPLACEMENTS = ((Item, "__init__", item_init),)
