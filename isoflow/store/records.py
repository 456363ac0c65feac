"""Stored items as frozen records, each with one `to_item` and one `from_item`: an account (`Account`).

Field names are the stored attributes' names, which are also the API's: `accountId` is `accountId` in
DynamoDB, here and in the JSON a client reads, so a field can be followed from end to end by its name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Self

from isoflow.store.db import from_item, to_item


@dataclass(frozen=True)
class Record:
    def to_item(self) -> dict[str, Any]:
        """The DynamoDB item; attributes that are None are left out, as DynamoDB keeps no nulls here."""
        return to_item({name: value for name, value in asdict(self).items() if value is not None})

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        """The record of a stored item; attributes the record does not know are not part of it."""
        values = from_item(item)
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})


@dataclass(frozen=True)
class Account(Record):
    """One item of the accounts table."""

    accountId: str
    name: str
    accountType: str
    currency: str
    homeCountry: str
    balance: float
    isStale: bool
    version: int
    featureState: str  # the rolling feature state (model.features), as JSON
    createdAt: str
    updatedAt: str
    riskScore: float | None = None
    riskLevel: str | None = None
    lastScoredAt: str | None = None
    latestAt: str | None = None  # the time of its newest transaction
    unscoredFrom: str | None = None  # the time of the earliest transaction written since detection cleared it
    staleShard: str | None = None  # only a stale account has one (the sparse stale index)
