"""/api/anomalies"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from isoflow import runs
from isoflow.api.models import ACCOUNT_ID_PATTERN, AnomalyStats, Page, RiskLevel, Timestamp, Transaction
from isoflow.api.params import Cursor, page_limit
from isoflow.api.responses import responses
from isoflow.api.services import Services
from isoflow.api.transactions import shaped
from isoflow.store.accounts import with_account_names
from isoflow.store.scores import levels_at_or_above, score_stats
from isoflow.store.transactions import Status, list_transactions
from isoflow.store.verdicts import reviewed_ids
from isoflow.timestamps import format_timestamp, utc_now

STATS_DEFAULT_DAYS = 30


def router(services: Services) -> Router:
    routes = Router()
    db = services.db

    @routes.get(
        "/api/anomalies",
        summary="The work queue: transactions scored at or above a risk level, newest first",
        description="Each is open until a verdict closes it. A page reads a bounded number of items: a filter "
        "that matches few can give a short page, with a cursor to go on from.",
        responses=responses(),
    )
    def list_(
        minLevel: Annotated[RiskLevel, Query()] = RiskLevel.MEDIUM,
        riskLevel: Annotated[RiskLevel | None, Query(description="this level only (overrides minLevel)")] = None,
        status: Annotated[Status | None, Query(description="open: no verdict yet; closed: judged")] = None,
        accountId: Annotated[str | None, Query(pattern=ACCOUNT_ID_PATTERN)] = None,
        from_: Annotated[Timestamp | None, Query(alias="from")] = None,
        to: Annotated[Timestamp | None, Query()] = None,
        limit: page_limit = 50,
        cursor: Cursor = None,
    ) -> Page[Transaction]:
        # One account's are read from its own transactions, the others' from the risk index.
        items, next_cursor = list_transactions(
            db,
            risk_levels=(riskLevel,) if riskLevel else levels_at_or_above(minLevel),
            status=status,
            account_id=accountId,
            since=from_,
            until=to,
            limit=limit,
            cursor=cursor,
        )
        return Page[Transaction](items=[shaped(t) for t in with_account_names(db, items)], nextCursor=next_cursor)

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
        return AnomalyStats(since=since, lastRun=last_run, **score_stats(db, since, reviewed_ids(db, since)))

    return routes
