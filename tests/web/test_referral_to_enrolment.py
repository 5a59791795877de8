"""The service through HTTP: login, CSRF, referral, enrolment, consent guards, conflicts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

import events
from coordination.cases.tables import read_audit
from coordination.shared.clock import TEAM_TIMEZONE
from tests.web.support import (
    PERSONNUMMER,
    TODAY,
    accepted_case,
    client_for,
    count_cases,
    csrf,
    enrol,
    enrolled_case,
    referral,
    section,
    version_of,
)


def test_pages_need_a_login(app: Any) -> None:
    with TestClient(app) as client:
        response = client.get("/", follow_redirects=False)
        assert response.status_code in (302, 303)
        assert response.headers["location"] == "/logga-in"


def test_a_wrong_password_keeps_the_email_and_says_why(app: Any) -> None:
    with TestClient(app) as client:
        client.get("/logga-in")
        response = client.post(
            "/logga-in", data={"email": "af@test", "password": "fel", **csrf(client)}
        )
        assert response.status_code == 422
        assert "Fel e-postadress eller lösenord." in response.text
        assert 'value="af@test"' in response.text


def test_an_unsafe_request_without_csrf_token_is_refused(app: Any) -> None:
    client = client_for(app, "samordnare@test")
    response = client.post("/remisser/ny", data={"from_part": "FK", "reason": "x"})
    assert response.status_code == 403
    assert count_cases(app) == 0


def test_security_headers_allow_only_the_apps_own_scripts(app: Any) -> None:
    with TestClient(app) as client:
        response = client.get("/logga-in")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"


def test_a_referral_with_bad_input_comes_back_with_messages_and_nothing_stored(app: Any) -> None:
    client = client_for(app, "samordnare@test")
    response = referral(client, from_part="XX", reason="", referral_date="2026-13-40")
    assert response.status_code == 422
    assert "Välj ett av alternativen." in response.text
    assert "Ange ett datum som ÅÅÅÅ-MM-DD." in response.text
    assert 'value="2026-13-40"' in response.text
    response = referral(client, reason="", referral_date="2030-01-01")
    assert "Ange anledningen till remissen." in response.text
    assert "Remissdatumet kan inte ligga i framtiden." in response.text
    assert "Remitterande Handläggare" in response.text
    assert count_cases(app) == 0


def test_referral_to_enrolment_shows_on_the_team_page_and_timeline(app: Any) -> None:
    client = client_for(app, "samordnare@test")
    case_id = accepted_case(client)
    response = enrol(client, case_id)
    assert response.status_code == 200
    assert "Deltagaren är inskriven." in response.text  # the banner after the save
    assert "Testa Deltagarsson" in response.text
    assert "Steget vidare" in response.text  # the insats, in the summary
    timeline = section(client, case_id, "tidslinje")
    assert f"Deltagaren skrevs in {TODAY - timedelta(days=10)}" in timeline
    assert f"Remissen godtogs {TODAY - timedelta(days=15)}" in timeline
    code = re.search(r"Ärende (K-[0-9A-Z]{5})", response.text)
    assert code
    team = client.get("/", params={"code": code.group(1)[2:]}).text
    assert code.group(1) in team
    assert "Testa Deltagarsson" not in team  # the team page carries no personal data


def test_enrolment_rejects_a_wrong_personnummer_and_missing_consent(app: Any) -> None:
    client = client_for(app, "samordnare@test")
    case_id = accepted_case(client)
    response = enrol(client, case_id, personnummer="19800101-0018", consent_parts=[])
    assert response.status_code == 422
    assert "Personnumret är inte giltigt" in response.text
    assert "Välj minst en part som deltagaren samtycker till." in response.text
    assert 'value="19800101-0018"' in response.text
    assert 'value="Testa Deltagarsson"' in response.text
    assert "Deltagaren skrevs in" not in response.text


def test_a_stale_form_is_a_conflict_and_keeps_the_input(app: Any) -> None:
    first = client_for(app, "samordnare@test")
    second = client_for(app, "fk@test")  # the referring part
    case_id = accepted_case(first)
    stale = second.get(f"/arenden/{case_id}").text
    assert enrol(first, case_id).status_code == 200
    response = enrol(second, case_id, stale, name="Annat Namn")
    assert response.status_code == 422
    assert "Ärendet har ändrats av någon annan" in response.text
    assert 'value="Annat Namn"' in response.text


def test_personal_data_follows_the_consent_and_every_view_is_logged(app: Any) -> None:
    coordinator = client_for(app, "samordnare@test")
    case_id = enrolled_case(coordinator)

    assert "Testa Deltagarsson" in client_for(app, "fk@test").get(f"/arenden/{case_id}").text
    not_covered = section(client_for(app, "af@test"), case_id, "deltagare")
    assert "Testa Deltagarsson" not in not_covered
    assert "din part omfattas inte av samtycket" in not_covered
    assert client_for(app, "analytiker@test").get(f"/arenden/{case_id}").status_code == 404

    page = section(coordinator, case_id, "deltagare")
    withdrawal = {"version": version_of(page), **csrf(coordinator)}
    asked = coordinator.post(f"/arenden/{case_id}/samtycke/aterkalla", data=withdrawal)
    assert "Återkalla samtycket?" in asked.text  # what it means, before anything changes
    assert "Testa Deltagarsson" in client_for(app, "fk@test").get(f"/arenden/{case_id}").text
    coordinator.post(
        f"/arenden/{case_id}/samtycke/aterkalla", data={**withdrawal, "bekraftat": "ja"}
    )
    assert "Testa Deltagarsson" not in client_for(app, "fk@test").get(f"/arenden/{case_id}").text

    with app.state.services.engine.connect() as conn:
        views = conn.execute(
            sa.select(read_audit.c.page, read_audit.c.viewed_at).where(
                read_audit.c.case_id == case_id
            )
        ).all()
    assert len(views) >= 3
    audit = client_for(app, "ledare@test").get("/granskning", params={"case": case_id})
    assert audit.status_code == 200
    assert "ärendesidan" in audit.text
    # when, as the team's clocks showed it (Stockholm is an hour or two ahead of UTC)
    shown = views[0].viewed_at.astimezone(TEAM_TIMEZONE).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in audit.text
    assert client_for(app, "af@test").get("/granskning").status_code == 403


def test_the_participants_name_is_not_in_the_event_log(app: Any) -> None:
    client = client_for(app, "samordnare@test")
    enrolled_case(client)
    with app.state.services.engine.connect() as conn:
        stored = " ".join(str(row) for row in conn.execute(sa.select(events.schema.events_table)))
    assert "Testa Deltagarsson" not in stored
    assert PERSONNUMMER not in stored


def test_htmx_gets_the_page_without_its_layout(app: Any) -> None:
    client = client_for(app, "samordnare@test")
    full = client.get("/")
    partial = client.get("/", headers={"HX-Request": "true"})
    assert "<html" in full.text
    assert "<html" not in partial.text
    assert 'id="arendelista"' in partial.text
