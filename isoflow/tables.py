"""The DynamoDB tables, defined once: the CDK stack and the local stack both build them from here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

KeyType = Literal["S", "N"]


@dataclass(frozen=True)
class Key:
    name: str
    type: KeyType = "S"


@dataclass(frozen=True)
class Index:
    name: str
    partition: Key
    sort: Key | None = None
    # None projects every attribute; a tuple projects the keys and these attributes only.
    projection: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TableSpec:
    """One table: `logical` names it in code, `env` is the variable that carries its physical name."""

    logical: str
    env: str
    partition: Key
    sort: Key | None = None
    indexes: tuple[Index, ...] = field(default_factory=tuple)
    ttl_attribute: str | None = None

    def attribute_definitions(self) -> list[dict[str, str]]:
        keys: dict[str, str] = {}
        for key in (self.partition, self.sort):
            if key:
                keys[key.name] = key.type
        for index in self.indexes:
            for key in (index.partition, index.sort):
                if key:
                    keys[key.name] = key.type
        return [{"AttributeName": name, "AttributeType": kind} for name, kind in keys.items()]

    def create_table_request(self, table_name: str) -> dict:
        """The CreateTable request for boto3 (the local stack and tests use it)."""

        def key_schema(partition: Key, sort: Key | None) -> list[dict[str, str]]:
            schema = [{"AttributeName": partition.name, "KeyType": "HASH"}]
            if sort:
                schema.append({"AttributeName": sort.name, "KeyType": "RANGE"})
            return schema

        request: dict = {
            "TableName": table_name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": self.attribute_definitions(),
            "KeySchema": key_schema(self.partition, self.sort),
        }
        if self.indexes:
            request["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": key_schema(index.partition, index.sort),
                    "Projection": (
                        {"ProjectionType": "ALL"}
                        if index.projection is None
                        else {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(index.projection)}
                    ),
                }
                for index in self.indexes
            ]
        return request


# Writes spread over this many partitions of each time-ordered index; readers merge the shards.
FEED_SHARDS = 8
STALE_SHARDS = 8
LIST_SHARDS = 8

STALE_INDEX = "stale"
BY_ACCOUNT_INDEX = "byAccount"
FEED_INDEX = "feed"
BY_RISK_INDEX = "byRisk"
VERDICT_INDEX = "verdicts"
# The accounts in each order the dashboard lists them: the index, and the attribute it is sorted by.
ACCOUNT_ORDERS = {
    "name": ("byName", Key("nameKey")),
    "risk": ("byRiskScore", Key("riskScore", "N")),
    "balance": ("byBalance", Key("balance", "N")),
    "lastActivity": ("byLatestAt", Key("latestAt")),
}
# What a list of accounts shows: every attribute but the feature state, which stays in the table.
ACCOUNT_LIST_ATTRIBUTES = (
    "name",
    "accountType",
    "currency",
    "homeCountry",
    "isStale",
    "lastScoredAt",
    "riskLevel",
    "createdAt",
    "updatedAt",
)

ACCOUNTS = TableSpec(
    logical="accounts",
    env="ACCOUNTS_TABLE",
    partition=Key("accountId"),
    indexes=(
        # Sparse: only stale accounts carry `staleShard`, so finding them is a Query over a few shards. The
        # detector needs each one's version (to clear it on) and `unscoredFrom` (where its unscored transactions
        # begin), so the index carries both.
        Index(STALE_INDEX, Key("staleShard"), Key("accountId"), projection=("version", "unscoredFrom")),
        # Every account by name, risk, balance and newest transaction, across LIST_SHARDS partitions
        # (`listShard`): a sorted list or a search is merged Queries, never a Scan. An account not scored yet
        # is in no risk order, and one with no transactions in no activity order.
        *(
            Index(
                index,
                Key("listShard"),
                sort,
                projection=tuple(
                    dict.fromkeys(
                        (*ACCOUNT_LIST_ATTRIBUTES, *(k.name for _, k in ACCOUNT_ORDERS.values() if k != sort))
                    )
                ),
            )
            for index, sort in ACCOUNT_ORDERS.values()
        ),
    ),
)

TRANSACTIONS = TableSpec(
    logical="transactions",
    env="TRANSACTIONS_TABLE",
    partition=Key("transactionId"),
    indexes=(
        Index(BY_ACCOUNT_INDEX, Key("accountId"), Key("timestamp")),
        # Every transaction, newest first, across FEED_SHARDS partitions.
        Index(FEED_INDEX, Key("feedShard"), Key("timestamp")),
        # Sparse: only a transaction with a verdict carries `verdictShard` (its feed shard), so what the
        # verdicts say is a Query over a few shards by transaction time, never a Scan. Learning from them needs
        # each one's account, merchant, features and the verdict itself.
        Index(
            VERDICT_INDEX,
            Key("verdictShard"),
            Key("timestamp"),
            projection=("accountId", "merchant", "features", "feedback", "revision"),
        ),
    ),
)

# Scores live apart from transactions so that the detector writes them with BatchWriteItem without ever
# racing an API write to the transaction: a score counts only while its `revision` equals the transaction's.
SCORES = TableSpec(
    logical="scores",
    env="SCORES_TABLE",
    partition=Key("accountId"),
    sort=Key("transactionId"),
    indexes=(
        # Scores by "<riskLevel>#<shard>", newest first: the anomaly lists are Queries, never Scans.
        Index(BY_RISK_INDEX, Key("riskShard"), Key("timestamp")),
    ),
)

RUNS = TableSpec(
    logical="runs",
    env="RUNS_TABLE",
    partition=Key("executionId"),
)

IDEMPOTENCY = TableSpec(
    logical="idempotency",
    env="IDEMPOTENCY_TABLE",
    partition=Key("id"),
    ttl_attribute="expiration",
)

# Who did what: one item per write or verdict made through the API, by the account or transaction it touched,
# in time order (`at` is the time to the microsecond and a random suffix). Kept after the item is deleted.
AUDIT = TableSpec(
    logical="audit",
    env="AUDIT_TABLE",
    partition=Key("entityId"),
    sort=Key("at"),
)

ALL_TABLES: tuple[TableSpec, ...] = (ACCOUNTS, TRANSACTIONS, SCORES, RUNS, IDEMPOTENCY, AUDIT)


def local_table_name(spec: TableSpec, prefix: str = "isoflow") -> str:
    """The physical name used wherever no deployment chose one (the local stack and tests)."""
    return f"{prefix}-{spec.logical}"
