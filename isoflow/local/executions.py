"""The local system's run histories, kept across a restart.

moto holds Step Functions executions in memory and cannot take one back, so each finished execution of the
detection state machine is archived in the data directory (`executions/<name>.json`): the answers the
endpoint gave for it to DescribeExecution, DescribeStateMachineForExecution, GetExecutionHistory, ListMapRuns
and DescribeMapRun, in Step Functions' own JSON. An execution is archived within ARCHIVE_EVERY_S of finishing,
so a kill loses at most the histories of the last few seconds; a clean stop aborts the run in progress and
archives it too.

On the next start the endpoint answers those five requests for the archived executions from the archive, and
ListExecutions lists them after the executions of this start (which are newer): the Runs page, a run's page
and the CLI show them as before, and a failed or aborted one can be rerun.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from isoflow.local import logger
from isoflow.local.resources import json_request_headers

TARGET = "AWSStepFunctions."
# ListExecutions' pages of archived executions carry this token (moto's own tokens never start with it).
ARCHIVE_TOKEN = "archived:"
ARCHIVE_EVERY_S = 5.0
# The requests answered from the archive for an archived execution, and the request field naming it.
BY_EXECUTION = ("DescribeExecution", "DescribeStateMachineForExecution", "GetExecutionHistory", "ListMapRuns")


class ExecutionArchive:
    """Finished executions of `state_machine_arn` kept in `directory`; `serving(app)` wraps the endpoint's app
    to answer for the ones archived before this start, `start(url)` archives as executions finish."""

    def __init__(self, directory: Path, state_machine_arn: str) -> None:
        self.directory = directory
        self.state_machine_arn = state_machine_arn
        self._past: dict[str, dict[str, Any]] = {}  # executionArn -> archived answers, from earlier starts
        self._map_runs: dict[str, dict[str, Any]] = {}  # mapRunArn -> its DescribeMapRun answer
        self._listed: list[dict[str, Any]] = []  # the archived executions as ListExecutions lists them, newest first
        self._archived: set[str] = set()
        self._url = ""
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def load(self) -> int:
        """Reads the executions archived by earlier starts; answers how many."""
        for path in sorted(self.directory.glob("*.json")) if self.directory.is_dir() else ():
            answers = json.loads(path.read_text(encoding="utf-8"))
            arn = answers["DescribeExecution"]["executionArn"]
            self._past[arn] = answers
            self._archived.add(arn)
            self._map_runs.update(answers.get("DescribeMapRun", {}))
        described = (answers["DescribeExecution"] for answers in self._past.values())
        self._listed = sorted(map(_listed, described), key=lambda execution: execution["startDate"], reverse=True)
        return len(self._past)

    # Answering for the archived executions

    def serving(self, app: Callable) -> Callable:
        def served(environ: dict, start_response: Callable) -> Iterable[bytes]:
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            if not self._past or not target.startswith(TARGET):
                return app(environ, start_response)
            operation = target.removeprefix(TARGET)
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            request = json.loads(body or b"{}")
            answer = self._answer(operation, request, lambda: _call_app(app, environ))
            if answer is None:
                return app(environ, start_response)
            start_response("200 OK", [("Content-Type", "application/x-amz-json-1.0")])
            return [json.dumps(answer).encode()]

        return served

    def _answer(
        self, operation: str, request: dict[str, Any], moto: Callable[[], tuple[int, dict[str, Any]]]
    ) -> dict[str, Any] | None:
        """The archive's answer, or None where moto answers."""
        if operation in BY_EXECUTION and request.get("executionArn") in self._past:
            answer: dict[str, Any] = self._past[request["executionArn"]][operation]
            if operation == "GetExecutionHistory" and request.get("reverseOrder"):
                return {"events": answer["events"][::-1]}
            return answer
        if operation == "DescribeMapRun":
            return self._map_runs.get(request.get("mapRunArn", ""))
        if operation == "ListExecutions" and request.get("stateMachineArn") == self.state_machine_arn:
            return self._list(request, moto)
        return None

    def _list(self, request: dict[str, Any], moto: Callable[[], tuple[int, dict[str, Any]]]) -> dict[str, Any] | None:
        """moto's pages first; after its last, the archived executions, newest first, in pages of the size asked."""
        token = request.get("nextToken") or ""
        limit = int(request.get("maxResults") or 100)
        if token.startswith(ARCHIVE_TOKEN):
            offset, executions = int(token.removeprefix(ARCHIVE_TOKEN)), []
        else:
            status, answer = moto()
            if status != 200:
                return None  # moto answers the error itself
            if answer.get("nextToken"):
                return answer  # its pages come first
            offset, executions = 0, list(answer.get("executions", []))
        wanted = request.get("statusFilter")
        past = [execution for execution in self._listed if wanted in (None, execution["status"])]
        room = limit - len(executions)
        executions += past[offset : offset + room]
        page: dict[str, Any] = {"executions": executions}
        if offset + room < len(past):
            page["nextToken"] = f"{ARCHIVE_TOKEN}{offset + room}"
        return page

    # Archiving

    def start(self, url: str) -> None:
        """Archives the executions of this start as they finish, asking the endpoint at `url`."""
        self._url = url
        self._thread = threading.Thread(target=self._archive_every, name="execution-archive", daemon=True)
        self._thread.start()

    def _archive_every(self) -> None:
        while not self._stopping.wait(ARCHIVE_EVERY_S):
            try:
                self.archive_finished()
            except Exception:  # the next round tries again; the run itself is unaffected
                logger.exception("run histories not archived")

    def stop(self) -> int:
        """Aborts the run in progress and archives it with every other finished one; answers how many were
        archived now."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        for execution in self._executions(status="RUNNING"):
            self._request("StopExecution", {"executionArn": execution["executionArn"], "cause": STOPPED_CAUSE})
        return self.archive_finished(aborting=True)

    def archive_finished(self, aborting: bool = False) -> int:
        """Archives the finished executions not archived yet (with `aborting`, a RUNNING one too, as ABORTED:
        moto answers RUNNING until the step in flight returns, and the stop ends it)."""
        archived = 0
        for execution in self._executions():
            arn = execution["executionArn"]
            if arn in self._archived or (execution["status"] == "RUNNING" and not aborting):
                continue
            self._write(execution["name"], self._answers(arn))
            self._archived.add(arn)
            archived += 1
        return archived

    def _answers(self, arn: str) -> dict[str, Any]:
        by_arn = {"executionArn": arn}
        describe = self._request("DescribeExecution", by_arn)
        if describe["status"] == "RUNNING":
            describe = {**describe, "status": "ABORTED", "stopDate": time.time(), "cause": STOPPED_CAUSE}
        events: list[dict[str, Any]] = []
        page: dict[str, Any] = {**by_arn, "maxResults": 1000}
        while True:
            history = self._request("GetExecutionHistory", page)
            events += history.get("events", [])
            if not history.get("nextToken"):
                break
            page["nextToken"] = history["nextToken"]
        map_runs = self._request("ListMapRuns", by_arn)
        return {
            "DescribeExecution": describe,
            "DescribeStateMachineForExecution": self._request("DescribeStateMachineForExecution", by_arn),
            "GetExecutionHistory": {"events": events},
            "ListMapRuns": map_runs,
            "DescribeMapRun": {
                run["mapRunArn"]: self._request("DescribeMapRun", {"mapRunArn": run["mapRunArn"]})
                for run in map_runs.get("mapRuns", [])
            },
        }

    def _write(self, name: str, answers: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{name}.json"
        written = path.with_suffix(".tmp")
        written.write_text(json.dumps(answers), encoding="utf-8")
        os.replace(written, path)

    def _executions(self, status: str | None = None) -> list[dict[str, Any]]:
        """This start's executions (the archived ones of earlier starts are left out)."""
        request: dict[str, Any] = {"stateMachineArn": self.state_machine_arn, "maxResults": 1000}
        if status:
            request["statusFilter"] = status
        found: list[dict[str, Any]] = []
        while True:
            page = self._request("ListExecutions", request)
            found += [e for e in page.get("executions", []) if e["executionArn"] not in self._past]
            token = page.get("nextToken")
            if not token or token.startswith(ARCHIVE_TOKEN):
                return found
            request["nextToken"] = token

    def _request(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """One Step Functions request to the endpoint, over HTTP: through its one-request-at-a-time lock."""
        call = urllib.request.Request(
            self._url,
            data=json.dumps(request).encode(),
            headers=json_request_headers("states", TARGET + operation),
            method="POST",
        )
        with urllib.request.urlopen(call, timeout=60) as response:
            answer: dict[str, Any] = json.loads(response.read() or b"{}")
            return answer


STOPPED_CAUSE = "The local system stopped while this run was in progress; rerun it to finish its work."


def _listed(describe: dict[str, Any]) -> dict[str, Any]:
    """An execution as ListExecutions lists it, from its DescribeExecution answer."""
    keys = ("executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate", "redriveCount")
    return {key: describe[key] for key in keys if key in describe}


def _call_app(app: Callable, environ: dict) -> tuple[int, dict[str, Any]]:
    """The app's own answer to the request in `environ`: its status and JSON."""
    status: list[str] = []
    body = b"".join(app(environ, lambda code, headers, exc_info=None: status.append(code)))
    environ["wsgi.input"].seek(0)
    return int(status[0].split()[0]), json.loads(body or b"{}")
