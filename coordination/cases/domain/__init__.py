"""A case (ärende) from referral to enrolment, as a decider: pure `decide` and `evolve`.

The domain imports no framework, no database and no clock: today's date is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from personnummer import personnummer

from coordination.shared.vocabulary import (
    WORK_OR_STUDIES,
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
    Stage,
    SupportSource,
    TimeInSupport,
)


class Rejected(Exception):
    """A command that is not allowed, with a Swedish message per field ("" for the form)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


# -- events ----------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ConsentWithdrawn:
    reason: str
    withdrawn_on: date


@dataclass(frozen=True)
class ConsentRenewed:
    consent_parts: tuple[Part, ...]
    consent_note: str
    renewed_on: date


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


# The reminders' own bookkeeping lives in a stream of its own per case ("reminders-<case>"),
# so that a reminder going out never makes a user's open form on the case stale.


@dataclass(frozen=True)
class ReminderSent:
    """A notification went out: which reminder, to whom, how (email or the weekly digest)."""

    key: str
    kind: str
    recipient_id: str
    channel: str


@dataclass(frozen=True)
class ReminderDone:
    key: str
    done_by: str


@dataclass(frozen=True)
class ReminderSnoozed:
    key: str
    until: date


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
    | ReminderSent
    | ReminderDone
    | ReminderSnoozed
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
    "ParticipantEnrolled": ("participant", "consent_note"),
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

# -- commands --------------------------------------------------------------------------


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


@dataclass(frozen=True)
class WithdrawConsent:
    reason: str
    withdrawn_on: date


@dataclass(frozen=True)
class RenewConsent:
    consent_parts: tuple[Part, ...]
    consent_note: str
    renewed_on: date


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


@dataclass(frozen=True)
class RecordFollowUp:
    months: int
    recorded_on: date
    occupation: Occupation
    support_sources: tuple[SupportSource, ...]
    in_work_or_studies: bool
    obstacles: str


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
)

# -- state -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingState:
    status: str  # "scheduled", "held" or "cancelled"
    starts_at: datetime


@dataclass(frozen=True)
class CaseState:
    stage: Stage | None = None
    referral_date: date | None = None
    accepted_on: date | None = None
    registration_type: RegistrationType | None = None
    start_date: date | None = None
    consent_parts: frozenset[Part] = field(default_factory=frozenset)
    consent_withdrawn: bool = False
    coordinator_id: str = ""
    caseworkers: Mapping[Part, str] = field(default_factory=dict)
    assessments: int = 0
    plan: Plan | None = None
    plan_version: int = 0
    meetings: Mapping[str, MeetingState] = field(default_factory=dict)
    level: int | None = None
    closed_on: date | None = None
    occupation_at_closure: Occupation | None = None
    follow_ups: frozenset[int] = field(default_factory=frozenset)
    after_support_started: date | None = None
    after_support_ended: date | None = None

    @property
    def exists(self) -> bool:
        return self.stage is not None

    @property
    def anonymous(self) -> bool:
        return self.registration_type is RegistrationType.ANONYMOUS

    @property
    def working_stage(self) -> Stage:
        """The stage an open case is in, from what it holds."""
        if self.plan_version:
            return Stage.ONGOING
        return Stage.PLANNING if self.assessments else Stage.ENROLLED


INITIAL = CaseState()


def evolve(state: CaseState, event: Event) -> CaseState:
    match event:
        case ReferralReceived():
            return replace(state, stage=Stage.REFERRAL, referral_date=event.referral_date)
        case ReferralAccepted():
            return replace(state, accepted_on=event.accepted_on)
        case ReferralDeclined():
            return replace(state, stage=Stage.DECLINED)
        case ParticipantEnrolled():
            return replace(
                state,
                stage=Stage.ENROLLED,
                coordinator_id=event.coordinator_id,
                registration_type=event.registration_type,
                start_date=event.start_date,
                consent_parts=frozenset(event.consent_parts),
                consent_withdrawn=False,
            )
        case ConsentWithdrawn():
            return replace(state, consent_withdrawn=True, consent_parts=frozenset())
        case ConsentRenewed():
            return replace(
                state, consent_withdrawn=False, consent_parts=frozenset(event.consent_parts)
            )
        case AssessmentRecorded():
            state = replace(state, assessments=state.assessments + 1)
            return replace(state, stage=state.working_stage)
        case PlanAgreed():
            return replace(state, plan=event.plan, plan_version=1, stage=Stage.ONGOING)
        case PlanRevised():
            return replace(state, plan=event.plan, plan_version=event.version)
        case ActivityStarted():
            return _with_activity(state, event.activity_id, status=ActivityStatus.ONGOING)
        case ActivityCompleted():
            return _with_activity(state, event.activity_id, status=ActivityStatus.DONE)
        case ActivityDropped():
            return _with_activity(
                state, event.activity_id, status=ActivityStatus.DROPPED, drop_reason=event.reason
            )
        case MeetingScheduled():
            return _with_meeting(
                state, event.meeting_id, MeetingState("scheduled", event.starts_at)
            )
        case MeetingMoved():
            return _with_meeting(
                state, event.meeting_id, MeetingState("scheduled", event.starts_at)
            )
        case MeetingCancelled():
            meeting = state.meetings[event.meeting_id]
            return _with_meeting(state, event.meeting_id, replace(meeting, status="cancelled"))
        case MeetingHeld():
            meeting = state.meetings[event.meeting_id]
            return _with_meeting(state, event.meeting_id, replace(meeting, status="held"))
        case StepRecorded():
            return replace(state, level=event.to_level)
        case CaseHandedOver():
            if event.part is None:
                return replace(state, coordinator_id=event.to_id)
            return replace(state, caseworkers={**state.caseworkers, event.part: event.to_id})
        case CaseClosed():
            return replace(
                state,
                stage=Stage.CLOSED,
                closed_on=event.closed_on,
                occupation_at_closure=event.occupation,
                follow_ups=frozenset(),
                after_support_started=None,
                after_support_ended=None,
            )
        case FollowUpRecorded():
            return replace(state, follow_ups=state.follow_ups | {event.months})
        case AfterSupportStarted():
            return replace(state, after_support_started=event.started_on)
        case AfterSupportEnded():
            return replace(state, after_support_ended=event.ended_on)
        case CaseReopened():
            state = replace(state, closed_on=None, occupation_at_closure=None)
            if state.registration_type is RegistrationType.PERSONAL:
                state = replace(
                    state, consent_parts=frozenset(event.consent_parts), consent_withdrawn=False
                )
            return replace(state, stage=state.working_stage)
    return state


def _with_activity(state: CaseState, activity_id: str, **changes: object) -> CaseState:
    if state.plan is None:
        return state
    activities = tuple(
        replace(a, **changes) if a.activity_id == activity_id else a  # type: ignore[arg-type]
        for a in state.plan.activities
    )
    return replace(state, plan=replace(state.plan, activities=activities))


def _with_meeting(state: CaseState, meeting_id: str, meeting: MeetingState) -> CaseState:
    return replace(state, meetings={**state.meetings, meeting_id: meeting})


def fold(events: Sequence[Event]) -> CaseState:
    state = INITIAL
    for event in events:
        state = evolve(state, event)
    return state


# -- decide ----------------------------------------------------------------------------


def decide(command: Command, state: CaseState, today: date) -> list[Event]:
    match command:
        case RegisterReferral():
            return _register_referral(command, state, today)
        case AcceptReferral():
            _require_open_referral(state)
            _require(
                command.accepted_on >= _given(state.referral_date),
                "accepted_on",
                "Datumet kan inte vara före remissdatumet.",
            )
            _require(
                command.accepted_on <= today, "accepted_on", "Datumet kan inte ligga i framtiden."
            )
            return [ReferralAccepted(command.accepted_on)]
        case DeclineReferral():
            _require_open_referral(state)
            _require(bool(command.reason.strip()), "reason", "Ange varför remissen avböjs.")
            _require(
                command.declined_on >= _given(state.referral_date),
                "declined_on",
                "Datumet kan inte vara före remissdatumet.",
            )
            return [ReferralDeclined(command.reason.strip(), command.declined_on)]
        case Enrol():
            return _enrol(command, state, today)
        case WithdrawConsent():
            _require_enrolled(state)
            if state.registration_type is not RegistrationType.PERSONAL:
                raise Rejected({"": "Ett anonymt ärende har inget samtycke att återkalla."})
            if state.consent_withdrawn:
                raise Rejected({"": "Samtycket är redan återkallat."})
            return [ConsentWithdrawn(command.reason.strip(), command.withdrawn_on)]
        case RenewConsent():
            _require_enrolled(state)
            if state.registration_type is not RegistrationType.PERSONAL:
                raise Rejected({"": "Ett anonymt ärende har inget samtycke att förnya."})
            _require(
                bool(command.consent_parts),
                "consent_parts",
                "Välj minst en part som samtycket gäller.",
            )
            return [
                ConsentRenewed(
                    tuple(command.consent_parts), command.consent_note.strip(), command.renewed_on
                )
            ]
        case RecordAssessment():
            return _record_assessment(command, state, today)
        case AgreePlan():
            return _agree_plan(command, state, today)
        case ChangeActivity():
            return _change_activity(command, state, today)
        case ScheduleMeeting():
            _require_open_case(state)
            _refuse_anonymous(state)
            return [_checked_meeting(command.meeting, state, today, "")]
        case MoveMeeting():
            _require_scheduled_meeting(state, command.meeting_id)
            errors = _meeting_time_errors(command.starts_at, today, "")
            if not command.reason.strip():
                errors["reason"] = "Ange varför mötet flyttas."
            _raise_if(errors)
            return [
                MeetingMoved(
                    command.meeting_id,
                    command.starts_at,
                    command.place.strip(),
                    command.reason.strip(),
                )
            ]
        case CancelMeeting():
            _require_scheduled_meeting(state, command.meeting_id)
            _require(bool(command.reason.strip()), "cancel_reason", "Ange varför mötet ställs in.")
            return [MeetingCancelled(command.meeting_id, command.reason.strip())]
        case RecordMeeting():
            return _record_meeting(command, state, today)
        case RecordStep():
            return _record_step(command, state, today)
        case RecordSelfAssessment():
            _require_open_case(state)
            errors = _day_errors(command.recorded_on, state, today, "recorded_on")
            if command.score < 1:
                errors["score"] = "Välj ett värde på skalan."
            if state.anonymous and command.note.strip():
                errors["note"] = ANONYMOUS_TEXT
            _raise_if(errors)
            return [
                SelfAssessmentRecorded(
                    command.recorded_on, command.phase, command.score, command.note.strip()
                )
            ]
        case HandOver():
            return _hand_over(command, state, today)
        case CloseCase():
            return _close(command, state, today)
        case ReopenCase():
            return _reopen(command, state, today)
        case RecordFollowUp():
            return _record_follow_up(command, state, today)
        case StartAfterSupport():
            _require_after_support_allowed(state)
            if state.after_support_started:
                raise Rejected({"": "Efterstödet är redan startat."})
            errors = _day_errors(command.started_on, state, today, "started_on")
            if command.planned_end <= command.started_on:
                errors["planned_end"] = "Slutdatumet måste ligga efter starten."
            _raise_if(errors)
            return [AfterSupportStarted(command.started_on, command.planned_end)]
        case LogAfterSupportContact():
            started = _require_running_after_support(state)
            errors = _day_errors(command.contacted_on, state, today, "contacted_on")
            if not errors and command.contacted_on < started:
                errors["contacted_on"] = (
                    f"Datumet kan inte vara före efterstödets start ({started})."
                )
            if not command.note.strip() and not state.anonymous:
                errors["note"] = "Skriv kort om kontakten."
            _raise_if(errors)
            return [AfterSupportContactLogged(command.contacted_on, command.note.strip())]
        case EndAfterSupport():
            started = _require_running_after_support(state)
            errors = _day_errors(command.ended_on, state, today, "ended_on")
            if not errors and command.ended_on < started:
                errors["ended_on"] = f"Datumet kan inte vara före efterstödets start ({started})."
            _raise_if(errors)
            return [AfterSupportEnded(command.ended_on)]
    raise AssertionError(f"unknown command {command!r}")


ANONYMOUS_TEXT = "Ett anonymt ärende sparar bara kön och datum: skriv ingen text här."
CLOSED = "Ärendet är avslutat: bara uppföljning, efterstöd och återöppning kan registreras."


def _raise_if(errors: Mapping[str, str]) -> None:
    if errors:
        raise Rejected(errors)


def _require_open_case(state: CaseState) -> None:
    _require_enrolled(state)
    if state.stage is Stage.CLOSED:
        raise Rejected({"": CLOSED})


def _refuse_anonymous(state: CaseState) -> None:
    if state.anonymous:
        raise Rejected({"": "Ett anonymt ärende sparar bara kön och datum: det förs inte här."})


def _day_errors(day: date, state: CaseState, today: date, name: str) -> dict[str, str]:
    """A day on which something happened: not before the start, not in the future."""
    if day > today:
        return {name: "Datumet kan inte ligga i framtiden."}
    if state.start_date and day < state.start_date:
        return {name: f"Datumet kan inte vara före inskrivningen ({state.start_date})."}
    return {}


def _record_assessment(command: RecordAssessment, state: CaseState, today: date) -> list[Event]:
    _require_open_case(state)
    _refuse_anonymous(state)
    texts = (
        command.situation,
        command.formal_competences,
        command.informal_competences,
        command.interests,
        command.obstacles,
        command.motivation,
        command.participant_words,
    )
    errors = _day_errors(command.recorded_on, state, today, "recorded_on")
    if not any(t.strip() for t in texts):
        errors["situation"] = "Skriv åtminstone något om deltagarens situation."
    _raise_if(errors)
    return [
        AssessmentRecorded(
            command.situation.strip(),
            command.formal_competences.strip(),
            command.informal_competences.strip(),
            command.interests.strip(),
            command.obstacles.strip(),
            command.motivation.strip(),
            command.participant_words.strip(),
            command.recorded_on,
        )
    ]


def _activity_errors(
    activities: Sequence[Activity], state: CaseState, prefix: str = "activities"
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for index, activity in enumerate(activities):
        key = f"{prefix}.{index}"
        if not activity.what.strip():
            errors[f"{key}.what"] = "Beskriv aktiviteten."
        if activity.part not in state.consent_parts:
            errors[f"{key}.part"] = (
                f"Samtycket omfattar inte {activity.part.label}: välj en part som deltagaren "
                "har samtyckt till."
            )
        if not activity.responsible_id:
            errors[f"{key}.responsible_id"] = "Välj vem som ansvarar."
        if activity.due_on < activity.start_on:
            errors[f"{key}.due_on"] = "Slutdatumet kan inte vara före startdatumet."
    return errors


def _agree_plan(command: AgreePlan, state: CaseState, today: date) -> list[Event]:
    _require_open_case(state)
    _refuse_anonymous(state)
    plan = command.plan
    errors = _day_errors(plan.agreed_on, state, today, "agreed_on")
    if not (plan.goals_short.strip() or plan.goals_long.strip()):
        errors["goals_short"] = "Skriv minst ett mål, på kort eller lång sikt."
    if not plan.activities:
        errors["activities"] = "Planen behöver minst en aktivitet."
    errors.update(_activity_errors(plan.activities, state))
    if not plan.participant_agreed:
        errors["participant_agreed"] = (
            "Planen görs med deltagaren: ange att deltagaren är med på den."
        )
    if not plan.agreed_by:
        errors["agreed_by"] = "Välj vilka som kom överens om planen."
    if plan.review_on <= plan.agreed_on:
        errors["review_on"] = "Uppföljningen av planen måste ligga efter dagen då den gjordes."
    if state.plan_version and not command.reason.strip():
        errors["reason"] = "Ange varför planen ändras."
    _raise_if(errors)
    cleaned = _cleaned(plan)
    if not state.plan_version:
        return [PlanAgreed(cleaned)]
    return [PlanRevised(state.plan_version + 1, cleaned, command.reason.strip())]


def _cleaned(plan: Plan) -> Plan:
    return replace(
        plan,
        goals_short=plan.goals_short.strip(),
        goals_long=plan.goals_long.strip(),
        participant_words=plan.participant_words.strip(),
        staff_notes=plan.staff_notes.strip(),
        activities=tuple(replace(a, what=a.what.strip()) for a in plan.activities),
    )


FINAL_STATUSES = (ActivityStatus.DONE, ActivityStatus.DROPPED)


def _change_activity(command: ChangeActivity, state: CaseState, today: date) -> list[Event]:
    _require_open_case(state)
    activity = next(
        (
            a
            for a in (state.plan.activities if state.plan else ())
            if a.activity_id == command.activity_id
        ),
        None,
    )
    if activity is None:
        raise Rejected({"": "Aktiviteten finns inte i planen."})
    if activity.status in FINAL_STATUSES:
        raise Rejected({"": f"Aktiviteten är redan {activity.status.label.lower()}."})
    errors = _day_errors(command.on, state, today, "on")
    match command.status:
        case ActivityStatus.ONGOING:
            _raise_if(errors)
            return [ActivityStarted(command.activity_id, command.on)]
        case ActivityStatus.DONE:
            _raise_if(errors)
            return [ActivityCompleted(command.activity_id, command.on)]
        case ActivityStatus.DROPPED:
            if not command.reason.strip():
                errors["reason"] = "Ange varför aktiviteten avbryts."
            _raise_if(errors)
            return [ActivityDropped(command.activity_id, command.reason.strip(), command.on)]
    raise Rejected({"status": "Välj ett av alternativen."})


def _meeting_time_errors(starts_at: datetime, today: date, prefix: str) -> dict[str, str]:
    if starts_at.date() < today:
        return {f"{prefix}starts_at": "Ett möte kan inte planeras bakåt i tiden."}
    return {}


def _checked_meeting(
    meeting: MeetingScheduled, state: CaseState, today: date, prefix: str
) -> MeetingScheduled:
    errors = _meeting_time_errors(meeting.starts_at, today, prefix)
    if meeting.meeting_id in state.meetings:
        errors[""] = "Mötet finns redan."
    if not meeting.invitee_ids:
        errors[f"{prefix}invitee_ids"] = "Bjud in minst en person från parterna."
    if meeting.minutes <= 0:
        errors[f"{prefix}minutes"] = "Ange hur länge mötet pågår, i minuter."
    if meeting.mode is MeetingMode.IN_PERSON and not meeting.place.strip():
        errors[f"{prefix}place"] = "Ange var mötet hålls."
    _raise_if(errors)
    return replace(
        meeting,
        place=meeting.place.strip(),
        others_invited=meeting.others_invited.strip(),
        agenda=meeting.agenda.strip(),
    )


def _require_scheduled_meeting(state: CaseState, meeting_id: str) -> MeetingState:
    _require_open_case(state)
    meeting = state.meetings.get(meeting_id)
    if meeting is None:
        raise Rejected({"": "Mötet finns inte."})
    if meeting.status == "held":
        raise Rejected({"": "Mötet är redan hållet."})
    if meeting.status == "cancelled":
        raise Rejected({"": "Mötet är inställt."})
    return meeting


def _record_meeting(command: RecordMeeting, state: CaseState, today: date) -> list[Event]:
    meeting = _require_scheduled_meeting(state, command.meeting_id)
    errors: dict[str, str] = {}
    if command.held_on > today:
        errors["held_on"] = "Ett hållet möte kan inte ligga i framtiden."
    elif command.held_on < meeting.starts_at.date():
        errors["held_on"] = "Mötet kan inte ha hållits innan det var planerat."
    if not command.decisions.strip():
        errors["decisions"] = "Skriv vad mötet kom fram till."
    if (command.new_activities or command.activity_statuses) and state.plan is None:
        errors["activities"] = "Det finns ingen handlingsplan att lägga aktiviteter i ännu."
    current = {a.activity_id: a for a in state.plan.activities} if state.plan else {}
    changed = {
        activity_id: status
        for activity_id, status in command.activity_statuses.items()
        if activity_id in current and current[activity_id].status is not status
    }
    for activity_id in changed:
        if current[activity_id].status in FINAL_STATUSES:
            errors[f"status.{activity_id}"] = "Aktiviteten är redan avslutad."
    errors.update(_activity_errors(command.new_activities, state, "new"))
    next_meeting = None
    if command.next_meeting is not None:
        try:
            next_meeting = _checked_meeting(command.next_meeting, state, today, "next_")
        except Rejected as rejected:
            errors.update(rejected.errors)
    _raise_if(errors)
    decided: list[Event] = [
        MeetingHeld(
            command.meeting_id,
            command.held_on,
            tuple(command.attended_parts),
            command.participant_attended,
            command.decisions.strip(),
            next_meeting.meeting_id if next_meeting else "",
        )
    ]
    if (command.new_activities or changed) and state.plan is not None:
        decided_reason = f"Beslut på nätverksmötet {command.held_on}"
        revised = replace(
            state.plan,
            activities=tuple(
                replace(
                    a,
                    status=changed[a.activity_id],
                    drop_reason=decided_reason
                    if changed[a.activity_id] is ActivityStatus.DROPPED
                    else a.drop_reason,
                )
                if a.activity_id in changed
                else a
                for a in state.plan.activities
            )
            + tuple(replace(a, what=a.what.strip()) for a in command.new_activities),
        )
        decided.append(
            PlanRevised(
                state.plan_version + 1,
                revised,
                decided_reason,
                command.meeting_id,
            )
        )
    if next_meeting is not None:
        decided.append(next_meeting)
    return decided


def _record_step(command: RecordStep, state: CaseState, today: date) -> list[Event]:
    _require_open_case(state)
    errors = _day_errors(command.recorded_on, state, today, "recorded_on")
    if command.to_level < 0:
        errors["to_level"] = "Välj en nivå på stegen."
    if state.anonymous and command.evidence.strip():
        errors["evidence"] = ANONYMOUS_TEXT
    elif not state.anonymous and not command.evidence.strip():
        errors["evidence"] = "Beskriv vad som visar steget."
    if command.to_level == state.level:
        errors["to_level"] = "Deltagaren står redan på den nivån: ett steg är en förflyttning."
    _raise_if(errors)
    return [
        StepRecorded(command.recorded_on, state.level, command.to_level, command.evidence.strip())
    ]


def _hand_over(command: HandOver, state: CaseState, today: date) -> list[Event]:
    _require_open_case(state)
    current = (
        state.coordinator_id if command.part is None else state.caseworkers.get(command.part, "")
    )
    errors = _day_errors(command.on, state, today, "on")
    if not command.to_id:
        errors["to_id"] = "Välj vem som tar över."
    elif command.to_id == current:
        errors["to_id"] = "Personen är redan ansvarig."
    if not command.reason.strip():
        errors["reason"] = "Ange varför ärendet lämnas över."
    _raise_if(errors)
    return [
        CaseHandedOver(command.part, current, command.to_id, command.reason.strip(), command.on)
    ]


def _close(command: CloseCase, state: CaseState, today: date) -> list[Event]:
    _require_enrolled(state)
    if state.stage is Stage.CLOSED:
        raise Rejected({"": "Ärendet är redan avslutat."})
    errors = _day_errors(command.closed_on, state, today, "closed_on")
    in_error = command.kind is ClosureKind.REGISTERED_IN_ERROR
    if not command.support_sources and not in_error:
        errors["support_sources"] = "Välj minst en försörjningskälla vid avslut."
    if command.no_next_step and command.next_step.strip():
        errors["next_step"] = (
            "Skriv ett nästa steg eller kryssa i att det inte finns något, inte båda."
        )
    elif not command.no_next_step and not command.next_step.strip() and not in_error:
        errors["next_step"] = (
            "Ange vad som händer efter teamet, eller kryssa i att det inte finns något nästa steg."
        )
    if state.anonymous and command.next_step.strip():
        errors["next_step"] = ANONYMOUS_TEXT
    _raise_if(errors)
    return [
        CaseClosed(
            command.kind,
            command.reason,
            command.occupation,
            tuple(command.support_sources),
            command.next_step.strip(),
            command.closed_on,
        )
    ]


def _record_follow_up(command: RecordFollowUp, state: CaseState, today: date) -> list[Event]:
    if state.stage is not Stage.CLOSED or state.closed_on is None:
        raise Rejected({"": "Bara ett avslutat ärende följs upp."})
    if state.anonymous:
        raise Rejected({"": "Ett anonymt ärende kan inte följas upp."})
    errors: dict[str, str] = {}
    if command.months in state.follow_ups:
        errors["months"] = f"Uppföljningen efter {command.months} månader är redan gjord."
    if command.recorded_on > today:
        errors["recorded_on"] = "Datumet kan inte ligga i framtiden."
    elif command.recorded_on < state.closed_on:
        errors["recorded_on"] = f"Datumet kan inte vara före avslutet ({state.closed_on})."
    if not command.support_sources:
        errors["support_sources"] = "Välj minst en försörjningskälla."
    _raise_if(errors)
    return [
        FollowUpRecorded(
            command.months,
            command.recorded_on,
            command.occupation,
            tuple(command.support_sources),
            command.in_work_or_studies,
            command.obstacles.strip(),
        )
    ]


def _require_after_support_allowed(state: CaseState) -> None:
    if state.stage is not Stage.CLOSED:
        raise Rejected({"": "Efterstöd ges efter avslut."})
    if state.occupation_at_closure not in WORK_OR_STUDIES:
        raise Rejected({"": "Efterstöd ges till den som avslutats till arbete eller studier."})


def _require_running_after_support(state: CaseState) -> date:
    _require_after_support_allowed(state)
    if state.after_support_started is None:
        raise Rejected({"": "Efterstödet har inte startat."})
    if state.after_support_ended is not None:
        raise Rejected({"": "Efterstödet är redan avslutat."})
    return state.after_support_started


def _reopen(command: ReopenCase, state: CaseState, today: date) -> list[Event]:
    if state.stage is not Stage.CLOSED:
        raise Rejected({"": "Bara ett avslutat ärende kan öppnas igen."})
    errors: dict[str, str] = {}
    if command.reopened_on > today:
        errors["reopened_on"] = "Datumet kan inte ligga i framtiden."
    elif state.closed_on and command.reopened_on < state.closed_on:
        errors["reopened_on"] = f"Datumet kan inte vara före avslutet ({state.closed_on})."
    if not command.reason.strip():
        errors["reason"] = "Ange varför ärendet öppnas igen."
    if not state.anonymous and not command.consent_parts:
        errors["consent_parts"] = "Ett återöppnat ärende behöver ett nytt samtycke: välj parter."
    _raise_if(errors)
    if state.anonymous:
        return [CaseReopened(command.reason.strip(), (), "", command.reopened_on)]
    return [
        CaseReopened(
            command.reason.strip(),
            tuple(command.consent_parts),
            command.consent_note.strip(),
            command.reopened_on,
        )
    ]


def _register_referral(command: RegisterReferral, state: CaseState, today: date) -> list[Event]:
    if state.exists:
        raise Rejected({"": "Ärendet finns redan."})
    errors: dict[str, str] = {}
    if not command.from_caseworker.strip():
        errors["from_caseworker"] = "Ange vem som remitterar."
    if not command.reason.strip():
        errors["reason"] = "Ange anledningen till remissen."
    if command.referral_date > today:
        errors["referral_date"] = "Remissdatumet kan inte ligga i framtiden."
    if errors:
        raise Rejected(errors)
    return [
        ReferralReceived(
            command.case_code,
            command.team_id,
            command.from_part,
            command.from_caseworker.strip(),
            command.reason.strip(),
            command.referral_date,
        )
    ]


def _enrol(command: Enrol, state: CaseState, today: date) -> list[Event]:
    if state.stage is not Stage.REFERRAL:
        raise Rejected({"": "Bara en mottagen remiss kan skrivas in."})
    if state.accepted_on is None:
        raise Rejected({"": "Remissen måste godtas innan deltagaren skrivs in."})
    errors: dict[str, str] = {}
    if command.start_date < state.accepted_on:
        errors["start_date"] = "Startdatumet kan inte vara före datumet då remissen godtogs."
    if command.start_date > today:
        errors["start_date"] = "Startdatumet kan inte ligga i framtiden."
    if command.registration_type is RegistrationType.ANONYMOUS:
        if errors:
            raise Rejected(errors)
        # An anonymous case keeps only kön and its dates (SUS rules).
        return [
            ParticipantEnrolled(
                RegistrationType.ANONYMOUS,
                command.gender,
                command.start_date,
                command.insats_id,
                command.coordinator_id,
            )
        ]
    participant = command.participant
    if participant is None or not participant.name.strip():
        errors["name"] = "Ange deltagarens namn."
    if participant is None or not personnummer.valid(participant.personnummer):
        errors["personnummer"] = (
            "Personnumret är inte giltigt: kontrollera datum och kontrollsiffra (ÅÅÅÅMMDD-NNNN)."
        )
    if not command.consent_parts:
        errors["consent_parts"] = "Välj minst en part som deltagaren samtycker till."
    if command.age_group is None:
        errors["age_group"] = "Välj åldersgrupp."
    if command.education is None:
        errors["education"] = "Välj utbildningsnivå."
    if not command.support_sources:
        errors["support_sources"] = "Välj minst en försörjningskälla."
    if command.time_in_support is None:
        errors["time_in_support"] = "Välj tid i offentlig försörjning."
    if errors:
        raise Rejected(errors)
    assert participant is not None
    return [
        ParticipantEnrolled(
            RegistrationType.PERSONAL,
            command.gender,
            command.start_date,
            command.insats_id,
            command.coordinator_id,
            tuple(command.consent_parts),
            command.consent_note.strip(),
            Participant(
                participant.name.strip(),
                _canonical_personnummer(participant.personnummer),
                participant.phone.strip(),
                participant.email.strip(),
                participant.address.strip(),
            ),
            command.age_group,
            command.education,
            tuple(command.support_sources),
            command.time_in_support,
        )
    ]


def _require(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise Rejected({field_name: message})


def _given(value: date | None) -> date:
    assert value is not None
    return value


def _require_open_referral(state: CaseState) -> None:
    if state.stage is not Stage.REFERRAL:
        raise Rejected({"": "Remissen är redan avgjord."})
    if state.accepted_on is not None:
        raise Rejected({"": "Remissen är redan godtagen."})


def _require_enrolled(state: CaseState) -> None:
    if state.stage in (None, Stage.REFERRAL, Stage.DECLINED):
        raise Rejected({"": "Deltagaren är inte inskriven."})


def _canonical_personnummer(value: str) -> str:
    """YYYYMMDD-NNNN, whichever way it was typed."""
    long_form = personnummer.parse(value).format(True)
    return f"{long_form[:8]}-{long_form[8:]}"


# -- reading plans ---------------------------------------------------------------------


PLAN_REVIEW_AFTER = relativedelta(months=3)


def default_review_on(agreed_on: date) -> date:
    """A plan is reviewed three months after it was agreed, unless the team says otherwise."""
    result: date = agreed_on + PLAN_REVIEW_AFTER
    return result


def plan_changes(old: Plan, new: Plan) -> list[str]:
    """What changed between two versions of a plan, in plain Swedish, one line per change."""
    changes: list[str] = []
    for name, label in (
        ("goals_short", "Mål på kort sikt"),
        ("goals_long", "Mål på lång sikt"),
        ("participant_words", "Deltagarens egna ord"),
        ("staff_notes", "Personalens anteckningar"),
        ("review_on", "Uppföljning av planen"),
    ):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(f"{label}: ”{before}” blev ”{after}”")
    previous = {a.activity_id: a for a in old.activities}
    for activity in new.activities:
        earlier = previous.pop(activity.activity_id, None)
        if earlier is None:
            changes.append(f"Ny aktivitet: {_activity_line(activity)}")
        elif earlier != activity:
            changes.append(
                f"Ändrad aktivitet: {_activity_line(earlier)} blev {_activity_line(activity)}"
            )
    changes.extend(f"Borttagen aktivitet: {_activity_line(a)}" for a in previous.values())
    return changes


def _activity_line(activity: Activity) -> str:
    return (
        f"{activity.what} ({activity.part.label}, {activity.start_on}–{activity.due_on}, "
        f"{activity.status.label.lower()})"
    )
