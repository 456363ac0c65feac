"""The synthesised template: what each function may do, the state machine, schedules, alarms, site and API."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Match, Template

from isoflow import runs
from isoflow.functions import API, FUNCTIONS, GENERATOR, START_SCHEDULED_RUN, FunctionSpec
from isoflow.settings import ENVIRONMENT
from isoflow.tables import ALL_TABLES
from isoflow.workflow import FunctionArns, Tuning, definition
from pipeline.bundling import REPO_ROOT
from pipeline.stack import STACK_ID, StackConfig

pytestmark = pytest.mark.xdist_group("infra")

TABLE_READ = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
              "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"}  # fmt: skip
TABLE_WRITE = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def function_of(template: dict[str, Any], spec: FunctionSpec) -> tuple[str, dict[str, Any]]:
    matches = [
        (name, r) for name, r in resources(template, "AWS::Lambda::Function").items()
        if r["Properties"].get("Handler") == spec.handler
    ]  # fmt: skip
    assert len(matches) == 1, f"{spec.name}: expected one function with handler {spec.handler}"
    return matches[0]


def alias_of(template: dict[str, Any], spec: FunctionSpec) -> str:
    name, _ = function_of(template, spec)
    (alias,) = [
        alias_name for alias_name, alias in resources(template, "AWS::Lambda::Alias").items()
        if alias["Properties"]["FunctionName"] == {"Ref": name}
    ]  # fmt: skip
    return alias


def referenced(value: Any) -> set[str]:
    """Logical IDs a value refers to (Ref or GetAtt), however deeply nested."""
    if isinstance(value, dict):
        if "Ref" in value:
            return {value["Ref"]}
        if "Fn::GetAtt" in value:
            return {value["Fn::GetAtt"][0]}
        return set().union(*(referenced(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(referenced(v) for v in value)) if value else set()
    return set()


def statements_of(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    policies = [
        p for p in resources(template, "AWS::IAM::Policy").values() if {"Ref": role} in p["Properties"]["Roles"]
    ]
    return [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]


def actions_of(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_function_runs_its_spec_on_arm64_python_behind_an_alias(template_json: dict, spec: FunctionSpec) -> None:
    _, function = function_of(template_json, spec)
    props = function["Properties"]
    assert props["Runtime"] == "python3.12"
    assert props["Architectures"] == ["arm64"]
    assert props["MemorySize"] == spec.memory_mb
    assert props["Timeout"] == spec.timeout_s
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"} <= set(props["Environment"]["Variables"])
    assert alias_of(template_json, spec)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_function_role_grants_only_what_its_settings_name(template_json: dict, spec: FunctionSpec) -> None:
    _, function = function_of(template_json, spec)
    props = function["Properties"]
    role = props["Role"]["Fn::GetAtt"][0]
    role_props = template_json["Resources"][role]["Properties"]
    assert "ManagedPolicyArns" not in role_props
    assert role_props["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}

    variables = props["Environment"]["Variables"]
    assert {ENVIRONMENT[setting] for setting in spec.settings} <= set(variables)
    resources_by_setting = {setting: referenced(variables[ENVIRONMENT[setting]]) for setting in spec.settings}
    tables = {logical for logical in resources(template_json, "AWS::DynamoDB::Table")}
    named_tables = {s: ids & tables for s, ids in resources_by_setting.items() if ids & tables}
    writable_tables = set().union(*(ids for s, ids in named_tables.items() if s not in spec.read_only), set())
    log_group = props["LoggingConfig"]["LogGroup"]["Ref"]

    for statement in statements_of(template_json, role):
        assert statement["Effect"] == "Allow"
        actions, targets = actions_of(statement), referenced(statement["Resource"])
        services = {action.split(":")[0] for action in actions}
        assert len(services) == 1, statement
        service = services.pop()
        if service == "dynamodb":
            assert targets and targets <= set().union(*named_tables.values()), statement
            assert actions <= TABLE_READ | TABLE_WRITE, statement
            if actions & TABLE_WRITE:
                assert targets <= writable_tables, statement
        elif service == "s3":
            assert "data_bucket" in spec.settings, statement
            assert actions <= ({"s3:ListBucket", "s3:GetObject"} | ({"s3:PutObject"} if
                               "data_bucket" not in spec.read_only else set())), statement  # fmt: skip
        elif service == "states":
            assert "state_machine_arn" in spec.settings, statement
        elif service in ("sns", "kms"):
            assert "alerts_topic_arn" in spec.settings, statement
            topic = topic_named(template_json, "Isoflow alerts")
            key = template_json["Resources"][topic]["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
            allowed = [({"sns:Publish"}, {topic}), ({"kms:GenerateDataKey", "kms:Decrypt"}, {key})]
            assert (actions, targets) in allowed, statement
        elif service == "logs":
            assert targets == {log_group}, statement
        else:
            assert service == "xray" and actions == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def step_functions_operations(source: Path) -> set[str]:
    """The Step Functions API operations a module calls, as IAM actions."""
    text = source.read_text()
    operations = set(re.findall(r"stepfunctions\.([a-z_]+)\(", text)) - {"get_paginator"}
    operations |= set(re.findall(r"stepfunctions\.get_paginator\(\"([a-z_]+)\"\)", text))
    return {"states:" + "".join(word.capitalize() for word in operation.split("_")) for operation in operations}


def test_api_may_make_every_step_functions_call_of_the_runs_service(template_json: dict) -> None:
    used = step_functions_operations(Path(runs.__file__))
    assert used, "no Step Functions calls found in isoflow.runs"
    _, function = function_of(template_json, API)
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    granted = set().union(*(actions_of(s) for s in statements_of(template_json, role)))
    assert used <= granted


def test_state_machine_definition_is_the_one_the_local_stack_runs(template_json: dict) -> None:
    aliases = {
        spec.name.replace("-", "_"): alias_of(template_json, spec) for spec in FUNCTIONS
        if spec.name.replace("-", "_") in {f.name for f in fields(FunctionArns)}
    }  # fmt: skip
    expected = definition(FunctionArns(**{field: f"<{alias}>" for field, alias in aliases.items()}), Tuning())
    (machine,) = resources(template_json, "AWS::StepFunctions::StateMachine").values()
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    rendered = "".join(part if isinstance(part, str) else f"<{part['Ref']}>" for part in parts)
    assert json.loads(rendered) == expected
    assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}


def test_state_machine_may_invoke_only_the_functions_it_runs(template_json: dict) -> None:
    (machine,) = resources(template_json, "AWS::StepFunctions::StateMachine").values()
    role = machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    invoked = {
        alias_of(template_json, spec) for spec in FUNCTIONS
        if spec.name.replace("-", "_") in {f.name for f in fields(FunctionArns)}
    }  # fmt: skip
    granted = set().union(
        *(
            referenced(s["Resource"])
            for s in statements_of(template_json, role)
            if "lambda:InvokeFunction" in actions_of(s)
        )
    )
    assert granted == invoked


def schedules(template_json: dict) -> dict[str, dict[str, Any]]:
    """Rule's target alias -> rule properties."""
    found = {}
    for rule in resources(template_json, "AWS::Events::Rule").values():
        (target,) = rule["Properties"]["Targets"]
        (alias,) = referenced(target["Arn"])
        found[alias] = rule["Properties"]
    return found


def test_generator_runs_every_5_minutes_and_detection_every_10(template_json: dict) -> None:
    found = schedules(template_json)
    generator = found[alias_of(template_json, GENERATOR)]
    detection = found[alias_of(template_json, START_SCHEDULED_RUN)]
    assert (generator["ScheduleExpression"], generator["State"]) == ("rate(5 minutes)", "ENABLED")
    assert (detection["ScheduleExpression"], detection["State"]) == ("rate(10 minutes)", "ENABLED")


def test_schedules_are_switched_off_by_context(tmp_path: Path, synthesize: Callable[..., Path]) -> None:
    # Bundling is skipped here: only the rules differ from the session's synth.
    outdir = synthesize(
        tmp_path, generatorSchedule="false", detectionSchedule="false", **{"aws:cdk:bundling-stacks": []}
    )
    template_json = json.loads((outdir / f"{STACK_ID}.template.json").read_text())
    assert {rule["State"] for rule in schedules(template_json).values()} == {"DISABLED"}


def topic_named(template_json: dict, display_name: str) -> str:
    (topic,) = [
        name
        for name, topic in resources(template_json, "AWS::SNS::Topic").items()
        if topic["Properties"]["DisplayName"] == display_name
    ]
    return topic


def test_alarms_cover_functions_api_tables_and_runs(template_json: dict) -> None:
    alarms = list(resources(template_json, "AWS::CloudWatch::Alarm").values())
    topic = topic_named(template_json, "Isoflow alarms")
    assert all(alarm["Properties"]["AlarmActions"] == [{"Ref": topic}] for alarm in alarms)

    def alarmed(namespace: str, metric: str) -> list[dict[str, Any]]:
        found = []
        for alarm in alarms:
            props = alarm["Properties"]
            math = [m["MetricStat"]["Metric"] for m in props.get("Metrics", []) if "MetricStat" in m]
            metrics = [props] if "MetricName" in props else math
            found += [m for m in metrics if m["Namespace"] == namespace and m["MetricName"] == metric]
        return found

    for spec in FUNCTIONS:
        name, _ = function_of(template_json, spec)
        for metric in ("Errors", "Throttles"):
            assert any(d["Value"] == {"Ref": name} for m in alarmed("AWS/Lambda", metric) for d in m["Dimensions"]), (
                f"{spec.name}: no {metric} alarm"
            )
    assert alarmed("AWS/ApiGateway", "5XXError") and alarmed("AWS/ApiGateway", "4XXError")
    throttled_tables = {
        d["Value"]["Ref"] for m in alarmed("AWS/DynamoDB", "ReadThrottleEvents") for d in m["Dimensions"]
    }
    assert throttled_tables == set(resources(template_json, "AWS::DynamoDB::Table"))
    assert alarmed("AWS/States", "ExecutionsFailed") and alarmed("AWS/States", "ExecutionsTimedOut")
    # Accounts a run could not score stay stale; the run succeeds, so only this alarm tells anyone.
    assert alarmed("Isoflow", "AccountsFailed")


def test_tables_follow_their_specs(template: Template) -> None:
    for spec in ALL_TABLES:
        key_schema = [{"AttributeName": spec.partition.name, "KeyType": "HASH"}]
        if spec.sort:
            key_schema.append({"AttributeName": spec.sort.name, "KeyType": "RANGE"})
        expected: dict[str, Any] = {
            "KeySchema": key_schema,
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
            "DeletionProtectionEnabled": True,
        }
        request = spec.create_table_request("unused")
        if spec.indexes:
            expected["GlobalSecondaryIndexes"] = Match.array_equals(request["GlobalSecondaryIndexes"])
        if spec.ttl_attribute:
            expected["TimeToLiveSpecification"] = {"AttributeName": spec.ttl_attribute, "Enabled": True}
        template.has_resource("AWS::DynamoDB::Table", {"Properties": Match.object_like(expected),
                                                       "DeletionPolicy": "Retain"})  # fmt: skip
    template.resource_count_is("AWS::DynamoDB::Table", len(ALL_TABLES))


def test_buckets_are_private_encrypted_and_tls_only(template_json: dict) -> None:
    buckets = resources(template_json, "AWS::S3::Bucket")
    for props in (b["Properties"] for b in buckets.values()):
        assert props["PublicAccessBlockConfiguration"] == dict.fromkeys(
            ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
        )
        assert "BucketEncryption" in props
    policies = resources(template_json, "AWS::S3::BucketPolicy").values()
    tls_only = {
        bucket for p in policies for bucket in referenced(p["Properties"]["Bucket"])
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    }  # fmt: skip
    assert tls_only == set(buckets)


def test_site_is_served_over_https_with_api_on_the_same_origin(template_json: dict) -> None:
    (distribution,) = resources(template_json, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert "ResponseHeadersPolicyId" in config["DefaultCacheBehavior"]
    assert [o.get("OriginAccessControlId") is not None for o in config["Origins"]].count(True) == 1
    (api,) = config["CacheBehaviors"]
    assert (api["PathPattern"], api["ViewerProtocolPolicy"]) == ("/api/*", "https-only")
    assert "Logging" in config
    # The dashboard's routes load index.html without rewriting the API's own error responses.
    assert "CustomErrorResponses" not in config


def test_api_is_throttled_logged_and_validated(template_json: dict) -> None:
    (stage,) = resources(template_json, "AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    assert "AccessLogSetting" in props and props["TracingEnabled"] is True
    (settings,) = props["MethodSettings"]
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0
    assert settings["DataTraceEnabled"] is False
    methods = resources(template_json, "AWS::ApiGateway::Method").values()
    assert all("RequestValidatorId" in m["Properties"] for m in methods)


def test_outputs_name_site_api_and_state_machine(template: Template) -> None:
    outputs = template.to_json()["Outputs"]
    assert {"SiteUrl", "ApiUrl", "StateMachineArn"} <= set(outputs)


def test_a_deployment_without_retention_deletes_its_data_with_the_stack(
    tmp_path: Path, synthesize: Callable[..., Path]
) -> None:
    # The AwsSolutions checks run in this synth too: it raises on any unacknowledged finding.
    outdir = synthesize(tmp_path, retainData="false", **{"aws:cdk:bundling-stacks": []})
    template_json = json.loads((outdir / f"{STACK_ID}.template.json").read_text())
    tables = resources(template_json, "AWS::DynamoDB::Table").values()
    assert {(t["DeletionPolicy"], t["Properties"]["DeletionProtectionEnabled"]) for t in tables} == {("Delete", False)}
    buckets = set(resources(template_json, "AWS::S3::Bucket"))
    emptied = {
        bucket for r in resources(template_json, "Custom::S3AutoDeleteObjects").values()
        for bucket in referenced(r["Properties"]["BucketName"])
    }  # fmt: skip
    assert emptied == buckets


def test_context_keys_override_the_defaults() -> None:
    app = App(
        context={"retainData": "false", "detectionEveryMinutes": "15", "reservedConcurrency": "on",
                 "alarmEmail": "ops@example.com", "siteDir": "web/build", "snapStart": False, "mfa": "optional"}
    )  # fmt: skip
    config = StackConfig.from_context(app)
    assert config == StackConfig(
        retain_data=False,
        detection_every_minutes=15,
        reserved_concurrency=True,
        mfa="optional",
        alarm_email="ops@example.com",
        site_dir=REPO_ROOT / "web" / "build",
        snap_start=False,
    )
    with pytest.raises(ValueError, match="true or false"):
        StackConfig.from_context(App(context={"generatorSchedule": "sometimes"}))
    # An alarm address of "none" deploys without one, on purpose (make deploy ALARM_EMAIL=none).
    assert StackConfig.from_context(App(context={"alarmEmail": "none"})).alarm_email is None
