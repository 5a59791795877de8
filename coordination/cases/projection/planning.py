"""Assessments, every version of the plan, and the current plan's activities."""

from __future__ import annotations

import sqlalchemy as sa

import events
from coordination.cases import domain as case
from coordination.cases.projection.rows import CaseRows, Handlers
from coordination.cases.tables import case_activities, case_assessments, case_plans
from coordination.shared.vocabulary import ActivityStatus, Stage


def assessment_recorded(
    rows: CaseRows, event: case.AssessmentRecorded, recorded: events.RecordedEvent
) -> None:
    texts = {name: getattr(event, name) for name in case.ASSESSMENT_TEXTS}
    rows.insert_entry(case_assessments, recorded, recorded_on=event.recorded_on, **texts)
    rows.update_case(stage=Stage.PLANNING, only_from=Stage.ENROLLED)


def plan_agreed(
    rows: CaseRows, event: case.PlanAgreed | case.PlanRevised, recorded: events.RecordedEvent
) -> None:
    """A plan version, agreed or revised: kept as a whole, and its activities as current."""
    version = event.version if isinstance(event, case.PlanRevised) else 1
    rows.insert(
        case_plans,
        case_id=rows.case_id,
        version=version,
        recorded_at=recorded.recorded_at,
        reason=getattr(event, "reason", ""),
        meeting_id=getattr(event, "meeting_id", ""),
        # the plan as the event carries it; None once erased
        plan=recorded.data["plan"] if event.plan else None,
    )
    rows.update_case(
        plan_version=version,
        plan_review_on=event.plan.review_on if event.plan else None,
    )
    rows.update_case(stage=Stage.ONGOING, only_from=Stage.PLANNING)
    rows.update_case(stage=Stage.ONGOING, only_from=Stage.ENROLLED)
    _replace_activities(rows, event.plan.activities if event.plan else ())


def activity_started(
    rows: CaseRows, event: case.ActivityStarted, recorded: events.RecordedEvent
) -> None:
    rows.update_activity(event.activity_id, status=ActivityStatus.ONGOING)


def activity_completed(
    rows: CaseRows, event: case.ActivityCompleted, recorded: events.RecordedEvent
) -> None:
    rows.update_activity(event.activity_id, status=ActivityStatus.DONE)


def activity_dropped(
    rows: CaseRows, event: case.ActivityDropped, recorded: events.RecordedEvent
) -> None:
    rows.update_activity(event.activity_id, status=ActivityStatus.DROPPED, drop_reason=event.reason)


def _replace_activities(rows: CaseRows, activities: tuple[case.Activity, ...]) -> None:
    rows.execute(_CLEAR_ACTIVITIES, {"case_id": rows.case_id})
    for activity in activities:
        rows.insert(
            case_activities,
            case_id=rows.case_id,
            activity_id=activity.activity_id,
            what=activity.what,
            part=activity.part,
            responsible_id=activity.responsible_id,
            start_on=activity.start_on,
            due_on=activity.due_on,
            status=activity.status,
            drop_reason=activity.drop_reason,
        )


_CLEAR_ACTIVITIES = case_activities.delete().where(
    case_activities.c.case_id == sa.bindparam("case_id")
)

HANDLERS: Handlers = {
    case.AssessmentRecorded: assessment_recorded,
    case.PlanAgreed: plan_agreed,
    case.PlanRevised: plan_agreed,
    case.ActivityStarted: activity_started,
    case.ActivityCompleted: activity_completed,
    case.ActivityDropped: activity_dropped,
}
