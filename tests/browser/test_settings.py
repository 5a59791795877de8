"""A handläggare makes an access token and a calendar address on Inställningar (the forms
swap their section with htmx), sees a wrong date refused beside its field, revokes the
token; axe-core checks the page in each state."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.support import expect_status, log_in, serious_violations


def test_a_token_is_made_shown_once_and_revoked(page: Page, service: str) -> None:
    log_in(page, service, "af@demo.samordna")
    page.get_by_role("link", name="Inställningar").click()
    expect(page.get_by_role("heading", name="Åtkomsttokens för API:t")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_label("Namn, till exempel vad den används till").fill("Veckorapport")
    page.get_by_label("Läsa och ändra").check()
    too_late = date.today() + timedelta(days=800)
    page.get_by_label("Gäller till och med").fill(too_late.isoformat())
    expect_status(page, 422)
    page.get_by_role("button", name="Skapa token").click()
    expect(page.locator("#expires_on-fel")).to_contain_text("En token får gälla högst ett år")
    expect(page.get_by_label("Namn, till exempel vad den används till")).to_have_value(
        "Veckorapport"
    )
    assert serious_violations(page) == []

    page.get_by_label("Gäller till och med").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Skapa token").click()
    token = page.get_by_label("Din nya åtkomsttoken")
    expect(token).to_have_value(re.compile("^samordna_"))
    expect(page.get_by_text("Kopiera den nu")).to_be_visible()
    expect(page.get_by_role("cell", name="Aldrig använd")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_role("button", name="Återkalla token «Veckorapport»").click()
    expect(page.get_by_text("Token «Veckorapport» är återkallad")).to_be_visible()
    expect(page.get_by_label("Din nya åtkomsttoken")).to_have_count(0)

    page.get_by_role("button", name="Prenumerera på mina möten").click()
    expect(page.get_by_label("Adress att prenumerera på")).to_have_value(
        re.compile(r"/kalender/[\w-]+\.ics$")
    )
    assert serious_violations(page) == []
