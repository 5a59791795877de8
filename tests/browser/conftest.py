"""Browser tests: the real service, started by its own command, driven by Debian's Chromium.

The browser (`browser`, one for the whole run) is tests/conftest.py's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.support import BrowserProblems
from tests.serving import running_service, service_environment


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`coordination serve --demo` on a fresh SQLite file; yields its address."""
    with running_service(service_environment(tmp_path_factory.mktemp("service"))) as address:
        yield address


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
