"""Closure and reopening on the case's row; follow-ups; the after-support period."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import events
from coordination.cases import domain as case
from coordination.cases.projection.rows import CaseRows, Handlers
from coordination.cases.tables import case_after_support, case_assessments, case_follow_ups, cases
from coordination.shared.vocabulary import RegistrationType, Stage


def case_closed(rows: CaseRows, event: case.CaseClosed, recorded: events.RecordedEvent) -> None:
    rows.update_case(
        stage=Stage.CLOSED,
        closed_on=event.closed_on,
        closure_kind=event.kind,
        closure_reason=event.reason,
        occupation_at_closure=event.occupation,
        support_at_closure=list(event.support_sources),
        retention_from=event.closed_on,
    )
    rows.update_people(next_step=event.next_step or None)


def case_reopened(rows: CaseRows, event: case.CaseReopened, recorded: events.RecordedEvent) -> None:
    """Back at the stage the domain gives an open case with what this one holds; a case with
    personal data has the new consent."""
    row = rows.read(
        sa.select(cases.c.plan_version, cases.c.registration_type).where(
            cases.c.case_id == rows.case_id
        )
    ).one()
    assessments = rows.read(
        sa.select(sa.func.count())
        .select_from(case_assessments)
        .where(case_assessments.c.case_id == rows.case_id)
    ).scalar_one()
    values: dict[str, Any] = {
        "stage": case.stage_of(row.plan_version, assessments),
        "closed_on": None,
        "retention_from": None,
    }
    if row.registration_type == RegistrationType.PERSONAL:
        values.update(consent_parts=list(event.consent_parts), consent_withdrawn=False)
        rows.update_people(consent_note=event.consent_note or None)
    rows.update_case(**values)


def follow_up_recorded(
    rows: CaseRows, event: case.FollowUpRecorded, recorded: events.RecordedEvent
) -> None:
    rows.insert(
        case_follow_ups,
        position=recorded.position,
        case_id=rows.case_id,
        months=event.months,
        recorded_on=event.recorded_on,
        occupation=event.occupation,
        support_sources=list(event.support_sources),
        in_work_or_studies=event.in_work_or_studies,
        late=event.late,
        obstacles=event.obstacles,
    )
    rows.extend_retention(event.recorded_on)


def after_support_started(
    rows: CaseRows, event: case.AfterSupportStarted, recorded: events.RecordedEvent
) -> None:
    rows.insert_entry(
        case_after_support,
        recorded,
        kind="started",
        on=event.started_on,
        planned_end=event.planned_end,
        note="",
    )


def after_support_contact_logged(
    rows: CaseRows, event: case.AfterSupportContactLogged, recorded: events.RecordedEvent
) -> None:
    rows.insert_entry(
        case_after_support,
        recorded,
        kind="contact",
        on=event.contacted_on,
        note=event.note,
    )


def after_support_ended(
    rows: CaseRows, event: case.AfterSupportEnded, recorded: events.RecordedEvent
) -> None:
    rows.insert_entry(
        case_after_support,
        recorded,
        kind="ended",
        on=event.ended_on,
        note="",
    )
    rows.extend_retention(event.ended_on)


HANDLERS: Handlers = {
    case.CaseClosed: case_closed,
    case.CaseReopened: case_reopened,
    case.FollowUpRecorded: follow_up_recorded,
    case.AfterSupportStarted: after_support_started,
    case.AfterSupportContactLogged: after_support_contact_logged,
    case.AfterSupportEnded: after_support_ended,
}
