"""Stored items as frozen records, each with one `to_item` and one `from_item`: an account (`Account`) and a
transaction (`Transaction`, with an analyst's `Feedback` on it).

Field names are the stored attributes' names, which are also the API's: `accountId` is `accountId` in
DynamoDB, here and in the JSON a client reads, so a field can be followed from end to end by its name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from decimal import Decimal
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


@dataclass(frozen=True, kw_only=True)
class Feedback(Record):
    """An analyst's verdict on a transaction, kept on it as a map."""

    verdict: str
    note: str | None = None
    at: str  # when it was recorded
    by: str | None = None  # who gave it: their e-mail or user name
    knownAt: str | None = None  # when it became known (a chargeback's date); None, for older verdicts: `at`

    @property
    def known_at(self) -> str:
        return self.knownAt or self.at


@dataclass(frozen=True, kw_only=True)
class Transaction(Record):
    """One item of the transactions table."""

    transactionId: str
    accountId: str
    transactionType: str
    amount: Decimal  # money stays exact: never a float between the request and the item
    currency: str
    description: str | None = None
    merchant: str | None = None
    category: str | None = None
    country: str | None = None
    channel: str | None = None
    timestamp: str  # when it happened
    feedShard: str  # its partition of the feed index, which lists every transaction by time
    revision: int  # counts its versions: a score counts only for the revision it was computed from
    createdAt: str
    updatedAt: str
    injectedAnomaly: str | None = None  # the generator's ground truth, for generated transactions
    features: dict[str, float]  # what detection sees of it, computed at its own time (model.features)
    feedback: Feedback | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        """The record of a stored item, its amount the exact decimal stored."""
        feedback = Feedback.from_item(item["feedback"]["M"]) if "feedback" in item else None
        return replace(super().from_item(item), amount=Decimal(item["amount"]["N"]), feedback=feedback)
