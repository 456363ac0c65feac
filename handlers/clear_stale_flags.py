"""ClearStaleFlags, a detection batch's second step (see isoflow.workflow).

Settings are checked at cold start; clients are built per invocation, cheap beside the work of a step.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow.detection.clear import clear_stale_flags as clear_flags
from isoflow.detection.clear import scored_batch
from isoflow.detection.files import RunFiles
from isoflow.functions import CLEAR_STALE_FLAGS
from isoflow.observability import lambda_handler
from isoflow.settings import Settings
from isoflow.store.db import Db
from isoflow.workflow import Keys

settings = Settings.from_env(CLEAR_STALE_FLAGS.settings)


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scored = scored_batch(event)
    files = RunFiles(boto3.client("s3"), settings.data_bucket)
    with files.recording_failure(scored[Keys.EXECUTION_ID], scored[Keys.BATCH]):
        return clear_flags(Db.from_settings(settings), files, scored)
