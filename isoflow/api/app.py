"""The API application: routers, error mapping, idempotent POSTs, health and the OpenAPI document."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from http import HTTPStatus
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from isoflow.api.auth import PUBLIC_ROUTES, ROUTE_ROLES, AccessError, authorize, caller_from
from isoflow.api.models import ErrorBody, FieldError, Health
from isoflow.runs import Runs
from isoflow.settings import Settings
from isoflow.store.db import RETRYABLE_CODES, Db, error_code
from isoflow.store.errors import (
    BusyError,
    ConflictError,
    InvalidReferenceError,
    NotFoundError,
    RejectedValueError,
    StoreError,
)
from isoflow.store.paging import InvalidCursorError

logger = Logger(service="isoflow")

MAX_BODY_BYTES = 64 * 1024
# No request body of this API nests deeper than a few levels; deeper is an attack on the parser.
MAX_JSON_DEPTH = 32
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
JSON_MEDIA_TYPE = "application/json"
IDEMPOTENCY_HEADER = "Idempotency-Key"

STATUS_BY_ERROR: dict[type[StoreError], HTTPStatus] = {
    NotFoundError: HTTPStatus.NOT_FOUND,
    # A body naming an account that does not exist: 404, naming the field.
    InvalidReferenceError: HTTPStatus.NOT_FOUND,
    # A value that contradicts the stored state, e.g. a currency other than the account's.
    RejectedValueError: HTTPStatus.CONFLICT,
    ConflictError: HTTPStatus.CONFLICT,
    BusyError: HTTPStatus.SERVICE_UNAVAILABLE,
    InvalidCursorError: HTTPStatus.BAD_REQUEST,
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


ERROR_RESPONSES: dict[int, Any] = {
    400: _error("malformed request: invalid JSON, a bad cursor"),
    404: _error("no such item"),
    409: _error("conflicts with the current state"),
    413: _error("request body too large"),
    415: _error("a request body that is not JSON (Content-Type: application/json)"),
    503: _error("too many concurrent writes; nothing was written, retry"),
}


def responses(status: HTTPStatus = HTTPStatus.OK) -> dict[int, Any]:
    """The documented responses of a route: its success (schema from its return type) and the errors."""
    success: dict[str, Any] = {"description": status.phrase}
    if status == HTTPStatus.NO_CONTENT:
        success["content"] = {}
    return {status.value: success, **ERROR_RESPONSES}


page_limit = Annotated[int, Query(ge=1, le=200, description="items per page")]
Cursor = Annotated[
    str | None,
    Query(max_length=4096, pattern=r"^[A-Za-z0-9_-]+$", description="the nextCursor of the previous page"),
]


@dataclass
class Services:
    """What the API talks to; tests build it over moto, the Lambda over the real endpoints."""

    db: Db
    idempotency_table: str
    health_checks: dict[str, Callable[[], None]] = field(default_factory=dict)
    # Detection runs: without a state machine (a bare data API) the /api/executions routes are absent.
    runs: Runs | None = None


class ApiError(Exception):
    def __init__(self, status: HTTPStatus, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def error_response(status: HTTPStatus, message: str, errors: list[FieldError] | None = None) -> Response:
    body = ErrorBody(message=message, errors=errors or [])
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body.model_dump_json())


def _field_name(location: tuple[Any, ...]) -> str:
    # ("body", "amount", "decimal") -> "amount": the field, without pydantic's union branch; a whole-body
    # error -> "body"
    return str(location[1]) if len(location) > 1 else str(location[0]) if location else "body"


def _validation_response(error: RequestValidationError) -> Response:
    problems = error.errors()
    # One message per field: a union reports each branch it tried, and the first is the one that matters.
    messages: dict[str, str] = {}
    for problem in problems:
        messages.setdefault(_field_name(tuple(problem.get("loc", ()))), str(problem.get("msg", "invalid")))
    errors = [FieldError(field=field, message=message) for field, message in messages.items()]
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "request is not valid", errors)


def _plain_response(status: HTTPStatus, message: str, errors: list[FieldError] | None = None) -> dict[str, Any]:
    """A proxy integration result with the error body, for answers given before routing."""
    return {
        "statusCode": status.value,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": ErrorBody(message=message, errors=errors or []).model_dump_json(),
        "isBase64Encoded": False,
    }


def read_json(text: str) -> Any:
    """A request body's JSON, numbers with a fraction as Decimal: an amount keeps the digits the client sent."""
    return json.loads(text, parse_float=Decimal)


class BodyError(Exception):
    def __init__(self, status: HTTPStatus, message: str, field: str = "body") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def _header(event: Mapping[str, Any], name: str) -> str | None:
    return next((str(v) for k, v in (event.get("headers") or {}).items() if k.lower() == name.lower()), None)


def _depth(value: Any) -> int:
    """How deeply a parsed JSON value nests arrays and objects (without recursion)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in children)
    return deepest


def json_body_text(event: Mapping[str, Any]) -> str | None:
    """The body of a request that takes one, as text, once checked to be JSON in UTF-8 nested at most
    MAX_JSON_DEPTH deep; None without a body. Raises BodyError naming what is wrong."""
    raw = event.get("body")
    if event.get("httpMethod") not in BODY_METHODS or not raw:
        return None
    content_type = _header(event, "Content-Type")
    media_type = (content_type or JSON_MEDIA_TYPE).split(";")[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        raise BodyError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"request body must be JSON sent as {JSON_MEDIA_TYPE}, not {media_type or 'an empty type'}",
            "Content-Type",
        )
    text = str(raw)
    if event.get("isBase64Encoded"):
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise BodyError(HTTPStatus.BAD_REQUEST, "request body is not UTF-8 text") from error
    try:
        parsed = read_json(text)
    except RecursionError as error:
        raise BodyError(HTTPStatus.BAD_REQUEST, f"request body nests deeper than {MAX_JSON_DEPTH} levels") from error
    except ValueError as error:
        raise BodyError(HTTPStatus.BAD_REQUEST, "request body is not valid JSON") from error
    if _depth(parsed) > MAX_JSON_DEPTH:
        raise BodyError(HTTPStatus.BAD_REQUEST, f"request body nests deeper than {MAX_JSON_DEPTH} levels")
    return text


class Resolver(APIGatewayRestResolver):
    """Powertools' REST resolver that refuses a caller without the role the route needs, and a body that is
    too large or not JSON, before anything parses the request; a known path asked with a method it does not
    take is a 405."""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        # Not a request at all (a misconfigured integration or a test event): say so, not a KeyError.
        if not isinstance(event, Mapping):
            raise ValueError(f"not an API Gateway REST proxy event: a {type(event).__name__}, not an object")
        for key in ("httpMethod", "path"):
            if not isinstance(event.get(key), str):
                raise ValueError(f"not an API Gateway REST proxy event: no {key!r}")
        try:
            caller = authorize(event)
        except AccessError as error:
            logger.info("request refused", status=error.status.value, reason=error.message)
            return _plain_response(error.status, error.message)
        logger.append_keys(user=caller.subject if caller else None)
        body = event.get("body") or ""
        if len(body) > MAX_BODY_BYTES:
            return _plain_response(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"request body is larger than {MAX_BODY_BYTES} bytes",
                [FieldError(field="body", message="too large")],
            )
        try:
            text = json_body_text(event)
        except BodyError as error:
            logger.info("request refused", status=error.status.value, reason=error.message)
            return _plain_response(error.status, error.message, [FieldError(field=error.field, message=error.message)])
        if text is not None:
            event = {**event, "body": text, "isBase64Encoded": False}
        return super().resolve(event, context)

    def routes(self) -> set[tuple[str, str]]:
        """Every (method, path) the API serves, the path in OpenAPI's syntax (Powertools' route table)."""
        return {(route.method, route.openapi_path) for route in self._static_routes + self._dynamic_routes}

    def allowed_methods(self, path: str) -> list[str]:
        """The methods the routes matching `path` take."""
        routes = self._static_routes + self._dynamic_routes
        return sorted({route.method for route in routes if route.rule.match(path)})


SECURITY_SCHEME = "cognito"
ACCESS_RESPONSES: dict[str, Any] = {
    "401": {
        "description": "no valid ID token (missing, malformed, expired or from another user pool)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    },
    "403": {
        "description": "the signed-in user's group may not do this",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    },
}


def _document_access(document: dict[str, Any]) -> None:
    """Every route but the public ones takes a Cognito ID token and names the role it needs."""
    document["components"].setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A Cognito ID token of the Isoflow user pool. Groups: analysts read and record feedback; "
        "admins also write accounts and transactions and start or rerun detection.",
    }
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if (method.upper(), path) in PUBLIC_ROUTES:
                operation["security"] = []
                continue
            role = ROUTE_ROLES.get((method.upper(), path))
            operation["security"] = [{SECURITY_SCHEME: []}]
            if role is not None:
                operation["x-isoflow-role"] = role.name.lower()
            operation.setdefault("responses", {}).update(ACCESS_RESPONSES)


def openapi_document(app: APIGatewayRestResolver) -> dict[str, Any]:
    """The OpenAPI schema, with validation errors documented as the body the API really sends, and the
    security scheme with each route's 401 and 403."""
    document = json.loads(app.get_openapi_json_schema(title="Isoflow API", version="1.0.0"))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["HTTPValidationError"] = error_schema
    schemas.pop("ValidationError", None)
    _document_access(document)
    return document


DOCS_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Isoflow API</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "openapi.json", dom_id: "#docs"});</script>
<noscript>The schema is at <a href="openapi.json">openapi.json</a>.</noscript>
</body></html>"""


class Idempotency:
    """POSTs with an Idempotency-Key header: a replay returns the first response and writes nothing new. A key
    is the caller's own: another user sending the same key makes a request of their own."""

    def __init__(self, table: str, client: Any) -> None:
        persistence = DynamoDBPersistenceLayer(table_name=table, boto3_client=client)
        config = IdempotencyConfig(
            event_key_jmespath="[route, caller, key]",
            payload_validation_jmespath="body",
            expires_after_seconds=24 * 3600,
        )
        self._run = idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)(
            self._perform
        )
        self._config = config

    @staticmethod
    def _perform(request: dict[str, Any], action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return action()

    def __call__(self, app: BaseRouter, route: str, body: Any, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        key = app.current_event.headers.get(IDEMPOTENCY_HEADER) or app.current_event.headers.get(
            IDEMPOTENCY_HEADER.lower()
        )
        if not key:
            return action()
        if len(key) > 200:
            raise ApiError(HTTPStatus.BAD_REQUEST, "Idempotency-Key is too long", IDEMPOTENCY_HEADER)
        if app.lambda_context is not None:
            self._config.register_lambda_context(app.lambda_context)
        try:
            caller = caller_from(app.current_event.raw_event).subject
            return self._run(request={"route": route, "caller": caller, "key": key, "body": body}, action=action)
        except IdempotencyValidationError as error:
            raise ApiError(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "this Idempotency-Key was used with a different request body",
                IDEMPOTENCY_HEADER,
            ) from error
        except IdempotencyAlreadyInProgressError as error:
            raise ApiError(
                HTTPStatus.CONFLICT, "a request with this Idempotency-Key is in progress", IDEMPOTENCY_HEADER
            ) from error


def services_from_settings(settings: Settings) -> Services:
    """The API's dependencies in a deployment (or the local stack): boto3 clients on the configured names."""
    db = Db.from_settings(settings)
    s3 = boto3.client("s3")
    stepfunctions = boto3.client("stepfunctions")

    def table_check(name: str) -> Callable[[], None]:
        return lambda: db.client.describe_table(TableName=name)

    checks: dict[str, Callable[[], None]] = {
        f"table:{name}": table_check(name)
        for name in (
            settings.accounts_table,
            settings.transactions_table,
            settings.scores_table,
            settings.runs_table,
            settings.idempotency_table,
        )
        if name
    }
    if settings.data_bucket:
        checks[f"bucket:{settings.data_bucket}"] = lambda: s3.head_bucket(Bucket=settings.data_bucket)
    if settings.state_machine_arn:
        checks["stateMachine"] = lambda: stepfunctions.describe_state_machine(
            stateMachineArn=settings.state_machine_arn
        )
    detection_runs = (
        Runs(stepfunctions, db.client, settings.state_machine_arn, settings.runs_table)
        if settings.state_machine_arn and settings.runs_table
        else None
    )
    return Services(db=db, idempotency_table=settings.idempotency_table, health_checks=checks, runs=detection_runs)


def create_app(services: Services) -> Resolver:
    from isoflow.api import accounts, anomalies, executions, transactions

    app = Resolver(enable_validation=True, json_body_deserializer=read_json)
    idempotency = Idempotency(services.idempotency_table, services.db.client)
    app.include_router(accounts.router(services, idempotency))
    app.include_router(transactions.router(services, idempotency))
    app.include_router(anomalies.router(services))
    if services.runs is not None:
        app.include_router(executions.router(services.runs, idempotency))

    @app.exception_handler(RequestValidationError)
    def validation_failed(error: RequestValidationError) -> Response:
        return _validation_response(error)

    @app.exception_handler(StoreError)
    def store_failed(error: StoreError) -> Response:
        status = next(s for kind, s in STATUS_BY_ERROR.items() if isinstance(error, kind))
        if status >= 500:
            logger.warning("request not served", extra={"error": error.message, "field": error.field})
        errors = [FieldError(field=error.field, message=error.message)] if error.field else []
        return error_response(status, error.message, errors)

    @app.exception_handler(ClientError)
    def aws_failed(error: ClientError) -> Response:
        # Throttling that outlasted botocore's retries on a read: the client may retry, as with BusyError.
        if error_code(error) not in RETRYABLE_CODES:
            raise error
        logger.warning("request not served: throttled", extra={"code": error_code(error)})
        return error_response(HTTPStatus.SERVICE_UNAVAILABLE, "the data store is busy, try again")

    @app.exception_handler(ApiError)
    def api_failed(error: ApiError) -> Response:
        errors = [FieldError(field=error.field, message=error.message)] if error.field else []
        return error_response(error.status, error.message, errors)

    @app.not_found
    def not_found(_: Exception) -> Response:
        method, path = app.current_event.http_method, app.current_event.path
        allowed = app.allowed_methods(path)
        if not allowed:
            return error_response(HTTPStatus.NOT_FOUND, f"no route for {method} {path}")
        response = error_response(HTTPStatus.METHOD_NOT_ALLOWED, f"{path} takes {', '.join(allowed)}, not {method}")
        response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.get(
        "/api/health",
        summary="Check every dependency",
        responses={200: {"description": "every dependency answered"}, 503: {"description": "a dependency failed"}},
    )
    def health() -> Response[Health]:
        results = []
        for name, check in services.health_checks.items():
            try:
                check()
                results.append({"name": name, "ok": True})
            except Exception as error:  # a failed dependency is reported, never raised
                logger.warning("health check failed", extra={"dependency": name, "error": str(error)})
                results.append({"name": name, "ok": False, "detail": type(error).__name__})
        healthy = all(r["ok"] for r in results)
        return Response(
            status_code=HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE,
            content_type=content_types.APPLICATION_JSON,
            body=Health.model_validate({"status": "ok" if healthy else "degraded", "dependencies": results}),
        )

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi() -> Response[dict]:
        return Response(200, content_types.APPLICATION_JSON, body=openapi_document(app))

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> Response[str]:
        return Response(200, content_types.TEXT_HTML, body=DOCS_PAGE)

    return app
