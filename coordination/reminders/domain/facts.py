"""What reminders know of one case: a fold of its events, with nothing personal in it.

`evolve` takes each event of the case and of its reminders' bookkeeping to the few facts the
rules need: enrolment, consent, the plan's review and activities, meetings, closure,
follow-ups and after-support, and which reminders went out, were done or snoozed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

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
    if not isinstance(event, BOOKKEEPING):
        facts = replace(facts, last_event_on=recorded_on)
    match event:
        case case.ParticipantEnrolled():
            return replace(
                facts,
                enrolled=True,
                anonymous=event.registration_type is RegistrationType.ANONYMOUS,
                coordinator_id=event.coordinator_id,
                insats_id=event.insats_id,
                consent_since=event.start_date,
            )
        case case.ConsentWithdrawn():
            return replace(facts, consent_withdrawn=True)
        case case.ConsentRenewed():
            return replace(facts, consent_withdrawn=False, consent_since=event.renewed_on)
        case case.PlanAgreed() | case.PlanRevised():
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
        case case.ActivityCompleted() | case.ActivityDropped():
            return _close_activity(facts, event.activity_id)
        case case.MeetingScheduled():
            meeting = MeetingFacts(event.starts_at, event.invitee_ids, MeetingStatus.SCHEDULED)
            return replace(facts, meetings={**facts.meetings, event.meeting_id: meeting})
        case case.MeetingMoved():
            return _with_meeting(facts, event.meeting_id, starts_at=event.starts_at)
        case case.MeetingCancelled():
            return _with_meeting(facts, event.meeting_id, status=MeetingStatus.CANCELLED)
        case case.MeetingHeld():
            return _with_meeting(facts, event.meeting_id, status=MeetingStatus.HELD)
        case case.CaseHandedOver():
            if event.part is None:
                return replace(facts, coordinator_id=event.to_id)
            return facts
        case case.CaseClosed():
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
        case case.CaseReopened():
            return replace(
                facts,
                closed_on=None,
                to_work_or_studies=False,
                consent_since=event.reopened_on,
                consent_withdrawn=False,
            )
        case case.FollowUpRecorded():
            return replace(facts, follow_ups=facts.follow_ups | {event.months})
        case case.AfterSupportStarted():
            return replace(
                facts,
                after_support_started=event.started_on,
                after_support_planned_end=event.planned_end,
                last_contact_on=event.started_on,
            )
        case case.AfterSupportContactLogged():
            return replace(facts, last_contact_on=event.contacted_on)
        case case.AfterSupportEnded():
            return replace(facts, after_support_ended=event.ended_on)
        case ReminderSent():
            return replace(facts, notified=facts.notified | {event.key})
        case ReminderDone():
            return replace(facts, done=facts.done | {event.key})
        case ReminderSnoozed():
            return replace(facts, snoozed={**facts.snoozed, event.key: event.until})
    return facts


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
