"""Driving the JSON API as an integration does: a personal access token, JSON in and out."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.shared.access import User
from coordination.shared.vocabulary import (
    AgeGroup,
    EducationLevel,
    Gender,
    MeetingMode,
    Occupation,
    Part,
    RegistrationType,
    SupportSource,
    TimeInSupport,
    TokenScope,
)
from tests.web.support import NOW, PERSONNUMMER, TODAY, team_of

PARTICIPANT = "Apia Deltagarsson"


def user_of(app: Any, email: str) -> User:
    services = app.state.services
    found: User = next(
        u for u in services.accounts.team_users(team_of(app, email)) if u.email == email
    )
    return found


def token_for(
    app: Any, email: str, scope: TokenScope = TokenScope.WRITE, days: int = 30
) -> dict[str, str]:
    """The Authorization header of a new token of the user's."""
    services = app.state.services
    now = NOW.astimezone()
    token = services.tokens.create(
        user_of(app, email), "test", scope, now + timedelta(days=days), now - timedelta(days=1)
    )
    return {"Authorization": f"Bearer {token}"}


def ongoing_case(app: Any, parts: tuple[Part, ...] = (Part.FK, Part.KOMMUN)) -> dict[str, str]:
    """An enrolled case of the test team with a plan of one activity and a meeting planned:
    its id, code, meeting id and activity id."""
    services = app.state.services
    coordinator = user_of(app, "samordnare@test")
    insats = services.insatser.team_insatser(coordinator.team_id)[0].id
    case_id = services.cases.register_referral(
        coordinator,
        lambda code: case.RegisterReferral(
            code, coordinator.team_id, Part.FK, "Remittent", "Skäl", TODAY - timedelta(days=30)
        ),
    )
    meeting_id, activity_id = str(uuid.uuid4()), str(uuid.uuid4())
    for command in (
        case.AcceptReferral(TODAY - timedelta(days=25)),
        case.Enrol(
            RegistrationType.PERSONAL,
            Gender.WOMAN,
            TODAY - timedelta(days=20),
            insats,
            coordinator.id,
            parts,
            "",
            case.Participant(PARTICIPANT, PERSONNUMMER),
            AgeGroup.AGE_30_44,
            EducationLevel.UNKNOWN,
            (SupportSource.SOCIAL_ASSISTANCE,),
            TimeInSupport.FROM_1_TO_3,
            Occupation.JOBSEEKER,
            duplicate_reason="Testet: samma deltagare i flera ärenden",
        ),
        case.AgreePlan(
            case.Plan(
                "Praktik",
                "",
                "",
                "",
                (
                    case.Activity(
                        activity_id,
                        "Söka praktik",
                        parts[0],
                        coordinator.id,
                        TODAY - timedelta(days=10),
                        TODAY + timedelta(days=30),
                    ),
                ),
                (coordinator.id,),
                True,
                TODAY - timedelta(days=10),
                TODAY + timedelta(days=80),
            )
        ),
        case.ScheduleMeeting(
            case.MeetingScheduled(
                meeting_id,
                datetime.combine(TODAY + timedelta(days=2), time(10)),
                60,
                MeetingMode.IN_PERSON,
                "Rum 4",
                (coordinator.id,),
                True,
                "",
                "Planen",
            )
        ),
    ):
        version = services.cases.store.stream_version(case_events.case_stream(case_id))
        services.cases.execute(coordinator, case_id, version, command)
    row = services.cases.case(case_id)
    assert row is not None
    return {
        "case_id": case_id,
        "case_ref": row.case_code,
        "meeting_id": meeting_id,
        "activity_id": activity_id,
    }
