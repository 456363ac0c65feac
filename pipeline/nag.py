"""Acknowledging AwsSolutions findings: each one next to the construct that causes it, with its reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

XRAY_WILDCARD = "X-Ray's PutTraceSegments and PutTelemetryRecords accept no resource ARN"


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


def objects_wildcard(bucket: s3.IBucket) -> str:
    """The IAM5 finding for a grant on every object of `bucket`, as cdk-nag names it."""
    resource = bucket.node.default_child
    assert isinstance(resource, CfnElement)
    return f"AwsSolutions-IAM5[Resource::<{Stack.of(bucket).get_logical_id(resource)}.Arn>/*]"


def resource_wildcard(arn: str, scope: IConstruct) -> str:
    """The IAM5 finding for a resource pattern built with `Stack.format_arn`, as cdk-nag names it."""
    stack = Stack.of(scope)
    rendered = stack.resolve(arn)
    parts = rendered["Fn::Join"][1] if isinstance(rendered, dict) else [rendered]
    pseudo = {"AWS::Partition", "AWS::Region", "AWS::AccountId", "AWS::URLSuffix"}
    text = "".join(
        f"<{part['Ref']}>" if isinstance(part, dict) and part.get("Ref") in pseudo else str(part) for part in parts
    )
    return f"AwsSolutions-IAM5[Resource::{text}]"
