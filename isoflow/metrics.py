"""The business metrics a detection run publishes (CloudWatch Embedded Metric Format through Powertools).

The CDK monitoring dashboard graphs the same names, so they are defined here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from isoflow.store.scores import RISK_LEVELS

NAMESPACE = "Isoflow"

TRANSACTIONS_SCORED = "TransactionsScored"
# Accounts a run could not score (they stay stale for the next run): more than none alarms.
ACCOUNTS_FAILED = "AccountsFailed"
# One metric per risk level: "HighRiskTransactions", "MediumRiskTransactions", "LowRiskTransactions".
RISK_LEVEL_METRICS = {level: f"{level.capitalize()}RiskTransactions" for level in RISK_LEVELS}


def publish_run(metrics: Metrics, summary: Mapping[str, Any]) -> None:
    """Adds a run summary's counts to `metrics` (flushed when the handler returns)."""
    metrics.add_metric(name=TRANSACTIONS_SCORED, unit=MetricUnit.Count, value=int(summary["transactionsScored"]))
    metrics.add_metric(name=ACCOUNTS_FAILED, unit=MetricUnit.Count, value=int(summary.get("accountsFailed", 0)))
    levels = summary.get("riskLevels", {})
    for level, name in RISK_LEVEL_METRICS.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=int(levels.get(level, 0)))
