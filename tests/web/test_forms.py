"""Forms that help: an error summary at the top with every problem at once, each a link to its
field; dates and times as Swedish text fields whatever the browser's language; words, not
codes, and both dates on the timeline."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from litestar import Litestar

from coordination.cases.tables import cases
from coordination.reminders import emails
from coordination.reminders.emails import DueItem
from coordination.shared import access
from coordination.shared.vocabulary import ReminderKind
from tests.web.support import (
    TODAY,
    accepted_case,
    case_id_from,
    client_for,
    count_cases,
    enrol,
    enrolled_case,
    neighbour_with_an_insats,
    referral,
    section,
    staff_of_part,
)
from tests.web.test_case_journey import (
    agreed_plan,
    meeting_path,
    plan_data,
    post,
    schedule,
)


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


def test_the_plan_form_adds_and_removes_rows_and_carries_the_agreement_over(
    app: Litestar,
) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    agreed_plan(client, case_id)
    form = client.get(f"/arenden/{case_id}/plan").text
    assert re.search(r'name="participant_agreed" value="on" checked', form)  # carried over
    assert re.search(r'id="review_on"[^>]*value="\d{4}-\d\d-\d\d"', form)
    rows = set(re.findall(r'name="activities\.(\d+)\.what"', form))
    assert rows == {"0", "1"}  # the activity, and one blank row
    # without JavaScript: "add" sends the form, which comes back with the input and one row more
    sent = plan_data(form, goals_short="Nytt mål")
    more = post(client, f"/arenden/{case_id}/plan", form, **sent, lagg_till_rad="on")
    assert more.status_code == 200 and "Nytt mål</textarea>" in more.text
    assert set(re.findall(r'name="activities\.(\d+)\.what"', more.text)) == {"0", "1", "2"}
    fewer = post(client, f"/arenden/{case_id}/plan", form, **sent, ta_bort_rad="0")
    assert set(re.findall(r'name="activities\.(\d+)\.what"', fewer.text)) == {"1"}
    # with htmx: one more row comes in place of the button, and the button after it
    row = client.get(f"/arenden/{case_id}/plan/rad/5", headers={"HX-Request": "true"})
    assert 'name="activities.5.what"' in row.text and "/plan/rad/6" in row.text


def test_the_responsible_person_is_one_of_the_chosen_parts_staff(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)  # consent for FK and KOMMUN
    form = client.get(f"/arenden/{case_id}/plan").text
    assert '<optgroup label="Försäkringskassan">' in form and '<optgroup label="Kommun">' in form
    choice = client.get(
        f"/arenden/{case_id}/plan/ansvarig",
        params={"rad": "activities.0", "activities.0.part": "FK"},
        headers={"HX-Request": "true"},
    ).text
    assert '<optgroup label="Försäkringskassan">' in choice and "Kommun" not in choice
    kommun = staff_of_part(form, "activities.0.responsible_id", "Kommun")
    data = plan_data(form, **{"activities.0.part": "FK", "activities.0.responsible_id": kommun})
    wrong = post(client, f"/arenden/{case_id}/plan", form, **data)
    assert wrong.status_code == 422
    assert "Välj någon som arbetar på Försäkringskassan." in wrong.text


def test_a_plan_agreed_again_unchanged_needs_no_reason(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    agreed_plan(client, case_id)
    form = client.get(f"/arenden/{case_id}/plan").text
    kept = re.search(r'name="activities.0.id" value="([^"]+)"', form)
    assert kept
    same = plan_data(form, review_on="", **{"activities.0.id": kept.group(1)})
    again = post(client, f"/arenden/{case_id}/plan", form, **same)
    assert "Handlingsplanen är sparad." in again.text


def test_enrolment_asks_for_kon_and_takes_the_age_group_from_the_personnummer(
    app: Litestar,
) -> None:
    client = client_for(app, "samordnare@test")
    case_id = accepted_case(client)
    page = section(client, case_id, "deltagare")
    assert re.search(r'<select id="gender"[^>]*><option value="">Välj</option>', page)
    missing = enrol(client, case_id, page, gender="")
    assert missing.status_code == 422 and "Välj ett av alternativen." in missing.text
    enrolled = enrol(client, case_id, page, personnummer="19970315-0012", age_group="60-64")
    assert enrolled.status_code == 200
    with app.state.services.engine.connect() as conn:
        group = conn.execute(
            sa.select(cases.c.age_group).where(cases.c.case_id == case_id)
        ).scalar_one()
    assert group == "16-29"  # from the personnummer, not the choice


def test_enrolment_asks_for_occupation_and_leaves_uppgift_saknas_to_closure(
    app: Litestar,
) -> None:
    client = client_for(app, "samordnare@test")
    case_id = accepted_case(client)
    page = section(client, case_id, "deltagare")
    assert re.search(r'<select id="occupation"[^>]*><option value="">Välj</option>', page)
    assert 'value="unknown"' not in page.split('id="support_sources"')[1].split("</fieldset>")[0]
    missing = enrol(client, case_id, page, occupation="", name="Behåll Mig")
    assert missing.status_code == 422
    assert "Välj sysselsättning vid inskrivning." in missing.text
    assert 'value="Behåll Mig"' in missing.text  # the input is kept
    enrolled = enrol(client, case_id, page, occupation="studies")
    assert enrolled.status_code == 200
    with app.state.services.engine.connect() as conn:
        occupation = conn.execute(
            sa.select(cases.c.occupation_at_enrolment).where(cases.c.case_id == case_id)
        ).scalar_one()
    assert occupation == "studies"
    closure = client.get(f"/arenden/{case_id}/avslut").text
    assert "Uppgift saknas" in closure.split('id="support_sources"')[1].split("</fieldset>")[0]


def test_a_personnummer_on_an_open_case_warns_and_needs_a_reason_to_enrol_again(
    app: Litestar,
) -> None:
    client = client_for(app, "samordnare@test")
    first = enrolled_case(client)
    code = re.search(r"K-[0-9A-Z]{5}", client.get(f"/arenden/{first}").text)
    assert code
    second = accepted_case(client)
    page = section(client, second, "deltagare")
    warned = enrol(client, second, page, name="Samma Person")
    assert warned.status_code == 422
    assert "Personnumret finns redan i ett pågående ärende" in warned.text
    assert f'<a href="/arenden/{first}">{code.group(0)}</a>' in warned.text
    assert 'value="Samma Person"' in warned.text
    again = enrol(
        client, second, page, duplicate_reason="Två insatser samtidigt, beslutat i teamet"
    )
    assert again.status_code == 200 and "Deltagaren är inskriven." in again.text

    # in another team of the förbund the case is not named
    neighbour = neighbour_with_an_insats(app)
    theirs = accepted_case(neighbour)
    warned = enrol(neighbour, theirs, section(neighbour, theirs, "deltagare"))
    assert "ett ärende i ett annat team" in warned.text and code.group(0) not in warned.text


def test_the_step_form_starts_at_the_current_level_and_status_at_unchanged(
    app: Litestar,
) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    page = section(client, case_id, "steg")
    step = {"to_level": "3", "step_on": TODAY.isoformat(), "evidence": "Praktik"}
    page = post(client, f"/arenden/{case_id}/steg", page, **step).text
    assert '<option value="3" selected>' in page
    agreed_plan(client, case_id)
    plan = section(client, case_id, "handlingsplan")
    assert re.search(r'name="status"><option value="">Oförändrad</option>', plan)
    action = re.search(r'action="(/arenden/[^"]+/aktiviteter/[^"]+)"', plan)
    assert action
    unchanged = post(client, action.group(1), plan, status="")
    assert "Välj den nya statusen." in unchanged.text
    assert '<label for="reason-' in plan and "Skäl om den avbryts</label>" in plan


def test_a_meeting_ahead_says_when_it_can_be_recorded(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    starts = datetime.combine(TODAY + timedelta(days=3), time(10))
    schedule(client, case_id, starts)
    page = client.get(meeting_path(app, case_id)).text
    assert f"Mötet kan registreras från och med {starts.date()}" in page
    assert "/hallet" not in page
