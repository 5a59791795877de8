"""Demo teams with obviously fictitious people and cases.

    __init__.py   `seed`: the demo team with three years of history (and a neighbouring
                  team that sees none of it), for looking around; `seed_large`: a large
                  team for benchmarks
    journeys.py   the three years of cases, as histories of commands
    large.py      the large team's cases, alike and quick to make

Both go through the bulk path of the case service: the same deciders, store and read
models as the forms, many cases per transaction."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy.engine import Engine

from coordination.accounts.insatser import Insatser, Session, Sessions
from coordination.accounts.service import Accounts
from coordination.cases.service import Cases
from coordination.demo import journeys, large
from coordination.shared.access import User
from coordination.shared.vocabulary import (
    AgeGroup,
    Gender,
    InsatsType,
    Part,
    RegistrationKind,
    Role,
)

DEMO_PASSWORD = "demo-losenord"
STAFF = [
    ("Demo Handläggare AF", "af@demo.samordna", Part.AF, Role.CASEWORKER),
    ("Demo Handläggare FK", "fk@demo.samordna", Part.FK, Role.CASEWORKER),
    ("Demo Handläggare Vårdcentral", "region@demo.samordna", Part.REGION, Role.CASEWORKER),
    ("Demo Handläggare Psykiatri", "psykiatri@demo.samordna", Part.REGION, Role.CASEWORKER),
    ("Demo Handläggare Socialtjänst", "kommun@demo.samordna", Part.KOMMUN, Role.CASEWORKER),
    ("Demo Handläggare Arbetsmarknad", "ame@demo.samordna", Part.KOMMUN, Role.CASEWORKER),
    ("Demo Samordnare", "samordnare@demo.samordna", Part.KOMMUN, Role.COORDINATOR),
    ("Demo Samordnare Två", "samordnare2@demo.samordna", Part.FK, Role.COORDINATOR),
    ("Demo Teamledare", "teamledare@demo.samordna", Part.FK, Role.TEAM_LEADER),
    ("Demo Administratör", "admin@demo.samordna", Part.KOMMUN, Role.ADMINISTRATOR),
    ("Demo Analytiker", "analytiker@demo.samordna", Part.KOMMUN, Role.ANALYST),
    ("Demo Förbundet", "forbund@demo.samordna", Part.KOMMUN, Role.FORBUND),
]

# A second team with its own administratör and samordnare: it sees nothing of the first.
NEIGHBOURS = [
    ("Granne Samordnare", "samordnare@granne.samordna", Part.AF, Role.COORDINATOR),
    ("Granne Administratör", "admin@granne.samordna", Part.AF, Role.ADMINISTRATOR),
]

# (name, kind, began so many months ago or None: before the demo's first referral, ended so
# many months ago or None)
INSATSER = [
    ("Demo: Steget vidare", InsatsType.REHABILITATION, None, None),
    ("Demo: Motivationsgruppen", InsatsType.PREPARATORY, None, 10),
    ("Demo: Kartläggning tolv veckor", InsatsType.ASSESSMENT, None, None),
    ("Demo: Unga vuxna i arbete", InsatsType.PREPARATORY, 14, None),
]


def seed(engine: Engine, cases: Cases, today: date, years: int = 3) -> int:
    """The demo team with `years` years of cases up to today, and its neighbour; returns
    the number of cases."""
    team_id = Accounts(engine).create_team("Samordningsteamet (demo)")
    staff = [
        Accounts(engine).create_user(team_id, name, email, part, role, DEMO_PASSWORD)
        for name, email, part, role in STAFF
    ]
    insatser = []
    for name, kind, began, ended in INSATSER:
        begins = today - relativedelta(months=began or years * 12 + 3)
        ends = None if ended is None else today - relativedelta(months=ended)
        insatser.append(
            (Insatser(engine).add_insats(team_id, name, kind, begins, ends), begins, ends)
        )
    _counted_sessions(engine, team_id, staff, today, years)
    neighbours = Accounts(engine).create_team("Grannteamet (demo)")
    for name, email, part, role in NEIGHBOURS:
        Accounts(engine).create_user(neighbours, name, email, part, role, DEMO_PASSWORD)
    histories = list(journeys.team_years(journeys.Team(team_id, staff, insatser), today, years))
    cases.import_histories(histories)
    return len(histories)


def _counted_sessions(
    engine: Engine, team_id: str, staff: list[User], today: date, years: int
) -> None:
    """A volyminsats with an information meeting most weeks, and a strukturinsats with a
    training for the parts' staff each quarter, counted as SUS counts them."""
    rng = random.Random(years)
    began = today - relativedelta(years=years)
    meetings = Insatser(engine).add_insats(
        team_id,
        "Demo: Informationsträffar",
        InsatsType.PREVENTIVE,
        began,
        None,
        registration_kind=RegistrationKind.VOLUME,
    )
    training = Insatser(engine).add_insats(
        team_id,
        "Demo: Gemensam utbildning för parterna",
        InsatsType.OTHER,
        began,
        None,
        registration_kind=RegistrationKind.STRUCTURAL,
    )
    sessions, recorder = Sessions(engine), next(u for u in staff if u.role is Role.COORDINATOR)
    day = began + timedelta(days=3)
    while day < today:
        if rng.random() < 0.8:
            women, men = rng.randrange(2, 9), rng.randrange(1, 7)
            young = rng.randrange(0, women + men + 1)
            counts = Session(
                str(uuid.UUID(int=rng.getrandbits(128))),
                meetings,
                day,
                {Gender.WOMAN: women, Gender.MAN: men},
                {AgeGroup.AGE_16_29: young},
                {},
            )
            sessions.record(team_id, counts, recorder.id, datetime.now(UTC))
        if day.month % 3 == 0 and day.day <= 7:
            counts = Session(
                str(uuid.UUID(int=rng.getrandbits(128))),
                training,
                day,
                {},
                {},
                {part: rng.randrange(1, 6) for part in Part},
            )
            sessions.record(team_id, counts, recorder.id, datetime.now(UTC))
        day += timedelta(days=7)


def seed_large(engine: Engine, cases: Cases, today: date, count: int, coordinators: int = 1) -> int:
    """The team "Bänkteamet" with `count` cases, about four in five open: see `large.py`.
    Returns the events appended."""
    team = large.create_team(engine, today, coordinators)
    return cases.import_histories(large.histories(team, today, count))


__all__ = ["DEMO_PASSWORD", "User", "seed", "seed_large"]
