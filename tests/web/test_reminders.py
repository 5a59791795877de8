"""Reminders in the app: Mina påminnelser, done and snooze, the follow-up an email links to,
after-support, the outbox without a mail server, and the weekly digest."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from litestar import Litestar
from litestar.testing import TestClient

from coordination.cases.tables import cases
from coordination.reminders.service import Reminders
from coordination.reminders.tables import outbox
from coordination.shared.vocabulary import Part, Role
from tests.web.support import (
    NOW,
    PASSWORD,
    TODAY,
    client_for,
    closed_case,
    csrf,
    enrolled_case,
    section,
    version_of,
)


def follow_up(client: TestClient[Any], case_id: str, **overrides: Any) -> Any:
    form = client.get(f"/arenden/{case_id}/uppfoljning/3").text
    data = {
        "version": version_of(form),
        "occupation": "work",
        "support_sources": ["none"],
        "obstacles": "Långa resor",
        "recorded_on": TODAY.isoformat(),
        **overrides,
        **csrf(client),
    }
    return client.post(f"/arenden/{case_id}/uppfoljning/3", data=data)


def overdue_section(page: str) -> str:
    return page.split('id="forsenade"')[1].split("</section>")[0]


def test_an_overdue_follow_up_is_recorded_from_mina_paminnelser_and_disappears(
    app: Litestar,
) -> None:
    case_id = closed_case(app)
    client = client_for(app, "samordnare@test")
    overdue = overdue_section(client.get("/paminnelser").text)
    assert "Uppföljning 3 månader efter avslut" in overdue
    assert "försenad" in overdue
    link = re.search(rf'href="(/arenden/{case_id}/uppfoljning/3)"', overdue)
    assert link
    bad = follow_up(client, case_id, support_sources=[], obstacles="Kvar")
    assert bad.status_code == 422
    assert "Välj minst en försörjningskälla, eller Uppgift saknas." in bad.text
    assert "Kvar</textarea>" in bad.text
    assert "Uppföljning 3 månader" in overdue_section(client.get("/paminnelser").text)
    recorded = follow_up(client, case_id)
    assert "Uppföljningen är registrerad." in recorded.text
    assert "Uppföljning 3 månader" not in client.get("/paminnelser").text
    assert "Uppföljning efter 3 månader registrerad" in section(client, case_id, "tidslinje")


def test_a_follow_up_is_taken_in_its_window_and_one_after_it_is_marked_late(
    app: Litestar,
) -> None:
    client = client_for(app, "samordnare@test")
    too_soon = closed_case(app, closed_days_ago=20)
    form = client.get(f"/arenden/{too_soon}/uppfoljning/3").text
    due = TODAY - timedelta(days=20) + relativedelta(months=3)
    assert f"ska göras {due}" in form and 'name="in_work_or_studies"' not in form
    early = follow_up(client, too_soon, obstacles="Behåll texten")
    assert early.status_code == 422
    assert f"görs tidigast {due - relativedelta(months=1)}" in early.text
    assert "Behåll texten</textarea>" in early.text
    late_case = closed_case(app, closed_days_ago=200)
    assert (
        "Uppföljningen är registrerad." in follow_up(client, late_case, occupation="studies").text
    )
    row = section(client, late_case, "avslut").split("3 månader</td>")[1].split("</tr>")[0]
    assert f"{TODAY} (sen)" in row and "Ja" in row  # in studies: from the occupation


def test_an_emails_link_opens_the_follow_up_form_after_login(app: Litestar) -> None:
    case_id = closed_case(app)
    with TestClient(app) as client:
        response = client.get(f"/arenden/{case_id}/uppfoljning/3", follow_redirects=False)
        assert (
            response.headers["location"]
            == f"/logga-in?nasta=%2Farenden%2F{case_id}%2Fuppfoljning%2F3"
        )
        form = client.get(response.headers["location"]).text
        assert f'name="nasta" value="/arenden/{case_id}/uppfoljning/3"' in form
        landed = client.post(
            "/logga-in",
            data={
                "email": "samordnare@test",
                "password": PASSWORD,
                "nasta": f"/arenden/{case_id}/uppfoljning/3",
                **csrf(client),
            },
        )
        assert "Uppföljning 3 månader efter avslut" in landed.text
        elsewhere = client.post(
            "/logga-in",
            data={
                "email": "samordnare@test",
                "password": PASSWORD,
                "nasta": "//evil.example/",
                **csrf(client),
            },
            follow_redirects=False,
        )
        assert elsewhere.headers["location"] == "/"


def test_done_clears_and_snooze_moves_a_reminder(app: Litestar) -> None:
    case_id = closed_case(app)
    client = client_for(app, "samordnare@test")
    page = client.get("/paminnelser").text
    key = re.search(r'name="key" value="(after_support_start:[^"]+)"', page)
    assert key
    client.post("/paminnelser/klar", data={"case_id": case_id, "key": key.group(1), **csrf(client)})
    assert "Starta efterstöd" not in client.get("/paminnelser").text
    key = re.search(r'name="key" value="(follow_up:3:[^"]+)"', page)
    assert key
    past = client.post(
        "/paminnelser/vanta",
        data={"case_id": case_id, "key": key.group(1), "until": TODAY.isoformat(), **csrf(client)},
    )
    assert past.status_code == 422
    assert "Välj en dag efter i dag." in past.text
    later = (TODAY + timedelta(days=5)).isoformat()
    client.post(
        "/paminnelser/vanta",
        data={"case_id": case_id, "key": key.group(1), "until": later, **csrf(client)},
    )
    page = client.get("/paminnelser").text
    assert "Uppföljning 3 månader" not in overdue_section(page)
    assert later in page.split('id="kommande"')[1]
    other = client_for(app, "af@test")
    refused = other.post(
        "/paminnelser/klar", data={"case_id": case_id, "key": key.group(1), **csrf(other)}
    )
    assert refused.status_code == 404  # not one of theirs


def test_after_support_starts_logs_contacts_and_ends(app: Litestar) -> None:
    case_id = closed_case(app)
    client = client_for(app, "samordnare@test")
    page = section(client, case_id, "avslut")
    start = client.post(
        f"/arenden/{case_id}/efterstod/start",
        data={"version": version_of(page), "started_on": TODAY.isoformat(), **csrf(client)},
    )
    assert "Efterstödet har startat." in start.text
    missing = client.post(
        f"/arenden/{case_id}/efterstod/kontakt",
        data={"version": version_of(start.text), "contacted_on": TODAY.isoformat(), **csrf(client)},
    )
    assert "Skriv kort om kontakten." in missing.text
    logged = client.post(
        f"/arenden/{case_id}/efterstod/kontakt",
        data={
            "version": version_of(start.text),
            "contacted_on": TODAY.isoformat(),
            "note": "Ringde, trivs på jobbet",
            **csrf(client),
        },
    )
    assert "Ringde, trivs på jobbet" in logged.text
    ended = client.post(
        f"/arenden/{case_id}/efterstod/slut",
        data={"version": version_of(logged.text), "ended_on": TODAY.isoformat(), **csrf(client)},
    )
    assert "Efterstödet är avslutat." in ended.text
    assert "Efterstödet avslutades" in section(client, case_id, "tidslinje")


def outbox_rows(app: Litestar) -> list[Any]:
    with app.state.services.engine.connect() as conn:
        return list(conn.execute(sa.select(outbox)))


def test_without_a_mail_server_the_outbox_shows_what_would_have_been_sent(app: Litestar) -> None:
    case_id = closed_case(app)
    app.state.services.reminders.tick()
    admin = client_for(app, "admin@test").get("/admin/utkorg").text
    assert "Ingen e-postserver är inställd" in admin
    assert "Påminnelse: Uppföljning 3 månader efter avslut – ärende K-" in admin
    assert "Sparat i utkorgen" in admin
    for row in outbox_rows(app):
        assert "Testa Deltagarsson" not in row.subject + row.body
        assert "19800101" not in row.body
    reminder = next(r for r in outbox_rows(app) if "uppfoljning/3" in r.body)
    assert f"/arenden/{case_id}/uppfoljning/3" in reminder.body
    timeline = section(client_for(app, "samordnare@test"), case_id, "tidslinje")
    assert "Påminnelse skickad (e-post): Uppföljning efter avslut till Samordnare" in timeline
    app.state.services.reminders.tick()
    assert len(outbox_rows(app)) == len({r.dedupe_key for r in outbox_rows(app)})


def test_an_administrator_reads_only_their_own_teams_outbox(app: Litestar) -> None:
    case_id = closed_case(app)
    accounts = app.state.services.accounts
    second = accounts.create_team("Andra teamet")
    accounts.create_user(
        second, "Andra Admin", "admin2@test", Part.AF, Role.ADMINISTRATOR, PASSWORD
    )
    accounts.create_user(
        second, "Andra Ledare", "ledare2@test", Part.FK, Role.TEAM_LEADER, PASSWORD
    )
    reminders = app.state.services.reminders
    reminders.clock = lambda: NOW + timedelta(days=(2 - TODAY.weekday()) % 7)  # a Wednesday
    reminders.tick()
    first_teams = [r for r in outbox_rows(app) if r.to_address != "ledare2@test"]
    assert {r.kind for r in first_teams} == {"reminder", "digest", "summary"}
    with app.state.services.engine.connect() as conn:
        case_code = conn.execute(
            sa.select(cases.c.case_code).where(cases.c.case_id == case_id)
        ).scalar_one()
    assert any(case_code in r.subject for r in first_teams)

    theirs = client_for(app, "admin2@test").get("/admin/utkorg").text
    assert "ledare2@test" in theirs and "Andra Ledare" in theirs
    assert case_code not in theirs
    for row in first_teams:
        assert row.to_address not in theirs
        assert row.subject not in theirs
    ours = client_for(app, "admin@test").get("/admin/utkorg").text
    assert case_code in ours
    assert "ledare2@test" not in ours


def test_a_digest_only_user_gets_the_weekly_digest_and_no_single_emails(app: Litestar) -> None:
    case_id = closed_case(app)
    client = client_for(app, "samordnare@test")
    saved = client.post("/installningar", data={"delivery": "digest", **csrf(client)})
    assert "Sparat." in saved.text
    reminders = app.state.services.reminders
    wednesday = NOW + timedelta(days=(2 - TODAY.weekday()) % 7)
    reminders.clock = lambda: wednesday
    reminders.tick()
    rows = outbox_rows(app)
    assert not [r for r in rows if r.kind == "reminder"]
    digest = next(r for r in rows if r.kind == "digest")
    assert digest.subject.startswith("Veckans påminnelser:")
    assert "FÖRSENAD" in digest.body
    summary = next(r for r in rows if r.kind == "summary")
    assert "Samordnare: " in summary.body
    assert "Påminnelse skickad (veckosammanställning)" in section(client, case_id, "tidslinje")
    reminders.tick()
    restarted = Reminders(reminders.store, reminders.settings, clock=lambda: wednesday)
    restarted.tick()
    assert len(outbox_rows(app)) == len(rows)  # once a week, across a restart too


def test_an_insats_ending_soon_asks_the_samordnare_what_comes_next(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    enrolled_case(coordinator)
    assert "Vad händer sedan?" not in coordinator.get("/paminnelser").text
    admin = client_for(app, "admin@test")
    link = re.search(r'href="(/admin/insatser/[0-9a-f-]+)"', admin.get("/admin/insatser").text)
    assert link
    form = admin.get(link.group(1)).text
    ends = (TODAY + timedelta(days=10)).isoformat()
    admin.post(
        link.group(1),
        data={
            "version": version_of(form),
            "name": "Steget vidare",
            "insats_type": "rehabilitation",
            "active_from": "2025-01-01",
            "active_to": ends,
            **csrf(admin),
        },
    )
    assert "Vad händer sedan?" in coordinator.get("/paminnelser").text
