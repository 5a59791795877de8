"""A samordnare opens Mina påminnelser, follows a follow-up reminder, records the follow-up
and sees the reminder gone; axe-core checks each page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.support import expect_status, log_in, serious_violations


def test_a_follow_up_reminder_is_followed_recorded_and_gone(page: Page, service: str) -> None:
    log_in(page, service, "samordnare@demo.samordna")
    page.get_by_role("link", name="Mina påminnelser").click()
    expect(page.get_by_role("heading", name="Mina påminnelser")).to_be_visible()
    assert serious_violations(page) == []
    overdue = page.locator("section", has=page.get_by_role("heading", name=re.compile("Försenade")))
    reminder = overdue.get_by_role("link", name="Uppföljning 3 månader efter avslut").first
    target = reminder.get_attribute("href")
    assert target
    reminder.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uppföljning 3 månader")
    expect_status(page, 422)  # the form comes back with what is missing
    page.get_by_role("button", name="Registrera uppföljningen").click()
    expect(page.locator("#occupation-fel")).to_have_text("Välj ett av alternativen.")
    assert serious_violations(page) == []
    page.get_by_label("Sysselsättning nu").select_option(label="Arbete utan subvention")
    page.get_by_label("Ingen offentlig försörjning (inkl. försörjd av familj)").check()
    page.get_by_role("button", name="Registrera uppföljningen").click()
    expect(page.get_by_text("Uppföljningen är registrerad.")).to_be_visible()

    page.get_by_role("link", name="Mina påminnelser").click()
    expect(page.locator(f'a[href="{target}"]')).to_have_count(0)
    assert serious_violations(page) == []
