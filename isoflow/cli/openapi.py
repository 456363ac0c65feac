"""`isoflow openapi`: the API's OpenAPI document, the one the API serves at /api/openapi.json.

Built in-process with every route, the detection runs' included; it calls nothing, so it needs no AWS account
and no network. The dashboard's types are generated from it: `make web-types` writes web/openapi.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import boto3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "openapi",
        help="print the API's OpenAPI document",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the document here instead of printing it")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = document_json(api_document())
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


def api_document() -> dict[str, Any]:
    """The document of an app over clients it never calls: creating a boto3 client sends no request."""
    # Imported here, not at the top: the API brings Powertools and pydantic, which `isoflow --help` does not need.
    from isoflow.api.app import create_app, openapi_document
    from isoflow.api.services import Services
    from isoflow.runs import Runs
    from isoflow.store.db import Db

    session = boto3.Session(aws_access_key_id="unused", aws_secret_access_key="unused", region_name="us-east-1")
    dynamodb = session.client("dynamodb")
    # The names never reach the document; a state machine makes the app serve (and document) the runs' routes.
    services = Services(
        db=Db(client=dynamodb, accounts="accounts", transactions="transactions", scores="scores"),
        idempotency_table="idempotency",
        runs=Runs(
            session.client("stepfunctions"),
            dynamodb,
            "arn:aws:states:us-east-1:000000000000:stateMachine:isoflow-detection",
            "runs",
        ),
    )
    return openapi_document(create_app(services))


def document_json(document: dict[str, Any]) -> str:
    """Sorted and indented, so that a change to the API is a readable diff of the committed document."""
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
