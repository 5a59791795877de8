"""Server time of the caseload and statistics pages on a large team, against a trivial page
of the app measured in the same run.

Seeds a SQLite file with N active cases (default 5,000) of about 40 events each (about
200,000 events), every case's history decided by the real decider and appended in one batch
through the event store with its inline read models. Then requests each page with
Litestar's test client and prints, as the last line, one JSON object: per page the median
and 95th percentile in milliseconds, and their ratio to the trivial page (the login form).

    uv run python bench/pages.py [--cases 5000] [--requests 30]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

import events
from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.app import Services, create_app
from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.config import load_settings
from coordination.shared import database as db
from coordination.shared.access import User
from coordination.shared.clock import Clock
from coordination.shared.vocabulary import (
    AgeGroup,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    Gender,
    InsatsType,
    MeetingMode,
    Occupation,
    Part,
    RegistrationType,
    Role,
    SupportSource,
    TimeInSupport,
)

PASSWORD = "ett-langt-losenord"
TODAY = Clock().today()


def history(
    rng: random.Random, number: int, team: str, staff: list[User], insats: str
) -> list[case.Event]:
    """One case's facts, decided command by command as the service would: `staff[0]` is its
    coordinator, `staff[1]` the caseworker of its activity and meetings."""
    coordinator = staff[0]
    start = TODAY - timedelta(days=rng.randrange(300, 700))
    code = f"B-{number:06d}"
    parts = (Part.FK, Part.KOMMUN)
    commands: list[tuple[date, Any]] = [
        (start, case.RegisterReferral(code, team, Part.FK, "Remittent", "Skäl", start)),
        (start, case.AcceptReferral(start)),
        (
            start,
            case.Enrol(
                RegistrationType.PERSONAL,
                rng.choice(list(Gender)),
                start,
                insats,
                coordinator.id,
                parts,
                "",
                case.Participant(f"Bänk {number}", "19800101-0019"),
                rng.choice(list(AgeGroup)),
                rng.choice(list(EducationLevel)),
                tuple(rng.sample(list(SupportSource), 2)),
                rng.choice(list(TimeInSupport)),
            ),
        ),
        (start, case.RecordAssessment("s", "f", "i", "in", "o", "m", "p", start)),
    ]
    activity = case.Activity(
        str(uuid.uuid4()), "Praktik", Part.KOMMUN, staff[1].id, start, start + timedelta(days=90)
    )
    agreed = start + timedelta(days=7)
    commands.append(
        (
            agreed,
            case.AgreePlan(
                case.Plan(
                    "m",
                    "l",
                    "o",
                    "",
                    (activity,),
                    (coordinator.id,),
                    True,
                    agreed,
                    case.default_review_on(agreed),
                )
            ),
        )
    )
    day = agreed
    for _ in range(12):
        day += timedelta(days=14)
        meeting_id = str(uuid.uuid4())
        commands.append(
            (
                day,
                case.ScheduleMeeting(
                    case.MeetingScheduled(
                        meeting_id,
                        datetime.combine(day, datetime.min.time()).replace(hour=9),
                        60,
                        MeetingMode.IN_PERSON,
                        "Rum",
                        (staff[1].id,),
                        True,
                        "",
                        "Dagordning",
                    )
                ),
            )
        )
        commands.append((day, case.RecordMeeting(meeting_id, day, parts, True, "Beslut")))
    level = 0
    for _ in range(10):
        day += timedelta(days=7)
        level = min(6, level + rng.choice((1, 1, 2))) if level < 6 else 5
        commands.append((day, case.RecordStep(day, level, "Underlag")))
    if rng.random() < 0.2:
        commands.append(
            (
                day,
                case.CloseCase(
                    ClosureKind.COMPLETED,
                    ClosureReason.WORK,
                    rng.choice(list(Occupation)),
                    (SupportSource.NONE,),
                    "Efterstöd",
                    False,
                    day,
                ),
            )
        )
    facts: list[case.Event] = []
    for on, command in commands:
        facts.extend(case.decide(command, case.fold(facts), on))
    return facts


COORDINATOR_EMAIL = "samordnare{}@bench"


def seed(services: Services, count: int, coordinators: int = 1) -> int:
    """The team "Bänkteamet" with `count` cases shared in turn among `coordinators`
    coordinators (samordnare0@bench, samordnare1@bench, …), twelve caseworkers and the
    teamledare ledare@bench, all with the password PASSWORD. Returns the events appended.

    Whatever the number of coordinators, the cases' facts are the same; only whose case
    each one is differs."""
    engine, store = services.engine, services.cases.store
    team = Accounts(engine).create_team("Bänkteamet")
    leads = [
        Accounts(engine).create_user(
            team,
            f"Samordnare {n}",
            COORDINATOR_EMAIL.format(n),
            Part.KOMMUN,
            Role.COORDINATOR,
            PASSWORD,
        )
        for n in range(coordinators)
    ]
    caseworkers = [
        Accounts(engine).create_user(
            team, f"Person {n}", f"p{n}@bench", part, Role.CASEWORKER, PASSWORD
        )
        for n, part in enumerate(list(Part) * 3, start=1)
    ]
    Accounts(engine).create_user(
        team, "Ledare", "ledare@bench", Part.FK, Role.TEAM_LEADER, PASSWORD
    )
    insats = Insatser(engine).add_insats(
        team, "Insats", InsatsType.REHABILITATION, TODAY - timedelta(days=900), None
    )
    rng = random.Random(7)
    appended = 0
    for number in range(count):
        lead = leads[number % len(leads)]
        case_id = str(uuid.uuid4())
        facts = history(rng, number, team, [lead, *caseworkers], insats)
        metadata = events.metadata_of(actor=lead.id, actor_group=lead.part)
        store.append(
            case_events.case_stream(case_id),
            0,
            [
                case_events.new_event(f, case_events.participant_subject(case_id), metadata)
                for f in facts
            ],
        )
        appended += len(facts)
    return appended


def measure(client: TestClient[Any], path: str, requests: int) -> dict[str, float]:
    client.get(path)  # warm
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
    }


@contextmanager
def seeded_app(cases: int) -> Iterator[tuple[Litestar, dict[str, Any]]]:
    """The app on a SQLite file in a temporary folder, seeded with `cases` cases, and what
    the seeding made and took."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        settings = load_settings(
            {
                "SAMORDNA_DATA_DIR": folder,
                "SAMORDNA_DATABASE_URL": url,
                "SAMORDNA_SWEEP_SECONDS": "0",
            }
        )
        engine = db.connect(url)
        db.migrate(engine)
        app = create_app(settings, engine)
        started = time.perf_counter()
        appended = seed(app.state.services, cases)
        seeded_s = time.perf_counter() - started
        yield app, {"cases": cases, "events": appended, "seed_s": round(seeded_s, 1)}
        engine.dispose()


def log_in(client: TestClient[Any], email: str) -> None:
    client.get("/logga-in")  # the CSRF cookie
    client.post(
        "/logga-in",
        data={
            "email": email,
            "password": PASSWORD,
            "_csrf_token": client.cookies.get("csrftoken", ""),
        },
    )


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    with seeded_app(args.cases) as (app, seeded), TestClient(app) as client:
        baseline = measure(client, "/logga-in", args.requests)
        log_in(client, "ledare@bench")
        pages = {
            path: measure(client, path, args.requests)
            for path in ("/arbetsbelastning", f"/statistik?ar={TODAY.year}")
        }
    result: dict[str, Any] = {**seeded, "baseline": baseline}
    for path, figures in pages.items():
        figures["ratio_median"] = round(figures["median_ms"] / baseline["median_ms"], 1)
        result[path] = figures
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
