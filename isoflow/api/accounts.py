"""/api/accounts"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from isoflow.api.auth import actor
from isoflow.api.idempotency import Idempotency
from isoflow.api.models import (
    ACCOUNT_ID_PATTERN,
    Account,
    AccountCreate,
    AccountSort,
    AccountType,
    AccountUpdate,
    Page,
    RiskLevel,
    SortOrder,
)
from isoflow.api.params import Cursor, page_limit
from isoflow.api.responses import responses
from isoflow.api.services import Services
from isoflow.store import accounts, records

AccountPath = Annotated[str, Path(pattern=ACCOUNT_ID_PATTERN, examples=["acc_0123456789abcdef"])]


def router(services: Services, idempotency: Idempotency) -> Router:
    routes = Router()
    db = services.db

    def shaped(account: records.Account) -> dict[str, Any]:
        return Account.model_validate(account, from_attributes=True).model_dump(mode="json", exclude_none=True)

    @routes.post("/api/accounts", summary="Create an account", responses=responses(HTTPStatus.CREATED))
    def create(body: AccountCreate) -> Response[Account]:
        data = body.model_dump(mode="json")
        by = actor(routes)
        created = idempotency(
            routes, "POST /api/accounts", data, lambda: shaped(accounts.create_account(db, data, actor=by))
        )
        return Response(HTTPStatus.CREATED, content_types.APPLICATION_JSON, created)  # type: ignore[arg-type]

    @routes.get(
        "/api/accounts",
        summary="List accounts, in order, optionally those whose name matches a search",
        description="By name A–Z unless `sort` says otherwise: risk, balance and lastActivity list the greatest "
        "or newest first (order=asc reverses any). An account not scored yet is in no risk order, and one "
        "without transactions in no lastActivity order. A page reads a bounded number of items: a search or "
        "filter that matches few accounts can give a short page, with a cursor to go on from.",
        responses=responses(),
    )
    def list_(
        q: Annotated[
            str | None,
            Query(max_length=100, description="a word of the name starts with it (any case, accents ignored)"),
        ] = None,
        sort: Annotated[AccountSort, Query()] = AccountSort.NAME,
        order: Annotated[SortOrder | None, Query(description="default: asc by name, desc otherwise")] = None,
        accountType: Annotated[AccountType | None, Query()] = None,
        riskLevel: Annotated[RiskLevel | None, Query()] = None,
        stale: Annotated[bool | None, Query()] = None,
        limit: page_limit = 50,
        cursor: Cursor = None,
    ) -> Page[Account]:
        descending = order == SortOrder.DESC if order else sort != AccountSort.NAME
        items, next_cursor = accounts.list_accounts(
            db,
            order=sort,
            descending=descending,
            search=q,
            account_type=accountType,
            risk_level=riskLevel,
            stale=stale,
            limit=limit,
            cursor=cursor,
        )
        return Page[Account](items=[Account.model_validate(a) for a in items], nextCursor=next_cursor)

    @routes.get("/api/accounts/<accountId>", summary="Get an account", responses=responses())
    def get(accountId: AccountPath) -> Account:
        return Account.model_validate(accounts.read_account(db, accountId), from_attributes=True)

    @routes.patch("/api/accounts/<accountId>", summary="Change an account", responses=responses())
    def update(accountId: AccountPath, body: AccountUpdate) -> Account:
        changes = body.model_dump(mode="json", exclude_unset=True)
        updated = accounts.update_account(db, accountId, changes, actor=actor(routes))
        return Account.model_validate(updated, from_attributes=True)

    @routes.delete(
        "/api/accounts/<accountId>",
        summary="Delete an account",
        description="Answers 409 if the account has transactions, unless cascade=true deletes them too.",
        responses=responses(HTTPStatus.NO_CONTENT),
    )
    def delete(accountId: AccountPath, cascade: Annotated[bool, Query()] = False) -> Response[None]:
        accounts.delete_account(db, accountId, cascade=cascade, actor=actor(routes))
        return Response(HTTPStatus.NO_CONTENT)

    return routes
