"""The alert after a run that found new HIGH anomalies: one per run, to the alerts topic (read here through an
SQS queue subscribed to it) and to a webhook served by a real HTTP server on this machine; a failing webhook
is retried, logged and named in the run's summary, and never fails the run."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from detection_stack import Stack, detection_stack, seed_account

from isoflow.detection import alert
from isoflow.detection.alert import Alert, Flagged, call_webhook


class Receiver:
    """A webhook on 127.0.0.1 answering each POST with the next of `statuses` (the last one thereafter)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.bodies: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                status = receiver.statuses[min(len(receiver.bodies), len(receiver.statuses)) - 1]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/isoflow"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    served = Receiver(getattr(request, "param", [200]))
    yield served
    served.server.shutdown()


@pytest.fixture
def stack(local_aws: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """The detection stack with the webhook's URL in its secret, retries a moment apart."""
    monkeypatch.setattr(alert, "WEBHOOK_BACKOFF_S", (0.05, 0.05))
    boto3.client("secretsmanager").put_secret_value(
        SecretId=local_aws.settings.alert_webhook_secret, SecretString=receiver.url
    )
    return detection_stack(local_aws)


def topic_queue(stack: Stack) -> str:
    """An SQS queue subscribed to the alerts topic: what an e-mail subscriber would receive lands here."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="alerts-read")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(TopicArn=stack.settings.alerts_topic_arn, Protocol="sqs", Endpoint=arn)
    return url


def test_a_run_with_new_high_anomalies_sends_one_alert_to_the_topic_and_the_webhook(
    stack: Stack, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    queue = topic_queue(stack)
    for name in ("Mira Jones", "Tom Berg"):
        seed_account(stack.db, transactions=40, name=name, unusual_last=True)
    seed_account(stack.db, transactions=40, name="Quiet Person")

    run = stack.run()

    assert run["status"] == "SUCCEEDED", run["cause"]
    summary = run["summary"]
    high = summary["anomalies"]
    assert high >= 2
    assert summary["alert"]["delivered"] == ["topic", "webhook"] and summary["alert"]["failed"] == []
    top = summary["alert"]["top"]
    assert {f["accountName"] for f in top} >= {"Mira Jones", "Tom Berg"}
    assert [f["riskScore"] for f in top] == sorted((f["riskScore"] for f in top), reverse=True)
    jeweller = next(f for f in top if f["merchant"] == "Jeweller Abroad")
    assert jeweller["amount"] == 9500.0 and jeweller["currency"] == "EUR" and jeweller["reasons"]

    assert len(receiver.bodies) == 1  # one alert for the run, not one per transaction
    body = receiver.bodies[0]
    assert body["text"].startswith(f"Isoflow: {high} new high-risk anomalies in run ")
    listed = body["blocks"][1]["text"]["text"]
    assert "Mira Jones: 9,500.00 EUR at Jeweller Abroad" in listed and "Tom Berg" in listed

    messages = boto3.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    email = json.loads(messages[0]["Body"])
    assert email["Subject"] == body["text"]
    assert f"found {high} new high-risk transactions" in email["Message"] and "Mira Jones" in email["Message"]

    # The console (the local system's, and CloudWatch in AWS) has it in one line.
    assert any(f"found {high} new high-risk transactions." in r.getMessage() for r in caplog.records)

    # A run that finds nothing new sends nothing.
    assert stack.run()["status"] == "SUCCEEDED"
    assert len(receiver.bodies) == 1


@pytest.mark.parametrize("receiver", [[500]], indirect=True)
def test_a_failing_webhook_is_retried_and_named_in_the_summary_and_the_run_succeeds(
    stack: Stack, receiver: Receiver
) -> None:
    seed_account(stack.db, transactions=40, name="Mira Jones", unusual_last=True)

    run = stack.run()

    assert run["status"] == "SUCCEEDED", run["cause"]
    assert len(receiver.bodies) == alert.WEBHOOK_ATTEMPTS == 3
    assert run["summary"]["alert"]["delivered"] == ["topic"]
    assert run["summary"]["alert"]["failed"] == ["webhook: HTTP 500 after 3 attempts"]


@pytest.mark.parametrize(
    ("receiver", "posts", "problem"), [([503, 502, 200], 3, None), ([404], 1, "HTTP 404")], indirect=["receiver"]
)
def test_the_webhook_is_retried_only_while_trying_again_may_help(
    receiver: Receiver, posts: int, problem: str | None
) -> None:
    assert call_webhook(receiver.url, {"text": "hello"}, execution_id="run-1", sleep=lambda _: None) == problem
    assert len(receiver.bodies) == posts


def test_an_unreachable_webhook_is_a_problem_not_an_error() -> None:
    problem = call_webhook("http://127.0.0.1:9/nothing", {"text": "x"}, execution_id="run-1", sleep=lambda _: None)
    assert problem is not None and problem.endswith("after 3 attempts") and "Error" in problem


def flagged(n: int) -> list[Flagged]:
    return [
        Flagged(
            f"txn_{i}", f"acc_{i}", 0.99 - i / 100, [f"reason {i}", "second", "third"], f"Person {i}", 10.0 * i, "EUR"
        )
        for i in range(n)
    ]


def test_an_alert_shows_the_top_few_and_how_many_more_with_links_to_the_dashboard() -> None:
    sent = Alert("run-7", 12, flagged(5), "https://dashboard.example")
    assert sent.subject == "Isoflow: 12 new high-risk anomalies in run run-7"
    lines = sent.text.splitlines()
    assert lines[2] == "- Person 0: 0.00 EUR, score 0.99. reason 0; second"
    assert "- and 7 more" in lines
    assert "Review them: https://dashboard.example/anomalies?minLevel=HIGH" in lines
    bullets = sent.webhook_body()["blocks"][1]["text"]["text"].splitlines()
    assert (
        bullets[1]
        == "• <https://dashboard.example/transactions/txn_1|Person 1: 10.00 EUR, score 0.98. reason 1; second>"
    )
    assert bullets[-1] == "• and 7 more"


def test_an_alert_without_a_dashboard_url_has_no_links() -> None:
    sent = Alert("run-8", 1, flagged(1))
    assert sent.subject == "Isoflow: 1 new high-risk anomaly in run run-8"
    assert "http" not in sent.text and "<" not in json.dumps(sent.webhook_body())
