"""The generator Lambda: on each schedule event, a few minutes of new transactions across the accounts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow.functions import GENERATOR
from isoflow.generator.live import generate_recent
from isoflow.observability import lambda_handler
from isoflow.settings import Settings
from isoflow.store.db import Db
from isoflow.timestamps import parse_timestamp, utc_now

settings = Settings.from_env(GENERATOR.settings)


@cache
def _db() -> Db:
    return Db.from_settings(settings)


def period_end(event: Any) -> datetime:
    """EventBridge's scheduled time ends the period, so a retried delivery simulates the same minutes."""
    if not isinstance(event, Mapping):
        raise ValueError(f"generator event must be a JSON object, not {type(event).__name__}")
    if not event.get("time"):
        return utc_now()
    try:
        return parse_timestamp(str(event["time"]))
    except ValueError as error:
        raise ValueError(f"generator event 'time' is not an ISO 8601 date-time: {event['time']!r}") from error


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return asdict(generate_recent(_db(), period_end(event)))
