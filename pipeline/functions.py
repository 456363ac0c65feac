"""One Lambda function per `isoflow.functions` spec, each with its own role built from what its settings name.

A setting names a resource (a table, the data bucket, the state machine, the alerts topic); the function receives the
resource's name in the setting's environment variable and a policy for exactly that resource: read actions,
plus write actions unless the spec lists the setting as read-only. Nothing else is granted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Annotations, ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from isoflow import metrics
from isoflow.functions import FUNCTIONS, FunctionSpec
from isoflow.observability import SERVICE
from isoflow.settings import ENVIRONMENT
from pipeline.alerts import Alerts
from pipeline.bundling import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, lambda_code
from pipeline.nag import XRAY_WILDCARD, acknowledge, objects_wildcard, resource_wildcard
from pipeline.storage import Storage

LIVE_ALIAS = "live"
RUNTIME_REASON = (
    "Python 3.12 is the runtime the bundles' wheels are built for (pipeline.bundling.LAMBDA_RUNTIME); moving to "
    "a newer one is that constant and a rebuild"
)

TABLE_READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
              "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable")  # fmt: skip
TABLE_WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
STATE_MACHINE_READ = ("states:DescribeStateMachine", "states:ListExecutions")
EXECUTION_READ = (
    "states:DescribeExecution",
    "states:GetExecutionHistory",
    "states:DescribeStateMachineForExecution",
    "states:ListMapRuns",
)
MAP_RUN_READ = ("states:DescribeMapRun",)
STATE_MACHINE_WRITE = ("states:StartExecution",)
EXECUTION_WRITE = ("states:RedriveExecution", "states:StopExecution")


@dataclass(frozen=True)
class FunctionSettings:
    """How functions are deployed, beyond what their specs say."""

    # Function name -> its reserved concurrency (pipeline.concurrency); a function not named here runs on the
    # account's shared pool, as every function does by default.
    reserved_concurrency: Mapping[str, int]
    # Functions that restore from a SnapStart snapshot instead of importing on every cold start: the API
    # (people wait for it) and the detector (importing numpy, scipy and scikit-learn dominates its cold start).
    snap_start_functions: frozenset[str]
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH


class Functions(Construct):
    """`functions[name]` is the function, `aliases[name]` the published version every caller invokes."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        storage: Storage,
        alerts: Alerts,
        state_machine_name: str,
        settings: FunctionSettings,
    ) -> None:
        super().__init__(scope, id)
        self._storage = storage
        self._alerts = alerts
        self._state_machine_name = state_machine_name
        self._state_machine_arn = state_machine_arn(self, state_machine_name)
        self.functions: dict[str, lambda_.Function] = {}
        self.aliases: dict[str, lambda_.Alias] = {}
        for spec in FUNCTIONS:
            self._add(spec, settings)

    def _add(self, spec: FunctionSpec, settings: FunctionSettings) -> None:
        id = "".join(part.capitalize() for part in spec.name.replace("_", "-").split("-"))
        role = iam.Role(
            self,
            f"{id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs the {spec.name} function",
        )
        log_group = logs.LogGroup(
            self, f"{id}Logs", retention=settings.log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        log_group.grant_write(role)
        environment = {
            "POWERTOOLS_SERVICE_NAME": SERVICE,
            "POWERTOOLS_METRICS_NAMESPACE": metrics.NAMESPACE,
            "POWERTOOLS_LOG_LEVEL": "INFO",
            # Responses carry people's transactions; traces keep timings and errors only.
            "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        }
        for setting in spec.settings:
            environment[ENVIRONMENT[setting]] = self._value(setting)
            for statement in self._statements(setting, writes=setting not in spec.read_only):
                role.add_to_policy(statement)
            self._acknowledge_wildcards(role, setting)
        acknowledge(role, "AwsSolutions-IAM5[Resource::*]", XRAY_WILDCARD)
        function = lambda_.Function(
            self,
            id,
            runtime=LAMBDA_RUNTIME,
            architecture=LAMBDA_ARCHITECTURE,
            handler=spec.handler,
            code=lambda_code(spec.bundle),
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            description=spec.description,
            role=role,
            environment=environment,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            reserved_concurrent_executions=settings.reserved_concurrency.get(spec.name),
            snap_start=(
                lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if spec.name in settings.snap_start_functions else None
            ),
        )
        acknowledge(function, "AwsSolutions-L1", RUNTIME_REASON)
        if spec.name in settings.snap_start_functions:
            Annotations.of(function).acknowledge_warning(
                "@aws-cdk/aws-lambda:snapStartRequirePublish", "Every caller invokes the published version's alias"
            )
        self.functions[spec.name] = function
        self.aliases[spec.name] = lambda_.Alias(
            self, f"{id}Live", alias_name=LIVE_ALIAS, version=function.current_version
        )

    def _value(self, setting: str) -> str:
        env = ENVIRONMENT[setting]
        if env in self._storage.tables:
            return self._storage.tables[env].table_name
        if setting == "data_bucket":
            return self._storage.data_bucket.bucket_name
        if setting == "state_machine_arn":
            return self._state_machine_arn
        if setting == "alerts_topic_arn":
            return self._alerts.topic.topic_arn
        raise ValueError(f"no resource in the stack provides the setting {setting!r} ({env})")

    def _acknowledge_wildcards(self, role: iam.Role, setting: str) -> None:
        if setting == "data_bucket":
            acknowledge(
                role,
                objects_wildcard(self._storage.data_bucket),
                "Manifests, batch results and models are objects named per run and account; the grant covers "
                "this bucket's objects only",
            )
        elif setting == "state_machine_arn":
            for pattern in (execution_arns, map_run_arns):
                acknowledge(
                    role,
                    resource_wildcard(pattern(self, self._state_machine_name), self),
                    "Executions and their Map runs are named per run; the pattern covers this state machine's only",
                )

    def _statements(self, setting: str, *, writes: bool) -> list[iam.PolicyStatement]:
        env = ENVIRONMENT[setting]
        if env in self._storage.tables:
            table_arn = self._storage.tables[env].table_arn
            statements = [_allow(TABLE_READ, [table_arn, *self._storage.index_arns(env)])]
            return [*statements, _allow(TABLE_WRITE, [table_arn])] if writes else statements
        if setting == "data_bucket":
            bucket = self._storage.data_bucket
            statements = [
                _allow(["s3:ListBucket"], [bucket.bucket_arn]),
                _allow(["s3:GetObject"], [bucket.arn_for_objects("*")]),
            ]
            return [*statements, _allow(["s3:PutObject"], [bucket.arn_for_objects("*")])] if writes else statements
        if setting == "state_machine_arn":
            executions = execution_arns(self, self._state_machine_name)
            statements = [
                _allow(STATE_MACHINE_READ, [self._state_machine_arn]),
                _allow(EXECUTION_READ, [executions]),
                _allow(MAP_RUN_READ, [map_run_arns(self, self._state_machine_name)]),
            ]
            if writes:
                statements += [
                    _allow(STATE_MACHINE_WRITE, [self._state_machine_arn]),
                    _allow(EXECUTION_WRITE, [executions]),
                ]
            return statements
        if setting == "alerts_topic_arn":
            return [
                _allow(["sns:Publish"], [self._alerts.topic.topic_arn]),
                _allow(["kms:GenerateDataKey", "kms:Decrypt"], [self._alerts.key.key_arn]),
            ]
        raise ValueError(f"no resource in the stack provides the setting {setting!r} ({env})")


def _allow(actions: Sequence[str], resources: Sequence[str]) -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=list(actions), resources=list(resources))


def state_machine_arn(scope: Construct, name: str) -> str:
    return Stack.of(scope).format_arn(
        service="states", resource="stateMachine", resource_name=name, arn_format=ArnFormat.COLON_RESOURCE_NAME
    )


def execution_arns(scope: Construct, state_machine_name: str) -> str:
    """Every execution of the state machine."""
    return _states_arn(scope, "execution", f"{state_machine_name}:*")


def child_execution_arns(scope: Construct, state_machine_name: str, label: str) -> str:
    """The child executions of the Distributed Map labelled `label` ("<state machine>/<label>:<id>"; "*": every
    Map's)."""
    return _states_arn(scope, "execution", f"{state_machine_name}/{label}:*")


def map_run_arns(scope: Construct, state_machine_name: str) -> str:
    """Every Map run of the state machine's executions ("mapRun:<state machine>/<label>:<id>")."""
    return _states_arn(scope, "mapRun", f"{state_machine_name}/*")


def _states_arn(scope: Construct, resource: str, resource_name: str) -> str:
    return Stack.of(scope).format_arn(
        service="states", resource=resource, resource_name=resource_name, arn_format=ArnFormat.COLON_RESOURCE_NAME
    )
