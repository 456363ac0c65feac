"""The transactions with a verdict, from the sparse verdict index, each with its current score.

The index lists a transaction once it carries a verdict (`Transaction.verdictShard`), by transaction time over
FEED_SHARDS partitions, so what the verdicts of a period say is a few Queries and one BatchGetItem of their
scores, never a Scan.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from isoflow.store.db import Db, from_item, to_values
from isoflow.store.records import Feedback, Score
from isoflow.store.risk import CONFIRMED, NOT_FRAUD
from isoflow.store.scores import current_scores
from isoflow.tables import FEED_SHARDS, VERDICT_INDEX
from isoflow.timestamps import parse_timestamp

ALERT_LEVELS = ("HIGH", "MEDIUM")

# What a reader of the index may ask for besides the keys, the verdict and the transaction's time.
LEARNING_ATTRIBUTES = ("merchant", "features", "revision")


@dataclass(frozen=True)
class Reviewed:
    """A transaction with a verdict, and its score if it has one for its current revision."""

    transactionId: str
    accountId: str
    timestamp: str
    feedback: Feedback
    merchant: str | None
    features: dict[str, float]
    score: Score | None


def reviewed_ids(db: Db, since: str) -> set[str]:
    """The ids of the transactions from `since` on that carry a verdict."""
    return {item["transactionId"] for item in _indexed(db, since, ())}


def _indexed(db: Db, since: str, attributes: Sequence[str]) -> Iterator[dict[str, Any]]:
    extra = {f"#a{i}": name for i, name in enumerate(attributes)}
    names = {"#t": "timestamp", **extra}
    projection = ", ".join(["transactionId", "accountId", "#t", "feedback", *extra])
    for shard in range(FEED_SHARDS):
        request: dict[str, Any] = {
            "TableName": db.transactions,
            "IndexName": VERDICT_INDEX,
            "KeyConditionExpression": "verdictShard = :s AND #t >= :since",
            "ExpressionAttributeValues": to_values({":s": str(shard), ":since": since}),
            "ExpressionAttributeNames": names,
            "ProjectionExpression": projection,
        }
        while True:
            response = db.client.query(**request)
            yield from (from_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def reviewed_since(db: Db, since: str, *, with_features: bool = False) -> list[Reviewed]:
    """The transactions from `since` on with a verdict, in time order, each with its current score; their
    merchant and features too `with_features` (learning needs them, a count does not)."""
    items = list(_indexed(db, since, LEARNING_ATTRIBUTES if with_features else ("revision",)))
    scores = current_scores(db, items)
    reviewed = []
    for item in sorted(items, key=lambda item: (item["timestamp"], item["transactionId"])):
        reviewed.append(
            Reviewed(
                transactionId=item["transactionId"],
                accountId=item["accountId"],
                timestamp=item["timestamp"],
                feedback=Feedback(**item["feedback"]),
                merchant=item.get("merchant"),
                features={name: float(value) for name, value in (item.get("features") or {}).items()},
                score=scores.get(item["transactionId"]),
            )
        )
    return reviewed


def weekly_precision(reviewed: Sequence[Reviewed]) -> list[dict[str, Any]]:
    """Per week of transaction time (its Monday) and alert level (HIGH, MEDIUM): how many of the transactions
    scored at that level were reviewed, and how many of those were confirmed as fraud, oldest week first."""
    weeks: dict[tuple[str, str], dict[str, int]] = {}
    for r in reviewed:
        if r.score is None or r.score.riskLevel not in ALERT_LEVELS:
            continue
        day = parse_timestamp(r.timestamp).date()
        week = (day - timedelta(days=day.weekday())).isoformat()
        counts = weeks.setdefault((week, r.score.riskLevel), {"reviewed": 0, "confirmed": 0})
        counts["reviewed"] += 1
        counts["confirmed"] += r.feedback.verdict == CONFIRMED
    return [
        {"week": week, "level": level, **counts, "precision": counts["confirmed"] / counts["reviewed"]}
        for (week, level), counts in sorted(weeks.items())
    ]


def score_distribution(reviewed: Sequence[Reviewed], bins: int = 10) -> dict[str, list[int]]:
    """How the scores of reviewed transactions fall, by verdict, in `bins` bins of equal width from 0 to 1."""
    counts = {CONFIRMED: [0] * bins, NOT_FRAUD: [0] * bins}
    for r in reviewed:
        if r.score is not None and r.feedback.verdict in counts:
            counts[r.feedback.verdict][min(int(r.score.riskScore * bins), bins - 1)] += 1
    return {"confirmed": counts[CONFIRMED], "notFraud": counts[NOT_FRAUD]}
