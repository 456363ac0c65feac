"""The Lambda functions, defined once: name, handler, bundle and the settings each one needs.

The CDK stack creates one function per spec; the local stack answers Lambda Invoke for the same names by
running the same handlers in-process.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

# A bundle is the set of third-party packages a function ships with (see pipeline/ for how each is built).
Bundle = Literal["api", "detector", "generator"]


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: str  # "module.attribute"
    bundle: Bundle
    settings: tuple[str, ...]  # names from isoflow.settings.ENVIRONMENT
    memory_mb: int = 512
    timeout_s: int = 30
    description: str = ""

    def load(self) -> Callable[[dict, Any], Any]:
        module, attribute = self.handler.rsplit(".", 1)
        return getattr(importlib.import_module(module), attribute)


API = FunctionSpec(
    name="api",
    handler="handlers.api.handler",
    bundle="api",
    settings=("accounts_table", "transactions_table", "scores_table", "runs_table", "idempotency_table", "data_bucket",
              "state_machine_arn"),
    memory_mb=1024,
    timeout_s=29,
    description="The REST API: accounts, transactions, anomalies and detection runs",
)

FUNCTIONS: tuple[FunctionSpec, ...] = (API,)


def by_name(name: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def local_function_name(spec: FunctionSpec, prefix: str = "isoflow") -> str:
    return f"{prefix}-{spec.name}"
