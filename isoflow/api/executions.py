"""/api/executions: detection runs (Step Functions executions of the detection state machine)."""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, Field

from isoflow import runs
from isoflow.api.idempotency import Idempotency
from isoflow.api.models import Page
from isoflow.api.params import Cursor
from isoflow.api.responses import responses

ExecutionPath = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")]
run_limit = Annotated[int, Query(ge=1, le=100, description="runs per page")]


class RunStatus(StrEnum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    ABORTED = "ABORTED"
    PENDING_REDRIVE = "PENDING_REDRIVE"


class BatchFailure(BaseModel):
    batch: int
    error: str | None = None
    message: str | None = None


class AccountFailure(BaseModel):
    accountId: str
    error: str
    message: str


class TopAnomaly(BaseModel):
    transactionId: str
    accountId: str
    riskScore: float
    reasons: list[str]


class AlertedTransaction(BaseModel):
    transactionId: str
    accountId: str
    accountName: str | None = None
    amount: float | None = None
    currency: str | None = None
    merchant: str | None = None
    timestamp: str | None = None
    riskScore: float
    reasons: list[str]


class RunAlert(BaseModel):
    """The alert a run sent for its new HIGH anomalies."""

    count: int = Field(description="the run's new HIGH anomalies")
    top: list[AlertedTransaction] = Field(description="the highest scores among them")
    delivered: list[str] = Field(description='where it went: "topic" (e-mail subscribers), "webhook"')
    failed: list[str] = Field(description="what could not be delivered, and why")


class RunSummary(BaseModel):
    """What RecordRun wrote: the run's output."""

    accounts: int = Field(description="stale accounts the run found")
    accountsScored: int
    accountsCleared: int
    accountsStillStale: int = Field(description="written to during the run: scored again by the next one")
    accountsFailed: int = Field(
        default=0,
        description="accounts the detector could not score (in batches that finished): still stale, scored by the "
        "next run",
    )
    accountFailures: list[AccountFailure] = Field(
        default_factory=list, description="the first few accounts that could not be scored and their errors"
    )
    transactionsScored: int
    riskLevels: dict[str, int] = Field(description="transactions scored, by risk level")
    anomalies: int
    batches: int
    populationVersion: str | None = Field(
        default=None,
        description='the population model the run scored with, as scores name it; "shipped": the cold-start model',
    )
    verdictModelVersion: str | None = Field(
        default=None,
        description='the layer learnt from verdicts the run scored with, as scores name it; "none": the base score '
        "alone; null: a run recorded before layers were learnt",
    )
    failedBatches: int
    failures: list[BatchFailure] = Field(description="the first few failed batches and their errors")
    topAnomalies: list[TopAnomaly] = Field(
        default_factory=list, description="the highest of the run's new HIGH scores, for its alert"
    )
    alert: RunAlert | None = Field(default=None, description="sent when the run found new HIGH anomalies")
    startedAt: str
    finishedAt: str
    durationSeconds: int


class Run(BaseModel):
    executionId: str
    status: RunStatus
    startedAt: str
    stoppedAt: str | None = None
    durationSeconds: int
    trigger: str | None = Field(default=None, examples=["schedule", "api", "cli"])
    rerunOf: str | None = Field(default=None, description="the run this one reruns")
    summary: RunSummary | None = None


class RunEvent(BaseModel):
    id: int
    previousEventId: int | None = None
    type: str
    timestamp: str
    stateName: str | None = None
    details: dict[str, Any] = Field(description="the event's details as Step Functions records them")


class MapRun(BaseModel):
    mapRunArn: str
    status: str | None = None
    itemCounts: dict[str, Any] = Field(description="batches by outcome: total, succeeded, failed, ...")
    maxConcurrency: int | None = None
    toleratedFailurePercentage: float | None = None


class RunDetail(Run):
    executionArn: str
    input: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None
    redriveCount: int = 0
    events: list[RunEvent]
    mapRuns: list[MapRun]
    definition: dict[str, Any] = Field(description="the state machine (Amazon States Language) this run ran")


class RunStarted(BaseModel):
    executionId: str
    mode: str = Field(examples=["start", "redrive", "restart"], description="how a rerun went: redriven or new")


def router(detection_runs: runs.Runs, idempotency: Idempotency) -> Router:
    routes = Router()

    def started(result: runs.Started) -> dict[str, Any]:
        return RunStarted(executionId=result.executionId, mode=result.mode).model_dump(mode="json")

    @routes.post("/api/executions", summary="Start a detection run now", responses=responses(HTTPStatus.CREATED))
    def start() -> Response[RunStarted]:
        body = idempotency(
            routes,
            "POST /api/executions",
            None,
            lambda: started(runs.start(detection_runs, trigger="api")),
        )
        return Response(HTTPStatus.CREATED, content_types.APPLICATION_JSON, body)  # type: ignore[arg-type]

    @routes.get("/api/executions", summary="Detection runs, newest first", responses=responses())
    def list_(limit: run_limit = 20, cursor: Cursor = None) -> Page[Run]:
        items, next_cursor = runs.list_runs(detection_runs, limit=limit, cursor=cursor)
        return Page[Run](items=[Run.model_validate(item) for item in items], nextCursor=next_cursor)

    @routes.get(
        "/api/executions/<executionId>",
        summary="A detection run: status, input, output, cause, events, batch counts and the state machine",
        responses=responses(),
    )
    def get(executionId: ExecutionPath) -> RunDetail:
        return RunDetail.model_validate(runs.describe_run(detection_runs, executionId))

    @routes.post(
        "/api/executions/<executionId>/rerun",
        summary="Rerun a failed run: redriven where Step Functions can, otherwise a new run with its input",
        responses=responses(HTTPStatus.CREATED),
    )
    def rerun(executionId: ExecutionPath) -> Response[RunStarted]:
        body = idempotency(
            routes,
            f"POST /api/executions/{executionId}/rerun",
            None,
            lambda: started(runs.rerun(detection_runs, executionId, trigger="api")),
        )
        return Response(HTTPStatus.CREATED, content_types.APPLICATION_JSON, body)  # type: ignore[arg-type]

    return routes
