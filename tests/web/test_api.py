"""The JSON API as an integration uses it: a personal access token, the team's cases, one
case, a command with the version it was read at, and Swedish problem details when
something is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.exceptions import TooManyRequestsException
from litestar.testing import TestClient

from coordination.cases.tables import read_audit
from coordination.shared.vocabulary import Part, TokenScope
from events.schema import events_table
from tests.web.api_support import PARTICIPANT, ongoing_case, token_for, user_of
from tests.web.support import TODAY, closed_case

CASES = "/api/v1/cases"


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as found:
        yield found


def count(app: Litestar, table: sa.Table) -> int:
    with app.state.services.engine.connect() as conn:
        found: int = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return found


def test_a_caseworker_lists_the_cases_their_part_is_covered_by(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    covered = ongoing_case(app, (Part.FK, Part.KOMMUN))
    other = ongoing_case(app, (Part.AF, Part.REGION))
    headers = token_for(app, "fk@test", TokenScope.READ)

    mine = client.get(CASES, params={"mine": "true"}, headers=headers)
    assert mine.status_code == 200, mine.text
    codes = [c["code"] for c in mine.json()]
    assert covered["case_ref"] in codes and other["case_ref"] not in codes
    every = [c["code"] for c in client.get(CASES, headers=headers).json()]
    assert {covered["case_ref"], other["case_ref"]} <= set(every)
    assert PARTICIPANT not in mine.text  # the list carries no personal data
    assert client.get(CASES, params={"closed": "true"}, headers=headers).json() == []
    ongoing = client.get(CASES, params={"stage": "ongoing"}, headers=headers).json()
    assert {c["stage"] for c in ongoing} == {"ongoing"}


def test_one_case_shows_personal_data_where_the_gate_opens_it_and_logs_the_read(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    seeded = ongoing_case(app, (Part.FK, Part.KOMMUN))
    url = f"{CASES}/{seeded['case_ref']}"  # by its code; the id works as well
    reads = count(app, read_audit)

    covered = client.get(url, headers=token_for(app, "fk@test", TokenScope.READ))
    assert covered.status_code == 200, covered.text
    found = covered.json()
    assert found["personal_data_shown"] is True
    assert found["participant"]["name"] == PARTICIPANT
    assert [a["what"] for a in found["activities"]] == ["Söka praktik"]
    assert found["meetings"][0]["place"] == "Rum 4"
    assert found["meetings"][0]["starts_at"].endswith("+01:00")  # the team's local time
    assert found["timeline"][0]["event_type"] == "MeetingScheduled"
    assert count(app, read_audit) == reads + 1

    outside = client.get(url, headers=token_for(app, "af@test", TokenScope.READ))
    assert outside.status_code == 200
    assert outside.json()["personal_data_shown"] is False
    assert outside.json()["participant"] is None
    assert PARTICIPANT not in outside.text and "Rum 4" not in outside.text
    assert count(app, read_audit) == reads + 1

    analyst = client.get(url, headers=token_for(app, "analytiker@test", TokenScope.READ))
    assert analyst.status_code == 404
    assert analyst.headers["content-type"].startswith("application/problem+json")
    assert analyst.json()["detail"] == "Ärendet finns inte."


def test_a_command_runs_with_the_version_it_was_read_at(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    seeded = ongoing_case(app)
    headers = token_for(app, "samordnare@test")
    version = client.get(f"{CASES}/{seeded['case_id']}", headers=headers).json()["case"]["version"]
    step = {"to_level": 3, "recorded_on": TODAY.isoformat(), "evidence": "Praktik"}

    done = client.post(
        f"{CASES}/{seeded['case_id']}/steps",
        json={"expected_version": version, **step},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"case_id": seeded["case_id"], "version": version + 1}

    events = count(app, events_table)
    stale = client.post(
        f"{CASES}/{seeded['case_id']}/steps",
        json={"expected_version": version, **step},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert stale.json()["detail"].startswith("Ärendet har ändrats av någon annan")
    assert "expected_version" in stale.json()["detail"]
    assert count(app, events_table) == events


def test_bad_input_is_refused_with_a_swedish_message_per_field(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    seeded = ongoing_case(app)
    headers = token_for(app, "samordnare@test")
    url = f"{CASES}/{seeded['case_id']}/steps"
    events = count(app, events_table)

    unreadable = client.post(
        url,
        json={"expected_version": 5, "to_level": "två", "recorded_on": "2026-02-30"},
        headers=headers,
    )
    assert unreadable.status_code == 422
    problem = unreadable.json()
    assert problem["title"] == "Ogiltiga uppgifter" and problem["status"] == 422
    assert set(problem["errors"].values()) <= {"Ange ett heltal.", "Ange ett datum som ÅÅÅÅ-MM-DD."}

    wrong = client.post(
        url,
        json={"expected_version": 5, "to_level": 99, "recorded_on": "1850-01-01"},
        headers=headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == {
        "to_level": "Ange ett heltal från 0 till 6.",
        "recorded_on": "Ange ett datum mellan 1900-01-01 och 2100-12-31.",
    }
    coordinator = user_of(app, "samordnare@test")
    foreign = client.post(
        f"{CASES}/{seeded['case_id']}/handover",
        json={"expected_version": 5, "to_id": "någon-annan", "reason": "", "part": "FK"},
        headers=headers,
    )
    assert foreign.status_code == 422
    assert foreign.json()["errors"]["to_id"] == "Välj någon i teamet."
    assert coordinator.id not in foreign.text
    assert count(app, events_table) == events


def test_a_read_only_token_runs_no_command(app: Litestar, client: TestClient[Litestar]) -> None:
    seeded = ongoing_case(app)
    events = count(app, events_table)
    refused = client.post(
        f"{CASES}/{seeded['case_id']}/steps",
        json={"expected_version": 5, "to_level": 2, "recorded_on": TODAY.isoformat()},
        headers=token_for(app, "samordnare@test", TokenScope.READ),
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Token får bara läsa."
    assert count(app, events_table) == events


def test_reminders_caseload_and_statistics(app: Litestar, client: TestClient[Litestar]) -> None:
    closed_case(app)
    app.state.services.reminders.sweep(app.state.services.clock.now())
    headers = token_for(app, "samordnare@test")
    mine = client.get("/api/v1/reminders", headers=headers)
    assert mine.status_code == 200
    follow_up = next(r for r in mine.json() if r["kind"] == "follow_up")
    assert follow_up["what"] == "Uppföljning 3 månader efter avslut"
    snoozed = client.post(
        "/api/v1/reminders/snooze",
        json={"case_id": follow_up["case_id"], "key": follow_up["key"], "until": "2000-01-01"},
        headers=headers,
    )
    assert snoozed.status_code == 422
    assert snoozed.json()["errors"] == {"until": "Välj en dag efter i dag."}

    leader = token_for(app, "ledare@test", TokenScope.READ)
    loads = client.get("/api/v1/caseload", headers=leader)
    assert loads.status_code == 200 and loads.json()
    statistics = client.get("/api/v1/statistics", params={"ar": str(TODAY.year)}, headers=leader)
    assert statistics.status_code == 200
    cells = [cell for t in statistics.json()["tables"] for row in t["rows"] for cell in row[1:]]
    assert "<5" in cells  # one case: suppressed as on the page
    assert not any(cell.strip().startswith("1 ") or cell == "1" for cell in cells)
    refused = client.get("/api/v1/caseload", headers=token_for(app, "fk@test"))
    assert refused.status_code == 403


def test_statistics_refuse_what_they_would_otherwise_quietly_replace(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    leader = token_for(app, "ledare@test", TokenScope.READ)
    url = "/api/v1/statistics"
    own = client.get(url, params={"ar": str(TODAY.year)}, headers=leader).json()
    assert own["counted"] == "Testteamet"
    forbund = client.get(url, headers=token_for(app, "analytiker@test", TokenScope.READ))
    assert forbund.json()["counted"] == "Hela förbundet"
    for params, field, message in [
        ({"ar": "abc"}, "ar", "Ange ett år mellan 1900 och 2100."),
        ({"ar": "9999"}, "ar", "Ange ett år mellan 1900 och 2100."),
        ({"ar": "2026", "kvartal": "5"}, "kvartal", "Ange kvartal 1, 2, 3 eller 4."),
        (
            {"fran": "2026-01-01", "till": "2025-01-01"},
            "till",
            "Slutdatumet kan inte vara före startdatumet.",
        ),
        (
            {"fran": "0001-01-01", "till": "9999-12-31"},
            "fran",
            "Ange ett datum mellan 1900-01-01 och 2100-12-31.",
        ),
        ({"fran": "2026-01-01"}, "till", "Ange både fran och till."),
        ({"insats": "nej"}, "insats", "Det finns ingen sådan insats i de team som räknas."),
        (
            {"team": "00000000-0000-0000-0000-000000000000"},
            "team",
            "Det finns inget sådant team som du kan se statistik för.",
        ),
    ]:
        answer = client.get(url, params=params, headers=leader)
        assert answer.status_code == 422, params
        assert answer.json()["errors"][field] == message, params


def test_the_schema_documents_the_api_alone_with_its_bearer_token(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 401
    schema = client.get("/api/v1/openapi.json", headers=token_for(app, "analytiker@test")).json()
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert "/api/v1/cases/{case_id}/steps" in schema["paths"]
    assert schema["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "En personlig åtkomsttoken (samordna_…), från Inställningar.",
    }
    assert schema["security"] == [{"token": []}]
    yaml = client.get("/api/v1/openapi.yaml", headers=token_for(app, "analytiker@test"))
    assert yaml.status_code == 200 and "Samordna API" in yaml.text


def test_a_failure_is_answered_with_its_request_id_and_nothing_else(
    app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("hemlig detalj om Testa Deltagarsson")

    monkeypatch.setattr(app.state.services.cases, "team_board", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        failed = client.get(CASES, headers=token_for(app, "samordnare@test"))
        assert failed.status_code == 500
        problem = failed.json()
        assert problem["request_id"] and problem["request_id"] in problem["detail"]
        assert "hemlig" not in failed.text and "RuntimeError" not in failed.text
        page = client.get("/finns-inte")  # the pages keep their Swedish error pages
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "Sidan finns inte" in page.text


def test_too_large_and_too_many_are_problem_details_too(
    app: Litestar, client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = token_for(app, "samordnare@test")
    large = client.post(
        CASES,
        content=b'{"reason": "' + b"x" * (11 * 1024 * 1024) + b'"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert large.status_code == 413
    assert large.headers["content-type"].startswith("application/problem+json")
    assert large.json()["title"] == "För stort"

    def limited(*args: Any, **kwargs: Any) -> None:
        raise TooManyRequestsException(
            "För många anrop: vänta en stund.", headers={"Retry-After": "30"}
        )

    monkeypatch.setattr(app.state.services.cases, "team_board", limited)
    many = client.get(CASES, headers=headers)
    assert many.status_code == 429
    assert many.headers["retry-after"] == "30"
    assert many.json()["detail"] == "För många anrop: vänta en stund."


def test_a_body_nested_too_deep_to_read_is_refused_and_changes_nothing(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    seeded = ongoing_case(app)
    headers = {**token_for(app, "samordnare@test"), "Content-Type": "application/json"}
    events = count(app, events_table)
    for body in ("[" * 5000 + "]" * 5000, '{"a":' * 20000 + "1" + "}" * 20000):
        for url in (CASES, f"{CASES}/{seeded['case_id']}/steps"):
            answer = client.post(url, content=body, headers=headers)
            assert answer.status_code == 400, answer.text
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert answer.json()["detail"] == "Det som skickades gick inte att läsa som JSON."
    assert count(app, events_table) == events


def test_an_anonymous_enrolment_refuses_the_personal_data_it_would_drop(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    coordinator = user_of(app, "samordnare@test")
    insats = app.state.services.insatser.team_insatser(coordinator.team_id)[0].id
    headers = token_for(app, "samordnare@test")
    referred = client.post(
        CASES,
        json={
            "from_part": "FK",
            "from_caseworker": "Remitterande",
            "reason": "Behöver stöd",
            "referral_date": TODAY.isoformat(),
        },
        headers=headers,
    ).json()
    accepted = client.post(
        f"{CASES}/{referred['case_id']}/accept-referral",
        json={"expected_version": referred["version"], "accepted_on": TODAY.isoformat()},
        headers=headers,
    )
    assert accepted.status_code == 200, accepted.text
    url = f"{CASES}/{referred['case_id']}/enrol"
    version = accepted.json()["version"]
    events = count(app, events_table)
    body = {
        "expected_version": version,
        "registration_type": "anonymous",
        "gender": "woman",
        "start_date": TODAY.isoformat(),
        "insats_id": insats,
        "coordinator_id": coordinator.id,
        "age_group": "30-44",
    }
    refused = client.post(
        url,
        json={**body, "participant": {"name": PARTICIPANT, "personnummer": "19800101-0019"}},
        headers=headers,
    )
    assert refused.status_code == 422, refused.text
    assert set(refused.json()["errors"]) == {"participant"}
    assert count(app, events_table) == events
    assert client.post(url, json=body, headers=headers).status_code == 200


def test_a_referral_sent_again_with_its_idempotency_key_starts_one_case(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    headers = token_for(app, "samordnare@test")
    referral = {
        "from_part": "AF",
        "from_caseworker": "Remitterande",
        "reason": "Behöver stöd",
        "referral_date": TODAY.isoformat(),
    }
    key = {**headers, "Idempotency-Key": "6f1c2a52-7d0e-4a43-9a57-2f1f0d6f4b11"}
    first = client.post(CASES, json=referral, headers=key)
    again = client.post(CASES, json=referral, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["case_id"] == again.json()["case_id"]
    assert len(client.get(CASES, headers=headers).json()) == 1
    other = client.post(CASES, json=referral, headers=headers)
    assert other.json()["case_id"] != first.json()["case_id"]
    bad = client.post(CASES, json=referral, headers={**headers, "Idempotency-Key": "nej"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"Idempotency-Key": "Ange en UUID, till exempel från uuidgen."}


def test_a_value_of_the_wrong_kind_is_named_by_what_was_expected(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    headers = token_for(app, "samordnare@test")
    closed = client.get(CASES, params={"closed": "kanske"}, headers=headers)
    assert closed.status_code == 422
    assert closed.json()["errors"] == {"closed": "Ange true eller false."}
    referral = {"from_caseworker": ["a"], "reason": "Skäl", "referral_date": TODAY.isoformat()}
    wrong = client.post(CASES, json={**referral, "from_part": "FK"}, headers=headers)
    assert wrong.json()["errors"] == {"from_caseworker": "Ange en text."}
