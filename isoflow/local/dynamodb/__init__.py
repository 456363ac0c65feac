"""moto's DynamoDB, fast enough to hold a seeded system: the local endpoint installs these for its process.

moto is written to be right for a test's handful of items; a local system holds tens of thousands of
transactions, and several of moto's operations cost time in proportion to the whole table or to the square of
an item's attributes. Each module replaces one such operation with one of the same behaviour:
`transactions` (TransactWriteItems), `queries` (Query), `items` (building an item) and `wire` (reading
requests and writing responses).
"""

from __future__ import annotations

from isoflow.local.dynamodb import items, queries, transactions, wire


def install() -> None:
    """Install every replacement for this process (idempotent)."""
    for module in (items, queries, transactions, wire):
        module.install()
