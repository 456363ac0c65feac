"""/api/anomalies"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from isoflow import runs
from isoflow.api.models import AnomalyStats, Page, RiskLevel, Timestamp, Transaction
from isoflow.api.params import Cursor, page_limit
from isoflow.api.responses import responses
from isoflow.api.services import Services
from isoflow.api.transactions import shaped
from isoflow.store.scores import score_stats
from isoflow.store.transactions import list_anomalies
from isoflow.timestamps import format_timestamp, utc_now

STATS_DEFAULT_DAYS = 30


def router(services: Services) -> Router:
    routes = Router()
    db = services.db

    @routes.get(
        "/api/anomalies",
        summary="Scored transactions at or above a risk level, newest first",
        responses=responses(),
    )
    def list_(
        minLevel: Annotated[RiskLevel, Query()] = RiskLevel.MEDIUM,
        limit: page_limit = 50,
        cursor: Cursor = None,
    ) -> Page[Transaction]:
        items, next_cursor = list_anomalies(db, min_level=minLevel, limit=limit, cursor=cursor)
        return Page[Transaction](items=[shaped(t) for t in items], nextCursor=next_cursor)

    @routes.get(
        "/api/anomalies/stats",
        summary="Counts by risk level, score histogram, daily counts and the last detection run",
        responses=responses(),
    )
    def stats(
        since: Annotated[Timestamp | None, Query(description=f"default: {STATS_DEFAULT_DAYS} days ago")] = None,
    ) -> AnomalyStats:
        since = since or format_timestamp(utc_now() - timedelta(days=STATS_DEFAULT_DAYS))
        last_run = runs.last_run(services.runs) if services.runs else None
        return AnomalyStats(since=since, lastRun=last_run, **score_stats(db, since))

    return routes
