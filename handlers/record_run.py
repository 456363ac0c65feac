"""RecordRun, the detection run's last step (see isoflow.workflow).

Settings are checked at cold start; clients are built per invocation, cheap beside the work of a step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow import runs
from isoflow.detection.alert import NO_WEBHOOK, Alert, flagged, send_alert
from isoflow.detection.files import RunFiles
from isoflow.detection.record import record_run as record
from isoflow.detection.record import run_to_record
from isoflow.functions import RECORD_RUN
from isoflow.metrics import NAMESPACE, publish_run
from isoflow.observability import SERVICE, lambda_handler
from isoflow.settings import Settings
from isoflow.store.db import Db
from isoflow.workflow import Keys

metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
settings = Settings.from_env(RECORD_RUN.settings)


@metrics.log_metrics
@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    run = run_to_record(event)
    dynamodb = boto3.client("dynamodb")
    files = RunFiles(boto3.client("s3"), settings.data_bucket)

    def save(run_id: str, summary: Mapping[str, Any]) -> None:
        runs.save_summary(dynamodb, settings.runs_table, run_id, summary)
        publish_run(metrics, summary)

    def alert(run_id: str, summary: Mapping[str, Any]) -> dict[str, Any]:
        top = flagged(Db.from_settings(settings, dynamodb), summary[Keys.TOP_ANOMALIES])
        sent = send_alert(
            Alert(run_id, int(summary["anomalies"]), top, settings.dashboard_url or None),
            sns=boto3.client("sns"),
            topic_arn=settings.alerts_topic_arn,
            webhook_url=webhook_url,
        )
        metrics.add_metric(name="AlertsNotDelivered", unit=MetricUnit.Count, value=len(sent.failed))
        return sent.record()

    return record(files, save, run, alert=alert)


def webhook_url() -> str | None:
    """The alert webhook's URL, from its secret (read per alert, so a new URL needs no redeploy)."""
    if not settings.alert_webhook_secret:
        return None
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=settings.alert_webhook_secret)
    url = str(secret.get("SecretString", "")).strip()
    return None if url.lower() in ("", NO_WEBHOOK) else url
