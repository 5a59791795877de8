"""Steps on the ladder and self-assessments (one table, by kind), and handovers."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import events
from coordination.cases import domain as case
from coordination.cases.projection.rows import CaseRows, Handlers, case_update
from coordination.cases.tables import case_steps, cases

# the level now, and for the statistics the highest level reached
_TO_LEVEL = sa.bindparam("to_level", type_=sa.Integer)
_STEP_TO = case_update(
    level=_TO_LEVEL,
    max_level=sa.func.coalesce(
        sa.case((cases.c.max_level > _TO_LEVEL, cases.c.max_level), else_=_TO_LEVEL), _TO_LEVEL
    ),
)


def step_recorded(rows: CaseRows, event: case.StepRecorded, recorded: events.RecordedEvent) -> None:
    rows.insert_entry(
        case_steps,
        recorded,
        kind="step",
        recorded_on=event.recorded_on,
        level=event.to_level,
        phase=None,
        text=event.evidence,
    )
    rows.execute_on_case(_STEP_TO, to_level=event.to_level)
    if event.from_level is not None and event.to_level > event.from_level:
        rows.update_case(stepped_up=True)


def self_assessment_recorded(
    rows: CaseRows, event: case.SelfAssessmentRecorded, recorded: events.RecordedEvent
) -> None:
    rows.insert_entry(
        case_steps,
        recorded,
        kind="self_assessment",
        recorded_on=event.recorded_on,
        level=event.score,
        phase=event.phase,
        text=event.note,
    )


def case_handed_over(
    rows: CaseRows, event: case.CaseHandedOver, recorded: events.RecordedEvent
) -> None:
    values: dict[str, Any] = {"handovers": cases.c.handovers + 1}
    if event.part is None:
        values["coordinator_id"] = event.to_id
    rows.update_case(**values)


HANDLERS: Handlers = {
    case.StepRecorded: step_recorded,
    case.SelfAssessmentRecorded: self_assessment_recorded,
    case.CaseHandedOver: case_handed_over,
}
