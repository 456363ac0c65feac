"""The generator Lambda: on each schedule event, a few minutes of new transactions across the accounts."""

from __future__ import annotations

from dataclasses import asdict
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow.functions import GENERATOR
from isoflow.generator.live import generate_recent
from isoflow.settings import Settings
from isoflow.store.db import Db
from isoflow.timestamps import parse_timestamp, utc_now

logger = Logger(service="isoflow")


@cache
def _db() -> Db:
    return Db.from_settings(Settings.from_env(GENERATOR.settings))


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # EventBridge's scheduled time ends the period, so a retried delivery simulates the same minutes.
    end = parse_timestamp(event["time"]) if event.get("time") else utc_now()
    return asdict(generate_recent(_db(), end))
