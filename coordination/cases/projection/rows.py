"""The writes every phase of the case projection shares, and the shape of an event handler."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import events
from coordination.cases.tables import case_activities, case_meetings, case_people, cases
from coordination.shared.vocabulary import Stage

# A handler writes what one event (of the type it is registered for) changes in the read
# models of its case.
Handler = Callable[[Connection, str, Any, events.RecordedEvent], None]
Handlers = Mapping[type, Handler]


def update_case(
    conn: Connection, case_id: str, only_from: Stage | None = None, **values: Any
) -> None:
    """Change the case's row; with `only_from`, only while the case is at that stage."""
    query = cases.update().where(cases.c.case_id == case_id)
    if only_from is not None:
        query = query.where(cases.c.stage == only_from)
    conn.execute(query.values(**values))


def insert_entry(
    conn: Connection,
    table: sa.Table,
    case_id: str,
    recorded: events.RecordedEvent,
    **values: Any,
) -> None:
    """A row of one of the case's logs (assessments, steps, after-support), keyed by the
    event's position, with who recorded it."""
    conn.execute(
        table.insert().values(
            position=recorded.position,
            case_id=case_id,
            actor_id=recorded.metadata.get("actor"),
            **values,
        )
    )


def extend_retention(conn: Connection, case_id: str, day: date) -> None:
    """The retention clock counts from the case's last event of its end: closure, a
    follow-up, the end of after-support (whichever came last)."""
    current = conn.execute(
        sa.select(cases.c.retention_from).where(cases.c.case_id == case_id)
    ).scalar_one_or_none()
    if current is None or current < day:
        update_case(conn, case_id, retention_from=day)


def update_people(conn: Connection, case_id: str, **values: Any) -> None:
    conn.execute(case_people.update().where(case_people.c.case_id == case_id).values(**values))


def update_activity(conn: Connection, case_id: str, activity_id: str, **values: Any) -> None:
    conn.execute(
        case_activities.update()
        .where(case_activities.c.case_id == case_id, case_activities.c.activity_id == activity_id)
        .values(**values)
    )


def update_meeting(conn: Connection, meeting_id: str, **values: Any) -> None:
    conn.execute(
        case_meetings.update().where(case_meetings.c.meeting_id == meeting_id).values(**values)
    )
