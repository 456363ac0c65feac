"""Learning from verdicts, in RefitModels: the layer of `model.learning` fitted on the verdicts known so far.

It reads the transactions with a verdict over the last `TRAINING_DAYS` (the verdict index, `isoflow.store.
verdicts`) with their base scores, and fits the layer on the verdicts known `LEARNING_LAG` before the run
started: the layer then judges the transactions from that time on, which include those written since the last
run, and no transaction is judged by a layer that learnt from a verdict not yet known at its time. The layer
keeps the verdicts on transactions of the last `EVIDENCE_DAYS` for the counts it reads when it judges (frauds
at the merchant, verdicts in the account), each counted only for transactions after it became known.

With too few verdicts (`model.learning.MIN_FRAUDS`, `MIN_VERDICTS`), nothing is fitted: the base score stands
alone, or the layer learnt before stays in use.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np

from isoflow.detection.check import layer_ref
from isoflow.detection.files import ModelFiles
from isoflow.detection.sample import sample_items
from isoflow.observability import logger
from isoflow.store.db import Db
from isoflow.store.risk import CONFIRMED
from isoflow.store.scores import current_scores
from isoflow.store.verdicts import Reviewed, reviewed_since
from isoflow.timestamps import format_timestamp, parse_timestamp
from isoflow.workflow import Keys
from model.learning import (
    DAY_S,
    EVIDENCE_DAYS,
    Evidence,
    Rows,
    Verdict,
    VerdictLayer,
    counted_features,
    dump_layer,
    enough_verdicts,
    fit_verdict_model,
    learning_inputs,
)
from model.scoring import feature_matrix
from model.verdict_features import LAYER_INPUTS, MIN_FRAUDS, MIN_VERDICTS

TRAINING_DAYS = 180
LEARNING_LAG = timedelta(hours=1)
# Recent transactions, reviewed or not, that the quantile map from the layer's probabilities to base scores is
# drawn on (model.learning.fit_verdict_model).
REFERENCE_ROWS = 5000


def _verdict(reviewed: Reviewed) -> Verdict:
    known_at = parse_timestamp(reviewed.feedback.known_at).timestamp()
    return Verdict(reviewed.transactionId, reviewed.feedback.verdict == CONFIRMED, known_at)


def _reference(db: Db, evidence: Evidence, learnt_from: np.ndarray) -> np.ndarray:
    """The inputs of a sample of the last `EVIDENCE_DAYS` of scored transactions, reviewed or not, on which the
    layer's quantile map is drawn; the transactions learnt from, where none is scored yet."""
    items = sample_items(db, rows_wanted=REFERENCE_ROWS, lookback=timedelta(days=EVIDENCE_DAYS))
    scores = current_scores(db, items)
    scored = [item for item in items if item["transactionId"] in scores]
    if not scored:
        return learnt_from
    rows = Rows(
        ids=[item["transactionId"] for item in scored],
        accounts=[item["accountId"] for item in scored],
        merchants=[item.get("merchant") for item in scored],
        times=np.array([parse_timestamp(item["timestamp"]).timestamp() for item in scored], dtype=float),
    )
    base = [scores[item["transactionId"]] for item in scored]
    return learning_inputs(
        np.array([s.base_score for s in base], dtype=float),
        feature_matrix([item.get("features") or {} for item in scored]),
        counted_features(rows, evidence),
    )


def _evidence(reviewed: list[Reviewed]) -> Evidence:
    return Evidence(
        [_verdict(r) for r in reviewed],
        [r.accountId for r in reviewed],
        [r.merchant for r in reviewed],
        np.array([parse_timestamp(r.timestamp).timestamp() for r in reviewed], dtype=float),
        np.array([0.0 if r.score is None else r.score.base_score for r in reviewed], dtype=float),
    )


def learn_from_verdicts(db: Db, files: ModelFiles, *, now: str, current: dict[str, str] | None) -> dict[str, Any]:
    """Fits and stores a layer and makes it current; with too few verdicts known, keeps `current`. Answers
    {verdictModel, learnt, reason, verdicts, frauds}."""
    known_until = parse_timestamp(now) - LEARNING_LAG
    since = format_timestamp(known_until - timedelta(days=TRAINING_DAYS))
    reviewed = reviewed_since(db, since, with_features=True)
    # Learning needs each transaction's base score: one with a verdict but no score yet is counted, not learnt
    # from. Every verdict is counted, for the transactions after it became known only.
    learnable = [r for r in reviewed if r.score is not None and parse_timestamp(r.feedback.known_at) <= known_until]
    frauds = sum(r.feedback.verdict == CONFIRMED for r in learnable)
    counts = {"verdicts": len(learnable), "frauds": frauds, "knownUntil": format_timestamp(known_until)}
    evidence = _evidence(reviewed)
    rows = Rows(
        ids=[r.transactionId for r in learnable],
        accounts=[r.accountId for r in learnable],
        merchants=[r.merchant for r in learnable],
        times=np.array([parse_timestamp(r.timestamp).timestamp() for r in learnable], dtype=float),
    )
    inputs = learning_inputs(
        np.array([r.score.base_score for r in learnable if r.score is not None], dtype=float),
        feature_matrix([r.features for r in learnable]),
        counted_features(rows, evidence),
    )
    labels = np.array([r.feedback.verdict == CONFIRMED for r in learnable], dtype=np.int8)
    model = fit_verdict_model(inputs, labels, _reference(db, evidence, inputs)) if enough_verdicts(labels) else None
    if model is None:
        keeps = "the base score stands alone" if current is None else f"layer {current['version']} stays in use"
        reason = (
            f"too few verdicts to learn from: {frauds} confirmed frauds and {len(learnable)} verdicts on scored "
            f"transactions known by {counts['knownUntil']}, of at least {MIN_FRAUDS} and {MIN_VERDICTS}; {keeps}"
        )
        logger.info("nothing learnt from verdicts", extra={"reason": reason, **counts})
        return {Keys.VERDICT_MODEL: current, "learnt": False, Keys.REASON: reason, **counts}
    kept = evidence.since(known_until.timestamp() - EVIDENCE_DAYS * DAY_S)
    data, version = dump_layer(VerdictLayer(model, kept, known_until.timestamp()))
    metadata = {
        "version": version,
        "key": files.model_key(version),
        "fittedAt": now,
        **counts,
        "features": list(LAYER_INPUTS),
    }
    files.put_model(data, metadata)
    reason = f"learnt from {len(learnable)} verdicts ({frauds} confirmed frauds) known by {counts['knownUntil']}"
    logger.info("learnt from verdicts", extra={"version": version, **counts})
    return {Keys.VERDICT_MODEL: layer_ref(metadata), "learnt": True, Keys.REASON: reason, **counts}
