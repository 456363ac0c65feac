"""Trying failures locally: `isoflow local fail-next STEP` makes a step of the detection workflow fail the
next time it runs, so that a person can see a failed run, read its cause, and rerun it (in the dashboard or
with `isoflow runs rerun`). The step's function raises InjectedFailure once, then works again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from isoflow.functions import (
    CHECK_MODELS,
    CLEAR_STALE_FLAGS,
    FIND_STALE_ACCOUNTS,
    RECORD_RUN,
    REFIT_MODELS,
    SCORE_ACCOUNT_BATCH,
    FunctionSpec,
    local_function_name,
)
from isoflow.local import logger
from isoflow.workflow import States

# The workflow's Task states and the function each one invokes.
STEP_FUNCTIONS: dict[str, FunctionSpec] = {
    States.CHECK_MODELS: CHECK_MODELS,
    States.REFIT_MODELS: REFIT_MODELS,
    States.FIND_STALE_ACCOUNTS: FIND_STALE_ACCOUNTS,
    States.SCORE_ACCOUNT_BATCH: SCORE_ACCOUNT_BATCH,
    States.CLEAR_STALE_FLAGS: CLEAR_STALE_FLAGS,
    States.RECORD_RUN: RECORD_RUN,
}


class InjectedFailure(RuntimeError):
    """The failure `isoflow local fail-next` asked for."""


class UnknownStepError(ValueError):
    def __init__(self, step: str) -> None:
        super().__init__(f"no step {step!r}: choose one of {', '.join(STEP_FUNCTIONS)}")


@dataclass(frozen=True)
class FailsNext(FunctionSpec):
    """A function that fails its next invocation, then puts `inner` back in the registry."""

    step: str = ""
    inner: FunctionSpec | None = None
    registry: MutableMapping[str, FunctionSpec] = field(default_factory=dict, compare=False)
    lock: Any = field(default_factory=threading.Lock, compare=False)

    def load(self) -> Callable[[dict, Any], Any]:
        def handler(event: dict, context: Any) -> Any:
            assert self.inner is not None
            with self.lock:
                physical = local_function_name(self)
                if self.registry.get(physical) is self:
                    self.registry[physical] = self.inner
                    logger.info("failing on purpose", step=self.step)
                    raise InjectedFailure(f"{self.step} failed on purpose: `isoflow local fail-next {self.step}`")
            return self.inner.load()(event, context)

        return handler


def fail_next(registry: MutableMapping[str, FunctionSpec], step: str) -> None:
    """Makes `step` (a Task state of the workflow) fail the next time it runs."""
    if step not in STEP_FUNCTIONS:
        raise UnknownStepError(step)
    physical = local_function_name(STEP_FUNCTIONS[step])
    current = registry[physical]
    inner = current.inner if isinstance(current, FailsNext) else current
    fields_of = {name: getattr(inner, name) for name in FunctionSpec.__dataclass_fields__}
    registry[physical] = FailsNext(**fields_of, step=step, inner=inner, registry=registry)
