"""A demo team with obviously fictitious people and cases, for looking around."""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import partial

from personnummer import personnummer
from sqlalchemy.engine import Engine

from coordination import accounts, insatser
from coordination.accounts import User
from coordination.cases import Cases
from coordination.domain import case
from coordination.domain.vocabulary import (
    AgeGroup,
    EducationLevel,
    Gender,
    InsatsType,
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
    team_id = accounts.create_team(engine, "Samordningsteamet (demo)")
    staff = [
        accounts.create_user(engine, team_id, name, email, part, role, DEMO_PASSWORD)
        for name, email, part, role in STAFF
    ]
    programmes = [
        insatser.add_insats(engine, team_id, name, kind, today - timedelta(days=730), None)
        for name, kind in INSATSER
    ]
    caseworkers = [u for u in staff if u.role is Role.CASEWORKER]
    coordinator = next(u for u in staff if u.role is Role.COORDINATOR)
    rng = random.Random(2026)
    for number in range(1, count + 1):
        referrer = rng.choice(caseworkers)
        referred = today - timedelta(days=rng.randrange(5, 200))
        case_id = cases.register_referral(
            referrer, partial(_referral, team_id=team_id, referrer=referrer, referred=referred)
        )
        stage = number % 5
        if stage == 0:
            continue
        if stage == 1:
            cases.execute(
                coordinator, case_id, 1, case.DeclineReferral("Demo: under 16 år", referred)
            )
            continue
        accepted = referred + timedelta(days=rng.randrange(1, 5))
        cases.execute(coordinator, case_id, 1, case.AcceptReferral(accepted))
        if stage == 2:
            continue
        anonymous = number % 7 == 0
        parts = tuple(sorted(rng.sample(list(Part), rng.randrange(2, 5))))
        cases.execute(
            coordinator,
            case_id,
            2,
            case.Enrol(
                RegistrationType.ANONYMOUS if anonymous else RegistrationType.PERSONAL,
                rng.choice(list(Gender)),
                accepted + timedelta(days=rng.randrange(0, 4)),
                rng.choice(programmes),
                coordinator.id,
                parts,
                "",
                case.Participant(f"Demo Deltagare {number:02d}", fictitious_personnummer(rng)),
                rng.choice(list(AgeGroup)),
                rng.choice(list(EducationLevel)),
                tuple(rng.sample(list(SupportSource), rng.randrange(1, 3))),
                rng.choice(list(TimeInSupport)),
            ),
        )
        if stage == 4 and not anonymous:
            cases.execute(coordinator, case_id, 3, case.WithdrawConsent("Demo", today))
    return staff
