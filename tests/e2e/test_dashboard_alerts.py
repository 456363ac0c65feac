"""Alerts and exact counts in a real browser against the local stack: the bell after a run that found new
high-risk anomalies, the overview's tiles counting past a page of results, and its last run one that did
something; a start refused while a run is in progress."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from anomaly_scores import flag_as_anomaly
from playwright.sync_api import expect

from isoflow.functions import by_name
from isoflow.store.accounts import create_account
from isoflow.store.db import Db
from isoflow.store.records import Account
from isoflow.store.transactions import create_transaction
from isoflow.timestamps import format_timestamp

RUN_TIMEOUT_S = 90


def unusual_account(db: Db) -> Account:
    """An account with 40 ordinary purchases a day apart, then 9,500 at a jeweller abroad at night: HIGH."""
    account = create_account(
        db, {"name": "Mira Jones", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}
    )
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)

    def post(days_ago: float, amount: str, merchant: str, country: str) -> None:
        create_transaction(
            db,
            {
                "accountId": account.accountId,
                "transactionType": "PURCHASE",
                "amount": Decimal(amount),
                "merchant": merchant,
                "country": country,
                "channel": "CARD_PRESENT" if country == "DE" else "ONLINE",
                "timestamp": format_timestamp(now - timedelta(days=days_ago)),
            },
        )

    for day in range(41, 1, -1):
        post(day, f"{30 + day % 7}.50", ("Corner Grocer", "Daily Coffee", "City Bakery")[day % 3], "DE")
    post(0.6, "9500.00", "Jeweller Abroad", "TH")
    return account


def finished_run(dashboard: Any) -> dict[str, Any]:
    """A detection run started through the API, once it has finished."""
    started = dashboard.api("POST", "/executions").json()["executionId"]
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        run = dashboard.api("GET", f"/executions/{started}").json()
        if run["status"] != "RUNNING":
            return run
        time.sleep(0.5)
    raise AssertionError(f"run {started} did not finish")


def test_the_bell_counts_a_runs_alert_until_it_is_opened(dashboard: Any, local_stack: Any) -> None:
    unusual_account(Db.from_settings(local_stack.aws.settings))
    page = dashboard.open("/")
    bell = page.get_by_test_id("alert-bell")
    expect(bell).to_be_visible()
    expect(page.get_by_test_id("alert-count")).to_have_count(0)

    run = finished_run(dashboard)
    assert run["status"] == "SUCCEEDED", run.get("cause")
    alert = run["summary"]["alert"]
    assert alert is not None, run["summary"]
    assert alert["count"] >= 1 and alert["delivered"] == ["topic"]

    page.reload()
    expect(page.get_by_test_id("alert-count")).to_have_text("1")
    expect(bell).to_have_attribute("aria-label", "Alerts: 1 unread")
    bell.click()
    listed = page.get_by_test_id("alert-list")
    expect(listed).to_contain_text(f"{alert['count']} new high-risk")
    top = alert["top"][0]
    expect(listed.get_by_role("link", name=top["accountName"]).first).to_be_visible()
    expect(listed).to_contain_text("Mira Jones")
    expect(listed).to_contain_text("€9,500.00 at Jeweller Abroad")
    dashboard.shoot("alert-bell")
    expect(page.get_by_test_id("alert-count")).to_have_count(0)

    listed.get_by_role("link", name=top["accountName"]).first.click()
    expect(page).to_have_url(f"{dashboard.url}/transactions/{top['transactionId']}")
    page.reload()
    expect(page.get_by_test_id("alert-count")).to_have_count(0)  # seen stays seen


def test_the_overview_tiles_count_exactly_past_a_page_and_the_open_anomalies(
    dashboard: Any, local_stack: Any, accounts: list[Account]
) -> None:
    db = Db.from_settings(local_stack.aws.settings)
    now = datetime.now(UTC)
    for i in range(230):
        create_transaction(
            db,
            {
                "accountId": accounts[i % 3].accountId,
                "transactionType": "PURCHASE",
                "amount": Decimal("3.20"),
                "merchant": "Daily Coffee",
                "timestamp": format_timestamp(now - timedelta(minutes=5 + i)),
            },
        )
    # The API counts exactly; so does the tile, from the minute the page opened (each account's purchase of a
    # day ago may fall either side).
    assert dashboard.api("GET", "/activity").json()["transactions"] >= 230

    flagged = dashboard.api("GET", "/transactions", params={"accountId": accounts[0].accountId}).json()["items"][0]
    flag_as_anomaly(db, flagged)

    page = dashboard.open("/")
    tiles = page.get_by_test_id("overview-stats")
    open_tile = tiles.locator(".stat", has_text="Open anomalies, 24 h")
    expect(open_tile.locator(".value")).to_have_text("1")
    expect(open_tile).to_contain_text("1 high, 0 medium without a verdict")
    transactions = tiles.locator(".stat", has_text="Transactions, 24 h").locator(".value")
    expect(transactions).to_have_text(re.compile(r"^23[0-3]$"))
    expect(tiles.locator(".stat", has_text="Active accounts, 24 h").locator(".value")).to_have_text("3")
    expect(tiles.locator(".stat", has_text="Accounts waiting to be scored").locator(".value")).to_have_text("3")
    expect(tiles).not_to_contain_text("+")
    dashboard.shoot("overview-counts")


def test_the_last_run_tile_passes_over_runs_that_found_nothing_stale(dashboard: Any, accounts: list[Account]) -> None:
    worked = finished_run(dashboard)
    idle = finished_run(dashboard)
    assert worked["summary"]["accounts"] == 3 and idle["status"] == "SUCCEEDED" and not idle.get("summary")

    page = dashboard.open("/")
    tile = page.get_by_test_id("last-run")
    expect(tile).to_contain_text(worked["executionId"])
    expect(tile).not_to_contain_text(idle["executionId"])
    expect(tile).to_contain_text("3 accounts")


def test_a_start_while_a_run_is_in_progress_names_it_and_links_to_it(dashboard: Any, local_stack: Any) -> None:
    released = threading.Event()
    find = by_name("find-stale-accounts").load()

    def held(event: Any, context: Any) -> Any:
        released.wait(60)
        return find(event, context)

    local_stack.aws.register("find-stale-accounts", held)
    running = dashboard.api("POST", "/executions").json()["executionId"]
    try:
        page = dashboard.open("/")
        page.get_by_role("button", name="Run detection now").click()
        refused = page.get_by_test_id("start-refused")
        expect(refused).to_contain_text("A run is in progress")
        dashboard.shoot("run-in-progress")
        refused.get_by_role("link", name=running).click()
        expect(page).to_have_url(f"{dashboard.url}/runs/{running}")
    finally:
        released.set()
