from __future__ import annotations

from aws_lambda_powertools import Metrics

from isoflow.metrics import NAMESPACE, publish_run
from isoflow.observability import SERVICE


def test_a_run_summary_becomes_the_dashboard_metrics() -> None:
    metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
    publish_run(
        metrics,
        {"transactionsScored": 120, "accountsFailed": 1, "riskLevels": {"LOW": 110, "MEDIUM": 8, "HIGH": 2}},
    )
    emf = metrics.serialize_metric_set()
    metrics.clear_metrics()
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Isoflow"
    assert emf["service"] == "isoflow"
    published = {
        name: emf[name]
        for name in (
            "TransactionsScored",
            "AccountsFailed",
            "HighRiskTransactions",
            "MediumRiskTransactions",
            "LowRiskTransactions",
        )
    }
    assert published == {
        "TransactionsScored": [120.0],
        "AccountsFailed": [1.0],
        "HighRiskTransactions": [2.0],
        "MediumRiskTransactions": [8.0],
        "LowRiskTransactions": [110.0],
    }
