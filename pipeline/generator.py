"""The generator's schedule: synthetic transactions arrive every few minutes, so a deployment has data."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class GeneratorSchedule(Construct):
    def __init__(
        self, scope: Construct, id: str, *, generator: lambda_.IFunction, enabled: bool, every: Duration
    ) -> None:
        super().__init__(scope, id)
        self.rule = events.Rule(
            self,
            "Schedule",
            description="Generates synthetic transactions",
            schedule=events.Schedule.rate(every),
            enabled=enabled,
            # A missed batch of synthetic data is not worth retrying for long.
            targets=[targets.LambdaFunction(generator, retry_attempts=2, max_event_age=Duration.minutes(5))],
        )
