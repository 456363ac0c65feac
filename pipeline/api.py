"""The REST API: API Gateway in front of the API function, every route under `/api`.

The function receives the full path (`/api/...`) both when called directly and through CloudFront, which
forwards `/api/*` to the stage unchanged.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from isoflow.api.auth import PUBLIC_ROUTES
from pipeline.nag import acknowledge

API_PREFIX = "api"
STAGE = "prod"


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        handler: lambda_.IFunction,
        rate_limit: int,
        burst_limit: int,
        authorizer: apigateway.IAuthorizer | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    ) -> None:
        super().__init__(scope, id)
        access_logs = logs.LogGroup(self, "AccessLogs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY)
        self.rest_api = apigateway.RestApi(
            self,
            "Rest",
            description="Isoflow: accounts, transactions, anomalies and detection runs",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            # API Gateway writes execution logs through one role per account and region; this stack sets it up
            # and leaves it behind when deleted, since other APIs in the account log through it too.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigateway.StageOptions(
                stage_name=STAGE,
                throttling_rate_limit=rate_limit,
                throttling_burst_limit=burst_limit,
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                # Errors only, and never request or response bodies: they carry people's transactions.
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                tracing_enabled=True,
                metrics_enabled=True,
            ),
        )
        # API Gateway writes the stage's execution logs to a group of this name, which it would create without a
        # retention; created here first (the stage waits for it), it expires like the others.
        execution_logs = logs.LogGroup(
            self,
            "ExecutionLogs",
            log_group_name=f"API-Gateway-Execution-Logs_{self.rest_api.rest_api_id}/{STAGE}",
            retention=log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.rest_api.deployment_stage.node.add_dependency(execution_logs)
        # The authorizer's refusal in the API's own error shape.
        self.rest_api.add_gateway_response(
            "Unauthorized",
            type=apigateway.ResponseType.UNAUTHORIZED,
            status_code="401",
            templates={"application/json": '{"message": "Unauthorized", "errors": []}'},
        )
        validator = self.rest_api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        integration = apigateway.LambdaIntegration(handler)
        # `/api` and everything under it reach the function, which routes and validates each request itself;
        # an authorizer, when given, guards every route but the health check.
        api_root = self.rest_api.root.add_resource(API_PREFIX)
        guarded = [
            api_root.add_method("ANY", integration, request_validator=validator, authorizer=authorizer),
            api_root.add_proxy(any_method=False).add_method(
                "ANY", integration, request_validator=validator, authorizer=authorizer
            ),
        ]
        # The API's public routes (isoflow.api.auth.PUBLIC_ROUTES): the health check, which says only whether the
        # API is up, and /api/docs, which only sends a browser on to the dashboard's API page.
        public = [
            api_root.add_resource(path.removeprefix(f"/{API_PREFIX}/")).add_method(
                method, integration, request_validator=validator
            )
            for method, path in sorted(PUBLIC_ROUTES)
        ]
        for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
            for method in public:
                acknowledge(method, rule, "Public by design: the health check and the redirect to the API's page")
            if authorizer is None:
                for method in guarded:
                    acknowledge(method, rule, "No authorizer is configured for this deployment, so the API is open")
        acknowledge(
            self.rest_api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-wide logging role; AWS maintains this policy for exactly that purpose",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-APIG3",
            "Stage throttling bounds abuse; a WAF web ACL is a per-deployment choice with its own monthly cost",
        )

    @property
    def url(self) -> str:
        """The API's base URL, `/api` included."""
        return f"{self.rest_api.url}{API_PREFIX}"
