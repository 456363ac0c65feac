"""The local stand-in for EventBridge's schedules: the same targets, reached through the same APIs.

Every `generator_every_s` the generator function is invoked asynchronously (Lambda Invoke, `Event`), and
every `detection_every_s` the detection state machine is started (StartExecution), each with a scheduled
event as its input, exactly as the rules in AWS do it.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from isoflow.local.resources import ACCOUNT_ID, REGION

logger = Logger(service="isoflow-local")


@dataclass(frozen=True)
class Schedule:
    generator_every_s: float = 300
    detection_every_s: float = 600


DEFAULT_SCHEDULE = Schedule()
FAST_SCHEDULE = Schedule(generator_every_s=30, detection_every_s=60)


def scheduled_event(rule: str) -> dict[str, Any]:
    """The event EventBridge hands its target when a schedule fires."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{rule}"],
        "detail": {},
    }


class Scheduler:
    """Runs each target on its interval, from one thread each, until `stop()`. A target left as None (its
    function or state machine does not exist in this stack) is not scheduled."""

    def __init__(
        self,
        schedule: Schedule,
        lambda_client: Any,
        stepfunctions_client: Any,
        generator_function: str | None,
        state_machine_arn: str | None,
    ) -> None:
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        jobs: list[tuple[str, float, Callable[[], None]]] = []
        if generator_function:
            jobs.append(
                (
                    "isoflow-generator-schedule",
                    schedule.generator_every_s,
                    lambda: lambda_client.invoke(
                        FunctionName=generator_function,
                        InvocationType="Event",
                        Payload=json.dumps(scheduled_event("isoflow-generator-schedule")).encode(),
                    ),
                )
            )
        if state_machine_arn:
            jobs.append(
                (
                    "isoflow-detection-schedule",
                    schedule.detection_every_s,
                    lambda: stepfunctions_client.start_execution(
                        stateMachineArn=state_machine_arn,
                        input=json.dumps(scheduled_event("isoflow-detection-schedule")),
                    ),
                )
            )
        for rule, every_s, fire in jobs:
            logger.info("schedule", rule=rule, every_s=every_s)
            self._threads.append(threading.Thread(target=self._run, args=(rule, every_s, fire), daemon=True))

    def _run(self, rule: str, every_s: float, fire: Callable[[], None]) -> None:
        while not self._stopping.wait(every_s):
            try:
                fire()
                logger.info("schedule fired", rule=rule)
            except Exception:
                # EventBridge records a failed delivery and fires again at the next interval; so does this.
                logger.exception("schedule failed", rule=rule)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join()
