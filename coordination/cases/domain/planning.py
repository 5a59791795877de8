"""Deciding the assessment (kartläggning), the action plan and its activities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from coordination.cases.domain.commands import AgreePlan, ChangeActivity, RecordAssessment
from coordination.cases.domain.events import (
    Activity,
    ActivityCompleted,
    ActivityDropped,
    ActivityStarted,
    AssessmentRecorded,
    Event,
    Plan,
    PlanAgreed,
    PlanRevised,
)
from coordination.cases.domain.plans import plan_changes
from coordination.cases.domain.rules import (
    Rejected,
    day_errors,
    raise_if,
    refuse_anonymous,
    require_open_case,
)
from coordination.cases.domain.state import CaseState
from coordination.shared.vocabulary import ActivityStatus

# An activity that is done or dropped stays so.
FINAL_STATUSES = (ActivityStatus.DONE, ActivityStatus.DROPPED)


def record_assessment(command: RecordAssessment, state: CaseState, today: date) -> list[Event]:
    require_open_case(state)
    refuse_anonymous(state)
    texts = (
        command.situation,
        command.formal_competences,
        command.informal_competences,
        command.interests,
        command.obstacles,
        command.motivation,
        command.participant_words,
    )
    errors = day_errors(command.recorded_on, state, today, "recorded_on")
    if not any(t.strip() for t in texts):
        errors["situation"] = "Skriv åtminstone något om deltagarens situation."
    raise_if(errors)
    return [
        AssessmentRecorded(
            command.situation.strip(),
            command.formal_competences.strip(),
            command.informal_competences.strip(),
            command.interests.strip(),
            command.obstacles.strip(),
            command.motivation.strip(),
            command.participant_words.strip(),
            command.recorded_on,
        )
    ]


def activity_errors(
    activities: Sequence[Activity], state: CaseState, prefix: str = "activities"
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for index, activity in enumerate(activities):
        key = f"{prefix}.{index}"
        if not activity.what.strip():
            errors[f"{key}.what"] = "Beskriv aktiviteten."
        if activity.part not in state.consent_parts:
            errors[f"{key}.part"] = (
                f"Samtycket omfattar inte {activity.part.label}: välj en part som deltagaren "
                "har samtyckt till."
            )
        if not activity.responsible_id:
            errors[f"{key}.responsible_id"] = "Välj vem som ansvarar."
        if activity.due_on < activity.start_on:
            errors[f"{key}.due_on"] = "Slutdatumet kan inte vara före startdatumet."
    return errors


def agree_plan(command: AgreePlan, state: CaseState, today: date) -> list[Event]:
    require_open_case(state)
    refuse_anonymous(state)
    plan = command.plan
    errors = day_errors(plan.agreed_on, state, today, "agreed_on")
    if not (plan.goals_short.strip() or plan.goals_long.strip()):
        errors["goals_short"] = "Skriv minst ett mål, på kort eller lång sikt."
    if not plan.activities:
        errors["activities"] = "Planen behöver minst en aktivitet."
    errors.update(activity_errors(plan.activities, state))
    if not plan.participant_agreed:
        errors["participant_agreed"] = (
            "Planen görs med deltagaren: ange att deltagaren är med på den."
        )
    if not plan.agreed_by:
        errors["agreed_by"] = "Välj vilka som kom överens om planen."
    if plan.review_on <= plan.agreed_on:
        errors["review_on"] = "Uppföljningen av planen måste ligga efter dagen då den gjordes."
    cleaned = _cleaned(plan)
    # A plan agreed again as it was (at its follow-up, say) needs no reason; a changed one does.
    changed = state.plan is None or bool(plan_changes(state.plan, cleaned))
    if state.plan_version and changed and not command.reason.strip():
        errors["reason"] = "Ange varför planen ändras."
    raise_if(errors)
    if not state.plan_version:
        return [PlanAgreed(cleaned)]
    return [PlanRevised(state.plan_version + 1, cleaned, command.reason.strip())]


def _cleaned(plan: Plan) -> Plan:
    return replace(
        plan,
        goals_short=plan.goals_short.strip(),
        goals_long=plan.goals_long.strip(),
        participant_words=plan.participant_words.strip(),
        staff_notes=plan.staff_notes.strip(),
        activities=tuple(replace(a, what=a.what.strip()) for a in plan.activities),
    )


def change_activity(command: ChangeActivity, state: CaseState, today: date) -> list[Event]:
    require_open_case(state)
    activity = next(
        (
            a
            for a in (state.plan.activities if state.plan else ())
            if a.activity_id == command.activity_id
        ),
        None,
    )
    if activity is None:
        raise Rejected({"": "Aktiviteten finns inte i planen."})
    if activity.status in FINAL_STATUSES:
        raise Rejected({"": f"Aktiviteten är redan {activity.status.label.lower()}."})
    errors = day_errors(command.on, state, today, "on")
    match command.status:
        case ActivityStatus.ONGOING:
            raise_if(errors)
            return [ActivityStarted(command.activity_id, command.on)]
        case ActivityStatus.DONE:
            raise_if(errors)
            return [ActivityCompleted(command.activity_id, command.on)]
        case ActivityStatus.DROPPED:
            if not command.reason.strip():
                errors["reason"] = "Ange varför aktiviteten avbryts."
            raise_if(errors)
            return [ActivityDropped(command.activity_id, command.reason.strip(), command.on)]
    raise Rejected({"status": "Välj ett av alternativen."})
