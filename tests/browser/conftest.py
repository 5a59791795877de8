"""Browser tests: the real service, started by its own command, driven by Debian's Chromium.

Chromium is looked for at SAMORDNA_TEST_CHROMIUM or /usr/bin/chromium (`apt install chromium`).
Without it these tests skip, except under CI, where a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.support import BrowserProblems
from tests.serving import running_service, service_environment

CHROMIUM = os.environ.get("SAMORDNA_TEST_CHROMIUM", "/usr/bin/chromium")
# As root in a container, and on a closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`coordination serve --demo` on a fresh SQLite file; yields its address."""
    with running_service(service_environment(tmp_path_factory.mktemp("service"))) as address:
        yield address


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: apt install chromium, or set SAMORDNA_TEST_CHROMIUM"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that fails its test on any console error, script error, failed request
    or error response the test did not declare with `expect_status`."""
    context = browser.new_context(locale="sv-SE")
    opened = context.new_page()
    problems = BrowserProblems(opened)
    yield opened
    context.close()
    assert problems.found == [], "the browser reported problems"
