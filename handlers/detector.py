"""ScoreAccountBatch: the detector Lambda (the "detector" bundle: numpy, scipy, scikit-learn)."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow.detection.files import RunFiles, S3ModelStore, s3_client
from isoflow.detection.score import Batch, score_batch
from isoflow.functions import SCORE_ACCOUNT_BATCH
from isoflow.settings import Settings
from isoflow.store.db import Db

logger = Logger(service="isoflow")


@cache
def _detector() -> tuple[Db, RunFiles, S3ModelStore]:
    settings = Settings.from_env(SCORE_ACCOUNT_BATCH.settings)
    s3 = s3_client()
    return Db.from_settings(settings), RunFiles(s3, settings.data_bucket), S3ModelStore(s3, settings.data_bucket)


@logger.inject_lambda_context
def score_account_batch(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    batch = Batch.from_event(event)
    db, files, models = _detector()
    with files.recording_failure(batch.execution_id, batch.index):
        return score_batch(db, batch, models=models)
