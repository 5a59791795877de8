"""The stored event contract of a case: what happened, as immutable past-tense facts.

These dataclasses are what the store holds (by class name, as JSON), so a field is never
renamed or dropped; `PERSONAL_FIELDS` names the fields encrypted under the participant's key.
The value objects an event carries (Participant, Activity, Plan) live here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from coordination.shared.vocabulary import (
    ActivityStatus,
    AgeGroup,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    ErasureReason,
    Gender,
    MeetingMode,
    Occupation,
    Part,
    RegistrationType,
    SelfAssessmentPhase,
    SupportSource,
    TimeInSupport,
)

# -- referral and enrolment ------------------------------------------------------------


@dataclass(frozen=True)
class ReferralReceived:
    case_code: str
    team_id: str
    from_part: Part
    from_caseworker: str
    reason: str
    referral_date: date


@dataclass(frozen=True)
class ReferralAccepted:
    accepted_on: date


@dataclass(frozen=True)
class ReferralDeclined:
    reason: str
    declined_on: date


@dataclass(frozen=True)
class Participant:
    name: str
    personnummer: str
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class ParticipantEnrolled:
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
    # added 2026-12: enrolments recorded before carry none ("Uppgift saknas" in statistics)
    occupation: Occupation | None = None
    # why enrolled although the personnummer was on another open case (personal: sealed)
    duplicate_reason: str = ""


@dataclass(frozen=True)
class ConsentWithdrawn:
    reason: str
    withdrawn_on: date


@dataclass(frozen=True)
class ConsentRenewed:
    consent_parts: tuple[Part, ...]
    consent_note: str
    renewed_on: date


# -- assessment and plan ---------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentRecorded:
    """Kartläggning; a later one is a new version, the earlier stay readable."""

    situation: str
    formal_competences: str
    informal_competences: str
    interests: str
    obstacles: str
    motivation: str
    participant_words: str
    recorded_on: date


@dataclass(frozen=True)
class Activity:
    activity_id: str
    what: str
    part: Part
    responsible_id: str
    start_on: date
    due_on: date
    status: ActivityStatus = ActivityStatus.PLANNED
    drop_reason: str = ""


@dataclass(frozen=True)
class Plan:
    """The samordnad handlingsplan as agreed: the participant's own words kept apart."""

    goals_short: str
    goals_long: str
    participant_words: str
    staff_notes: str
    activities: tuple[Activity, ...]
    agreed_by: tuple[str, ...]
    participant_agreed: bool
    agreed_on: date
    review_on: date


# The plan reads as None once the participant's data has been erased.
@dataclass(frozen=True)
class PlanAgreed:
    plan: Plan | None


@dataclass(frozen=True)
class PlanRevised:
    version: int
    plan: Plan | None
    reason: str
    meeting_id: str = ""


@dataclass(frozen=True)
class ActivityStarted:
    activity_id: str
    started_on: date


@dataclass(frozen=True)
class ActivityCompleted:
    activity_id: str
    completed_on: date


@dataclass(frozen=True)
class ActivityDropped:
    activity_id: str
    reason: str
    dropped_on: date


# -- network meetings ------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingScheduled:
    meeting_id: str
    starts_at: datetime
    minutes: int
    mode: MeetingMode
    place: str
    invitee_ids: tuple[str, ...]
    participant_invited: bool
    others_invited: str
    agenda: str


@dataclass(frozen=True)
class MeetingMoved:
    meeting_id: str
    starts_at: datetime
    place: str
    reason: str


@dataclass(frozen=True)
class MeetingCancelled:
    meeting_id: str
    reason: str


@dataclass(frozen=True)
class MeetingHeld:
    meeting_id: str
    held_on: date
    attended_parts: tuple[Part, ...]
    participant_attended: bool
    decisions: str
    next_meeting_id: str = ""


# -- progress: steps, self-assessments, handovers --------------------------------------


@dataclass(frozen=True)
class StepRecorded:
    recorded_on: date
    from_level: int | None
    to_level: int
    evidence: str


@dataclass(frozen=True)
class SelfAssessmentRecorded:
    recorded_on: date
    phase: SelfAssessmentPhase
    score: int
    note: str


@dataclass(frozen=True)
class CaseHandedOver:
    """Responsibility moved: `part` is None for the samordnare, else that part's handläggare."""

    part: Part | None
    from_id: str
    to_id: str
    reason: str
    handed_over_on: date


# -- closure, reopening, follow-up and after-support -----------------------------------


@dataclass(frozen=True)
class CaseClosed:
    kind: ClosureKind
    reason: ClosureReason
    occupation: Occupation
    support_sources: tuple[SupportSource, ...]
    next_step: str
    closed_on: date


@dataclass(frozen=True)
class CaseReopened:
    reason: str
    consent_parts: tuple[Part, ...]
    consent_note: str
    reopened_on: date


@dataclass(frozen=True)
class FollowUpRecorded:
    """Uppföljning after closure: where the participant is `months` after it."""

    months: int
    recorded_on: date
    occupation: Occupation
    support_sources: tuple[SupportSource, ...]
    in_work_or_studies: bool
    obstacles: str
    # after its window (added 2026-12: follow-ups recorded before carry False)
    late: bool = False


@dataclass(frozen=True)
class AfterSupportStarted:
    started_on: date
    planned_end: date


@dataclass(frozen=True)
class AfterSupportContactLogged:
    contacted_on: date
    note: str


@dataclass(frozen=True)
class AfterSupportEnded:
    ended_on: date


# -- erasure and retention: no personal data in any of them ----------------------------


@dataclass(frozen=True)
class ErasureRequested:
    reason: ErasureReason
    requested_by: str
    requested_on: date


@dataclass(frozen=True)
class ErasureCancelled:
    cancelled_on: date


@dataclass(frozen=True)
class PersonalDataErased:
    """The participant's key was deleted in the same transaction: every copy of their
    personal data is unreadable from now on. `requested_by` and `confirmed_by` are empty
    when the retention rule erased it."""

    reason: ErasureReason
    requested_by: str
    confirmed_by: str
    erased_on: date


@dataclass(frozen=True)
class RetentionHeld:
    reason: str
    held_on: date


@dataclass(frozen=True)
class RetentionReleased:
    released_on: date


Event = (
    ReferralReceived
    | ReferralAccepted
    | ReferralDeclined
    | ParticipantEnrolled
    | ConsentWithdrawn
    | ConsentRenewed
    | AssessmentRecorded
    | PlanAgreed
    | PlanRevised
    | ActivityStarted
    | ActivityCompleted
    | ActivityDropped
    | MeetingScheduled
    | MeetingMoved
    | MeetingCancelled
    | MeetingHeld
    | StepRecorded
    | SelfAssessmentRecorded
    | CaseHandedOver
    | CaseClosed
    | CaseReopened
    | FollowUpRecorded
    | AfterSupportStarted
    | AfterSupportContactLogged
    | AfterSupportEnded
    | ErasureRequested
    | ErasureCancelled
    | PersonalDataErased
    | RetentionHeld
    | RetentionReleased
)

# The texts of an assessment: every one is the participant's personal data.
ASSESSMENT_TEXTS = (
    "situation",
    "formal_competences",
    "informal_competences",
    "interests",
    "obstacles",
    "motivation",
    "participant_words",
)

# Fields that hold the participant's personal data: encrypted under their own key.
PERSONAL_FIELDS: Mapping[str, tuple[str, ...]] = {
    "ReferralReceived": ("reason",),
    "ReferralDeclined": ("reason",),
    "ParticipantEnrolled": ("participant", "consent_note", "duplicate_reason"),
    "ConsentWithdrawn": ("reason",),
    "ConsentRenewed": ("consent_note",),
    "AssessmentRecorded": ASSESSMENT_TEXTS,
    "PlanAgreed": ("plan",),
    "PlanRevised": ("plan", "reason"),
    "ActivityDropped": ("reason",),
    "MeetingScheduled": ("place", "others_invited", "agenda"),
    "MeetingMoved": ("place", "reason"),
    "MeetingCancelled": ("reason",),
    "MeetingHeld": ("decisions",),
    "StepRecorded": ("evidence",),
    "SelfAssessmentRecorded": ("note",),
    "CaseHandedOver": ("reason",),
    "CaseClosed": ("next_step",),
    "CaseReopened": ("reason", "consent_note"),
    "FollowUpRecorded": ("obstacles",),
    "AfterSupportContactLogged": ("note",),
}
