"""The local stack's AWS resources: their names, the settings that carry them, and creating them in moto.

The tables come from `isoflow.tables`, the functions from `isoflow.functions` and the state machine from
`isoflow.workflow`, the definitions the CDK stack reads, so the handlers find locally what they find in AWS.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from isoflow.detection.alert import NO_WEBHOOK
from isoflow.functions import FunctionSpec, local_function_name
from isoflow.settings import ENVIRONMENT, Settings
from isoflow.tables import ALL_TABLES, TableSpec, local_table_name
from isoflow.workflow import FunctionArns, Tuning, definition

REGION = "us-east-1"
# moto's default account: the ARNs it hands out carry it.
ACCOUNT_ID = "123456789012"
DATA_BUCKET = "isoflow-data"
DETECTION_STATE_MACHINE = "isoflow-detection"
ALERTS_TOPIC = "isoflow-alerts"
# The secret holding the alert webhook's URL: "none" until `isoflow local --alert-webhook URL` (or a test) sets
# one.
ALERT_WEBHOOK_SECRET = "isoflow-alert-webhook"
# moto does not check IAM; Step Functions still requires a role ARN.
STATE_MACHINE_ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/isoflow-detection"


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"


def state_machine_arn(name: str = DETECTION_STATE_MACHINE) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{name}"


def json_request_headers(service: str, target: str) -> dict[str, str]:
    """The headers of an AWS JSON-protocol request (`target` such as "DynamoDB_20120810.PutItem") that the
    local endpoint reads: moto takes the service and region from the credential scope and checks no signature."""
    return {
        "X-Amz-Target": target,
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": f"AWS4-HMAC-SHA256 Credential=local/20200101/{REGION}/{service}/aws4_request, "
        "SignedHeaders=host, Signature=0",
    }


def local_functions(specs: tuple[FunctionSpec, ...]) -> dict[str, FunctionSpec]:
    """The registry as the local Lambda endpoint sees it: physical name -> spec."""
    return {local_function_name(spec): spec for spec in specs}


# The deployed tuning, except two things. The index lag: moto's indexes are written with their table, so a
# transaction written just before a run is read by it and its account's flag can be cleared at once. The batch
# size: the detector runs in one worker process per core (isoflow.local.stack), and smaller batches keep every
# core busy to the end of a run (300 seeded accounts: six batches over two cores, not three).
LOCAL_TUNING = Tuning(index_lag_s=0, batch_size=50)


def detection_definition(tuning: Tuning = LOCAL_TUNING) -> dict:
    """The detection state machine, invoking the registered functions by their local ARNs."""
    return definition(FunctionArns.of(lambda spec: function_arn(local_function_name(spec))), tuning)


def local_settings(with_state_machine: bool = True) -> Settings:
    """The settings naming the local resources."""
    table_names = {spec.env: local_table_name(spec) for spec in ALL_TABLES}
    return Settings(
        **{setting: table_names[env] for setting, env in ENVIRONMENT.items() if env in table_names},
        data_bucket=DATA_BUCKET,
        state_machine_arn=state_machine_arn() if with_state_machine else "",
        alerts_topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{ALERTS_TOPIC}",
        alert_webhook_secret=ALERT_WEBHOOK_SECRET,
    )


def create_table(dynamodb: Any, spec: TableSpec) -> None:
    name = local_table_name(spec)
    dynamodb.create_table(**spec.create_table_request(name))
    if spec.ttl_attribute:
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute}
        )


def create_state_machine(stepfunctions: Any, definition: dict, name: str = DETECTION_STATE_MACHINE) -> str:
    response = stepfunctions.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=STATE_MACHINE_ROLE_ARN
    )
    return str(response["stateMachineArn"])


def bootstrap(session: boto3.Session, state_machine_definition: dict | None) -> Settings:
    """Creates every table, the data bucket and (given its definition, e.g. `detection_definition()`) the
    detection state machine in an empty endpoint, and returns the settings naming them."""
    dynamodb = session.client("dynamodb")
    for spec in ALL_TABLES:
        create_table(dynamodb, spec)
    session.client("s3").create_bucket(Bucket=DATA_BUCKET)
    session.client("sns").create_topic(Name=ALERTS_TOPIC)
    session.client("secretsmanager").create_secret(Name=ALERT_WEBHOOK_SECRET, SecretString=NO_WEBHOOK)
    if state_machine_definition is None:
        return local_settings(with_state_machine=False)
    create_state_machine(session.client("stepfunctions"), state_machine_definition)
    return local_settings()
