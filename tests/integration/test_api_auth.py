"""Sign-in and roles through the local stack with sign-in (`isoflow local --auth`): real ID tokens from the
local Cognito user pool, checked by the API Gateway layer as the Cognito authorizer does, and the API's roles.
"""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import boto3
import jwt
import moto.cognitoidp
import pytest
import requests

from isoflow.api.auth import GROUPS, PUBLIC_ROUTES, ROUTE_ROLES, Role
from isoflow.local.auth import LOCAL_USERS, add_user, create_user_pool
from isoflow.local.resources import REGION
from isoflow.tables import ACCOUNTS, RUNS, TRANSACTIONS, local_table_name

ANALYST, ADMIN = LOCAL_USERS["analysts"], LOCAL_USERS["admins"]
ACCOUNT = {"name": "Ada Lovelace", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "GB"}
# moto signs every pool's tokens with this key: a token signed with it but issued otherwise is a forgery
# only the issuer and audience checks catch.
MOTO_SIGNING_KEY = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-private.json.gz"


def cognito(stack: Any) -> Any:
    return boto3.client("cognito-idp", endpoint_url=stack.aws.url, region_name=REGION)


def tokens(stack: Any, email: str, password: str | None = None, client_id: str | None = None) -> dict[str, str]:
    password = password or stack.user_pool.passwords[email]
    result = cognito(stack).initiate_auth(
        ClientId=client_id or stack.user_pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return dict(result["AuthenticationResult"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def call(stack: Any, method: str, path: str, token: str | None = None, body: Any = None) -> requests.Response:
    return requests.request(
        method,
        f"{stack.url}{path}",
        json=body,
        headers=bearer(token) if token else {},
        timeout=30,
    )


def item_counts(stack: Any) -> dict[str, int]:
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.aws.url, region_name=REGION)
    return {
        local_table_name(table): dynamodb.scan(TableName=local_table_name(table), Select="COUNT")["Count"]
        for table in (ACCOUNTS, TRANSACTIONS, RUNS)
    }


def resign(token: str, **changes: Any) -> str:
    """The token's claims with `changes`, signed with the key moto signs every pool's tokens with."""
    claims = {**jwt.decode(token, options={"verify_signature": False}), **changes}
    key = jwt.PyJWK(json.loads(gzip.decompress(MOTO_SIGNING_KEY.read_bytes())))
    return jwt.encode(claims, key.key, algorithm="RS256", headers={"kid": jwt.get_unverified_header(token)["kid"]})


@pytest.fixture
def admin_token(local_stack_auth: Any) -> str:
    return tokens(local_stack_auth, ADMIN)["IdToken"]


@pytest.fixture
def analyst_token(local_stack_auth: Any) -> str:
    return tokens(local_stack_auth, ANALYST)["IdToken"]


@pytest.fixture
def stored(local_stack_auth: Any, admin_token: str) -> dict[str, str]:
    """An account with a transaction, created by the admin."""
    account = call(local_stack_auth, "POST", "/api/accounts", admin_token, ACCOUNT)
    assert account.status_code == 201, account.text
    account_id = account.json()["accountId"]
    body = {"accountId": account_id, "transactionType": "DEPOSIT", "amount": 100}
    transaction = call(local_stack_auth, "POST", "/api/transactions", admin_token, body)
    assert transaction.status_code == 201, transaction.text
    return {"accountId": account_id, "transactionId": transaction.json()["transactionId"]}


def admin_requests(ids: dict[str, str]) -> list[tuple[str, str, Any]]:
    """One request for every route only admins may call, with a valid body."""
    account, transaction = ids["accountId"], ids["transactionId"]
    return [
        ("POST", "/api/accounts", ACCOUNT),
        ("PATCH", f"/api/accounts/{account}", {"name": "Ada King"}),
        ("DELETE", f"/api/accounts/{account}?cascade=true", None),
        ("POST", "/api/transactions", {"accountId": account, "transactionType": "DEPOSIT", "amount": 5}),
        ("PATCH", f"/api/transactions/{transaction}", {"amount": 50}),
        ("DELETE", f"/api/transactions/{transaction}", None),
        ("POST", "/api/executions", None),
        ("POST", "/api/executions/some-run/rerun", None),
        (
            "POST",
            "/api/verdicts",
            {"verdicts": [{"transactionId": transaction, "verdict": "CONFIRMED", "knownAt": "2026-12-01T00:00:00Z"}]},
        ),
    ]


def test_every_admin_route_is_exercised() -> None:
    admin_routes = {key for key, role in ROUTE_ROLES.items() if role is Role.ADMIN}
    exercised = {
        (method, path.split("?")[0].replace("acc_x", "{accountId}").replace("txn_x", "{transactionId}"))
        for method, path, _ in admin_requests({"accountId": "acc_x", "transactionId": "txn_x"})
    }
    exercised = {(m, p.replace("some-run", "{executionId}")) for m, p in exercised}
    assert exercised == admin_routes


def test_health_is_open_without_a_token(local_stack_auth: Any) -> None:
    response = call(local_stack_auth, "GET", "/api/health")
    assert response.status_code == 200, response.text


# The only route anyone may call without signing in: whether the API is up. The API's docs and schema too
# describe a bank's deployment and need a signed-in user.
# The health check, and /api/docs: a redirect to the dashboard's API page, which signs in as the dashboard does.
OPEN_ROUTES = {("GET", "/api/health"), ("GET", "/api/docs")}
CLOSED_ROUTES = sorted(set(ROUTE_ROLES) - OPEN_ROUTES)
IDS = {"{accountId}": "acc_0000000000000000", "{transactionId}": "txn_00000000000000000000", "{executionId}": "run-x"}


def concrete(path: str) -> str:
    for placeholder, value in IDS.items():
        path = path.replace(placeholder, value)
    return path


def test_the_route_table_is_every_route_the_api_serves_and_only_health_and_docs_are_open(api: Any) -> None:
    # This API runs without a state machine, so without the /api/executions routes (the sweeps below cover them).
    served = {route for route in set(ROUTE_ROLES) | PUBLIC_ROUTES if not route[1].startswith("/api/executions")}
    assert api.app.routes() == served
    assert PUBLIC_ROUTES == OPEN_ROUTES


@pytest.mark.parametrize(("method", "path"), CLOSED_ROUTES)
def test_every_closed_route_is_401_without_a_token_and_writes_nothing(
    local_stack_auth: Any, method: str, path: str
) -> None:
    before = item_counts(local_stack_auth)
    body = ACCOUNT if method in ("POST", "PUT", "PATCH") else None
    response = call(local_stack_auth, method, concrete(path), body=body)
    assert response.status_code == 401, response.text
    assert item_counts(local_stack_auth) == before


@pytest.mark.parametrize(("method", "path"), CLOSED_ROUTES)
def test_the_api_itself_refuses_every_closed_route_without_claims(api: Any, method: str, path: str) -> None:
    """Behind a misconfigured gateway that lets a request through unsigned, the API still refuses it."""
    body = ACCOUNT if method in ("POST", "PUT", "PATCH") else None
    reply = api.request(method, concrete(path), json_body=body, claims=None)
    assert reply.status == 401, reply.text
    assert api.get("/api/accounts").json["items"] == []


def test_tokens_the_authorizer_refuses_are_401_and_write_nothing(local_stack_auth: Any, admin_token: str) -> None:
    stack = local_stack_auth
    pool = stack.user_pool
    other = create_user_pool(cognito(stack), stack.aws.url, REGION)
    from_other_pool = tokens(stack, ADMIN, other.passwords[ADMIN], other.client_id)["IdToken"]
    header, payload, signature = admin_token.split(".")
    refused = {
        "garbage": "not-a-jwt",
        "tampered signature": f"{header}.{payload}.{signature[:-4]}AAAA",
        "expired": resign(admin_token, exp=int(time.time()) - 60, iat=int(time.time()) - 3660),
        "other pool": from_other_pool,
        "other pool's issuer, re-signed": resign(from_other_pool, aud=pool.client_id),
        "other client": resign(admin_token, aud="some-other-client"),
        "access token": tokens(stack, ADMIN)["AccessToken"],
    }
    before = item_counts(stack)
    for name, token in refused.items():
        response = call(stack, "POST", "/api/accounts", token, ACCOUNT)
        assert response.status_code == 401, f"{name}: {response.status_code} {response.text}"
    assert call(stack, "POST", "/api/accounts", None, ACCOUNT).status_code == 401
    assert item_counts(stack) == before == {name: 0 for name in before}


def test_a_token_is_accepted_bare_or_as_bearer(local_stack_auth: Any, analyst_token: str) -> None:
    bare = requests.get(f"{local_stack_auth.url}/api/accounts", headers={"Authorization": analyst_token}, timeout=30)
    assert bare.status_code == 200
    assert call(local_stack_auth, "GET", "/api/accounts", analyst_token).status_code == 200


def test_analysts_get_403_on_every_admin_route_and_nothing_is_written(
    local_stack_auth: Any, analyst_token: str, stored: dict[str, str]
) -> None:
    stack = local_stack_auth
    before = item_counts(stack)
    account_before = call(stack, "GET", f"/api/accounts/{stored['accountId']}", analyst_token).json()
    for method, path, body in admin_requests(stored):
        response = call(stack, method, path, analyst_token, body)
        assert response.status_code == 403, f"{method} {path}: {response.status_code} {response.text}"
        assert "admin" in response.json()["message"]
    assert item_counts(stack) == before
    assert call(stack, "GET", f"/api/accounts/{stored['accountId']}", analyst_token).json() == account_before
    assert call(stack, "GET", "/api/executions", analyst_token).json()["items"] == []


def test_analysts_read_everything_and_record_feedback(
    local_stack_auth: Any, analyst_token: str, stored: dict[str, str]
) -> None:
    stack = local_stack_auth
    for path in (
        "/api/accounts",
        f"/api/accounts/{stored['accountId']}",
        "/api/transactions",
        f"/api/transactions/{stored['transactionId']}",
        "/api/anomalies",
        "/api/anomalies/stats",
        "/api/executions",
        "/api/openapi.json",
    ):
        response = call(stack, "GET", path, analyst_token)
        assert response.status_code == 200, f"{path}: {response.text}"
    feedback = call(
        stack, "PUT", f"/api/transactions/{stored['transactionId']}/feedback", analyst_token, {"verdict": "NOT_FRAUD"}
    )
    assert feedback.status_code == 200, feedback.text
    assert feedback.json()["feedback"]["verdict"] == "NOT_FRAUD"


def test_admins_write_and_start_runs(local_stack_auth: Any, admin_token: str, stored: dict[str, str]) -> None:
    stack = local_stack_auth
    account, transaction = stored["accountId"], stored["transactionId"]
    assert call(stack, "PATCH", f"/api/accounts/{account}", admin_token, {"name": "Ada King"}).status_code == 200
    assert call(stack, "PATCH", f"/api/transactions/{transaction}", admin_token, {"amount": 50}).status_code == 200
    feedback = {"verdict": "CONFIRMED"}
    assert call(stack, "PUT", f"/api/transactions/{transaction}/feedback", admin_token, feedback).status_code == 200
    run = call(stack, "POST", "/api/executions", admin_token)
    assert run.status_code == 201, run.text
    assert call(stack, "DELETE", f"/api/transactions/{transaction}", admin_token).status_code == 204
    assert call(stack, "DELETE", f"/api/accounts/{account}", admin_token).status_code == 204
    # The run reads the accounts it found stale; let it finish before the test's backends are emptied.
    execution = run.json()["executionId"]
    deadline = time.monotonic() + 60
    while call(stack, "GET", f"/api/executions/{execution}", admin_token).json()["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the detection run did not finish"
        time.sleep(0.5)


def test_a_user_in_no_group_is_403(local_stack_auth: Any) -> None:
    stack = local_stack_auth
    password = add_user(cognito(stack), stack.user_pool.pool_id, "nobody@isoflow.local", None)
    token = tokens(stack, "nobody@isoflow.local", password)["IdToken"]
    response = call(stack, "GET", "/api/accounts", token)
    assert response.status_code == 403
    assert all(group in response.json()["message"] for group in GROUPS)


def test_the_dashboard_is_told_where_to_sign_in(local_stack_auth: Any) -> None:
    config = requests.get(f"{local_stack_auth.url}/config.json", timeout=30).json()
    pool = local_stack_auth.user_pool
    assert config["auth"] == {
        "userPoolId": pool.pool_id,
        "clientId": pool.client_id,
        "region": REGION,
        "endpoint": local_stack_auth.aws.url,
    }


def test_openapi_documents_the_security_scheme_and_each_routes_401_and_403(
    local_stack_auth: Any, analyst_token: str
) -> None:
    document = call(local_stack_auth, "GET", "/api/openapi.json", analyst_token).json()
    assert document["components"]["securitySchemes"]["cognito"]["scheme"] == "bearer"
    operations = {
        (method.upper(), path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    assert operations[("GET", "/api/health")]["security"] == []
    guarded = {key: op for key, op in operations.items() if key != ("GET", "/api/health")}
    assert set(guarded) <= set(ROUTE_ROLES)
    for key, operation in guarded.items():
        assert operation["security"] == [{"cognito": []}], key
        assert {"401", "403"} <= set(operation["responses"]), key
        assert operation["x-isoflow-role"] == ROUTE_ROLES[key].name.lower()
