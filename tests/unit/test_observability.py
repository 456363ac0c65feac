"""Every Lambda entry point is traced and logs lines that name its own function and request, even when the
local stack runs several functions in one process at once."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from uuid import uuid4

import pytest

from isoflow.observability import lambda_handler, logger, tracer


@dataclass
class Context:
    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid4()))
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:isoflow-test"


class Lines:
    def __init__(self, stream: io.StringIO) -> None:
        self._stream = stream

    def __call__(self) -> list[dict]:
        return [json.loads(line) for line in self._stream.getvalue().splitlines()]


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    """Every line the product's logger writes during the test, parsed when called."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    level = logger._logger.level  # `isoflow runs` quietens the logger for its own process
    logger._logger.setLevel(logging.INFO)
    logger._logger.addHandler(handler)
    try:
        yield Lines(stream)
    finally:
        logger._logger.removeHandler(handler)
        logger._logger.setLevel(level)


def test_lines_of_functions_running_at_once_name_their_own_function_and_request(log_lines):
    both_inside = threading.Barrier(2, timeout=10)

    @lambda_handler()
    def work(event: dict, context: Context) -> None:
        logger.info("before", step=event["step"])
        both_inside.wait()  # the other function has set its keys by now
        logger.info("after", step=event["step"])
        both_inside.wait()

    contexts = [Context("isoflow-detector"), Context("isoflow-generator")]
    threads = [threading.Thread(target=work, args=({"step": c.function_name}, c)) for c in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    logger.info("outside any invocation")

    by_id = {c.aws_request_id: c.function_name for c in contexts}
    inside = [line for line in log_lines() if "step" in line]
    assert len(inside) == 4
    for line in inside:
        assert line["function_name"] == line["step"]
        assert by_id[line["function_request_id"]] == line["function_name"]
    outside = next(line for line in log_lines() if line["message"] == "outside any invocation")
    assert "function_name" not in outside and "function_request_id" not in outside


def test_an_invocation_inside_another_restores_the_outer_keys(log_lines):
    @lambda_handler()
    def inner(event: dict, context: Context) -> None:
        logger.info("inner")

    @lambda_handler(correlation_id_path="requestContext.requestId")
    def outer(event: dict, context: Context) -> None:
        inner({}, Context("isoflow-inner"))
        logger.info("outer again")

    outer({"requestContext": {"requestId": "req-1"}}, Context("isoflow-outer"))

    lines = {line["message"]: line for line in log_lines()}
    assert lines["inner"]["function_name"] == "isoflow-inner"
    assert lines["outer again"]["function_name"] == "isoflow-outer"
    assert lines["outer again"]["correlation_id"] == "req-1"


def test_only_a_function_s_first_invocation_in_a_process_is_a_cold_start(log_lines):
    @lambda_handler()
    def work(event: dict, context: Context) -> None:
        logger.info("work")

    name = f"isoflow-{uuid4().hex[:8]}"
    work({}, Context(name))
    work({}, Context(name))
    work({}, Context(f"{name}-other"))

    assert [line["cold_start"] for line in log_lines()] == [True, False, True]


def test_a_handler_s_error_propagates_and_its_keys_go_with_it(log_lines):
    @lambda_handler()
    def fail(event: dict, context: Context) -> None:
        raise LookupError("no such account")

    with pytest.raises(LookupError, match="no such account"):
        fail({}, Context("isoflow-failing"))
    logger.info("after the failure")

    assert "function_name" not in log_lines()[-1]


def test_tracing_switches_itself_off_outside_lambda():
    # Lambda sets LAMBDA_TASK_ROOT; here (tests, the local stack, the CLI) there is no X-Ray daemon to send to.
    assert tracer.disabled
