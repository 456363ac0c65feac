"""The local stand-in for EventBridge's schedules: each rule invokes its function asynchronously (Lambda
Invoke, `Event`) with a scheduled event, as the rules of the CDK stack do: the generator every 5 minutes,
and the function that starts a detection run (unless one is in progress) every 10.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from isoflow.local import logger
from isoflow.local.resources import ACCOUNT_ID, REGION


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
    """Invokes each function of `every` (physical name -> interval in seconds) on its interval, from one
    thread each, until `stop()`; those in `at_start` also once as it starts."""

    def __init__(self, lambda_client: Any, every: Mapping[str, float], at_start: Collection[str] = ()) -> None:
        self._lambda = lambda_client
        self._every = every
        self._at_start = frozenset(at_start)
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(function, every_s), name=f"schedule-{function}", daemon=True)
            for function, every_s in every.items()
        ]

    def _run(self, function: str, every_s: float) -> None:
        rule = f"{function}-schedule"
        wait_s = 0.0 if function in self._at_start else every_s
        while not self._stopping.wait(wait_s):
            wait_s = every_s
            try:
                self._lambda.invoke(
                    FunctionName=function, InvocationType="Event", Payload=json.dumps(scheduled_event(rule)).encode()
                )
                logger.info("schedule fired", rule=rule)
            except Exception:
                # EventBridge records a failed delivery and fires again at the next interval; so does this.
                logger.exception("schedule failed", rule=rule)

    def start(self) -> None:
        for function, every_s in self._every.items():
            logger.info("schedule", function=function, every_s=every_s)
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join()
