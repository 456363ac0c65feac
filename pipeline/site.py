"""The dashboard: a private bucket behind CloudFront (Origin Access Control), HTTPS only, with security
headers, the single-page app's routes served by index.html, `/api/*` forwarded to the API, and the `web/`
build deployed with a generated `/config.json`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aws_cdk import Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from pipeline.api import API_PREFIX, STAGE
from pipeline.nag import acknowledge, objects_wildcard
from pipeline.storage import private_bucket

# Routes of the single-page app have no file extension: they all load index.html, and the app routes.
# (An error response for 403/404 would do the same but would also rewrite the API's own 404s.)
SPA_ROUTES = """
function handler(event) {
  var request = event.request;
  if (!/\\.[^/]+$/.test(request.uri)) {
    request.uri = '/index.html';
  }
  return request;
}
"""

# Served fresh on every load: they name the hashed assets and the deployment's settings.
ENTRY_FILES = ("index.html", "config.json")
# The build's source maps stay on the machine that built it: deployed, they would publish the dashboard's source.
UNDEPLOYED_FILES = ("*.map",)


def content_security_policy(connect_sources: Sequence[str]) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            # Charts and components set style attributes.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            " ".join(("connect-src 'self'", *connect_sources)),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def regional_name(scope: Construct, purpose: str) -> str:
    """A name for a CloudFront resource: CloudFront names are global to the account, so they carry the stack's
    name and region, and the same stack deploys to a second region of the account."""
    stack = Stack.of(scope)
    return f"{stack.stack_name}-{stack.region}-{purpose}"


class Site(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        site_dir: Path,
        rest_api_url: str,
        access_logs: s3.IBucket,
        config: Mapping[str, Any],
        retain: bool,
        connect_sources: Sequence[str] = (),
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    ) -> None:
        """`config` becomes /config.json; `connect_sources` are origins the dashboard may call besides its own."""
        super().__init__(scope, id)
        if not (site_dir / "index.html").is_file():
            raise FileNotFoundError(f"{site_dir}/index.html is missing: build the dashboard (web/) first")
        self.bucket = private_bucket(
            self, "Bucket", retain=retain, server_access_logs_bucket=access_logs, server_access_logs_prefix="site/"
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            response_headers_policy_name=regional_name(self, "security-headers"),
            comment="Isoflow dashboard and API security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(connect_sources), override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, preload=True, override=True
                ),
                xss_protection=cloudfront.ResponseHeadersXSSProtection(protection=True, mode_block=True, override=True),
            ),
        )
        api_origin = origins.HttpOrigin(
            Fn.select(2, Fn.split("/", rest_api_url)),  # https://<domain>/<stage>/ -> <domain>
            origin_path=f"/{STAGE}",
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Isoflow dashboard and API",
            default_root_object="index.html",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="cloudfront/",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(
                    self.bucket,
                    origin_access_control=cloudfront.S3OriginAccessControl(
                        self, "AccessControl", origin_access_control_name=regional_name(self, "site")
                    ),
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                        function=cloudfront.Function(
                            self,
                            "SpaRoutes",
                            code=cloudfront.FunctionCode.from_inline(SPA_ROUTES),
                            runtime=cloudfront.FunctionRuntime.JS_2_0,
                            comment="Serves index.html for the dashboard's routes",
                        ),
                    )
                ],
            ),
            additional_behaviors={
                f"/{API_PREFIX}/*": cloudfront.BehaviorOptions(
                    origin=api_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=headers,
                )
            },
        )
        # CDK's one function that copies the build into the bucket logs here, for both deployments.
        deployment_logs = logs.LogGroup(
            self, "DeploymentLogs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        # Hashed assets never change under their names; the entry files change with every deployment.
        s3deploy.BucketDeployment(
            self,
            "Assets",
            sources=[s3deploy.Source.asset(str(site_dir), exclude=[*ENTRY_FILES, *UNDEPLOYED_FILES])],
            log_group=deployment_logs,
            destination_bucket=self.bucket,
            cache_control=[
                s3deploy.CacheControl.set_public(),
                s3deploy.CacheControl.max_age(Duration.days(365)),
                s3deploy.CacheControl.immutable(),
            ],
            # Older assets stay: a browser still running the previous build can load what it asks for.
            prune=False,
        )
        s3deploy.BucketDeployment(
            self,
            "Entry",
            sources=[
                s3deploy.Source.asset(str(site_dir), exclude=["*", "!index.html"]),
                s3deploy.Source.json_data("config.json", dict(config)),
            ],
            destination_bucket=self.bucket,
            log_group=deployment_logs,
            cache_control=[s3deploy.CacheControl.no_cache()],
            prune=False,
            distribution=self.distribution,
            distribution_paths=[f"/{name}" for name in ENTRY_FILES],
        )

        self._acknowledge()

    def _acknowledge(self) -> None:
        acknowledge(self.distribution, "AwsSolutions-CFR1", "The dashboard serves its users wherever they are")
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "The API behind /api/* is throttled at its stage; a WAF web ACL is a per-deployment choice with its "
            "own monthly cost",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "The default *.cloudfront.net certificate fixes the minimum TLS version; a custom domain with its own "
            "certificate sets TLSv1.2_2021",
        )
        # CDK's one shared function that copies the build into the bucket during deployment.
        stack = Stack.of(self)
        deployer = next(c for c in stack.node.children if c.node.id.startswith("Custom::CDKBucketDeployment"))
        for rule, reason in (
            ("AwsSolutions-L1", "CDK manages this deployment-time function's runtime"),
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                "The deployment-time function only writes its own logs with this AWS managed policy",
            ),
            *(
                (
                    f"AwsSolutions-IAM5[Action::{action}]",
                    "CDK's grant to copy the build from the assets bucket to the site bucket",
                )
                for action in ("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*")
            ),
            (
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]",
                "Reads the build's zip from the CDK assets bucket",
            ),
            (objects_wildcard(self.bucket), "Writes the build's files into the site bucket"),
            ("AwsSolutions-IAM5[Resource::*]", "CloudFront invalidations accept no resource ARN"),
        ):
            acknowledge(deployer, rule, reason)

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"
