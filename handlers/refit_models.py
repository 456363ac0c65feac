"""RefitModels: the population model refitted and the layer learnt from verdicts, when due (the "detector"
bundle).

Settings are checked at cold start; clients are built per invocation, cheap beside fitting the models.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow.detection.files import PopulationFiles, VerdictModelFiles
from isoflow.detection.refit import refit_models
from isoflow.functions import REFIT_MODELS
from isoflow.observability import lambda_handler
from isoflow.settings import Settings
from isoflow.store.db import Db
from isoflow.workflow import Keys, States, flag, optional_model, step_input, timestamp

settings = Settings.from_env(REFIT_MODELS.settings)


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    run = step_input(
        States.REFIT_MODELS,
        event,
        {
            Keys.STARTED_AT: timestamp,
            Keys.POPULATION: optional_model,
            Keys.VERDICT_MODEL: optional_model,
            Keys.REFIT_POPULATION: flag,
            Keys.LEARN_FROM_VERDICTS: flag,
        },
    )
    s3 = boto3.client("s3")
    return refit_models(
        Db.from_settings(settings),
        PopulationFiles(s3, settings.data_bucket),
        VerdictModelFiles(s3, settings.data_bucket),
        now=run.pop(Keys.STARTED_AT),
        models=run,
    )
