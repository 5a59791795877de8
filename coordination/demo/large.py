"""A large team for benchmarks: "Bänkteamet", its staff (password PASSWORD) and any number
of active cases of about 40 events each, alike in shape and quick to make.

Each case began 300 to 700 days ago: referral, enrolment, assessment and plan, twelve
network meetings scheduled and held two weeks apart, ten steps on the ladder; about one in
five is closed. Whatever the number of coordinators, the cases' facts are the same; only
whose case each one is differs."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine

from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.cases import domain as case
from coordination.cases.service import CaseHistory
from coordination.shared.access import User
from coordination.shared.vocabulary import (
    SUPPORT_AT_ENROLMENT,
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
COORDINATOR_EMAIL = "samordnare{}@bench"
LEADER_EMAIL = "ledare@bench"


@dataclass(frozen=True)
class BenchTeam:
    team_id: str
    coordinators: list[User]
    caseworkers: list[User]
    insats_id: str


def create_team(engine: Engine, today: date, coordinators: int) -> BenchTeam:
    """The team with `coordinators` coordinators (samordnare0@bench, samordnare1@bench, …),
    twelve caseworkers (p1@bench …) and the teamledare ledare@bench."""
    accounts = Accounts(engine)
    team = accounts.create_team("Bänkteamet")
    leads = [
        accounts.create_user(
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
        accounts.create_user(team, f"Person {n}", f"p{n}@bench", part, Role.CASEWORKER, PASSWORD)
        for n, part in enumerate(list(Part) * 3, start=1)
    ]
    accounts.create_user(team, "Ledare", LEADER_EMAIL, Part.FK, Role.TEAM_LEADER, PASSWORD)
    insats = Insatser(engine).add_insats(
        team, "Insats", InsatsType.REHABILITATION, today - timedelta(days=900), None
    )
    return BenchTeam(team, leads, caseworkers, insats)


def histories(team: BenchTeam, today: date, count: int, seed: int = 7) -> Iterator[CaseHistory]:
    rng = random.Random(seed)
    for number in range(count):
        lead = team.coordinators[number % len(team.coordinators)]
        commands = _commands(rng, number, today, team, lead)
        yield CaseHistory(str(uuid.uuid4()), [(on, lead, command) for on, command in commands])


def _commands(
    rng: random.Random, number: int, today: date, team: BenchTeam, lead: User
) -> list[tuple[date, case.Command]]:
    start = today - timedelta(days=rng.randrange(300, 700))
    caseworker = team.caseworkers[0]
    parts = (Part.FK, Part.KOMMUN)
    commands: list[tuple[date, case.Command]] = [
        (
            start,
            case.RegisterReferral(
                f"B-{number:06d}", team.team_id, Part.FK, "Remittent", "Skäl", start
            ),
        ),
        (start, case.AcceptReferral(start)),
        (
            start,
            case.Enrol(
                RegistrationType.PERSONAL,
                rng.choice(list(Gender)),
                start,
                team.insats_id,
                lead.id,
                parts,
                "",
                case.Participant(f"Bänk {number}", "19800101-0019"),
                rng.choice(list(AgeGroup)),
                rng.choice(list(EducationLevel)),
                tuple(rng.sample(SUPPORT_AT_ENROLMENT, 2)),
                rng.choice(list(TimeInSupport)),
                rng.choice([Occupation.JOBSEEKER, Occupation.NONE]),
            ),
        ),
        (start, case.RecordAssessment("s", "f", "i", "in", "o", "m", "p", start)),
    ]
    activity = case.Activity(
        str(uuid.UUID(int=rng.getrandbits(128))),
        "Praktik",
        Part.KOMMUN,
        caseworker.id,
        start,
        start + timedelta(days=90),
    )
    agreed = start + timedelta(days=7)
    plan = case.Plan(
        "m", "l", "o", "", (activity,), (lead.id,), True, agreed, case.default_review_on(agreed)
    )
    commands.append((agreed, case.AgreePlan(plan)))
    day = agreed
    for _ in range(12):
        day += timedelta(days=14)
        meeting_id = str(uuid.UUID(int=rng.getrandbits(128)))
        starts_at = datetime.combine(day, datetime.min.time()).replace(hour=9)
        meeting = case.MeetingScheduled(
            meeting_id,
            starts_at,
            60,
            MeetingMode.IN_PERSON,
            "Rum",
            (caseworker.id,),
            True,
            "",
            "Dagordning",
        )
        commands.append((day, case.ScheduleMeeting(meeting)))
        commands.append((day, case.RecordMeeting(meeting_id, day, parts, True, "Beslut")))
    level = 0
    for _ in range(10):
        day += timedelta(days=7)
        level = min(6, level + rng.choice((1, 1, 2))) if level < 6 else 5
        commands.append((day, case.RecordStep(day, level, "Underlag")))
    if rng.random() < 0.2:
        closure = case.CloseCase(
            ClosureKind.COMPLETED,
            ClosureReason.WORK,
            rng.choice(list(Occupation)),
            (SupportSource.NONE,),
            "Efterstöd",
            False,
            day,
        )
        commands.append((day, closure))
    return commands
