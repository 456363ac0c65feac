"""The AWS regions the stack deploys to, and why the others are refused.

Supported are the commercial regions every account has enabled by default. Of the opt-in regions, CloudFront
delivers no standard logs to buckets in af-south-1, ap-east-1, eu-south-1 and me-south-1 (the site's access
logs go to a bucket in the stack's region), Lambda SnapStart (the API and the detector) is not offered in
ap-southeast-6 and ap-east-2, and the others have not been checked against every service the stack uses.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnRule, CfnRuleAssertion, Fn
from constructs import Construct

SUPPORTED_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
)
NO_CLOUDFRONT_LOG_DELIVERY = frozenset({"af-south-1", "ap-east-1", "eu-south-1", "me-south-1"})
NO_SNAPSTART = frozenset({"ap-southeast-6", "ap-east-2"})


def unsupported_reason(region: str) -> str | None:
    """Why the stack cannot be deployed to `region`, or None where it can."""
    if region in SUPPORTED_REGIONS:
        return None
    supported = ", ".join(SUPPORTED_REGIONS)
    if region in NO_CLOUDFRONT_LOG_DELIVERY:
        why = f"CloudFront does not deliver standard logs to S3 buckets in {region}"
    elif region in NO_SNAPSTART:
        why = f"Lambda SnapStart, which the API and the detector use, is not offered in {region}"
    else:
        why = f"{region} is not one of the regions the stack has been checked against"
    return f"Isoflow cannot be deployed to {region}: {why}. Supported regions: {supported}."


def require_supported_region(scope: Construct) -> None:
    """Refuses the deployment before anything is created, in whichever region it runs: CloudFormation checks the
    rule when the change set is made (synth refuses earlier where the region is known, see stack.add_to)."""
    CfnRule(
        scope,
        "SupportedRegion",
        assertions=[
            CfnRuleAssertion(
                assert_=Fn.condition_contains(list(SUPPORTED_REGIONS), Aws.REGION),
                assert_description="Isoflow deploys only to these regions: " + ", ".join(SUPPORTED_REGIONS),
            )
        ],
    )
