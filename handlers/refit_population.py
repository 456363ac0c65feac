"""RefitPopulation: the population model fitted on the deployment's own data (the "detector" bundle).

Settings are checked at cold start; clients are built per invocation, cheap beside fitting the model.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow.detection.files import PopulationFiles
from isoflow.detection.refit import refit_population
from isoflow.functions import REFIT_POPULATION
from isoflow.observability import lambda_handler
from isoflow.settings import Settings
from isoflow.store.db import Db
from isoflow.workflow import Keys, States, population, step_input, timestamp

settings = Settings.from_env(REFIT_POPULATION.settings)


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    run = step_input(States.REFIT_POPULATION, event, {Keys.STARTED_AT: timestamp, Keys.POPULATION: population})
    return refit_population(
        Db.from_settings(settings),
        PopulationFiles(boto3.client("s3"), settings.data_bucket),
        now=run[Keys.STARTED_AT],
        current=run[Keys.POPULATION],
    )
