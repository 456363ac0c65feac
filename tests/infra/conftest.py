"""One synth of the whole app per test session, shared by every infra test (offline: no AWS, no Docker).

Every infra test module is marked `xdist_group("infra")`, so the session's synth happens once, on one worker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from pipeline.stack import STACK_ID, add_to, cdk_json_context

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in for the dashboard's build: the stack deploys whatever web/dist holds."""
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text("<!doctype html><title>Isoflow</title>")
    (site / "assets").mkdir()
    (site / "assets" / "index-0123abcd.js").write_text(
        "console.log('isoflow')\n//# sourceMappingURL=index-0123abcd.js.map"
    )
    (site / "assets" / "index-0123abcd.js.map").write_text('{"version": 3, "sources": ["src/main.tsx"]}')
    return site


def synth(outdir: Path, site_dir: Path, **context: Any) -> Path:
    # What the cdk CLI passes by default besides cdk.json's context: asset and construct paths recorded in the
    # template, and the CDK version reported (AWS::CDK::Metadata). test_infra_cli checks the two synths agree.
    cli_defaults = {
        "aws:cdk:enable-asset-metadata": True,
        "aws:cdk:enable-path-metadata": True,
        "aws:cdk:version-reporting": True,
    }
    app = App(outdir=str(outdir), context={**cdk_json_context(), **cli_defaults, "siteDir": str(site_dir), **context})
    add_to(app)
    app.synth()
    return outdir


@pytest.fixture(scope="session")
def synthesize(site_dir: Path) -> Callable[..., Path]:
    """Synthesises the app into a directory with extra context."""
    return lambda outdir, **context: synth(outdir, site_dir, **context)


@pytest.fixture(scope="session")
def cloud_assembly(tmp_path_factory: pytest.TempPathFactory, site_dir: Path) -> Path:
    """The app as `cdk synth` builds it with cdk.json's defaults, bundles included."""
    return synth(tmp_path_factory.mktemp("cdk.out"), site_dir)


@pytest.fixture(scope="session")
def template_json(cloud_assembly: Path) -> dict[str, Any]:
    template: dict[str, Any] = json.loads((cloud_assembly / f"{STACK_ID}.template.json").read_text())
    return template


@pytest.fixture(scope="session")
def template(template_json: dict[str, Any]) -> Template:
    return Template.from_json(template_json)
