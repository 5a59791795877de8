"""Reading plans: when a plan is reviewed, and what changed between two versions."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from coordination.cases.domain.events import Activity, Plan

PLAN_REVIEW_AFTER = relativedelta(months=3)


def default_review_on(agreed_on: date) -> date:
    """A plan is reviewed three months after it was agreed, unless the team says otherwise."""
    result: date = agreed_on + PLAN_REVIEW_AFTER
    return result


def plan_changes(old: Plan, new: Plan) -> list[str]:
    """What changed between two versions of a plan, in plain Swedish, one line per change."""
    changes: list[str] = []
    for name, label in (
        ("goals_short", "Mål på kort sikt"),
        ("goals_long", "Mål på lång sikt"),
        ("participant_words", "Deltagarens egna ord"),
        ("staff_notes", "Personalens anteckningar"),
        ("review_on", "Uppföljning av planen"),
    ):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(f"{label}: ”{before}” blev ”{after}”")
    previous = {a.activity_id: a for a in old.activities}
    for activity in new.activities:
        earlier = previous.pop(activity.activity_id, None)
        if earlier is None:
            changes.append(f"Ny aktivitet: {_activity_line(activity)}")
        elif earlier != activity:
            changes.append(
                f"Ändrad aktivitet: {_activity_line(earlier)} blev {_activity_line(activity)}"
            )
    changes.extend(f"Borttagen aktivitet: {_activity_line(a)}" for a in previous.values())
    return changes


def _activity_line(activity: Activity) -> str:
    return (
        f"{activity.what} ({activity.part.label}, {activity.start_on}–{activity.due_on}, "
        f"{activity.status.label.lower()})"
    )
