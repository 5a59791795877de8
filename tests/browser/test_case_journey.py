"""One case from referral to closure in a real browser, by keyboard alone: every section of the
case page is reached from its task list, every save ends on a banner saying what happened, and
closing the case is confirmed first. axe-core finds nothing serious or critical on any page, no
section needs more than about two screens at 1366×768, and the browser reports no error."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, ViewportSize, expect

from coordination.shared.clock import Clock
from tests.browser.keyboard import choose, press, tab_to, tick, type_into
from tests.browser.support import expect_status, log_in, serious_violations

# The served app's clock: the browser tests drive a real server on the real time.
TODAY = Clock().today()
SCREEN = ViewportSize(width=1366, height=768)


def arrived(page: Page, heading: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    checked(page)


def checked(page: Page) -> None:
    """What every page of the walk must be: no serious finding."""
    page.wait_for_load_state()
    assert serious_violations(page) == [], page.url


def short(page: Page) -> None:
    """A section of the case page needs no more than about two screens."""
    height: int = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 2.2 * SCREEN["height"], f"{page.url} is {height} px tall"


def saved(page: Page, message: str) -> None:
    banner = page.get_by_role("status")
    expect(banner).to_contain_text(message)
    checked(page)
    if "/avsnitt/" in page.url:
        short(page)


def open_section(page: Page, title: str) -> None:
    tasks = page.get_by_role("navigation", name="Ärendets delar")
    press(page, tasks.get_by_role("link", name=title, exact=True))
    expect(tasks.get_by_role("link", name=title, exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    checked(page)
    short(page)


def test_a_case_from_referral_to_closure_by_keyboard(page: Page, service: str) -> None:
    page.set_viewport_size(SCREEN)
    loads: list[str] = []  # whole pages loaded (a section opened by htmx is not one)
    page.on("load", lambda loaded: loads.append(loaded.url))
    log_in(page, service, "samordnare@demo.samordna")

    press(page, page.get_by_role("link", name="Ny remiss"))
    arrived(page, "Registrera remiss")
    choose(page, page.get_by_label("Remitterande part"), "Kommun")
    type_into(page, page.get_by_label("Remitterande handläggare"), "Demo Remittent")
    type_into(page, page.get_by_label("Anledning till remissen"), "Demo: behöver stöd")
    press(page, page.get_by_role("button", name="Registrera remiss"))
    saved(page, "Remissen är registrerad.")
    code = re.search(r"K-[0-9A-Z]{5}", page.get_by_role("heading", level=1).inner_text())
    assert code

    press(page, page.get_by_role("button", name="Godta remissen"))
    saved(page, "Remissen är godtagen.")
    type_into(page, page.get_by_label("Namn", exact=True), "Demo Tangentbord")
    type_into(page, page.get_by_label("Personnummer (ÅÅÅÅMMDD-NNNN)"), "19800101-0019")
    choose(page, page.get_by_label("Kön"), "Man")
    tick(page, page.get_by_label("Försäkringskassan"))
    tick(page, page.get_by_label("Kommun"))
    choose(page, page.get_by_label("Utbildningsnivå"), "Gymnasium")
    choose(page, page.get_by_label("Tid i offentlig försörjning"), "1–3")
    tick(page, page.get_by_label("Försörjningsstöd"))
    choose(page, page.get_by_label("Sysselsättning vid inskrivning"), "Ingen syssel")
    choose(page, page.get_by_label("Insats", exact=True), "Demo: Steget")
    press(page, page.get_by_role("button", name="Skriv in"))
    saved(page, "Deltagaren är inskriven.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo Tangentbord")

    open_section(page, "Kartläggning")
    press(page, page.get_by_role("link", name="Gör kartläggningen"))
    arrived(page, "Kartläggning, ärende")
    type_into(page, page.get_by_label("Situation i dag"), "Demo: utan arbete i fyra år")
    press(page, page.get_by_role("button", name="Spara kartläggningen"))
    saved(page, "Kartläggningen är sparad.")

    open_section(page, "Handlingsplan")
    press(page, page.get_by_role("link", name="Gör planen med deltagaren"))
    arrived(page, "Samordnad handlingsplan")
    type_into(page, page.get_by_label("Mål på kort sikt"), "Demo: praktik två dagar i veckan")
    first = page.get_by_role("group", name="Aktivitet 1")
    type_into(page, first.get_by_label("Vad"), "Demo: besöka arbetsmarknadsenheten")
    choose(page, first.get_by_label("Part"), "Kommun")
    choose(page, first.get_by_label("Ansvarig"), "Demo Handläggare Arbetsmarknad")
    type_into(page, first.get_by_label("Klart senast"), (TODAY + timedelta(days=21)).isoformat())
    agreed = page.get_by_role("group", name="Vilka kom överens om planen")
    tick(page, agreed.get_by_role("checkbox").first)
    tick(page, page.get_by_label("Deltagaren är med på planen"))
    press(page, page.get_by_role("button", name="Spara planen"))
    saved(page, "Handlingsplanen är sparad.")

    open_section(page, "Nätverksmöten")
    press(page, page.get_by_role("link", name="Planera ett nätverksmöte"))
    arrived(page, "Planera nätverksmöte")
    type_into(page, page.get_by_label("Datum och tid"), f"{TODAY.isoformat()} 23:00")
    type_into(page, page.get_by_label("Plats (vid möte på plats)"), "Demo: rum 3")
    press(page, page.get_by_role("button", name="Planera mötet"))
    saved(page, "Nätverksmötet är planerat.")

    open_section(page, "Steg mot arbete")
    choose(page, page.get_by_label("Ny nivå"), "2")
    type_into(page, page.get_by_label("Vad visar steget"), "Demo: kartläggning klar")
    press(page, page.get_by_role("button", name="Registrera steget"))
    saved(page, "Steget är registrerat.")

    open_section(page, "Ansvar och överlämningar")

    open_section(page, "Avslut och uppföljning")
    press(page, page.get_by_role("link", name="Avsluta ärendet"))
    arrived(page, "Avsluta ärende")
    choose(page, page.get_by_label("Orsak"), "Arbete")
    choose(page, page.get_by_label("Sysselsättning vid avslut"), "Arbete utan subvention")
    tick(page, page.get_by_label("Ingen offentlig försörjning (inkl. försörjd av familj)"))
    expect_status(page, 422)  # the form comes back with what is missing
    press(page, page.get_by_role("button", name="Avsluta ärendet"))
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()  # the error summary takes the focus, and links the field
    expect(
        summary.get_by_role("link", name=re.compile("eller kryssa i att det inte"))
    ).to_have_attribute("href", "#next_step")
    checked(page)
    type_into(page, page.get_by_label("Nästa steg efter teamet (vem tar över, vad händer)"), "Demo")
    press(page, page.get_by_role("button", name="Avsluta ärendet"))

    expect(page.get_by_role("heading", name="Avsluta ärendet?")).to_be_visible()
    checked(page)
    press(page, page.get_by_role("button", name="Ja, avsluta ärendet"))
    saved(page, "Ärendet är avslutat.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avslutad")

    open_section(page, "Tidslinje")
    timeline = page.locator("ol.timeline")
    for fact in (
        "Ärendet avslutades",
        "Steg registrerat",
        "Nätverksmöte planerat",
        "Handlingsplanen gjordes",
        "Kartläggning registrerad",
        "Deltagaren skrevs in",
    ):
        expect(timeline.get_by_text(fact).first).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Hoppa till innehållet"))
    print(f"\n{len(loads)} page loads from login to the timeline of a closed case")
