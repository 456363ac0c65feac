"""Shared fixtures: the local AWS endpoint and the local stack, on free ports, for integration tests.

Tests stand up AWS in one of two ways, and no other:
- `aws` (tests/integration/conftest.py): moto in-process, every table and the data bucket, for the data
  layer and the API application called directly. Nothing executes state machines or invokes functions.
- `local_aws` (here): the local AWS endpoint that `make run` uses, for anything that runs detection, invokes
  a function or goes over HTTP (`local_stack`, `local_stack_auth`). `detection_stack.py` builds on it.

`local_aws` gives a test a clean local AWS endpoint: moto (DynamoDB, S3, Step Functions executing state
machines) plus Lambda Invoke answered by the registered handlers in-process, every table, the data bucket
and the detection state machine created, and this process's environment pointing at it (AWS_ENDPOINT_URL,
credentials, region, MOTO_PORT and every setting's variable), so boto3 and the handlers use it unchanged:

    def test_scores(local_aws):
        db = Db.from_settings(local_aws.settings)
        ...
        local_aws.register("score-account-batch", failing_detector)  # replaces (or adds) a function
        local_aws.use_tuning(Tuning(tolerated_failure_percentage=50, ...))  # default: TEST_TUNING
        calls = local_aws.record_invocations()  # [(function name, event), ...] from now on
        arn = local_aws.settings.state_machine_arn

`local_stack` adds the HTTP front: `local_stack.url + "/api/health"` reaches the API function through the
API Gateway adapter, and `/` the dashboard build (or the links page).

`local_stack_auth` is the same front with sign-in, as `isoflow local --auth` runs it: a user pool in the
endpoint's Cognito with an analyst and an admin (`local_stack_auth.user_pool.passwords`), the API behind the
Cognito authorizer's checks and the dashboard's /config.json naming the pool.

The servers start once per pytest process (each xdist worker has its own, on free ports); every test gets
empty backends, the registry of `isoflow.functions`, and moto's defaults back afterwards. moto's state is
per process, so `mock_aws` in another test of the same worker empties it too: that is why it is rebuilt for
each test. Wait for the executions a test starts before it ends. Handlers that keep clients from their
first invocation keep this worker's endpoint, which stays the same for the whole session.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from typing import Any

import boto3
import pytest
from hypothesis import settings as hypothesis_settings

from isoflow.functions import FUNCTIONS, FunctionSpec, local_function_name
from isoflow.local.auth import UserPool, create_user_pool
from isoflow.local.aws import MOTO_CONFIG, MOTO_DEFAULTS, LocalAws
from isoflow.local.resources import REGION, bootstrap, detection_definition, function_arn, local_functions
from isoflow.local.server import BackgroundServer
from isoflow.local.stack import http_app
from isoflow.settings import Settings
from isoflow.workflow import Tuning

# Property tests draw the same examples on every run, so a failure found once is found again (and CI never
# fails on a draw a local run did not make); their example database is off for the same reason.
hypothesis_settings.register_profile("isoflow", derandomize=True, database=None)
hypothesis_settings.load_profile("isoflow")

# Step Functions waits out Retry intervals in real time: keep them at their minimum in tests. The local
# endpoint's indexes never lag, and tests run detection right after writing.
TEST_TUNING = Tuning(retry_interval_s=1, retry_max_delay_s=1, retry_max_attempts=2, task_timeout_s=60, index_lag_s=0)


@dataclass(frozen=True)
class InlineFunction(FunctionSpec):
    """A function spec whose handler is a Python callable (a test's fake), not an importable path."""

    function: Callable[[Any, Any], Any] | None = None

    def load(self) -> Callable[[Any, Any], Any]:
        assert self.function is not None
        return self.function


@dataclass(frozen=True)
class RecordedFunction(FunctionSpec):
    """A function spec that records each invocation's event before its own handler runs."""

    inner: FunctionSpec | None = None
    calls: list[tuple[str, Any]] | None = None

    def load(self) -> Callable[[Any, Any], Any]:
        assert self.inner is not None and self.calls is not None
        inner, calls = self.inner, self.calls

        def recorded(event: Any, context: Any) -> Any:
            calls.append((context.function_name, event))
            return inner.load()(event, context)

        return recorded


@dataclass(frozen=True)
class LocalAwsEndpoint:
    server: LocalAws
    settings: Settings

    @property
    def url(self) -> str:
        return self.server.url

    def register(self, name: str, handler: Callable[[Any, Any], Any], timeout_s: int = 30) -> str:
        """Makes Lambda Invoke of `name` (physical name "isoflow-<name>") run `handler`; returns its ARN."""
        spec = InlineFunction(
            name=name,
            handler=f"{handler.__module__}.{handler.__qualname__}",
            bundle="api",
            settings=(),
            timeout_s=timeout_s,
            function=handler,
        )
        physical = local_function_name(spec)
        self.server.functions[physical] = spec
        return function_arn(physical)

    def record_invocations(self) -> list[tuple[str, Any]]:
        """From now on, every invocation's (physical name, event) in order; the functions run as before.
        (A function registered afterwards is not recorded.)"""
        calls: list[tuple[str, Any]] = []
        for physical, spec in list(self.server.functions.items()):
            base = {f.name: getattr(spec, f.name) for f in fields(FunctionSpec)}
            self.server.functions[physical] = RecordedFunction(**base, inner=spec, calls=calls)
        return calls

    def use_tuning(self, tuning: Tuning) -> None:
        """Redefines the detection state machine with `tuning` (batch size, retries, tolerated failures)."""
        boto3.client("stepfunctions").update_state_machine(
            stateMachineArn=self.settings.state_machine_arn, definition=json.dumps(detection_definition(tuning))
        )


@dataclass(frozen=True)
class LocalStackEndpoints:
    aws: LocalAwsEndpoint
    url: str  # the HTTP front, e.g. http://127.0.0.1:41234 (API under /api)


@pytest.fixture(scope="session")
def local_aws_session() -> boto3.Session:
    """One session for the fixtures' own calls: a session loads the service models once, for its clients."""
    return boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)


@pytest.fixture(scope="session")
def local_aws_server() -> Iterator[LocalAws]:
    server = LocalAws("127.0.0.1", 0, local_functions(FUNCTIONS))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def local_aws(
    local_aws_server: LocalAws, local_aws_session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalAwsEndpoint]:
    """A clean local AWS endpoint with every resource created; see the module's docstring."""
    for name, value in local_aws_server.environment().items():
        monkeypatch.setenv(name, value)
    functions = local_aws_server.functions
    functions.clear()
    functions.update(local_functions(FUNCTIONS))
    local_aws_server.reset()
    local_aws_server.configure(MOTO_CONFIG)
    settings = bootstrap(local_aws_session, detection_definition(TEST_TUNING))
    for name, value in settings.as_environment().items():
        monkeypatch.setenv(name, value)
    yield LocalAwsEndpoint(local_aws_server, settings)
    local_aws_server.configure(MOTO_DEFAULTS)
    functions.clear()
    functions.update(local_functions(FUNCTIONS))


@pytest.fixture(scope="session")
def local_http_server(local_aws_server: LocalAws) -> Iterator[BackgroundServer]:
    server = BackgroundServer(http_app(local_aws_server.functions), "127.0.0.1", 0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def local_stack(local_aws: LocalAwsEndpoint, local_http_server: BackgroundServer) -> LocalStackEndpoints:
    """`local_aws` plus the HTTP front (API Gateway adapter and site); see the module's docstring."""
    return LocalStackEndpoints(aws=local_aws, url=local_http_server.url)


@dataclass(frozen=True)
class LocalStackWithAuth(LocalStackEndpoints):
    user_pool: UserPool


@pytest.fixture
def local_stack_auth(local_aws: LocalAwsEndpoint, local_aws_session: boto3.Session) -> Iterator[LocalStackWithAuth]:
    """`local_aws` plus an HTTP front that requires sign-in; see the module's docstring."""
    pool = create_user_pool(local_aws_session.client("cognito-idp", endpoint_url=local_aws.url), local_aws.url, REGION)
    server = BackgroundServer(http_app(local_aws.server.functions, user_pool=pool), "127.0.0.1", 0)
    server.start()
    yield LocalStackWithAuth(aws=local_aws, url=server.url, user_pool=pool)
    server.stop()
