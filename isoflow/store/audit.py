"""Who did what: the audit trail of the writes and verdicts made through the API.

Every create, change and delete of an account or a transaction, and every verdict, adds one item to the
audit table in the same TransactWriteItems as the write itself, so a write is never without its entry nor
an entry without its write. An entry names the account or transaction it touched (`entityId`), when (to the
microsecond, with a random suffix so that two entries never collide), who (the signed-in user's Cognito
subject and e-mail or user name; "local" on the local system without sign-in), what was done and the fields
it set. Entries stay after their account or transaction is deleted.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from isoflow.store.db import Db, from_item, to_item, to_values
from isoflow.store.paging import Stream, merged_page

Action = Literal["created", "changed", "deleted", "verdict"]
EntityType = Literal["account", "transaction"]


@dataclass(frozen=True)
class Actor:
    """Who made a request: the Cognito subject, and the e-mail or user name the token carries."""

    subject: str
    name: str | None = None


def _now_key() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") + "#" + secrets.token_hex(4)


def audit_put(
    db: Db, actor: Actor, entity_type: EntityType, entity_id: str, action: Action, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The TransactWriteItems action that records one entry, for the write it goes with."""
    if not db.audit:
        raise ValueError("an audited write needs the audit table's name (Db.audit)")
    entry = {
        "entityId": entity_id,
        "at": _now_key(),
        "entityType": entity_type,
        "action": action,
        "subject": actor.subject,
        "name": actor.name,
        "fields": {key: value for key, value in fields.items() if value is not None},
    }
    put = {
        "TableName": db.audit,
        "Item": to_item(entry),
        "ConditionExpression": "attribute_not_exists(#at)",
        "ExpressionAttributeNames": {"#at": "at"},
    }
    return {"Put": put}


def audit_trail(
    db: Db, entity_id: str, *, limit: int = 50, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """The entries of one account or transaction, newest first."""
    stream = Stream(
        "audit",
        {
            "TableName": db.audit,
            "KeyConditionExpression": "entityId = :id",
            "ExpressionAttributeValues": to_values({":id": entity_id}),
            "ScanIndexForward": False,
        },
        ("entityId", "at"),
    )
    items, next_cursor = merged_page(db.client, [stream], limit=limit, cursor=cursor, sort_attribute="at")
    return [from_item(item) for item in items], next_cursor
