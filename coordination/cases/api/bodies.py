"""What the cases API's commands take, and how a body becomes the domain's command, as the
case page's forms do."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from coordination.cases import domain as case
from coordination.shared import bounds
from coordination.shared.clock import TEAM_TIMEZONE
from coordination.shared.vocabulary import (
    ActivityStatus,
    AgeGroup,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    Gender,
    MeetingMode,
    Occupation,
    Part,
    RegistrationType,
    SelfAssessmentPhase,
    SupportSource,
    TimeInSupport,
)


def team_local(moment: datetime) -> datetime:
    """A time given to a command, in the team's local time as the forms take it: one with
    an offset is converted, one without is taken as the team's already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(TEAM_TIMEZONE).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


# -- what the commands take -------------------------------------------------------------------
# The API's own contract, not the domain's commands: those may change without breaking an
# integration, and the schema names the fields as the forms do.


@dataclass(frozen=True)
class ReferralBody:
    from_part: Part
    from_caseworker: str
    reason: str
    referral_date: date


@dataclass(frozen=True)
class AcceptReferralBody:
    expected_version: int
    accepted_on: date


@dataclass(frozen=True)
class DeclineReferralBody:
    expected_version: int
    reason: str
    declined_on: date


@dataclass(frozen=True)
class ParticipantBody:
    name: str
    personnummer: str
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class EnrolBody:
    expected_version: int
    registration_type: RegistrationType
    gender: Gender
    start_date: date
    insats_id: str
    coordinator_id: str
    consent_parts: list[Part] = field(default_factory=list)
    consent_note: str = ""
    participant: ParticipantBody | None = None
    age_group: AgeGroup | None = None
    education: EducationLevel | None = None
    support_sources: list[SupportSource] = field(default_factory=list)
    time_in_support: TimeInSupport | None = None
    occupation: Occupation | None = None
    duplicate_reason: str = ""


def dropped_when_anonymous(data: EnrolBody) -> dict[str, str]:
    """An anonymous case keeps kön, dates and the age group only: anything else sent with
    it is refused, so that a script never believes it stored what was dropped."""
    sent = {
        "participant": data.participant is not None,
        "consent_parts": bool(data.consent_parts),
        "consent_note": bool(data.consent_note),
        "education": data.education is not None,
        "support_sources": bool(data.support_sources),
        "time_in_support": data.time_in_support is not None,
        "occupation": data.occupation is not None,
        "duplicate_reason": bool(data.duplicate_reason),
    }
    return {
        name: "En anonym inskrivning sparar bara kön, datum och åldersgrupp: skicka inte detta."
        for name, given in sent.items()
        if given
    }


@dataclass(frozen=True)
class WithdrawConsentBody:
    expected_version: int
    reason: str


@dataclass(frozen=True)
class RenewConsentBody:
    expected_version: int
    consent_parts: list[Part]
    consent_note: str = ""


@dataclass(frozen=True)
class AssessmentBody:
    expected_version: int
    recorded_on: date
    situation: str = ""
    formal_competences: str = ""
    informal_competences: str = ""
    interests: str = ""
    obstacles: str = ""
    motivation: str = ""
    participant_words: str = ""


@dataclass(frozen=True)
class ActivityBody:
    """An activity of the plan; `id` of one already in it keeps its status."""

    what: str
    part: Part
    responsible_id: str
    start_on: date
    due_on: date
    id: str | None = None


@dataclass(frozen=True)
class PlanBody:
    """The first plan, or a revision of the agreed one (then `reason` says why)."""

    expected_version: int
    agreed_on: date
    goals_short: str = ""
    goals_long: str = ""
    participant_words: str = ""
    staff_notes: str = ""
    activities: list[ActivityBody] = field(default_factory=list)
    agreed_by: list[str] = field(default_factory=list)
    participant_agreed: bool = False
    review_on: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class ActivityStatusBody:
    expected_version: int
    status: ActivityStatus
    on: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class MeetingBody:
    """A network meeting to call: `starts_at` with an offset, or without one in the team's
    local time (Europe/Stockholm)."""

    starts_at: datetime
    minutes: int
    mode: MeetingMode
    invitee_ids: list[str]
    place: str = ""
    participant_invited: bool = True
    others_invited: str = ""
    agenda: str = ""


@dataclass(frozen=True)
class ScheduleMeetingBody:
    expected_version: int
    meeting: MeetingBody


@dataclass(frozen=True)
class RecordMeetingBody:
    expected_version: int
    held_on: date
    attended_parts: list[Part]
    participant_attended: bool = False
    decisions: str = ""
    new_activities: list[ActivityBody] = field(default_factory=list)
    next_meeting: MeetingBody | None = None
    activity_statuses: dict[str, ActivityStatus] = field(default_factory=dict)


@dataclass(frozen=True)
class MoveMeetingBody:
    expected_version: int
    starts_at: datetime
    place: str = ""
    reason: str = ""


@dataclass(frozen=True)
class CancelMeetingBody:
    expected_version: int
    reason: str


@dataclass(frozen=True)
class StepBody:
    expected_version: int
    recorded_on: date
    to_level: int
    evidence: str = ""


@dataclass(frozen=True)
class SelfAssessmentBody:
    expected_version: int
    recorded_on: date
    phase: SelfAssessmentPhase
    score: int
    note: str = ""


@dataclass(frozen=True)
class HandOverBody:
    """`part`: the part whose responsibility is handed over; null for the samordnare's."""

    expected_version: int
    to_id: str
    reason: str
    part: Part | None = None


@dataclass(frozen=True)
class CloseBody:
    expected_version: int
    kind: ClosureKind
    reason: ClosureReason
    occupation: Occupation
    closed_on: date
    support_sources: list[SupportSource] = field(default_factory=list)
    next_step: str = ""
    no_next_step: bool = False


@dataclass(frozen=True)
class ReopenBody:
    expected_version: int
    reason: str
    consent_parts: list[Part]
    reopened_on: date
    consent_note: str = ""


@dataclass(frozen=True)
class FollowUpBody:
    expected_version: int
    recorded_on: date
    occupation: Occupation
    support_sources: list[SupportSource] = field(default_factory=list)
    obstacles: str = ""


@dataclass(frozen=True)
class StartAfterSupportBody:
    expected_version: int
    started_on: date
    planned_end: date | None = None


@dataclass(frozen=True)
class AfterSupportContactBody:
    expected_version: int
    contacted_on: date
    note: str = ""


@dataclass(frozen=True)
class EndAfterSupportBody:
    expected_version: int
    ended_on: date


# The fields of several lines (textareas on the pages); every other text is one line.
FREE_TEXT = frozenset(
    {
        "reason",
        "consent_note",
        "situation",
        "formal_competences",
        "informal_competences",
        "interests",
        "obstacles",
        "motivation",
        "participant_words",
        "goals_short",
        "goals_long",
        "staff_notes",
        "agenda",
        "decisions",
        "evidence",
        "note",
        "next_step",
        "duplicate_reason",
    }
)


# -- reading bodies into commands, as the forms do ---------------------------------------------

Build = Callable[[dict[str, str]], case.Command]


def activity_of(
    body: ActivityBody,
    key: str,
    errors: dict[str, str],
    existing: Mapping[str, case.Activity],
    part_of_staff: Mapping[str, Part],
) -> case.Activity:
    """As a plan row of the form: the responsible person works for the activity's part."""
    if part_of_staff.get(body.responsible_id, body.part) != body.part:
        errors[f"{key}.responsible_id"] = f"Välj någon som arbetar på {body.part.label}."
    earlier = existing.get(body.id or "")
    return case.Activity(
        earlier.activity_id if earlier else str(uuid.uuid4()),
        body.what,
        body.part,
        body.responsible_id,
        body.start_on,
        body.due_on,
        earlier.status if earlier else ActivityStatus.PLANNED,
        earlier.drop_reason if earlier else "",
    )


def meeting_of(body: MeetingBody, meeting_id: str | None = None) -> case.MeetingScheduled:
    return case.MeetingScheduled(
        meeting_id or str(uuid.uuid4()),
        team_local(body.starts_at),
        body.minutes,
        body.mode,
        body.place,
        tuple(body.invitee_ids),
        body.participant_invited,
        body.others_invited,
        body.agenda,
    )


def meeting_problems(body: MeetingBody | None, prefix: str) -> dict[str, str]:
    """What the form's fields refuse of a meeting: a length out of bounds."""
    if body is None:
        return {}
    found = {}
    low, high = bounds.MEETING_MINUTES
    if not low <= body.minutes <= high:
        found[f"{prefix}minutes"] = f"Ange ett heltal från {low} till {high}."
    return found
