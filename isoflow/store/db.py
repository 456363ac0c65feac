"""The DynamoDB client, table names, item conversion and the retrying write primitives."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, Rounded
from functools import partial
from typing import Any, TypeVar

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

from isoflow.observability import logger
from isoflow.settings import Settings
from isoflow.store.errors import BusyError

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
# Decimal for DynamoDB without the float noise of Decimal(float).
_decimal_context = Context(prec=38, traps=[])

RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
    }
)
# A cancelled TransactWriteItems names each action's reason with codes of its own (not the exception names
# above): another transaction held one of the items, or throttling. Both pass; the write is retried.
RETRYABLE_CANCELLATION_CODES = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
T = TypeVar("T")


@dataclass(frozen=True)
class Db:
    client: Any
    accounts: str
    transactions: str
    scores: str
    audit: str = ""  # the API's writes record who made them here; other writers need not name it

    @classmethod
    def from_settings(cls, settings: Settings, client: Any = None) -> Db:
        return cls(
            client=client or dynamodb_client(),
            accounts=settings.accounts_table,
            transactions=settings.transactions_table,
            scores=settings.scores_table,
            audit=settings.audit_table,
        )


def dynamodb_client(*, validate: bool = True) -> Any:
    """botocore's own retries handle throttling; "standard" mode retries transaction conflicts too. Without
    `validate`, botocore sends requests without checking them against the service model first (DynamoDB
    checks them anyway): for bulk writes built by code, where the check costs as much as the sending."""
    return boto3.client(
        "dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 5}, parameter_validation=validate)
    )


def to_decimal(value: float | int | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return _decimal_context.create_decimal(repr(value))


def _to_dynamo_value(value: Any) -> Any:
    if isinstance(value, float):
        return to_decimal(value)
    if isinstance(value, Mapping):
        return {k: _to_dynamo_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_to_dynamo_value(v) for v in value]
    return value


def _from_dynamo_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {k: _from_dynamo_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo_value(v) for v in value]
    return value


def to_item(record: Mapping[str, Any]) -> dict[str, Any]:
    """A plain dict to a DynamoDB item; None values are left out."""
    return {k: _serializer.serialize(_to_dynamo_value(v)) for k, v in record.items() if v is not None}


def to_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Expression attribute values (":name" -> typed value)."""
    return {k: _serializer.serialize(_to_dynamo_value(v)) for k, v in values.items()}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _from_dynamo_value(_deserializer.deserialize(v)) for k, v in item.items()}


def exact_decimal(value: Decimal, places: int = 2) -> Decimal:
    """`value` rounded to `places`, raising if that loses digits (callers validate first)."""
    context = Context(prec=38, traps=[Inexact, Rounded])
    return value.quantize(Decimal(1).scaleb(-places), context=context)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def with_retries(operation: Callable[[], T], *, what: str, attempts: int = 6, base_delay: float = 0.05) -> T:
    """Run `operation`, retrying throttling and conflicts with full-jitter backoff, then raise BusyError."""
    for attempt in range(attempts):
        try:
            return operation()
        except ClientError as error:
            code = error_code(error)
            if code not in RETRYABLE_CODES and not _is_conflict_cancellation(error):
                raise
            if attempt == attempts - 1:
                logger.warning("giving up after retries", extra={"operation": what, "code": code})
                raise BusyError(f"{what}: too many concurrent writes, try again") from error
            time.sleep(random.uniform(0, base_delay * 2**attempt))
    raise AssertionError("unreachable")


def write_transaction(db: Db, actions: list[dict[str, Any]], *, what: str) -> bool:
    """TransactWriteItems; False when a condition failed (the caller re-reads and tries again)."""
    try:
        with_retries(lambda: db.client.transact_write_items(TransactItems=actions), what=what)
        return True
    except ClientError as error:
        if error_code(error) == "TransactionCanceledException" and "ConditionalCheckFailed" in cancellation_codes(
            error
        ):
            return False
        raise


def _is_conflict_cancellation(error: ClientError) -> bool:
    if error_code(error) != "TransactionCanceledException":
        return False
    codes = {reason.get("Code") for reason in error.response.get("CancellationReasons", [])}
    return bool(codes & RETRYABLE_CANCELLATION_CODES)


def cancellation_codes(error: ClientError) -> list[str]:
    """Per-action codes of a cancelled TransactWriteItems ("None" for actions that were fine)."""
    return [str(reason.get("Code", "None")) for reason in error.response.get("CancellationReasons", [])]


def batch_write(db: Db, table: str, requests: Iterable[dict[str, Any]], *, max_attempts: int = 8) -> int:
    """BatchWriteItem in requests of 25, retrying unprocessed items with backoff until all are written.

    `requests` are WriteRequest dicts ({"PutRequest": {"Item": ...}} or {"DeleteRequest": {"Key": ...}}).
    Returns the number of BatchWriteItem calls made.
    """
    calls = 0
    pending = list(requests)
    for start in range(0, len(pending), 25):
        chunk: Sequence[dict[str, Any]] = pending[start : start + 25]
        for attempt in range(max_attempts):
            request = {table: list(chunk)}
            response = with_retries(partial(db.client.batch_write_item, RequestItems=request), what="batch write")
            calls += 1
            chunk = response.get("UnprocessedItems", {}).get(table, [])
            if not chunk:
                break
            if attempt == max_attempts - 1:
                raise BusyError(f"batch write: {len(chunk)} items still unprocessed after {max_attempts} tries")
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
    return calls


def batch_get(
    db: Db, table: str, keys: Sequence[Mapping[str, Any]], attributes: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """BatchGetItem in requests of 100, retrying unprocessed keys; the items as stored (only `attributes`, if
    given), in no particular order."""
    found: list[dict[str, Any]] = []
    projection = {}
    if attributes:
        names = {f"#a{i}": name for i, name in enumerate(attributes)}
        projection = {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    for start in range(0, len(keys), 100):
        pending: list[Mapping[str, Any]] = [to_item(k) for k in keys[start : start + 100]]
        while pending:
            request = {table: {"Keys": pending, **projection}}
            response = with_retries(partial(db.client.batch_get_item, RequestItems=request), what="batch get")
            found.extend(response.get("Responses", {}).get(table, []))
            pending = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    return found
