"""The findings of an outside tester, each checked: reads and writes outside the consent,
ids from another team, the calendar file's place; then erasure and retention."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from icalendar import Calendar
from litestar import Litestar
from litestar.testing import TestClient

from coordination.accounts.tables import users
from coordination.cases.tables import read_audit
from tests.web.support import (
    TODAY,
    client_for,
    closed_case,
    csrf,
    enrolled_case,
    section,
    team_of,
    version_of,
)
from tests.web.test_case_journey import meeting_path, post, schedule

ASSESSMENT = {
    "situation": "Markörsituation hemma",
    "formal_competences": "Gymnasium",
    "informal_competences": "Föreningsliv",
    "interests": "Trädgård",
    "obstacles": "Markörhinder",
    "motivation": "Hög",
    "participant_words": "Jag vill arbeta",
}


def reads_by(app: Litestar, email: str) -> int:
    with app.state.services.engine.connect() as conn:
        user_id = conn.execute(sa.select(users.c.id).where(users.c.email == email)).scalar_one()
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(read_audit)
                .where(read_audit.c.user_id == user_id)
            ).scalar_one()
        )


def case_version(client: TestClient[Any], case_id: str) -> str:
    return version_of(section(client, case_id, "deltagare"))


def test_a_caseworker_outside_the_consent_neither_reads_nor_writes(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    case_id = enrolled_case(coordinator)  # consent for FK and KOMMUN
    page = section(coordinator, case_id, "deltagare")
    assert (
        post(
            coordinator,
            f"/arenden/{case_id}/kartlaggning",
            page,
            **ASSESSMENT,
            recorded_on=TODAY.isoformat(),
        ).status_code
        == 200
    )
    before = case_version(coordinator, case_id)
    outsider = client_for(app, "af@test")
    for recorded_on in ("2026-02-30", TODAY.isoformat()):  # bad input, then good
        response = post(
            outsider,
            f"/arenden/{case_id}/kartlaggning",
            page,
            **{**ASSESSMENT, "situation": "Skrivet utanför samtycket"},
            recorded_on=recorded_on,
        )
        assert response.status_code == 403
        assert "omfattas inte av samtycket" in response.text
        for marker in ("Markörsituation", "Markörhinder", "Testa Deltagarsson"):
            assert marker not in response.text
    # refused before the form is even read: a date no calendar holds changes nothing either
    far = post(outsider, f"/arenden/{case_id}/efterstod/start", page, started_on="9999-12-31")
    assert far.status_code == 403
    assert reads_by(app, "af@test") == 0
    assert case_version(coordinator, case_id) == before
    assert "Skrivet utanför samtycket" not in section(coordinator, case_id, "kartlaggning")


def test_withdrawn_consent_stops_every_form_but_renewal_and_closure(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    case_id = enrolled_case(coordinator)
    page = section(coordinator, case_id, "deltagare")
    withdraw = {"withdraw_reason": "Vill inte", "bekraftat": "ja"}
    post(coordinator, f"/arenden/{case_id}/samtycke/aterkalla", page, **withdraw)
    page = section(coordinator, case_id, "deltagare")
    steps = section(coordinator, case_id, "steg")
    assert f'action="/arenden/{case_id}/steg"' not in steps  # only what is left is offered
    assert f'action="/arenden/{case_id}/samtycke/fornya"' in page
    covered = client_for(app, "fk@test")
    step = {"step_on": TODAY.isoformat(), "to_level": "2", "evidence": "Praktik"}
    assert post(covered, f"/arenden/{case_id}/steg", page, **step).status_code == 403
    assert post(coordinator, f"/arenden/{case_id}/steg", page, **step).status_code == 403
    renewed = post(coordinator, f"/arenden/{case_id}/samtycke/fornya", page, consent_parts=["FK"])
    assert renewed.status_code == 200
    assert "Samtycket är förnyat." in renewed.text
    assert "Samtycket förnyades" in section(coordinator, case_id, "tidslinje")


def test_people_of_another_team_cannot_be_named_in_a_form(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    case_id = enrolled_case(coordinator)
    with app.state.services.engine.connect() as conn:
        neighbour = conn.execute(
            sa.select(users.c.id).where(users.c.email == "granne@test")
        ).scalar_one()
    starts = datetime.combine(TODAY + timedelta(days=3), time(10, 0))
    response = schedule(coordinator, case_id, starts, invitee_ids=[neighbour])
    assert response.status_code == 422
    assert "Välj någon i teamet." in response.text
    page = section(coordinator, case_id, "overlamningar")
    handover = post(
        coordinator,
        f"/arenden/{case_id}/overlamning",
        page,
        responsibility="coordinator",
        to_id=neighbour,
        handover_reason="Semester",
    )
    assert handover.status_code == 422
    assert "Välj någon i teamet." in handover.text
    code = re.search(r"Ärende (K-\w+)", page)
    assert code
    assert code.group(1) not in client_for(app, "granne@test").get("/paminnelser").text


def test_the_calendar_file_carries_no_place(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    case_id = enrolled_case(coordinator)
    starts = datetime.combine(TODAY + timedelta(days=3), time(10, 0))
    schedule(coordinator, case_id, starts, place="Markörgatan 7, lägenhet 1102")
    path = meeting_path(app, case_id) + "/kalender.ics"
    outsider = client_for(app, "af@test")
    for client in (coordinator, outsider):
        ics = client.get(path)
        assert ics.status_code == 200
        assert "Markörgatan" not in ics.text
        event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
        assert "LOCATION" not in event
        assert str(event["summary"]).startswith("Nätverksmöte K-")
    assert reads_by(app, "af@test") == 0


def erasure(client: TestClient[Any], case_id: str, action: str, **data: Any) -> Any:
    page = section(client, case_id, "deltagare")
    path = f"/arenden/{case_id}/radering" + (f"/{action}" if action else "")
    return client.post(path, data={"version": version_of(page), **data, **csrf(client)})


def test_erasure_is_asked_for_confirmed_by_another_and_cannot_be_undone(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    case_id = enrolled_case(coordinator)
    admin, leader = client_for(app, "admin@test"), client_for(app, "ledare@test")
    assert erasure(coordinator, case_id, "", erasure_reason="request").status_code == 403
    asked = erasure(admin, case_id, "", erasure_reason="request")
    assert asked.status_code == 200
    assert "väntar på att en teamledare eller en annan administratör bekräftar" in asked.text
    assert "Bekräfta raderingen" not in asked.text  # not to the one who asked
    assert erasure(admin, case_id, "bekrafta", understood="on").status_code == 422
    unsure = erasure(leader, case_id, "bekrafta")
    assert unsure.status_code == 422
    assert "inte kan ångras" in unsure.text
    done = erasure(leader, case_id, "bekrafta", understood="on")
    assert done.status_code == 200
    assert "Deltagarens personuppgifter raderades" in done.text
    assert "begärd av Admin, bekräftad av Ledare" in section(leader, case_id, "tidslinje")
    seen = coordinator.get(f"/arenden/{case_id}").text
    assert "Testa Deltagarsson" not in seen
    assert "Kvinna" in seen or "45–59" in seen or "Inskriven" in seen  # the facts stay
    assert 'name="version"' not in seen  # no form is offered any more
    step = {"step_on": TODAY.isoformat(), "to_level": "2", "evidence": "Praktik"}
    for client, path, data in (
        (coordinator, "steg", step),
        (admin, "radering", {"erasure_reason": "request"}),
    ):
        again = client.post(
            f"/arenden/{case_id}/{path}", data={"version": "9", **data, **csrf(client)}
        )
        assert again.status_code == 403
        assert "raderade" in again.text


def test_retention_erases_old_cases_unless_held_and_shows_what_comes(app: Litestar) -> None:
    months = app.state.services.settings.retention_months
    end = TODAY - relativedelta(months=months)
    old, held, soon = (
        closed_case(app, (TODAY - end).days + 1),
        closed_case(app, (TODAY - end).days + 1),
        closed_case(app, (TODAY - end).days - 10),
    )
    admin = client_for(app, "admin@test")
    coming = admin.get("/admin/gallring")
    assert coming.status_code == 200
    for case_id in (old, held, soon):
        assert f"/arenden/{case_id}" in coming.text
    page = section(admin, held, "deltagare")
    hold = admin.post(
        f"/arenden/{held}/gallring/undanta",
        data={"version": version_of(page), "hold_reason": "Begäran om utlämnande", **csrf(admin)},
    )
    assert hold.status_code == 200
    assert app.state.services.retention.apply() == 1
    coordinator = client_for(app, "samordnare@test")
    assert "Gallring: lagringstiden har gått ut" in section(coordinator, old, "deltagare")
    for kept in (held, soon):
        assert "Testa Deltagarsson" in coordinator.get(f"/arenden/{kept}").text
    assert f"/arenden/{old}" not in admin.get("/admin/gallring").text
    assert client_for(app, "fk@test").get("/admin/gallring").status_code == 403
    assert team_of(app, "admin@test") == team_of(app, "samordnare@test")


def test_a_registerutdrag_holds_everything_and_who_read_it(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    case_id = enrolled_case(coordinator)
    page = section(coordinator, case_id, "deltagare")
    recorded = post(
        coordinator,
        f"/arenden/{case_id}/kartlaggning",
        page,
        **ASSESSMENT,
        recorded_on=TODAY.isoformat(),
    )
    assert recorded.status_code == 200
    admin = client_for(app, "admin@test")
    assert admin.get("/admin/registerutdrag").status_code == 200
    bad = admin.post("/admin/registerutdrag", data={"personnummer": "1980", **csrf(admin)})
    assert bad.status_code == 422
    assert "giltigt personnummer" in bad.text
    assert 'value="1980"' in bad.text
    shown = admin.post(
        "/admin/registerutdrag", data={"personnummer": "198001010019", **csrf(admin)}
    )
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    for held in ("Testa Deltagarsson", "Markörsituation", "Markörhinder", "Samordnare"):
        assert held in shown.text
    assert "ärendesidan" in shown.text and "registerutdrag" in shown.text  # who read, where
    assert reads_by(app, "admin@test") == 1
    download = admin.post(
        "/admin/registerutdrag",
        data={"personnummer": "19800101-0019", "download": "on", **csrf(admin)},
    )
    assert download.headers["content-disposition"].startswith("attachment")
    assert "19800101" not in download.headers["content-disposition"]
    assert "Markörhinder" in download.text
    nobody = admin.post(
        "/admin/registerutdrag", data={"personnummer": "19121212-1212", **csrf(admin)}
    )
    assert "har inga personuppgifter" in nobody.text
    assert client_for(app, "samordnare@test").get("/admin/registerutdrag").status_code == 403
