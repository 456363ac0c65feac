"""Where the alerts of detection runs go: an SNS topic, with an e-mail subscription from context (`alertEmail`),
and, optionally, a webhook whose URL is kept in a Secrets Manager secret named by context
(`alertWebhookSecret`). RecordRun publishes one alert per run that found new HIGH anomalies
(isoflow.detection.alert)."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from isoflow.settings import ENVIRONMENT
from pipeline.nag import acknowledge, resource_wildcard


class Alerts(Construct):
    def __init__(self, scope: Construct, id: str, *, email: str | None) -> None:
        super().__init__(scope, id)
        self.key = kms.Key(self, "AlertsKey", enable_key_rotation=True, description="Encrypts Isoflow's alert topic")
        self.topic = sns.Topic(self, "Alerts", display_name="Isoflow alerts", master_key=self.key, enforce_ssl=True)
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))

    def send_from(self, function: lambda_.Function, *, dashboard_url: str, webhook_secret: str | None) -> None:
        """Let `function` link its alerts to the dashboard and read the webhook's URL (the topic it publishes to
        is one of its settings, granted with the others)."""
        function.add_environment(ENVIRONMENT["dashboard_url"], dashboard_url)
        if webhook_secret:
            secret = secretsmanager.Secret.from_secret_name_v2(self, "WebhookSecret", webhook_secret)
            secret.grant_read(function)
            assert function.role is not None
            acknowledge(
                function.role,
                resource_wildcard(secret.secret_arn, self),
                "A secret named without its ARN is matched with Secrets Manager's six-character suffix; the grant "
                "covers the one secret the deployment names",
            )
            function.add_environment(ENVIRONMENT["alert_webhook_secret"], webhook_secret)
