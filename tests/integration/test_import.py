"""`isoflow import FILE.csv`: a bank's own accounts and transactions into the running system (here the local
AWS endpoint), exactly as if posted one by one, with bad rows reported and nothing half-written, and a file
imported twice changing nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import boto3
import pytest

from isoflow.cli import main
from isoflow.cli.imports import system_id
from isoflow.detection.files import PopulationFiles
from isoflow.store.accounts import create_account, read_account
from isoflow.store.db import Db
from isoflow.store.transactions import create_transaction, read_transaction

COLUMNS = (
    "transaction_id", "account_id", "timestamp", "amount", "transaction_type", "merchant", "category", "country",
    "channel", "account_name", "home_country",
)  # fmt: skip
GOOD = [
    ("T-1", "A-100", "2026-11-01T09:00:00Z", "2500", "DEPOSIT", "Pay", "pay", "DE", "BANK_TRANSFER", "Ada Byron", "DE"),
    ("T-2", "A-100", "2026-11-03T12:30:00Z", "42.10", "PURCHASE", "Grocer", "food", "DE", "CARD_PRESENT", "", ""),
    # Out of order in the file: its features are those of its own time.
    ("T-3", "A-100", "2026-11-02T18:00:00+01:00", "18.75", "", "Daily Coffee", "dining", "DE", "CARD_PRESENT", "", ""),
    ("T-4", "A-100", "2026-11-04T23:10:00Z", "890.00", "PURCHASE", "Lux Online", "electronics", "NL", "ONLINE", "", ""),
    # No name, no home country: its id names it, and its transactions' country is its home.
    ("T-5", "B-7", "2026-11-01T10:00:00Z", "300", "DEPOSIT", "", "", "FR", "BANK_TRANSFER", "", ""),
    ("T-6", "B-7", "2026-11-02T10:00:00Z", "12.5", "WITHDRAWAL", "ATM", "cash", "FR", "ATM", "", ""),
]  # fmt: skip
BAD = [
    ("T-7", "A-100", "2026-11-05T10:00:00Z", "12.505", "PURCHASE", "", "", "", "", "", ""),  # 3 decimals
    ("T-8", "A-100", "2026-11-05T10:00:00Z", "-4", "PURCHASE", "", "", "", "", "", ""),
    ("T-9", "A-100", "yesterday", "4", "PURCHASE", "", "", "", "", "", ""),
    ("T-10", "A-100", "2026-11-05T10:00:00Z", "4", "GIFT", "", "", "", "", "", ""),
    ("T-2", "A-100", "2026-11-05T10:00:00Z", "4", "PURCHASE", "", "", "", "", "", ""),  # the id again
    ("T-11", "", "2026-11-05T10:00:00Z", "4", "PURCHASE", "", "", "", "", "", ""),
    # An account with no home country anywhere: every row of it is refused.
    ("T-12", "C-1", "2026-11-05T10:00:00Z", "4", "DEPOSIT", "", "", "", "", "", ""),
]  # fmt: skip


def write(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def imported(path: Path, capsys: pytest.CaptureFixture) -> tuple[int, list[str]]:
    code = main(["import", str(path)])
    return code, capsys.readouterr().out.splitlines()


def items(db: Db) -> dict[str, list[dict[str, Any]]]:
    def scan(table: str) -> list[dict[str, Any]]:
        pages = db.client.get_paginator("scan").paginate(TableName=table)
        return sorted((i for page in pages for i in page.get("Items", [])), key=str)

    return {table: scan(table) for table in (db.accounts, db.transactions)}


def test_a_file_comes_in_as_if_posted_one_by_one_and_again_changes_nothing(
    local_aws: Any, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    db = Db.from_settings(local_aws.settings, boto3.client("dynamodb"))
    code, out = imported(write(tmp_path / "bank.csv", GOOD), capsys)

    assert code == 0, out
    assert out[-1] == "6 rows: 6 imported (2 new accounts), 0 already there, 0 rejected"
    ada = read_account(db, system_id("acc", "A-100"))
    assert (ada.name, ada.homeCountry, ada.currency, ada.accountType) == ("Ada Byron", "DE", "EUR", "CHECKING")
    assert ada.balance == pytest.approx(2500 - 42.10 - 18.75 - 890.00) and ada.isStale
    other = read_account(db, system_id("acc", "B-7"))
    assert (other.name, other.homeCountry, other.balance) == ("B-7", "FR", 287.5)
    assert read_transaction(db, system_id("txn", "T-3")).transactionType == "PURCHASE"
    assert PopulationFiles(boto3.client("s3"), local_aws.settings.data_bucket).last_request() is not None

    # The same history posted one by one through the API's write path gives every transaction the same features.
    twin = create_account(db, {"name": "Twin", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"})
    for row in sorted(GOOD[:4], key=lambda r: r[2].replace("+01:00", "Z")):
        posted = create_transaction(
            db,
            {
                "accountId": twin.accountId,
                "transactionType": row[4] or "PURCHASE",
                "amount": float(row[3]),
                "merchant": row[5],
                "category": row[6],
                "country": row[7],
                "channel": row[8],
                "timestamp": row[2],
            },
        )
        assert read_transaction(db, system_id("txn", row[0])).features == posted.features, row[0]

    before = items(db)
    code, out = imported(tmp_path / "bank.csv", capsys)
    assert code == 0 and out[-1] == "6 rows: 0 imported (0 new accounts), 6 already there, 0 rejected"
    assert items(db) == before


def test_bad_rows_are_reported_by_line_and_write_nothing(
    local_aws: Any, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    db = Db.from_settings(local_aws.settings, boto3.client("dynamodb"))
    code, out = imported(write(tmp_path / "bank.csv", GOOD + BAD), capsys)

    assert code == 1
    assert out[-1] == "13 rows: 6 imported (2 new accounts), 0 already there, 7 rejected"
    problems = dict(line.split(": ", 1) for line in out[:-1])
    assert problems["line 8"].startswith("amount:")
    assert problems["line 9"].startswith("amount:")
    assert problems["line 10"].startswith("timestamp:")
    assert problems["line 11"].startswith("transaction_type:")
    assert problems["line 12"] == "transaction_id 'T-2' appears earlier in the file"
    assert problems["line 13"] == "transaction_id and account_id are required"
    assert problems["line 14"].startswith("account C-1: home_country:")
    assert read_account(db, system_id("acc", "A-100")).balance == pytest.approx(2500 - 42.10 - 18.75 - 890.00)
    assert len(items(db)[db.transactions]) == 6


def test_rows_for_an_account_the_system_has_are_posted_and_a_banks_verdicts_find_them(
    local_aws: Any, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    db = Db.from_settings(local_aws.settings, boto3.client("dynamodb"))
    assert imported(write(tmp_path / "first.csv", GOOD[:2]), capsys)[0] == 0
    code, out = imported(write(tmp_path / "more.csv", GOOD), capsys)

    assert code == 0 and out[-1] == "6 rows: 4 imported (1 new accounts), 2 already there, 0 rejected"
    ada = read_account(db, system_id("acc", "A-100"))
    assert ada.balance == pytest.approx(2500 - 42.10 - 18.75 - 890.00) and ada.isStale

    verdicts = tmp_path / "chargebacks.csv"
    verdicts.write_text("transaction_id,label,known_at\nT-4,1,2026-11-20T08:00:00Z\n")
    assert main(["verdicts", "import", str(verdicts)]) == 0
    assert "1 recorded" in capsys.readouterr().out
    assert read_transaction(db, system_id("txn", "T-4")).feedback.verdict == "CONFIRMED"  # type: ignore[union-attr]


def test_a_file_without_the_columns_it_needs_is_refused_whole(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "bank.csv"
    path.write_text(io.StringIO("id,amount\n1,2\n").getvalue())
    code, out = imported(path, capsys)
    assert code == 2 and "missing columns: transaction_id, account_id, timestamp" in out[0]
