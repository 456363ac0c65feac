"""The template passes cdk-nag's AwsSolutions checks (every acknowledgement with its reason) and cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from aws_cdk import App
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from pipeline import nag
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


@pytest.mark.parametrize(
    "choices",
    [{}, {"mfa": "optional", "fullRunLogs": "true", "retainData": "false", "reservedConcurrency": "true"}],
    ids=["defaults", "every-choice-changed"],
)
def test_every_acknowledgement_answers_a_finding(
    choices: dict[str, str], site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An acknowledgement whose finding is gone would say something of the stack that is no longer so."""
    acknowledged: list[tuple[str, str]] = []

    class Recording:
        """Stands in for CDK's Validations where the stack acknowledges: it records instead."""

        @staticmethod
        def of(scope: IConstruct) -> SimpleNamespace:
            return SimpleNamespace(acknowledge=lambda a: acknowledged.append((scope.node.path, a.id)))

    monkeypatch.setattr(nag, "Validations", Recording)
    app = App(outdir=str(tmp_path), context={**cdk_json_context(), "siteDir": str(site_dir),
                                             "aws:cdk:bundling-stacks": [], **choices})  # fmt: skip
    add_to(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    findings = {
        (construct["constructPath"], violation["ruleName"])
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    }
    assert acknowledged
    unanswered = [
        (path, rule) for path, rule in acknowledged
        if not any(found == rule and (at == path or at.startswith(f"{path}/")) for at, found in findings)
    ]  # fmt: skip
    assert unanswered == []


def test_cfn_lint_passes(cloud_assembly: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--ignore-checks", *CFN_LINT_IGNORED, "--",
         str(cloud_assembly / f"{STACK_ID}.template.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
