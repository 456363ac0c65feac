"""CheckModels, the detection run's first step (see isoflow.workflow).

Settings are checked at cold start; clients are built per invocation, cheap beside the work of a step.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow.detection.check import check_models
from isoflow.detection.files import PopulationFiles, VerdictModelFiles
from isoflow.functions import CHECK_MODELS
from isoflow.observability import lambda_handler
from isoflow.settings import Settings
from isoflow.workflow import Keys, States, step_input, timestamp

settings = Settings.from_env(CHECK_MODELS.settings)


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    run = step_input(States.CHECK_MODELS, event, {Keys.STARTED_AT: timestamp})
    s3 = boto3.client("s3")
    return check_models(
        PopulationFiles(s3, settings.data_bucket),
        VerdictModelFiles(s3, settings.data_bucket),
        now=run[Keys.STARTED_AT],
    )
