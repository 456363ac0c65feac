"""Detection runs: start, list, describe and rerun executions of the detection state machine.

A run is a Step Functions execution; its id is the execution's name. The runs table keeps what Step
Functions does not, as a `Run` record: how the run was started, which run it reruns, and the summary RecordRun
wrote.

Reruns redrive the execution (RedriveExecution) where that resumes its work: a run that timed out, was
aborted or failed without a Catch. A run whose error was caught into a Fail state would only re-enter that
state, and moto has no redrive: those are rerun as a new execution with the same input, recording the run it
reruns. Either way only the remaining work is done: the accounts a failed run did not finish are still stale.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from isoflow.observability import logger
from isoflow.store.db import error_code, to_item
from isoflow.store.errors import ConflictError, NotFoundError, RunInProgressError
from isoflow.store.paging import InvalidCursorError
from isoflow.store.records import Run
from isoflow.timestamps import format_timestamp, utc_now

# Step Functions' execution names: 1-80 characters of letters, digits, "-" and "_".
EXECUTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
RERUNNABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
TRIGGERS = ("schedule", "api", "cli")
# Errors that mean "this execution cannot be redriven here", after which a rerun starts a new execution.
REDRIVE_UNAVAILABLE = frozenset({"ExecutionNotRedrivable", "UnknownOperationException", "InvalidAction"})
RERUN_OF = "rerunOf"
# The runs table's item that claims the next start, for this long: until Step Functions lists the run.
START_CLAIM = "#start"
START_CLAIM_S = 15


@dataclass(frozen=True)
class Runs:
    """Where runs live: the state machine and the runs table."""

    stepfunctions: Any
    dynamodb: Any
    state_machine_arn: str
    runs_table: str

    @classmethod
    def from_names(cls, state_machine_arn: str, runs_table: str) -> Runs:
        return cls(boto3.client("stepfunctions"), boto3.client("dynamodb"), state_machine_arn, runs_table)

    def execution_arn(self, execution_id: str) -> str:
        if not EXECUTION_ID.fullmatch(execution_id):
            raise NotFoundError(f"run {execution_id!r} not found", field="executionId")
        prefix, name = self.state_machine_arn.rsplit(":stateMachine:", 1)
        return f"{prefix}:execution:{name}:{execution_id}"


@dataclass(frozen=True)
class Started:
    executionId: str
    started: bool  # False when a scheduled start found a run already in progress (then it is that run)
    mode: str = "start"  # "start", or for a rerun "redrive" (same execution) or "restart" (a new one)


def new_execution_id(now: datetime | None = None) -> str:
    """Sortable and readable in the console: run-20261124T160742Z-1a2b3c."""
    moment = format_timestamp(now or utc_now()).replace("-", "").replace(":", "")
    return f"run-{moment}-{secrets.token_hex(3)}"


def _iso(moment: datetime | None) -> str | None:
    return format_timestamp(moment) if moment else None


def _duration_s(started: datetime, stopped: datetime | None) -> int:
    return round(((stopped or utc_now()) - started).total_seconds())


def _json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def readable_cause(cause: str | None) -> str | None:
    """A Lambda failure's cause is its error as JSON; a person wants the message, not the stack trace."""
    parsed = _json(cause)
    if isinstance(parsed, dict) and "errorMessage" in parsed:
        return f"{parsed.get('errorType', 'Error')}: {parsed['errorMessage']}"
    return cause


# The runs table


def _save(dynamodb: Any, runs_table: str, run: Run) -> None:
    """Sets the attributes `run` has on its item, creating the item if need be, and leaves the others as they are:
    how a run was started and its summary are written at different times, by different writers."""
    attributes = run.to_item()
    key = {"executionId": attributes.pop("executionId")}
    dynamodb.update_item(
        TableName=runs_table,
        Key=key,
        UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in attributes),
        ExpressionAttributeNames={f"#{name}": name for name in attributes},
        ExpressionAttributeValues={f":{name}": value for name, value in attributes.items()},
    )


def save_summary(dynamodb: Any, runs_table: str, execution_id: str, summary: Mapping[str, Any]) -> None:
    """Keeps RecordRun's summary beside how the run was started (a run's output is gone once it is redriven)."""
    recorded = Run(executionId=execution_id, summary=dict(summary), recordedAt=format_timestamp(utc_now()))
    _save(dynamodb, runs_table, recorded)


def _records(runs: Runs, execution_ids: list[str]) -> dict[str, Run]:
    found: dict[str, Run] = {}
    for start in range(0, len(execution_ids), 100):
        pending: list[dict[str, Any]] = [to_item({"executionId": e}) for e in execution_ids[start : start + 100]]
        while pending:
            response = runs.dynamodb.batch_get_item(RequestItems={runs.runs_table: {"Keys": pending}})
            for item in response.get("Responses", {}).get(runs.runs_table, []):
                record = Run.from_item(item)
                found[record.executionId] = record
            pending = response.get("UnprocessedKeys", {}).get(runs.runs_table, {}).get("Keys", [])
    return found


# Executions


def running_execution(runs: Runs) -> str | None:
    response = runs.stepfunctions.list_executions(
        stateMachineArn=runs.state_machine_arn, statusFilter="RUNNING", maxResults=1
    )
    executions = response.get("executions", [])
    return str(executions[0]["name"]) if executions else None


def _claim_start(runs: Runs, execution_id: str) -> str | None:
    """Claims the next start for `execution_id`: None once claimed; else the run another start claimed less
    than START_CLAIM_S ago that Step Functions does not know yet. So two starts in the same moment cannot both
    see no run in progress and both start one; a claim whose run has finished no longer holds."""
    now = int(utc_now().timestamp())
    item = to_item({"executionId": START_CLAIM, "claimedBy": execution_id, "until": now + START_CLAIM_S})
    condition = "attribute_not_exists(executionId) OR #until < :now"
    values: dict[str, Any] = {":now": now}
    holder = ""
    for _ in range(2):
        try:
            runs.dynamodb.put_item(
                TableName=runs.runs_table,
                Item=item,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#until": "until"},
                ExpressionAttributeValues=to_item(values),
            )
            return None
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
        claim = runs.dynamodb.get_item(
            TableName=runs.runs_table, Key=to_item({"executionId": START_CLAIM}), ConsistentRead=True
        )
        holder = str(claim.get("Item", {}).get("claimedBy", {}).get("S", ""))
        if not holder or not _finished(runs, holder):
            return holder or "another run"
        # Its run has finished: the claim may be taken over, unless another start takes it first.
        condition = "claimedBy = :holder OR #until < :now"
        values = {":now": now, ":holder": holder}
    return holder


def _finished(runs: Runs, execution_id: str) -> bool:
    """Whether the run has started and finished (False while it is being started or running)."""
    try:
        return bool(_describe_execution(runs, execution_id)["status"] != "RUNNING")
    except NotFoundError:
        return False


def start(
    runs: Runs,
    *,
    trigger: str,
    only_if_idle: bool = False,
    execution_input: Mapping[str, Any] | None = None,
) -> Started:
    """Starts a run now, one at a time: while another is in progress (or being started) a manual start raises
    RunInProgressError naming it, and a scheduled one (`only_if_idle`) answers that run, not started."""
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger must be one of {TRIGGERS}")
    execution_id = new_execution_id()
    running = running_execution(runs) or _claim_start(runs, execution_id)
    if running:
        if not only_if_idle:
            raise RunInProgressError(running)
        logger.info("a run is in progress; not starting another", extra={"executionId": running})
        return Started(running, started=False)
    payload = {**(execution_input or {}), "trigger": trigger}
    # Recorded first, so a run is never listed without how it started.
    requested = Run(
        executionId=execution_id,
        trigger=trigger,
        requestedAt=format_timestamp(utc_now()),
        rerunOf=payload.get(RERUN_OF) or None,
    )
    _save(runs.dynamodb, runs.runs_table, requested)
    runs.stepfunctions.start_execution(
        stateMachineArn=runs.state_machine_arn, name=execution_id, input=json.dumps(payload)
    )
    logger.info("run started", extra={"executionId": execution_id, "trigger": trigger})
    return Started(execution_id, started=True)


def _describe_execution(runs: Runs, execution_id: str) -> dict[str, Any]:
    try:
        return dict(runs.stepfunctions.describe_execution(executionArn=runs.execution_arn(execution_id)))
    except ClientError as error:
        if error_code(error) == "ExecutionDoesNotExist":
            raise NotFoundError(f"run {execution_id} not found", field="executionId") from error
        raise


def _run_item(execution: Mapping[str, Any], record: Run | None) -> dict[str, Any]:
    """A run as the API lists it: the execution, with how it was started and its summary where recorded."""
    started, stopped = execution["startDate"], execution.get("stopDate")
    item: dict[str, Any] = {
        "executionId": execution["name"],
        "status": execution["status"],
        "startedAt": _iso(started),
        "stoppedAt": _iso(stopped),
        "durationSeconds": _duration_s(started, stopped),
    }
    if record is not None:
        recorded = {"trigger": record.trigger, "rerunOf": record.rerunOf, "summary": record.summary}
        item.update({key: value for key, value in recorded.items() if value is not None})
    return item


def list_runs(runs: Runs, *, limit: int = 20, cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """The newest runs first, with their summaries, and the cursor of the next page (None at the end)."""
    request: dict[str, Any] = {"stateMachineArn": runs.state_machine_arn, "maxResults": limit}
    if cursor:
        request["nextToken"] = _token(cursor)
    try:
        response = runs.stepfunctions.list_executions(**request)
    except ClientError as error:
        if error_code(error) == "InvalidToken":
            raise InvalidCursorError() from error
        raise
    executions = response.get("executions", [])
    records = _records(runs, [e["name"] for e in executions])
    token = response.get("nextToken")
    return [_run_item(e, records.get(e["name"])) for e in executions], _cursor(token) if token else None


# Step Functions' page tokens may hold any character; the API's cursors are URL-safe base64, unpadded.
def _cursor(token: str) -> str:
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def _token(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError) as error:
        raise InvalidCursorError() from error


# How far back the overview looks for a run that did something.
LAST_RUN_PAGE = 20


def last_run(runs: Runs) -> dict[str, Any] | None:
    """The newest run that did something (as listed): runs that found nothing stale, which succeed without a
    summary, are passed over among the newest LAST_RUN_PAGE; the newest of all when none of those did more;
    None before the first."""
    items, _ = list_runs(runs, limit=LAST_RUN_PAGE)
    worked = [item for item in items if item["status"] != "SUCCEEDED" or "summary" in item]
    shown = worked or items
    return shown[0] if shown else None


def _history(runs: Runs, execution_arn: str) -> list[dict[str, Any]]:
    events = []
    for page in runs.stepfunctions.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        for event in page["events"]:
            details: dict[str, Any] = next((value for key, value in event.items() if key.endswith("EventDetails")), {})
            shaped = {
                "id": event["id"],
                "previousEventId": event.get("previousEventId"),
                "type": event["type"],
                "timestamp": event["timestamp"].isoformat(),
                "details": details,
            }
            if "name" in details:
                shaped["stateName"] = details["name"]
            events.append(shaped)
    return events


def largest_payload(events: list[dict[str, Any]]) -> int:
    """The largest state input or output (bytes) in a run's events: Step Functions refuses 256 KB or more."""
    return max(
        (
            len(event["details"][key].encode())
            for event in events
            for key in ("input", "output")
            if isinstance(event["details"].get(key), str)
        ),
        default=0,
    )


def _map_runs(runs: Runs, execution_arn: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # A Map run exists once the history says it started; asking earlier races the execution's start.
    if not any(event["type"] == "MapRunStarted" for event in events):
        return []
    described = []
    for map_run in runs.stepfunctions.list_map_runs(executionArn=execution_arn).get("mapRuns", []):
        detail = runs.stepfunctions.describe_map_run(mapRunArn=map_run["mapRunArn"])
        described.append(
            {
                "mapRunArn": map_run["mapRunArn"],
                "status": detail.get("status"),
                "itemCounts": detail.get("itemCounts", {}),
                "maxConcurrency": detail.get("maxConcurrency"),
                "toleratedFailurePercentage": detail.get("toleratedFailurePercentage"),
            }
        )
    return described


def describe_run(runs: Runs, execution_id: str) -> dict[str, Any]:
    """Everything a run's page shows: status, input, output, error and cause, events, the Map's counts and the
    state machine definition the execution ran."""
    execution = _describe_execution(runs, execution_id)
    arn = execution["executionArn"]
    record = _records(runs, [execution_id]).get(execution_id)
    definition = runs.stepfunctions.describe_state_machine_for_execution(executionArn=arn)["definition"]
    events = _history(runs, arn)
    return {
        **_run_item(execution, record),
        "executionArn": arn,
        "input": _json(execution.get("input")),
        "output": _json(execution.get("output")),
        "error": execution.get("error"),
        "cause": readable_cause(execution.get("cause")),
        "redriveCount": execution.get("redriveCount", 0),
        "events": events,
        "mapRuns": _map_runs(runs, arn, events),
        "definition": json.loads(definition),
    }


def rerun(runs: Runs, execution_id: str, *, trigger: str = "api") -> Started:
    """Redrives a failed run where that resumes its work; otherwise starts a new one recording `rerunOf`."""
    execution = _describe_execution(runs, execution_id)
    if execution["status"] not in RERUNNABLE:
        raise ConflictError(
            f"run {execution_id} is {execution['status']}; only a failed, timed out or aborted run can be rerun",
            field="executionId",
        )
    if running := running_execution(runs):
        raise RunInProgressError(running)
    if _ended_in_fail_state(runs, execution["executionArn"]):
        # Its error was caught and routed to a Fail state, where a redrive would resume: only to fail again.
        # A new run resumes the work instead: the accounts the failed run did not finish are still stale.
        return _restart(runs, execution, trigger, reason="caught failure")
    try:
        runs.stepfunctions.redrive_execution(executionArn=execution["executionArn"])
        logger.info("run redriven", extra={"executionId": execution_id})
        return Started(execution_id, started=True, mode="redrive")
    except ClientError as error:
        reason = error_code(error)
        # An endpoint that is not Step Functions (moto's server) answers an action it lacks with a bare
        # HTTP error, whose "code" botocore reports as the status itself.
        if reason not in REDRIVE_UNAVAILABLE and not reason.isdigit():
            raise
    except NotImplementedError:  # moto, used in-process, raises this for the actions it lacks
        reason = "NotImplemented"
    return _restart(runs, execution, trigger, reason=f"redrive unavailable ({reason})")


def _ended_in_fail_state(runs: Runs, execution_arn: str) -> bool:
    entered = [e for e in _history(runs, execution_arn) if e["type"].endswith("StateEntered")]
    return bool(entered) and entered[-1]["type"] == "FailStateEntered"


def _restart(runs: Runs, execution: Mapping[str, Any], trigger: str, *, reason: str) -> Started:
    """A new run with the failed one's input, recording which run it reruns."""
    logger.info("starting a new run", extra={"rerunOf": execution["name"], "reason": reason})
    original = _json(execution.get("input"))
    original = original if isinstance(original, dict) else {}
    restarted = start(runs, trigger=trigger, execution_input={**original, RERUN_OF: execution["name"]})
    return Started(restarted.executionId, started=True, mode="restart")
