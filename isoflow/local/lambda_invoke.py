"""Lambda's Invoke API, answered by running the registered handler in this process.

`LambdaInvokeLayer` sits in front of moto's app: `POST /2015-03-31/functions/{name}/invocations` runs the
handler with a Lambda-like context and answers the way Lambda does (a handler's exception is a 200 with
`X-Amz-Function-Error: Unhandled` and an `errorMessage`/`errorType`/`stackTrace` body), so Step Functions'
Retry and Catch see the same errors as in AWS. Every other request goes on to moto.

Handlers run in this process, one event at a time per function, except the functions named for
`ProcessEnvironments`: those are CPU-bound (the detector fits a forest per account), and in one process every
handler shares one interpreter lock, so two detector batches would take turns with each other and with the
API's answers. In AWS each concurrent invocation has an environment, and CPU, of its own; locally a few
worker processes stand in for them.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from werkzeug.wrappers import Request, Response

from isoflow.functions import FunctionSpec, local_function_name
from isoflow.local import logger
from isoflow.local.resources import function_arn

INVOKE_PATH = re.compile(r"/2015-03-31/functions/(?P<function>[^/]+)/invocations")
# Lambda's payload limits: 6 MB for a synchronous request or response, 256 KB for an asynchronous event.
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 256 * 1024


@dataclass
class LambdaContext:
    """The attributes of the Python runtime's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    identity: Any = None
    client_context: Any = None
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return function_arn(self.function_name)

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[$LATEST]{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.timeout_s - time.monotonic()) * 1000))


@dataclass(frozen=True)
class Invocation:
    """What Lambda answers: the response payload, and `error` set when the function failed."""

    payload: bytes
    error: str | None = None


def _json_default(value: Any) -> Any:
    # The Python runtime serialises Decimal (what boto3's DynamoDB layer returns) as a number.
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _error(error_type: str, message: str, stack: list[str] | None = None) -> Invocation:
    body = {"errorMessage": message, "errorType": error_type, "stackTrace": stack or []}
    return Invocation(payload=json.dumps(body).encode(), error="Unhandled")


# One execution environment per function: Lambda hands an environment one event at a time, and handlers
# (Powertools' resolver among them) keep per-request state on module-level objects.
_environments: dict[str, threading.Lock] = {}


def invoke(name: str, spec: FunctionSpec, event: Any) -> Invocation:
    """Runs the function's handler once, as Lambda would, and never raises for the handler's failures."""
    # setdefault is atomic: two first invocations at once still share one lock.
    with _environments.setdefault(name, threading.Lock()):
        return _run(name, spec, event)


def _run(name: str, spec: FunctionSpec, event: Any) -> Invocation:
    context = LambdaContext(function_name=name, memory_limit_in_mb=spec.memory_mb, timeout_s=spec.timeout_s)
    try:
        result = spec.load()(event, context)
    except Exception as error:
        # One readable line; the stack trace goes back to the caller, and so to the run's page.
        first = str(error).splitlines()[0] if str(error) else ""
        logger.error("function failed", function=name, error=f"{type(error).__name__}: {first}"[:300])
        return _error(type(error).__name__, str(error), traceback.format_tb(error.__traceback__))
    elapsed = time.monotonic() - context.started
    if elapsed > spec.timeout_s:
        # The work is done, but Lambda would have stopped the function and reported a timeout instead.
        logger.error("function timed out", function=name, request_id=context.aws_request_id, seconds=elapsed)
        return _error("Sandbox.Timedout", f"Task timed out after {spec.timeout_s:.2f} seconds")
    try:
        payload = json.dumps(result, default=_json_default).encode()
    except (TypeError, ValueError) as error:
        logger.exception("function result is not JSON", function=name, request_id=context.aws_request_id)
        return _error("Runtime.MarshalError", f"Unable to marshal response: {error}")
    if len(payload) > SYNC_PAYLOAD_LIMIT:
        return _error("Function.ResponseSizeTooLarge", f"Response payload size ({len(payload)} bytes) exceeded")
    return Invocation(payload=payload)


class ProcessEnvironments:
    """Execution environments in worker processes for the functions `specs`, `size` of them: each worker takes
    one event at a time, as a Lambda environment does, and keeps what its handler loaded, as a warm one does.
    `start()` starts the workers with this process's environment (so their boto3 reaches the local endpoint as
    the in-process handlers' does), each loading the handlers first; `close()` stops them."""

    def __init__(self, specs: Iterable[FunctionSpec], size: int) -> None:
        self.specs = {local_function_name(spec): spec for spec in specs}
        self.size = size
        self._pool: Any = None
        self._lock = threading.Lock()

    def runs(self, name: str, spec: FunctionSpec) -> bool:
        # Only the spec it was given: a worker loads the handler by its module path. (Another spec under the
        # same name, such as the local failure switch's, carries state of this process, and runs here.)
        return self.specs.get(name) == spec and type(spec) is FunctionSpec

    def start(self) -> None:
        with self._lock:
            if self._pool is None:
                handlers = [spec.handler for spec in self.specs.values()]
                self._pool = multiprocessing.get_context("spawn").Pool(self.size, _load, (handlers,))

    def invoke(self, name: str, spec: FunctionSpec, event: Any) -> Invocation:
        self.start()
        result = self._pool.apply_async(_run, (name, spec, event))
        # A worker that dies takes its event with it and the pool starts another: Lambda calls that a timeout.
        try:
            return result.get(timeout=spec.timeout_s + WORKER_GRACE_S)
        except multiprocessing.TimeoutError:
            logger.error("function timed out", function=name, seconds=spec.timeout_s)
            return _error("Sandbox.Timedout", f"Task timed out after {spec.timeout_s:.2f} seconds")

    def close(self) -> None:
        """Stops the workers, and with them any invocation still running."""
        with self._lock:
            if self._pool is not None:
                self._pool.terminate()
                self._pool.join()
                self._pool = None


def _load(handlers: list[str]) -> None:
    """A worker's start: its handlers' modules loaded before the first event, as a provisioned environment's.
    Ctrl-C reaches every process of the terminal's group, but the local system stops its workers itself; and
    a worker whose local system was killed ends with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()
    for handler in handlers:
        importlib.import_module(handler.rsplit(".", 1)[0])


def _exit_with_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is not None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)


# How long past its timeout an invocation in a worker is waited for (the worker's own check answers first).
WORKER_GRACE_S = 5


def function_name_from(identifier: str) -> str:
    """The function name in any form Invoke accepts: name, name:qualifier, partial or full ARN."""
    parts = identifier.split(":")
    if parts[0] == "arn":
        parts = parts[6:]
    elif len(parts) > 2 and parts[1] == "function":
        parts = parts[2:]
    return parts[0]


def _service_error(status: int, error_type: str, message: str) -> Response:
    return Response(
        json.dumps({"Type": "User", "message": message}),
        status=status,
        headers={"x-amzn-ErrorType": error_type},
        content_type="application/json",
    )


class LambdaInvokeLayer:
    """WSGI: answers Lambda Invoke for the functions in `functions` (physical name -> spec); the local stack
    has one version of each, so any qualifier runs it. Everything else goes to `backend` (moto)."""

    def __init__(
        self,
        backend: Callable,
        functions: Mapping[str, FunctionSpec],
        processes: ProcessEnvironments | None = None,
    ) -> None:
        self.backend = backend
        self.functions = functions
        self.processes = processes

    def invoke(self, name: str, spec: FunctionSpec, event: Any) -> Invocation:
        if self.processes is not None and self.processes.runs(name, spec):
            return self.processes.invoke(name, spec, event)
        return invoke(name, spec, event)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        match = INVOKE_PATH.fullmatch(request.path)
        if request.method != "POST" or not match:
            return self.backend(environ, start_response)
        return self.answer(request, match["function"])(environ, start_response)

    def answer(self, request: Request, identifier: str) -> Response:
        name = function_name_from(identifier)
        spec = self.functions.get(name)
        if spec is None:
            return _service_error(404, "ResourceNotFoundException", f"Function not found: {function_arn(name)}")
        invocation_type = request.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        body = request.get_data()
        limit = ASYNC_PAYLOAD_LIMIT if invocation_type == "Event" else SYNC_PAYLOAD_LIMIT
        if len(body) > limit:
            return _service_error(
                413, "RequestTooLargeException", f"Request must be smaller than {limit} bytes for the operation"
            )
        try:
            event = json.loads(body) if body else {}
        except ValueError:
            return _service_error(400, "InvalidRequestContentException", "Could not parse request body into json")
        if invocation_type == "DryRun":
            return Response(status=204)
        if invocation_type == "Event":
            threading.Thread(target=self.invoke, args=(name, spec, event), name=f"event-{name}", daemon=True).start()
            return Response(status=202)
        invocation = self.invoke(name, spec, event)
        headers = {"X-Amz-Executed-Version": "$LATEST"}
        if invocation.error:
            headers["X-Amz-Function-Error"] = invocation.error
        return Response(invocation.payload, status=200, headers=headers, content_type="application/json")
