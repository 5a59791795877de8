"""Reminder rules with a controlled clock: every rule, and how reminders move and clear."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

import holidays

from coordination.cases import domain as case
from coordination.reminders.domain import Facts, Timings, due, evolve
from coordination.reminders.events import ReminderDone, ReminderSent, ReminderSnoozed
from coordination.shared.vocabulary import (
    ClosureKind,
    ClosureReason,
    Occupation,
    RegistrationType,
    ReminderKind,
    SupportSource,
)
from tests.unit.test_case_decider import ENROL
from tests.unit.test_case_journey import activity, meeting, plan

SWEDISH_HOLIDAYS = holidays.country_holidays("SE", years=range(2026, 2029))
TIMINGS = Timings()


def working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in SWEDISH_HOLIDAYS


def facts_after(*dated: tuple[date, Any]) -> Facts:
    facts = Facts()
    for on, event in dated:
        facts = evolve(facts, event, on)
    return facts


def reminders(
    facts: Facts, timings: Timings = TIMINGS
) -> dict[ReminderKind, list[tuple[str, date]]]:
    found: dict[ReminderKind, list[tuple[str, date]]] = {}
    for d in due(facts, timings, working_day):
        found.setdefault(d.kind, []).append((d.recipient_id, d.due_on))
    return found


# The fact of enrolment, with the same fields as the command.
ENROLLED = (
    date(2026, 11, 20),
    case.ParticipantEnrolled(**{**vars(ENROL), "start_date": date(2026, 11, 20)}),
)


def closed(occupation: Occupation = Occupation.WORK_UNSUBSIDISED) -> tuple[date, Any]:
    return (
        date(2026, 12, 15),
        case.CaseClosed(
            ClosureKind.COMPLETED,
            ClosureReason.WORK,
            occupation,
            (SupportSource.NONE,),
            "",
            date(2026, 12, 15),
        ),
    )


def test_nothing_is_due_before_enrolment() -> None:
    assert due(Facts(), TIMINGS, working_day) == []


def test_an_enrolled_case_reminds_of_staleness_and_the_yearly_consent_review() -> None:
    found = reminders(facts_after(ENROLLED))
    assert found[ReminderKind.STALE_CASE] == [("user-9", date(2026, 12, 20))]
    assert found[ReminderKind.CONSENT_REVIEW] == [("user-9", date(2027, 11, 20))]
    later = facts_after(
        ENROLLED,
        (
            date(2026, 12, 1),
            case.AssessmentRecorded("x", "x", "x", "x", "x", "x", "x", date(2026, 12, 1)),
        ),
    )
    assert reminders(later)[ReminderKind.STALE_CASE] == [("user-9", date(2026, 12, 31))]


def test_reminder_bookkeeping_does_not_make_a_case_less_stale() -> None:
    sent = ReminderSent("k", "stale_case", "user-9", "email")
    facts = facts_after(ENROLLED, (date(2026, 12, 10), sent))
    assert reminders(facts)[ReminderKind.STALE_CASE] == [("user-9", date(2026, 12, 20))]


def test_a_meeting_reminds_invitees_two_working_days_before_and_the_coordinator_after() -> None:
    # Monday 2026-12-28: two working days before skips the weekend and Christmas Day/Boxing Day.
    scheduled = meeting(starts_at=datetime(2026, 12, 28, 9, 0), invitee_ids=("user-1", "user-2"))
    found = reminders(facts_after(ENROLLED, (date(2026, 12, 1), scheduled)))
    assert found[ReminderKind.MEETING_SOON] == [
        ("user-1", date(2026, 12, 23)),
        ("user-2", date(2026, 12, 23)),
    ]
    assert found[ReminderKind.MEETING_UNRECORDED] == [("user-9", date(2026, 12, 29))]


def test_a_moved_meeting_moves_its_reminders_and_a_held_or_cancelled_one_clears_them() -> None:
    scheduled = (date(2026, 12, 1), meeting(starts_at=datetime(2026, 12, 10, 9, 0)))
    moved = (date(2026, 12, 2), case.MeetingMoved("m1", datetime(2026, 12, 17, 9, 0), "", "Krock"))
    found = reminders(facts_after(ENROLLED, scheduled, moved))
    assert found[ReminderKind.MEETING_SOON][0] == ("user-1", date(2026, 12, 15))
    held = (date(2026, 12, 17), case.MeetingHeld("m1", date(2026, 12, 17), (), True, "B"))
    assert ReminderKind.MEETING_SOON not in reminders(facts_after(ENROLLED, scheduled, moved, held))
    cancelled = (date(2026, 12, 3), case.MeetingCancelled("m1", "Sjuk"))
    assert ReminderKind.MEETING_UNRECORDED not in reminders(
        facts_after(ENROLLED, scheduled, cancelled)
    )


def test_plan_review_activity_due_and_what_comes_next() -> None:
    agreed = (date(2026, 11, 23), case.PlanAgreed(plan()))
    found = reminders(facts_after(ENROLLED, agreed))
    assert found[ReminderKind.PLAN_REVIEW] == [("user-9", date(2027, 2, 23))]
    assert found[ReminderKind.ACTIVITY_DUE] == [("user-1", date(2026, 12, 20))] * 2
    assert found[ReminderKind.WHAT_NEXT] == [("user-9", date(2026, 12, 6))]
    done = (date(2026, 12, 1), case.ActivityCompleted("a1", date(2026, 12, 1)))
    dropped = (date(2026, 12, 1), case.ActivityDropped("a2", "x", date(2026, 12, 1)))
    cleared = reminders(facts_after(ENROLLED, agreed, done, dropped))
    assert ReminderKind.ACTIVITY_DUE not in cleared
    assert ReminderKind.WHAT_NEXT not in cleared


def test_a_later_activity_or_meeting_is_a_next_step_and_moves_what_next() -> None:
    longer = plan(activities=(activity(1), activity(2, due_on=date(2027, 3, 1))))
    found = reminders(facts_after(ENROLLED, (date(2026, 11, 23), case.PlanAgreed(longer))))
    assert found[ReminderKind.WHAT_NEXT] == [("user-9", date(2027, 2, 15))]


def test_follow_ups_at_three_six_and_twelve_months_clear_when_recorded() -> None:
    found = reminders(facts_after(ENROLLED, closed(Occupation.JOBSEEKER)))
    assert found[ReminderKind.FOLLOW_UP] == [
        ("user-9", date(2027, 3, 15)),
        ("user-9", date(2027, 6, 15)),
        ("user-9", date(2027, 12, 15)),
    ]
    assert ReminderKind.STALE_CASE not in found
    assert ReminderKind.AFTER_SUPPORT_START not in found  # not closed to work or studies
    follow_up = case.FollowUpRecorded(
        3, date(2027, 3, 16), Occupation.STUDIES, (SupportSource.NONE,), True, ""
    )
    after = reminders(
        facts_after(ENROLLED, closed(Occupation.JOBSEEKER), (date(2027, 3, 16), follow_up))
    )
    assert [d for _, d in after[ReminderKind.FOLLOW_UP]] == [date(2027, 6, 15), date(2027, 12, 15)]
    six = case.FollowUpRecorded(6, date(2027, 6, 20), Occupation.STUDIES, (), True, "")
    skipped = reminders(
        facts_after(ENROLLED, closed(Occupation.JOBSEEKER), (date(2027, 6, 20), six))
    )
    # the 3-month one was never made, but the 6-month one closes it: only 12 months is left
    assert [d for _, d in skipped[ReminderKind.FOLLOW_UP]] == [date(2027, 12, 15)]


def test_configured_timings_are_used() -> None:
    timings = Timings(follow_up_months=(1,), stale_days=7)
    assert reminders(facts_after(ENROLLED, closed()), timings)[ReminderKind.FOLLOW_UP] == [
        ("user-9", date(2027, 1, 15))
    ]
    assert reminders(facts_after(ENROLLED), timings)[ReminderKind.STALE_CASE] == [
        ("user-9", date(2026, 11, 27))
    ]


def test_after_support_starts_checks_in_monthly_and_ends() -> None:
    found = reminders(facts_after(ENROLLED, closed()))
    assert found[ReminderKind.AFTER_SUPPORT_START] == [("user-9", date(2026, 12, 15))]
    started = (date(2026, 12, 16), case.AfterSupportStarted(date(2026, 12, 16), date(2027, 6, 16)))
    found = reminders(facts_after(ENROLLED, closed(), started))
    assert ReminderKind.AFTER_SUPPORT_START not in found
    assert found[ReminderKind.AFTER_SUPPORT_CHECK_IN] == [("user-9", date(2027, 1, 16))]
    assert found[ReminderKind.AFTER_SUPPORT_END] == [("user-9", date(2027, 6, 16))]
    contact = (date(2027, 1, 20), case.AfterSupportContactLogged(date(2027, 1, 20), "Ringde"))
    found = reminders(facts_after(ENROLLED, closed(), started, contact))
    assert found[ReminderKind.AFTER_SUPPORT_CHECK_IN] == [("user-9", date(2027, 2, 20))]
    ended = (date(2027, 3, 1), case.AfterSupportEnded(date(2027, 3, 1)))
    found = reminders(facts_after(ENROLLED, closed(), started, ended))
    assert ReminderKind.AFTER_SUPPORT_CHECK_IN not in found
    assert ReminderKind.AFTER_SUPPORT_END not in found


def test_a_reopened_case_clears_closure_reminders_and_restarts_the_open_ones() -> None:
    reopened = (date(2027, 1, 10), case.CaseReopened("Tappade jobbet", (), "", date(2027, 1, 10)))
    found = reminders(facts_after(ENROLLED, closed(), reopened))
    assert ReminderKind.FOLLOW_UP not in found
    assert ReminderKind.AFTER_SUPPORT_START not in found
    assert found[ReminderKind.STALE_CASE] == [("user-9", date(2027, 2, 9))]
    assert found[ReminderKind.CONSENT_REVIEW] == [("user-9", date(2028, 1, 10))]


def test_done_clears_and_snooze_moves_a_reminder() -> None:
    base = facts_after(ENROLLED)
    key = next(d.key for d in due(base, TIMINGS, working_day) if d.kind is ReminderKind.STALE_CASE)
    snoozed = evolve(base, ReminderSnoozed(key, date(2026, 12, 27)), date(2026, 12, 20))
    assert reminders(snoozed)[ReminderKind.STALE_CASE] == [("user-9", date(2026, 12, 27))]
    done = evolve(base, ReminderDone(key, "user-9"), date(2026, 12, 20))
    assert ReminderKind.STALE_CASE not in reminders(done)


def test_a_case_closed_after_consent_was_withdrawn_is_not_followed_up() -> None:
    withdrawn = case.ConsentWithdrawn("Vill inte", date(2026, 12, 1))
    found = reminders(facts_after(ENROLLED, (date(2026, 12, 1), withdrawn), closed()))
    assert ReminderKind.FOLLOW_UP not in found


def test_an_anonymous_case_is_not_followed_up_and_has_no_consent_review() -> None:
    anonymous = (
        date(2026, 11, 20),
        replace(ENROLLED[1], registration_type=RegistrationType.ANONYMOUS),
    )
    assert ReminderKind.CONSENT_REVIEW not in reminders(facts_after(anonymous))
    assert ReminderKind.FOLLOW_UP not in reminders(
        facts_after(anonymous, closed(Occupation.JOBSEEKER))
    )


def test_a_handover_sends_the_coordinators_reminders_to_the_new_one() -> None:
    handed = (
        date(2026, 11, 25),
        case.CaseHandedOver(None, "user-9", "user-7", "Ledig", date(2026, 11, 25)),
    )
    assert reminders(facts_after(ENROLLED, handed))[ReminderKind.STALE_CASE] == [
        ("user-7", date(2026, 12, 25))
    ]


def test_an_insats_ending_with_nothing_after_it_asks_what_comes_next() -> None:
    facts = facts_after(ENROLLED)
    found = due(facts, TIMINGS, working_day, insats_ends=date(2027, 1, 31))
    assert [(d.key, d.due_on) for d in found if d.kind is ReminderKind.WHAT_NEXT] == [
        ("what_next:insats:2027-01-31", date(2027, 1, 17))
    ]
    later = facts_after(
        ENROLLED,
        (
            date(2026, 11, 23),
            case.PlanAgreed(plan(activities=(activity(1, due_on=date(2027, 3, 1)),))),
        ),
    )
    found = due(later, TIMINGS, working_day, insats_ends=date(2027, 1, 31))
    assert not [d for d in found if d.key.startswith("what_next:insats")]
