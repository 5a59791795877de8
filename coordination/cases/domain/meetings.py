"""Deciding network meetings: scheduling, moving, cancelling and recording what was held.

A held meeting's decisions may change the plan (new activities, activities done or dropped):
that is a new plan version, decided here with the meeting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

from coordination.cases.domain.commands import (
    CancelMeeting,
    MoveMeeting,
    RecordMeeting,
    ScheduleMeeting,
)
from coordination.cases.domain.events import (
    Activity,
    Event,
    MeetingCancelled,
    MeetingHeld,
    MeetingMoved,
    MeetingScheduled,
    PlanRevised,
)
from coordination.cases.domain.planning import FINAL_STATUSES, activity_errors
from coordination.cases.domain.rules import (
    Rejected,
    raise_if,
    refuse_anonymous,
    require,
    require_open_case,
)
from coordination.cases.domain.state import CaseState, MeetingState
from coordination.shared.vocabulary import ActivityStatus, MeetingMode, MeetingStatus


def schedule_meeting(command: ScheduleMeeting, state: CaseState, today: date) -> list[Event]:
    require_open_case(state)
    refuse_anonymous(state)
    return [_checked_meeting(command.meeting, state, today, "")]


def move_meeting(command: MoveMeeting, state: CaseState, today: date) -> list[Event]:
    _require_scheduled_meeting(state, command.meeting_id)
    errors = _meeting_time_errors(command.starts_at, today, "")
    if not command.reason.strip():
        errors["reason"] = "Ange varför mötet flyttas."
    raise_if(errors)
    return [
        MeetingMoved(
            command.meeting_id,
            command.starts_at,
            command.place.strip(),
            command.reason.strip(),
        )
    ]


def cancel_meeting(command: CancelMeeting, state: CaseState, today: date) -> list[Event]:
    _require_scheduled_meeting(state, command.meeting_id)
    require(bool(command.reason.strip()), "cancel_reason", "Ange varför mötet ställs in.")
    return [MeetingCancelled(command.meeting_id, command.reason.strip())]


def record_meeting(command: RecordMeeting, state: CaseState, today: date) -> list[Event]:
    meeting = _require_scheduled_meeting(state, command.meeting_id)
    changed = _changed_statuses(command, state)
    errors = _record_errors(command, state, today, meeting, changed)
    next_meeting = None
    if command.next_meeting is not None:
        try:
            next_meeting = _checked_meeting(command.next_meeting, state, today, "next_")
        except Rejected as rejected:
            errors.update(rejected.errors)
    raise_if(errors)
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
        decided.append(_revision(command, state, changed))
    if next_meeting is not None:
        decided.append(next_meeting)
    return decided


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
    raise_if(errors)
    return replace(
        meeting,
        place=meeting.place.strip(),
        others_invited=meeting.others_invited.strip(),
        agenda=meeting.agenda.strip(),
    )


def _require_scheduled_meeting(state: CaseState, meeting_id: str) -> MeetingState:
    require_open_case(state)
    meeting = state.meetings.get(meeting_id)
    if meeting is None:
        raise Rejected({"": "Mötet finns inte."})
    if meeting.status is MeetingStatus.HELD:
        raise Rejected({"": "Mötet är redan hållet."})
    if meeting.status is MeetingStatus.CANCELLED:
        raise Rejected({"": "Mötet är inställt."})
    return meeting


def _activities(state: CaseState) -> dict[str, Activity]:
    return {a.activity_id: a for a in state.plan.activities} if state.plan else {}


def _changed_statuses(command: RecordMeeting, state: CaseState) -> dict[str, ActivityStatus]:
    """The statuses the meeting decided that differ from the activities' current ones."""
    current = _activities(state)
    return {
        activity_id: status
        for activity_id, status in command.activity_statuses.items()
        if activity_id in current and current[activity_id].status is not status
    }


def _record_errors(
    command: RecordMeeting,
    state: CaseState,
    today: date,
    meeting: MeetingState,
    changed: Mapping[str, ActivityStatus],
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if command.held_on > today:
        errors["held_on"] = "Ett hållet möte kan inte ligga i framtiden."
    elif command.held_on < meeting.starts_at.date():
        errors["held_on"] = "Mötet kan inte ha hållits innan det var planerat."
    if not command.decisions.strip():
        errors["decisions"] = "Skriv vad mötet kom fram till."
    if (command.new_activities or command.activity_statuses) and state.plan is None:
        errors["activities"] = "Det finns ingen handlingsplan att lägga aktiviteter i ännu."
    current = _activities(state)
    for activity_id in changed:
        if current[activity_id].status in FINAL_STATUSES:
            errors[f"status.{activity_id}"] = "Aktiviteten är redan avslutad."
    errors.update(activity_errors(command.new_activities, state, "new"))
    return errors


def _revision(
    command: RecordMeeting, state: CaseState, changed: Mapping[str, ActivityStatus]
) -> PlanRevised:
    """The plan as the meeting left it: statuses it decided, then the activities it added."""
    assert state.plan is not None
    reason = f"Beslut på nätverksmötet {command.held_on}"
    kept = tuple(
        _decided(a, changed[a.activity_id], reason) if a.activity_id in changed else a
        for a in state.plan.activities
    )
    added = tuple(replace(a, what=a.what.strip()) for a in command.new_activities)
    plan = replace(state.plan, activities=kept + added)
    return PlanRevised(state.plan_version + 1, plan, reason, command.meeting_id)


def _decided(activity: Activity, status: ActivityStatus, reason: str) -> Activity:
    drop_reason = reason if status is ActivityStatus.DROPPED else activity.drop_reason
    return replace(activity, status=status, drop_reason=drop_reason)
