"""/api/transactions"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from isoflow.api.auth import actor
from isoflow.api.idempotency import Idempotency
from isoflow.api.models import (
    ACCOUNT_ID_PATTERN,
    TRANSACTION_ID_PATTERN,
    FeedbackCreate,
    Page,
    RiskLevel,
    Timestamp,
    Transaction,
    TransactionCreate,
    TransactionType,
    TransactionUpdate,
    VerdictBatch,
    VerdictResult,
    VerdictResults,
)
from isoflow.api.params import Cursor, page_limit
from isoflow.api.responses import responses
from isoflow.api.services import Services
from isoflow.store import records, transactions
from isoflow.store.accounts import with_account_names
from isoflow.store.transactions import Outcome
from isoflow.timestamps import now_text

TransactionPath = Annotated[str, Path(pattern=TRANSACTION_ID_PATTERN, examples=["txn_0123456789abcdef0123"])]
Include = Literal["groundTruth"]


def shaped(transaction: records.Transaction | Mapping[str, Any], *, ground_truth: bool = False) -> Transaction:
    """The API's view of a transaction (the record, or joined with its score); the generator's ground truth only
    when asked for."""
    shown = Transaction.model_validate(transaction, from_attributes=True)
    return shown if ground_truth else shown.model_copy(update={"injectedAnomaly": None})


def router(services: Services, idempotency: Idempotency) -> Router:
    routes = Router()
    db = services.db

    @routes.post(
        "/api/transactions",
        summary="Create a transaction",
        description="Moves the account's balance and marks the account stale for the next detection run, "
        "atomically. Send an Idempotency-Key header to make retries safe.",
        responses=responses(HTTPStatus.CREATED),
    )
    def create(body: TransactionCreate) -> Response[Transaction]:
        data = body.model_dump(mode="json", exclude_none=True)
        data["amount"] = body.amount
        created = idempotency(
            routes,
            "POST /api/transactions",
            body.model_dump(mode="json"),
            lambda: shaped(transactions.create_transaction(db, data, actor=actor(routes))).model_dump(
                mode="json", exclude_none=True
            ),
        )
        return Response(HTTPStatus.CREATED, content_types.APPLICATION_JSON, created)  # type: ignore[arg-type]

    @routes.get("/api/transactions", summary="List transactions, newest first", responses=responses())
    def list_(
        accountId: Annotated[str | None, Query(pattern=ACCOUNT_ID_PATTERN)] = None,
        transactionType: Annotated[TransactionType | None, Query()] = None,
        from_: Annotated[Timestamp | None, Query(alias="from")] = None,
        to: Annotated[Timestamp | None, Query()] = None,
        minScore: Annotated[float | None, Query(ge=0, le=1, allow_inf_nan=False)] = None,
        riskLevel: Annotated[RiskLevel | None, Query()] = None,
        include: Annotated[Include | None, Query(description="groundTruth adds injectedAnomaly")] = None,
        limit: page_limit = 50,
        cursor: Cursor = None,
    ) -> Page[Transaction]:
        items, next_cursor = transactions.list_transactions(
            db,
            account_id=accountId,
            transaction_type=transactionType,
            since=from_,
            until=to,
            # Scores are stored to six places: a finer threshold means nothing (and 1e-313 is no DynamoDB number).
            min_score=round(minScore, 6) if minScore is not None else None,
            risk_levels=(riskLevel,) if riskLevel else None,
            limit=limit,
            cursor=cursor,
        )
        ground_truth = include == "groundTruth"
        return Page[Transaction](
            items=[shaped(t, ground_truth=ground_truth) for t in with_account_names(db, items)],
            nextCursor=next_cursor,
        )

    @routes.get("/api/transactions/<transactionId>", summary="Get a transaction", responses=responses())
    def get(transactionId: TransactionPath, include: Annotated[Include | None, Query()] = None) -> Transaction:
        (transaction,) = with_account_names(db, [transactions.get_transaction(db, transactionId)])
        return shaped(transaction, ground_truth=include == "groundTruth")

    @routes.patch(
        "/api/transactions/<transactionId>",
        summary="Change a transaction",
        description="Moves the balance by the difference, drops the old score and marks the account stale.",
        responses=responses(),
    )
    def update(transactionId: TransactionPath, body: TransactionUpdate) -> Transaction:
        changes = body.model_dump(mode="json", exclude_unset=True)
        if body.amount is not None:
            changes["amount"] = body.amount
        return shaped(transactions.update_transaction(db, transactionId, changes, actor=actor(routes)))

    @routes.delete(
        "/api/transactions/<transactionId>", summary="Delete a transaction", responses=responses(HTTPStatus.NO_CONTENT)
    )
    def delete(transactionId: TransactionPath) -> Response[None]:
        transactions.delete_transaction(db, transactionId, actor=actor(routes))
        return Response(HTTPStatus.NO_CONTENT)

    @routes.put(
        "/api/transactions/<transactionId>/feedback",
        summary="Record an analyst's verdict on a transaction",
        description="A verdict that changes the account's risk (NOT_FRAUD takes a transaction out of it, CONFIRMED "
        "makes it HIGH) changes it at once and marks the account stale for the next run.",
        responses=responses(),
    )
    def feedback(transactionId: TransactionPath, body: FeedbackCreate) -> Transaction:
        judged = transactions.set_feedback(db, transactionId, body.verdict, body.note, actor=actor(routes))
        return shaped(with_account_names(db, [judged])[0])

    @routes.post(
        "/api/verdicts",
        summary="Record a batch of verdicts: confirmed frauds and chargebacks",
        description="Each verdict carries when it became known; on a transaction the verdict known last stands, so "
        "sending a batch again changes nothing. A transaction that does not exist is reported and the rest of "
        "the batch is recorded.",
        responses=responses(),
    )
    def verdicts(body: VerdictBatch) -> VerdictResults:
        given = [transactions.GivenVerdict(v.transactionId, v.verdict, v.knownAt, v.note) for v in body.verdicts]
        outcomes = transactions.record_verdicts(db, given, actor=actor(routes))
        if services.verdict_files is not None and Outcome.RECORDED in outcomes:
            # What the verdicts teach reaches the scores of the next detection run.
            services.verdict_files.request_refit(now_text())
        return VerdictResults(
            results=[
                VerdictResult(transactionId=v.transaction_id, outcome=outcome)
                for v, outcome in zip(given, outcomes, strict=True)
            ]
        )

    return routes
