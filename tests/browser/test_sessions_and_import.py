"""A samordnare records a session of the demo's volyminsats; an administratör tries a file on
Importera ärenden. axe-core checks each page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from coordination.cases import imports
from tests.browser.support import expect_status, log_in, serious_violations


def test_a_session_is_recorded_and_shows_among_the_latest(page: Page, service: str) -> None:
    log_in(page, service, "samordnare@demo.samordna")
    page.get_by_role("link", name="Tillfällen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tillfällen")
    assert serious_violations(page) == []
    page.get_by_role("link", name=re.compile("Informationsträffar")).click()
    expect_status(page, 422)
    page.get_by_role("button", name="Registrera tillfället").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#gender_woman-fel")).to_have_text("Ange hur många som deltog.")
    assert serious_violations(page) == []
    page.get_by_label("Kvinna").fill("9")
    page.get_by_label("Man").fill("4")
    page.get_by_role("button", name="Registrera tillfället").click()
    expect(page.get_by_text("Tillfället är registrerat.")).to_be_visible()
    expect(page.get_by_role("row").nth(1)).to_contain_text("13 (kvinna 9, man 4)")


def test_a_file_is_tried_on_importera_arenden(page: Page, service: str, tmp_path: Path) -> None:
    log_in(page, service, "admin@demo.samordna")
    page.get_by_role("link", name="Importera ärenden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importera ärenden")
    assert serious_violations(page) == []
    file = tmp_path / "ärenden.csv"
    file.write_bytes(imports.template())  # its insats "Steget vidare" is not the demo's
    expect_status(page, 422)
    page.get_by_label("Fil (CSV eller Excel)").set_input_files(file)
    page.get_by_role("button", name="Pröva filen").click()
    expect(page.locator(".error-summary")).to_contain_text("Rad 2, Insats")
    assert serious_violations(page) == []
