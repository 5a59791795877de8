"""The commands of a case: what a user asks for, which `decide` accepts or rejects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from coordination.cases.domain.events import Activity, MeetingScheduled, Participant, Plan
from coordination.shared.vocabulary import (
    ActivityStatus,
    AgeGroup,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    ErasureReason,
    Gender,
    Occupation,
    Part,
    RegistrationType,
    SelfAssessmentPhase,
    SupportSource,
    TimeInSupport,
)


@dataclass(frozen=True)
class RegisterReferral:
    case_code: str
    team_id: str
    from_part: Part
    from_caseworker: str
    reason: str
    referral_date: date


@dataclass(frozen=True)
class AcceptReferral:
    accepted_on: date


@dataclass(frozen=True)
class DeclineReferral:
    reason: str
    declined_on: date


def _distinct_choices(command: object, *names: str) -> None:
    """A choice of several (parts, sources of support) names each once, however often it
    was sent (the API takes a list): kept in the order first given."""
    for name in names:
        object.__setattr__(command, name, tuple(dict.fromkeys(getattr(command, name))))


@dataclass(frozen=True)
class Enrol:
    registration_type: RegistrationType
    gender: Gender
    start_date: date
    insats_id: str
    coordinator_id: str
    consent_parts: tuple[Part, ...] = ()
    consent_note: str = ""
    participant: Participant | None = None
    age_group: AgeGroup | None = None
    education: EducationLevel | None = None
    support_sources: tuple[SupportSource, ...] = ()
    time_in_support: TimeInSupport | None = None
    occupation: Occupation | None = None
    # why the person is enrolled although the personnummer is on an open case already
    duplicate_reason: str = ""

    def __post_init__(self) -> None:
        _distinct_choices(self, "consent_parts", "support_sources")


@dataclass(frozen=True)
class WithdrawConsent:
    reason: str
    withdrawn_on: date


@dataclass(frozen=True)
class RenewConsent:
    consent_parts: tuple[Part, ...]
    consent_note: str
    renewed_on: date

    def __post_init__(self) -> None:
        _distinct_choices(self, "consent_parts")


@dataclass(frozen=True)
class RecordAssessment:
    situation: str
    formal_competences: str
    informal_competences: str
    interests: str
    obstacles: str
    motivation: str
    participant_words: str
    recorded_on: date


@dataclass(frozen=True)
class AgreePlan:
    """Agree the first plan, or revise the agreed one (then `reason` says why)."""

    plan: Plan
    reason: str = ""


@dataclass(frozen=True)
class ChangeActivity:
    activity_id: str
    status: ActivityStatus
    on: date
    reason: str = ""


@dataclass(frozen=True)
class ScheduleMeeting:
    meeting: MeetingScheduled


@dataclass(frozen=True)
class MoveMeeting:
    meeting_id: str
    starts_at: datetime
    place: str
    reason: str


@dataclass(frozen=True)
class CancelMeeting:
    meeting_id: str
    reason: str


@dataclass(frozen=True)
class RecordMeeting:
    """A held meeting; its decisions may add activities to the plan (a new plan version)
    and call the next meeting."""

    meeting_id: str
    held_on: date
    attended_parts: tuple[Part, ...]
    participant_attended: bool
    decisions: str
    new_activities: tuple[Activity, ...] = ()
    next_meeting: MeetingScheduled | None = None
    # activity id -> the status the meeting decided (a change of the plan, like new activities)
    activity_statuses: Mapping[str, ActivityStatus] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordStep:
    recorded_on: date
    to_level: int
    evidence: str


@dataclass(frozen=True)
class RecordSelfAssessment:
    recorded_on: date
    phase: SelfAssessmentPhase
    score: int
    note: str


@dataclass(frozen=True)
class HandOver:
    part: Part | None
    to_id: str
    reason: str
    on: date


@dataclass(frozen=True)
class CloseCase:
    kind: ClosureKind
    reason: ClosureReason
    occupation: Occupation
    support_sources: tuple[SupportSource, ...]
    next_step: str
    no_next_step: bool
    closed_on: date


@dataclass(frozen=True)
class ReopenCase:
    reason: str
    consent_parts: tuple[Part, ...]
    consent_note: str
    reopened_on: date

    def __post_init__(self) -> None:
        _distinct_choices(self, "consent_parts")


@dataclass(frozen=True)
class FollowUpPoints:
    """When the team follows up after closure: so many months after it, each within a window
    of `window_months` either side (DOMAIN.md: 3, 6 and 12 months, ± 1 month)."""

    months: tuple[int, ...] = (3, 6, 12)
    window_months: int = 1


@dataclass(frozen=True)
class RecordFollowUp:
    """Whether the participant is in work or studies follows from the occupation."""

    months: int
    recorded_on: date
    occupation: Occupation
    support_sources: tuple[SupportSource, ...]
    obstacles: str
    points: FollowUpPoints = FollowUpPoints()


@dataclass(frozen=True)
class StartAfterSupport:
    started_on: date
    planned_end: date


@dataclass(frozen=True)
class LogAfterSupportContact:
    contacted_on: date
    note: str


@dataclass(frozen=True)
class EndAfterSupport:
    ended_on: date


@dataclass(frozen=True)
class RequestErasure:
    reason: ErasureReason
    requested_by: str
    on: date


@dataclass(frozen=True)
class CancelErasure:
    on: date


@dataclass(frozen=True)
class ConfirmErasure:
    confirmed_by: str
    on: date


@dataclass(frozen=True)
class EraseAfterRetention:
    """The retention rule's erasure, run by the clock, not by a person."""

    on: date


@dataclass(frozen=True)
class HoldRetention:
    reason: str
    on: date


@dataclass(frozen=True)
class ReleaseRetention:
    on: date


Command = (
    RegisterReferral
    | AcceptReferral
    | DeclineReferral
    | Enrol
    | WithdrawConsent
    | RenewConsent
    | RecordAssessment
    | AgreePlan
    | ChangeActivity
    | ScheduleMeeting
    | MoveMeeting
    | CancelMeeting
    | RecordMeeting
    | RecordStep
    | RecordSelfAssessment
    | HandOver
    | CloseCase
    | ReopenCase
    | RecordFollowUp
    | StartAfterSupport
    | LogAfterSupportContact
    | EndAfterSupport
    | RequestErasure
    | CancelErasure
    | ConfirmErasure
    | EraseAfterRetention
    | HoldRetention
    | ReleaseRetention
)
