"""The state of a case as `decide` needs it: a fold of the case's events with `evolve`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from coordination.cases.domain.events import (
    ActivityCompleted,
    ActivityDropped,
    ActivityStarted,
    AfterSupportEnded,
    AfterSupportStarted,
    AssessmentRecorded,
    CaseClosed,
    CaseHandedOver,
    CaseReopened,
    ConsentRenewed,
    ConsentWithdrawn,
    ErasureCancelled,
    ErasureRequested,
    Event,
    FollowUpRecorded,
    MeetingCancelled,
    MeetingHeld,
    MeetingMoved,
    MeetingScheduled,
    ParticipantEnrolled,
    PersonalDataErased,
    Plan,
    PlanAgreed,
    PlanRevised,
    ReferralAccepted,
    ReferralDeclined,
    ReferralReceived,
    RetentionHeld,
    RetentionReleased,
    StepRecorded,
)
from coordination.shared.vocabulary import (
    ActivityStatus,
    ErasureReason,
    MeetingStatus,
    Occupation,
    Part,
    RegistrationType,
    Stage,
)


def stage_of(plan_version: int, assessments: int) -> Stage:
    """The stage an open case is in, from what it holds: a plan, an assessment or neither."""
    if plan_version:
        return Stage.ONGOING
    return Stage.PLANNING if assessments else Stage.ENROLLED


@dataclass(frozen=True)
class MeetingState:
    status: MeetingStatus
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
    erasure_requested_by: str = ""
    erasure_reason: ErasureReason | None = None
    erased: bool = False
    retention_held: bool = False

    @property
    def exists(self) -> bool:
        return self.stage is not None

    @property
    def anonymous(self) -> bool:
        return self.registration_type is RegistrationType.ANONYMOUS

    @property
    def working_stage(self) -> Stage:
        """The stage an open case is in, from what it holds."""
        return stage_of(self.plan_version, self.assessments)


INITIAL = CaseState()


def evolve(state: CaseState, event: Event) -> CaseState:
    """The state after `event`. An event is a fact: evolve never refuses one."""
    match event:
        case ReferralReceived():
            return replace(state, stage=Stage.REFERRAL, referral_date=event.referral_date)
        case ReferralAccepted():
            return replace(state, accepted_on=event.accepted_on)
        case ReferralDeclined():
            return replace(state, stage=Stage.DECLINED)
        case ParticipantEnrolled():
            return _enrolled(state, event)
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
        case MeetingScheduled() | MeetingMoved():
            scheduled = MeetingState(MeetingStatus.SCHEDULED, event.starts_at)
            return _with_meeting(state, event.meeting_id, scheduled)
        case MeetingCancelled():
            return _meeting_now(state, event.meeting_id, MeetingStatus.CANCELLED)
        case MeetingHeld():
            return _meeting_now(state, event.meeting_id, MeetingStatus.HELD)
        case StepRecorded():
            return replace(state, level=event.to_level)
        case CaseHandedOver():
            if event.part is None:
                return replace(state, coordinator_id=event.to_id)
            return replace(state, caseworkers={**state.caseworkers, event.part: event.to_id})
        case CaseClosed():
            return _closed(state, event)
        case FollowUpRecorded():
            return replace(state, follow_ups=state.follow_ups | {event.months})
        case AfterSupportStarted():
            return replace(state, after_support_started=event.started_on)
        case AfterSupportEnded():
            return replace(state, after_support_ended=event.ended_on)
        case CaseReopened():
            return _reopened(state, event)
        case ErasureRequested():
            return replace(
                state, erasure_requested_by=event.requested_by, erasure_reason=event.reason
            )
        case ErasureCancelled() | PersonalDataErased():
            erased = isinstance(event, PersonalDataErased)
            return replace(state, erasure_requested_by="", erasure_reason=None, erased=erased)
        case RetentionHeld() | RetentionReleased():
            return replace(state, retention_held=isinstance(event, RetentionHeld))
    return state


def fold(events: Sequence[Event], state: CaseState | None = None) -> CaseState:
    """The state after `events`, from the start or from `state`."""
    state = INITIAL if state is None else state
    for event in events:
        state = evolve(state, event)
    return state


def _enrolled(state: CaseState, event: ParticipantEnrolled) -> CaseState:
    return replace(
        state,
        stage=Stage.ENROLLED,
        coordinator_id=event.coordinator_id,
        registration_type=event.registration_type,
        start_date=event.start_date,
        consent_parts=frozenset(event.consent_parts),
        consent_withdrawn=False,
    )


def _closed(state: CaseState, event: CaseClosed) -> CaseState:
    return replace(
        state,
        stage=Stage.CLOSED,
        closed_on=event.closed_on,
        occupation_at_closure=event.occupation,
        follow_ups=frozenset(),
        after_support_started=None,
        after_support_ended=None,
    )


def _reopened(state: CaseState, event: CaseReopened) -> CaseState:
    state = replace(state, closed_on=None, occupation_at_closure=None)
    if state.registration_type is RegistrationType.PERSONAL:
        state = replace(
            state, consent_parts=frozenset(event.consent_parts), consent_withdrawn=False
        )
    return replace(state, stage=state.working_stage)


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


def _meeting_now(state: CaseState, meeting_id: str, status: MeetingStatus) -> CaseState:
    return _with_meeting(state, meeting_id, replace(state.meetings[meeting_id], status=status))
