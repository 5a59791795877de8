"""Erasure and retention on the case's row. The personal data itself needs no handler: the
participant's key was deleted with the append, so every sealed copy is unreadable."""

from __future__ import annotations

from sqlalchemy.engine import Connection

import events
from coordination.cases import domain as case
from coordination.cases.projection.rows import Handlers, update_case


def erasure_requested(
    conn: Connection, case_id: str, event: case.ErasureRequested, recorded: events.RecordedEvent
) -> None:
    update_case(conn, case_id, erasure_requested_by=event.requested_by, erasure_reason=event.reason)


def erasure_cancelled(
    conn: Connection, case_id: str, event: case.ErasureCancelled, recorded: events.RecordedEvent
) -> None:
    update_case(conn, case_id, erasure_requested_by=None, erasure_reason=None)


def personal_data_erased(
    conn: Connection, case_id: str, event: case.PersonalDataErased, recorded: events.RecordedEvent
) -> None:
    update_case(
        conn,
        case_id,
        erased_on=event.erased_on,
        erasure_reason=event.reason,
        erasure_requested_by=None,
    )


def retention_held(
    conn: Connection, case_id: str, event: case.RetentionHeld, recorded: events.RecordedEvent
) -> None:
    update_case(conn, case_id, retention_hold=event.reason)


def retention_released(
    conn: Connection, case_id: str, event: case.RetentionReleased, recorded: events.RecordedEvent
) -> None:
    update_case(conn, case_id, retention_hold=None)


HANDLERS: Handlers = {
    case.ErasureRequested: erasure_requested,
    case.ErasureCancelled: erasure_cancelled,
    case.PersonalDataErased: personal_data_erased,
    case.RetentionHeld: retention_held,
    case.RetentionReleased: retention_released,
}
