"""`isoflow verdicts import FILE.csv`: confirmed frauds and chargebacks, learnt days after the transactions, into
a running system.

Columns: transaction_id; label, 1 = fraud, 0 = not fraud; known_at, when the verdict became known (ISO 8601
with a timezone); and optionally note. A .gz file is read compressed. Into the local stack by default (`make
run`); into AWS, or another endpoint, when TRANSACTIONS_TABLE (with ACCOUNTS_TABLE, SCORES_TABLE and
AUDIT_TABLE) names the tables, with AWS_ENDPOINT_URL for an endpoint that is not AWS itself.

A transaction id in the system's form (txn_ and 20 hex digits) is used as it is; any other is the bank's
own, brought in by `isoflow import` under the system's id for it. Each verdict takes the API's write path
(`POST /api/verdicts`): the account's risk moves with it and the audit trail names the importer. On a
transaction the verdict known last stands, so importing a file again changes nothing. A row that cannot be
read is reported with its line and why, a transaction that does not exist is reported as unknown, and every
other row is recorded; the command then exits with 1.
"""

from __future__ import annotations

import argparse
import csv
import getpass
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import boto3
from pydantic import ValidationError
from tqdm import tqdm

from isoflow.api.models import Verdict, VerdictGiven
from isoflow.cli.files import open_text
from isoflow.cli.imports import system_id
from isoflow.cli.system import system_db, system_settings
from isoflow.detection.files import VerdictModelFiles
from isoflow.store.audit import Actor
from isoflow.store.transactions import GivenVerdict, Outcome, record_verdicts
from isoflow.timestamps import now_text

COLUMNS = ("transaction_id", "label", "known_at")
LABELS = {"1": Verdict.CONFIRMED, "0": Verdict.NOT_FRAUD}
BATCH = 100


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verdicts",
        help="import confirmed frauds and chargebacks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="verdicts_command", required=True)
    load = commands.add_parser("import", help="record the verdicts of a CSV file")
    load.add_argument("file", type=Path, metavar="FILE.csv")
    load.set_defaults(func=import_command)


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


def read_verdicts(text: IO[str]) -> Iterator[tuple[int, GivenVerdict | Rejected]]:
    """Each data row of a verdicts file with its line number, as a verdict or the reason it is not one."""
    reader = csv.DictReader(text)
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)} (expected {', '.join(COLUMNS)}[, note])")
    for row in reader:
        line = reader.line_num
        label = (row["label"] or "").strip()
        if label not in LABELS:
            yield line, Rejected(line, f"label must be 1 (fraud) or 0 (not fraud), not {label!r}")
            continue
        note = (row.get("note") or "").strip() or None
        try:
            given = VerdictGiven.model_validate(
                {
                    "transactionId": (row["transaction_id"] or "").strip(),
                    "verdict": LABELS[label],
                    "knownAt": (row["known_at"] or "").strip(),
                    "note": note,
                }
            )
        except ValidationError as error:
            first = error.errors()[0]
            yield line, Rejected(line, f"{_COLUMN_OF[str(first['loc'][0])]}: {first['msg']}")
            continue
        yield line, GivenVerdict(given.transactionId, given.verdict, given.knownAt, given.note)


_COLUMN_OF = {"transactionId": "transaction_id", "verdict": "label", "knownAt": "known_at", "note": "note"}


def import_command(args: argparse.Namespace) -> int:
    db = system_db()
    actor = Actor(subject="import", name=getpass.getuser())
    outcomes: Counter[str] = Counter()
    problems: list[str] = []
    batch: list[tuple[int, GivenVerdict]] = []

    def send() -> None:
        for (line, given), outcome in zip(batch, record_verdicts(db, [g for _, g in batch], actor=actor), strict=True):
            outcomes[outcome] += 1
            if outcome is Outcome.UNKNOWN:
                problems.append(f"line {line}: no such transaction (as {given.transaction_id})")
        batch.clear()

    try:
        with open_text(args.file) as text, tqdm(unit="verdict", desc="import") as bar:
            for line, row in read_verdicts(text):
                bar.update(1)
                if isinstance(row, Rejected):
                    outcomes["rejected"] += 1
                    problems.append(f"line {line}: {row.reason}")
                    continue
                # A file of the bank's own ids names the transactions `isoflow import` brought in under the
                # system's ids for them.
                batch.append((line, replace(row, transaction_id=system_id("txn", row.transaction_id))))
                if len(batch) == BATCH:
                    send()
            send()
    except (OSError, ValueError, csv.Error) as error:
        print(f"isoflow verdicts import: {args.file}: {error}")
        return 2
    if outcomes[Outcome.RECORDED]:
        # What the verdicts teach reaches the scores of the next detection run.
        VerdictModelFiles(boto3.client("s3"), system_settings().data_bucket).request_refit(now_text())
    for problem in problems:
        print(problem)
    counts = ", ".join(f"{outcomes[o]} {o}" for o in (*(o.value for o in Outcome), "rejected"))
    print(f"{sum(outcomes.values())} verdicts: {counts}")
    return 1 if problems else 0
