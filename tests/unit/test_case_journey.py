"""The case decider from enrolment to closure: every rule and every event of the journey."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from coordination.cases import domain as case
from coordination.cases.domain import Activity, AgreePlan, CaseState, Plan, Rejected, decide, fold
from coordination.shared.vocabulary import (
    ActivityStatus,
    ClosureKind,
    ClosureReason,
    MeetingMode,
    Occupation,
    Part,
    RegistrationType,
    SelfAssessmentPhase,
    Stage,
    SupportSource,
)
from tests.unit.test_case_decider import ENROL, REFERRAL, TODAY

ENROLLED_ON = date(2026, 11, 20)


def run(*commands: Any, base: tuple[Any, ...] = ()) -> tuple[CaseState, list[Any]]:
    """Decide each command on the state folded so far; the state and all events."""
    events: list[Any] = list(base)
    for command in commands:
        events.extend(decide(command, fold(events), TODAY))
    return fold(events), events


def enrolled(anonymous: bool = False) -> list[Any]:
    enrol = replace(ENROL, registration_type=RegistrationType.ANONYMOUS) if anonymous else ENROL
    return run(REFERRAL, case.AcceptReferral(date(2026, 11, 5)), enrol)[1]


def activity(number: int = 1, **changes: Any) -> Activity:
    values: dict[str, Any] = {
        "activity_id": f"a{number}",
        "what": f"Aktivitet {number}",
        "part": Part.FK,
        "responsible_id": "user-1",
        "start_on": date(2026, 11, 23),
        "due_on": date(2026, 12, 20),
        **changes,
    }
    return Activity(**values)


def plan(**changes: Any) -> Plan:
    values: dict[str, Any] = {
        "goals_short": "Komma igång med praktik",
        "goals_long": "Arbete inom handeln",
        "participant_words": "Jag vill jobba med människor",
        "staff_notes": "",
        "activities": (activity(1), activity(2, part=Part.KOMMUN)),
        "agreed_by": ("user-1", "user-9"),
        "participant_agreed": True,
        "agreed_on": TODAY,
        "review_on": date(2027, 2, 23),
        **changes,
    }
    return Plan(**values)


def meeting(meeting_id: str = "m1", **changes: Any) -> case.MeetingScheduled:
    values: dict[str, Any] = {
        "meeting_id": meeting_id,
        "starts_at": datetime(2026, 11, 23, 9, 0),
        "minutes": 60,
        "mode": MeetingMode.IN_PERSON,
        "place": "Rum 3",
        "invitee_ids": ("user-1", "user-2"),
        "participant_invited": True,
        "others_invited": "",
        "agenda": "Planen",
        **changes,
    }
    return case.MeetingScheduled(**values)


def rejected(command: Any, events: list[Any]) -> dict[str, str]:
    with pytest.raises(Rejected) as raised:
        decide(command, fold(events), TODAY)
    return raised.value.errors


CLOSE = case.CloseCase(
    ClosureKind.COMPLETED,
    ClosureReason.WORK,
    Occupation.WORK_SUBSIDISED,
    (SupportSource.NONE,),
    "Efterstöd från AF",
    False,
    TODAY,
)

# -- assessment --------------------------------------------------------------------------

ASSESSMENT = case.RecordAssessment(
    "Bor ensam", "Gymnasieexamen", "Bra med djur", "Hästar", "Ångest", "Hög", "Jag vill", TODAY
)


def test_an_assessment_moves_the_case_to_planning_and_a_revision_is_a_new_version() -> None:
    state, events = run(
        ASSESSMENT, replace(ASSESSMENT, obstacles="Mindre ångest"), base=tuple(enrolled())
    )
    assert [type(e).__name__ for e in events[-2:]] == ["AssessmentRecorded"] * 2
    assert state.stage is Stage.PLANNING
    assert state.assessments == 2


def test_an_empty_or_future_assessment_is_refused() -> None:
    empty = case.RecordAssessment("", " ", "", "", "", "", "", date(2026, 12, 1))
    errors = rejected(empty, enrolled())
    assert errors["situation"].startswith("Skriv åtminstone")
    assert errors["recorded_on"] == "Datumet kan inte ligga i framtiden."


def test_an_anonymous_case_keeps_no_assessment_or_plan() -> None:
    events = enrolled(anonymous=True)
    assert "anonymt" in rejected(ASSESSMENT, events)[""]
    assert "anonymt" in rejected(AgreePlan(plan()), events)[""]
    assert "anonymt" in rejected(case.ScheduleMeeting(meeting()), events)[""]
    step = case.RecordStep(TODAY, 2, "Började praktik")
    assert rejected(step, events)["evidence"] == case.ANONYMOUS_TEXT
    state, _ = run(replace(step, evidence=""), base=tuple(events))
    assert state.level == 2


# -- the plan ----------------------------------------------------------------------------


def test_agreeing_then_revising_the_plan_gives_versions() -> None:
    state, events = run(AgreePlan(plan()), base=tuple(enrolled()))
    assert isinstance(events[-1], case.PlanAgreed)
    assert state.stage is Stage.ONGOING
    revised = plan(activities=(activity(1), activity(3, what="Studiebesök")))
    assert "reason" in rejected(AgreePlan(revised), events)
    state, events = run(AgreePlan(revised, "Ny aktivitet"), base=tuple(events))
    assert events[-1] == case.PlanRevised(2, revised, "Ny aktivitet")
    assert state.plan_version == 2


def test_a_plan_needs_goals_activities_the_participant_and_dates_in_order() -> None:
    bad = plan(
        goals_short="",
        goals_long="",
        activities=(activity(1, what="", responsible_id="", due_on=date(2026, 11, 1)),),
        participant_agreed=False,
        agreed_by=(),
        review_on=TODAY,
    )
    errors = rejected(AgreePlan(bad), enrolled())
    assert set(errors) == {
        "goals_short",
        "activities.0.what",
        "activities.0.responsible_id",
        "activities.0.due_on",
        "participant_agreed",
        "agreed_by",
        "review_on",
    }
    assert (
        "minst en aktivitet" in rejected(AgreePlan(plan(activities=())), enrolled())["activities"]
    )


def test_an_activitys_part_must_be_covered_by_the_consent() -> None:
    errors = rejected(AgreePlan(plan(activities=(activity(1, part=Part.AF),))), enrolled())
    assert errors["activities.0.part"].startswith("Samtycket omfattar inte Arbetsförmedlingen")


def test_activities_start_finish_or_drop_with_a_reason_and_then_stay_final() -> None:
    _, events = run(AgreePlan(plan()), base=tuple(enrolled()))
    state, events = run(
        case.ChangeActivity("a1", ActivityStatus.ONGOING, TODAY),
        case.ChangeActivity("a1", ActivityStatus.DONE, TODAY),
        case.ChangeActivity("a2", ActivityStatus.DROPPED, TODAY, "Flyttade"),
        base=tuple(events),
    )
    assert [type(e).__name__ for e in events[-3:]] == [
        "ActivityStarted",
        "ActivityCompleted",
        "ActivityDropped",
    ]
    assert state.plan is not None
    assert [a.status for a in state.plan.activities] == [
        ActivityStatus.DONE,
        ActivityStatus.DROPPED,
    ]
    assert (
        "redan klar"
        in rejected(case.ChangeActivity("a1", ActivityStatus.ONGOING, TODAY), events)[""]
    )
    _, fresh = run(AgreePlan(plan()), base=tuple(enrolled()))
    assert "reason" in rejected(case.ChangeActivity("a1", ActivityStatus.DROPPED, TODAY), fresh)
    assert "finns inte" in rejected(case.ChangeActivity("x", ActivityStatus.DONE, TODAY), fresh)[""]


def test_plan_changes_are_listed_between_versions() -> None:
    old = plan()
    new = plan(
        goals_short="Praktik två dagar i veckan",
        activities=(activity(1, status=ActivityStatus.DONE), activity(3, what="Studiebesök")),
    )
    changes = case.plan_changes(old, new)
    assert (
        changes[0]
        == "Mål på kort sikt: ”Komma igång med praktik” blev ”Praktik två dagar i veckan”"
    )
    assert any(
        c.startswith("Ändrad aktivitet: Aktivitet 1") and c.endswith("klar)") for c in changes
    )
    assert any(c.startswith("Ny aktivitet: Studiebesök") for c in changes)
    assert any(c.startswith("Borttagen aktivitet: Aktivitet 2") for c in changes)
    assert case.plan_changes(old, old) == []


# -- meetings ----------------------------------------------------------------------------


def test_a_meeting_is_scheduled_moved_held_with_plan_changes_and_a_next_meeting() -> None:
    _, events = run(AgreePlan(plan()), case.ScheduleMeeting(meeting()), base=tuple(enrolled()))
    state, events = run(
        case.MoveMeeting("m1", datetime(2026, 11, 23, 13, 0), "Rum 4", "Krock"),
        case.RecordMeeting(
            "m1",
            TODAY,
            (Part.FK, Part.KOMMUN),
            True,
            "Praktik ska ordnas",
            (activity(5, what="Ordna praktikplats"),),
            meeting("m2", starts_at=datetime(2026, 12, 10, 9, 0)),
        ),
        base=tuple(events),
    )
    held, revised, scheduled = events[-3:]
    assert held == case.MeetingHeld(
        "m1", TODAY, (Part.FK, Part.KOMMUN), True, "Praktik ska ordnas", "m2"
    )
    assert isinstance(revised, case.PlanRevised)
    assert revised.version == 2
    assert revised.meeting_id == "m1"
    assert revised.plan is not None
    assert revised.plan.activities[-1].what == "Ordna praktikplats"
    assert isinstance(scheduled, case.MeetingScheduled)
    assert state.meetings["m1"].status == "held"
    assert state.meetings["m2"].status == "scheduled"


def test_a_held_meeting_cannot_lie_in_the_future_nor_be_held_twice() -> None:
    _, events = run(
        case.ScheduleMeeting(meeting(starts_at=datetime(2026, 11, 30, 9, 0))),
        base=tuple(enrolled()),
    )
    future = case.RecordMeeting("m1", date(2026, 11, 30), (), False, "Beslut")
    assert rejected(future, events)["held_on"] == "Ett hållet möte kan inte ligga i framtiden."
    early = case.RecordMeeting("m1", date(2026, 11, 22), (), False, "Beslut")
    assert "innan det var planerat" in rejected(early, events)["held_on"]
    _, today_meeting = run(case.ScheduleMeeting(meeting()), base=tuple(enrolled()))
    _, held = run(case.RecordMeeting("m1", TODAY, (), False, "Beslut"), base=tuple(today_meeting))
    assert "redan hållet" in rejected(case.RecordMeeting("m1", TODAY, (), False, "B"), held)[""]


def test_meeting_rules_scheduling_in_the_past_cancelling_and_missing_fields() -> None:
    events = enrolled()
    past = meeting(starts_at=datetime(2026, 11, 1, 9, 0), invitee_ids=(), minutes=0, place="")
    assert set(rejected(case.ScheduleMeeting(past), events)) == {
        "starts_at",
        "invitee_ids",
        "minutes",
        "place",
    }
    _, events = run(case.ScheduleMeeting(meeting()), base=tuple(events))
    assert "cancel_reason" in rejected(case.CancelMeeting("m1", ""), events)
    assert "reason" in rejected(case.MoveMeeting("m1", datetime(2026, 12, 1, 9), "", ""), events)
    state, events = run(case.CancelMeeting("m1", "Sjuk"), base=tuple(events))
    assert state.meetings["m1"].status == "cancelled"
    assert "inställt" in rejected(case.RecordMeeting("m1", TODAY, (), False, "B"), events)[""]
    no_plan = case.RecordMeeting("m2", TODAY, (), False, "B", (activity(9),))
    _, events = run(case.ScheduleMeeting(meeting("m2")), base=tuple(events))
    assert "ingen handlingsplan" in rejected(no_plan, events)["activities"]


# -- steps, self-assessment, handovers -----------------------------------------------------


def test_steps_may_skip_levels_and_go_down_but_must_move() -> None:
    state, events = run(
        case.RecordStep(TODAY, 1, "Kommer till samtal"),
        case.RecordStep(TODAY, 5, "Lönebidragsanställd"),
        case.RecordStep(TODAY, 3, "Tillbaka till praktik"),
        base=tuple(enrolled()),
    )
    assert [(e.from_level, e.to_level) for e in events[-3:]] == [(None, 1), (1, 5), (5, 3)]
    assert state.level == 3
    errors = rejected(case.RecordStep(date(2026, 11, 1), 3, ""), events)
    assert set(errors) == {"recorded_on", "evidence", "to_level"}


def test_self_assessments_are_recorded_with_a_score() -> None:
    command = case.RecordSelfAssessment(TODAY, SelfAssessmentPhase.ENROLMENT, 2, "Osäker")
    _, events = run(command, base=tuple(enrolled()))
    assert events[-1] == case.SelfAssessmentRecorded(
        TODAY, SelfAssessmentPhase.ENROLMENT, 2, "Osäker"
    )
    assert "score" in rejected(replace(command, score=0), events)


def test_handovers_change_the_responsible_person_and_need_a_reason() -> None:
    state, events = run(
        case.HandOver(None, "user-7", "Föräldraledig", TODAY),
        case.HandOver(Part.FK, "user-3", "Ny handläggare på FK", TODAY),
        base=tuple(enrolled()),
    )
    assert events[-2] == case.CaseHandedOver(None, "user-9", "user-7", "Föräldraledig", TODAY)
    assert events[-1] == case.CaseHandedOver(Part.FK, "", "user-3", "Ny handläggare på FK", TODAY)
    assert state.coordinator_id == "user-7"
    assert state.caseworkers == {Part.FK: "user-3"}
    assert set(rejected(case.HandOver(None, "user-7", "", TODAY), events)) == {"to_id", "reason"}


# -- closure and reopening ----------------------------------------------------------------


def test_a_closed_case_takes_no_plan_changes_or_steps_and_cannot_be_closed_twice() -> None:
    state, events = run(AgreePlan(plan()), CLOSE, base=tuple(enrolled()))
    assert state.stage is Stage.CLOSED
    for command in (
        AgreePlan(plan(), "Ändring"),
        case.RecordStep(TODAY, 4, "Studier"),
        case.ScheduleMeeting(meeting("m9")),
        ASSESSMENT,
        case.HandOver(None, "user-7", "Byte", TODAY),
    ):
        assert rejected(command, events)[""] == case.CLOSED
    assert rejected(CLOSE, events)[""] == "Ärendet är redan avslutat."


def test_closure_needs_support_sources_and_a_next_step_or_an_explicit_none() -> None:
    events = enrolled()
    errors = rejected(replace(CLOSE, support_sources=(), next_step=""), events)
    assert set(errors) == {"support_sources", "next_step"}
    both = rejected(replace(CLOSE, no_next_step=True), events)
    assert "inte båda" in both["next_step"]
    early = rejected(replace(CLOSE, closed_on=date(2026, 11, 1)), events)
    assert "före inskrivningen" in early["closed_on"]
    _, closed = run(replace(CLOSE, next_step="", no_next_step=True), base=tuple(events))
    assert isinstance(closed[-1], case.CaseClosed)


def test_uppgift_saknas_is_an_answer_at_closure_and_follow_up_not_at_enrolment() -> None:
    events = enrolled()
    unknown = (SupportSource.UNKNOWN,)
    mixed = rejected(replace(CLOSE, support_sources=(SupportSource.NONE, *unknown)), events)
    assert "inte väljas tillsammans" in mixed["support_sources"]
    _, closed = run(replace(CLOSE, support_sources=unknown), base=tuple(events))
    assert closed[-1].support_sources == unknown
    later = TODAY + timedelta(days=95)
    follow_up = case.RecordFollowUp(3, later, Occupation.UNKNOWN, unknown, "")
    [followed] = decide(follow_up, fold(closed), later)
    assert followed == case.FollowUpRecorded(3, later, Occupation.UNKNOWN, unknown, False, "")
    accepted = run(REFERRAL, case.AcceptReferral(date(2026, 11, 5)))[1]
    at_enrolment = rejected(replace(ENROL, support_sources=unknown), accepted)
    assert "vid inskrivning, fråga deltagaren" in at_enrolment["support_sources"]
    assert "occupation" in rejected(replace(ENROL, occupation=None), accepted)


def follow_up(months: int, on: date, occupation: Occupation = Occupation.STUDIES) -> Any:
    return case.RecordFollowUp(months, on, occupation, (SupportSource.STUDY_SUPPORT,), "")


def test_a_follow_up_belongs_to_its_point_and_its_window_and_a_late_one_says_so() -> None:
    _, closed = run(CLOSE, base=tuple(enrolled()))  # closed on TODAY
    state = fold(closed)
    due = TODAY + relativedelta(months=6)

    def outcome(command: Any, today: date) -> Any:
        try:
            return decide(command, state, today)[0]
        except Rejected as refused:
            return refused.errors

    early = outcome(follow_up(6, due - relativedelta(months=1, days=1)), due)
    assert "tidigast " + str(due - relativedelta(months=1)) in early["recorded_on"]
    on_time = outcome(follow_up(6, due + relativedelta(months=1)), due + relativedelta(months=2))
    assert not on_time.late and on_time.in_work_or_studies  # studies: from the occupation
    late = outcome(
        follow_up(6, due + relativedelta(months=1, days=1), Occupation.JOBSEEKER),
        due + relativedelta(months=2),
    )
    assert late.late and not late.in_work_or_studies
    assert "efter 3, 6, 12 månader" in outcome(follow_up(9, due), due)["months"]
    after_six = fold([*closed, on_time])
    with pytest.raises(Rejected) as refused:
        decide(
            follow_up(3, due + relativedelta(months=1)), after_six, due + relativedelta(months=1)
        )
    assert "efter 6 månader är redan gjord" in refused.value.errors["months"]
    points = case.FollowUpPoints((2,), 0)
    exactly = case.RecordFollowUp(
        2, TODAY + relativedelta(months=2), Occupation.NONE, (), "", points
    )
    assert "months" not in outcome(exactly, TODAY + relativedelta(months=2))


def test_reopening_needs_a_reason_and_renewed_consent() -> None:
    _, events = run(AgreePlan(plan()), CLOSE, base=tuple(enrolled()))
    errors = rejected(case.ReopenCase("", (), "", TODAY), events)
    assert set(errors) == {"reason", "consent_parts"}
    state, events = run(
        case.ReopenCase("Förlorade jobbet", (Part.FK,), "", TODAY), base=tuple(events)
    )
    assert state.stage is Stage.ONGOING
    assert state.consent_parts == {Part.FK}
    assert "Bara ett avslutat" in rejected(case.ReopenCase("x", (Part.FK,), "", TODAY), events)[""]


def test_a_meeting_decision_that_changes_an_activity_is_a_new_plan_version() -> None:
    _, events = run(AgreePlan(plan()), case.ScheduleMeeting(meeting()), base=tuple(enrolled()))
    decided = case.RecordMeeting(
        "m1",
        TODAY,
        (Part.FK,),
        True,
        "Aktivitet 1 är klar, aktivitet 2 stryks",
        activity_statuses={"a1": ActivityStatus.DONE, "a2": ActivityStatus.DROPPED},
    )
    _, events = run(decided, base=tuple(events))
    revised = events[-1]
    assert isinstance(revised, case.PlanRevised)
    assert revised.plan is not None
    assert [a.status for a in revised.plan.activities] == [
        ActivityStatus.DONE,
        ActivityStatus.DROPPED,
    ]
    assert revised.plan.activities[1].drop_reason == f"Beslut på nätverksmötet {TODAY}"
    unchanged = case.RecordMeeting("m2", TODAY, (), False, "Inget nytt")
    _, events = run(case.ScheduleMeeting(meeting("m2")), unchanged, base=tuple(events))
    assert isinstance(events[-1], case.MeetingHeld)  # no plan version without a change
