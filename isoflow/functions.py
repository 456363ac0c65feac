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
    # Settings whose resource the function only reads; in AWS its role gets no write access to them.
    read_only: tuple[str, ...] = ()

    def load(self) -> Callable[[dict, Any], Any]:
        module, attribute = self.handler.rsplit(".", 1)
        return getattr(importlib.import_module(module), attribute)


API = FunctionSpec(
    name="api",
    handler="handlers.api.handler",
    bundle="api",
    settings=(
        "accounts_table",
        "transactions_table",
        "scores_table",
        "runs_table",
        "idempotency_table",
        "audit_table",
        "data_bucket",
        "state_machine_arn",
    ),
    memory_mb=1024,
    timeout_s=29,
    description="The REST API: accounts, transactions, anomalies and detection runs",
)

CHECK_MODELS = FunctionSpec(
    name="check-models",
    handler="handlers.check_models.handler",
    bundle="api",
    settings=("data_bucket",),
    description="Detection: name the current models and say whether a refit of either is due",
)
REFIT_MODELS = FunctionSpec(
    name="refit-models",
    handler="handlers.refit_models.handler",
    bundle="detector",
    settings=("transactions_table", "scores_table", "data_bucket"),
    read_only=("transactions_table", "scores_table"),
    memory_mb=1769,
    timeout_s=600,
    description="Detection: refit the population model and learn from the verdicts known so far, when due",
)
FIND_STALE_ACCOUNTS = FunctionSpec(
    name="find-stale-accounts",
    handler="handlers.find_stale_accounts.handler",
    bundle="api",
    settings=("accounts_table", "data_bucket"),
    read_only=("accounts_table",),
    timeout_s=300,
    description="Detection: list the stale accounts and write the batches to score to S3",
)
SCORE_ACCOUNT_BATCH = FunctionSpec(
    name="score-account-batch",
    handler="handlers.detector.score_account_batch",
    bundle="detector",
    settings=("transactions_table", "scores_table", "data_bucket"),
    read_only=("transactions_table",),
    # 1769 MB is one full vCPU: fitting IsolationForests is CPU-bound.
    memory_mb=1769,
    timeout_s=600,
    description="Detection: score the unscored transactions of a batch of accounts",
)
CLEAR_STALE_FLAGS = FunctionSpec(
    name="clear-stale-flags",
    handler="handlers.clear_stale_flags.handler",
    bundle="api",
    settings=("accounts_table", "data_bucket"),
    timeout_s=300,
    description="Detection: record each account's risk and clear its stale flag unless it changed",
)
RECORD_RUN = FunctionSpec(
    name="record-run",
    handler="handlers.record_run.handler",
    bundle="api",
    settings=("runs_table", "data_bucket", "accounts_table", "transactions_table", "alerts_topic_arn"),
    read_only=("data_bucket", "accounts_table", "transactions_table"),
    timeout_s=120,
    description="Detection: sum the batches into the run summary, store it and send the run's alert",
)
START_SCHEDULED_RUN = FunctionSpec(
    name="start-scheduled-run",
    handler="handlers.start_scheduled_run.handler",
    bundle="api",
    settings=("runs_table", "state_machine_arn"),
    description="Detection schedule: start a run unless one is in progress",
)

GENERATOR = FunctionSpec(
    name="generator",
    handler="handlers.generator.handler",
    bundle="generator",
    settings=("accounts_table", "transactions_table"),
    timeout_s=120,
    description="Synthetic data: a few minutes of new transactions across the accounts, on a schedule",
)

FUNCTIONS: tuple[FunctionSpec, ...] = (
    API,
    CHECK_MODELS,
    REFIT_MODELS,
    FIND_STALE_ACCOUNTS,
    SCORE_ACCOUNT_BATCH,
    CLEAR_STALE_FLAGS,
    RECORD_RUN,
    START_SCHEDULED_RUN,
    GENERATOR,
)


def by_name(name: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def local_function_name(spec: FunctionSpec, prefix: str = "isoflow") -> str:
    return f"{prefix}-{spec.name}"
