"""Lambda Invoke on the local AWS endpoint runs the registered handler in-process and answers like Lambda."""

from __future__ import annotations

import json
import os
import threading
import time
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from isoflow.functions import FUNCTIONS, local_function_name
from isoflow.local.lambda_invoke import function_name_from


class PaymentDeclinedError(Exception):
    pass


def echo(event: Any, context: Any) -> dict[str, Any]:
    return {
        "event": event,
        "functionName": context.function_name,
        "requestId": context.aws_request_id,
        "arn": context.invoked_function_arn,
        "remainingMs": context.get_remaining_time_in_millis(),
        "memory": context.memory_limit_in_mb,
        "accountsTable": os.environ.get("ACCOUNTS_TABLE"),
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
        "amount": Decimal("12.50"),
    }


def decline(event: Any, context: Any) -> None:
    raise PaymentDeclinedError(f"declined {event['id']}")


def invoke(function_name: str, payload: Any, **kwargs: Any) -> dict[str, Any]:
    response = boto3.client("lambda").invoke(FunctionName=function_name, Payload=json.dumps(payload), **kwargs)
    return {**response, "Body": json.loads(response["Payload"].read() or b"null")}


def test_invoke_runs_the_handler_with_a_lambda_context_and_the_stack_environment(local_aws):
    local_aws.register("echo", echo)

    response = invoke("isoflow-echo", {"id": 7})

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    body = response["Body"]
    assert body["event"] == {"id": 7}
    assert body["functionName"] == "isoflow-echo"
    assert body["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:isoflow-echo"
    assert len(body["requestId"]) == 36
    assert 0 < body["remainingMs"] <= 30_000
    assert body["accountsTable"] == local_aws.settings.accounts_table
    assert body["endpoint"] == local_aws.url
    assert body["amount"] == 12.5


@pytest.mark.parametrize(
    "name",
    [
        "arn:aws:lambda:us-east-1:123456789012:function:isoflow-echo",
        "arn:aws:lambda:us-east-1:123456789012:function:isoflow-echo:live",
        "isoflow-echo:$LATEST",
    ],
)
def test_invoke_accepts_an_arn_and_a_qualifier(local_aws, name):
    local_aws.register("echo", echo)

    assert invoke(name, {"id": 1})["Body"]["event"] == {"id": 1}


def test_a_handler_exception_is_an_unhandled_function_error(local_aws):
    local_aws.register("decline", decline)

    response = invoke("isoflow-decline", {"id": "p-1"})

    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert response["Body"]["errorType"] == "PaymentDeclinedError"
    assert response["Body"]["errorMessage"] == "declined p-1"
    assert any("in decline" in line for line in response["Body"]["stackTrace"])


def test_an_unknown_function_is_resource_not_found(local_aws):
    with pytest.raises(ClientError) as raised:
        invoke("isoflow-nothing-here", {})

    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "isoflow-nothing-here" in raised.value.response["Error"]["Message"]


def test_a_handler_that_outlives_its_timeout_fails_like_a_lambda_timeout(local_aws):
    local_aws.register("slow", lambda event, context: time.sleep(1.1), timeout_s=1)

    response = invoke("isoflow-slow", {})

    assert response["FunctionError"] == "Unhandled"
    assert response["Body"]["errorType"] == "Sandbox.Timedout"


def test_an_event_invocation_is_accepted_and_runs_in_the_background(local_aws):
    ran = threading.Event()
    local_aws.register("notify", lambda event, context: ran.set())

    response = invoke("isoflow-notify", {"id": 3}, InvocationType="Event")

    assert response["StatusCode"] == 202
    assert ran.wait(timeout=10)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_every_function_of_the_product_is_invoked_by_its_local_name(local_aws, spec):
    # Not an event at all: the function's own handler runs and refuses it by name, as Lambda reports an error.
    response = boto3.client("lambda", endpoint_url=local_aws.url).invoke(
        FunctionName=local_function_name(spec), Payload=json.dumps("not an event").encode()
    )
    answer = json.loads(response["Payload"].read())
    assert response["StatusCode"] == 200 and response.get("FunctionError") == "Unhandled", answer
    assert answer["errorType"] in ("ValueError", "InvalidStepInputError"), answer
    assert "str" in answer["errorMessage"] or "object" in answer["errorMessage"], answer


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_every_function_of_the_product_is_traced_and_logs_per_invocation(local_aws, spec):
    # isoflow.observability.lambda_handler: an X-Ray segment per invocation, log lines naming the function.
    assert getattr(spec.load(), "is_lambda_handler", False), f"{spec.handler} is not wrapped by lambda_handler"


@pytest.mark.parametrize(
    ("identifier", "name"),
    [
        ("isoflow-api", "isoflow-api"),
        ("isoflow-api:live", "isoflow-api"),
        ("123456789012:function:isoflow-api", "isoflow-api"),
        ("arn:aws:lambda:us-east-1:123456789012:function:isoflow-api:7", "isoflow-api"),
    ],
)
def test_function_name_from_every_form_invoke_accepts(identifier, name):
    assert function_name_from(identifier) == name


def test_invocations_of_one_function_never_overlap_as_in_one_execution_environment(local_aws):
    running: list[int] = []
    overlaps: list[int] = []
    lock = threading.Lock()

    def count(event: Any, context: Any) -> None:
        with lock:
            running.append(1)
            overlaps.append(len(running))
        time.sleep(0.05)
        with lock:
            running.pop()

    local_aws.register("count", count)
    callers = [threading.Thread(target=invoke, args=("isoflow-count", {})) for _ in range(6)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()

    assert len(overlaps) == 6
    assert max(overlaps) == 1
