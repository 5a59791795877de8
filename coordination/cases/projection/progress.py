"""Steps on the ladder and self-assessments (one table, by kind), and handovers."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import events
from coordination.cases import domain as case
from coordination.cases.projection.rows import Handlers, update_case
from coordination.cases.tables import case_steps, cases


def step_recorded(
    conn: Connection, case_id: str, event: case.StepRecorded, recorded: events.RecordedEvent
) -> None:
    _step(conn, recorded, case_id, "step", event.recorded_on, event.to_level, None, event.evidence)
    # for the statistics: the highest level reached, and whether any step went up
    highest = sa.case((cases.c.max_level > event.to_level, cases.c.max_level), else_=event.to_level)
    update_case(
        conn,
        case_id,
        level=event.to_level,
        max_level=sa.func.coalesce(highest, event.to_level),
    )
    if event.from_level is not None and event.to_level > event.from_level:
        update_case(conn, case_id, stepped_up=True)


def self_assessment_recorded(
    conn: Connection,
    case_id: str,
    event: case.SelfAssessmentRecorded,
    recorded: events.RecordedEvent,
) -> None:
    _step(
        conn,
        recorded,
        case_id,
        "self_assessment",
        event.recorded_on,
        event.score,
        event.phase,
        event.note,
    )


def case_handed_over(
    conn: Connection, case_id: str, event: case.CaseHandedOver, recorded: events.RecordedEvent
) -> None:
    values: dict[str, Any] = {"handovers": cases.c.handovers + 1}
    if event.part is None:
        values["coordinator_id"] = event.to_id
    update_case(conn, case_id, **values)


def _step(
    conn: Connection,
    recorded: events.RecordedEvent,
    case_id: str,
    kind: str,
    recorded_on: date,
    level: int,
    phase: str | None,
    text: str,
) -> None:
    conn.execute(
        case_steps.insert().values(
            position=recorded.position,
            case_id=case_id,
            kind=kind,
            recorded_on=recorded_on,
            level=level,
            phase=phase,
            text=text,
            actor_id=recorded.metadata.get("actor"),
        )
    )


HANDLERS: Handlers = {
    case.StepRecorded: step_recorded,
    case.SelfAssessmentRecorded: self_assessment_recorded,
    case.CaseHandedOver: case_handed_over,
}
