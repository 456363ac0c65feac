"""The detection schedule's target: start a run unless one is in progress (nothing in its event is read).

Settings are checked at cold start; clients are built per invocation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow import runs
from isoflow.functions import START_SCHEDULED_RUN
from isoflow.observability import lambda_handler
from isoflow.settings import Settings

settings = Settings.from_env(START_SCHEDULED_RUN.settings)


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if not isinstance(event, Mapping):
        raise ValueError(f"a schedule event is a JSON object, not {type(event).__name__}")
    detection_runs = runs.Runs.from_names(settings.state_machine_arn, settings.runs_table)
    started = runs.start(detection_runs, trigger="schedule", only_if_idle=True)
    return {"executionId": started.executionId, "started": started.started}
