"""Reruns in AWS: the resource patterns the roles allow, matched as IAM matches them against the ARNs Step
Functions authorises each call on, built from the synthesised state machine's name and its Map's label.

A redrive of a run whose Distributed Map did not finish redrives the Map Run's unsuccessful child executions,
which Step Functions authorises on the children's execution ARNs (`execution:<state machine>/<label>:<id>`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from test_infra_stack import function_of, resources, statements_of

from isoflow.functions import API

pytestmark = pytest.mark.xdist_group("infra")

PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012"}
STATES = "arn:aws:states:eu-west-1:123456789012"


def rendered(value: Any) -> str:
    """A resource pattern as IAM sees it in a deployment to PSEUDO's account and region; any other reference
    becomes `<logical id>`."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(rendered(part) for part in parts)
    if "Ref" in value:
        return PSEUDO.get(value["Ref"], f"<{value['Ref']}>")
    if "Fn::GetAtt" in value:
        return f"<{value['Fn::GetAtt'][0]}>"
    raise AssertionError(f"cannot render {value!r}")


def iam_matches(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """IAM's wildcards: `*` is any run of characters (colons and slashes too), `?` any one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def test_iam_wildcards_span_colons_and_slashes_and_match_nothing_else() -> None:
    assert iam_matches("arn:x:execution:sm/*", "arn:x:execution:sm/Label:id")
    assert iam_matches("arn:x:execution:sm/Label:*", "arn:x:execution:sm/Label:id")
    assert not iam_matches("arn:x:execution:sm/Label:*", "arn:x:execution:sm/Other:id")
    assert not iam_matches("arn:x:mapRun:sm/*:*", "arn:x:execution:sm/Label:id")
    assert iam_matches("states:Describe?xecution", "states:DescribeExecution")


def allows(statements: list[dict[str, Any]], action: str, arn: str) -> bool:
    for statement in statements:
        if statement["Effect"] != "Allow":
            continue
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        patterns = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if any(iam_matches(a, action, case_sensitive=False) for a in actions) and any(
            iam_matches(rendered(p), arn) for p in patterns
        ):
            return True
    return False


def states_of(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for state in document["States"].values():
        yield state
        if "ItemProcessor" in state:
            yield from states_of(state["ItemProcessor"])


def state_machine(template_json: dict) -> tuple[str, dict[str, Any]]:
    (machine,) = resources(template_json, "AWS::StepFunctions::StateMachine").values()
    return machine["Properties"]["StateMachineName"], machine


def map_label(machine: dict[str, Any]) -> str:
    document = json.loads(rendered(machine["Properties"]["DefinitionString"]))
    (label,) = [
        state["Label"]
        for state in states_of(document)
        if state.get("ItemProcessor", {}).get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED"
    ]
    return str(label)


@pytest.fixture(scope="module")
def arns(template_json: dict) -> dict[str, str]:
    """What Step Functions names in a deployment: the state machine, a run, its Map Run and a child execution."""
    name, machine = state_machine(template_json)
    label = map_label(machine)
    return {
        "state machine": f"{STATES}:stateMachine:{name}",
        "run": f"{STATES}:execution:{name}:manual-20261201T080000-3f9c",
        "map run": f"{STATES}:mapRun:{name}/{label}:0c1e5a7b-93d4-3b8e-a5f1-2c7d9e4b6a10",
        "child": f"{STATES}:execution:{name}/{label}:f4b2c8d0-6e1a-3c57-9b2d-8a0f7e6c5d43",
        "another machine's child": f"{STATES}:execution:{name}-other/{label}:f4b2c8d0-6e1a-3c57-9b2d-8a0f7e6c5d43",
    }


def test_the_state_machine_may_redrive_describe_and_stop_its_map_runs_children(
    template_json: dict, arns: dict[str, str]
) -> None:
    _, machine = state_machine(template_json)
    statements = statements_of(template_json, machine["Properties"]["RoleArn"]["Fn::GetAtt"][0])
    for action in ("states:RedriveExecution", "states:DescribeExecution", "states:StopExecution"):
        assert allows(statements, action, arns["child"]), f"{action} on {arns['child']}"
        assert not allows(statements, action, arns["another machine's child"]), action
    assert allows(statements, "states:StartExecution", arns["state machine"])


# The calls of the runs service (isoflow.runs) and the ARN each is authorised on.
RUNS_SERVICE_CALLS = {
    "states:ListExecutions": "state machine",
    "states:StartExecution": "state machine",
    "states:DescribeExecution": "run",
    "states:GetExecutionHistory": "run",
    "states:DescribeStateMachineForExecution": "run",
    "states:ListMapRuns": "run",
    "states:DescribeMapRun": "map run",
    "states:RedriveExecution": "run",
}


def test_the_api_may_make_each_call_of_the_runs_service_on_the_arn_it_names(
    template_json: dict, arns: dict[str, str]
) -> None:
    _, function = function_of(template_json, API)
    statements = statements_of(template_json, function["Properties"]["Role"]["Fn::GetAtt"][0])
    refused = [
        f"{action} on {arns[resource]}"
        for action, resource in RUNS_SERVICE_CALLS.items()
        if not allows(statements, action, arns[resource])
    ]
    assert refused == []
    assert not allows(statements, "states:RedriveExecution", arns["another machine's child"])
