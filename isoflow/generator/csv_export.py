"""Generated history as labelled CSV, for measuring detection offline (`isoflow generate --csv`)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

from isoflow.generator.history import AccountHistory

CSV_COLUMNS = (
    "transaction_id",
    "account_id",
    "timestamp",
    "amount",
    "merchant",
    "category",
    "country",
    "channel",
    "transaction_type",
    "label",  # 1 for an injected anomaly, 0 otherwise
    "kind",  # the anomaly's kind; empty for a normal transaction
)


def write_csv(histories: Iterable[AccountHistory], out: IO[str]) -> int:
    """One row per transaction, account by account and oldest first within each; returns the row count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for history in histories:
        for transaction in history.transactions:
            kind = transaction.get("injectedAnomaly") or ""
            writer.writerow(
                (
                    transaction["transactionId"],
                    transaction["accountId"],
                    transaction["timestamp"],
                    transaction["amount"],
                    transaction["merchant"],
                    transaction["category"],
                    transaction["country"],
                    transaction["channel"],
                    transaction["transactionType"],
                    1 if kind else 0,
                    kind,
                )
            )
            rows += 1
    return rows
