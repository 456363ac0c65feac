"""/api/accounts/{accountId}/audit and /api/transactions/{transactionId}/audit: who did what, newest first."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from isoflow.api.accounts import AccountPath
from isoflow.api.models import AuditEntry, Page
from isoflow.api.params import Cursor, page_limit
from isoflow.api.responses import responses
from isoflow.api.services import Services
from isoflow.api.transactions import TransactionPath
from isoflow.store.audit import audit_trail


def _entry(item: dict[str, Any]) -> AuditEntry:
    fields = {k: float(v) if isinstance(v, Decimal) else v for k, v in item.get("fields", {}).items()}
    return AuditEntry.model_validate({**item, "at": item["at"].split("#")[0], "fields": fields})


def router(services: Services) -> Router:
    routes = Router()
    db = services.db

    def trail(entity_id: str, limit: int, cursor: str | None) -> Page[AuditEntry]:
        items, next_cursor = audit_trail(db, entity_id, limit=limit, cursor=cursor)
        return Page[AuditEntry](items=[_entry(item) for item in items], nextCursor=next_cursor)

    @routes.get(
        "/api/accounts/<accountId>/audit",
        summary="Who created, changed or deleted an account, newest first",
        description="Kept after the account is deleted; an account never written through the API has none.",
        responses=responses(),
    )
    def account_trail(accountId: AccountPath, limit: page_limit = 50, cursor: Cursor = None) -> Page[AuditEntry]:
        return trail(accountId, limit, cursor)

    @routes.get(
        "/api/transactions/<transactionId>/audit",
        summary="Who posted, changed, deleted or gave a verdict on a transaction, newest first",
        description="Kept after the transaction is deleted; the generator's transactions have none.",
        responses=responses(),
    )
    def transaction_trail(
        transactionId: TransactionPath, limit: page_limit = 50, cursor: Cursor = None
    ) -> Page[AuditEntry]:
        return trail(transactionId, limit, cursor)

    return routes
