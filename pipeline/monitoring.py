"""Alarms to an SNS topic when something fails or is throttled, and a dashboard of what Isoflow does.

Business metrics (transactions scored, anomalies by risk level) are the detection run's own, published with
Powertools Metrics (Embedded Metric Format) under isoflow.metrics.NAMESPACE; run duration is Step Functions' own.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from isoflow.metrics import ACCOUNTS_FAILED, NAMESPACE, RISK_LEVEL_METRICS, TRANSACTIONS_SCORED
from isoflow.observability import SERVICE

PERIOD = Duration.minutes(5)
# A 5xx is a bug: any share of them alarms. A 4xx is a caller's mistake: only a sustained high share does.
API_5XX_RATE = 0.01
API_4XX_RATE = 0.25


def business_metric(name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE},
        statistic="Sum",
        period=Duration.minutes(10),
    )


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        functions: Mapping[str, lambda_.Function],
        rest_api: apigateway.RestApi,
        tables: Mapping[str, dynamodb.Table],
        state_machine: sfn.StateMachine,
        schedules: Mapping[str, events.Rule],
        alarm_email: str | None,
    ) -> None:
        super().__init__(scope, id)
        # CloudWatch publishes to an encrypted topic only with a customer managed key that allows it to.
        key = kms.Key(self, "AlarmsKey", enable_key_rotation=True, description="Encrypts Isoflow's alarm topic")
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        self.topic = sns.Topic(self, "Alarms", display_name="Isoflow alarms", master_key=key, enforce_ssl=True)
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self._action = actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []

        for name, function in functions.items():
            self._alarm(f"{name}-errors", function.metric_errors(period=PERIOD), f"The {name} function failed")
            self._alarm(
                f"{name}-throttles", function.metric_throttles(period=PERIOD), f"The {name} function was throttled"
            )
        self._alarm(
            "api-5xx-rate",
            rest_api.metric_server_error(period=PERIOD, statistic="Average"),
            "The API answered 5xx (a bug)",
            threshold=API_5XX_RATE,
        )
        self._alarm(
            "api-4xx-rate",
            rest_api.metric_client_error(period=PERIOD, statistic="Average"),
            "A large share of API requests answered 4xx for 15 minutes",
            threshold=API_4XX_RATE,
            periods=3,
        )
        for env, table in tables.items():
            throttled = cloudwatch.MathExpression(
                expression="reads + writes",
                using_metrics={
                    "reads": table.metric("ReadThrottleEvents", period=PERIOD, statistic="Sum"),
                    "writes": table.metric("WriteThrottleEvents", period=PERIOD, statistic="Sum"),
                },
                label="Throttled requests",
                period=PERIOD,
            )
            self._alarm(f"{env.lower()}-throttled", throttled, f"DynamoDB throttled requests to {env}")
        self._alarm("runs-failed", state_machine.metric_failed(period=PERIOD), "A detection run failed")
        self._alarm("runs-timed-out", state_machine.metric_timed_out(period=PERIOD), "A detection run timed out")
        self._alarm(
            "accounts-failed",
            business_metric(ACCOUNTS_FAILED).with_(period=PERIOD, statistic="Sum"),
            "A detection run could not score some accounts (they stay stale; the run summary names them)",
        )
        for name, rule in schedules.items():
            failed = cloudwatch.Metric(
                namespace="AWS/Events",
                metric_name="FailedInvocations",
                dimensions_map={"RuleName": rule.rule_name},
                statistic="Sum",
                period=PERIOD,
            )
            self._alarm(f"{name}-schedule-failed", failed, f"The {name} schedule could not start its target")

        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(24))
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Transactions scored", left=[business_metric(TRANSACTIONS_SCORED)], width=8),
            cloudwatch.GraphWidget(
                title="Scored transactions by risk level",
                left=[business_metric(metric).with_(label=level) for level, metric in RISK_LEVEL_METRICS.items()],
                stacked=True,
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Run duration",
                left=[
                    state_machine.metric_time(statistic="Average", label="average"),
                    state_machine.metric_time(statistic="Maximum", label="longest"),
                ],
                width=8,
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Runs",
                left=[
                    state_machine.metric_succeeded(label="succeeded"),
                    state_machine.metric_failed(label="failed"),
                    state_machine.metric_timed_out(label="timed out"),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="API requests",
                left=[
                    rest_api.metric_count(label="requests"),
                    rest_api.metric_client_error(label="4xx"),
                    rest_api.metric_server_error(label="5xx"),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(title="API latency (p90)", left=[rest_api.metric_latency(statistic="p90")], width=8),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Function errors", left=[f.metric_errors(label=n) for n, f in functions.items()], width=12
            ),
            cloudwatch.GraphWidget(
                title="Function duration (p90)",
                left=[f.metric_duration(statistic="p90", label=n) for n, f in functions.items()],
                width=12,
            ),
        )
        self.dashboard.add_widgets(cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms), width=24))

    def _alarm(
        self, name: str, metric: cloudwatch.IMetric, description: str, *, threshold: float = 1, periods: int = 1
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            name,
            metric=metric,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        self.alarms.append(alarm)
