"""What reminders know of one case: a fold of its events, with nothing personal in it.

`evolve` takes each event of the case and of its reminders' bookkeeping to the few facts the
rules need: enrolment, consent, the plan's review and activities, meetings, closure,
follow-ups and after-support, and which reminders went out, were done or snoozed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from coordination.cases import domain as case
from coordination.reminders.events import (
    ReminderDone,
    ReminderEvent,
    ReminderSent,
    ReminderSnoozed,
)
from coordination.shared.vocabulary import (
    WORK_OR_STUDIES,
    ActivityStatus,
    MeetingStatus,
    RegistrationType,
)


@dataclass(frozen=True)
class ActivityFacts:
    responsible_id: str
    due_on: date
    open: bool


@dataclass(frozen=True)
class MeetingFacts:
    starts_at: datetime
    invitee_ids: tuple[str, ...]
    status: MeetingStatus


@dataclass(frozen=True)
class Facts:
    """What reminders need to know of one case."""

    enrolled: bool = False
    anonymous: bool = False
    coordinator_id: str = ""
    insats_id: str = ""
    consent_since: date | None = None
    consent_withdrawn: bool = False
    plan_review_on: date | None = None
    activities: Mapping[str, ActivityFacts] = field(default_factory=dict)
    meetings: Mapping[str, MeetingFacts] = field(default_factory=dict)
    closed_on: date | None = None
    to_work_or_studies: bool = False
    follow_ups: frozenset[int] = field(default_factory=frozenset)
    after_support_started: date | None = None
    after_support_planned_end: date | None = None
    after_support_ended: date | None = None
    last_contact_on: date | None = None
    last_event_on: date | None = None
    notified: frozenset[str] = field(default_factory=frozenset)
    done: frozenset[str] = field(default_factory=frozenset)
    snoozed: Mapping[str, date] = field(default_factory=dict)


# Events that are the reminders' own bookkeeping: they do not make a case less stale.
BOOKKEEPING = (ReminderSent, ReminderDone, ReminderSnoozed)


def evolve(facts: Facts, event: case.Event | ReminderEvent, recorded_on: date) -> Facts:
    """The facts after `event`, recorded on `recorded_on`; events reminders ignore change
    nothing but how recently the case moved."""
    if not isinstance(event, BOOKKEEPING):
        facts = replace(facts, last_event_on=recorded_on)
    handler = _HANDLERS.get(type(event))
    return facts if handler is None else handler(facts, event)


def _enrolled(facts: Facts, event: case.ParticipantEnrolled) -> Facts:
    return replace(
        facts,
        enrolled=True,
        anonymous=event.registration_type is RegistrationType.ANONYMOUS,
        coordinator_id=event.coordinator_id,
        insats_id=event.insats_id,
        consent_since=event.start_date,
    )


def _consent_withdrawn(facts: Facts, event: case.ConsentWithdrawn) -> Facts:
    return replace(facts, consent_withdrawn=True)


def _consent_renewed(facts: Facts, event: case.ConsentRenewed) -> Facts:
    return replace(facts, consent_withdrawn=False, consent_since=event.renewed_on)


def _planned(facts: Facts, event: case.PlanAgreed | case.PlanRevised) -> Facts:
    if event.plan is None:
        return facts
    return replace(
        facts,
        plan_review_on=event.plan.review_on,
        activities={
            a.activity_id: ActivityFacts(a.responsible_id, a.due_on, _open(a.status))
            for a in event.plan.activities
        },
    )


def _activity_ended(facts: Facts, event: case.ActivityCompleted | case.ActivityDropped) -> Facts:
    return _close_activity(facts, event.activity_id)


def _meeting_scheduled(facts: Facts, event: case.MeetingScheduled) -> Facts:
    meeting = MeetingFacts(event.starts_at, event.invitee_ids, MeetingStatus.SCHEDULED)
    return replace(facts, meetings={**facts.meetings, event.meeting_id: meeting})


def _meeting_moved(facts: Facts, event: case.MeetingMoved) -> Facts:
    return _with_meeting(facts, event.meeting_id, starts_at=event.starts_at)


def _meeting_cancelled(facts: Facts, event: case.MeetingCancelled) -> Facts:
    return _with_meeting(facts, event.meeting_id, status=MeetingStatus.CANCELLED)


def _meeting_held(facts: Facts, event: case.MeetingHeld) -> Facts:
    return _with_meeting(facts, event.meeting_id, status=MeetingStatus.HELD)


def _handed_over(facts: Facts, event: case.CaseHandedOver) -> Facts:
    if event.part is None:
        return replace(facts, coordinator_id=event.to_id)
    return facts


def _closed(facts: Facts, event: case.CaseClosed) -> Facts:
    return replace(
        facts,
        closed_on=event.closed_on,
        to_work_or_studies=event.occupation in WORK_OR_STUDIES,
        follow_ups=frozenset(),
        after_support_started=None,
        after_support_planned_end=None,
        after_support_ended=None,
        last_contact_on=None,
    )


def _reopened(facts: Facts, event: case.CaseReopened) -> Facts:
    return replace(
        facts,
        closed_on=None,
        to_work_or_studies=False,
        consent_since=event.reopened_on,
        consent_withdrawn=False,
    )


def _followed_up(facts: Facts, event: case.FollowUpRecorded) -> Facts:
    return replace(facts, follow_ups=facts.follow_ups | {event.months})


def _after_support_started(facts: Facts, event: case.AfterSupportStarted) -> Facts:
    return replace(
        facts,
        after_support_started=event.started_on,
        after_support_planned_end=event.planned_end,
        last_contact_on=event.started_on,
    )


def _after_support_contacted(facts: Facts, event: case.AfterSupportContactLogged) -> Facts:
    return replace(facts, last_contact_on=event.contacted_on)


def _after_support_ended(facts: Facts, event: case.AfterSupportEnded) -> Facts:
    return replace(facts, after_support_ended=event.ended_on)


def _reminder_sent(facts: Facts, event: ReminderSent) -> Facts:
    return replace(facts, notified=facts.notified | {event.key})


def _reminder_done(facts: Facts, event: ReminderDone) -> Facts:
    return replace(facts, done=facts.done | {event.key})


def _reminder_snoozed(facts: Facts, event: ReminderSnoozed) -> Facts:
    return replace(facts, snoozed={**facts.snoozed, event.key: event.until})


def _erased(facts: Facts, event: case.PersonalDataErased) -> Facts:
    """Nothing more can be recorded on an erased case: nothing is due."""
    return Facts()


# Each event type reminders follow, to how it changes the facts.
_HANDLERS: Mapping[type, Callable[[Facts, Any], Facts]] = {
    case.ParticipantEnrolled: _enrolled,
    case.ConsentWithdrawn: _consent_withdrawn,
    case.ConsentRenewed: _consent_renewed,
    case.PlanAgreed: _planned,
    case.PlanRevised: _planned,
    case.ActivityCompleted: _activity_ended,
    case.ActivityDropped: _activity_ended,
    case.MeetingScheduled: _meeting_scheduled,
    case.MeetingMoved: _meeting_moved,
    case.MeetingCancelled: _meeting_cancelled,
    case.MeetingHeld: _meeting_held,
    case.CaseHandedOver: _handed_over,
    case.CaseClosed: _closed,
    case.CaseReopened: _reopened,
    case.FollowUpRecorded: _followed_up,
    case.AfterSupportStarted: _after_support_started,
    case.AfterSupportContactLogged: _after_support_contacted,
    case.AfterSupportEnded: _after_support_ended,
    case.PersonalDataErased: _erased,
    ReminderSent: _reminder_sent,
    ReminderDone: _reminder_done,
    ReminderSnoozed: _reminder_snoozed,
}


def _open(status: ActivityStatus) -> bool:
    return status in (ActivityStatus.PLANNED, ActivityStatus.ONGOING)


def _close_activity(facts: Facts, activity_id: str) -> Facts:
    activity = facts.activities.get(activity_id)
    if activity is None:
        return facts
    closed = replace(activity, open=False)
    return replace(facts, activities={**facts.activities, activity_id: closed})


def _with_meeting(facts: Facts, meeting_id: str, **changes: object) -> Facts:
    meeting = facts.meetings.get(meeting_id)
    if meeting is None:
        return facts
    changed = replace(meeting, **changes)  # type: ignore[arg-type]
    return replace(facts, meetings={**facts.meetings, meeting_id: changed})
