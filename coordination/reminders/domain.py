"""Reminders as data derived from a case's events: pure rules, no clock, no database.

`evolve` folds a case's events into the few facts reminders need (nothing personal);
`due` turns those facts into the reminders that are due, each with a stable key. When a fact
moves (a meeting moves, a follow-up is recorded, a case reopens), the keys and dates computed
from it move or vanish, so the due list always follows the events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

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
    ReminderKind,
)


@dataclass(frozen=True)
class Timings:
    """Every timing of the reminders; the defaults are DOMAIN.md's."""

    follow_up_months: tuple[int, ...] = (3, 6, 12)
    after_support_months: int = 6
    check_in_months: int = 1
    meeting_notice_working_days: int = 2
    meeting_record_days: int = 1
    what_next_days: int = 14
    stale_days: int = 30
    consent_review_months: int = 12


@dataclass(frozen=True)
class Due:
    key: str
    kind: ReminderKind
    recipient_id: str
    due_on: date
    detail: str = ""  # what it concerns, without personal data (a date, a month count)


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


WorkingDay = Callable[[date], bool]


def working_days_before(day: date, count: int, is_working_day: WorkingDay) -> date:
    """The date `count` working days before `day` (Swedish public holidays are not)."""
    found = day
    while count > 0:
        found -= timedelta(days=1)
        if is_working_day(found):
            count -= 1
    return found


def due(
    facts: Facts, timings: Timings, is_working_day: WorkingDay, insats_ends: date | None = None
) -> list[Due]:
    """Every reminder the facts call for that is not done, with its date (snoozes applied).
    `insats_ends` is the last day of the case's insats, when it has one."""
    if not facts.enrolled:
        return []
    found = (
        _closure_reminders(facts, timings)
        if facts.closed_on
        else _open_case_reminders(facts, timings, is_working_day, insats_ends)
    )
    return sorted(
        (
            replace(d, due_on=max(d.due_on, facts.snoozed.get(d.key, d.due_on)))
            for d in found
            if d.key not in facts.done and d.recipient_id
        ),
        key=lambda d: (d.due_on, d.key),
    )


def _open_case_reminders(
    facts: Facts, timings: Timings, is_working_day: WorkingDay, insats_ends: date | None
) -> list[Due]:
    reminders: list[Due] = []
    coordinator = facts.coordinator_id
    for meeting_id, meeting in facts.meetings.items():
        day = meeting.starts_at.date()
        stamp = meeting.starts_at.isoformat(timespec="minutes")
        if meeting.status is MeetingStatus.SCHEDULED:
            notice = working_days_before(day, timings.meeting_notice_working_days, is_working_day)
            reminders.extend(
                Due(
                    f"meeting_soon:{meeting_id}:{stamp}:{invitee}",
                    ReminderKind.MEETING_SOON,
                    invitee,
                    notice,
                    stamp,
                )
                for invitee in meeting.invitee_ids
            )
            reminders.append(
                Due(
                    f"meeting_unrecorded:{meeting_id}:{stamp}",
                    ReminderKind.MEETING_UNRECORDED,
                    coordinator,
                    day + timedelta(days=timings.meeting_record_days),
                    stamp,
                )
            )
    if facts.plan_review_on:
        reminders.append(
            Due(
                f"plan_review:{facts.plan_review_on}",
                ReminderKind.PLAN_REVIEW,
                coordinator,
                facts.plan_review_on,
                facts.plan_review_on.isoformat(),
            )
        )
    open_activities = {i: a for i, a in facts.activities.items() if a.open}
    for activity_id, activity in open_activities.items():
        reminders.append(
            Due(
                f"activity_due:{activity_id}:{activity.due_on}",
                ReminderKind.ACTIVITY_DUE,
                activity.responsible_id,
                activity.due_on,
                activity.due_on.isoformat(),
            )
        )
    # The plan ends with its last open activity or scheduled meeting; nothing after is a gap.
    ends = [a.due_on for a in open_activities.values()] + [
        m.starts_at.date() for m in facts.meetings.values() if m.status is MeetingStatus.SCHEDULED
    ]
    if ends:
        end = max(ends)
        reminders.append(
            Due(
                f"what_next:{end}",
                ReminderKind.WHAT_NEXT,
                coordinator,
                end - timedelta(days=timings.what_next_days),
                end.isoformat(),
            )
        )
    if insats_ends and not any(end > insats_ends for end in ends):
        # The insats ends and nothing is planned after it: where does the participant go?
        reminders.append(
            Due(
                f"what_next:insats:{insats_ends}",
                ReminderKind.WHAT_NEXT,
                coordinator,
                insats_ends - timedelta(days=timings.what_next_days),
                insats_ends.isoformat(),
            )
        )
    if facts.last_event_on:
        stale_on = facts.last_event_on + timedelta(days=timings.stale_days)
        reminders.append(
            Due(
                f"stale_case:{facts.last_event_on}",
                ReminderKind.STALE_CASE,
                coordinator,
                stale_on,
                facts.last_event_on.isoformat(),
            )
        )
    if facts.consent_since and not facts.anonymous and not facts.consent_withdrawn:
        review = facts.consent_since + relativedelta(months=timings.consent_review_months)
        reminders.append(
            Due(
                f"consent_review:{facts.consent_since}",
                ReminderKind.CONSENT_REVIEW,
                coordinator,
                review,
                review.isoformat(),
            )
        )
    return reminders


def _closure_reminders(facts: Facts, timings: Timings) -> list[Due]:
    assert facts.closed_on is not None
    closed, coordinator = facts.closed_on, facts.coordinator_id
    reminders: list[Due] = []
    if not facts.anonymous:  # an anonymous case cannot be followed up
        reminders.extend(
            Due(
                f"follow_up:{months}:{closed}",
                ReminderKind.FOLLOW_UP,
                coordinator,
                closed + relativedelta(months=months),
                str(months),
            )
            for months in timings.follow_up_months
            if months not in facts.follow_ups
        )
    if not facts.to_work_or_studies:
        return reminders
    started = facts.after_support_started
    if started is None:
        reminders.append(
            Due(
                f"after_support_start:{closed}",
                ReminderKind.AFTER_SUPPORT_START,
                coordinator,
                closed,
                closed.isoformat(),
            )
        )
    elif facts.after_support_ended is None:
        end = facts.after_support_planned_end or started + relativedelta(
            months=timings.after_support_months
        )
        last = facts.last_contact_on or started
        check_in = last + relativedelta(months=timings.check_in_months)
        if check_in < end:
            reminders.append(
                Due(
                    f"after_support_check_in:{last}",
                    ReminderKind.AFTER_SUPPORT_CHECK_IN,
                    coordinator,
                    check_in,
                    check_in.isoformat(),
                )
            )
        reminders.append(
            Due(
                f"after_support_end:{end}",
                ReminderKind.AFTER_SUPPORT_END,
                coordinator,
                end,
                end.isoformat(),
            )
        )
    return reminders
