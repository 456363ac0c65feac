"""RefitModels: the population model fitted on a sample of the deployment's own stored transactions, and the
layer learnt from verdicts (`isoflow.detection.learn`), whichever CheckModels found due.

What is ordinary across accounts depends on the bank: a model fitted on generated data judges a bank's
customers against made-up ones. The sample is deterministic for the same stored data and costs no Scan: the
last `LOOKBACK` of the feed index (every transaction, newest first, over `FEED_SHARDS` partitions) is cut into
`SLICES` equal time slices, and one Query per slice and shard reads the slice's newest few transactions, so
the sample spreads over the whole period and every hour of the day. Only established accounts' rows count
(`ScoringConfig.min_history` transactions before them), as in `model.population.build_population`.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from isoflow.detection.check import population_ref
from isoflow.detection.files import ModelFiles
from isoflow.detection.learn import learn_from_verdicts
from isoflow.observability import logger
from isoflow.store.db import Db, from_item, to_values
from isoflow.tables import FEED_INDEX, FEED_SHARDS
from isoflow.timestamps import format_timestamp, parse_timestamp
from isoflow.workflow import Keys
from model.config import DEFAULT_CONFIG, ScoringConfig
from model.features import FEATURE_NAMES
from model.population import MAX_POPULATION_ROWS, TooLittleHistory, build_population, dump_population

LOOKBACK = timedelta(days=90)
# A large shard's share: the newest few transactions before each of SLICES points spread over the period.
SLICES = 32
QUERY_THREADS = 8


@dataclass(frozen=True)
class Sample:
    rows: tuple[dict[str, float], ...]  # feature rows of established accounts
    accounts: int
    first: str | None  # the sampled rows' time range
    last: str | None


def _edge(db: Db, shard: int, newest: bool) -> str | None:
    response = db.client.query(
        TableName=db.transactions,
        IndexName=FEED_INDEX,
        KeyConditionExpression="feedShard = :s",
        ExpressionAttributeValues=to_values({":s": str(shard)}),
        ExpressionAttributeNames={"#t": "timestamp"},
        ProjectionExpression="#t",
        ScanIndexForward=not newest,
        Limit=1,
    )
    items = response.get("Items", [])
    return str(items[0]["timestamp"]["S"]) if items else None


def _page(
    db: Db, shard: int, since: datetime, until: datetime, limit: int, start: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of the shard's transactions in [since, until], newest first, and where the next page starts."""
    request: dict[str, Any] = {
        "TableName": db.transactions,
        "IndexName": FEED_INDEX,
        "KeyConditionExpression": "feedShard = :s AND #t BETWEEN :from AND :to",
        "ExpressionAttributeValues": to_values(
            {":s": str(shard), ":from": format_timestamp(since), ":to": format_timestamp(until)}
        ),
        "ExpressionAttributeNames": {"#t": "timestamp"},
        "ProjectionExpression": "transactionId, accountId, #t, features",
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if start is not None:
        request["ExclusiveStartKey"] = start
    response = db.client.query(**request)
    return [from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")


def _sample_shard(db: Db, shard: int, first: datetime, last: datetime, quota: int) -> list[dict[str, Any]]:
    """About `quota` of the shard's transactions in [first, last], spread evenly over the period. A shard holding
    up to twice that (judged by how much of the period its first page covers) is read whole and thinned; a
    larger one gives the newest few before each of SLICES points, staggered between shards so that the points
    of all shards fall at different times of day."""
    items, start = _page(db, shard, first, last, quota)
    if start is None:
        return items
    covered = (last - parse_timestamp(str(items[-1]["timestamp"]))).total_seconds()
    if len(items) * (last - first).total_seconds() <= 2 * quota * max(covered, 1.0):
        while start is not None:
            page, start = _page(db, shard, first, last, quota, start)
            items += page
        return items[:: math.ceil(len(items) / quota)]
    width = (last - first) / SLICES
    per_slice = math.ceil(quota / SLICES)
    items = []
    for i in range(SLICES):
        until = last - width * (i + shard / FEED_SHARDS)
        items += _page(db, shard, max(first, until - width), until, per_slice)[0]
    return items


def sample_rows(
    db: Db,
    *,
    config: ScoringConfig = DEFAULT_CONFIG,
    rows_wanted: int = MAX_POPULATION_ROWS,
    lookback: timedelta = LOOKBACK,
) -> Sample:
    """About `rows_wanted` transactions spread over the last `lookback` of stored data; established ones kept."""
    shards = range(FEED_SHARDS)
    newest = [t for t in (_edge(db, shard, newest=True) for shard in shards) if t]
    if not newest:
        return Sample((), 0, None, None)
    last = parse_timestamp(max(newest))
    oldest = min(t for t in (_edge(db, shard, newest=False) for shard in shards) if t)
    first = max(last - lookback, parse_timestamp(oldest))
    quota = math.ceil(rows_wanted / FEED_SHARDS)
    with ThreadPoolExecutor(QUERY_THREADS) as pool:
        found = pool.map(lambda shard: _sample_shard(db, shard, first, last, quota), shards)
        unique = {item["transactionId"]: item for batch in found for item in batch}
    established = [
        item for item in unique.values() if (item.get("features") or {}).get("history_size", 0.0) >= config.min_history
    ]
    established.sort(key=lambda item: (item["timestamp"], item["transactionId"]))
    return Sample(
        rows=tuple({name: float(value) for name, value in item["features"].items()} for item in established),
        accounts=len({item["accountId"] for item in established}),
        first=str(established[0]["timestamp"]) if established else None,
        last=str(established[-1]["timestamp"]) if established else None,
    )


def refit_population(
    db: Db,
    files: ModelFiles,
    *,
    now: str,
    current: dict[str, str] | None,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> dict[str, Any]:
    """Fits and stores a population model and makes it current; with too little history, keeps `current`
    (the population the run would otherwise use). Answers {population, refitted, reason, and the sample}."""
    sample = sample_rows(db, config=config)
    counts = {"rows": len(sample.rows), "accounts": sample.accounts, "from": sample.first, "to": sample.last}
    try:
        model = build_population(sample.rows, config)
    except TooLittleHistory as error:
        keeps = "the shipped cold-start model" if current is None else f"population model {current['version']}"
        reason = f"too little history in the sample: {error}; scoring goes on with {keeps}"
        logger.info("population not refitted", extra={"reason": reason, **counts})
        return {Keys.POPULATION: current, "refitted": False, Keys.REASON: reason, **counts}
    data, version = dump_population(model)
    metadata = {
        "version": version,
        "key": files.model_key(version),
        "fittedAt": now,
        **counts,
        "features": list(FEATURE_NAMES),
        "minHistory": config.min_history,
    }
    files.put_model(data, metadata)
    reason = f"fitted on {len(sample.rows)} transactions of {sample.accounts} accounts, {sample.first} to {sample.last}"
    logger.info("population refitted", extra={"version": version, **counts})
    return {Keys.POPULATION: population_ref(metadata), "refitted": True, Keys.REASON: reason, **counts}


def refit_models(
    db: Db,
    population: ModelFiles,
    verdicts: ModelFiles,
    *,
    now: str,
    models: dict[str, Any],
) -> dict[str, Any]:
    """RefitModels: what CheckModels found due (`models` is its answer): the population refit, learning from
    verdicts, or both. Answers the models the run scores with, what each refit did and why, in words."""
    answer: dict[str, Any] = {Keys.POPULATION: models[Keys.POPULATION], Keys.VERDICT_MODEL: models[Keys.VERDICT_MODEL]}
    reasons = []
    if models[Keys.REFIT_POPULATION]:
        refit = refit_population(db, population, now=now, current=models[Keys.POPULATION])
        answer[Keys.POPULATION] = refit.pop(Keys.POPULATION)
        answer["populationRefit"] = refit
        reasons.append(f"population: {refit[Keys.REASON]}")
    if models[Keys.LEARN_FROM_VERDICTS]:
        learnt = learn_from_verdicts(db, verdicts, now=now, current=models[Keys.VERDICT_MODEL])
        answer[Keys.VERDICT_MODEL] = learnt.pop(Keys.VERDICT_MODEL)
        answer["learning"] = learnt
        reasons.append(f"verdicts: {learnt[Keys.REASON]}")
    answer[Keys.REASON] = "; ".join(reasons) or "nothing was due"
    return answer
