"""The local AWS endpoint: moto's server app, with Lambda Invoke answered by the real handlers in-process.

moto runs in this process, so its Step Functions interpreter, the handlers and whoever started the endpoint
share one set of moto backends. Two settings make moto's Step Functions behave like the real service:
`execute_state_machine` (moto then runs each execution with its ASL interpreter instead of only recording
it) and `MOTO_PORT` (the interpreter sends its Lambda and other service calls to
`http://localhost:$MOTO_PORT`, i.e. back to this endpoint).
"""

from __future__ import annotations

import io
import json
import threading
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

from isoflow.functions import FunctionSpec
from isoflow.local import dynamodb
from isoflow.local.executions import ExecutionArchive
from isoflow.local.journal import Journal
from isoflow.local.lambda_invoke import LambdaInvokeLayer, ProcessEnvironments
from isoflow.local.resources import REGION
from isoflow.local.server import BackgroundServer

# moto's configuration for the local endpoint (the same dict `mock_aws(config=...)` takes), and moto's
# defaults for the same keys, which restore plain moto for whatever else runs in the process.
MOTO_CONFIG: dict[str, Any] = {"stepfunctions": {"execute_state_machine": True}}
MOTO_DEFAULTS: dict[str, Any] = {"stepfunctions": {"execute_state_machine": False}}


def name_unnamed_executions(app: Callable) -> Callable:
    """WSGI in front of moto: StartExecution without a name gets a UUID, as in AWS. (moto's interpreter
    would name it "None", and take a second unnamed start with the same input for a replay of the first.)"""

    def named(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET") == "AWSStepFunctions.StartExecution":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            request.setdefault("name", str(uuid.uuid4()))
            body = json.dumps(request).encode()
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return app(environ, start_response)

    return named


def one_request_at_a_time(app: Callable) -> Callable:
    """WSGI in front of moto: DynamoDB applies a conditional write or a transaction atomically; moto checks
    conditions and writes in plain Python, so two requests on two server threads could interleave. Holding
    a lock around each request restores the atomicity the write path relies on. (Lambda Invoke is answered
    before this lock, so a handler's own calls to moto never wait for the invocation that runs it.)"""
    lock = threading.Lock()

    def serialised(environ: dict, start_response: Callable) -> Iterable[bytes]:
        with lock:
            return app(environ, start_response)

    return serialised


class QuietMotoRequestHandler(MotoRequestHandler):
    """moto's request handler (it keeps S3 metadata headers intact) without one console line per call."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class LocalAws(BackgroundServer):
    """moto plus the Lambda Invoke layer on host:port. `functions` (physical name -> spec) is read on every
    invocation, so adding to it registers a function. With a `journal`, the DynamoDB writes it applies are
    kept on disk (isoflow.local.journal), and with an `archive`, the run histories (isoflow.local.executions);
    with `processes`, the functions it names run in worker processes."""

    def __init__(
        self,
        host: str,
        port: int,
        functions: dict[str, FunctionSpec],
        journal: Journal | None = None,
        processes: ProcessEnvironments | None = None,
        archive: ExecutionArchive | None = None,
    ) -> None:
        self.functions = functions
        self.processes = processes
        dynamodb.install()
        served = name_unnamed_executions(dynamodb.serving_requests(DomainDispatcherApplication(create_backend_app)))
        if archive is not None:
            served = archive.serving(served)
        # The journal sees the writes in the order they are applied: inside the one-at-a-time lock.
        moto = one_request_at_a_time(journal.recording(served) if journal else served)
        app = LambdaInvokeLayer(moto, functions, processes)
        super().__init__(app, host, port, request_handler=QuietMotoRequestHandler)

    def stop(self) -> None:
        super().stop()
        if self.processes is not None:
            self.processes.close()

    def environment(self) -> dict[str, str]:
        """The variables that point boto3 (ours, the handlers' and moto's interpreter's) at this endpoint."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "MOTO_PORT": str(self.port),
        }

    def configure(self, config: dict[str, Any]) -> None:
        """Sets moto's configuration through its API (it applies to the whole process)."""
        self._moto_api("config", json.dumps(config).encode())

    def reset(self) -> None:
        """Empties every moto backend (tables, buckets, state machines, executions)."""
        self._moto_api("reset", b"")

    def _moto_api(self, action: str, body: bytes) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/{action}", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=30):
            pass
