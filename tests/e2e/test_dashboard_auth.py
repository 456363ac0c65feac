"""The dashboard with sign-in (`isoflow local --auth`) in a real browser: analysts and admins sign in with
SRP against the local user pool, see what their role may do, and sign out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from anomaly_scores import flag_as_anomaly
from demo_data import seed_demo_data
from playwright.sync_api import Page, expect

from isoflow.local.auth import LOCAL_USERS
from isoflow.store.db import Db
from isoflow.store.transactions import get_transaction, list_transactions

ANALYST, ADMIN = LOCAL_USERS["analysts"], LOCAL_USERS["admins"]


@pytest.fixture
def accounts(local_stack_auth: Any) -> list[dict[str, Any]]:
    return seed_demo_data(Db.from_settings(local_stack_auth.aws.settings))


@pytest.fixture
def page(signed_out_dashboard: Any) -> Page:
    return signed_out_dashboard.page


def sign_in(page: Page, stack: Any, email: str, path: str = "/") -> None:
    page.goto(stack.url + path)
    form = page.get_by_role("form", name="Sign in")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(stack.user_pool.passwords[email])
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-user")).to_contain_text(email)


def nothing_stored(page: Page) -> None:
    stored = page.evaluate("[localStorage.length, sessionStorage.length, document.cookie]")
    assert stored == [0, 0, ""], f"tokens must stay in memory: {stored}"


def open_first_transaction(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Transactions").click()
    expect(page.get_by_role("heading", name="Transactions")).to_be_visible()
    page.get_by_test_id("transactions-table").locator("tbody tr a").first.click()
    expect(page).to_have_url(re.compile(r"/transactions/txn_"))


def test_the_dashboard_asks_for_sign_in_and_shows_nothing_before(page: Page, local_stack_auth: Any) -> None:
    page.goto(local_stack_auth.url + "/transactions")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)


def test_an_unknown_user_is_refused(page: Page, local_stack_auth: Any) -> None:
    page.goto(local_stack_auth.url + "/")
    form = page.get_by_role("form", name="Sign in")
    form.get_by_label("Email").fill("nobody@isoflow.local")
    form.get_by_label("Password").fill("Whatever-1234")
    form.get_by_role("button", name="Sign in").click()
    expect(form.get_by_role("alert")).to_be_visible()
    expect(page.get_by_test_id("signed-in-user")).to_have_count(0)


def test_an_analyst_reads_everything_but_sees_no_admin_actions_and_signs_out(
    page: Page, signed_out_dashboard: Any, local_stack_auth: Any, accounts: list[dict[str, Any]]
) -> None:
    sign_in(page, local_stack_auth, ANALYST)
    expect(page.get_by_test_id("signed-in-user")).to_contain_text("Analyst")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_role("button", name="Run detection now")).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Transactions").click()
    expect(page.get_by_test_id("transactions-table").locator("tbody tr").first).to_be_visible()
    expect(page.get_by_role("link", name="New transaction")).to_have_count(0)
    open_first_transaction(page)
    # The transaction has loaded: its amount heads the panel.
    expect(page.get_by_role("heading", level=2, name=re.compile(r"\d\.\d\d"))).to_be_visible()
    expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
    expect(page.get_by_role("heading", name="Runs")).to_be_visible()
    expect(page.get_by_role("button", name="Run detection now")).to_have_count(0)
    nothing_stored(page)
    signed_out_dashboard.shoot("signed-in-analyst")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)


def test_an_admin_sees_the_admin_actions_and_signs_out(
    page: Page, local_stack_auth: Any, accounts: list[dict[str, Any]]
) -> None:
    sign_in(page, local_stack_auth, ADMIN)
    expect(page.get_by_test_id("signed-in-user")).to_contain_text("Administrator")
    expect(page.get_by_role("button", name="Run detection now")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Transactions").click()
    expect(page.get_by_role("link", name="New transaction")).to_be_visible()
    open_first_transaction(page)
    expect(page.get_by_role("button", name="Edit")).to_be_visible()
    expect(page.get_by_role("button", name="Delete")).to_be_visible()
    nothing_stored(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # Signed out, a new page load starts from the sign-in page again.
    page.goto(local_stack_auth.url + "/runs")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_an_analyst_records_a_verdict_on_an_anomaly(
    page: Page, local_stack_auth: Any, accounts: list[dict[str, Any]]
) -> None:
    db = Db.from_settings(local_stack_auth.aws.settings)
    transactions, _ = list_transactions(db, account_id=accounts[2].accountId, limit=50)
    purchase = max((t for t in transactions if t["transactionType"] == "PURCHASE"), key=lambda t: t["amount"])
    flag_as_anomaly(db, purchase)
    sign_in(page, local_stack_auth, ANALYST)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Anomalies").click()
    row = page.get_by_test_id("anomalies-table").locator(f'tr[data-id="{purchase["transactionId"]}"]')
    row.get_by_role("button", name="Not fraud").click()

    expect(row.get_by_text("Not fraud").first).to_be_visible()
    expect(row.get_by_role("button", name="Confirm fraud")).to_be_visible()
    assert get_transaction(db, purchase["transactionId"])["feedback"]["verdict"] == "NOT_FRAUD"


def test_the_api_page_calls_the_api_as_the_signed_in_user(page: Page, local_stack_auth: Any) -> None:
    sign_in(page, local_stack_auth, ANALYST, "/docs")

    docs = page.get_by_test_id("api-docs")
    # The document itself is read with the analyst's token: without it the API answers 401.
    operation = docs.locator(".opblock-get", has=page.locator('[data-path="/api/accounts"]')).first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tr.response .response-col_status")).to_have_text("200")
