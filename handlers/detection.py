"""The detection state machine's steps that need no model (see isoflow.workflow), and the schedule's start.

Each function gets only its own settings, so each handler builds what it needs once per container, on its
first invocation, validating those settings then.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow import runs
from isoflow.detection.clear import clear_stale_flags as clear_flags
from isoflow.detection.files import RunFiles, s3_client
from isoflow.detection.find import find_stale_accounts as find_accounts
from isoflow.detection.record import record_run as record
from isoflow.functions import CLEAR_STALE_FLAGS, FIND_STALE_ACCOUNTS, RECORD_RUN, START_SCHEDULED_RUN, FunctionSpec
from isoflow.settings import Settings
from isoflow.store.db import Db
from isoflow.workflow import Keys

logger = Logger(service="isoflow")


@cache
def _settings(spec: FunctionSpec) -> Settings:
    return Settings.from_env(spec.settings)


@cache
def _db(spec: FunctionSpec) -> Db:
    return Db.from_settings(_settings(spec))


@cache
def _files(spec: FunctionSpec) -> RunFiles:
    return RunFiles(s3_client(), _settings(spec).data_bucket)


@cache
def _runs(spec: FunctionSpec) -> runs.Runs:
    settings = _settings(spec)
    return runs.Runs.from_names(settings.state_machine_arn, settings.runs_table)


@logger.inject_lambda_context
def find_stale_accounts(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return find_accounts(
        _db(FIND_STALE_ACCOUNTS),
        _files(FIND_STALE_ACCOUNTS),
        execution_id=str(event[Keys.EXECUTION_ID]),
        started_at=str(event[Keys.STARTED_AT]),
        batch_size=int(event[Keys.BATCH_SIZE]),
    )


@logger.inject_lambda_context
def clear_stale_flags(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    files = _files(CLEAR_STALE_FLAGS)
    with files.recording_failure(str(event[Keys.EXECUTION_ID]), int(event[Keys.BATCH])):
        return clear_flags(_db(CLEAR_STALE_FLAGS), files, event)


@logger.inject_lambda_context
def record_run(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    detection_runs = _runs(RECORD_RUN)
    return record(_files(RECORD_RUN), lambda run, summary: runs.save_summary(detection_runs, run, summary), event)


@logger.inject_lambda_context
def start_scheduled_run(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    started = runs.start(_runs(START_SCHEDULED_RUN), trigger="schedule", only_if_idle=True)
    return {"executionId": started.executionId, "started": started.started}
