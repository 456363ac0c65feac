"""The REST API Lambda (API Gateway REST proxy events under /api)."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from isoflow.api.app import create_app, services_from_settings
from isoflow.functions import API
from isoflow.observability import lambda_handler
from isoflow.settings import Settings

app = create_app(services_from_settings(Settings.from_env(API.settings)))


@lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
