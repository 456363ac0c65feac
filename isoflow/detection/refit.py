"""RefitModels: the population model fitted on a sample of the deployment's own stored transactions, and the
layer learnt from verdicts (`isoflow.detection.learn`), whichever CheckModels found due.

What is ordinary across accounts depends on the bank: a model fitted on generated data judges a bank's
customers against made-up ones. It is fitted on a sample of the stored transactions spread over the last 90
days (`isoflow.detection.sample`); only established accounts' rows count (`ScoringConfig.min_history`
transactions before them), as in `model.population.build_population`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from isoflow.detection.check import population_ref
from isoflow.detection.files import ModelFiles
from isoflow.detection.learn import learn_from_verdicts
from isoflow.detection.sample import LOOKBACK, sample_items
from isoflow.observability import logger
from isoflow.store.db import Db
from isoflow.workflow import Keys
from model.config import DEFAULT_CONFIG, ScoringConfig
from model.features import FEATURE_NAMES
from model.population import MAX_POPULATION_ROWS, TooLittleHistory, build_population, dump_population


@dataclass(frozen=True)
class Sample:
    rows: tuple[dict[str, float], ...]  # feature rows of established accounts
    accounts: int
    first: str | None  # the sampled rows' time range
    last: str | None


def sample_rows(
    db: Db,
    *,
    config: ScoringConfig = DEFAULT_CONFIG,
    rows_wanted: int = MAX_POPULATION_ROWS,
    lookback: timedelta = LOOKBACK,
) -> Sample:
    """About `rows_wanted` transactions spread over the last `lookback` of stored data; established ones kept."""
    unique = sample_items(db, rows_wanted=rows_wanted, lookback=lookback)
    established = [
        item for item in unique if (item.get("features") or {}).get("history_size", 0.0) >= config.min_history
    ]
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
