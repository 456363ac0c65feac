"""CheckPopulation: which population model the run scores with, and whether a refit comes first.

A refit is due once a day, after a bulk import asked for one, and every hour while the deployment scores with
the shipped cold-start model (too little history of its own so far, or a model fitted on other features).
The attempt is marked before the refit runs: a refit that fails fails its own run, while the runs after it
score with the model they have instead of failing the same way until the next attempt is due.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from isoflow.detection.files import PopulationFiles
from isoflow.observability import logger
from isoflow.timestamps import parse_timestamp
from isoflow.workflow import Keys
from model.features import FEATURE_NAMES

REFIT_EVERY = timedelta(days=1)
COLD_START_RETRY_EVERY = timedelta(hours=1)


def population_ref(metadata: dict[str, Any] | None) -> dict[str, str] | None:
    """What a run carries of a population model: its version and key; None for the shipped cold start. A
    model fitted on other features than these is no use to this code, which then starts cold again."""
    if metadata is None or metadata.get("features") != list(FEATURE_NAMES):
        return None
    return {"version": str(metadata["version"]), "key": str(metadata["key"])}


def _due(current: dict[str, Any] | None, attempt: str | None, request: str | None, now: str) -> str | None:
    """Why a refit is due, or None when it is not."""
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


def check_population(files: PopulationFiles, *, now: str) -> dict[str, Any]:
    """{population, refitDue, reason}; marks the attempt when a refit is due."""
    current = files.current()
    ref = population_ref(current)
    due = _due(current, files.last_attempt(), files.last_request(), now)
    if due is not None:
        files.record_attempt(now)
        reason = due
    elif ref is not None and current is not None:
        reason = f"population model {ref['version']} fitted at {current['fittedAt']}"
    else:
        reason = "scoring with the shipped cold-start model until this deployment has enough history"
    logger.info("population checked", extra={"population": ref, "refitDue": due is not None, "reason": reason})
    return {Keys.POPULATION: ref, Keys.REFIT_DUE: due is not None, Keys.REASON: reason}
