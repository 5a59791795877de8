"""One case from enrolment through assessment, plan, a meeting that changes the plan, two
steps and closure, in a real browser; the timeline and the printout are checked, and axe-core
finds no serious or critical violation on any page visited."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from coordination.shared.clock import Clock
from tests.browser.support import enrol_new_case, expect_status, log_in, serious_violations

# The served app's clock: the browser tests drive a real server on the real time.
TODAY = Clock().today()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def test_a_case_from_enrolment_to_closure(page: Page, service: str) -> None:
    log_in(page, service, "samordnare@demo.samordna")
    code = enrol_new_case(page, service, "Demo Resenär")
    case_url = page.url
    accessible(page)

    page.get_by_role("link", name="Gör kartläggningen").click()
    accessible(page)
    page.get_by_label("Situation i dag").fill("Demo: har varit utan arbete i fyra år")
    page.get_by_label("Deltagarens egna ord").fill("Jag vill börja med något litet")
    page.get_by_role("button", name="Spara kartläggningen").click()
    expect(page.get_by_text("Kartläggning registrerad")).to_be_visible()

    page.get_by_role("link", name="Gör planen med deltagaren").click()
    page.get_by_label("Mål på kort sikt").fill("Demo: praktik två dagar i veckan")
    first = page.get_by_role("group", name="Aktivitet 1")
    first.get_by_label("Vad").fill("Demo: besöka arbetsmarknadsenheten")
    first.get_by_label("Part").select_option(label="Kommun")
    first.get_by_label("Ansvarig").select_option(index=1)
    first.get_by_label("Klart senast").fill((TODAY + timedelta(days=21)).isoformat())
    page.get_by_role("group", name="Vilka kom överens om planen").get_by_role(
        "checkbox"
    ).first.check()
    page.get_by_label("Deltagaren är med på planen").check()
    accessible(page)
    page.get_by_role("button", name="Spara planen").click()
    expect(page.get_by_text("Version 1, överenskommen")).to_be_visible()

    page.get_by_role("link", name="Planera ett nätverksmöte").click()
    page.get_by_label("Datum och tid").fill(f"{TODAY.isoformat()}T23:00")
    page.get_by_label("Plats (vid möte på plats)").fill("Demo: rum 3")
    page.get_by_role("group", name="Inbjudna från parterna").get_by_role("checkbox").first.check()
    accessible(page)
    page.get_by_role("button", name="Planera mötet").click()
    page.get_by_role("link", name=f"{TODAY.isoformat()} 23:00").click()
    accessible(page)
    page.get_by_role("group", name="Närvarande parter").get_by_label("Kommun").check()
    page.get_by_label("Deltagaren var med").check()
    page.get_by_label("Beslut", exact=True).fill("Demo: praktikplats ska ordnas")
    new = page.get_by_role("group", name="Ny aktivitet i planen (frivilligt)")
    new.get_by_label("Vad").fill("Demo: ordna praktikplats")
    new.get_by_label("Part").select_option(label="Försäkringskassan")
    new.get_by_label("Ansvarig").select_option(index=1)
    new.get_by_label("Klart senast").fill((TODAY + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Registrera mötet").click()
    expect(page.get_by_text("Handlingsplanen ändrades: version 2")).to_be_visible()

    for level, evidence in (("2", "Demo: kartläggning klar"), ("3", "Demo: praktik påbörjad")):
        page.get_by_label("Ny nivå").select_option(level)
        page.get_by_label("Vad visar steget").fill(evidence)
        page.get_by_role("button", name="Registrera steget").click()
        expect(page.get_by_text(evidence)).to_be_visible()
    expect(page.get_by_text("nivå 2 till 3")).to_be_visible()
    expect(page.locator("svg polyline")).to_have_count(1)
    accessible(page)

    page.get_by_role("link", name="Utskrift för deltagaren").click()
    expect(page.get_by_role("heading", name="Din plan")).to_be_visible()
    expect(page.get_by_text("Demo: praktik två dagar i veckan")).to_be_visible()
    expect(page.get_by_text("Demo: ordna praktikplats")).to_be_visible()
    accessible(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation")).to_be_hidden()
    page.emulate_media(media="screen")

    page.goto(case_url)
    page.get_by_role("link", name="Avsluta ärendet").click()
    page.get_by_label("Orsak").select_option(label="Arbete")
    page.get_by_label("Sysselsättning vid avslut").select_option(label="Arbete utan subvention")
    page.get_by_label("Ingen offentlig försörjning (inkl. försörjd av familj)").check()
    expect_status(page, 422)  # the form comes back with what is missing
    page.get_by_role("button", name="Avsluta ärendet").click()
    expect(page.get_by_text("eller kryssa i att det inte finns något nästa steg")).to_be_visible()
    accessible(page)
    page.get_by_label("Nästa steg efter teamet (vem tar över, vad händer)").fill("Demo: efterstöd")
    page.get_by_role("button", name="Avsluta ärendet").click()

    timeline = page.locator("ol.timeline")
    for fact in (
        "Ärendet avslutades",
        "Steg registrerat",
        "Nätverksmöte hölls",
        "Handlingsplanen gjordes",
        "Kartläggning registrerad",
        "Deltagaren skrevs in",
    ):
        expect(timeline.get_by_text(fact).first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avslutad")
    accessible(page)
