"""`make synth` and `make deploy`: what they run (make's dry run, `make -n`, runs nothing), the refusal to deploy
alarms no one receives, the dry run of a deployment, and the summary of what the stack creates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from isoflow.workflow import Tuning
from pipeline.bundling import REPO_ROOT
from pipeline.plan import main, map_concurrency
from pipeline.stack import STACK_ID

pytestmark = pytest.mark.xdist_group("infra")

MAKE_VARIABLES = ("ALARM_EMAIL", "DRY_RUN", "RESERVED_CONCURRENCY", "MFA", "RUN_LOGS", "CONTEXT", "MAKEFLAGS")


def make_n(*arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
    return subprocess.run(
        ["make", "-n", "-C", str(REPO_ROOT), *arguments],
        env=environment, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def commands(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if "node_modules/.bin/cdk" in line or "pipeline." in line]


def verb(step: str) -> str:
    """`cdk <verb> ...` -> the verb; `python -m <module> ...` -> the module."""
    words = step.split()
    return words[words.index("-m") + 1] if "-m" in words else words[1]


def test_deploy_refuses_without_someone_to_receive_the_alarms() -> None:
    result = make_n("deploy")
    assert result.returncode != 0
    assert "ALARM_EMAIL is not set" in result.stderr and "ALARM_EMAIL=none" in result.stderr
    assert "cdk" not in result.stdout


def test_deploy_with_alarm_email_none_warns_and_deploys_what_it_synthesised_and_described() -> None:
    result = make_n("deploy", "ALARM_EMAIL=none")
    assert "WARNING: ALARM_EMAIL=none" in result.stdout
    steps = commands(result)
    assert [verb(step) for step in steps] == ["synth", "pipeline.plan", "bootstrap", "deploy", "pipeline.health_check"]
    assert "-c alarmEmail=none" in steps[0]
    assert "--app cdk.out" in steps[3]


def test_a_dry_run_diffs_against_the_account_and_deploys_nothing() -> None:
    steps = commands(make_n("deploy", "ALARM_EMAIL=ops@example.com", "DRY_RUN=1"))
    assert "-c alarmEmail=ops@example.com" in steps[0]
    assert [verb(step) for step in steps] == ["synth", "pipeline.plan", "diff"]
    assert "--app cdk.out" in steps[-1]


def test_synth_describes_the_stack_and_needs_no_alarm_address() -> None:
    steps = commands(make_n("synth"))
    assert "synth" in steps[0] and "pipeline.plan" in steps[1]


def test_deployment_choices_become_context() -> None:
    (synth, *_) = commands(
        make_n("synth", "RESERVED_CONCURRENCY=on", "MFA=optional", "RUN_LOGS=full", "CONTEXT=-c snapStart=false")
    )
    for context in ("-c reservedConcurrency=on", "-c mfa=optional", "-c fullRunLogs=true", "-c snapStart=false"):
        assert context in synth


def test_the_summary_counts_every_resource_and_names_the_concurrency_a_run_uses(
    template_json: dict, cloud_assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert map_concurrency(template_json) == Tuning().max_concurrency
    assert main(["plan", str(cloud_assembly / f"{STACK_ID}.template.json")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"{STACK_ID} creates {len(template_json['Resources'])} resources")
    assert "     1  AWS::CloudFront::Distribution" in printed
    assert f"invokes up to {Tuning().max_concurrency} functions at once" in printed
