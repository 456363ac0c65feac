"""The API's own checks on the claims the authorizer passes on (moto, no HTTP): which claims it accepts, that
the role is checked before anything reads the request, and that the route table covers every route."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import boto3
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from isoflow.api.app import create_app, services_from_settings
from isoflow.api.auth import PUBLIC_ROUTES, ROUTE_ROLES, Role, groups_of, required_role
from isoflow.local.api_gateway import proxy_event
from isoflow.local.lambda_invoke import LambdaContext
from isoflow.local.resources import state_machine_arn
from isoflow.settings import Settings
from isoflow.tables import ACCOUNTS, local_table_name

ANALYST = {"sub": "u-1", "token_use": "id", "cognito:groups": "analysts"}
ADMIN = {"sub": "u-2", "token_use": "id", "cognito:groups": "admins"}
ACCOUNT = {"name": "Ada Lovelace", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "GB"}


@pytest.fixture
def call(aws: Settings) -> Any:
    app = create_app(services_from_settings(aws))

    def call_(method: str, path: str, claims: dict[str, str] | None, body: Any = None) -> tuple[int, Any]:
        environ = EnvironBuilder(method=method, path=path, data=json.dumps(body) if body is not None else None)
        request = Request(environ.get_environ())
        event = proxy_event(request, "test", request.get_data(), claims)
        result = app.resolve(event, LambdaContext(function_name="isoflow-api", memory_limit_in_mb=1024, timeout_s=29))
        return result["statusCode"], json.loads(result["body"] or "null")

    return call_


def accounts_stored() -> int:
    return int(boto3.client("dynamodb").scan(TableName=local_table_name(ACCOUNTS), Select="COUNT")["Count"])


def test_the_route_table_names_every_route_of_the_api(aws: Settings) -> None:
    # With a state machine, so that the detection run routes are there too.
    app = create_app(services_from_settings(replace(aws, state_machine_arn=state_machine_arn())))
    document = json.loads(app.get_openapi_json_schema())
    documented = {(method.upper(), path) for path, methods in document["paths"].items() for method in methods}
    undocumented = {("GET", "/api/openapi.json"), ("GET", "/api/docs")}
    assert documented | undocumented == set(ROUTE_ROLES) | PUBLIC_ROUTES


def test_a_route_not_in_the_table_needs_an_admin() -> None:
    assert required_role("GET", "/api/accounts/acc_1") is Role.ANALYST
    assert required_role("HEAD", "/api/accounts") is Role.ANALYST
    assert required_role("GET", "/api/accounts/acc_1/secrets") is Role.ADMIN
    assert required_role("PUT", "/api/accounts") is Role.ADMIN


def test_groups_arrive_as_api_gateway_writes_them() -> None:
    assert groups_of("admins") == ["admins"]
    assert groups_of("analysts,admins") == ["analysts", "admins"]
    assert groups_of("[analysts admins]") == ["analysts", "admins"]
    assert groups_of(["admins"]) == ["admins"]
    assert groups_of(None) == []


@pytest.mark.parametrize(
    ("claims", "status"),
    [
        (None, 401),
        ({**ADMIN, "token_use": "access"}, 401),
        ({k: v for k, v in ADMIN.items() if k != "sub"}, 401),
        ({**ADMIN, "cognito:groups": "auditors"}, 403),
        ({k: v for k, v in ADMIN.items() if k != "cognito:groups"}, 403),
    ],
)
def test_claims_the_api_does_not_understand_are_refused(call: Any, claims: Any, status: int) -> None:
    code, body = call("POST", "/api/accounts", claims, ACCOUNT)
    assert code == status
    assert body["message"] and body["errors"] == []
    assert accounts_stored() == 0


def test_the_role_is_checked_before_the_body_is_read(call: Any) -> None:
    code, body = call("POST", "/api/accounts", ANALYST, {"name": ""})
    assert code == 403 and "admin" in body["message"]
    assert call("POST", "/api/accounts", ADMIN, {"name": ""})[0] == 422


def test_health_needs_no_claims_and_a_user_in_both_groups_is_an_admin(call: Any) -> None:
    assert call("GET", "/api/health", None)[0] == 200
    both = {**ANALYST, "cognito:groups": "[analysts admins]"}
    code, _ = call("POST", "/api/accounts", both, ACCOUNT)
    assert code == 201
    assert accounts_stored() == 1


def test_an_unknown_route_is_404_for_an_admin_and_403_for_an_analyst(call: Any) -> None:
    assert call("GET", "/api/nowhere", ADMIN)[0] == 404
    assert call("GET", "/api/nowhere", ANALYST)[0] == 403
