"""Scores: written by the detector in batches, joined onto transactions when they are read.

A score counts only while its `revision` equals its transaction's: an API change to a transaction deletes
the score in the same write, and a score computed from an older revision is never shown.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from isoflow.store.db import Db, batch_get, batch_write
from isoflow.store.records import Score, Transaction
from isoflow.tables import BY_RISK_INDEX, FEED_SHARDS

RISK_LEVELS = ("LOW", "MEDIUM", "HIGH")


def levels_at_or_above(level: str) -> tuple[str, ...]:
    return RISK_LEVELS[RISK_LEVELS.index(level) :]


def write_scores(db: Db, scores: Iterable[Score]) -> int:
    """BatchWriteItem the scores (25 a request, unprocessed items retried); returns the requests made."""
    return batch_write(db, db.scores, ({"PutRequest": {"Item": score.to_item()}} for score in scores))


def current_scores(db: Db, transactions: Sequence[Mapping[str, Any]]) -> dict[str, Score]:
    """transactionId -> the score of each transaction (its accountId, transactionId and revision given) that has
    one for its revision."""
    keys = [{"accountId": t["accountId"], "transactionId": t["transactionId"]} for t in transactions]
    revisions = {t["transactionId"]: t.get("revision") for t in transactions}
    scores = map(Score.from_item, batch_get(db, db.scores, keys)) if keys else iter(())
    return {s.transactionId: s for s in scores if s.revision == revisions[s.transactionId]}


def join_scores(transactions: Iterable[Transaction], scores: Iterable[Score]) -> list[dict[str, Any]]:
    """Transactions as the API shows them, in the given order: each one's fields, with those of its current
    score (if any) added."""
    by_id = {score.transactionId: score for score in scores}
    joined = []
    for transaction in transactions:
        shown = asdict(transaction)
        score = by_id.get(transaction.transactionId)
        if score is not None and score.revision == transaction.revision:
            shown.update(
                riskScore=score.riskScore,
                riskLevel=score.riskLevel,
                isAnomaly=score.isAnomaly,
                reasons=score.reasons,
                scoredAt=score.scoredAt,
                modelVersion=score.modelVersion,
                baseScore=score.baseScore,
            )
        joined.append(shown)
    return joined


def attach_scores(db: Db, transactions: Sequence[Transaction]) -> list[dict[str, Any]]:
    keys = [{"accountId": t.accountId, "transactionId": t.transactionId} for t in transactions]
    return join_scores(transactions, [Score.from_item(s) for s in batch_get(db, db.scores, keys)] if keys else [])


def score_stats(db: Db, since: str, reviewed: Collection[str] = frozenset()) -> dict[str, Any]:
    """Counts by risk level, a ten-bin score histogram and daily counts of the scores since `since`, and the
    counts of MEDIUM and HIGH ones still open: their transaction not among `reviewed` (those with a verdict).

    Queries the risk index, reading only the score, its timestamp and its transaction's id.
    """
    counts = dict.fromkeys(RISK_LEVELS, 0)
    still_open = dict.fromkeys(levels_at_or_above("MEDIUM"), 0)
    histogram = [0] * 10
    daily: dict[str, dict[str, int]] = {}
    paginator = db.client.get_paginator("query")
    for level in RISK_LEVELS:
        for shard in range(FEED_SHARDS):
            for page in paginator.paginate(
                TableName=db.scores,
                IndexName=BY_RISK_INDEX,
                KeyConditionExpression="riskShard = :p AND #ts >= :since",
                ExpressionAttributeNames={"#ts": "timestamp"},
                ExpressionAttributeValues={":p": {"S": f"{level}#{shard}"}, ":since": {"S": since}},
                ProjectionExpression="riskScore, #ts, transactionId",
            ):
                for item in page.get("Items", []):
                    counts[level] += 1
                    if level in still_open and item["transactionId"]["S"] not in reviewed:
                        still_open[level] += 1
                    score = float(item["riskScore"]["N"])
                    histogram[min(9, int(score * 10))] += 1
                    day = item["timestamp"]["S"][:10]
                    daily.setdefault(day, dict.fromkeys(RISK_LEVELS, 0))[level] += 1
    return {
        "counts": counts,
        "open": still_open,
        "histogram": histogram,
        "daily": [{"date": day, **daily[day]} for day in sorted(daily)],
    }
