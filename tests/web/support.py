"""Driving the web app as a user does: log in, post forms with the CSRF token, read pages."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.accounts.tables import users
from coordination.app import create_app
from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.cases.tables import cases
from coordination.config import load_settings
from coordination.shared import database as db
from coordination.shared.clock import TEAM_TIMEZONE
from coordination.shared.vocabulary import (
    AgeGroup,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    Gender,
    InsatsType,
    Occupation,
    Part,
    RegistrationType,
    Role,
    SupportSource,
    TimeInSupport,
)

# Every web test runs at this moment in the team's time zone (tests/web/conftest.py moves the
# clock there with time-machine; time still ticks from it).
NOW = datetime(2026, 11, 17, 10, 0, tzinfo=TEAM_TIMEZONE)
TODAY = NOW.date()
WALL_CLOCK = NOW.replace(tzinfo=None)

PASSWORD = "ett-langt-losenord"
PERSONNUMMER = "19800101-0019"

# The test team: email, part, role.
STAFF = [
    ("samordnare@test", Part.KOMMUN, Role.COORDINATOR),
    ("af@test", Part.AF, Role.CASEWORKER),
    ("fk@test", Part.FK, Role.CASEWORKER),
    ("region@test", Part.REGION, Role.CASEWORKER),
    ("kommun@test", Part.KOMMUN, Role.CASEWORKER),
    ("analytiker@test", Part.KOMMUN, Role.ANALYST),
    ("forbund@test", Part.KOMMUN, Role.FORBUND),
    ("ledare@test", Part.FK, Role.TEAM_LEADER),
    ("admin@test", Part.KOMMUN, Role.ADMINISTRATOR),
]


def build_app(
    database_url: str, data_dir: Path, environment: Mapping[str, str] | None = None
) -> Iterator[Litestar]:
    """A migrated app with the test team, a second team with one coordinator, and an insats;
    `environment` adds to its configuration."""
    settings = load_settings(
        {
            "SAMORDNA_DATA_DIR": str(data_dir),
            "SAMORDNA_DATABASE_URL": database_url,
            "SAMORDNA_SWEEP_SECONDS": "0",  # the tests drive the reminder clock themselves
            # many requests with one token, on a clock that barely moves; the limit itself is
            # tested with a low one (test_tokens_and_feed.py)
            "SAMORDNA_API_RATE_PER_MINUTE": "1000000",
            **(environment or {}),
        }
    )
    engine = db.connect(database_url)
    db.migrate(engine)
    team = Accounts(engine).create_team("Testteamet")
    for email, part, role in STAFF:
        Accounts(engine).create_user(team, email.split("@")[0].title(), email, part, role, PASSWORD)
    other = Accounts(engine).create_team("Grannteamet")
    Accounts(engine).create_user(
        other, "Granne", "granne@test", Part.AF, Role.COORDINATOR, PASSWORD
    )
    Insatser(engine).add_insats(
        team, "Steget vidare", InsatsType.REHABILITATION, date(2025, 1, 1), None
    )
    application = create_app(settings, engine)
    yield application
    engine.dispose()


def client_for(app: Any, email: str) -> TestClient[Any]:
    client = TestClient(app)
    client.__enter__()
    client.get("/logga-in")
    response = client.post(
        "/logga-in",
        data={"email": email, "password": PASSWORD, **csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    return client


def csrf(client: TestClient[Any]) -> dict[str, str]:
    return {"_csrf_token": client.cookies.get("csrftoken") or ""}


def referral(client: TestClient[Any], **overrides: str) -> Any:
    data = {
        "from_part": "FK",
        "from_caseworker": "Remitterande Handläggare",
        "reason": "Långvarig sjukskrivning och försörjningsstöd",
        "referral_date": (TODAY - timedelta(days=20)).isoformat(),
        **overrides,
        **csrf(client),
    }
    return client.post("/remisser/ny", data=data)


def case_id_from(response: Any) -> str:
    found = re.search(r"/arenden/([0-9a-f-]{36})", str(response.url))
    assert found, response.url
    return found.group(1)


def version_of(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found
    return found.group(1)


def staff_of_part(page: str, select: str, part: str) -> str:
    """The first person a select offers among the staff of `part` (an optgroup's label)."""
    found = re.search(
        rf'<select id="{re.escape(select)}".*?<optgroup label="{part}">\s*<option value="([^"]+)"',
        page,
        re.S,
    )
    assert found, (select, part)
    return found.group(1)


def option_value(page: str, select: str) -> str:
    """The value of the first real option of a select on the page."""
    found = re.search(rf'<select id="{select}".*?<option value="([^"]+)"', page, re.S)
    assert found, select
    return found.group(1)


def enrol(client: TestClient[Any], case_id: str, page: str = "", **overrides: Any) -> Any:
    """Fill in the enrolment form of the case page (the given one, as the user opened it)."""
    page = page or client.get(f"/arenden/{case_id}").text
    data: dict[str, Any] = {
        "version": version_of(page),
        "registration_type": "personal",
        "name": "Testa Deltagarsson",
        "personnummer": PERSONNUMMER,
        "consent_parts": ["FK", "KOMMUN"],
        "gender": "woman",
        "age_group": "45-59",
        "education": "upper_secondary",
        "support_sources": ["social_assistance", "sickness_benefit"],
        "time_in_support": "3-6",
        "occupation": "jobseeker",
        "insats_id": option_value(page, "insats_id"),
        "coordinator_id": option_value(page, "coordinator_id"),
        "start_date": (TODAY - timedelta(days=10)).isoformat(),
        **overrides,
        **csrf(client),
    }
    return client.post(f"/arenden/{case_id}/inskrivning", data=data)


def accepted_case(client: TestClient[Any], referred_on: date | None = None) -> str:
    """A referral accepted five days after it came (by default 20 days ago)."""
    referred_on = referred_on or TODAY - timedelta(days=20)
    case_id = case_id_from(referral(client, referral_date=referred_on.isoformat()))
    page = client.get(f"/arenden/{case_id}").text
    client.post(
        f"/arenden/{case_id}/godta",
        data={
            "version": version_of(page),
            "accepted_on": (referred_on + timedelta(days=5)).isoformat(),
            **csrf(client),
        },
    )
    return case_id


def enrolled_case(client: TestClient[Any], **overrides: Any) -> str:
    """An enrolled case. The tests' participants share one personnummer, so each enrolment
    says why the person may have another open case."""
    case_id = accepted_case(client)
    overrides.setdefault("duplicate_reason", "Testärende: samma deltagare i flera ärenden")
    response = enrol(client, case_id, **overrides)
    assert response.status_code == 200, response.text
    return case_id


def section(client: TestClient[Any], case_id: str, slug: str) -> str:
    """One section of the case page (`deltagare`, `steg`, `tidslinje`, …) as its link opens it."""
    response = client.get(f"/arenden/{case_id}/avsnitt/{slug}")
    assert response.status_code == 200, response.text
    return response.text


def count_cases(app: Any) -> int:
    with app.state.services.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar_one())


def team_of(app: Any, email: str) -> str:
    with app.state.services.engine.connect() as conn:
        team_id: str = conn.execute(
            sa.select(users.c.team_id).where(users.c.email == email)
        ).scalar_one()
    return team_id


def closed_case(app: Any, closed_days_ago: int = 100) -> str:
    """A case closed to work `closed_days_ago` days ago, made through the case service with
    dates in the past (the web forms only take today's): its 3-month follow-up is due."""
    services = app.state.services
    coordinator = next(
        u
        for u in Accounts(services.engine).team_users(team_of(app, "samordnare@test"))
        if u.email == "samordnare@test"
    )
    started = TODAY - timedelta(days=closed_days_ago + 100)
    closed_on = TODAY - timedelta(days=closed_days_ago)
    cases_ = services.cases
    insats = services.insatser.team_insatser(coordinator.team_id)[0].id
    case_id: str = cases_.register_referral(
        coordinator,
        lambda code: case.RegisterReferral(
            code, coordinator.team_id, Part.FK, "Remittent", "Skäl", started
        ),
    )
    for command in (
        case.AcceptReferral(started),
        case.Enrol(
            RegistrationType.PERSONAL,
            Gender.WOMAN,
            started,
            insats,
            coordinator.id,
            (Part.FK, Part.KOMMUN),
            "",
            case.Participant("Testa Deltagarsson", PERSONNUMMER),
            AgeGroup.AGE_30_44,
            EducationLevel.UNKNOWN,
            (SupportSource.SOCIAL_ASSISTANCE,),
            TimeInSupport.FROM_1_TO_3,
            Occupation.JOBSEEKER,
            duplicate_reason="Testärende: samma deltagare i flera ärenden",
        ),
        case.CloseCase(
            ClosureKind.COMPLETED,
            ClosureReason.WORK,
            Occupation.WORK_UNSUBSIDISED,
            (SupportSource.NONE,),
            "Efterstöd",
            False,
            closed_on,
        ),
    ):
        cases_.execute(
            coordinator,
            case_id,
            cases_.store.stream_version(case_events.case_stream(case_id)),
            command,
        )
    return case_id


def neighbour_with_an_insats(app: Any) -> TestClient[Any]:
    """The other team's samordnare, signed in, with an insats their team can enrol in."""
    app.state.services.insatser.add_insats(
        team_of(app, "granne@test"),
        "Grannens insats",
        InsatsType.PREPARATORY,
        TODAY - timedelta(days=365),
        None,
    )
    return client_for(app, "granne@test")
