"""A demo team with obviously fictitious people and cases, for looking around."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial

from personnummer import personnummer
from sqlalchemy.engine import Engine

from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.cases.service import Cases
from coordination.shared.access import User
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

DEMO_PASSWORD = "demo-losenord"
STAFF = [
    ("Demo Handläggare AF", "af@demo.samordna", Part.AF, Role.CASEWORKER),
    ("Demo Handläggare FK", "fk@demo.samordna", Part.FK, Role.CASEWORKER),
    ("Demo Handläggare Vårdcentral", "region@demo.samordna", Part.REGION, Role.CASEWORKER),
    ("Demo Handläggare Psykiatri", "psykiatri@demo.samordna", Part.REGION, Role.CASEWORKER),
    ("Demo Handläggare Socialtjänst", "kommun@demo.samordna", Part.KOMMUN, Role.CASEWORKER),
    ("Demo Handläggare Arbetsmarknad", "ame@demo.samordna", Part.KOMMUN, Role.CASEWORKER),
    ("Demo Samordnare", "samordnare@demo.samordna", Part.KOMMUN, Role.COORDINATOR),
    ("Demo Teamledare", "teamledare@demo.samordna", Part.FK, Role.TEAM_LEADER),
    ("Demo Administratör", "admin@demo.samordna", Part.KOMMUN, Role.ADMINISTRATOR),
    ("Demo Analytiker", "analytiker@demo.samordna", Part.KOMMUN, Role.ANALYST),
]


# A second team with its own administratör and samordnare: it sees nothing of the first.
NEIGHBOURS = [
    ("Granne Samordnare", "samordnare@granne.samordna", Part.AF, Role.COORDINATOR),
    ("Granne Administratör", "admin@granne.samordna", Part.AF, Role.ADMINISTRATOR),
]


INSATSER = [
    ("Demo: Steget vidare", InsatsType.REHABILITATION),
    ("Demo: Motivationsgruppen", InsatsType.PREPARATORY),
    ("Demo: Kartläggning tolv veckor", InsatsType.ASSESSMENT),
]


def fictitious_personnummer(rng: random.Random) -> str:
    born = date(1962, 1, 1) + timedelta(days=rng.randrange(365 * 44))
    serial = f"{rng.randrange(900, 999)}"  # serials in the 9xx range mark test numbers
    for check in range(10):
        candidate = f"{born:%Y%m%d}-{serial}{check}"
        if personnummer.valid(candidate):
            return candidate
    raise AssertionError("a check digit always exists")


def _referral(code: str, team_id: str, referrer: User, referred: date) -> case.RegisterReferral:
    return case.RegisterReferral(
        code,
        team_id,
        referrer.part,
        referrer.name,
        "Demo: behöver samordnat stöd från flera parter",
        referred,
    )


def seed(engine: Engine, cases: Cases, today: date, count: int = 40) -> list[User]:
    team_id = Accounts(engine).create_team("Samordningsteamet (demo)")
    staff = [
        Accounts(engine).create_user(team_id, name, email, part, role, DEMO_PASSWORD)
        for name, email, part, role in STAFF
    ]
    programmes = [
        Insatser(engine).add_insats(team_id, name, kind, today - timedelta(days=730), None)
        for name, kind in INSATSER
    ]
    neighbours = Accounts(engine).create_team("Grannteamet (demo)")
    for name, email, part, role in NEIGHBOURS:
        Accounts(engine).create_user(neighbours, name, email, part, role, DEMO_PASSWORD)
    rng = random.Random(2026)
    for number in range(1, count + 1):
        _demo_case(cases, rng, number, today, team_id, staff, programmes)
    return staff


def _demo_case(
    cases: Cases,
    rng: random.Random,
    number: int,
    today: date,
    team_id: str,
    staff: list[User],
    programmes: list[str],
) -> None:
    """Case `number` taken as far as its stage: referral, declined, accepted, enrolled,
    consent withdrawn, planning, ongoing, closed."""
    caseworkers = [u for u in staff if u.role is Role.CASEWORKER]
    coordinator = next(u for u in staff if u.role is Role.COORDINATOR)
    referrer = rng.choice(caseworkers)
    stage = number % 8
    # Closed demo cases lie far enough back for their first follow-up to be due.
    back = (
        rng.randrange(5, 30)
        if stage < 5
        else rng.randrange(60, 200)
        if stage < 7
        else rng.randrange(200, 300)
    )
    referred = today - timedelta(days=back)
    case_id = cases.register_referral(
        referrer, partial(_referral, team_id=team_id, referrer=referrer, referred=referred)
    )

    def run(command: case.Command) -> None:
        cases.execute(
            coordinator,
            case_id,
            cases.store.stream_version(case_events.case_stream(case_id)),
            command,
        )

    if stage == 0:
        return
    if stage == 1:
        run(case.DeclineReferral("Demo: under 16 år", referred))
        return
    accepted = referred + timedelta(days=rng.randrange(1, 4))
    run(case.AcceptReferral(accepted))
    if stage == 2:
        return
    anonymous = number % 7 == 0
    parts = tuple(sorted(rng.sample(list(Part), rng.randrange(2, 5))))
    start = accepted + timedelta(days=rng.randrange(0, 2))
    run(_enrolment(rng, number, anonymous, start, programmes, coordinator, parts))
    if stage == 3 or anonymous:
        return
    if stage == 4:
        run(case.WithdrawConsent("Demo", today))
        return
    _demo_journey(run, rng, stage, start, today, parts, staff, coordinator)


def _enrolment(
    rng: random.Random,
    number: int,
    anonymous: bool,
    start: date,
    programmes: list[str],
    coordinator: User,
    parts: tuple[Part, ...],
) -> case.Enrol:
    return case.Enrol(
        RegistrationType.ANONYMOUS if anonymous else RegistrationType.PERSONAL,
        rng.choice(list(Gender)),
        start,
        rng.choice(programmes),
        coordinator.id,
        parts,
        "",
        case.Participant(f"Demo Deltagare {number:02d}", fictitious_personnummer(rng)),
        rng.choice(list(AgeGroup)),
        rng.choice(list(EducationLevel)),
        tuple(rng.sample(list(SupportSource), rng.randrange(1, 3))),
        rng.choice(list(TimeInSupport)),
    )


def _demo_journey(
    run: Callable[[case.Command], None],
    rng: random.Random,
    stage: int,
    start: date,
    today: date,
    parts: tuple[Part, ...],
    staff: list[User],
    coordinator: User,
) -> None:
    assessed = start + timedelta(days=7)
    run(
        case.RecordAssessment(
            "Demo: har stått utanför arbetsmarknaden länge",
            "Demo: gymnasieexamen",
            "Demo: van att ta hand om djur",
            "Demo: trädgård",
            "Demo: oro inför nya sammanhang",
            "Demo: vill komma vidare",
            "Demo: jag vill ha en vanlig vardag",
            assessed,
        )
    )
    if stage == 5:
        return
    agreed = assessed + timedelta(days=7)
    run(_plan(rng, agreed, parts, staff, coordinator))
    run(case.RecordStep(agreed, rng.randrange(0, 3), "Demo: bedömning vid planering"))
    run(case.RecordStep(agreed + timedelta(days=30), rng.randrange(3, 5), "Demo: praktik"))
    if stage == 6:
        run(_meeting(rng, today, parts, staff, coordinator))
        return
    closed = min(agreed + timedelta(days=60), today)
    run(
        case.CloseCase(
            ClosureKind.COMPLETED,
            ClosureReason.WORK,
            rng.choice([Occupation.WORK_SUBSIDISED, Occupation.WORK_UNSUBSIDISED]),
            (SupportSource.NONE,),
            "Demo: efterstöd från samordnaren",
            False,
            closed,
        )
    )


def _plan(
    rng: random.Random, agreed: date, parts: tuple[Part, ...], staff: list[User], coordinator: User
) -> case.AgreePlan:
    responsible = {u.part: u for u in staff if u.role is Role.CASEWORKER}
    activities = tuple(
        case.Activity(
            f"demo-{index}",
            f"Demo: aktivitet hos {part.label}",
            part,
            responsible.get(part, coordinator).id,
            agreed,
            agreed + timedelta(days=rng.randrange(20, 120)),
        )
        for index, part in enumerate(parts[:3])
    )
    return case.AgreePlan(
        case.Plan(
            "Demo: komma igång med praktik",
            "Demo: arbete eller studier",
            "Demo: jag vill känna mig behövd",
            "",
            activities,
            (coordinator.id,),
            True,
            agreed,
            case.default_review_on(agreed),
        )
    )


def _meeting(
    rng: random.Random, today: date, parts: tuple[Part, ...], staff: list[User], coordinator: User
) -> case.ScheduleMeeting:
    meeting_day = today + timedelta(days=rng.randrange(0, 5))
    return case.ScheduleMeeting(
        case.MeetingScheduled(
            str(uuid.uuid4()),
            datetime.combine(meeting_day, time(9 + rng.randrange(0, 6), 0)),
            60,
            MeetingMode.IN_PERSON,
            "Demo: mötesrum Samordna",
            tuple(u.id for u in staff if u.part in parts and u.role is Role.CASEWORKER)
            or (coordinator.id,),
            True,
            "",
            "Demo: hur går praktiken?",
        )
    )
