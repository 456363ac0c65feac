"""TransactWriteItems for the local endpoint, in time proportional to the transaction, not to the tables.

moto's own implementation backs up every table a transaction touches (a deep copy) before it writes, so on
a seeded system each transaction costs seconds. This one has the same all-or-nothing semantics as DynamoDB:
it evaluates every condition against the current items first and writes nothing if any fails
(TransactionCanceledException with a reason per action); then it applies the writes, keeping copies of
only the items it touches, and puts them back if a write is refused.
"""

from __future__ import annotations

import copy
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend

OPERATIONS = frozenset({"ConditionCheck", "Put", "Delete", "Update"})


def _key(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    actions: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in OPERATIONS:
            raise ValueError("Unsupported transaction operation")
        key = _key(self, op_type, op)
        target = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if target in seen:
            raise MultipleTransactionsException()
        seen.add(target)
        actions.append((op_type, op, key))

    reasons: list[tuple[Any, Any, Any]] = []
    for _, op, key in actions:
        current = self.get_item(op["TableName"], key)
        condition = op.get("ConditionExpression")
        if condition is not None and not get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        ).expr(current):
            old = None
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old = current.to_json()["Attributes"]
            reasons.append(("ConditionalCheckFailed", ConditionalCheckFailed(item=old).message, old))
        else:
            reasons.append((None, None, None))
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)

    originals = [(op["TableName"], key, copy.deepcopy(self.get_item(op["TableName"], key))) for _, op, key in actions]
    try:
        for op_type, op, key in actions:
            names, values = op.get("ExpressionAttributeNames") or {}, op.get("ExpressionAttributeValues") or {}
            if op_type == "Put":
                self.put_item(op["TableName"], op["Item"])
            elif op_type == "Delete":
                self.delete_item(op["TableName"], key)
            elif op_type == "Update":
                self.update_item(
                    op["TableName"],
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
    except Exception:
        for table_name, key, original in originals:
            if original is None:
                if self.get_item(table_name, key) is not None:
                    self.delete_item(table_name, key)
            else:
                self.put_item(table_name, original.to_json()["Attributes"])
        raise


# (class, method, replacement) for isoflow.local.dynamodb.install
REPLACEMENTS = ((DynamoDBBackend, "transact_write_items", transact_write_items),)
