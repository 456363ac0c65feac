"""`isoflow import FILE.csv`: a bank's own accounts and transactions into a running system.

Columns: those `isoflow score` reads (transaction_id, account_id, timestamp as ISO 8601 with a timezone,
amount; optionally transaction_type, default PURCHASE, merchant, category, country, channel) and, for the
accounts, optionally account_name (default: its id), account_type (default CHECKING), currency (default EUR)
and home_country (default: the country most of its transactions name). A .gz file is read compressed. Into
the local stack by default (`make run`); into AWS, or another endpoint, when TRANSACTIONS_TABLE (with
ACCOUNTS_TABLE, SCORES_TABLE and AUDIT_TABLE) names the tables, with AWS_ENDPOINT_URL for an endpoint that
is not AWS itself.

Every row is checked as the API checks a posted transaction. The file's ids become the system's own, the
same ones every time (`acc_` and `txn_` and a digest of the id; an id already in that form is kept), so
importing a file again changes nothing. A new account comes in whole with its history in bulk, its balance,
features and stale mark as if each transaction had been posted in turn; a transaction for an account the
system already has is posted through the API's write path. A row that cannot be read or posted is reported
with its line and why and writes nothing; the command then exits with 1. The next detection run scores what
came in, after refitting the deployment's population model.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import hashlib
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from pydantic import ValidationError
from tqdm import tqdm

from isoflow.api.models import ACCOUNT_ID_PATTERN, TRANSACTION_ID_PATTERN, AccountCreate, TransactionCreate
from isoflow.cli.files import open_text
from isoflow.cli.system import system_db, system_settings
from isoflow.detection.files import PopulationFiles
from isoflow.store.audit import Actor
from isoflow.store.db import Db, batch_get
from isoflow.store.errors import RejectedValueError, StoreError
from isoflow.store.history import import_history
from isoflow.store.transactions import create_transaction
from isoflow.timestamps import now_text

REQUIRED = ("transaction_id", "account_id", "timestamp", "amount")
# The file's column for each field of a posted transaction.
TRANSACTION_COLUMNS = {
    "transactionType": "transaction_type",
    "amount": "amount",
    "merchant": "merchant",
    "category": "category",
    "country": "country",
    "channel": "channel",
    "timestamp": "timestamp",
}
ACCOUNT_COLUMNS = {
    "name": "account_name",
    "accountType": "account_type",
    "currency": "currency",
    "homeCountry": "home_country",
}
DEFAULTS = {"transactionType": "PURCHASE", "accountType": "CHECKING", "currency": "EUR"}
# New accounts go in this many at a time (with their whole histories); posted rows on this many threads.
ACCOUNTS_PER_BATCH = 50
THREADS = 8


def system_id(kind: str, given: str) -> str:
    """The system's id for a file's account ("acc") or transaction ("txn") id, the same on every import."""
    if re.fullmatch(ACCOUNT_ID_PATTERN if kind == "acc" else TRANSACTION_ID_PATTERN, given):
        return given
    digest = hashlib.sha256(f"{kind}:{given}".encode()).hexdigest()
    return f"{kind}_{digest[: 16 if kind == 'acc' else 20]}"


@dataclass
class Row:
    line: int
    transaction_id: str  # the system's
    account_id: str  # the system's
    given_account: str  # the file's
    data: dict[str, Any]  # the transaction as the API takes it
    account: dict[str, str]  # the account columns the row carries


@dataclass
class Report:
    imported: int = 0
    unchanged: int = 0
    new_accounts: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected.append((line, reason))


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import a CSV of your own accounts and transactions into the running system",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, metavar="FILE.csv")
    parser.set_defaults(func=import_command)


def _problem(error: ValidationError, columns: Mapping[str, str]) -> str:
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else "row"
    return f"{columns.get(name, name)}: {first['msg']}"


def read_rows(text: Iterable[str], report: Report) -> list[Row]:
    """The file's rows that read as transactions; the others are reported."""
    reader = csv.DictReader(text)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)} (expected at least {', '.join(REQUIRED)})")
    rows, seen = [], set()
    for record in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in record.items() if k}
        given, account = values["transaction_id"], values["account_id"]
        if not given or not account:
            report.reject(line, "transaction_id and account_id are required")
            continue
        if given in seen:
            report.reject(line, f"transaction_id {given!r} appears earlier in the file")
            continue
        seen.add(given)
        data: dict[str, Any] = {k: values.get(c) or DEFAULTS.get(k) for k, c in TRANSACTION_COLUMNS.items()}
        data = {k: v for k, v in data.items() if v is not None}
        account_id = system_id("acc", account)
        try:
            # A JSON number, as the API takes it: "12.50" is 12.5, "12.505" is refused.
            amount = float(data["amount"]) if "amount" in data else None
            checked = TransactionCreate.model_validate({**data, "accountId": account_id, "amount": amount})
        except (ValidationError, ValueError) as error:
            reason = _problem(error, TRANSACTION_COLUMNS) if isinstance(error, ValidationError) else f"amount: {error}"
            report.reject(line, reason)
            continue
        posted = checked.model_dump(mode="json", exclude_none=True)
        posted["amount"] = checked.amount
        account_columns = {
            k: values[c] for k, c in {**ACCOUNT_COLUMNS, "homeCountry": "home_country"}.items() if values.get(c)
        }
        rows.append(Row(line, system_id("txn", given), account_id, account, posted, account_columns))
    return rows


def _new_account(account_id: str, given: str, rows: list[Row]) -> dict[str, Any]:
    """The account as AccountCreate checks it, from the first row that names each field."""
    fields: dict[str, Any] = {"name": given, **{k: v for k, v in DEFAULTS.items() if k in ACCOUNT_COLUMNS}}
    for row in reversed(rows):
        fields.update(row.account)
    if "homeCountry" not in fields:
        countries = Counter(row.data["country"] for row in rows if row.data.get("country"))
        if countries:
            fields["homeCountry"] = countries.most_common(1)[0][0]
    checked = AccountCreate.model_validate(fields)
    return {"accountId": account_id, **checked.model_dump(mode="json")}


def import_rows(db: Db, rows: list[Row], report: Report, progress: Any) -> None:
    by_account: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_account[row.account_id].append(row)
    known = {
        item["accountId"]["S"]
        for item in batch_get(db, db.accounts, [{"accountId": a} for a in by_account], ("accountId",))
    }
    there = {
        item["transactionId"]["S"]
        for item in batch_get(
            db, db.transactions, [{"transactionId": r.transaction_id} for r in rows], ("transactionId",)
        )
    }

    new: list[tuple[dict[str, Any], list[Row]]] = []
    posted: list[list[Row]] = []
    for account_id, account_rows in by_account.items():
        account_rows.sort(key=lambda r: (r.data["timestamp"], r.transaction_id))
        if account_id in known:
            posted.append(account_rows)
            continue
        try:
            new.append((_new_account(account_id, account_rows[0].given_account, account_rows), account_rows))
        except ValidationError as error:
            reason = f"account {account_rows[0].given_account}: {_problem(error, ACCOUNT_COLUMNS)}"
            for row in account_rows:
                report.reject(row.line, reason)
            progress.update(len(account_rows))

    for start in range(0, len(new), ACCOUNTS_PER_BATCH):
        batch = new[start : start + ACCOUNTS_PER_BATCH]
        histories = [
            {**row.data, "transactionId": row.transaction_id, "accountId": row.account_id}
            for _, account_rows in batch
            for row in account_rows
        ]
        import_history(db, [account for account, _ in batch], histories)
        report.new_accounts += len(batch)
        report.imported += len(histories)
        progress.update(len(histories))

    counting = threading.Lock()

    def post(account_rows: list[Row]) -> None:
        for row in account_rows:
            outcome = "unchanged" if row.transaction_id in there else _post(db, row)
            with counting:
                if outcome == "imported":
                    report.imported += 1
                elif outcome == "unchanged":
                    report.unchanged += 1
                else:
                    report.reject(row.line, outcome)
                progress.update(1)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(post, posted))


# Who the audit trail says posted a row for an account the system already had.
IMPORTER = Actor(subject="import", name=getpass.getuser())


def _post(db: Db, row: Row) -> str:
    """Posts the row as the API would: "imported", "unchanged" (it is there already) or why it was refused."""
    try:
        create_transaction(
            db, {**row.data, "accountId": row.account_id}, transaction_id=row.transaction_id, actor=IMPORTER
        )
    except RejectedValueError as error:
        if error.field == "transactionId":  # posted meanwhile, by another import of the same file
            return "unchanged"
        return f"{error.field}: {error.message}"
    except StoreError as error:
        return error.message
    return "imported"


def import_command(args: argparse.Namespace) -> int:
    db = system_db()
    report = Report()
    try:
        with open_text(args.file) as text:
            rows = read_rows(text, report)
    except (OSError, ValueError, csv.Error) as error:
        print(f"isoflow import: {args.file}: {error}")
        return 2
    unreadable = len(report.rejected)
    with tqdm(total=len(rows), unit="row", desc="import") as progress:
        import_rows(db, rows, report, progress)
    if report.imported:
        # The next detection run refits the population model on what came in, then scores it.
        PopulationFiles(boto3.client("s3"), system_settings().data_bucket).request_refit(now_text())
    for line, reason in sorted(report.rejected):
        print(f"line {line}: {reason}")
    print(
        f"{len(rows) + unreadable} rows: {report.imported} imported ({report.new_accounts} new accounts), "
        f"{report.unchanged} already there, {len(report.rejected)} rejected"
    )
    return 1 if report.rejected else 0
