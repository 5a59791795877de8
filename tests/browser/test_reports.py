"""A teamledare reads the caseload, drills down to one person's cases and opens the
statistics; axe-core checks each page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.support import log_in, serious_violations


def test_caseload_drill_down_and_statistics(page: Page, service: str) -> None:
    log_in(page, service, "teamledare@demo.samordna")
    page.get_by_role("link", name="Arbetsbelastning").click()
    expect(page.get_by_role("heading", name="Arbetsbelastning")).to_be_visible()
    expect(page.locator("svg title")).to_have_count(1)
    assert serious_violations(page) == []
    page.get_by_role("link", name="Demo Samordnare", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo Samordnare")
    expect(page.get_by_role("link", name="K-").first).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Statistik").click()
    expect(page.get_by_role("heading", name="Nya, aktiva och avslutade ärenden")).to_be_visible()
    expect(page.get_by_text("<5").first).to_be_visible()
    assert serious_violations(page) == []
