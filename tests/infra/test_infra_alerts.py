"""The alerts of detection runs in the stack: an encrypted topic RecordRun alone publishes to, an e-mail
subscription and a webhook secret from context, and the dashboard's URL for the links."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from test_infra_stack import function_of, referenced, resources, statements_of, topic_named

from isoflow.functions import FUNCTIONS, RECORD_RUN
from isoflow.settings import ENVIRONMENT
from pipeline.stack import STACK_ID

pytestmark = pytest.mark.xdist_group("infra")


def test_alerts_go_to_an_encrypted_topic_that_only_record_run_publishes_to(template_json: dict) -> None:
    topic = topic_named(template_json, "Isoflow alerts")
    assert "KmsMasterKeyId" in template_json["Resources"][topic]["Properties"]
    publishers = set()
    for spec in FUNCTIONS:
        _, function = function_of(template_json, spec)
        role = function["Properties"]["Role"]["Fn::GetAtt"][0]
        if any("sns:Publish" in json.dumps(s["Action"]) for s in statements_of(template_json, role)):
            publishers.add(spec.name)
    assert publishers == {RECORD_RUN.name}

    _, record_run = function_of(template_json, RECORD_RUN)
    variables = record_run["Properties"]["Environment"]["Variables"]
    assert referenced(variables[ENVIRONMENT["alerts_topic_arn"]]) == {topic}
    distribution = set(resources(template_json, "AWS::CloudFront::Distribution"))
    assert referenced(variables[ENVIRONMENT["dashboard_url"]]) == distribution
    # No webhook unless the deployment names its secret.
    assert ENVIRONMENT["alert_webhook_secret"] not in variables
    assert not resources(template_json, "AWS::SNS::Subscription") or all(
        s["Properties"]["TopicArn"] != {"Ref": topic}
        for s in resources(template_json, "AWS::SNS::Subscription").values()
    )


def test_context_subscribes_an_email_and_names_the_webhook_secret(
    tmp_path: Path, synthesize: Callable[..., Path]
) -> None:
    outdir = synthesize(
        tmp_path,
        alertEmail="fraud-team@example.com",
        alertWebhookSecret="isoflow/alert-webhook",
        **{"aws:cdk:bundling-stacks": []},
    )
    template_json = json.loads((outdir / f"{STACK_ID}.template.json").read_text())
    topic = topic_named(template_json, "Isoflow alerts")
    (subscription,) = [
        s["Properties"]
        for s in resources(template_json, "AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] == {"Ref": topic}
    ]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "fraud-team@example.com")

    _, record_run = function_of(template_json, RECORD_RUN)
    assert record_run["Properties"]["Environment"]["Variables"][ENVIRONMENT["alert_webhook_secret"]] == (
        "isoflow/alert-webhook"
    )
    role = record_run["Properties"]["Role"]["Fn::GetAtt"][0]
    (read,) = [s for s in statements_of(template_json, role) if "secretsmanager:GetSecretValue" in s["Action"]]
    assert "secret:isoflow/alert-webhook-??????" in json.dumps(read["Resource"])
