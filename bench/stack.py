"""The local stack for the benchmarks: the local AWS endpoint and the HTTP front on free ports, and bulk data.

As `make run` starts them (`isoflow.local`), minus the schedules and the demo data: this process's boto3 is
pointed at the endpoint, so the handlers run in-process exactly as they do there. Bulk data is written with
BatchWriteItem in the shape the data layer writes (features computed by the same `advance`), because
writing a transaction at a time through the API path would take longer than the runs being measured.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3

from isoflow.functions import FUNCTIONS, FunctionSpec
from isoflow.generator.history import AccountHistory
from isoflow.local.aws import MOTO_CONFIG, MOTO_DEFAULTS, LocalAws
from isoflow.local.resources import REGION, bootstrap, detection_definition, local_functions
from isoflow.local.server import BackgroundServer
from isoflow.local.stack import http_app
from isoflow.settings import Settings
from isoflow.store.accounts import stale_shard
from isoflow.store.db import Db, batch_write, to_item
from isoflow.store.transactions import feed_shard, model_input, signed_amount
from isoflow.workflow import Tuning
from model.features import advance, initial_state


@dataclass
class LocalEnvironment:
    aws: LocalAws
    http: BackgroundServer
    session: boto3.Session  # for the benchmark's own calls (seeding, waiting), apart from what is counted

    def fresh(self, tuning: Tuning | None = None) -> Settings:
        """Empty backends with every resource created; this process's environment names them."""
        self.aws.functions.clear()
        self.aws.functions.update(local_functions(FUNCTIONS))
        self.aws.reset()
        self.aws.configure(MOTO_CONFIG)
        settings = bootstrap(self.session, detection_definition(tuning))
        os.environ.update(settings.as_environment())
        return settings

    def db(self, settings: Settings) -> Db:
        return Db.from_settings(settings, self.session.client("dynamodb"))

    def replace_function(self, name: str, spec: FunctionSpec) -> None:
        self.aws.functions[name] = spec


@contextmanager
def local_environment() -> Iterator[LocalEnvironment]:
    aws = LocalAws("127.0.0.1", 0, local_functions(FUNCTIONS))
    aws.start()
    saved = dict(os.environ)
    os.environ.update(aws.environment())
    http = BackgroundServer(http_app(aws.functions), "127.0.0.1", 0)
    http.start()
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    try:
        yield LocalEnvironment(aws, http, session)
    finally:
        aws.configure(MOTO_DEFAULTS)
        http.stop()
        aws.stop()
        os.environ.clear()
        os.environ.update(saved)


def seed(db: Db, histories: Iterable[AccountHistory], now: datetime) -> tuple[int, int]:
    """Writes accounts and their transactions as the data layer leaves them after the API wrote each one: the
    balance moved, features and rolling state computed by `advance`, and the account stale. Returns (accounts,
    transactions)."""
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    accounts: list[dict[str, Any]] = []
    transactions: list[dict[str, Any]] = []
    for history in histories:
        account = history.account
        state = initial_state(account["homeCountry"])
        balance: Any = 0
        for transaction in history.transactions:
            features, state = advance(state, model_input(transaction))
            balance += signed_amount(str(transaction["transactionType"]), transaction["amount"])
            transactions.append(
                {
                    **{k: v for k, v in transaction.items() if v is not None},
                    "feedShard": feed_shard(str(transaction["transactionId"])),
                    "revision": 1,
                    "balanceAfter": balance,
                    "features": features,
                    "createdAt": transaction["timestamp"],
                    "updatedAt": transaction["timestamp"],
                }
            )
        accounts.append(
            {
                **account,
                "balance": balance,
                "isStale": True,
                "staleShard": stale_shard(account["accountId"]),
                "version": len(history.transactions),
                "featureState": json.dumps(state, separators=(",", ":")),
                "updatedAt": stamp,
            }
        )
    batch_write(db, db.accounts, ({"PutRequest": {"Item": to_item(a)}} for a in accounts))
    batch_write(db, db.transactions, ({"PutRequest": {"Item": to_item(t)}} for t in transactions))
    return len(accounts), len(transactions)
