"""Erasure and retention on the case's row. The sealed personal data needs nothing: the
participant's key was deleted with the append, so every sealed copy is unreadable. Only the
personnummer's blind index (keyed by the master key) is cleared here."""

from __future__ import annotations

import events
from coordination.cases import domain as case
from coordination.cases.projection.rows import CLEAR_BLIND_INDEX, CaseRows, Handlers


def erasure_requested(
    rows: CaseRows, event: case.ErasureRequested, recorded: events.RecordedEvent
) -> None:
    rows.update_case(erasure_requested_by=event.requested_by, erasure_reason=event.reason)


def erasure_cancelled(
    rows: CaseRows, event: case.ErasureCancelled, recorded: events.RecordedEvent
) -> None:
    rows.update_case(erasure_requested_by=None, erasure_reason=None)


def personal_data_erased(
    rows: CaseRows, event: case.PersonalDataErased, recorded: events.RecordedEvent
) -> None:
    rows.update_case(
        erased_on=event.erased_on, erasure_reason=event.reason, erasure_requested_by=None
    )
    rows.execute_on_case(CLEAR_BLIND_INDEX)


def retention_held(
    rows: CaseRows, event: case.RetentionHeld, recorded: events.RecordedEvent
) -> None:
    rows.update_case(retention_hold=event.reason)


def retention_released(
    rows: CaseRows, event: case.RetentionReleased, recorded: events.RecordedEvent
) -> None:
    rows.update_case(retention_hold=None)


HANDLERS: Handlers = {
    case.ErasureRequested: erasure_requested,
    case.ErasureCancelled: erasure_cancelled,
    case.PersonalDataErased: personal_data_erased,
    case.RetentionHeld: retention_held,
    case.RetentionReleased: retention_released,
}
