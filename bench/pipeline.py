"""Full local detection runs: requests per scored transaction, cost per million, and end-to-end time.

Requests are counted with botocore's `before-call` event on the default boto3 session, which every handler's
client comes from: one count per API call the handlers (and the run's start) make, retries inside botocore
not counted again. Lambda time is each invocation's wall-clock time here, so GB-seconds are an estimate on
this machine's CPU, not Graviton's.
"""

from __future__ import annotations

import json
import math
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3

from bench.stack import LocalEnvironment
from isoflow import runs
from isoflow.functions import FUNCTIONS, FunctionSpec, local_function_name
from isoflow.generator.bulk import load_histories
from isoflow.generator.history import AccountHistory, generate_history
from isoflow.runs import largest_payload
from isoflow.settings import Settings
from isoflow.workflow import States, Tuning

SEED_END = datetime(2026, 11, 1, tzinfo=UTC)
PIPELINE_SEED = 31

# us-east-1 on-demand list prices as published by AWS (checked 2025-06-01; DynamoDB on-demand after the
# November 2024 reduction). Free tiers are left out.
PRICES_DATE = "2025-06-01"
LAMBDA_ARM_USD_PER_GB_S = 0.0000133334
LAMBDA_USD_PER_REQUEST = 0.20 / 1_000_000
DYNAMODB_USD_PER_WRU = 0.625 / 1_000_000
DYNAMODB_USD_PER_RRU = 0.125 / 1_000_000
STEP_FUNCTIONS_USD_PER_TRANSITION = 0.025 / 1_000
S3_USD_PER_PUT = 0.005 / 1_000  # PUT, COPY, POST, LIST
S3_USD_PER_GET = 0.0004 / 1_000  # GET and everything else
S3_WRITE_OPERATIONS = frozenset({"PutObject", "CopyObject", "ListObjectsV2", "ListObjects", "DeleteObject"})
# A Distributed Map item's child execution enters these states when its batch succeeds.
CHILD_STATES = (States.SCORE_ACCOUNT_BATCH, States.CLEAR_STALE_FLAGS)
SCALE_DEPOSIT_EVERY = 100
DYNAMODB_READS = frozenset({"Query", "GetItem", "BatchGetItem", "Scan"})


@dataclass
class RequestCounter:
    """botocore hooks: API calls per service and operation, and the DynamoDB capacity units they consume
    (estimated from item sizes: reads from the items returned, writes from the items sent; an UpdateItem or
    DeleteItem counts as one unit, i.e. an item under 1 KB)."""

    calls: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    active: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, session: boto3.Session) -> None:
        session.events.register("before-call.*.*", self.before_call)
        session.events.register("after-call.dynamodb.*", self.after_dynamodb_call)

    def before_call(self, event_name: str, params: Any = None, **kwargs: Any) -> None:
        if not self.active:
            return
        _, service, operation = event_name.split(".", 2)
        units = _write_units(operation, params) if service == "dynamodb" else 0.0
        with self.lock:
            self.calls[f"{service}.{operation}"] += 1
            self.write_units += units

    def after_dynamodb_call(self, event_name: str, parsed: Any = None, **kwargs: Any) -> None:
        operation = event_name.split(".", 2)[2]
        if not self.active or operation not in DYNAMODB_READS or not isinstance(parsed, dict):
            return
        items = parsed.get("Items") or ([parsed["Item"]] if "Item" in parsed else [])
        for table_items in (parsed.get("Responses") or {}).values():
            items = [*items, *table_items]
        size = sum(len(json.dumps(item, default=str)) for item in items)
        with self.lock:
            self.read_units += max(1, math.ceil(size / 4096)) * 0.5  # eventually consistent

    def service_total(self, service: str) -> int:
        return sum(n for key, n in self.calls.items() if key.startswith(f"{service}."))

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.read_units = self.write_units = 0.0


def _write_units(operation: str, params: Any) -> float:
    # `params` is the serialised request; its body is the JSON sent to DynamoDB.
    body = json.loads(params.get("body") or b"{}") if isinstance(params, dict) else {}
    if operation == "PutItem":
        return float(math.ceil(len(json.dumps(body.get("Item", {}))) / 1024))
    if operation == "BatchWriteItem":
        return float(
            sum(
                math.ceil(len(json.dumps(r["PutRequest"]["Item"])) / 1024) if "PutRequest" in r else 1
                for requests in body.get("RequestItems", {}).values()
                for r in requests
            )
        )
    if operation == "TransactWriteItems":
        return 2.0 * len(body.get("TransactItems", []))
    if operation in ("UpdateItem", "DeleteItem"):
        return 1.0
    return 0.0


@dataclass(frozen=True)
class TimedFunction(FunctionSpec):
    """A registered function whose invocations are timed (wall clock), for Lambda GB-seconds."""

    durations: list[float] = field(default_factory=list)

    def load(self) -> Callable[[dict, Any], Any]:
        handler = super().load()

        def timed(event: dict, context: Any) -> Any:
            started = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                self.durations.append(time.perf_counter() - started)

        return timed


def time_functions(environment: LocalEnvironment) -> dict[str, TimedFunction]:
    timed = {}
    for spec in FUNCTIONS:
        fields = {name: getattr(spec, name) for name in FunctionSpec.__dataclass_fields__}
        timed[spec.name] = TimedFunction(**fields)
        environment.replace_function(local_function_name(spec), timed[spec.name])
    return timed


def histories(accounts: int, days: int, seed_value: int) -> list[AccountHistory]:
    return list(generate_history(accounts, days, seed_value, SEED_END))


def new_accounts(count: int, with_deposit_every: int) -> list[AccountHistory]:
    """Stale accounts opened the day before; every `with_deposit_every`-th has its opening deposit, the others
    no transaction left (one was written and deleted). No Faker: 10,000 names would take a minute."""
    opened = SEED_END - timedelta(days=1)
    out = []
    for i in range(count):
        account_id = f"acc_{i:016x}"
        account = {
            "accountId": account_id,
            "name": f"Account {i}",
            "accountType": "CHECKING",
            "currency": "EUR",
            "homeCountry": "DE",
            "createdAt": opened.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        deposit = {
            "transactionId": f"txn_{i:020x}",
            "accountId": account_id,
            "transactionType": "DEPOSIT",
            "amount": Decimal("1500.00"),
            "currency": "EUR",
            "description": "Opening deposit",
            "merchant": "Own account",
            "category": "income",
            "country": "DE",
            "channel": "BANK_TRANSFER",
            "timestamp": (opened + timedelta(seconds=i % 3600)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        out.append(AccountHistory(account, [deposit] if i % with_deposit_every == 0 else []))
    return out


def scale_run(
    environment: LocalEnvironment, counter: RequestCounter, *, accounts: int, tuning: Tuning, timeout_s: float
) -> dict[str, Any]:
    """`accounts` stale accounts, 1% with a deposit to score (by the population model): the workflow's fan-out,
    as the scale test runs it, and what it costs to find, batch and clear that many accounts."""
    data = new_accounts(accounts, SCALE_DEPOSIT_EVERY)
    return measure_run(environment, counter, data, days=1, tuning=tuning, timeout_s=timeout_s)


def one_run(
    environment: LocalEnvironment,
    counter: RequestCounter,
    *,
    accounts: int,
    days: int,
    tuning: Tuning,
    timeout_s: float,
) -> dict[str, Any]:
    """`accounts` generated accounts with `days` of history, all stale, scored in one run."""
    data = histories(accounts, days, PIPELINE_SEED + accounts)
    return measure_run(environment, counter, data, days=days, tuning=tuning, timeout_s=timeout_s)


def measure_run(
    environment: LocalEnvironment,
    counter: RequestCounter,
    data: list[AccountHistory],
    *,
    days: int,
    tuning: Tuning,
    timeout_s: float,
) -> dict[str, Any]:
    """Seeds the accounts as stale, runs detection once, and measures the run."""
    settings: Settings = environment.fresh(tuning)
    loaded = load_histories(environment.db(settings), data)
    seeded_accounts, seeded_transactions = loaded.accounts, loaded.transactions
    print(f"  loaded {seeded_accounts} stale accounts, {seeded_transactions} transactions", file=sys.stderr, flush=True)
    functions = time_functions(environment)
    run_store = runs.Runs.from_names(settings.state_machine_arn, settings.runs_table)
    sfn = environment.session.client("stepfunctions")

    counter.reset()
    counter.active = True
    started = time.perf_counter()
    execution_id = runs.start(run_store, trigger="cli").executionId
    arn = run_store.execution_arn(execution_id)
    status = "RUNNING"
    while status == "RUNNING":
        if time.perf_counter() - started > timeout_s:
            raise RuntimeError(f"run {execution_id} still running after {timeout_s} s")
        time.sleep(0.1)
        status = sfn.describe_execution(executionArn=arn)["status"]
    elapsed = time.perf_counter() - started
    counter.active = False

    described = runs.describe_run(run_store, execution_id)
    if described["status"] != "SUCCEEDED":
        raise RuntimeError(f"run {execution_id} {described['status']}: {described['cause']}")
    summary = described["output"]
    events = described["events"]
    transitions = sum(1 for e in events if e["type"].endswith("StateEntered")) + summary["batches"] * len(CHILD_STATES)
    lambda_gb_s = sum(sum(f.durations) * f.memory_mb / 1024 for f in functions.values())
    invocations = sum(len(f.durations) for f in functions.values())
    scored = int(summary["transactionsScored"])
    dynamodb = counter.service_total("dynamodb")
    cost = _cost(counter, lambda_gb_s, invocations, transitions)
    return {
        "accounts": seeded_accounts,
        "transactions": seeded_transactions,
        "days_of_history": days,
        "batch_size": tuning.batch_size,
        "seconds": round(elapsed, 2),
        "summary": summary,
        "max_state_payload_bytes": largest_payload(events),
        "transactions_scored": scored,
        "requests": dict(sorted(counter.calls.items())),
        "dynamodb_requests": dynamodb,
        "s3_requests": counter.service_total("s3"),
        "dynamodb_per_scored_txn": round(dynamodb / scored, 4) if scored else None,
        "scans": counter.calls.get("dynamodb.Scan", 0),
        "dynamodb_read_units": counter.read_units,
        "dynamodb_write_units": counter.write_units,
        "state_transitions": transitions,
        "lambda_invocations": invocations,
        "lambda_gb_s": round(lambda_gb_s, 2),
        "lambda_s_by_function": {name: round(sum(f.durations), 2) for name, f in functions.items() if f.durations},
        "cost_usd": cost,
        "usd_per_million_txns": round(cost["total"] / scored * 1_000_000, 2) if scored else None,
    }


def _cost(counter: RequestCounter, lambda_gb_s: float, invocations: int, transitions: int) -> dict[str, float]:
    s3_puts = sum(n for key, n in counter.calls.items() if key.startswith("s3.") and key[3:] in S3_WRITE_OPERATIONS)
    s3_gets = counter.service_total("s3") - s3_puts
    parts = {
        "lambda": lambda_gb_s * LAMBDA_ARM_USD_PER_GB_S + invocations * LAMBDA_USD_PER_REQUEST,
        "dynamodb": counter.read_units * DYNAMODB_USD_PER_RRU + counter.write_units * DYNAMODB_USD_PER_WRU,
        "step_functions": transitions * STEP_FUNCTIONS_USD_PER_TRANSITION,
        "s3": s3_puts * S3_USD_PER_PUT + s3_gets * S3_USD_PER_GET,
    }
    return {**{k: round(v, 6) for k, v in parts.items()}, "total": round(sum(parts.values()), 6)}


PRICES = {
    "date": PRICES_DATE,
    "region": "us-east-1",
    "lambda_arm64_usd_per_gb_s": LAMBDA_ARM_USD_PER_GB_S,
    "lambda_usd_per_request": LAMBDA_USD_PER_REQUEST,
    "dynamodb_on_demand_usd_per_million_wru": DYNAMODB_USD_PER_WRU * 1_000_000,
    "dynamodb_on_demand_usd_per_million_rru": DYNAMODB_USD_PER_RRU * 1_000_000,
    "step_functions_standard_usd_per_1000_transitions": STEP_FUNCTIONS_USD_PER_TRANSITION * 1_000,
    "s3_usd_per_1000_put_list": S3_USD_PER_PUT * 1_000,
    "s3_usd_per_1000_get": S3_USD_PER_GET * 1_000,
}
