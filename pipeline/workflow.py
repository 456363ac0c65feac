"""The detection state machine, from the one definition in `isoflow.workflow`, and its schedule."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import fields
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from isoflow.workflow import FunctionArns, Tuning, definition
from pipeline.functions import child_execution_arns, state_machine_arn
from pipeline.nag import XRAY_WILDCARD, acknowledge, objects_wildcard, resource_wildcard


def function_arns(aliases: Mapping[str, lambda_.IFunction]) -> FunctionArns:
    """The ARN of each function the definition invokes: `FunctionArns.find_stale_accounts` is the function
    named `find-stale-accounts` (or `find_stale_accounts`) in `isoflow.functions`."""
    by_field = {name.replace("-", "_"): alias for name, alias in aliases.items()}
    missing = [field.name for field in fields(FunctionArns) if field.name not in by_field]
    if missing:
        raise ValueError(f"the state machine invokes functions that isoflow.functions does not define: {missing}")
    return FunctionArns(**{field.name: by_field[field.name].function_arn for field in fields(FunctionArns)})


def states_of(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every state of a definition, those inside Maps and Parallels included."""
    for state in document["States"].values():
        yield state
        for nested in (state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", ())):
            if nested:
                yield from states_of(nested)


def distributed_map_labels(document: Mapping[str, Any]) -> list[str]:
    """The label of each Distributed Map, which names its Map Run and child executions
    (`execution:<state machine>/<label>:<id>`); "*" for a Map without one, whose label Step Functions makes up."""
    return [
        state.get("Label", "*")
        for state in states_of(document)
        if state.get("ItemProcessor", {}).get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED"
    ]


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
        full_logs: bool = False,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    ) -> None:
        """`full_logs` logs every state's input and output (customers' accounts, amounts and reasons), for
        debugging; otherwise only failures are logged, without execution data."""
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
            logs=sfn.LogOptions(
                destination=log_group,
                level=sfn.LogLevel.ALL if full_logs else sfn.LogLevel.ERROR,
                include_execution_data=full_logs,
            ),
            tracing_enabled=True,
        )
        if not full_logs:
            acknowledge(
                self.state_machine,
                "AwsSolutions-SF1",
                "Failures only, without execution data, so customers' accounts, amounts and reasons stay out of "
                "CloudWatch Logs; every run's full history is in Step Functions, and context fullRunLogs=true logs "
                "every event for debugging",
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
        labels = distributed_map_labels(self.definition)
        if labels:
            self._allow_child_executions(role, state_machine_name, labels)
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

    def _allow_child_executions(self, role: iam.IRole, name: str, labels: list[str]) -> None:
        """A Distributed Map runs each batch as a child execution of this state machine, and a redrive of the
        parent redrives the Map Run's unsuccessful children, authorised on the children's own ARNs. (The state
        machine is referred to by its name: a reference to the construct would make the role depend on the state
        machine it serves.)"""
        children = child_execution_arns(self, name, "*")
        redrivable = [child_execution_arns(self, name, label) for label in labels]
        for statement in (
            iam.PolicyStatement(actions=["states:StartExecution"], resources=[state_machine_arn(self, name)]),
            iam.PolicyStatement(actions=["states:DescribeExecution", "states:StopExecution"], resources=[children]),
            iam.PolicyStatement(actions=["states:RedriveExecution"], resources=redrivable),
        ):
            role.add_to_principal_policy(statement)
        reason = "Child executions are named per run; the pattern covers this state machine's children only"
        for pattern in dict.fromkeys((children, *redrivable)):
            acknowledge(self.state_machine, resource_wildcard(pattern, self), reason)
