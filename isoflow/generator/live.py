"""The generator against a running system: the scheduled batch of new transactions across existing accounts.

Every write goes through the data layer's transaction path, the same as the API's, so balances move and
accounts go stale exactly as they do for any other client.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from isoflow.generator.anomalies import DEFAULT_ANOMALY_RATE
from isoflow.generator.history import generate_window
from isoflow.observability import logger
from isoflow.store.accounts import every_account
from isoflow.store.db import Db
from isoflow.store.errors import RejectedValueError
from isoflow.store.transactions import create_transaction
from isoflow.timestamps import format_timestamp

# The schedule's interval: each run simulates the period since the previous one.
GENERATION_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True)
class GenerationRun:
    start: str
    end: str
    accounts: int  # accounts looked at
    transactions: int  # transactions written
    anomalies: int  # of which injected anomalies
    repeated: int  # already written by an earlier delivery of the same schedule event


def generate_recent(
    db: Db,
    end: datetime,
    *,
    period: timedelta = GENERATION_INTERVAL,
    anomaly_rate: float = DEFAULT_ANOMALY_RATE,
) -> GenerationRun:
    """Every account's transactions in [end - period, end), written one by one through the data layer.

    A period generated again yields the same transaction ids, so a repeated delivery of the same event
    writes nothing twice.
    """
    start = end - period
    accounts = written = anomalies = repeated = 0
    for account in every_account(db):
        accounts += 1
        for transaction in generate_window(asdict(account), start, end, anomaly_rate):
            data = {k: v for k, v in transaction.items() if k not in ("transactionId", "injectedAnomaly")}
            kind = transaction.get("injectedAnomaly")
            try:
                create_transaction(db, data, transaction_id=transaction["transactionId"], injected_anomaly=kind)
            except RejectedValueError as error:
                if error.field != "transactionId":
                    raise
                repeated += 1
                continue
            written += 1
            anomalies += kind is not None
    run = GenerationRun(format_timestamp(start), format_timestamp(end), accounts, written, anomalies, repeated)
    logger.info("generated transactions", extra=vars(run))
    return run
