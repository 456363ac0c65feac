"""schemathesis over the local stack with sign-in, as an admin: the API conforms to its schema behind the
authorizer, and every operation the schema says needs a token refuses a request without one or with a bad one
(schemathesis's ignored-auth check probes both)."""

from __future__ import annotations

import time
from typing import Any

import boto3
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from isoflow.local.auth import LOCAL_USERS
from isoflow.local.resources import REGION


def test_api_conforms_to_its_schema_behind_the_authorizer(local_stack_auth: Any, schema_date_times: None) -> None:
    stack = local_stack_auth
    email = LOCAL_USERS["admins"]
    signed_in = boto3.client("cognito-idp", endpoint_url=stack.aws.url, region_name=REGION).initiate_auth(
        ClientId=stack.user_pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": stack.user_pool.passwords[email]},
    )
    headers = {"Authorization": f"Bearer {signed_in['AuthenticationResult']['IdToken']}"}
    document = requests.get(f"{stack.url}/api/openapi.json", headers=headers, timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def check(case: schemathesis.Case) -> None:
            # A cursor is opaque: one the API never issued is rightly refused (400 naming `cursor`).
            opaque_cursor = bool(case.query and "cursor" in case.query)
            case.call_and_validate(
                base_url=stack.url,
                headers=headers,
                excluded_checks=[positive_data_acceptance] if opaque_cursor else [],
            )

        check()

    # Runs the fuzzing started read the tables: let them finish before the test's backends are emptied.
    deadline = time.monotonic() + 120
    while any(
        run["status"] == "RUNNING"
        for run in requests.get(f"{stack.url}/api/executions", headers=headers, timeout=30).json()["items"]
    ):
        assert time.monotonic() < deadline, "detection runs did not finish"
        time.sleep(0.5)
