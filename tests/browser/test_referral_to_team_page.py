"""A samordnare registers a referral, accepts it, enrols the participant and finds the case
on the team page, in a real browser against the running service; axe-core checks each page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.support import expect_status, log_in, serious_violations


def test_referral_to_enrolment_in_the_browser(page: Page, service: str) -> None:
    log_in(page, service, "samordnare@demo.samordna")
    expect(page.get_by_role("heading", name="Teamets ärenden")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Ny remiss").click()
    page.get_by_label("Remitterande part").select_option(label="Försäkringskassan")
    page.get_by_label("Remitterande handläggare").fill("Demo Remittent")
    expect_status(page, 422)  # the forms come back with what is wrong, twice in this test
    page.get_by_role("button", name="Registrera remiss").click()
    expect(page.locator("#reason-fel")).to_have_text("Ange anledningen till remissen.")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_label("Remitterande handläggare")).to_have_value("Demo Remittent")
    assert serious_violations(page) == []
    page.get_by_label("Anledning till remissen").fill("Demo: långvarig sjukskrivning")
    page.get_by_role("button", name="Registrera remiss").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Remiss")
    code = re.search(r"K-[0-9A-Z]{5}", heading.inner_text())
    assert code
    assert serious_violations(page) == []
    page.get_by_role("button", name="Godta remissen").click()

    page.get_by_label("Namn", exact=True).fill("Demo Webbdeltagare")
    page.get_by_label("Personnummer (ÅÅÅÅMMDD-NNNN)").fill("19800101-0018")
    page.get_by_label("Försäkringskassan").check()
    page.get_by_label("Kommun").check()
    page.get_by_label("Kön").select_option(label="Man")
    page.get_by_label("Utbildningsnivå").select_option(label="Gymnasium")
    page.get_by_label("Försörjningsstöd").check()
    page.get_by_label("Tid i offentlig försörjning").select_option(label="3–6 år")
    page.get_by_label("Sysselsättning vid inskrivning").select_option(label="Studier")
    page.get_by_label("Insats", exact=True).select_option(index=1)
    assert serious_violations(page) == []
    page.get_by_role("button", name="Skriv in").click()
    expect(page.locator("#personnummer-fel")).to_contain_text("Personnumret är inte giltigt")
    expect(page.get_by_label("Namn", exact=True)).to_have_value("Demo Webbdeltagare")
    assert serious_violations(page) == []
    page.get_by_label("Personnummer (ÅÅÅÅMMDD-NNNN)").fill("19800101-0019")
    page.get_by_role("button", name="Skriv in").click()
    expect(page.get_by_text("Deltagaren är inskriven.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo Webbdeltagare")

    page.get_by_role("link", name="Teamets ärenden").click()
    page.wait_for_load_state()  # htmx set up: the filter's change asks for the list
    page.get_by_label("Skede").select_option(label="Inskriven")
    page.wait_for_url(re.compile(r"stage=enrolled"))
    page.get_by_label("Ärendekod").fill(code.group(0))  # among the demo's years of cases
    page.get_by_label("Ärendekod").press("Enter")
    page.wait_for_url(re.compile(rf"code={code.group(0)}"))
    listing = page.locator("#arendelista")
    expect(listing.get_by_role("heading", name=re.compile("Inskriven"))).to_be_visible()
    expect(listing.get_by_role("heading", name=re.compile("Remiss"))).to_have_count(0)
    row = listing.get_by_role("row").filter(has_text=code.group(0))
    expect(row).to_contain_text("Kartläggning och handlingsplan")
    assert serious_violations(page) == []


def test_a_stage_closed_stays_closed_when_the_list_is_drawn_again(page: Page, service: str) -> None:
    log_in(page, service, "samordnare@demo.samordna")
    page.wait_for_load_state()
    ongoing = page.locator("details[data-remember='skede-ongoing']")
    expect(ongoing).to_have_attribute("open", "")
    ongoing.locator("summary").click()
    expect(ongoing).not_to_have_attribute("open", "")
    page.reload()
    page.wait_for_load_state()
    expect(ongoing).not_to_have_attribute("open", "")
    page.get_by_label("Part", exact=True).select_option(label="Kommun")  # htmx draws the list
    page.wait_for_url(re.compile(r"part=KOMMUN"))
    expect(ongoing).not_to_have_attribute("open", "")
    expect(page.locator("details[data-remember='skede-planning']")).to_have_attribute("open", "")
