"""Network meetings as the case page, the team's week and the calendar files read them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import events
from coordination.cases import domain as case
from coordination.cases.projection.rows import Handlers, update_case, update_meeting
from coordination.cases.tables import case_meetings, cases
from coordination.shared.vocabulary import MeetingStatus


def meeting_scheduled(
    conn: Connection, case_id: str, event: case.MeetingScheduled, recorded: events.RecordedEvent
) -> None:
    team_id = conn.execute(
        sa.select(cases.c.team_id).where(cases.c.case_id == case_id)
    ).scalar_one()
    conn.execute(
        case_meetings.insert().values(
            meeting_id=event.meeting_id,
            case_id=case_id,
            team_id=team_id,
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
    )


def meeting_moved(
    conn: Connection, case_id: str, event: case.MeetingMoved, recorded: events.RecordedEvent
) -> None:
    update_meeting(
        conn,
        event.meeting_id,
        starts_at=event.starts_at,
        place=event.place,
        note=f"Flyttat: {event.reason}",
    )


def meeting_cancelled(
    conn: Connection, case_id: str, event: case.MeetingCancelled, recorded: events.RecordedEvent
) -> None:
    update_meeting(conn, event.meeting_id, status=MeetingStatus.CANCELLED, note=event.reason)


def meeting_held(
    conn: Connection, case_id: str, event: case.MeetingHeld, recorded: events.RecordedEvent
) -> None:
    update_case(conn, case_id, meetings_held=cases.c.meetings_held + 1)
    update_meeting(
        conn,
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
