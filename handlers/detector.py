"""ScoreAccountBatch: the detector Lambda (the "detector" bundle: numpy, scipy, scikit-learn).

Settings are checked at cold start; clients are built per invocation, cheap beside fitting the models. The
population models and learnt layers a run names are loaded once per warm container.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow.detection.files import PopulationFiles, RunFiles, S3ModelStore, VerdictModelFiles
from isoflow.detection.score import Batch, populations, score_batch, verdict_layers
from isoflow.functions import SCORE_ACCOUNT_BATCH
from isoflow.observability import lambda_handler
from isoflow.settings import Settings
from isoflow.store.db import Db

settings = Settings.from_env(SCORE_ACCOUNT_BATCH.settings)
loaded_populations = populations()
loaded_layers = verdict_layers()


@lambda_handler()
def score_account_batch(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    batch = Batch.from_event(event)
    s3 = boto3.client("s3")
    files = RunFiles(s3, settings.data_bucket)
    with files.recording_failure(batch.execution_id, batch.index):
        population, layer = None, None
        if batch.population is not None:
            population = loaded_populations.get(PopulationFiles(s3, settings.data_bucket), batch.population)
        if batch.verdict_model is not None:
            layer = loaded_layers.get(VerdictModelFiles(s3, settings.data_bucket), batch.verdict_model)
        return score_batch(
            Db.from_settings(settings),
            batch,
            models=S3ModelStore(s3, settings.data_bucket),
            population=population,
            layer=layer,
        )
