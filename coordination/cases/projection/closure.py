"""Closure and reopening on the case's row; follow-ups; the after-support period."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import events
from coordination.cases import domain as case
from coordination.cases.projection.rows import (
    Handlers,
    extend_retention,
    insert_entry,
    update_case,
    update_people,
)
from coordination.cases.tables import case_after_support, case_assessments, case_follow_ups, cases
from coordination.shared.vocabulary import RegistrationType, Stage


def case_closed(
    conn: Connection, case_id: str, event: case.CaseClosed, recorded: events.RecordedEvent
) -> None:
    update_case(
        conn,
        case_id,
        stage=Stage.CLOSED,
        closed_on=event.closed_on,
        closure_kind=event.kind,
        closure_reason=event.reason,
        occupation_at_closure=event.occupation,
        support_at_closure=list(event.support_sources),
        retention_from=event.closed_on,
    )
    update_people(conn, case_id, next_step=event.next_step or None)


def case_reopened(
    conn: Connection, case_id: str, event: case.CaseReopened, recorded: events.RecordedEvent
) -> None:
    """Back at the stage the domain gives an open case with what this one holds; a case with
    personal data has the new consent."""
    row = conn.execute(
        sa.select(cases.c.plan_version, cases.c.registration_type).where(cases.c.case_id == case_id)
    ).one()
    assessments = conn.execute(
        sa.select(sa.func.count())
        .select_from(case_assessments)
        .where(case_assessments.c.case_id == case_id)
    ).scalar_one()
    values: dict[str, Any] = {
        "stage": case.stage_of(row.plan_version, assessments),
        "closed_on": None,
        "retention_from": None,
    }
    if row.registration_type == RegistrationType.PERSONAL:
        values.update(consent_parts=list(event.consent_parts), consent_withdrawn=False)
        update_people(conn, case_id, consent_note=event.consent_note or None)
    update_case(conn, case_id, **values)


def follow_up_recorded(
    conn: Connection, case_id: str, event: case.FollowUpRecorded, recorded: events.RecordedEvent
) -> None:
    conn.execute(
        case_follow_ups.insert().values(
            position=recorded.position,
            case_id=case_id,
            months=event.months,
            recorded_on=event.recorded_on,
            occupation=event.occupation,
            support_sources=list(event.support_sources),
            in_work_or_studies=event.in_work_or_studies,
            obstacles=event.obstacles,
        )
    )
    extend_retention(conn, case_id, event.recorded_on)


def after_support_started(
    conn: Connection,
    case_id: str,
    event: case.AfterSupportStarted,
    recorded: events.RecordedEvent,
) -> None:
    insert_entry(
        conn,
        case_after_support,
        case_id,
        recorded,
        kind="started",
        on=event.started_on,
        planned_end=event.planned_end,
        note="",
    )


def after_support_contact_logged(
    conn: Connection,
    case_id: str,
    event: case.AfterSupportContactLogged,
    recorded: events.RecordedEvent,
) -> None:
    insert_entry(
        conn,
        case_after_support,
        case_id,
        recorded,
        kind="contact",
        on=event.contacted_on,
        note=event.note,
    )


def after_support_ended(
    conn: Connection, case_id: str, event: case.AfterSupportEnded, recorded: events.RecordedEvent
) -> None:
    insert_entry(
        conn,
        case_after_support,
        case_id,
        recorded,
        kind="ended",
        on=event.ended_on,
        note="",
    )
    extend_retention(conn, case_id, event.ended_on)


HANDLERS: Handlers = {
    case.CaseClosed: case_closed,
    case.CaseReopened: case_reopened,
    case.FollowUpRecorded: follow_up_recorded,
    case.AfterSupportStarted: after_support_started,
    case.AfterSupportContactLogged: after_support_contact_logged,
    case.AfterSupportEnded: after_support_ended,
}
