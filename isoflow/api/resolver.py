"""The request gate: who may call, and a body that is JSON of a sane size, before any route runs."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from decimal import Decimal
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow.api.auth import AccessError, authorize
from isoflow.api.models import FieldError
from isoflow.api.responses import plain_response
from isoflow.observability import logger

MAX_BODY_BYTES = 64 * 1024
# No request body of this API nests deeper than a few levels; deeper is an attack on the parser.
MAX_JSON_DEPTH = 32
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
JSON_MEDIA_TYPE = "application/json"


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
            return plain_response(error.status, error.message)
        logger.thread_safe_append_keys(user=caller.subject if caller else None)
        body = event.get("body") or ""
        if len(body) > MAX_BODY_BYTES:
            return plain_response(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"request body is larger than {MAX_BODY_BYTES} bytes",
                [FieldError(field="body", message="too large")],
            )
        try:
            text = json_body_text(event)
        except BodyError as error:
            logger.info("request refused", status=error.status.value, reason=error.message)
            return plain_response(error.status, error.message, [FieldError(field=error.field, message=error.message)])
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
