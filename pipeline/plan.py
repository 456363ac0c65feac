"""What a synthesised template will create, and the account quotas it needs: `make synth` and `make deploy`
print it before anything is deployed.

`python -m pipeline.plan cdk.out/Isoflow.template.json`
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.concurrency import UNRESERVED_MINIMUM
from pipeline.workflow import states_of

# Resource type -> (the quota that counts it, its default): quotas a stack of this size could meet in an
# account that already holds other workloads.
COUNTED_QUOTAS = {
    "AWS::CloudFront::Distribution": ("CloudFront distributions per account", 200),
    "AWS::S3::Bucket": ("S3 general purpose buckets per account", 10_000),
    "AWS::DynamoDB::Table": ("DynamoDB tables per account and region", 2_500),
    "AWS::Cognito::UserPool": ("Cognito user pools per account and region", 1_000),
}


def _text(value: Any) -> str:
    """A template value as text, references standing in as `<name>` (enough to read a definition's numbers)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_text(part) for part in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "<{}>".format(".".join(value["Fn::GetAtt"]))
    raise ValueError(f"cannot read {value!r} as text")


def _resources(template: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == kind]


def map_concurrency(template: Mapping[str, Any]) -> int:
    """The most function invocations a detection run's Maps make at once."""
    most = 0
    for machine in _resources(template, "AWS::StepFunctions::StateMachine"):
        document = json.loads(_text(machine["Properties"]["DefinitionString"]))
        most = max([most, *(s.get("MaxConcurrency", 0) for s in states_of(document) if s["Type"] == "Map")])
    return most


def reserved_concurrency(template: Mapping[str, Any]) -> int:
    return sum(
        int(function["Properties"].get("ReservedConcurrentExecutions", 0))
        for function in _resources(template, "AWS::Lambda::Function")
    )


def lambda_concurrency_quota(template: Mapping[str, Any]) -> str:
    reserved = reserved_concurrency(template)
    if reserved:
        return (
            f"Lambda concurrent executions: at least {reserved + UNRESERVED_MINIMUM} "
            f"(functions reserve {reserved}, and Lambda keeps {UNRESERVED_MINIMUM} unreserved); a lower quota "
            "fails the deployment"
        )
    return (
        f"Lambda concurrent executions: no reservations; a detection run invokes up to {map_concurrency(template)} "
        "functions at once besides the API's requests: below that, Lambda throttles them and Step Functions "
        "retries, so runs take longer"
    )


def describe(template: Mapping[str, Any], stack_name: str) -> str:
    counts = Counter(resource["Type"] for resource in template["Resources"].values())
    lines = [f"{stack_name} creates {sum(counts.values())} resources in the region it is deployed to:"]
    lines += [f"  {count:4d}  {kind}" for kind, count in sorted(counts.items())]
    lines.append("Account quotas it needs (Service Quotas console, in the region deployed to):")
    lines.append(f"  {lambda_concurrency_quota(template)}")
    for kind, (quota, default) in COUNTED_QUOTAS.items():
        if counts[kind]:
            lines.append(f"  {quota}: {counts[kind]} more (default quota {default:,})")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "cdk.out/Isoflow.template.json")
    print(describe(json.loads(path.read_text()), path.name.removesuffix(".template.json")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
