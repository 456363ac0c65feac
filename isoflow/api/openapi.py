"""The OpenAPI document the API serves, and the page that shows it."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from isoflow.api.auth import PUBLIC_ROUTES, ROUTE_ROLES
from isoflow.api.models import ErrorBody

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
    # Powertools' ValidationError is replaced by the ErrorBody above, and so is the ResponseValidationError
    # that refers to it: the API does not validate its own responses, so no route answers with it.
    schemas.pop("ValidationError", None)
    schemas.pop("ResponseValidationError", None)
    _document_access(document)
    return document


# The API's reference: the dashboard's page that draws the OpenAPI document with Swagger UI.
DOCS_PAGE = "/docs"
