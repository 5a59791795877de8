"""Signing on and out in a real browser (Debian's Chromium, tests/conftest.py's `browser`):
the real service started by its own command, the real provider of conftest.py."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.oidc.conftest import sign_on_environment
from tests.serving import running_service


@pytest.fixture(scope="module")
def service(provider: str, browser_service_environment: dict[str, str]) -> Iterator[str]:
    """`coordination serve --demo` signing on at the provider; yields its address."""
    with running_service({**browser_service_environment, **sign_on_environment(provider)}) as url:
        yield url


def test_signing_on_and_out_with_the_organisations_account(
    service: str, provider: str, browser: Browser
) -> None:
    # A context of its own, not tests/browser's `page`: the provider's pages load web fonts
    # from the internet, which a closed network refuses.
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.goto(f"{service}/logga-in")
    page.get_by_role("link", name="Logga in med organisationens konto").click()

    # The provider's own login page (any password), then back to the team page.
    page.wait_for_url(f"{provider}/**")
    page.fill('input[name="login"]', "demo")
    page.fill('input[name="password"]', "vilket-som-helst")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(f"{service}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("ärenden")
    expect(page.locator("form.logout")).to_contain_text("Samordnare")

    # Logging out here goes on to the provider's logout, which returns to the login page.
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(re.compile(re.escape(provider) + r"/session/end.*"))
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{service}/logga-in")
    expect(page.get_by_role("link", name="Logga in med organisationens konto")).to_be_visible()
    page.goto(f"{service}/")
    page.wait_for_url(re.compile(re.escape(service) + r"/logga-in.*"))
    context.close()
