"""The one logger and tracer of the product, and the decorator every Lambda entry point wears.

`logger` is Powertools' structured JSON logger; every module logs through it. `tracer` is Powertools' X-Ray
tracer: in Lambda (tracing is active on every function) each invocation is a segment and every boto3 call a
subsegment; outside Lambda (the local stack, tests, the CLI) Powertools switches it off by itself.

A log line names the function and request it belongs to. The keys are kept per invocation (a context
variable, not the logger's shared keys), because the local stack runs every function in one process,
several at once: keys shared between threads would tag one function's lines with another's name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities import jmespath_utils
from aws_lambda_powertools.utilities.typing import LambdaContext

SERVICE = "isoflow"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)

Result = TypeVar("Result")
Handler = Callable[[Any, LambdaContext], Result]

# Functions invoked in this process: in Lambda one, locally all of them.
_warm: set[str] = set()


def invocation_keys(context: LambdaContext) -> dict[str, Any]:
    """The keys a log line of this invocation carries: the function, its request, and whether it is the
    function's first invocation in this process (a cold start in Lambda)."""
    cold_start = context.function_name not in _warm
    _warm.add(context.function_name)
    return {
        "function_name": context.function_name,
        "function_request_id": context.aws_request_id,
        "function_memory_size": context.memory_limit_in_mb,
        "cold_start": cold_start,
    }


def lambda_handler(
    correlation_id_path: str | None = None,
) -> Callable[[Handler[Result]], Handler[Result]]:
    """Wraps a Lambda entry point: traced, and every line it logs tagged with its invocation's keys (and the
    correlation id found at `correlation_id_path` in the event, when given) for the invocation only."""

    def wrap(handler: Handler[Result]) -> Handler[Result]:
        traced = tracer.capture_lambda_handler(handler)

        @functools.wraps(handler)
        def invoke(event: Any, context: LambdaContext) -> Result:
            keys = invocation_keys(context)
            if correlation_id_path is not None:
                keys["correlation_id"] = jmespath_utils.query(envelope=correlation_id_path, data=event)
            before = dict(logger.thread_safe_get_current_keys())
            logger.thread_safe_append_keys(**keys)
            try:
                return traced(event, context)
            finally:
                logger.thread_safe_clear_keys()
                logger.thread_safe_append_keys(**before)

        invoke.is_lambda_handler = True  # type: ignore[attr-defined]
        return invoke

    return wrap
