"""/api/model: the models detection scores with, and how well its alerts hold up against the verdicts."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from isoflow.api.models import ModelInUse, ModelReport
from isoflow.api.responses import responses
from isoflow.api.services import Services
from isoflow.detection.check import layer_ref, population_ref
from isoflow.store.risk import CONFIRMED
from isoflow.store.verdicts import reviewed_since, score_distribution, weekly_precision
from isoflow.timestamps import format_timestamp, utc_now
from model.config import MODEL_VERSION
from model.verdict_features import MIN_FRAUDS, MIN_VERDICTS


def _models(population: dict[str, Any] | None, layer: dict[str, Any] | None) -> list[ModelInUse]:
    models = [
        ModelInUse(
            role="detector",
            version=MODEL_VERSION,
            description="an IsolationForest per account, fitted on its own recent history with the population's sample",
        )
    ]
    if population_ref(population) is not None and population is not None:
        models.append(
            ModelInUse(
                role="population",
                version=str(population["version"]),
                fittedAt=population.get("fittedAt"),
                description=f"fitted on {population.get('rows')} transactions of {population.get('accounts')} "
                f"accounts of this deployment, {population.get('from')} to {population.get('to')}",
            )
        )
    else:
        models.append(
            ModelInUse(
                role="population",
                version="shipped",
                description="the cold-start model shipped with the code, until this deployment has enough history",
            )
        )
    if layer_ref(layer) is not None and layer is not None:
        models.append(
            ModelInUse(
                role="verdicts",
                version=str(layer["version"]),
                fittedAt=layer.get("fittedAt"),
                description=f"learnt from {layer.get('verdicts')} verdicts ({layer.get('frauds')} confirmed frauds) "
                f"known by {layer.get('knownUntil')}",
            )
        )
    return models


def router(services: Services) -> Router:
    routes = Router()

    @routes.get(
        "/api/model",
        summary="The models in use, what they learnt from, and the precision of alerts among reviewed ones",
        responses=responses(),
    )
    def report(
        weeks: Annotated[int, Query(ge=1, le=52, description="how many weeks of verdicts the report counts")] = 12,
    ) -> ModelReport:
        since = format_timestamp(utc_now() - timedelta(weeks=weeks))
        reviewed = reviewed_since(services.db, since)
        population = services.population_files.current() if services.population_files else None
        layer = services.verdict_files.current() if services.verdict_files else None
        confirmed = sum(r.feedback.verdict == CONFIRMED for r in reviewed)
        in_use = layer if layer_ref(layer) is not None else None
        if in_use is not None:
            learning = (
                f"scores are judged by a layer learnt from {in_use['verdicts']} verdicts on top of the "
                f"IsolationForest score, refitted hourly"
            )
        else:
            learning = (
                f"the IsolationForest score stands alone until {MIN_FRAUDS} confirmed frauds and {MIN_VERDICTS} "
                f"verdicts on scored transactions are known"
            )
        return ModelReport(
            since=since,
            models=_models(population, layer),
            learning=learning,
            verdictsLearntFrom=int(in_use["verdicts"]) if in_use else 0,
            fraudsLearntFrom=int(in_use["frauds"]) if in_use else 0,
            confirmed=confirmed,
            notFraud=len(reviewed) - confirmed,
            precision=weekly_precision(reviewed),
            distribution=score_distribution(reviewed),
        )

    return routes
