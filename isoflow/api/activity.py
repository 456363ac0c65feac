"""/api/activity: exact counts of the overview's tiles."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from isoflow.api.models import Activity, Timestamp
from isoflow.api.responses import responses
from isoflow.api.services import Services
from isoflow.store.activity import activity
from isoflow.store.scores import score_stats
from isoflow.store.verdicts import reviewed_ids
from isoflow.timestamps import format_timestamp, utc_now


def router(services: Services) -> Router:
    routes = Router()
    db = services.db

    @routes.get(
        "/api/activity",
        summary="Exact counts since a time: transactions, active and stale accounts, anomalies and open ones",
        responses=responses(),
    )
    def get(
        since: Annotated[Timestamp | None, Query(description="default: 24 hours ago")] = None,
    ) -> Activity:
        since = since or format_timestamp(utc_now() - timedelta(days=1))
        scores = score_stats(db, since, reviewed_ids(db, since))
        return Activity(
            since=since,
            **activity(db, since),
            anomalies={level: scores["counts"][level] for level in scores["open"]},
            open=scores["open"],
        )

    return routes
