"""Network meetings as the case page, the team's week and the calendar files read them."""

from __future__ import annotations

import events
from coordination.cases import domain as case
from coordination.cases.projection.rows import CaseRows, Handlers, case_update
from coordination.cases.tables import case_meetings, cases
from coordination.shared.vocabulary import MeetingStatus

_ONE_MORE_HELD = case_update(meetings_held=cases.c.meetings_held + 1)


def meeting_scheduled(
    rows: CaseRows, event: case.MeetingScheduled, recorded: events.RecordedEvent
) -> None:
    rows.insert(
        case_meetings,
        meeting_id=event.meeting_id,
        case_id=rows.case_id,
        team_id=rows.team_id(),
        starts_at=event.starts_at,
        minutes=event.minutes,
        mode=event.mode,
        place=event.place,
        invitee_ids=list(event.invitee_ids),
        participant_invited=event.participant_invited,
        others_invited=event.others_invited,
        agenda=event.agenda,
        status=MeetingStatus.SCHEDULED,
        note="",
        attended_parts=[],
        decisions="",
    )


def meeting_moved(rows: CaseRows, event: case.MeetingMoved, recorded: events.RecordedEvent) -> None:
    rows.update_meeting(
        event.meeting_id,
        starts_at=event.starts_at,
        place=event.place,
        note=f"Flyttat: {event.reason}",
    )


def meeting_cancelled(
    rows: CaseRows, event: case.MeetingCancelled, recorded: events.RecordedEvent
) -> None:
    rows.update_meeting(event.meeting_id, status=MeetingStatus.CANCELLED, note=event.reason)


def meeting_held(rows: CaseRows, event: case.MeetingHeld, recorded: events.RecordedEvent) -> None:
    rows.execute_on_case(_ONE_MORE_HELD)
    rows.update_meeting(
        event.meeting_id,
        status=MeetingStatus.HELD,
        held_on=event.held_on,
        attended_parts=list(event.attended_parts),
        participant_attended=event.participant_attended,
        decisions=event.decisions,
    )


HANDLERS: Handlers = {
    case.MeetingScheduled: meeting_scheduled,
    case.MeetingMoved: meeting_moved,
    case.MeetingCancelled: meeting_cancelled,
    case.MeetingHeld: meeting_held,
}
