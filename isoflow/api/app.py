"""The API application: wires the routers, the error mapping, health and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

import boto3
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from botocore.exceptions import ClientError

from isoflow.api import accounts, activity, anomalies, audit, executions, model, transactions
from isoflow.api.idempotency import Idempotency
from isoflow.api.models import FieldError, Health
from isoflow.api.openapi import DOCS_PAGE, openapi_document
from isoflow.api.resolver import Resolver, read_json
from isoflow.api.responses import STATUS_BY_ERROR, ApiError, error_response, validation_response
from isoflow.api.services import Services
from isoflow.detection.files import PopulationFiles, VerdictModelFiles
from isoflow.observability import logger
from isoflow.runs import Runs
from isoflow.settings import Settings
from isoflow.store.db import RETRYABLE_CODES, Db, error_code
from isoflow.store.errors import RunInProgressError, StoreError


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
            settings.audit_table,
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
    return Services(
        db=db,
        idempotency_table=settings.idempotency_table,
        health_checks=checks,
        runs=detection_runs,
        population_files=PopulationFiles(s3, settings.data_bucket) if settings.data_bucket else None,
        verdict_files=VerdictModelFiles(s3, settings.data_bucket) if settings.data_bucket else None,
    )


def create_app(services: Services) -> Resolver:
    app = Resolver(enable_validation=True, json_body_deserializer=read_json)
    idempotency = Idempotency(services.idempotency_table, services.db.client)
    app.include_router(accounts.router(services, idempotency))
    app.include_router(transactions.router(services, idempotency))
    app.include_router(anomalies.router(services))
    app.include_router(activity.router(services))
    app.include_router(audit.router(services))
    app.include_router(model.router(services))
    if services.runs is not None:
        app.include_router(executions.router(services.runs, idempotency))

    @app.exception_handler(RequestValidationError)
    def validation_failed(error: RequestValidationError) -> Response:
        return validation_response(error)

    @app.exception_handler(StoreError)
    def store_failed(error: StoreError) -> Response:
        status = next(s for kind, s in STATUS_BY_ERROR.items() if isinstance(error, kind))
        if status >= 500:
            logger.warning("request not served", extra={"error": error.message, "field": error.field})
        errors = [FieldError(field=error.field, message=error.message)] if error.field else []
        running = error.execution_id if isinstance(error, RunInProgressError) else None
        return error_response(status, error.message, errors, execution_id=running)

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
        # The reference is the dashboard's API page, served with the site (no CDN) and signed in as its user.
        return Response(HTTPStatus.FOUND, content_types.TEXT_PLAIN, body="See /docs", headers={"Location": DOCS_PAGE})

    return app
