"""The detection state machine, from the one definition in `isoflow.workflow`, and its schedule."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import fields
from typing import Any

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from isoflow.workflow import FunctionArns, Tuning, definition
from pipeline.functions import state_machine_arn
from pipeline.nag import XRAY_WILDCARD, acknowledge, objects_wildcard, resource_wildcard


def function_arns(aliases: Mapping[str, lambda_.IFunction]) -> FunctionArns:
    """The ARN of each function the definition invokes: `FunctionArns.find_stale_accounts` is the function
    named `find-stale-accounts` (or `find_stale_accounts`) in `isoflow.functions`."""
    by_field = {name.replace("-", "_"): alias for name, alias in aliases.items()}
    missing = [field.name for field in fields(FunctionArns) if field.name not in by_field]
    if missing:
        raise ValueError(f"the state machine invokes functions that isoflow.functions does not define: {missing}")
    return FunctionArns(**{field.name: by_field[field.name].function_arn for field in fields(FunctionArns)})


def _states(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for state in document["States"].values():
        yield state
        for nested in (state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", ())):
            if nested:
                yield from _states(nested)


def runs_distributed_map(document: Mapping[str, Any]) -> bool:
    return any(
        state.get("ItemProcessor", {}).get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED"
        for state in _states(document)
    )


class DetectionWorkflow(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        state_machine_name: str,
        aliases: Mapping[str, lambda_.IFunction],
        data_bucket: s3.IBucket,
        tuning: Tuning,
        starter: lambda_.IFunction,
        schedule_enabled: bool,
        every: Duration,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    ) -> None:
        super().__init__(scope, id)
        arns = function_arns(aliases)
        self.definition = definition(arns, tuning)
        log_group = logs.LogGroup(
            self,
            "Logs",
            # Step Functions delivers through CloudWatch vended logs, whose resource policy covers this prefix.
            log_group_name=f"/aws/vendedlogs/states/{state_machine_name}",
            retention=log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=state_machine_name,
            definition_body=sfn.DefinitionBody.from_string(json.dumps(self.definition)),
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
            tracing_enabled=True,
        )
        role = self.state_machine.role
        invoked = {field.name for field in fields(FunctionArns)}
        for name, alias in aliases.items():
            if name.replace("-", "_") in invoked:
                alias.grant_invoke(role)
        # The Map reads its items (the run's manifest) from the data bucket.
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[data_bucket.arn_for_objects("*")])
        )
        if runs_distributed_map(self.definition):
            self._allow_child_executions(role, state_machine_name)
        acknowledge(
            self.state_machine,
            "AwsSolutions-IAM5[Resource::*]",
            f"{XRAY_WILDCARD}; CloudWatch Logs delivery actions accept no resource ARN either",
        )
        acknowledge(
            self.state_machine,
            objects_wildcard(data_bucket),
            "The Map reads the run's manifest, an object named per run, from this bucket only",
        )

        self.schedule = events.Rule(
            self,
            "Schedule",
            description="Starts a detection run unless one is in progress",
            schedule=events.Schedule.rate(every),
            enabled=schedule_enabled,
            # A run that has not started within a schedule period is overtaken by the next one.
            targets=[targets.LambdaFunction(starter, retry_attempts=2, max_event_age=every)],
        )

    def _allow_child_executions(self, role: iam.IRole, name: str) -> None:
        """A Distributed Map runs each batch as a child execution of this state machine (referred to by its
        name: a reference to the construct would make the role depend on the state machine it serves)."""
        stack = Stack.of(self)

        def arn(resource: str, resource_name: str) -> str:
            return stack.format_arn(
                service="states", resource=resource, resource_name=resource_name,
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )  # fmt: skip

        children, map_runs = arn("execution", f"{name}/*"), arn("mapRun", f"{name}/*:*")
        for statement in (
            iam.PolicyStatement(actions=["states:StartExecution"], resources=[state_machine_arn(self, name)]),
            iam.PolicyStatement(actions=["states:DescribeExecution", "states:StopExecution"], resources=[children]),
            iam.PolicyStatement(actions=["states:RedriveExecution"], resources=[map_runs]),
        ):
            role.add_to_principal_policy(statement)
        reason = "Child executions and Map runs are named per run; the pattern covers this state machine's only"
        for pattern in (children, map_runs):
            acknowledge(self.state_machine, resource_wildcard(pattern, self), reason)
