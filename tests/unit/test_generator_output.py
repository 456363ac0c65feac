"""Determinism, ids, the CSV format and the scheduled windows of the generator."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from isoflow.generator.csv_export import CSV_COLUMNS, write_csv
from isoflow.generator.history import generate_history, generate_window
from isoflow.generator.profiles import profile_for

END = datetime(2026, 11, 1, tzinfo=UTC)


def csv_text(accounts: int, days: int, seed: int, rate: float = 0.01) -> str:
    out = io.StringIO()
    write_csv(generate_history(accounts, days, seed=seed, end=END, anomaly_rate=rate), out)
    return out.getvalue()


def test_the_same_seed_gives_byte_identical_output_and_another_seed_other_data():
    first = csv_text(40, 30, seed=3)
    assert first == csv_text(40, 30, seed=3)
    other = csv_text(40, 30, seed=4)
    assert other != first
    ids = lambda text: {row["transaction_id"] for row in csv.DictReader(io.StringIO(text))}  # noqa: E731
    assert not ids(first) & ids(other)


def test_ids_have_the_stored_formats_and_are_unique():
    histories = list(generate_history(100, 30, seed=8, end=END))
    account_ids = [h.account["accountId"] for h in histories]
    transaction_ids = [t["transactionId"] for h in histories for t in h.transactions]
    assert all(re.fullmatch(r"acc_[0-9a-f]{16}", i) for i in account_ids)
    assert all(re.fullmatch(r"txn_[0-9a-f]{20}", i) for i in transaction_ids)
    assert len(set(account_ids)) == len(account_ids)
    assert len(set(transaction_ids)) == len(transaction_ids)


def test_accounts_and_transactions_have_the_stored_shape():
    history = next(iter(generate_history(1, 10, seed=8, end=END)))
    assert set(history.account) == {"accountId", "name", "accountType", "currency", "homeCountry", "createdAt"}
    for t in history.transactions:
        assert {"transactionId", "accountId", "transactionType", "amount", "currency", "description", "merchant",
                "category", "country", "channel", "timestamp"} <= set(t)  # fmt: skip
        assert t["amount"] == t["amount"].quantize(t["amount"].__class__("0.01"))
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t["timestamp"])
        assert t["currency"] == history.account["currency"]
    timestamps = [t["timestamp"] for t in history.transactions]
    assert timestamps == sorted(timestamps)
    assert history.account["createdAt"] <= timestamps[0] < "2026-11-01T00:00:00Z"


def test_csv_has_the_documented_columns_and_labels():
    rows = list(csv.DictReader(io.StringIO(csv_text(60, 30, seed=3, rate=0.02))))
    assert tuple(rows[0]) == CSV_COLUMNS
    labelled = [row for row in rows if row["label"] == "1"]
    assert labelled and all(row["kind"] for row in labelled)
    assert all(row["label"] == "0" and row["kind"] == "" for row in rows if row not in labelled)
    assert all(re.fullmatch(r"\d+\.\d\d", row["amount"]) for row in rows)


def test_consecutive_windows_continue_an_account_without_repeating_monthly_items():
    history = next(h for h in generate_history(20, 20, seed=2, end=END) if h.account["accountType"] == "CHECKING")
    profile = profile_for(history.account)
    salary = next(r for r in profile.recurring if r.category == "income")
    # A day around the salary's posting, in five-minute windows as the schedule runs them.
    payday = END + timedelta(days=(salary.day_of_month - 1) % 28)
    account = {**history.account, "balance": 2500.0}
    found = []
    start = payday - timedelta(hours=12)
    while start < payday + timedelta(days=2):
        found += generate_window(account, start, start + timedelta(minutes=5), anomaly_rate=0.0)
        start += timedelta(minutes=5)
    assert [t["category"] for t in found].count("income") == 1
    assert len({t["transactionId"] for t in found}) == len(found)
    usual = {m.name for habit in profile.habits for m in habit.favourites}
    spending = [t for t in found if t["category"] in {habit.category for habit in profile.habits}]
    assert spending and sum(t["merchant"] in usual for t in spending) >= 0.8 * len(spending)


def test_the_same_window_gives_the_same_transactions_whatever_the_balance():
    history = next(h for h in generate_history(20, 5, seed=2, end=END) if h.account["accountType"] == "CHECKING")
    account = {**history.account, "balance": 900.0}
    start, end = END, END + timedelta(days=3)
    window = generate_window(account, start, end)
    assert window and window == generate_window(account, start, end)
    # A repeated delivery sees the balance the first one left: what it generates again has the same ids.
    poorer = generate_window({**account, "balance": 60.0}, start, end)
    assert poorer and {t["transactionId"] for t in poorer} < {t["transactionId"] for t in window}


def test_nothing_is_generated_before_an_account_was_opened():
    history = next(iter(generate_history(1, 5, seed=2, end=END)))
    opened = datetime.fromisoformat(history.account["createdAt"])
    assert generate_window(history.account, opened - timedelta(days=3), opened) == []
