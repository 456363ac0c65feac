"""schemathesis, statefully: sequences of calls chained by links between operations (an account created, then
read, changed, given transactions that are listed, changed, given feedback and deleted ...), with no 5xx and
every response conforming to the schema.

schemathesis infers the links from the OpenAPI document: an operation whose response carries an `accountId`
or `transactionId` feeds the operations that take one in their path or body.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import boto3
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance
from test_api_schema import wsgi

from isoflow.settings import Settings
from isoflow.tables import ALL_TABLES, local_table_name

# Chains the sequences must be able to take (rule names: producer, status, link, consumer).
EXPECTED_LINKS = (
    "POST_api_accounts___201_GetAccount__GET_api_accounts_accountId_",
    "POST_api_accounts___201_PatchAccount__PATCH_api_accounts_accountId_",
    "POST_api_accounts___201_DeleteAccount__DELETE_api_accounts_accountId_",
    "POST_api_accounts___201_PostAccount__POST_api_transactions",
    "POST_api_transactions___201_GetTransaction__GET_api_transactions_transactionId_",
    "POST_api_transactions___201_PatchTransaction__PATCH_api_transactions_transactionId_",
    "POST_api_transactions___201_PutTransaction__PUT_api_transactions_transactionId_feedback",
    "POST_api_transactions___201_DeleteTransaction__DELETE_api_transactions_transactionId_",
)


def test_api_call_sequences_conform_to_its_schema(aws: Settings, schema_date_times: None) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi(aws))
    # Valid requests only (each operation's invalid inputs are test_api_schema's), and no token: here the API
    # runs without an authorizer, as `make run` does.
    schema.config.generation.update(modes=[GenerationMode.POSITIVE], with_security_parameters=False)
    machine = schema.as_state_machine()
    assert [link for link in EXPECTED_LINKS if not hasattr(machine, link)] == []
    answered: Counter[tuple[str, int]] = Counter()

    dynamodb = boto3.client("dynamodb")

    class Sequences(machine):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            # Every sequence starts from an empty system, so that what a step draws depends on the sequence
            # alone (hypothesis replays sequences while it searches and shrinks).
            for spec in ALL_TABLES:
                table, keys = local_table_name(spec), [key.name for key in (spec.partition, spec.sort) if key]
                for page in dynamodb.get_paginator("scan").paginate(TableName=table):
                    for item in page["Items"]:
                        dynamodb.delete_item(TableName=table, Key={k: item[k] for k in keys})

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            answered[(f"{case.method} {case.path}", response.status_code)] += 1
            # A cursor is opaque: one the API never issued is rightly refused (400 naming `cursor`).
            opaque_cursor = bool(case.query and "cursor" in case.query)
            case.validate_response(
                response, excluded_checks=[ignored_auth, *([positive_data_acceptance] if opaque_cursor else [])]
            )

    Sequences.run(
        settings=settings(
            max_examples=100,
            stateful_step_count=10,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )

    print(f"{sum(answered.values())} calls:", dict(sorted(answered.items())))
    assert not [call for call in answered if call[1] >= 500]
    # The links led to real resources: operations on an account created earlier in the sequence succeeded,
    # among them creating its transactions (whose own chains follow with fewer steps left, so less often).
    reached = {call for call, status in answered if status < 300}
    assert {
        "GET /api/accounts/{accountId}",
        "PATCH /api/accounts/{accountId}",
        "DELETE /api/accounts/{accountId}",
        "POST /api/transactions",
    } <= reached
