"""DynamoDB's JSON on the wire for the local endpoint, read and written as JSON.

moto parses every request and serialises every response by walking the service model, shape by shape, about
2 ms per item for the items a Query returns or a BatchWriteItem carries: more than storing or finding them.
DynamoDB's protocol is plain JSON with every attribute value typed ({"S": ...}, {"N": "12.50"}, ...), so for
the item operations a request's JSON is already what moto's handler reads and a result's JSON is already the
response. Binary values (base64 on the wire, bytes inside moto) and timestamps (in the table descriptions
that PutItem or Query never return) still go through moto's parser and serialiser.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.request import Request
from moto.core.responses import ActionContext, ActionResult, BaseResponse
from moto.dynamodb.responses import DynamoHandler, DynamoResult

ITEM_OPERATIONS = frozenset(
    {
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "TransactWriteItems",
        "UpdateItem",
    }
)
BINARY_TYPES = frozenset({"B", "BS"})

MOTO_PARSE_PARAMETERS = DynamoHandler.parse_parameters
MOTO_EXECUTE_RESULT = DynamoResult.execute_result


class NotPlainJson(Exception):
    """A value JSON carries differently from how moto holds it (bytes, timestamps)."""


def _plain(value: Any) -> Any:
    """`value` as JSON would carry it: numbers inside {"N": ...} as strings, absent members left out."""
    if isinstance(value, dict):
        plain: dict[str, Any] = {}
        for key, child in value.items():
            if child is None:
                continue
            if key in BINARY_TYPES:
                raise NotPlainJson(key)
            if key == "N" and not isinstance(child, str):
                plain[key] = str(child)
            elif key == "NS":
                plain[key] = [str(number) for number in child]
            else:
                plain[key] = _plain(child)
        return plain
    if isinstance(value, list):
        return [_plain(child) for child in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise NotPlainJson(type(value).__name__)


def parse_parameters(self: BaseResponse, request: Request) -> None:
    # A binary value is a "B" or "BS" key; a body without either string has none (one with it, perhaps as
    # an attribute's name or value, goes to moto's parser, which is right either way).
    data = request.data or b"{}"
    if self._get_action() in ITEM_OPERATIONS and b'"B"' not in data and b'"BS"' not in data:
        self.params = json.loads(data)
        return
    MOTO_PARSE_PARAMETERS(self, request)


def _json_body(result: Any) -> str | None:
    try:
        return json.dumps(_plain(result))
    except NotPlainJson:
        return None


def execute_result(self: ActionResult, context: ActionContext) -> tuple[int, dict[str, Any], str | bytes]:
    if context.operation_model.name in ITEM_OPERATIONS and not isinstance(self.result, Exception):
        body = _json_body(self.result)
        if body is not None:
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
    return MOTO_EXECUTE_RESULT(self, context)


# (class, method, replacement) for isoflow.local.dynamodb.install: reading requests, writing responses.
REPLACEMENTS = (
    (DynamoHandler, "parse_parameters", parse_parameters),
    (DynamoResult, "execute_result", execute_result),
)
