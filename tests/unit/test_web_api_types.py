"""The dashboard's API types are the API's own: web/openapi.json is the API's OpenAPI document, and
web/src/api/schema.gen.ts is what openapi-typescript makes of it. Both are committed, so a change to the API's
models that is not carried to the dashboard fails here (and a renamed field fails the dashboard's type check)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from isoflow.cli.openapi import api_document, document_json

WEB = Path(__file__).resolve().parents[2] / "web"
REGENERATE = "run `make web-types` and commit web/openapi.json and web/src/api/schema.gen.ts"


def test_the_committed_document_is_the_apis() -> None:
    committed = (WEB / "openapi.json").read_text(encoding="utf-8")
    assert committed == document_json(api_document()), f"web/openapi.json is not the API's document: {REGENERATE}"


def test_the_committed_types_are_generated_from_the_document() -> None:
    # The package's own generate script with openapi-typescript's --check: the same options, nothing written.
    # `make test` installs the dashboard's npm packages before it runs pytest.
    check = subprocess.run(
        ["npm", "run", "--silent", "generate", "--", "--check"], cwd=WEB, capture_output=True, text=True
    )
    assert check.returncode == 0, (
        f"web/src/api/schema.gen.ts is not generated from web/openapi.json: {REGENERATE}\n{check.stdout}{check.stderr}"
    )
