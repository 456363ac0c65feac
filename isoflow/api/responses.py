"""What the API answers when something is wrong, and what it documents it answers."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from isoflow.api.models import ErrorBody, FieldError
from isoflow.store.errors import (
    BusyError,
    ConflictError,
    InvalidReferenceError,
    NotFoundError,
    RejectedValueError,
    StoreError,
)
from isoflow.store.paging import InvalidCursorError

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


class ApiError(Exception):
    def __init__(self, status: HTTPStatus, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def error_body(message: str, errors: list[FieldError] | None = None, execution_id: str | None = None) -> str:
    """The JSON of every error answer; `executionId` only where a start waits for a run in progress."""
    return ErrorBody(message=message, errors=errors or [], executionId=execution_id).model_dump_json(exclude_none=True)


def error_response(
    status: HTTPStatus, message: str, errors: list[FieldError] | None = None, execution_id: str | None = None
) -> Response:
    body = error_body(message, errors, execution_id)
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def _field_name(location: tuple[Any, ...]) -> str:
    # ("body", "amount", "decimal") -> "amount": the field, without pydantic's union branch; a whole-body
    # error -> "body"
    return str(location[1]) if len(location) > 1 else str(location[0]) if location else "body"


def validation_response(error: RequestValidationError) -> Response:
    problems = error.errors()
    # One message per field: a union reports each branch it tried, and the first is the one that matters.
    messages: dict[str, str] = {}
    for problem in problems:
        messages.setdefault(_field_name(tuple(problem.get("loc", ()))), str(problem.get("msg", "invalid")))
    errors = [FieldError(field=field, message=message) for field, message in messages.items()]
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "request is not valid", errors)


def plain_response(status: HTTPStatus, message: str, errors: list[FieldError] | None = None) -> dict[str, Any]:
    """A proxy integration result with the error body, for answers given before routing."""
    return {
        "statusCode": status.value,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": error_body(message, errors),
        "isBase64Encoded": False,
    }
