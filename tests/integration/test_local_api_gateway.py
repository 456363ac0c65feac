"""The local HTTP front turns requests under /api into API Gateway REST proxy events for the API function and
its answers into HTTP responses."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests

from isoflow.local.api_gateway import MAX_BODY_BYTES


@pytest.fixture
def recorded(local_stack) -> list[dict[str, Any]]:
    """Replaces the API function with one that records each event and answers 200 with it."""
    events: list[dict[str, Any]] = []

    def api(event: dict[str, Any], context: Any) -> dict[str, Any]:
        events.append(event)
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": json.dumps({"path": event["path"]}),
            "isBase64Encoded": False,
        }

    local_stack.aws.register("api", api)
    return events


def test_a_request_becomes_a_rest_proxy_event(local_stack, recorded):
    response = requests.post(
        f"{local_stack.url}/api/transactions?accountId=acc_1&tag=a&tag=b",
        data=json.dumps({"amount": 12.5}),
        headers={"Content-Type": "application/json", "X-Trace": "t-1", "Idempotency-Key": "k-1"},
        timeout=30,
    )

    assert response.status_code == 200
    assert response.json() == {"path": "/api/transactions"}
    [event] = recorded
    assert event["resource"] == "/api/{proxy+}"
    assert event["path"] == "/api/transactions"
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"proxy": "transactions"}
    assert event["queryStringParameters"] == {"accountId": "acc_1", "tag": "b"}
    assert event["multiValueQueryStringParameters"] == {"accountId": ["acc_1"], "tag": ["a", "b"]}
    assert event["headers"]["Idempotency-Key"] == "k-1"
    assert event["multiValueHeaders"]["X-Trace"] == ["t-1"]
    assert json.loads(event["body"]) == {"amount": 12.5}
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "local"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestId"] == response.headers["x-amzn-RequestId"]


def test_a_request_without_query_or_body_has_nulls_like_api_gateway(local_stack, recorded):
    requests.get(f"{local_stack.url}/api/health", timeout=30)

    [event] = recorded
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["body"] is None


def test_a_binary_body_arrives_base64_encoded(local_stack, recorded):
    requests.put(f"{local_stack.url}/api/files/x", data=b"\xff\x00\xfe", timeout=30)

    [event] = recorded
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00\xfe"


def test_the_functions_answer_becomes_the_http_response(local_stack, recorded):
    response = requests.get(f"{local_stack.url}/api/anything", timeout=30)

    assert response.headers["Content-Type"] == "application/json"
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]


def test_a_base64_encoded_answer_is_decoded(local_stack):
    local_stack.aws.register(
        "api",
        lambda event, context: {
            "statusCode": 201,
            "headers": {"Content-Type": "application/octet-stream"},
            "body": base64.b64encode(b"\x00\x01binary").decode(),
            "isBase64Encoded": True,
        },
    )

    response = requests.get(f"{local_stack.url}/api/export", timeout=30)

    assert response.status_code == 201
    assert response.content == b"\x00\x01binary"


def test_a_body_over_the_limit_is_413_and_never_reaches_the_function(local_stack, recorded):
    response = requests.post(f"{local_stack.url}/api/accounts", data=b"x" * (MAX_BODY_BYTES + 1), timeout=30)

    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "body"
    assert recorded == []


def test_a_failing_function_is_502_like_api_gateway(local_stack):
    def broken(event: Any, context: Any) -> dict:
        raise RuntimeError("bug")

    local_stack.aws.register("api", broken)

    response = requests.get(f"{local_stack.url}/api/accounts", timeout=30)

    assert response.status_code == 502
    assert response.json()["message"] == "Internal server error"


def test_a_malformed_answer_is_502(local_stack):
    local_stack.aws.register("api", lambda event, context: {"body": "no status code"})

    assert requests.get(f"{local_stack.url}/api/accounts", timeout=30).status_code == 502


def test_the_api_function_answers_through_the_adapter(local_stack):
    response = requests.get(f"{local_stack.url}/api/health", timeout=60)

    assert response.status_code == 200, response.text
    assert all(dependency["ok"] for dependency in response.json()["dependencies"])
