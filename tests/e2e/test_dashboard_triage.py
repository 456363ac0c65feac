"""The anomalies work queue, names beside ids, and the lists the API orders, in a real browser.

An analyst filters the queue, closes items with a verdict and a note (with the mouse and with the keys alone),
changes a verdict and reads its history; every transaction shows whose it is; the Accounts list searches and
sorts over every account, and the Transactions list has no sort that would order only the page on screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from playwright.sync_api import Locator, Page, expect
from test_dashboard import largest_purchase

from isoflow.store.accounts import create_account
from isoflow.store.db import Db
from isoflow.store.records import Score
from isoflow.store.scores import write_scores
from isoflow.store.transactions import create_transaction
from isoflow.timestamps import format_timestamp, now_text

LONG_REASON = (
    "amount 43× this account's median (1,890.00 vs 44.10), at a merchant this account has never paid, "
    "online from a device first seen today, three minutes after a password reset"
)


def flag(
    db: Db, transaction: dict[str, Any], level: str = "HIGH", reason: str = "amount 40× this account's median"
) -> None:
    """Scores one transaction at `level`, as the detector would, so a test does not depend on the model."""
    write_scores(
        db,
        [
            Score(
                accountId=transaction["accountId"],
                transactionId=transaction["transactionId"],
                timestamp=transaction["timestamp"],
                revision=1,
                riskScore=0.93 if level == "HIGH" else 0.6,
                riskLevel=level,
                isAnomaly=level == "HIGH",
                reasons=(reason,),
                scoredAt=now_text(),
                modelVersion="e2e",
            )
        ],
    )


def queue_row(page: Page, transaction_id: str) -> Locator:
    return page.get_by_test_id("anomalies-table").locator(f'tr[data-id="{transaction_id}"]')


def verdict(dashboard: Any, transaction_id: str) -> dict[str, Any] | None:
    return dashboard.api("GET", f"/transactions/{transaction_id}").json().get("feedback")


def test_the_queue_filters_closes_an_item_with_a_note_and_keeps_a_changed_verdicts_history(
    dashboard: Any, accounts: list[Any], local_stack: Any
) -> None:
    db = Db.from_settings(local_stack.aws.settings)
    ada, grace, hedy = (largest_purchase(dashboard, a.accountId) for a in accounts)
    flag(db, ada)
    flag(db, grace, "MEDIUM")
    flag(db, hedy)
    page = dashboard.open("/anomalies")

    expect(page.get_by_role("tab", name="Open")).to_have_attribute("aria-selected", "true")
    rows = page.get_by_test_id("anomalies-table").locator("tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_label("Risk level").select_option("HIGH")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"level=HIGH"))
    expect(rows).to_have_count(2)
    expect(queue_row(page, grace["transactionId"])).to_have_count(0)
    page.get_by_label("Account").fill(hedy["accountId"])
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(queue_row(page, hedy["transactionId"])).to_be_visible()
    page.get_by_role("button", name="Clear").click()
    expect(rows).to_have_count(3)

    # A verdict with a note on the medium one: it stays on screen, closed, and the selection moves on.
    row = queue_row(page, grace["transactionId"])
    row.locator("td.num").click()
    expect(row).to_have_attribute("aria-selected", "true")
    row.get_by_label("Verdict note").fill("customer confirmed the purchase by phone")
    row.get_by_role("button", name="Not fraud").click()
    expect(row).to_have_class(re.compile(r"\bclosed\b"))
    expect(row.get_by_text("Not fraud", exact=True)).to_be_visible()
    selected = page.get_by_test_id("anomalies-table").locator('tr[aria-selected="true"]')
    expect(selected).to_have_count(1)
    expect(selected).not_to_have_attribute("data-id", grace["transactionId"])
    expect(selected).not_to_have_class(re.compile(r"\bclosed\b"))
    stored = verdict(dashboard, grace["transactionId"])
    assert stored and stored["verdict"] == "NOT_FRAUD"
    assert stored["note"] == "customer confirmed the purchase by phone"
    dashboard.shoot("triage-queue-closed-item")

    page.get_by_role("tab", name="Closed").click()
    expect(rows).to_have_count(1)
    expect(queue_row(page, grace["transactionId"])).to_be_visible()
    page.get_by_role("tab", name="Open").click()
    expect(rows).to_have_count(2)
    expect(queue_row(page, grace["transactionId"])).to_have_count(0)

    # Changed on its page, the verdict keeps its history: who, when, what and why, newest first.
    page.goto(f"{dashboard.url}/transactions/{grace['transactionId']}")
    history = page.get_by_test_id("verdict-history").locator("li")
    expect(history).to_have_count(1)
    page.get_by_label("Verdict note").fill("chargeback arrived: card was stolen")
    page.get_by_role("button", name="Confirm").click()
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_have_attribute("data-verdict", "CONFIRMED")
    expect(history.nth(0)).to_contain_text("chargeback arrived: card was stolen")
    expect(history.nth(0)).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} by \S+"))
    expect(history.nth(1)).to_have_attribute("data-verdict", "NOT_FRAUD")
    expect(history.nth(1)).to_contain_text("customer confirmed the purchase by phone")
    assert verdict(dashboard, grace["transactionId"])["verdict"] == "CONFIRMED"
    dashboard.shoot("triage-verdict-history")


def test_an_analyst_clears_the_queue_with_the_keys_alone(dashboard: Any, accounts: list[Any], local_stack: Any) -> None:
    db = Db.from_settings(local_stack.aws.settings)
    for account in accounts:
        flag(db, largest_purchase(dashboard, account.accountId))
    items = dashboard.api("GET", "/transactions", params={"accountId": accounts[0].accountId}).json()["items"]
    flag(db, next(t for t in items if t["transactionType"] == "PAYMENT"), "MEDIUM")
    queue = dashboard.api("GET", "/anomalies", params={"status": "open"}).json()["items"]
    assert len(queue) == 4
    page = dashboard.open("/anomalies")
    selected = page.get_by_test_id("anomalies-table").locator('tr[aria-selected="true"]')
    expect(selected).to_have_attribute("data-id", queue[0]["transactionId"])
    expect(page.get_by_test_id("key-legend")).to_contain_text("mark fraud")

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(selected).to_have_attribute("data-id", queue[2]["transactionId"])
    page.keyboard.press("f")
    expect(selected).to_have_attribute("data-id", queue[3]["transactionId"])
    page.keyboard.press("n")
    # The last one closed, the selection goes back to the first still open.
    expect(selected).to_have_attribute("data-id", queue[0]["transactionId"])
    expect(queue_row(page, queue[3]["transactionId"]).get_by_text("Not fraud", exact=True)).to_be_visible()
    expect(queue_row(page, queue[2]["transactionId"]).get_by_text("Confirmed fraud")).to_be_visible()
    dashboard.shoot("triage-keys")
    assert verdict(dashboard, queue[2]["transactionId"])["verdict"] == "CONFIRMED"
    assert verdict(dashboard, queue[3]["transactionId"])["verdict"] == "NOT_FRAUD"
    assert verdict(dashboard, queue[0]["transactionId"]) is None

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_have_count(0)
    page.keyboard.press("a")
    expect(page).to_have_url(re.compile(f"/accounts/{queue[0]['accountId']}$"))
    expect(page.get_by_role("heading", name=queue[0]["accountName"])).to_be_visible()


def test_transactions_show_their_accounts_name_and_home_country_and_reasons_in_full(
    dashboard: Any, accounts: list[Any], local_stack: Any, phone: Callable[[str], Page]
) -> None:
    ada = largest_purchase(dashboard, accounts[0].accountId)
    flag(Db.from_settings(local_stack.aws.settings), ada, reason=LONG_REASON)

    for path, table in (("/transactions", "transactions-table"), ("/anomalies", "anomalies-table")):
        page = dashboard.open(path)
        row = page.get_by_test_id(table).locator(f'tr[data-id="{ada["transactionId"]}"]')
        expect(row.get_by_role("link", name="Ada Lovelace")).to_be_visible()
        expect(row.get_by_test_id("account-hint")).to_contain_text("GB")
        expect(row.get_by_test_id("account-hint")).to_contain_text(accounts[0].accountId[:12])
        reason = row.locator("ul.reasons li", has_text=LONG_REASON)
        expect(reason).to_be_visible()
        shape = reason.evaluate(
            """el => ({
                height: el.getBoundingClientRect().height,
                line: parseFloat(getComputedStyle(el).lineHeight),
                cut: el.scrollWidth > el.clientWidth + 1,
                ellipsis: getComputedStyle(el).textOverflow === 'ellipsis'
                    || getComputedStyle(el.closest('td')).textOverflow === 'ellipsis',
            })"""
        )
        assert shape["height"] > 1.5 * shape["line"], f"the reason on {path} is not wrapped: {shape}"
        assert not shape["cut"] and not shape["ellipsis"], f"the reason on {path} is cut: {shape}"
        dashboard.shoot(f"triage-names{path.replace('/', '-')}")

    page = dashboard.open(f"/transactions/{ada['transactionId']}")
    expect(page.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(page.get_by_test_id("account-hint")).to_contain_text(f"GB · {accounts[0].accountId}")

    # On a phone the queue's row says whose it is and why, in full, within the screen's width.
    small = phone("/anomalies")
    row = small.get_by_test_id("anomalies-table").locator(f'tr[data-id="{ada["transactionId"]}"]')
    expect(row).to_contain_text("Ada Lovelace (GB)")
    expect(row).to_contain_text(LONG_REASON)
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the queue is {width}px wide on a 390px phone"
    dashboard.shoot("triage-queue-phone", small)


def test_the_accounts_list_searches_by_name_and_sorts_by_balance_over_every_account(
    dashboard: Any, accounts: list[Any], local_stack: Any
) -> None:
    db = Db.from_settings(local_stack.aws.settings)
    # More accounts than a page holds; the richest is last by name, so on the second page in name order.
    for i in range(50):
        create_account(
            db, {"name": f"Filler {i:02d}", "accountType": "SAVINGS", "currency": "EUR", "homeCountry": "FR"}
        )
    richest = create_account(
        db, {"name": "Zoë Quiñones", "accountType": "BUSINESS", "currency": "EUR", "homeCountry": "ES"}
    )
    create_transaction(
        db,
        {
            "accountId": richest.accountId,
            "transactionType": "DEPOSIT",
            "amount": Decimal("250000.00"),
            "description": "Sale of the warehouse",
            "country": "ES",
            "channel": "BANK_TRANSFER",
            "timestamp": format_timestamp(datetime.now(UTC)),
        },
    )
    page = dashboard.open("/accounts")
    table = page.get_by_test_id("accounts-table")
    expect(table.locator("tbody tr").first).to_have_attribute("data-id", accounts[0].accountId)
    expect(table.locator(f'tr[data-id="{richest.accountId}"]')).to_have_count(0)

    page.get_by_label("Sort by").select_option("balance")
    expect(page).to_have_url(re.compile(r"sort=balance"))
    expect(table.locator("tbody tr").first).to_have_attribute("data-id", richest.accountId)
    expect(table.locator("tbody tr").first).to_contain_text("250,000.00")
    dashboard.shoot("triage-accounts-by-balance")

    page.get_by_label("Sort by").select_option("lastActivity")
    expect(page.get_by_role("note")).to_contain_text("Only accounts with transactions")
    expect(table.locator("tbody tr").first).to_have_attribute("data-id", richest.accountId)
    expect(table.locator("tbody tr").first).to_contain_text("ago")

    page.get_by_label("Sort by").select_option("name")
    page.get_by_label("Name").fill("quin")
    expect(page).to_have_url(re.compile(r"q=quin"))
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.get_by_role("link", name="Zoë Quiñones")).to_be_visible()
    page.get_by_label("Name").fill("lamarr")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.get_by_role("link", name="Hedy Lamarr GmbH")).to_be_visible()
    expect(page.get_by_role("link", name="New account")).to_be_visible()
    dashboard.shoot("triage-accounts-search")


def test_the_transactions_list_has_no_sort_of_its_own(dashboard: Any, accounts: list[Any]) -> None:
    page = dashboard.open("/transactions")
    table = page.get_by_test_id("transactions-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    expect(page.get_by_text("Every transaction, newest first")).to_be_visible()
    expect(table.locator("thead").get_by_role("button")).to_have_count(0)
    expect(table.locator("th[aria-sort]")).to_have_count(0)
    times = table.locator("tbody tr td:first-child").all_inner_texts()
    assert times == sorted(times, reverse=True), "the list is not newest first"
