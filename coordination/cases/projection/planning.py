"""Assessments, every version of the plan, and the current plan's activities."""

from __future__ import annotations

import json

from sqlalchemy.engine import Connection

import events
from coordination.cases import domain as case
from coordination.cases.projection.rows import (
    Handlers,
    insert_entry,
    update_activity,
    update_case,
)
from coordination.cases.tables import case_activities, case_assessments, case_plans
from coordination.shared.vocabulary import ActivityStatus, Stage


def assessment_recorded(
    conn: Connection, case_id: str, event: case.AssessmentRecorded, recorded: events.RecordedEvent
) -> None:
    texts = {name: getattr(event, name) for name in case.ASSESSMENT_TEXTS}
    insert_entry(conn, case_assessments, case_id, recorded, recorded_on=event.recorded_on, **texts)
    update_case(conn, case_id, stage=Stage.PLANNING, only_from=Stage.ENROLLED)


def plan_agreed(
    conn: Connection,
    case_id: str,
    event: case.PlanAgreed | case.PlanRevised,
    recorded: events.RecordedEvent,
) -> None:
    """A plan version, agreed or revised: kept as a whole, and its activities as current."""
    version = event.version if isinstance(event, case.PlanRevised) else 1
    conn.execute(
        case_plans.insert().values(
            case_id=case_id,
            version=version,
            recorded_at=recorded.recorded_at,
            reason=getattr(event, "reason", ""),
            meeting_id=getattr(event, "meeting_id", ""),
            plan=json.dumps(recorded.data["plan"]) if event.plan else "null",
        )
    )
    update_case(
        conn,
        case_id,
        plan_version=version,
        plan_review_on=event.plan.review_on if event.plan else None,
    )
    update_case(conn, case_id, stage=Stage.ONGOING, only_from=Stage.PLANNING)
    update_case(conn, case_id, stage=Stage.ONGOING, only_from=Stage.ENROLLED)
    _replace_activities(conn, case_id, event.plan.activities if event.plan else ())


def activity_started(
    conn: Connection, case_id: str, event: case.ActivityStarted, recorded: events.RecordedEvent
) -> None:
    update_activity(conn, case_id, event.activity_id, status=ActivityStatus.ONGOING)


def activity_completed(
    conn: Connection, case_id: str, event: case.ActivityCompleted, recorded: events.RecordedEvent
) -> None:
    update_activity(conn, case_id, event.activity_id, status=ActivityStatus.DONE)


def activity_dropped(
    conn: Connection, case_id: str, event: case.ActivityDropped, recorded: events.RecordedEvent
) -> None:
    update_activity(
        conn, case_id, event.activity_id, status=ActivityStatus.DROPPED, drop_reason=event.reason
    )


def _replace_activities(
    conn: Connection, case_id: str, activities: tuple[case.Activity, ...]
) -> None:
    conn.execute(case_activities.delete().where(case_activities.c.case_id == case_id))
    for activity in activities:
        conn.execute(
            case_activities.insert().values(
                case_id=case_id,
                activity_id=activity.activity_id,
                what=activity.what,
                part=activity.part,
                responsible_id=activity.responsible_id,
                start_on=activity.start_on,
                due_on=activity.due_on,
                status=activity.status,
                drop_reason=activity.drop_reason,
            )
        )


HANDLERS: Handlers = {
    case.AssessmentRecorded: assessment_recorded,
    case.PlanAgreed: plan_agreed,
    case.PlanRevised: plan_agreed,
    case.ActivityStarted: activity_started,
    case.ActivityCompleted: activity_completed,
    case.ActivityDropped: activity_dropped,
}
