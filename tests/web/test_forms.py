"""Forms that help: an error summary at the top with every problem at once, each a link to its
field; dates and times as Swedish text fields whatever the browser's language; words, not
codes, and both dates on the timeline."""

from __future__ import annotations

import re
from datetime import timedelta

from litestar import Litestar

from coordination.reminders import emails
from coordination.reminders.emails import DueItem
from coordination.shared import access
from coordination.shared.vocabulary import ReminderKind
from tests.web.support import (
    TODAY,
    case_id_from,
    client_for,
    count_cases,
    enrolled_case,
    referral,
    section,
)
from tests.web.test_case_journey import post


def summary_of(page: str) -> list[tuple[str, str]]:
    """The error summary's links: (field, message)."""
    found = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert found, "no error summary"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', found.group(1))


def test_an_empty_referral_reports_every_missing_field_at_once(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    response = referral(client, from_part="", from_caseworker="", reason="", referral_date="")
    assert response.status_code == 422
    assert [field for field, _ in summary_of(response.text)] == [
        "from_part",
        "from_caseworker",
        "reason",
        "referral_date",
    ]
    assert 'role="alert" tabindex="-1"' in response.text  # it takes the focus (samordna.js)
    assert count_cases(app) == 0


def test_every_problem_of_a_case_form_is_in_the_summary_and_beside_its_field(
    app: Litestar,
) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    page = section(client, case_id, "steg")
    # the date is wrong (the form says so) and the evidence is missing (the domain says so)
    response = post(client, f"/arenden/{case_id}/steg", page, to_level="2", step_on="2026-02-30")
    assert response.status_code == 422
    assert dict(summary_of(response.text)) == {
        "step_on": "Ange ett datum som ÅÅÅÅ-MM-DD.",
        "evidence": "Beskriv vad som visar steget.",
    }
    assert 'id="step_on-fel"' in response.text and 'value="2026-02-30"' in response.text


def test_dates_and_times_are_swedish_text_fields(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    form = client.get("/remisser/ny").text
    field = re.search(r'<input id="referral_date"[^>]*>', form)
    assert field
    assert 'type="text"' in field.group(0) and 'inputmode="numeric"' in field.group(0)
    assert 'aria-describedby="referral_date-format"' in field.group(0)
    assert "Skriv som ÅÅÅÅ-MM-DD" in form
    case_id = enrolled_case(client)
    meeting = client.get(f"/arenden/{case_id}/moten/nytt").text
    assert "Skriv som ÅÅÅÅ-MM-DD TT:MM (24-timmarsklocka)" in meeting
    assert 'type="datetime-local"' not in meeting and 'type="date"' not in meeting


def test_a_date_and_time_typed_the_swedish_way_is_read(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    form = client.get(f"/arenden/{case_id}/moten/nytt").text
    staff = re.search(r'name="invitee_ids" value="([^"]+)"', form)
    assert staff
    starts = f"{(TODAY + timedelta(days=3)).isoformat()} 14:30"
    data = {"starts_at": starts, "minutes": "60", "mode": "video", "invitee_ids": [staff.group(1)]}
    planned = post(client, f"/arenden/{case_id}/moten/nytt", form, **data)
    assert "Nätverksmötet är planerat." in planned.text
    assert starts in planned.text


def test_the_timeline_names_parts_in_words_and_says_when_things_happened(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = case_id_from(referral(client, from_part="FK"))
    timeline = section(client, case_id, "tidslinje")
    referred = (TODAY - timedelta(days=20)).isoformat()
    assert "Remiss mottagen från Försäkringskassan" in timeline
    assert f'<time datetime="{referred}">{referred}</time>' in timeline  # when it happened
    assert re.search(r"Registrerat \d{4}-\d\d-\d\d \d\d:\d\d av Samordnare, Kommun", timeline)
    assert "(KOMMUN)" not in timeline and "från FK" not in timeline


def test_the_email_names_the_settings_as_the_menu_does(app: Litestar) -> None:
    item = DueItem("c1", "K-ABCDE", ReminderKind.PLAN_REVIEW, TODAY, "")
    _, body = emails.reminder("https://samordna.example", item)
    menu = [e.label for e in access.PAGES if e.path == "/installningar"]
    assert menu == ["Inställningar"]
    assert "Under Inställningar väljer du" in body
    assert "Mina inställningar" not in client_for(app, "samordnare@test").get("/installningar").text
