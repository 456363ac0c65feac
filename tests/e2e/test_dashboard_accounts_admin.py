"""The dashboard in a real browser against the local stack: an administrator opens, changes and deletes an account."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Dialog, expect

FIELDS = {"Name": "name", "Type": "accountType", "Currency": "currency", "Home country": "homeCountry"}


def test_an_administrator_opens_changes_and_deletes_an_account(dashboard: Any, accounts: list[Any]) -> None:
    page = dashboard.open("/accounts")
    page.get_by_role("link", name="New account").click()
    expect(page.get_by_role("heading", name="New account")).to_be_visible()

    # A form with nothing right in it: every field's error at once, each beside its field.
    page.get_by_label("Currency").fill("E1")
    page.get_by_role("button", name="Create account").click()
    for label, field in FIELDS.items():
        expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#acc-{field}-error")).to_be_visible()
    expect(page.locator("#acc-currency-error")).to_have_text("A currency is three letters, such as EUR")
    expect(page).to_have_url(re.compile(r"/accounts/new$"))
    dashboard.shoot("account-new-errors")
    assert len(dashboard.api("GET", "/accounts").json()["items"]) == len(accounts), "a refused account is not written"

    page.get_by_label("Name").fill("  Katherine Johnson ")
    page.get_by_label("Type").select_option("SAVINGS")
    page.get_by_label("Currency").fill("usd")
    page.get_by_label("Home country").fill("us")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/accounts/acc_[0-9a-f]{16}$"))
    expect(page.get_by_role("heading", name="Katherine Johnson")).to_be_visible()
    account_id = page.url.rsplit("/", 1)[1]
    stored = dashboard.api("GET", f"/accounts/{account_id}").json()
    assert [stored[field] for field in FIELDS.values()] == ["Katherine Johnson", "SAVINGS", "USD", "US"]
    dashboard.shoot("account-created")

    # Its name changes; its currency and home country stay as opened.
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Edit account")).to_be_visible()
    expect(page.get_by_label("Currency")).to_be_disabled()
    page.get_by_label("Name").fill(" ")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#acc-name-error")).to_have_text("Enter a name")
    page.get_by_label("Name").fill("Katherine G. Johnson")
    dashboard.shoot("account-edit")
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_url(re.compile(rf"/accounts/{account_id}$"))
    expect(page.get_by_role("heading", name="Katherine G. Johnson")).to_be_visible()
    assert dashboard.api("GET", f"/accounts/{account_id}").json()["name"] == "Katherine G. Johnson"

    # With transactions, deleting it says how many go with it, and deletes them too.
    for amount in (12.5, 80):
        created = dashboard.api(
            "POST", "/transactions", json={"accountId": account_id, "transactionType": "PURCHASE", "amount": amount}
        )
        assert created.status_code == 201, created.text
    page.reload()
    expect(page.get_by_role("heading", name="Katherine G. Johnson")).to_be_visible()
    questions: list[str] = []

    def answer(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_role("button", name="Delete").click()

    expect(page).to_have_url(re.compile(r"/accounts$"))
    assert questions == [
        "Delete the account “Katherine G. Johnson” and its 2 transactions? "
        "They are deleted with it, with their scores and verdicts. This cannot be undone."
    ]
    assert dashboard.api("GET", f"/accounts/{account_id}").status_code == 404
    assert dashboard.api("GET", "/transactions", params={"accountId": account_id}).json()["items"] == []
    table = page.get_by_test_id("accounts-table")
    expect(table).to_contain_text(accounts[0].name)
    expect(table).not_to_contain_text("Katherine")
    dashboard.shoot("account-deleted")
