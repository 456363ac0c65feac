"""A first deploy to a new account succeeds, and a second region of the same account too; nothing it keeps
grows without end, and what it logs and publishes leaves customers' data and the dashboard's source out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from test_infra_redrive import rendered
from test_infra_stack import function_of, resources

from isoflow.detection.files import RUNS_PREFIX
from isoflow.functions import API, FUNCTIONS, SCORE_ACCOUNT_BATCH
from isoflow.workflow import Tuning
from pipeline.bundling import REPO_ROOT
from pipeline.concurrency import RUN_AT_A_TIME, UNRESERVED_MINIMUM
from pipeline.plan import describe
from pipeline.regions import SUPPORTED_REGIONS
from pipeline.stack import STACK_ID, UnsupportedRegionError, add_to, cdk_json_context

pytestmark = pytest.mark.xdist_group("infra")

# Step Functions redrives a run for 14 days after it ended; the redrive reads the run's manifest again.
REDRIVE_WINDOW_DAYS = 14


def synth_template(synthesize: Callable[..., Path], outdir: Path, **context: Any) -> dict[str, Any]:
    # Bundling is skipped: these synths differ from the session's in configuration only.
    synthesize(outdir, **context, **{"aws:cdk:bundling-stacks": []})
    template: dict[str, Any] = json.loads((outdir / f"{STACK_ID}.template.json").read_text())
    return template


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory, synthesize: Callable[..., Path]) -> dict[str, Any]:
    """The stack with every choice a deployment may make away from the defaults."""
    return synth_template(
        synthesize,
        tmp_path_factory.mktemp("configured"),
        reservedConcurrency="true",
        fullRunLogs="true",
        mfa="optional",
    )


# Reserved concurrency


def test_a_default_deployment_reserves_no_concurrency(template_json: dict) -> None:
    reserved = {
        name: f["Properties"]["ReservedConcurrentExecutions"]
        for name, f in resources(template_json, "AWS::Lambda::Function").items()
        if "ReservedConcurrentExecutions" in f["Properties"]
    }
    assert reserved == {}
    assert "no reservations" in describe(template_json, STACK_ID)


def test_reserved_concurrency_sizes_each_batch_function_and_names_the_quota_it_needs(configured: dict) -> None:
    reserved = {
        spec.name: function_of(configured, spec)[1]["Properties"].get("ReservedConcurrentExecutions")
        for spec in FUNCTIONS
    }
    # The API scales with its users on the shared pool; the detector as far as the Map runs it at once.
    assert reserved[API.name] is None
    assert reserved[SCORE_ACCOUNT_BATCH.name] == Tuning().max_concurrency
    assert set(reserved.values()) == {None, Tuning().max_concurrency, RUN_AT_A_TIME}
    total = sum(value for value in reserved.values() if value)
    assert f"at least {total + UNRESERVED_MINIMUM} " in describe(configured, STACK_ID)


# A second region of the same account


CLOUDFRONT_NAMES = {
    "AWS::CloudFront::ResponseHeadersPolicy": lambda p: p["ResponseHeadersPolicyConfig"]["Name"],
    "AWS::CloudFront::OriginAccessControl": lambda p: p["OriginAccessControlConfig"]["Name"],
    "AWS::CloudFront::Function": lambda p: p["Name"],
    "AWS::CloudFront::CachePolicy": lambda p: p["CachePolicyConfig"]["Name"],
    "AWS::CloudFront::OriginRequestPolicy": lambda p: p["OriginRequestPolicyConfig"]["Name"],
}


def test_cloudfront_names_are_the_stacks_in_its_region(template_json: dict) -> None:
    """CloudFront's names are global to the account: each carries the region, and the stack's name."""
    named = {
        logical: name(resource["Properties"])
        for kind, name in CLOUDFRONT_NAMES.items()
        for logical, resource in resources(template_json, kind).items()
    }
    assert len(named) >= 3
    for logical, name in named.items():
        assert {"Ref": "AWS::Region"} in name["Fn::Join"][1], logical
        assert STACK_ID in rendered(name), logical
    # Names CloudFront limits to 64 characters stay within it in the longest region name.
    for logical, name in named.items():
        assert len(rendered(name).replace("eu-west-1", "ap-southeast-2")) <= 64, logical


# What the state machine logs


def test_runs_log_failures_only_and_no_execution_data_by_default(template_json: dict) -> None:
    (machine,) = resources(template_json, "AWS::StepFunctions::StateMachine").values()
    logging = machine["Properties"]["LoggingConfiguration"]
    assert (logging["Level"], logging["IncludeExecutionData"]) == ("ERROR", False)


def test_full_run_logs_are_a_deployments_choice(configured: dict) -> None:
    (machine,) = resources(configured, "AWS::StepFunctions::StateMachine").values()
    logging = machine["Properties"]["LoggingConfiguration"]
    assert (logging["Level"], logging["IncludeExecutionData"]) == ("ALL", True)


# Nothing grows without end


def test_every_log_group_expires_and_every_function_logs_to_one(template_json: dict) -> None:
    groups = resources(template_json, "AWS::Logs::LogGroup")
    assert {name for name, group in groups.items() if not group["Properties"].get("RetentionInDays")} == set()
    # A function without a log group of the stack's would log to one Lambda creates, which never expires.
    unlogged = [
        name for name, f in resources(template_json, "AWS::Lambda::Function").items()
        if f["Properties"].get("LoggingConfig", {}).get("LogGroup", {}).get("Ref") not in groups
    ]  # fmt: skip
    assert unlogged == []


def test_api_gateway_execution_logs_go_to_a_group_that_expires(template_json: dict) -> None:
    (stage_id, stage) = next(iter(resources(template_json, "AWS::ApiGateway::Stage").items()))
    (api_id,) = resources(template_json, "AWS::ApiGateway::RestApi")
    expected = f"API-Gateway-Execution-Logs_<{api_id}>/{stage['Properties']['StageName']}"
    (group_id,) = [
        name for name, group in resources(template_json, "AWS::Logs::LogGroup").items()
        if rendered(group["Properties"].get("LogGroupName", "")) == expected
    ]  # fmt: skip
    # API Gateway would otherwise create the group itself, without a retention, before CloudFormation can.
    assert group_id in stage["DependsOn"], stage_id


def test_run_files_expire_after_the_redrive_window(template_json: dict) -> None:
    buckets = resources(template_json, "AWS::S3::Bucket").values()
    rules = [rule for b in buckets for rule in b["Properties"].get("LifecycleConfiguration", {}).get("Rules", [])]
    (expiring,) = [r for r in rules if r.get("Prefix") == RUNS_PREFIX and "ExpirationInDays" in r]
    assert REDRIVE_WINDOW_DAYS < expiring["ExpirationInDays"] <= 90
    # The bucket is versioned: expired run files leave delete markers, which are cleared too.
    assert any(r.get("Prefix") == RUNS_PREFIX and r.get("ExpiredObjectDeleteMarker") for r in rules)


# What the site publishes


def test_the_site_deploys_its_build_without_source_maps(cloud_assembly: Path, site_dir: Path) -> None:
    manifest = json.loads((cloud_assembly / f"{STACK_ID}.assets.json").read_text())
    staged = [cloud_assembly / asset["source"]["path"] for asset in manifest["files"].values()]
    built = {path.relative_to(site_dir).as_posix() for path in site_dir.rglob("*") if path.is_file()}
    deployed = set()
    for directory in (d for d in staged if d.is_dir()):
        files = {path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file()}
        if files & built:
            deployed |= files
    assert {"index.html", "assets/index-0123abcd.js"} <= deployed
    assert {path for path in built if path.endswith(".map")} and not {p for p in deployed if p.endswith(".map")}


# Sign-in


def test_sign_in_asks_every_user_for_an_authenticator_code_by_default(template_json: dict) -> None:
    (pool,) = resources(template_json, "AWS::Cognito::UserPool").values()
    assert pool["Properties"]["MfaConfiguration"] == "ON"
    assert pool["Properties"]["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]


def test_a_deployment_may_make_the_second_factor_optional(configured: dict) -> None:
    (pool,) = resources(configured, "AWS::Cognito::UserPool").values()
    assert pool["Properties"]["MfaConfiguration"] == "OPTIONAL"
    assert pool["Properties"]["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]


def test_an_unknown_mfa_choice_fails_the_synth(site_dir: Path, tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path), context={**cdk_json_context(), "siteDir": str(site_dir), "mfa": "sms"})
    with pytest.raises(ValueError, match="mfa must be one of required, optional"):
        add_to(app)


# Regions


def test_an_unsupported_region_fails_the_synth_saying_why(site_dir: Path, tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path), context={**cdk_json_context(), "siteDir": str(site_dir)})
    with pytest.raises(UnsupportedRegionError, match="CloudFront does not deliver standard logs to S3 buckets in"):
        add_to(app, target_region="af-south-1")
    with pytest.raises(UnsupportedRegionError, match=r"SnapStart.*ap-southeast-6"):
        add_to(app, target_region="ap-southeast-6")
    with pytest.raises(UnsupportedRegionError, match="Supported regions: us-east-1, "):
        add_to(app, target_region="mx-central-1")


def test_cdk_synth_for_an_unsupported_region_ends_with_the_reason_alone() -> None:
    """The cdk CLI passes the region it deploys to as CDK_DEFAULT_REGION."""
    environment = {**os.environ, "CDK_DEFAULT_REGION": "me-south-1"}
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("error: Isoflow cannot be deployed to me-south-1: CloudFront")
    assert "Traceback" not in result.stderr


def test_cloudformation_refuses_a_deployment_to_any_other_region(template_json: dict) -> None:
    """An environment-agnostic synth (no region known) deploys wherever the credentials point: CloudFormation
    checks the region before it creates anything."""
    (assertion,) = template_json["Rules"]["SupportedRegion"]["Assertions"]
    assert assertion["Assert"] == {"Fn::Contains": [list(SUPPORTED_REGIONS), {"Ref": "AWS::Region"}]}
