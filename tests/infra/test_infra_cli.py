"""The infra tests check what `cdk deploy` deploys: the CDK CLI's synth of the app (cdk.json's app, context and
feature flags, the CLI's own defaults) is the template the other infra tests read, to the byte."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from pipeline.bundling import REPO_ROOT
from pipeline.stack import STACK_ID

pytestmark = pytest.mark.xdist_group("infra")

CDK_CLI = REPO_ROOT / "pipeline" / "node_modules" / ".bin" / "cdk"


def test_the_cdk_cli_synthesises_the_template_the_tests_read(
    template_json: dict, site_dir: Path, tmp_path: Path
) -> None:
    assert CDK_CLI.exists(), "the CDK CLI is not installed: `make cdk-cli` installs it (make test does)"
    # No account or region to look up: the synth is offline, as `make synth` is.
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    environment |= {"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull,
                    "AWS_SHARED_CREDENTIALS_FILE": os.devnull}  # fmt: skip
    result = subprocess.run(
        [str(CDK_CLI), "synth", "--quiet", "-o", str(tmp_path), "-c", f"siteDir={site_dir}"],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads((tmp_path / f"{STACK_ID}.template.json").read_text()) == template_json
