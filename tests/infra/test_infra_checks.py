"""The template passes cdk-nag's AwsSolutions checks (every acknowledgement with its reason) and cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk import aws_s3 as s3

from pipeline.stack import STACK_ID, add_to, cdk_json_context

pytestmark = pytest.mark.xdist_group("infra")

# CDK writes these; neither is a defect of the template.
CFN_LINT_IGNORED = {
    "W3005": "CDK adds DependsOn on a role's policy even where a GetAtt already orders the resources",
    "W3045": "CloudFront's standard logs are delivered to a bucket with ACLs; the log bucket allows them",
}


def test_aws_solutions_checks_pass(cloud_assembly: Path) -> None:
    # The synth itself fails on any unacknowledged finding; the report lists none.
    report = json.loads((cloud_assembly / "validation-report.json").read_text())
    assert [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions" and r["violations"]] == []


def test_a_finding_fails_the_synth(site_dir: Path, tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path), context={**cdk_json_context(), "siteDir": str(site_dir),
                                             "aws:cdk:bundling-stacks": []})  # fmt: skip
    stack = add_to(app)
    s3.CfnBucket(stack, "Unencrypted")
    with pytest.raises(RuntimeError, match="AwsSolutions-S10"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (aws_solutions,) = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert {v["ruleName"] for v in aws_solutions["violations"]} >= {"AwsSolutions-S1", "AwsSolutions-S10"}


def test_every_acknowledgement_has_a_written_reason(cloud_assembly: Path) -> None:
    metadata = json.loads((cloud_assembly / f"{STACK_ID}.metadata.json").read_text())
    acknowledged = {
        (path, rule): reason for path, entries in metadata.items() for entry in entries
        if entry["type"] == "aws:cdk:acknowledged-rules" for rule, reason in entry["data"].items()
    }  # fmt: skip
    assert acknowledged, "the AwsSolutions acknowledgements are missing from the assembly's metadata"
    unexplained = {key: reason for key, reason in acknowledged.items() if len(str(reason).split()) < 5}
    assert unexplained == {}


def test_cfn_lint_passes(cloud_assembly: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--ignore-checks", *CFN_LINT_IGNORED, "--",
         str(cloud_assembly / f"{STACK_ID}.template.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
