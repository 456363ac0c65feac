"""API Gateway's REST proxy integration, locally: an HTTP request under /api becomes the v1 proxy event the
API function receives in AWS (resource `/api/{proxy+}`), and the function's answer becomes the HTTP response.
With a Cognito authorizer, every route but the health check first needs a verified ID token, as in AWS.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from isoflow.api.auth import is_public
from isoflow.functions import FunctionSpec
from isoflow.local import logger
from isoflow.local.auth import LOCAL_ADMINISTRATOR, CognitoAuthorizer, Unauthorized
from isoflow.local.lambda_invoke import invoke
from isoflow.local.resources import ACCOUNT_ID

API_PREFIX = "/api"
PROXY_RESOURCE = f"{API_PREFIX}/{{proxy+}}"
STAGE = "local"
API_ID = "local"
# API Gateway itself accepts 10 MB; the API's limit is 1 MiB and it is enforced here as well, before the
# body reaches the function, as a deployment would with a request validator.
MAX_BODY_BYTES = 1024 * 1024


def _single_and_multi(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """API Gateway's two views of repeated names: the last value, and every value. Both null when empty."""
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    if not multi:
        return None, None
    return {name: values[-1] for name, values in multi.items()}, multi


def proxy_event(
    request: Request, request_id: str, body: bytes, claims: Mapping[str, str] | None = LOCAL_ADMINISTRATOR
) -> dict[str, Any]:
    """The REST API (v1) Lambda proxy event for `request`, with the authorizer's `claims` (without sign-in,
    the local administrator's; None for a route without an authorizer)."""
    headers, multi_headers = _single_and_multi(request.headers.items())
    query, multi_query = _single_and_multi(request.args.items(multi=True))
    path = request.path
    proxy = path[len(API_PREFIX) + 1 :] if path.startswith(f"{API_PREFIX}/") else None
    try:
        text: str | None = body.decode() if body else None
        is_base64 = False
    except UnicodeDecodeError:
        text, is_base64 = base64.b64encode(body).decode(), True
    now = datetime.now(UTC)
    return {
        "resource": PROXY_RESOURCE if proxy is not None else API_PREFIX,
        "path": path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": {"proxy": proxy} if proxy is not None else None,
        "stageVariables": None,
        "body": text,
        "isBase64Encoded": is_base64,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": request.host,
            "httpMethod": request.method,
            "identity": {"sourceIp": request.remote_addr, "userAgent": request.user_agent.string or None},
            "path": f"/{STAGE}{path}",
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "requestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "resourcePath": PROXY_RESOURCE if proxy is not None else API_PREFIX,
            "stage": STAGE,
            **({"authorizer": {"claims": dict(claims)}} if claims is not None else {}),
        },
    }


def http_response(result: Any) -> Response:
    """The HTTP response for a proxy integration result; a malformed result is API Gateway's 502."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        raise ValueError(f"malformed Lambda proxy response: {str(result)[:200]}")
    body = result.get("body") or ""
    content = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = Response(content, status=result["statusCode"])
    response.headers.clear()
    multi = result.get("multiValueHeaders") or {}
    for name, values in multi.items():
        for value in values:
            response.headers.add(name, str(value))
    for name, value in (result.get("headers") or {}).items():
        if name not in multi:
            response.headers.add(name, str(value))
    return response


def _gateway_error(status: int, message: str, request_id: str, field: str | None = None) -> Response:
    errors = [{"field": field, "message": message}] if field else []
    return Response(
        json.dumps({"message": message, "errors": errors}),
        status=status,
        content_type="application/json",
        headers={"x-amzn-RequestId": request_id},
    )


class ApiGateway:
    """WSGI: every request is proxied to the function `name`, looked up in `functions` (physical name ->
    spec) per request and run in-process; with an `authorizer`, only requests it lets through."""

    def __init__(
        self, name: str, functions: Mapping[str, FunctionSpec], authorizer: CognitoAuthorizer | None = None
    ) -> None:
        self.name = name
        self.functions = functions
        self.authorizer = authorizer

    def claims(self, request: Request) -> Mapping[str, str] | None:
        """What the authorizer passes on; Unauthorized for a request it refuses."""
        if self.authorizer is None:
            return LOCAL_ADMINISTRATOR
        if is_public(request.method, request.path):
            return None
        return self.authorizer.claims(request.headers.get("Authorization"))

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        started = time.monotonic()
        response = self.answer(request)
        logger.info(
            "api request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            ms=round((time.monotonic() - started) * 1000, 1),
        )
        return response(environ, start_response)

    def answer(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        too_large = f"Request body must be at most {MAX_BODY_BYTES} bytes"
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return _gateway_error(413, too_large, request_id, field="body")
        # Bounded read: a chunked body has no length to check up front.
        body = request.stream.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            return _gateway_error(413, too_large, request_id, field="body")
        try:
            claims = self.claims(request)
        except Unauthorized as error:
            logger.info("request not authorized", path=request.path, reason=str(error))
            return _gateway_error(401, "Unauthorized", request_id)
        spec = self.functions.get(self.name)
        if spec is None:
            logger.error("the API function is not registered", function=self.name)
            return _gateway_error(502, "Internal server error", request_id)
        invocation = invoke(self.name, spec, proxy_event(request, request_id, body, claims))
        if invocation.error:
            return _gateway_error(502, "Internal server error", request_id)
        try:
            response = http_response(json.loads(invocation.payload))
        except ValueError:
            logger.exception("malformed response from the API function", function=self.name)
            return _gateway_error(502, "Internal server error", request_id)
        response.headers["x-amzn-RequestId"] = request_id
        return response
