"""Browser fixtures for the dashboard's end-to-end tests.

Playwright drives Debian's Chromium by its path (`make test` installs it; no browser is ever downloaded)
against the local stack from `tests/conftest.py`, which serves the dashboard's build (`make web`) at `/`.
Each test gets a fresh page at laptop size; `shoot(name)` saves a screenshot under SCREENSHOTS.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from demo_data import seed_demo_data
from playwright.sync_api import BrowserContext, Page, Playwright, ViewportSize, expect, sync_playwright

from isoflow.local.site import DEFAULT_BUILD
from isoflow.store.db import Db
from isoflow.store.records import Account

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Every API call goes through the in-process local stack, on a machine other tests share: allow it time.
expect.set_options(timeout=15_000)

LAPTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One browser per worker: the dashboard's tests run together.
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"Dashboard screenshots: {SCREENSHOTS}")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium package"
    assert (DEFAULT_BUILD / "index.html").is_file(), f"no dashboard build in {DEFAULT_BUILD}: run `make web`"
    with sync_playwright() as driver:
        yield driver


def launch(playwright: Playwright, viewport: ViewportSize) -> BrowserContext:
    """Chromium with a fresh profile (a new user data directory) for each context."""
    return playwright.chromium.launch_persistent_context(
        tempfile.mkdtemp(prefix="isoflow-chromium-"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport=viewport,
    )


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[BrowserContext]:
    context = launch(playwright, LAPTOP)
    yield context
    context.close()


@dataclass
class Dashboard:
    """One browser page on the dashboard of one local stack."""

    page: Page
    url: str
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        self.page.goto(self.url + path)
        return self.page

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{self.url}/api{path}", timeout=30, **kwargs)

    def shoot(self, name: str, page: Page | None = None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (page or self.page).screenshot(path=str(path), full_page=True)
        return path


def open_dashboard(browser: BrowserContext, url: str, request: pytest.FixtureRequest) -> Iterator[Dashboard]:
    page = browser.new_page()
    page.set_default_timeout(15_000)
    board = Dashboard(page, url)
    # An uncaught exception in the app is a failure whatever the test looks at.
    page.on("pageerror", lambda error: board.errors.append(str(error)))
    yield board
    if request.node.stash.get(FAILED, False):
        board.shoot(f"failed-{request.node.name}")
    page.close()
    assert not board.errors, f"the dashboard threw: {board.errors}"


@pytest.fixture
def dashboard(browser: BrowserContext, local_stack: Any, request: pytest.FixtureRequest) -> Iterator[Dashboard]:
    yield from open_dashboard(browser, local_stack.url, request)


@pytest.fixture
def signed_out_dashboard(
    browser: BrowserContext, local_stack_auth: Any, request: pytest.FixtureRequest
) -> Iterator[Dashboard]:
    """A new page on the local stack with sign-in: tokens live in a page's memory, so it starts signed out."""
    yield from open_dashboard(browser, local_stack_auth.url, request)


@pytest.fixture
def phone(playwright: Playwright, local_stack: Any) -> Iterator[Callable[[str], Page]]:
    """Opens a path at phone size, in its own browser context."""
    context = launch(playwright, PHONE)

    def open_(path: str) -> Page:
        page = context.new_page()
        page.goto(local_stack.url + path)
        return page

    yield open_
    context.close()


@pytest.fixture
def accounts(local_stack: Any) -> list[Account]:
    """Ada Lovelace (GB), Grace Hopper (US) and Hedy Lamarr GmbH (AT), each with a month of history and one
    unusual purchase (tests/e2e/demo_data.py)."""
    return seed_demo_data(Db.from_settings(local_stack.aws.settings))
