"""Idempotent POSTs: a replayed Idempotency-Key returns the first response."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from isoflow.api.auth import caller_from
from isoflow.api.responses import ApiError

IDEMPOTENCY_HEADER = "Idempotency-Key"


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
