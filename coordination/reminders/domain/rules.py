"""Which reminders a case's facts call for, and when: `due`, with the timings it follows.

Each reminder carries a stable key computed from the facts it follows, so when a fact moves
(a meeting moves, a follow-up is recorded, a case reopens) its reminder moves or vanishes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from coordination.reminders.domain.facts import ActivityFacts, Facts
from coordination.shared.vocabulary import MeetingStatus, ReminderKind


@dataclass(frozen=True)
class Timings:
    """Every timing of the reminders; the defaults are DOMAIN.md's."""

    follow_up_months: tuple[int, ...] = (3, 6, 12)
    # a follow-up is accepted this many months either side of its day; after it, it is late
    follow_up_window_months: int = 1
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
    return [
        *_meeting_reminders(facts, timings, is_working_day),
        *_plan_review_reminders(facts),
        *_activity_reminders(facts),
        *_what_next_reminders(facts, timings, insats_ends),
        *_stale_case_reminders(facts, timings),
        *_consent_review_reminders(facts, timings),
    ]


def _meeting_reminders(facts: Facts, timings: Timings, is_working_day: WorkingDay) -> Iterator[Due]:
    """Before a scheduled meeting, a notice to each invitee; after it, the coordinator's
    reminder to record it."""
    for meeting_id, meeting in facts.meetings.items():
        if meeting.status is not MeetingStatus.SCHEDULED:
            continue
        day = meeting.starts_at.date()
        stamp = meeting.starts_at.isoformat(timespec="minutes")
        notice = working_days_before(day, timings.meeting_notice_working_days, is_working_day)
        for invitee in meeting.invitee_ids:
            yield Due(
                f"meeting_soon:{meeting_id}:{stamp}:{invitee}",
                ReminderKind.MEETING_SOON,
                invitee,
                notice,
                stamp,
            )
        yield Due(
            f"meeting_unrecorded:{meeting_id}:{stamp}",
            ReminderKind.MEETING_UNRECORDED,
            facts.coordinator_id,
            day + timedelta(days=timings.meeting_record_days),
            stamp,
        )


def _plan_review_reminders(facts: Facts) -> Iterator[Due]:
    if facts.plan_review_on:
        yield Due(
            f"plan_review:{facts.plan_review_on}",
            ReminderKind.PLAN_REVIEW,
            facts.coordinator_id,
            facts.plan_review_on,
            facts.plan_review_on.isoformat(),
        )


def _activity_reminders(facts: Facts) -> Iterator[Due]:
    for activity_id, activity in _open_activities(facts).items():
        yield Due(
            f"activity_due:{activity_id}:{activity.due_on}",
            ReminderKind.ACTIVITY_DUE,
            activity.responsible_id,
            activity.due_on,
            activity.due_on.isoformat(),
        )


def _what_next_reminders(facts: Facts, timings: Timings, insats_ends: date | None) -> Iterator[Due]:
    """Before the plan ends, and before the insats ends with nothing planned after it."""
    # The plan ends with its last open activity or scheduled meeting; nothing after is a gap.
    ends = [a.due_on for a in _open_activities(facts).values()] + [
        m.starts_at.date() for m in facts.meetings.values() if m.status is MeetingStatus.SCHEDULED
    ]
    if ends:
        end = max(ends)
        yield Due(
            f"what_next:{end}",
            ReminderKind.WHAT_NEXT,
            facts.coordinator_id,
            end - timedelta(days=timings.what_next_days),
            end.isoformat(),
        )
    if insats_ends and not any(end > insats_ends for end in ends):
        # The insats ends and nothing is planned after it: where does the participant go?
        yield Due(
            f"what_next:insats:{insats_ends}",
            ReminderKind.WHAT_NEXT,
            facts.coordinator_id,
            insats_ends - timedelta(days=timings.what_next_days),
            insats_ends.isoformat(),
        )


def _stale_case_reminders(facts: Facts, timings: Timings) -> Iterator[Due]:
    if facts.last_event_on:
        yield Due(
            f"stale_case:{facts.last_event_on}",
            ReminderKind.STALE_CASE,
            facts.coordinator_id,
            facts.last_event_on + timedelta(days=timings.stale_days),
            facts.last_event_on.isoformat(),
        )


def _consent_review_reminders(facts: Facts, timings: Timings) -> Iterator[Due]:
    if facts.consent_since and not facts.anonymous and not facts.consent_withdrawn:
        review = facts.consent_since + relativedelta(months=timings.consent_review_months)
        yield Due(
            f"consent_review:{facts.consent_since}",
            ReminderKind.CONSENT_REVIEW,
            facts.coordinator_id,
            review,
            review.isoformat(),
        )


def _open_activities(facts: Facts) -> dict[str, ActivityFacts]:
    return {i: a for i, a in facts.activities.items() if a.open}


def _closure_reminders(facts: Facts, timings: Timings) -> list[Due]:
    closed = facts.closed_on
    assert closed is not None
    # an anonymous case cannot be followed up, nor one whose participant withdrew consent
    followed = not facts.anonymous and not facts.consent_withdrawn
    reminders = list(_follow_up_reminders(facts, timings, closed)) if followed else []
    if facts.to_work_or_studies:
        reminders.extend(_after_support_reminders(facts, timings, closed))
    return reminders


def _follow_up_reminders(facts: Facts, timings: Timings, closed: date) -> Iterator[Due]:
    for months in timings.follow_up_months:
        # a later point done closes the earlier ones: they can no longer be recorded
        if months not in facts.follow_ups and not any(m > months for m in facts.follow_ups):
            yield Due(
                f"follow_up:{months}:{closed}",
                ReminderKind.FOLLOW_UP,
                facts.coordinator_id,
                closed + relativedelta(months=months),
                str(months),
            )


def _after_support_reminders(facts: Facts, timings: Timings, closed: date) -> Iterator[Due]:
    """After closure to work or studies: start after-support, check in, end it."""
    coordinator = facts.coordinator_id
    started = facts.after_support_started
    if started is None:
        yield Due(
            f"after_support_start:{closed}",
            ReminderKind.AFTER_SUPPORT_START,
            coordinator,
            closed,
            closed.isoformat(),
        )
    elif facts.after_support_ended is None:
        end = facts.after_support_planned_end or started + relativedelta(
            months=timings.after_support_months
        )
        last = facts.last_contact_on or started
        check_in = last + relativedelta(months=timings.check_in_months)
        if check_in < end:
            yield Due(
                f"after_support_check_in:{last}",
                ReminderKind.AFTER_SUPPORT_CHECK_IN,
                coordinator,
                check_in,
                check_in.isoformat(),
            )
        yield Due(
            f"after_support_end:{end}",
            ReminderKind.AFTER_SUPPORT_END,
            coordinator,
            end,
            end.isoformat(),
        )
