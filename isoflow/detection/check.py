"""CheckModels: which models the run scores with, and whether a refit comes first.

The population model's refit is due once a day, after a bulk import asked for one, and every hour while the
deployment scores with the shipped cold-start model (too little history of its own so far, or a model fitted on
other features). Learning from verdicts is due every hour and after a batch of verdicts asked for it: it reads
the verdicts known so far, which change all day as analysts work and chargebacks arrive. Each attempt is marked
before the refit runs: a refit that fails fails its own run, while the runs after it score with the models they
have instead of failing the same way until the next attempt is due.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from isoflow.detection.files import ModelFiles
from isoflow.observability import logger
from isoflow.timestamps import parse_timestamp
from isoflow.workflow import Keys
from model.features import FEATURE_NAMES
from model.verdict_features import LAYER_INPUTS

REFIT_EVERY = timedelta(days=1)
COLD_START_RETRY_EVERY = timedelta(hours=1)
LEARN_EVERY = timedelta(hours=1)


def model_ref(metadata: dict[str, Any] | None, inputs: Sequence[str]) -> dict[str, str] | None:
    """What a run carries of a model: its version and key; None when there is none. A model fitted on other
    inputs than these is no use to this code, which then does without it (the population model starts cold)."""
    if metadata is None or metadata.get("features") != list(inputs):
        return None
    return {"version": str(metadata["version"]), "key": str(metadata["key"])}


def population_ref(metadata: dict[str, Any] | None) -> dict[str, str] | None:
    """The population model's reference; None for the shipped cold start."""
    return model_ref(metadata, FEATURE_NAMES)


def layer_ref(metadata: dict[str, Any] | None) -> dict[str, str] | None:
    """The learnt layer's reference; None while the base score stands alone."""
    return model_ref(metadata, LAYER_INPUTS)


def _refit_due(current: dict[str, Any] | None, attempt: str | None, request: str | None, now: str) -> str | None:
    """Why a population refit is due, or None when it is not."""
    if attempt is None:
        return "no population model has been fitted on this deployment's data yet"
    if request is not None and request >= attempt:
        return f"a bulk import asked for a refit at {request}"
    since = parse_timestamp(now) - parse_timestamp(attempt)
    if population_ref(current) is None:
        if since >= COLD_START_RETRY_EVERY:
            return f"scoring with the shipped cold-start model; last refit attempt at {attempt}"
        return None
    if since >= REFIT_EVERY:
        return f"the population model in use was last refitted at {attempt}, a day ago or more"
    return None


def _learning_due(attempt: str | None, request: str | None, now: str) -> str | None:
    """Why learning from verdicts is due, or None when it is not."""
    if attempt is None:
        return "nothing has been learnt from this deployment's verdicts yet"
    if request is not None and request >= attempt:
        return f"a batch of verdicts asked for it at {request}"
    if parse_timestamp(now) - parse_timestamp(attempt) >= LEARN_EVERY:
        return f"last learnt from verdicts at {attempt}, an hour ago or more"
    return None


def check_models(population: ModelFiles, verdicts: ModelFiles, *, now: str) -> dict[str, Any]:
    """{population, verdictModel, refitPopulation, learnFromVerdicts, refitDue, reason}; marks each attempt
    that is due."""
    current = population.current()
    ref = population_ref(current)
    refit = _refit_due(current, population.last_attempt(), population.last_request(), now)
    if refit is not None:
        population.record_attempt(now)
        reason = refit
    elif ref is not None and current is not None:
        reason = f"population model {ref['version']} fitted at {current['fittedAt']}"
    else:
        reason = "scoring with the shipped cold-start model until this deployment has enough history"
    learn = _learning_due(verdicts.last_attempt(), verdicts.last_request(), now)
    if learn is not None:
        verdicts.record_attempt(now)
        reason += f"; learning from verdicts: {learn}"
    layer = layer_ref(verdicts.current())
    checked = {
        Keys.POPULATION: ref,
        Keys.VERDICT_MODEL: layer,
        Keys.REFIT_POPULATION: refit is not None,
        Keys.LEARN_FROM_VERDICTS: learn is not None,
        Keys.REFIT_DUE: refit is not None or learn is not None,
        Keys.REASON: reason,
    }
    logger.info("models checked", extra=checked)
    return checked
