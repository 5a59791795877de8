"""Deciding progress on an open case: steps on the ladder, self-assessments, handovers."""

from __future__ import annotations

from datetime import date

from coordination.cases.domain.commands import HandOver, RecordSelfAssessment, RecordStep
from coordination.cases.domain.events import (
    CaseHandedOver,
    Event,
    SelfAssessmentRecorded,
    StepRecorded,
)
from coordination.cases.domain.rules import ANONYMOUS_TEXT, day_errors, raise_if, require_open_case
from coordination.cases.domain.state import CaseState


def record_step(command: RecordStep, state: CaseState, today: date) -> list[Event]:
    require_open_case(state)
    errors = day_errors(command.recorded_on, state, today, "recorded_on")
    if command.to_level < 0:
        errors["to_level"] = "Välj en nivå på stegen."
    if state.anonymous and command.evidence.strip():
        errors["evidence"] = ANONYMOUS_TEXT
    elif not state.anonymous and not command.evidence.strip():
        errors["evidence"] = "Beskriv vad som visar steget."
    if command.to_level == state.level:
        errors["to_level"] = "Deltagaren står redan på den nivån: ett steg är en förflyttning."
    raise_if(errors)
    return [
        StepRecorded(command.recorded_on, state.level, command.to_level, command.evidence.strip())
    ]


def record_self_assessment(
    command: RecordSelfAssessment, state: CaseState, today: date
) -> list[Event]:
    require_open_case(state)
    errors = day_errors(command.recorded_on, state, today, "recorded_on")
    if command.score < 1:
        errors["score"] = "Välj ett värde på skalan."
    if state.anonymous and command.note.strip():
        errors["note"] = ANONYMOUS_TEXT
    raise_if(errors)
    return [
        SelfAssessmentRecorded(
            command.recorded_on, command.phase, command.score, command.note.strip()
        )
    ]


def hand_over(command: HandOver, state: CaseState, today: date) -> list[Event]:
    require_open_case(state)
    current = (
        state.coordinator_id if command.part is None else state.caseworkers.get(command.part, "")
    )
    errors = day_errors(command.on, state, today, "on")
    if not command.to_id:
        errors["to_id"] = "Välj vem som tar över."
    elif command.to_id == current:
        errors["to_id"] = "Personen är redan ansvarig."
    if not command.reason.strip():
        errors["reason"] = "Ange varför ärendet lämnas över."
    raise_if(errors)
    return [
        CaseHandedOver(command.part, current, command.to_id, command.reason.strip(), command.on)
    ]
