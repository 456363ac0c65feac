"""The Isoflow stack: storage, functions, API, detection workflow, generator schedule, site and monitoring,
configured from CDK context (cdk.json, or `-c name=value` on the command line)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, get_args, get_type_hints

from aws_cdk import App, CfnOutput, Duration, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from isoflow.functions import API, FUNCTIONS, GENERATOR, RECORD_RUN, START_SCHEDULED_RUN
from isoflow.workflow import Tuning
from pipeline.alerts import Alerts
from pipeline.api import Api
from pipeline.auth import UserPool
from pipeline.bundling import REPO_ROOT
from pipeline.concurrency import reservations
from pipeline.functions import Functions, FunctionSettings
from pipeline.generator import GeneratorSchedule
from pipeline.monitoring import Monitoring
from pipeline.regions import require_supported_region, unsupported_reason
from pipeline.site import Site
from pipeline.storage import Storage
from pipeline.workflow import DetectionWorkflow

STACK_ID = "Isoflow"


def _flag(value: Any) -> bool:
    """Context from cdk.json is JSON; from `-c name=value` it is a string."""
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "on", "yes", "1"):
        return True
    if str(value).lower() in ("false", "off", "no", "0"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


@dataclass(frozen=True)
class StackConfig:
    """What a deployment chooses: each field is read from the context key of its name in camelCase
    (`retain_data` from `retainData`)."""

    retain_data: bool = True
    generator_schedule: bool = True
    detection_schedule: bool = True
    generator_every_minutes: int = 5
    detection_every_minutes: int = 10
    alarm_email: str | None = None
    # Where the alerts of runs that found new HIGH anomalies go: an e-mail address, and the name of a Secrets
    # Manager secret holding a webhook's URL (Slack-compatible JSON is posted to it).
    alert_email: str | None = None
    alert_webhook_secret: str | None = None
    site_dir: Path = REPO_ROOT / "web" / "dist"
    # Reserve each batch function's concurrency (pipeline.concurrency); needs an account quota above the default.
    reserved_concurrency: bool = False
    # Log every state's input and output (customers' data) instead of failures only: for debugging a deployment.
    full_run_logs: bool = False
    # Second factor at sign-in: "required" or "optional" (pipeline.auth.MFA_CHOICES).
    mfa: str = "required"
    snap_start: bool = True
    api_rate_limit: int = 50
    api_burst_limit: int = 100

    @classmethod
    def from_context(cls, scope: Construct) -> StackConfig:
        hints = get_type_hints(cls)
        values = {}
        for field in fields(cls):
            key = re.sub(r"_(\w)", lambda match: match.group(1).upper(), field.name)
            value = scope.node.try_get_context(key)
            if value is not None and value != "":
                values[field.name] = _parse(hints[field.name], value)
        return cls(**values)


def _parse(hint: Any, value: Any) -> Any:
    """A context value as the field's type; "none" clears an optional field."""
    kinds = [kind for kind in get_args(hint) if kind is not type(None)] or [hint]
    if len(kinds) < len(get_args(hint)) and str(value).lower() == "none":
        return None
    kind = kinds[0]
    if kind is bool:
        return _flag(value)
    if kind is Path:
        return REPO_ROOT / str(value)
    return kind(value)


class IsoflowStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: StackConfig, **props: Any) -> None:
        super().__init__(scope, id, description="Isoflow: anomalous bank transaction detection", **props)
        require_supported_region(self)
        state_machine_name = f"{self.stack_name}-detection"
        tuning = Tuning()

        storage = Storage(self, "Storage", retain_data=config.retain_data)
        alerts = Alerts(self, "Alerts", email=config.alert_email)
        functions = Functions(
            self,
            "Functions",
            storage=storage,
            alerts=alerts,
            state_machine_name=state_machine_name,
            settings=FunctionSettings(
                reserved_concurrency=reservations(tuning, unreserved=[API.name]) if config.reserved_concurrency else {},
                snap_start_functions=frozenset(
                    spec.name for spec in FUNCTIONS if spec is API or spec.bundle == "detector"
                )
                if config.snap_start
                else frozenset(),
            ),
        )
        users = UserPool(self, "Auth", retain=config.retain_data, mfa=config.mfa)
        api = Api(
            self,
            "Api",
            handler=functions.aliases[API.name],
            authorizer=users.authorizer,
            rate_limit=config.api_rate_limit,
            burst_limit=config.api_burst_limit,
        )
        workflow = DetectionWorkflow(
            self,
            "Detection",
            state_machine_name=state_machine_name,
            aliases=functions.aliases,
            data_bucket=storage.data_bucket,
            tuning=tuning,
            starter=functions.aliases[START_SCHEDULED_RUN.name],
            schedule_enabled=config.detection_schedule,
            every=Duration.minutes(config.detection_every_minutes),
            full_logs=config.full_run_logs,
        )
        generator = GeneratorSchedule(
            self,
            "Generator",
            generator=functions.aliases[GENERATOR.name],
            enabled=config.generator_schedule,
            every=Duration.minutes(config.generator_every_minutes),
        )
        site = Site(
            self,
            "Site",
            site_dir=config.site_dir,
            rest_api_url=api.rest_api.url,
            access_logs=storage.access_logs,
            retain=config.retain_data,
            config={
                "apiBaseUrl": "/api",
                "environment": "aws",
                "region": self.region,
                "stateMachineArn": workflow.state_machine.state_machine_arn,
                "stateMachineConsoleUrl": (
                    f"https://{self.region}.console.aws.amazon.com/states/home?region={self.region}"
                    f"#/statemachines/view/{workflow.state_machine.state_machine_arn}"
                ),
                "auth": users.site_config(),
            },
            connect_sources=[users.endpoint],
        )
        alerts.send_from(
            functions.functions[RECORD_RUN.name], dashboard_url=site.url, webhook_secret=config.alert_webhook_secret
        )
        monitoring = Monitoring(
            self,
            "Monitoring",
            functions=functions.functions,
            rest_api=api.rest_api,
            tables=storage.tables,
            state_machine=workflow.state_machine,
            schedules={"detection": workflow.schedule, "generator": generator.rule},
            alarm_email=config.alarm_email,
        )

        CfnOutput(self, "SiteUrl", value=site.url, description="The dashboard")
        CfnOutput(self, "ApiUrl", value=api.url, description="The REST API (also at <SiteUrl>/api)")
        CfnOutput(self, "StateMachineArn", value=workflow.state_machine.state_machine_arn)
        CfnOutput(self, "AlertsTopicArn", value=alerts.topic.topic_arn, description="Alerts of new HIGH anomalies")
        CfnOutput(self, "AlarmsTopicArn", value=monitoring.topic.topic_arn, description="Alarms: failures, throttles")


class UnsupportedRegionError(ValueError):
    """The stack cannot be deployed to the region it was synthesised for (pipeline.regions)."""


def cdk_json_context() -> dict[str, Any]:
    """cdk.json's context (feature flags and defaults): the cdk CLI passes it to the app; a synth without the
    CLI (tests) passes it explicitly, so both build the same template."""
    context: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    return context


def add_to(app: App, *, target_region: str | None = None) -> IsoflowStack:
    """The stack as `cdk synth` builds it, with the AwsSolutions checks run on every synth.

    `target_region` is where the stack will be deployed, if known: by default the region the cdk CLI deploys an
    environment-agnostic stack to (it passes it as CDK_DEFAULT_REGION). An unsupported one fails the synth."""
    region = target_region or os.environ.get("CDK_DEFAULT_REGION")
    if region and (reason := unsupported_reason(region)):
        raise UnsupportedRegionError(reason)
    stack = IsoflowStack(app, STACK_ID, config=StackConfig.from_context(app))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stack
