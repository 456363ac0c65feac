"""moto's Step Functions interpreter executes state machines on the local endpoint, and its Lambda Tasks run
the registered handlers in-process (Retry and Catch see Lambda's errors)."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3

from isoflow.local.resources import DATA_BUCKET, STATE_MACHINE_ROLE_ARN
from isoflow.workflow import Keys, States, Tuning


class CardNetworkBusyError(Exception):
    pass


def run(definition: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Creates the state machine, runs one execution to its end and returns DescribeExecution's answer."""
    stepfunctions = boto3.client("stepfunctions")
    machine = stepfunctions.create_state_machine(
        name="test-machine", definition=json.dumps(definition), roleArn=STATE_MACHINE_ROLE_ARN
    )
    execution = stepfunctions.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps(payload))
    return wait_for(execution["executionArn"])


def wait_for(execution_arn: str) -> dict[str, Any]:
    stepfunctions = boto3.client("stepfunctions")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        execution = stepfunctions.describe_execution(executionArn=execution_arn)
        if execution["status"] != "RUNNING":
            return execution
        time.sleep(0.2)
    raise AssertionError(f"{execution_arn} still running")


def test_a_task_invokes_the_registered_function_and_retries_its_errors(local_aws):
    calls: list[dict] = []

    def authorise(event: dict, context: Any) -> dict:
        calls.append(event)
        if len(calls) == 1:
            raise CardNetworkBusyError("try again")
        return {"approved": event["amount"] < 100}

    arn = local_aws.register("authorise", authorise)
    definition = {
        "StartAt": "Authorise",
        "States": {
            "Authorise": {
                "Type": "Task",
                "Resource": arn,
                "Retry": [{"ErrorEquals": ["CardNetworkBusyError"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                "End": True,
            }
        },
    }

    execution = run(definition, {"amount": 42})

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"approved": True}
    assert calls == [{"amount": 42}, {"amount": 42}]


def test_a_failing_task_is_caught_with_the_functions_error_and_cause(local_aws):
    def decline(event: dict, context: Any) -> dict:
        raise ValueError("amount is negative")

    arn = local_aws.register("decline", decline)
    definition = {
        "StartAt": "Authorise",
        "States": {
            "Authorise": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": arn, "Payload.$": "$"},
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Declined"}],
                "End": True,
            },
            "Declined": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"},
        },
    }

    execution = run(definition, {"amount": -1})

    assert execution["status"] == "FAILED"
    assert execution["error"] == "ValueError"
    assert json.loads(execution["cause"])["errorMessage"] == "amount is negative"


def test_a_distributed_map_reads_its_items_from_a_json_object_in_s3(local_aws):
    boto3.client("s3").put_object(
        Bucket=DATA_BUCKET, Key="runs/r1/batches.json", Body=json.dumps([{"batch": i} for i in range(5)])
    )
    arn = local_aws.register("double", lambda event, context: {"doubled": event["batch"] * 2})
    definition = {
        "StartAt": "EachBatch",
        "States": {
            "EachBatch": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON"},
                    "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"},
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Double",
                    "States": {"Double": {"Type": "Task", "Resource": arn, "End": True}},
                },
                "MaxConcurrency": 2,
                "End": True,
            }
        },
    }

    execution = run(definition, {"bucket": DATA_BUCKET, "key": "runs/r1/batches.json"})

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == [{"doubled": 2 * i} for i in range(5)]


def test_an_unnamed_execution_gets_a_name_of_its_own_as_in_aws(local_aws):
    stepfunctions = boto3.client("stepfunctions")
    machine = stepfunctions.create_state_machine(
        name="test-machine",
        definition=json.dumps({"StartAt": "Noop", "States": {"Noop": {"Type": "Pass", "End": True}}}),
        roleArn=STATE_MACHINE_ROLE_ARN,
    )

    first = stepfunctions.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")
    second = stepfunctions.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")

    assert first["executionArn"] != second["executionArn"]
    assert wait_for(second["executionArn"])["name"] == second["executionArn"].rsplit(":", 1)[1]


def test_the_detection_state_machine_takes_a_tuning_of_the_tests_choice(local_aws):
    local_aws.use_tuning(Tuning(batch_size=7, retry_interval_s=1, retry_max_delay_s=1, index_lag_s=0))

    stepfunctions = boto3.client("stepfunctions")
    described = stepfunctions.describe_state_machine(stateMachineArn=local_aws.settings.state_machine_arn)

    first_step = json.loads(described["definition"])["States"][States.FIND_STALE_ACCOUNTS]
    assert first_step["Parameters"]["Payload"][Keys.BATCH_SIZE] == 7
