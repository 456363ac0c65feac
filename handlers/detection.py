"""The detection state machine's steps that need no model (see isoflow.workflow), and the schedule's start.

Each function reads only its own settings (`isoflow.functions`), checked on every invocation: that costs
microseconds, and the clients built from them are as cheap beside the work of a step.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow import runs
from isoflow.detection.clear import clear_stale_flags as clear_flags
from isoflow.detection.files import RunFiles
from isoflow.detection.find import find_stale_accounts as find_accounts
from isoflow.detection.record import record_run as record
from isoflow.functions import CLEAR_STALE_FLAGS, FIND_STALE_ACCOUNTS, RECORD_RUN, START_SCHEDULED_RUN, FunctionSpec
from isoflow.settings import Settings
from isoflow.store.db import Db
from isoflow.workflow import Keys

logger = Logger(service="isoflow")


def _db_and_files(spec: FunctionSpec) -> tuple[Db, RunFiles]:
    settings = Settings.from_env(spec.settings)
    return Db.from_settings(settings), RunFiles(boto3.client("s3"), settings.data_bucket)


def _runs(spec: FunctionSpec) -> runs.Runs:
    settings = Settings.from_env(spec.settings)
    return runs.Runs.from_names(settings.state_machine_arn, settings.runs_table)


@logger.inject_lambda_context
def find_stale_accounts(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    db, files = _db_and_files(FIND_STALE_ACCOUNTS)
    return find_accounts(
        db,
        files,
        execution_id=str(event[Keys.EXECUTION_ID]),
        started_at=str(event[Keys.STARTED_AT]),
        batch_size=int(event[Keys.BATCH_SIZE]),
    )


@logger.inject_lambda_context
def clear_stale_flags(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    db, files = _db_and_files(CLEAR_STALE_FLAGS)
    with files.recording_failure(str(event[Keys.EXECUTION_ID]), int(event[Keys.BATCH])):
        return clear_flags(db, files, event)


@logger.inject_lambda_context
def record_run(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = Settings.from_env(RECORD_RUN.settings)
    dynamodb = boto3.client("dynamodb")
    files = RunFiles(boto3.client("s3"), settings.data_bucket)
    return record(files, lambda run, summary: runs.save_summary(dynamodb, settings.runs_table, run, summary), event)


@logger.inject_lambda_context
def start_scheduled_run(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    started = runs.start(_runs(START_SCHEDULED_RUN), trigger="schedule", only_if_idle=True)
    return {"executionId": started.executionId, "started": started.started}
