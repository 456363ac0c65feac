"""Stored items as frozen records, each with one `to_item` and one `from_item`: an account (`Account`), a
transaction (`Transaction`, with an analyst's `Feedback` on it), a transaction's score (`Score`) and what the
runs table keeps of a detection run (`Run`).

Field names are the stored attributes' names, which are also the API's: `accountId` is `accountId` in
DynamoDB, here and in the JSON a client reads, so a field can be followed from end to end by its name.
"""

from __future__ import annotations

import unicodedata
import zlib
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal
from typing import Any, Self

from isoflow.store.db import from_item, to_item
from isoflow.tables import FEED_SHARDS, LIST_SHARDS


@dataclass(frozen=True)
class Record:
    def to_item(self) -> dict[str, Any]:
        """The DynamoDB item; attributes that are None are left out, as DynamoDB keeps no nulls here."""
        return to_item({name: value for name, value in asdict(self).items() if value is not None})

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        """The record of a stored item; attributes the record does not know are not part of it, and those it
        derives (not set when it is made) are derived again."""
        values = from_item(item)
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.init and f.name in values})


def list_shard(account_id: str) -> str:
    """An account's partition of the indexes that list accounts in order (isoflow.tables.ACCOUNT_ORDERS)."""
    return str(zlib.crc32(account_id.encode()) % LIST_SHARDS)


def name_key(text: str) -> str:
    """A name as a search compares it: lower case, without accents, its words one space apart."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(folded.casefold().split())


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
    # Derived: where the account sorts in the lists by name, risk, balance and activity.
    listShard: str = field(init=False)
    nameKey: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "listShard", list_shard(self.accountId))
        object.__setattr__(self, "nameKey", name_key(self.name))


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
    # Its partition of the verdict index, which lists the transactions with a verdict: its feed shard while
    # it has one (derived, never stored wrongly).
    verdictShard: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdictShard", self.feedShard if self.feedback is not None else None)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        """The record of a stored item, its amount the exact decimal stored."""
        feedback = Feedback.from_item(item["feedback"]["M"]) if "feedback" in item else None
        return replace(super().from_item(item), amount=Decimal(item["amount"]["N"]), feedback=feedback)


def risk_shard(risk_level: str, transaction_id: str) -> str:
    """A score's partition of the risk index: its level, and a shard that spreads the level's scores."""
    return f"{risk_level}#{zlib.crc32(transaction_id.encode()) % FEED_SHARDS}"


@dataclass(frozen=True, kw_only=True)
class Score(Record):
    """One item of the scores table: the detector's score of a transaction, which counts only while the
    transaction is at the revision it was computed from."""

    accountId: str
    transactionId: str
    timestamp: str  # its transaction's time: the risk index lists scores newest first by it
    revision: int  # the revision of the transaction it was computed from
    riskScore: float  # 0-1 (model.scoring), stored to six places
    riskLevel: str
    isAnomaly: bool
    reasons: tuple[str, ...]  # what a person can read of why, strongest first
    scoredAt: str
    modelVersion: str  # every model that judged it, "+" between them
    # The IsolationForest's own score, when a layer learnt from verdicts gave `riskScore` (model.learning)
    baseScore: float | None = None
    riskShard: str = field(init=False)  # its partition of the risk index, from its level (risk_shard)

    def __post_init__(self) -> None:
        object.__setattr__(self, "riskShard", risk_shard(self.riskLevel, self.transactionId))

    @property
    def base_score(self) -> float:
        """The IsolationForest's own score, whether or not a layer learnt from verdicts judged it."""
        return self.riskScore if self.baseScore is None else self.baseScore

    def to_item(self) -> dict[str, Any]:
        """The DynamoDB item, its scores to six places."""
        base = None if self.baseScore is None else round(self.baseScore, 6)
        return Record.to_item(replace(self, riskScore=round(self.riskScore, 6), baseScore=base))

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        """The record of a stored item, its score a float even when it is whole (0 or 1)."""
        score = super().from_item(item)
        base = None if score.baseScore is None else float(score.baseScore)
        return replace(score, riskScore=float(score.riskScore), baseScore=base, reasons=tuple(score.reasons))


@dataclass(frozen=True, kw_only=True)
class Run(Record):
    """One item of the runs table: what Step Functions does not keep of a detection run. How the run was started
    is written as it starts and its summary when RecordRun ends it, each leaving the other as it is: a run
    started elsewhere (in the console) has a summary only, and one still going how it was started only."""

    executionId: str  # the execution's name
    trigger: str | None = None  # schedule, api or cli
    requestedAt: str | None = None
    rerunOf: str | None = None  # the run this one reruns, when a rerun is a new execution
    summary: dict[str, Any] | None = None  # RecordRun's summary (isoflow.detection.record), the run's output
    recordedAt: str | None = None  # when RecordRun stored the summary
