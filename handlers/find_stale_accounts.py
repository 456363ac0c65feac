"""FindStaleAccounts, the detection run's first step (see isoflow.workflow).

Settings are checked at cold start; clients are built per invocation, cheap beside the work of a step.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow.detection.files import RunFiles
from isoflow.detection.find import find_stale_accounts as find_accounts
from isoflow.functions import FIND_STALE_ACCOUNTS
from isoflow.observability import lambda_handler
from isoflow.settings import Settings
from isoflow.store.db import Db
from isoflow.workflow import Keys, States, optional_model, step_input, text

settings = Settings.from_env(FIND_STALE_ACCOUNTS.settings)


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    run = step_input(
        States.FIND_STALE_ACCOUNTS,
        event,
        {
            Keys.EXECUTION_ID: text,
            Keys.STARTED_AT: text,
            Keys.BATCH_SIZE: int,
            Keys.INDEX_LAG_S: int,
            Keys.POPULATION: optional_model,
            Keys.VERDICT_MODEL: optional_model,
        },
    )
    return find_accounts(
        Db.from_settings(settings),
        RunFiles(boto3.client("s3"), settings.data_bucket),
        execution_id=run[Keys.EXECUTION_ID],
        started_at=run[Keys.STARTED_AT],
        batch_size=run[Keys.BATCH_SIZE],
        index_lag_s=run[Keys.INDEX_LAG_S],
        population=run[Keys.POPULATION],
        verdict_model=run[Keys.VERDICT_MODEL],
    )
