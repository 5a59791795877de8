"""The journey from enrolment to closure through HTTP: each form, its bad input kept with a
message beside the field and nothing stored, and a concurrent edit."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from icalendar import Calendar
from litestar import Litestar
from litestar.testing import TestClient

from coordination.cases.tables import case_meetings, case_plans
from coordination.shared.clock import TEAM_TIMEZONE
from tests.web.support import (
    TODAY,
    WALL_CLOCK,
    client_for,
    csrf,
    enrolled_case,
    option_value,
    section,
    staff_of_part,
    version_of,
)


def post(client: TestClient[Any], path: str, page: str, **data: Any) -> Any:
    """Post a form from `page` (the version the user saw) to `path`."""
    return client.post(path, data={"version": version_of(page), **data, **csrf(client)})


def plan_data(page: str, **overrides: Any) -> dict[str, Any]:
    staff = staff_of_part(page, "activities.0.responsible_id", "Kommun")
    return {
        "goals_short": "Praktik två dagar i veckan",
        "goals_long": "Arbete inom handeln",
        "participant_words": "Jag vill jobba med människor",
        "activities.0.what": "Söka praktikplats",
        "activities.0.part": "KOMMUN",
        "activities.0.responsible_id": staff,
        "activities.0.start_on": TODAY.isoformat(),
        "activities.0.due_on": (TODAY + timedelta(days=30)).isoformat(),
        "activities.1.what": "",
        "agreed_by": [staff],
        "participant_agreed": "on",
        "agreed_on": TODAY.isoformat(),
        "review_on": "",
        **overrides,
    }


def stored_plans(app: Litestar) -> int:
    with app.state.services.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(case_plans)).scalar_one())


def agreed_plan(client: TestClient[Any], case_id: str) -> None:
    form = client.get(f"/arenden/{case_id}/plan").text
    response = post(client, f"/arenden/{case_id}/plan", form, **plan_data(form))
    assert response.status_code == 200, response.text


def test_assessment_versions_stay_readable(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    form = client.get(f"/arenden/{case_id}/kartlaggning").text
    bad = post(
        client,
        f"/arenden/{case_id}/kartlaggning",
        form,
        recorded_on=(TODAY + timedelta(days=3)).isoformat(),
        obstacles="Oro",
    )
    assert bad.status_code == 422
    assert "Datumet kan inte ligga i framtiden." in bad.text
    assert "Oro</textarea>" in bad.text
    post(
        client,
        f"/arenden/{case_id}/kartlaggning",
        form,
        recorded_on=TODAY.isoformat(),
        obstacles="Oro",
    )
    form = client.get(f"/arenden/{case_id}/kartlaggning").text
    assert "Oro</textarea>" in form  # the form starts from the latest version
    post(
        client,
        f"/arenden/{case_id}/kartlaggning",
        form,
        recorded_on=TODAY.isoformat(),
        obstacles="Mindre oro",
    )
    page = client.get(f"/arenden/{case_id}/kartlaggning").text
    assert "<dd>Oro</dd>" in page and "<dd>Mindre oro</dd>" in page
    assert "Planering" in client.get(f"/arenden/{case_id}").text


def test_a_plan_with_bad_input_is_kept_and_not_stored(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    form = client.get(f"/arenden/{case_id}/plan").text
    data = plan_data(
        form,
        **{
            "activities.0.part": "AF",  # not covered by the consent (FK, KOMMUN)
            "activities.0.due_on": (TODAY - timedelta(days=5)).isoformat(),
            "participant_agreed": "",
        },
    )
    response = post(client, f"/arenden/{case_id}/plan", form, **data)
    assert response.status_code == 422
    assert "Samtycket omfattar inte Arbetsförmedlingen" in response.text
    assert "Slutdatumet kan inte vara före startdatumet." in response.text
    assert "ange att deltagaren är med på den" in response.text
    assert 'value="Söka praktikplats"' in response.text
    assert stored_plans(app) == 0


def test_plan_versions_show_what_changed_and_the_printout_has_no_staff_notes(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    form = client.get(f"/arenden/{case_id}/plan").text
    post(client, f"/arenden/{case_id}/plan", form, **plan_data(form, staff_notes="Intern notering"))
    page = section(client, case_id, "handlingsplan")
    assert "Version 1" in page
    review = (TODAY + timedelta(days=92)).isoformat()[:7]
    assert f"Följs upp {review}" in page  # three months after agreement by default
    form = client.get(f"/arenden/{case_id}/plan").text
    changed = plan_data(form, goals_short="Praktik tre dagar")
    unexplained = post(client, f"/arenden/{case_id}/plan", form, **changed)
    assert unexplained.status_code == 422  # a change needs its reason
    assert "Ange varför planen ändras." in unexplained.text
    revised = plan_data(form, reason="Praktiken blev av", goals_short="Praktik tre dagar")
    fk_staff = staff_of_part(form, "activities.0.responsible_id", "Försäkringskassan")
    revised.update(
        {
            "activities.1.what": "Studiebesök",
            "activities.1.part": "FK",
            "activities.1.responsible_id": fk_staff,
            "activities.1.start_on": TODAY.isoformat(),
            "activities.1.due_on": TODAY.isoformat(),
        }
    )
    revised["activities.0.id"] = re.search(r'name="activities.0.id" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    assert post(client, f"/arenden/{case_id}/plan", form, **revised).status_code == 200
    changes = client.get(f"/arenden/{case_id}/plan/versioner").text
    assert "Mål på kort sikt: ”Praktik två dagar i veckan” blev ”Praktik tre dagar”" in changes
    assert "Ny aktivitet: Studiebesök" in changes
    assert "Skäl: Praktiken blev av" in changes
    assert "Borttagen aktivitet" not in changes
    printout = client.get(f"/arenden/{case_id}/plan/utskrift").text
    assert "Praktik tre dagar" in printout and "Studiebesök" in printout
    assert "Kommun: Kommun, kommun@test" in printout  # the part, the responsible and contact
    assert "Intern notering" not in printout


def test_an_activity_is_completed_or_dropped_with_a_reason(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    agreed_plan(client, case_id)
    page = section(client, case_id, "handlingsplan")
    action = re.search(r'action="(/arenden/[^"]+/aktiviteter/[^"]+)"', page)
    assert action
    refused = post(client, action.group(1), page, status="dropped", reason="")
    assert "Ange varför aktiviteten avbryts." in refused.text
    done = post(client, action.group(1), page, status="done")
    assert "Aktivitetens status är ändrad." in done.text
    assert "<td>Klar</td>" in done.text
    assert "En aktivitet blev klar" in section(client, case_id, "tidslinje")


def schedule(client: TestClient[Any], case_id: str, starts_at: datetime, **overrides: Any) -> Any:
    form = client.get(f"/arenden/{case_id}/moten/nytt").text
    data = {
        "starts_at": starts_at.isoformat(timespec="minutes"),
        "minutes": "60",
        "mode": "in_person",
        "place": "Rum 3",
        "invitee_ids": [_first_checkbox(form)],
        "participant_invited": "on",
        "agenda": "Planen",
        **overrides,
    }
    return post(client, f"/arenden/{case_id}/moten/nytt", form, **data)


def _first_checkbox(page: str) -> str:
    found = re.search(r'name="invitee_ids" value="([^"]+)"', page)
    assert found
    return found.group(1)


def meeting_path(app: Litestar, case_id: str) -> str:
    with app.state.services.engine.connect() as conn:
        meeting_id = (
            conn.execute(
                sa.select(case_meetings.c.meeting_id)
                .where(case_meetings.c.case_id == case_id)
                .order_by(case_meetings.c.starts_at)
            )
            .scalars()
            .first()
        )
    return f"/arenden/{case_id}/moten/{meeting_id}"


def test_a_meeting_is_scheduled_with_a_calendar_file_that_carries_no_name(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    past = schedule(client, case_id, WALL_CLOCK - timedelta(days=2), place="")
    assert past.status_code == 422
    assert "Ett möte kan inte planeras bakåt i tiden." in past.text
    assert "Ange var mötet hålls." in past.text
    starts = datetime.combine(TODAY, time(23, 0))  # later today: always this week
    assert schedule(client, case_id, starts).status_code == 200
    ics = client.get(meeting_path(app, case_id) + "/kalender.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["summary"]).startswith("Nätverksmöte K-")
    assert event.decoded("dtstart").astimezone(TEAM_TIMEZONE).replace(tzinfo=None) == starts
    assert "Testa Deltagarsson" not in ics.text
    team = client.get("/").text
    assert "Veckans nätverksmöten" in team or starts.isocalendar().week != TODAY.isocalendar().week


def test_a_held_meeting_changes_the_plan_and_calls_the_next_meeting(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    agreed_plan(client, case_id)
    schedule(client, case_id, WALL_CLOCK.replace(second=0, microsecond=0))
    path = meeting_path(app, case_id)
    form = client.get(path).text
    future = post(
        client,
        path + "/hallet",
        form,
        held_on=(TODAY + timedelta(days=1)).isoformat(),
        decisions="Praktik",
    )
    assert "Ett hållet möte kan inte ligga i framtiden." in future.text
    assert "Praktik</textarea>" in future.text
    staff = staff_of_part(form, "new.0.responsible_id", "Försäkringskassan")
    first_activity = re.search(r'name="(status\.[^"]+)"', form)
    assert first_activity
    response = post(
        client,
        path + "/hallet",
        form,
        held_on=TODAY.isoformat(),
        attended_parts=["FK", "KOMMUN"],
        participant_attended="on",
        decisions="Praktik ska ordnas",
        invitee_ids=[staff],
        **{
            "new.0.what": "Ordna praktikplats",
            "new.0.part": "FK",
            "new.0.responsible_id": staff,
            "new.0.start_on": TODAY.isoformat(),
            "new.0.due_on": (TODAY + timedelta(days=14)).isoformat(),
            "next_starts_at": (WALL_CLOCK + timedelta(days=14)).strftime("%Y-%m-%dT10:00"),
            "next_minutes": "45",
            "next_mode": "video",
            first_activity.group(1): "done",
        },
    )
    assert response.status_code == 200, response.text
    assert "Nätverksmötet är registrerat." in response.text
    assert response.text.count("Hämta kalenderfil") == 2
    timeline = section(client, case_id, "tidslinje")
    assert "Nätverksmöte hölls" in timeline
    assert "Handlingsplanen ändrades: version 2, efter beslut på nätverksmöte" in timeline
    plan = section(client, case_id, "handlingsplan")
    assert "Ordna praktikplats" in plan
    assert "<td>Klar</td>" in plan  # the meeting's decision on the first activity


def test_steps_show_as_a_chart_with_a_table(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    page = section(client, case_id, "steg")
    missing = post(
        client, f"/arenden/{case_id}/steg", page, to_level="2", step_on=TODAY.isoformat()
    )
    assert "Beskriv vad som visar steget." in missing.text
    post(
        client,
        f"/arenden/{case_id}/steg",
        page,
        to_level="2",
        step_on=TODAY.isoformat(),
        evidence="Kartläggning klar",
    )
    page = section(client, case_id, "steg")
    post(
        client,
        f"/arenden/{case_id}/steg",
        page,
        to_level="5",
        step_on=TODAY.isoformat(),
        evidence="Lönebidrag",
    )
    page = section(client, case_id, "steg")
    assert "<svg" in page and "<polyline" in page
    assert "5: Arbete med subvention" in page
    timeline = section(client, case_id, "tidslinje")
    assert "Steg registrerat" in timeline and "nivå 2 till 5" in timeline


def test_handover_and_closure_with_an_explicit_next_step_then_read_only(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    page = section(client, case_id, "overlamningar")
    to = option_value(page, "to_id")
    refused = post(client, f"/arenden/{case_id}/overlamning", page, responsibility="FK", to_id=to)
    assert "Ange varför ärendet lämnas över." in refused.text
    done = post(
        client,
        f"/arenden/{case_id}/overlamning",
        page,
        responsibility="FK",
        to_id=to,
        handover_reason="Ny handläggare",
    )
    assert "Överlämningar hittills: 1" in done.text
    form = client.get(f"/arenden/{case_id}/avslut").text
    data = {
        "kind": "completed",
        "reason": "work",
        "occupation": "subsidised_work",
        "support_sources": ["none"],
        "closed_on": TODAY.isoformat(),
    }
    gap = post(client, f"/arenden/{case_id}/avslut", form, **data)
    assert gap.status_code == 422
    assert "eller kryssa i att det inte finns något nästa steg" in gap.text
    asked = post(client, f"/arenden/{case_id}/avslut", form, **data, next_step="Efterstöd hos AF")
    assert "Avsluta ärendet?" in asked.text  # a confirmation step that says what happens
    assert "Registrera ett steg" in section(client, case_id, "steg")  # nothing closed yet
    closed = post(
        client,
        f"/arenden/{case_id}/avslut",
        form,
        **data,
        next_step="Efterstöd hos AF",
        bekraftat="ja",
    )
    assert "Ärendet är avslutat." in closed.text
    assert "Arbete med subvention" in closed.text
    assert "Ärendet avslutades" in section(client, case_id, "tidslinje")
    assert "Registrera ett steg" not in section(client, case_id, "steg")
    page = section(client, case_id, "avslut")  # the reopening form, at the case's version
    late = post(
        client,
        f"/arenden/{case_id}/steg",
        page,
        to_level="6",
        step_on=TODAY.isoformat(),
        evidence="Jobb",
    )
    assert "Ärendet är avslutat" in late.text
    again = post(client, f"/arenden/{case_id}/avslut", form, **data, next_step="x", bekraftat="ja")
    assert "Ärendet har ändrats av någon annan" in again.text
    reopened = post(
        client,
        f"/arenden/{case_id}/ateroppna",
        page,
        reopen_reason="Förlorade jobbet",
        consent_parts=["FK"],
        reopened_on=TODAY.isoformat(),
    )
    assert "Ärendet är öppnat igen." in reopened.text
    assert "Ärendet öppnades igen" in section(client, case_id, "tidslinje")


def test_two_people_revising_the_plan_at_once_conflict(app: Litestar) -> None:
    first = client_for(app, "samordnare@test")
    second = client_for(app, "fk@test")
    case_id = enrolled_case(first)
    agreed_plan(first, case_id)
    form_first = first.get(f"/arenden/{case_id}/plan").text
    form_second = second.get(f"/arenden/{case_id}/plan").text
    ok = post(
        first, f"/arenden/{case_id}/plan", form_first, **plan_data(form_first, reason="Först")
    )
    assert ok.status_code == 200
    late = post(
        second,
        f"/arenden/{case_id}/plan",
        form_second,
        **plan_data(form_second, reason="Sen ändring", goals_long="Eget mål"),
    )
    assert late.status_code == 422
    assert "Ärendet har ändrats av någon annan" in late.text
    assert "Eget mål</textarea>" in late.text
    assert stored_plans(app) == 2


def test_a_caseworker_outside_the_consent_does_not_reach_the_plan(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    case_id = enrolled_case(coordinator)
    agreed_plan(coordinator, case_id)
    outside = client_for(app, "af@test")
    assert outside.get(f"/arenden/{case_id}/plan/utskrift").status_code == 403
    assert "Söka praktikplats" not in section(outside, case_id, "handlingsplan")
