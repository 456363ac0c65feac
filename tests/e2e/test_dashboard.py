"""The dashboard in a real browser against the local stack: what a risk analyst does with it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from anomaly_scores import flag_as_anomaly
from playwright.sync_api import Page, expect

from isoflow.functions import by_name
from isoflow.store.db import Db
from model.config import MODEL_VERSION

# Runs go through moto's Step Functions interpreter with one-second retries: well under a minute.
RUN_TIMEOUT_MS = 90_000
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def largest_purchase(dashboard: Any, account_id: str) -> dict[str, Any]:
    items = dashboard.api("GET", "/transactions", params={"accountId": account_id, "limit": 50}).json()["items"]
    return max((t for t in items if t["transactionType"] == "PURCHASE"), key=lambda t: t["amount"])


def wait_for_status(page: Page, status: str) -> None:
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", status, timeout=RUN_TIMEOUT_MS)


def test_overview_loads_with_data(dashboard: Any, accounts: list[dict[str, Any]], local_stack: Any) -> None:
    purchase = largest_purchase(dashboard, accounts[0].accountId)
    flag_as_anomaly(Db.from_settings(local_stack.aws.settings), purchase)

    page = dashboard.open("/")

    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_test_id("api-health")).to_contain_text("API healthy")
    stale = page.get_by_test_id("overview-stats").locator(".stat", has_text="Accounts waiting to be scored")
    expect(stale.locator(".value")).to_have_text("3")
    latest = page.locator("section", has=page.get_by_role("heading", name="Latest anomalies"))
    expect(latest.locator(f'tr[data-id="{purchase["transactionId"]}"]')).to_contain_text("HIGH")
    expect(page.get_by_role("alert")).to_have_count(0)
    dashboard.shoot("overview")


def test_creating_a_transaction_shows_it_in_the_table(dashboard: Any, accounts: list[dict[str, Any]]) -> None:
    account_id = accounts[1].accountId
    page = dashboard.open("/transactions")
    page.get_by_role("link", name="New transaction").click()
    # The list's filter bar has an "Account" field too: fill the form only once it is there.
    expect(page.get_by_role("heading", name="New transaction")).to_be_visible()

    page.get_by_label("Account").fill(account_id)
    page.get_by_label("Type").select_option("PURCHASE")
    page.get_by_label("Amount").fill("77.25")
    page.get_by_label("Merchant").fill("Riverside Books")
    page.get_by_label("Country").fill("US")
    dashboard.shoot("transaction-new")
    page.get_by_role("button", name="Create transaction").click()

    expect(page).to_have_url(re.compile(r"/transactions\?created=txn_"))
    expect(page.get_by_role("status").filter(has_text="created")).to_be_visible()
    row = page.get_by_test_id("transactions-table").get_by_role("row").filter(has_text="Riverside Books")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("77.25")
    expect(row).to_contain_text("unscored")
    dashboard.shoot("transactions")


def test_a_bad_amount_shows_the_field_error(dashboard: Any, accounts: list[dict[str, Any]]) -> None:
    account_id = accounts[0].accountId
    before = dashboard.api("GET", "/transactions", params={"accountId": account_id}).json()["items"]
    page = dashboard.open(f"/transactions/new?accountId={account_id}")

    page.get_by_label("Amount").fill("12.345")
    page.get_by_role("button", name="Create transaction").click()

    amount = page.get_by_label("Amount")
    expect(amount).to_have_attribute("aria-invalid", "true")
    error = page.locator("#tx-amount-error")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(page).to_have_url(re.compile(r"/transactions/new"))
    after = dashboard.api("GET", "/transactions", params={"accountId": account_id}).json()["items"]
    assert len(after) == len(before), "a refused transaction must not be written"
    dashboard.shoot("transaction-bad-amount")


def test_editing_and_deleting_a_transaction(dashboard: Any, accounts: list[dict[str, Any]]) -> None:
    account_id = accounts[0].accountId
    purchase = largest_purchase(dashboard, account_id)
    page = dashboard.open(f"/transactions/{purchase['transactionId']}")

    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Amount").fill("1750.5")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name=re.compile("1,750.50"))).to_be_visible()
    assert dashboard.api("GET", f"/transactions/{purchase['transactionId']}").json()["amount"] == 1750.5

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(r"/transactions$"))
    assert dashboard.api("GET", f"/transactions/{purchase['transactionId']}").status_code == 404


def test_a_run_shows_on_runs_until_it_succeeds_with_the_graph_coloured(
    dashboard: Any, accounts: list[dict[str, Any]]
) -> None:
    page = dashboard.open("/runs")
    page.get_by_role("button", name="Run detection now").click()
    expect(page).to_have_url(re.compile(r"/runs/run-"))
    execution_id = page.url.rsplit("/", 1)[1]

    # The list shows the run while it runs and refreshes until it has succeeded.
    page.get_by_role("link", name="Runs", exact=True).first.click()
    row = page.get_by_test_id("runs-table").locator(f'tr[data-id="{execution_id}"]')
    expect(row).to_be_visible()
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "SUCCEEDED", timeout=RUN_TIMEOUT_MS)
    dashboard.shoot("runs")

    row.get_by_role("link", name=execution_id).click()
    wait_for_status(page, "SUCCEEDED")
    graph = page.get_by_test_id("state-graph")
    for state in ("FindStaleAccounts", "AnyStale?", "ScoreAccounts", "RecordRun", "__end__"):
        expect(graph.locator(f'[data-state="{state}"]')).to_have_attribute("data-status", "succeeded")
    expect(graph.locator('[data-state="NothingStale"]')).to_have_attribute("data-status", "notReached")
    expect(page.get_by_test_id("events-table")).to_contain_text("ExecutionSucceeded")

    graph.locator('[data-state="FindStaleAccounts"]').click()
    expect(page.get_by_test_id("state-panel")).to_contain_text("Succeeded")
    page.get_by_role("tab", name="Output").click()
    expect(page.get_by_test_id("state-output")).not_to_be_empty()
    dashboard.shoot("run-succeeded")


def test_a_failed_run_can_be_rerun_from_its_page(
    dashboard: Any, accounts: list[dict[str, Any]], local_stack: Any
) -> None:
    detector = by_name("score-account-batch").load()
    outage = {"on": True}

    def flaky_detector(event: Any, context: Any) -> Any:
        if outage["on"]:
            raise RuntimeError("detector unavailable (injected by the test)")
        return detector(event, context)

    local_stack.aws.register("score-account-batch", flaky_detector)
    page = dashboard.open("/runs")
    page.get_by_role("button", name="Run detection now").click()
    expect(page).to_have_url(re.compile(r"/runs/run-"))
    failed_id = page.url.rsplit("/", 1)[1]
    wait_for_status(page, "FAILED")
    failure = page.get_by_test_id("failure")
    # The step that failed the run (RecordRun, once the batches failed), not the Fail state its Catch led to.
    expect(failure.get_by_test_id("failed-step")).to_have_text("RecordRun")
    expect(failure).to_contain_text("1 of 1 account batches failed after retries")
    expect(page.get_by_test_id("state-graph").locator('[data-status="failed"]').first).to_be_visible()
    dashboard.shoot("run-failed")

    outage["on"] = False
    page.get_by_role("button", name="Rerun").click()

    # Locally a rerun is a new execution that records the run it reruns; in AWS the same one is redriven.
    expect(page).not_to_have_url(re.compile(f"/runs/{failed_id}$"))
    expect(page.get_by_role("link", name=failed_id)).to_be_visible()
    wait_for_status(page, "SUCCEEDED")
    dashboard.shoot("run-rerun-succeeded")


def test_a_failed_step_is_named_and_its_error_read_with_the_stack_trace_folded(
    dashboard: Any, local_stack: Any
) -> None:
    def unreachable(event: Any, context: Any) -> Any:
        raise RuntimeError("the data bucket is unreachable (injected by the test)")

    local_stack.aws.register("check-models", unreachable)
    page = dashboard.open("/runs")
    page.get_by_role("button", name="Run detection now").click()
    wait_for_status(page, "FAILED")

    failure = page.get_by_test_id("failure")
    expect(failure.get_by_test_id("failed-step")).to_have_text("CheckModels")
    expect(failure).to_contain_text("RuntimeError: the data bucket is unreachable (injected by the test)")
    # The step's own error, as Lambda reported it: type and message, the stack trace folded until asked for.
    page.get_by_test_id("state-graph").locator('[data-state="CheckModels"]').first.click()
    cause = page.get_by_test_id("state-panel").get_by_test_id("cause")
    expect(cause).to_contain_text("RuntimeError: the data bucket is unreachable (injected by the test)")
    trace = cause.locator("details")
    expect(trace).not_to_have_attribute("open", "")
    trace.get_by_text("Stack trace").click()
    expect(trace.locator("pre")).to_contain_text("raise RuntimeError(")
    expect(page.get_by_test_id("state-panel")).not_to_contain_text("\\n")  # no escaped JSON
    dashboard.shoot("run-failed-step")


def test_marking_an_anomaly_records_the_verdict(
    dashboard: Any, accounts: list[dict[str, Any]], local_stack: Any
) -> None:
    purchase = largest_purchase(dashboard, accounts[2].accountId)
    flag_as_anomaly(Db.from_settings(local_stack.aws.settings), purchase)
    page = dashboard.open("/anomalies")

    row = page.get_by_test_id("anomalies-table").locator(f'tr[data-id="{purchase["transactionId"]}"]')
    expect(row).to_contain_text("amount 40× this account's median")
    row.get_by_role("button", name="Confirm fraud").click()

    expect(row.get_by_text("Confirmed fraud")).to_be_visible()
    expect(row.get_by_role("button", name="Not fraud")).to_be_visible()
    stored = dashboard.api("GET", f"/transactions/{purchase['transactionId']}").json()
    assert stored["feedback"]["verdict"] == "CONFIRMED"
    dashboard.shoot("anomalies")


def test_the_model_page_names_the_models_and_counts_a_verdict(
    dashboard: Any, accounts: list[dict[str, Any]], local_stack: Any
) -> None:
    purchase = largest_purchase(dashboard, accounts[1].accountId)
    flag_as_anomaly(Db.from_settings(local_stack.aws.settings), purchase)
    population = next(m for m in dashboard.api("GET", "/model").json()["models"] if m["role"] == "population")
    page = dashboard.open("/model")

    models = page.get_by_test_id("models-table")
    expect(models.locator('tr[data-id="detector"]')).to_contain_text(MODEL_VERSION)
    expect(models.locator('tr[data-id="population"]')).to_contain_text(population["version"])
    expect(models.locator('tr[data-id="population"]')).to_contain_text(population["description"])
    totals = page.get_by_test_id("verdict-totals")
    expect(totals).to_contain_text("Confirmed fraud 0")
    expect(page.get_by_text("No reviewed alerts yet")).to_be_visible()

    page.get_by_role("link", name="Anomalies", exact=True).click()
    row = page.get_by_test_id("anomalies-table").locator(f'tr[data-id="{purchase["transactionId"]}"]')
    row.get_by_role("button", name="Confirm fraud").click()
    expect(row.get_by_text("Confirmed fraud")).to_be_visible()
    page.get_by_role("link", name="Model", exact=True).click()

    expect(totals).to_contain_text("Confirmed fraud 1")
    expect(totals).to_contain_text("Not fraud 0")
    expect(page.get_by_test_id("precision-table").locator('td[data-level="HIGH"]')).to_have_text("100% (1 of 1)")
    dashboard.shoot("model")


def test_the_api_reference_works_offline_from_the_projects_own_swagger_ui(dashboard: Any, local_stack: Any) -> None:
    page = dashboard.page
    elsewhere: list[str] = []
    page.on("request", lambda r: elsewhere.append(r.url) if urlsplit(r.url).hostname not in LOCAL_HOSTS else None)

    page.goto(local_stack.url + "/api/docs")  # as printed at start-up: it sends the browser to the API page

    expect(page).to_have_url(re.compile(r"/docs$"))
    expect(page.get_by_role("heading", name="API", exact=True)).to_be_visible()
    docs = page.get_by_test_id("api-docs")
    expect(docs.locator('.opblock-summary-path[data-path="/api/model"]')).to_be_visible(timeout=30_000)
    operation = docs.locator(".opblock-get", has=page.locator('[data-path="/api/accounts"]')).first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tr.response .response-col_status")).to_have_text("200")
    assert elsewhere == [], f"the API page reached beyond this machine: {elsewhere}"
    dashboard.shoot("api-docs")


def test_pages_stay_usable_when_the_api_is_down(dashboard: Any) -> None:
    dashboard.page.route("**/api/**", lambda route: route.abort())

    page = dashboard.open("/transactions")

    expect(page.get_by_text("The API is not answering.")).to_be_visible()
    expect(page.get_by_text("The API cannot be reached").first).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Try again").first).to_be_visible()
    page.get_by_role("link", name="Runs", exact=True).first.click()
    expect(page.get_by_role("heading", name="Detection runs")).to_be_visible()
    expect(page.get_by_role("button", name="Try again")).to_be_visible(timeout=30_000)
    dashboard.shoot("api-down")


PAGES = ("/", "/transactions", "/accounts", "/anomalies", "/runs", "/model", "/docs")


def test_every_page_at_laptop_and_phone_size(
    dashboard: Any, accounts: list[dict[str, Any]], local_stack: Any, phone: Callable[[str], Page]
) -> None:
    account_id = accounts[0].accountId
    purchase = largest_purchase(dashboard, account_id)
    flag_as_anomaly(Db.from_settings(local_stack.aws.settings), purchase)
    details = (f"/accounts/{account_id}", f"/transactions/{purchase['transactionId']}")

    for path in (*PAGES, *details):
        name = "page-" + (path.strip("/").split("/")[0] or "overview") + ("-detail" if path in details else "")
        page = dashboard.open(path)
        expect(page.locator("h1")).to_be_visible()
        expect(page.get_by_role("status", name="Loading")).to_have_count(0)
        dashboard.shoot(f"{name}-laptop")
        small = phone(path)
        expect(small.locator("h1")).to_be_visible()
        expect(small.get_by_role("status", name="Loading")).to_have_count(0)
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px phone"
        dashboard.shoot(f"{name}-phone", small)
    anomalies = dashboard.open(f"/accounts/{account_id}").locator("section", has_text="Anomalies (1)")
    expect(anomalies.get_by_role("row").filter(has_text="amount 40× this account's median")).to_have_count(1)
