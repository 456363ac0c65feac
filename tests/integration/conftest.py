"""Fixtures for tests against moto in-process: the local resources, the data layer and the API handler."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
import schemathesis
from hypothesis import strategies as st
from moto import mock_aws
from schemathesis.specs.openapi.formats import unregister_string_format
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from isoflow.api.app import create_app, services_from_settings
from isoflow.functions import API
from isoflow.local.api_gateway import proxy_event
from isoflow.local.auth import LOCAL_ADMINISTRATOR
from isoflow.local.lambda_invoke import LambdaContext
from isoflow.local.resources import bootstrap
from isoflow.settings import Settings
from isoflow.store.db import Db


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """moto in-process with every table and the data bucket created; yields the settings naming them."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield bootstrap(boto3.Session(), None)


@pytest.fixture
def schema_date_times() -> Iterator[None]:
    """schemathesis draws date-times from 1000 to a day from now, with offsets: the schema says a
    transaction's time is at most a day after now (which JSON Schema cannot express), and the API refuses
    later ones, so data the schema allows is data the API accepts."""
    utc_now = datetime.now(UTC)
    offsets = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))])
    moments = st.datetimes(
        min_value=datetime(1000, 1, 2), max_value=utc_now.replace(tzinfo=None) + timedelta(hours=20), timezones=offsets
    )
    schemathesis.openapi.format("date-time", moments.map(lambda moment: moment.isoformat()))
    yield
    unregister_string_format("date-time")


@pytest.fixture
def db(aws: Settings) -> Db:
    return Db.from_settings(aws, boto3.client("dynamodb"))


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


class ApiClient:
    """Calls the API application with the REST proxy events API Gateway would send."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(services_from_settings(settings))

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: str | bytes | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        claims: Mapping[str, str] | None = LOCAL_ADMINISTRATOR,
    ) -> Reply:
        body = json.dumps(json_body) if json_body is not None else data
        builder = EnvironBuilder(
            method=method,
            path=path,
            query_string={k: v for k, v in (query or {}).items() if v is not None},
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        request = Request(builder.get_environ())
        event = proxy_event(request, "test-request", request.get_data(), claims)
        context = LambdaContext(function_name="isoflow-api", memory_limit_in_mb=API.memory_mb, timeout_s=API.timeout_s)
        result = self.app.resolve(event, context)
        headers_out = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers_out[name.lower()] = values[-1]
        return Reply(result["statusCode"], headers_out, result.get("body") or "")

    def get(self, path: str, **query: Any) -> Reply:
        return self.request("GET", path, query=query)

    def post(self, path: str, body: Any, **kwargs: Any) -> Reply:
        return self.request("POST", path, json_body=body, **kwargs)

    def patch(self, path: str, body: Any) -> Reply:
        return self.request("PATCH", path, json_body=body)

    def delete(self, path: str, **query: Any) -> Reply:
        return self.request("DELETE", path, query=query)


@pytest.fixture
def api(aws: Settings) -> ApiClient:
    return ApiClient(aws)
