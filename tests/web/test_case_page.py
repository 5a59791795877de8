"""The case page as a summary, a task list and one section at a time: each section at its own
address, a banner after a save, and a confirmation before what cannot be undone."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from litestar import Litestar

from coordination.cases.web.sections import SECTIONS
from tests.web.support import (
    TODAY,
    accepted_case,
    case_id_from,
    client_for,
    enrolled_case,
    referral,
    section,
)
from tests.web.test_case_journey import meeting_path, post, schedule


def current_section(page: str) -> str:
    found = re.search(r'href="/arenden/[^/]+/avsnitt/([a-z]+)" aria-current="page"', page)
    assert found, "no section is marked as the current one"
    return found.group(1)


def test_the_page_opens_on_what_is_next_and_every_section_has_its_own_address(
    app: Litestar,
) -> None:
    client = client_for(app, "samordnare@test")
    case_id = case_id_from(referral(client))
    page = client.get(f"/arenden/{case_id}").text
    assert current_section(page) == "deltagare"
    assert "Bedöm remissen" in page  # the task list says what is to do
    assert 'action="/arenden/' + case_id + '/godta"' in page

    case_id = enrolled_case(client)
    page = client.get(f"/arenden/{case_id}").text
    assert current_section(page) == "kartlaggning"  # enrolled: the assessment comes next
    assert "Testa Deltagarsson" in page  # whose case it is, in the summary
    assert "Ansvarig samordnare" in page and "Försäkringskassan" in page  # consent, in words
    for shown in SECTIONS:
        body = section(client, case_id, shown.slug)
        assert current_section(body) == shown.slug
        assert f"<title>{shown.title} – ärende" in body
    assert client.get(f"/arenden/{case_id}/avsnitt/okant").status_code == 404


def test_a_section_asked_for_by_htmx_comes_without_the_page_around_it(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    partial = client.get(f"/arenden/{case_id}/avsnitt/steg", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text and 'id="arende-innehall"' in partial.text
    assert "Registrera ett steg" in partial.text


def test_after_a_save_the_section_says_what_happened(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    page = section(client, case_id, "steg")
    saved = post(
        client,
        f"/arenden/{case_id}/steg",
        page,
        to_level="2",
        step_on=TODAY.isoformat(),
        evidence="Praktik",
    )
    assert saved.url.path == f"/arenden/{case_id}/avsnitt/steg"
    assert 'class="banner" role="status"' in saved.text
    assert "Steget är registrerat." in saved.text
    assert "banner" not in section(client, case_id, "steg")  # said once, not on every visit


def test_declining_a_referral_is_confirmed_first_and_cancelling_goes_back(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = case_id_from(referral(client))
    page = section(client, case_id, "deltagare")
    decline = {"decline_reason": "Annat stöd passar", "declined_on": TODAY.isoformat()}
    asked = post(client, f"/arenden/{case_id}/avboj", page, **decline)
    assert asked.status_code == 200
    assert "Avböja remissen?" in asked.text
    assert "Deltagaren skrivs inte in." in asked.text
    assert 'value="Annat stöd passar"' in asked.text  # what the user wrote goes along
    assert f'href="/arenden/{case_id}/avsnitt/deltagare">Nej, gå tillbaka' in asked.text
    assert "Bedöm remissen" in section(client, case_id, "deltagare")  # nothing happened yet
    done = post(client, f"/arenden/{case_id}/avboj", page, **decline, bekraftat="ja")
    assert "Remissen är avböjd." in done.text
    assert "Avböjd remiss" in done.text


def test_a_confirmation_with_bad_input_shows_the_messages_instead(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = case_id_from(referral(client))
    page = section(client, case_id, "deltagare")
    wrong = post(client, f"/arenden/{case_id}/avboj", page, decline_reason="", declined_on="x")
    assert wrong.status_code == 422
    assert "Avböja remissen?" not in wrong.text


def test_withdrawing_consent_says_what_it_means_for_each_part(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)  # consent for FK and KOMMUN
    page = section(client, case_id, "deltagare")
    assert 'class="danger">Återkalla samtycket' in page  # a warning button
    asked = post(client, f"/arenden/{case_id}/samtycke/aterkalla", page, withdraw_reason="")
    assert "Försäkringskassan, Kommun slutar se dem" in asked.text
    assert "bara teamets samordnare" in asked.text


def test_cancelling_a_meeting_is_confirmed_first(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    schedule(client, case_id, datetime.combine(TODAY + timedelta(days=2), time(10)))
    path = meeting_path(app, case_id)
    form = client.get(path).text
    asked = post(client, path + "/installt", form, cancel_reason="Sjukdom")
    assert "Ställa in nätverksmötet?" in asked.text
    assert "Planerat" in section(client, case_id, "moten")
    done = post(client, path + "/installt", form, cancel_reason="Sjukdom", bekraftat="ja")
    assert "Nätverksmötet är inställt." in done.text
    assert "Inställt" in done.text


def test_the_summary_says_what_is_due_next_and_for_whom(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = accepted_case(client)
    assert "Skriv in deltagaren" in client.get(f"/arenden/{case_id}").text
    case_id = enrolled_case(client)
    summary = client.get(f"/arenden/{case_id}").text.split('id="arende-innehall"')[0]
    # the reminder that comes first: what, when, and for whom
    assert re.search(r"<dt>Nästa</dt><dd><span>[^<]+ [0-9-]{10}</span>, för Samordnare", summary)
