"""The alert after a run that found new HIGH anomalies: one per run, never one per transaction.

RecordRun sends it, to the alerts topic (whose e-mail subscribers read `subject` and `text`) and, when the
deployment names a webhook, as Slack-compatible JSON. It says how many, shows the top few with their
accounts' names, amounts and reasons, and links to the dashboard. Sending never fails the run: a webhook is
tried WEBHOOK_ATTEMPTS times, and whatever could not be delivered is logged and named in the run's summary.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from isoflow.observability import logger
from isoflow.store.accounts import with_account_names
from isoflow.store.db import Db, batch_get, from_item

# An alert shows this many of the run's new HIGH anomalies, the highest scores first.
TOP = 5
WEBHOOK_ATTEMPTS = 3
WEBHOOK_TIMEOUT_S = 5
# Seconds before each retry of the webhook.
WEBHOOK_BACKOFF_S = (1.0, 3.0)
# A webhook secret holding this (or nothing) turns the webhook off.
NO_WEBHOOK = "none"


def top_anomalies(anomalies: Iterable[Mapping[str, Any]], top: int = TOP) -> list[dict[str, Any]]:
    """The `top` highest scores among anomalies given as {transactionId, accountId, riskScore, reasons}."""
    return [dict(a) for a in sorted(anomalies, key=lambda a: (-a["riskScore"], a["transactionId"]))[:top]]


@dataclass(frozen=True)
class Flagged:
    """One of an alert's anomalies, as a person reads it."""

    transactionId: str
    accountId: str
    riskScore: float
    reasons: list[str]
    accountName: str | None = None
    amount: float | None = None
    currency: str | None = None
    merchant: str | None = None
    timestamp: str | None = None


def flagged(db: Db, anomalies: Sequence[Mapping[str, Any]]) -> list[Flagged]:
    """The anomalies with their transactions' amounts and accounts' names (absent for one deleted since)."""
    keys = [{"transactionId": a["transactionId"]} for a in anomalies]
    attributes = ("transactionId", "amount", "currency", "merchant", "timestamp")
    transactions = {t["transactionId"]: t for t in map(from_item, batch_get(db, db.transactions, keys, attributes))}
    shown = []
    for anomaly in with_account_names(db, anomalies):
        transaction = transactions.get(anomaly["transactionId"], {})
        amount = transaction.get("amount")
        shown.append(
            Flagged(
                transactionId=anomaly["transactionId"],
                accountId=anomaly["accountId"],
                riskScore=float(anomaly["riskScore"]),
                reasons=list(anomaly.get("reasons", [])),
                accountName=anomaly.get("accountName"),
                amount=None if amount is None else float(amount),
                currency=transaction.get("currency"),
                merchant=transaction.get("merchant"),
                timestamp=transaction.get("timestamp"),
            )
        )
    return shown


@dataclass(frozen=True)
class Alert:
    execution_id: str
    count: int  # the run's new HIGH anomalies
    top: list[Flagged]
    dashboard_url: str | None = None
    delivered: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def link(self, path: str) -> str | None:
        return f"{self.dashboard_url.rstrip('/')}{path}" if self.dashboard_url else None

    @property
    def subject(self) -> str:
        many = "anomaly" if self.count == 1 else "anomalies"
        return f"Isoflow: {self.count} new high-risk {many} in run {self.execution_id}"

    def lines(self) -> list[str]:
        """Each shown anomaly in one line: who, how much, where, the score and why."""
        shown = []
        for f in self.top:
            who = f.accountName or f.accountId
            money = f"{f.amount:,.2f} {f.currency}" if f.amount is not None else "amount unknown"
            where = f" at {f.merchant}" if f.merchant else ""
            why = "; ".join(f.reasons[:2]) or "no reason given"
            shown.append(f"{who}: {money}{where}, score {f.riskScore:.2f}. {why}")
        return shown

    @property
    def text(self) -> str:
        """The e-mail's body."""
        more = self.count - len(self.top)
        body = [f"Detection run {self.execution_id} found {self.count} new high-risk transactions.", ""]
        body += [f"- {line}" for line in self.lines()]
        if more > 0:
            body.append(f"- and {more} more")
        if self.dashboard_url:
            body += [
                "",
                f"Review them: {self.link('/anomalies?minLevel=HIGH')}",
                f"The run: {self.link(f'/runs/{self.execution_id}')}",
            ]
        return "\n".join(body)

    def webhook_body(self) -> dict[str, Any]:
        """Slack's incoming-webhook JSON: `text` for any receiver, `blocks` for Slack."""
        queue = self.link("/anomalies?minLevel=HIGH")
        bullets = []
        for f, line in zip(self.top, self.lines(), strict=True):
            page = self.link(f"/transactions/{f.transactionId}")
            bullets.append(f"• <{page}|{line}>" if page else f"• {line}")
        more = self.count - len(self.top)
        if more > 0:
            bullets.append(f"• and {more} more")
        headline = self.subject + (f" — <{queue}|review them>" if queue else "")
        return {
            "text": self.subject,
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": headline}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(bullets)}},
            ],
        }

    def record(self) -> dict[str, Any]:
        """What the run's summary keeps of it: the dashboard's bell reads this."""
        return {
            "count": self.count,
            "top": [{k: v for k, v in asdict(f).items() if v is not None} for f in self.top],
            "delivered": self.delivered,
            "failed": self.failed,
        }


def post_json(url: str, body: Mapping[str, Any]) -> int:
    """POST `body` as JSON; the HTTP status (an HTTPError's too)."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def call_webhook(
    url: str,
    body: Mapping[str, Any],
    *,
    execution_id: str,
    post: Callable[[str, Mapping[str, Any]], int] = post_json,
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """Deliver `body`, retrying a failure that may pass (a network error, 429 or 5xx); None once delivered,
    else what went wrong, logged."""
    problem = "not tried"
    for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
        try:
            status = post(url, body)
        except (OSError, ValueError) as error:  # URLError and timeouts are OSErrors; a malformed URL a ValueError
            problem = f"{type(error).__name__}: {error}"
        else:
            if 200 <= status < 300:
                return None
            problem = f"HTTP {status}"
            if 400 <= status < 500 and status != 429:
                logger.error("alert webhook refused", extra={"executionId": execution_id, "status": status})
                return problem
        logger.warning(
            "alert webhook failed", extra={"executionId": execution_id, "attempt": attempt, "problem": problem}
        )
        if attempt < WEBHOOK_ATTEMPTS:
            sleep(WEBHOOK_BACKOFF_S[attempt - 1])
    logger.error("alert webhook gave up", extra={"executionId": execution_id, "attempts": WEBHOOK_ATTEMPTS})
    return f"{problem} after {WEBHOOK_ATTEMPTS} attempts"


def send_alert(
    alert: Alert,
    *,
    sns: Any | None,
    topic_arn: str | None,
    webhook_url: Callable[[], str | None],
    post: Callable[[str, Mapping[str, Any]], int] = post_json,
    sleep: Callable[[float], None] = time.sleep,
) -> Alert:
    """Publish to the topic and call the webhook (`webhook_url()` reads it, None: none configured); answers the
    alert with where it went and what failed. Never raises."""
    delivered, failed = [], []
    context = {"executionId": alert.execution_id, "anomalies": alert.count}
    if topic_arn and sns is not None:
        try:
            sns.publish(TopicArn=topic_arn, Subject=alert.subject[:100], Message=alert.text)
            delivered.append("topic")
        except Exception as error:  # the run's scores stand whatever happens to its alert
            logger.exception("alert not published", extra=context)
            failed.append(f"topic: {type(error).__name__}: {error}")
    try:
        url = webhook_url()
    except Exception as error:
        logger.exception("alert webhook URL not read", extra=context)
        failed.append(f"webhook: its URL could not be read: {type(error).__name__}")
        url = None
    if url:
        problem = call_webhook(url, alert.webhook_body(), execution_id=alert.execution_id, post=post, sleep=sleep)
        if problem is None:
            delivered.append("webhook")
        else:
            failed.append(f"webhook: {problem}")
    logger.info(alert.text.splitlines()[0], extra={**context, "delivered": delivered, "failed": failed})
    return Alert(alert.execution_id, alert.count, alert.top, alert.dashboard_url, delivered, failed)
