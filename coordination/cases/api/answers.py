"""What the cases API answers: a case as a row of the list, and one case whole, as the gate
lets the reader see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import events
from coordination.cases.board import CaseRow
from coordination.cases.service import CaseFile, Cases
from coordination.shared.clock import TEAM_TIMEZONE
from coordination.shared.vocabulary import (
    ActivityStatus,
    MeetingMode,
    Part,
    RegistrationType,
    Stage,
)

# How the Läslogg names what the API showed.
SHOWN_BY = "API"


def _zoned(moment: datetime | None) -> datetime | None:
    """A time of the team's (meetings are kept in its local time) with its offset, as
    RFC 3339 wants it."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=TEAM_TIMEZONE)


def _open(value: Any) -> Any:
    """Personal data erased with the participant's key reads as null."""
    return None if value is events.ERASED else value


# -- what the API answers -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    """A case's code, stage, dates and SUS categories: no personal data."""

    id: str
    code: str
    stage: Stage
    version: int
    from_part: Part
    referral_date: date
    accepted_on: date | None
    registration_type: RegistrationType | None
    start_date: date | None
    consent_parts: list[Part]
    consent_withdrawn: bool
    coordinator_name: str | None
    insats_name: str | None
    plan_version: int
    level: int | None
    handovers: int
    closed_on: date | None
    closure_kind: str | None
    closure_reason: str | None
    next_meeting_at: datetime | None
    erased: bool

    @classmethod
    def of(cls, row: CaseRow) -> CaseSummary:
        return cls(
            id=row.case_id,
            code=row.case_code,
            stage=row.stage,
            version=row.version,
            from_part=row.from_part,
            referral_date=row.referral_date,
            accepted_on=row.accepted_on,
            registration_type=row.registration_type,
            start_date=row.start_date,
            consent_parts=list(row.consent_parts),
            consent_withdrawn=row.consent_withdrawn,
            coordinator_name=row.coordinator_name,
            insats_name=row.insats_name,
            plan_version=row.plan_version,
            level=row.level,
            handovers=row.handovers,
            closed_on=row.closed_on,
            closure_kind=row.closure_kind,
            closure_reason=row.closure_reason,
            next_meeting_at=_zoned(row.next_meeting_at),
            erased=row.erased_on is not None,
        )


@dataclass(frozen=True)
class ParticipantData:
    """The participant's personal data (null where erased or not given)."""

    name: str | None
    personnummer: str | None
    phone: str | None
    email: str | None
    address: str | None
    referral_reason: str | None
    decline_reason: str | None
    consent_note: str | None
    next_step: str | None


@dataclass(frozen=True)
class AssessmentOut:
    recorded_on: date
    situation: str | None
    formal_competences: str | None
    informal_competences: str | None
    interests: str | None
    obstacles: str | None
    motivation: str | None
    participant_words: str | None


@dataclass(frozen=True)
class ActivityOut:
    id: str
    what: str
    part: Part
    responsible_id: str
    start_on: date
    due_on: date
    status: ActivityStatus
    drop_reason: str


@dataclass(frozen=True)
class PlanOut:
    version: int
    goals_short: str
    goals_long: str
    participant_words: str
    staff_notes: str
    agreed_by: list[str]
    participant_agreed: bool
    agreed_on: date
    review_on: date


@dataclass(frozen=True)
class MeetingOut:
    """A meeting's time and status; its place, agenda and decisions only with the data."""

    id: str
    starts_at: datetime
    minutes: int
    mode: MeetingMode
    status: str
    place: str
    invitee_ids: list[str]
    agenda: str
    held_on: date | None
    attended_parts: list[Part]
    decisions: str


@dataclass(frozen=True)
class StepOut:
    """A step on the ladder (`kind` "step", `level`) or a self-assessment (`level` the
    score); its evidence or note only with the data."""

    kind: str
    recorded_on: date
    level: int
    phase: str | None
    text: str | None


@dataclass(frozen=True)
class FollowUpOut:
    months: int
    recorded_on: date
    occupation: str
    support_sources: list[str]
    in_work_or_studies: bool
    late: bool
    obstacles: str | None


@dataclass(frozen=True)
class TimelineEntry:
    """What happened, newest first: no personal data."""

    event_type: str
    recorded_at: datetime
    actor_name: str | None
    actor_part: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class CaseDetail:
    """One case as the gate lets the reader see it. `personal_data_shown`: the participant's
    data is in the answer (and the read is in the Läslogg); otherwise the personal fields
    are null or empty."""

    case: CaseSummary
    personal_data_shown: bool
    may_work: bool
    participant: ParticipantData | None
    assessments: list[AssessmentOut]
    plan: PlanOut | None
    activities: list[ActivityOut]
    meetings: list[MeetingOut]
    steps: list[StepOut]
    follow_ups: list[FollowUpOut]
    timeline: list[TimelineEntry]


@dataclass(frozen=True)
class CommandDone:
    """The case after the command: its id and its new version (the next `expected_version`)."""

    case_id: str
    version: int


def detail_of(cases: Cases, file: CaseFile) -> CaseDetail:
    reader = cases.reader
    people = cases.people(file)
    versions = reader.plan_versions(file)
    latest = versions[-1] if versions else None
    return CaseDetail(
        case=CaseSummary.of(file.row),
        personal_data_shown=file.personal,
        may_work=file.may_work,
        participant=ParticipantData(
            **{name: _open(people.get(name)) for name in ParticipantData.__annotations__}
        )
        if people is not None
        else None,
        assessments=[
            AssessmentOut(**{name: _open(a.get(name)) for name in AssessmentOut.__annotations__})
            for a in reader.assessments(file)
        ],
        plan=PlanOut(
            latest.version,
            latest.plan.goals_short,
            latest.plan.goals_long,
            latest.plan.participant_words,
            latest.plan.staff_notes,
            list(latest.plan.agreed_by),
            latest.plan.participant_agreed,
            latest.plan.agreed_on,
            latest.plan.review_on,
        )
        if latest is not None and latest.plan is not None
        else None,
        activities=[
            ActivityOut(
                a.activity_id,
                a.what,
                a.part,
                a.responsible_id,
                a.start_on,
                a.due_on,
                a.status,
                a.drop_reason,
            )
            for a in reader.activities(file)
        ],
        meetings=[
            MeetingOut(
                m.meeting_id,
                _zoned(m.starts_at) or m.starts_at,
                m.minutes,
                m.mode,
                str(m.status),
                m.place,
                list(m.invitee_ids),
                m.agenda,
                m.held_on,
                list(m.attended_parts),
                m.decisions,
            )
            for m in reader.meetings(file)
        ],
        steps=[
            StepOut(s["kind"], s["recorded_on"], s["level"], s["phase"], _open(s["text"]))
            for s in reader.steps(file)
        ],
        follow_ups=[
            FollowUpOut(
                f["months"],
                f["recorded_on"],
                f["occupation"],
                list(f["support_sources"]),
                f["in_work_or_studies"],
                f["late"],
                _open(f["obstacles"]),
            )
            for f in reader.follow_ups(file)
        ],
        timeline=[
            TimelineEntry(
                t["event_type"], t["recorded_at"], t["actor_name"], t["actor_part"], t["details"]
            )
            for t in cases.timeline(file)
        ],
    )
