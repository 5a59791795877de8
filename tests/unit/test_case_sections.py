"""The case page's task list: each section's status and where the page opens, from the case's
row and the kinds of event it has had."""

from __future__ import annotations

import typing
from dataclasses import replace
from datetime import date, datetime

from coordination.cases import domain as case
from coordination.cases.board import CaseRow
from coordination.cases.web import sections
from coordination.shared.vocabulary import Part, RegistrationType, Stage

REFERRAL = CaseRow(
    case_id="c1",
    case_code="FS-0001",
    team_id="t1",
    stage=Stage.REFERRAL,
    version=1,
    from_part=Part.AF,
    from_caseworker="Handläggare",
    referral_date=date(2026, 11, 2),
    accepted_on=None,
    registration_type=None,
    gender=None,
    age_group=None,
    education=None,
    support_sources=[],
    time_in_support=None,
    start_date=None,
    consent_parts=[],
    consent_withdrawn=False,
    coordinator_name=None,
    insats_id=None,
    insats_name=None,
    last_event_at=datetime(2026, 11, 2, 9),
)
ENROLLED = replace(
    REFERRAL,
    stage=Stage.ENROLLED,
    accepted_on=date(2026, 11, 3),
    registration_type=RegistrationType.PERSONAL,
    start_date=date(2026, 11, 5),
    consent_parts=[Part.AF, Part.FK],
)


def statuses(row: CaseRow, happened: list[str]) -> dict[str, tuple[str, str]]:
    return {t.section.slug: (t.status, t.kind) for t in sections.tasks(row, happened)}


def test_a_new_referral_asks_for_a_decision_and_nothing_else_can_start() -> None:
    found = statuses(REFERRAL, ["ReferralReceived"])
    assert found["deltagare"] == ("Bedöm remissen", sections.TODO)
    assert found["kartlaggning"][1] == sections.NOT_YET
    assert found["handlingsplan"][1] == sections.NOT_YET
    assert found["avslut"][1] == sections.NOT_YET
    assert sections.next_section(REFERRAL, sections.tasks(REFERRAL, [])) == sections.PARTICIPANT


def test_an_accepted_referral_asks_for_enrolment() -> None:
    accepted = replace(REFERRAL, accepted_on=date(2026, 11, 3))
    assert statuses(accepted, [])["deltagare"] == ("Skriv in", sections.TODO)


def test_after_enrolment_the_page_opens_on_the_assessment_then_the_plan() -> None:
    happened = ["ReferralReceived", "ReferralAccepted", "ParticipantEnrolled"]
    assert statuses(ENROLLED, happened)["deltagare"] == ("Klart", sections.DONE)
    listed = sections.tasks(ENROLLED, happened)
    assert sections.next_section(ENROLLED, listed) == sections.ASSESSMENT

    assessed = [*happened, "AssessmentRecorded"]
    assert statuses(ENROLLED, assessed)["kartlaggning"] == ("Klart", sections.DONE)
    listed = sections.tasks(ENROLLED, assessed)
    assert sections.next_section(ENROLLED, listed) == sections.PLAN


def test_an_ongoing_case_with_everything_done_opens_on_its_steps() -> None:
    ongoing = replace(ENROLLED, stage=Stage.ONGOING, plan_version=1, level=2)
    happened = ["ParticipantEnrolled", "AssessmentRecorded", "PlanAgreed"]
    found = statuses(ongoing, happened)
    assert found["handlingsplan"] == ("Klart", sections.DONE)
    assert found["steg"] == ("Nivå 2", sections.INFO)
    assert sections.next_section(ongoing, sections.tasks(ongoing, happened)) == sections.STEPS


def test_withdrawn_consent_is_the_thing_to_see_to() -> None:
    withdrawn = replace(ENROLLED, stage=Stage.ONGOING, consent_withdrawn=True)
    found = statuses(withdrawn, ["ConsentWithdrawn"])
    assert found["deltagare"] == ("Samtycket återkallat", sections.TODO)


def test_an_anonymous_registration_has_no_plan_to_make() -> None:
    anonymous = replace(ENROLLED, registration_type=RegistrationType.ANONYMOUS)
    assert statuses(anonymous, [])["handlingsplan"] == ("Inte gjord", sections.INFO)


def test_a_closed_case_opens_on_closure_and_follow_ups() -> None:
    closed = replace(ENROLLED, stage=Stage.CLOSED, closed_on=date(2026, 10, 1), plan_version=1)
    happened = ["AssessmentRecorded", "CaseClosed"]
    assert statuses(closed, happened)["avslut"] == ("Avslutat 2026-10-01", sections.DONE)
    assert sections.next_section(closed, sections.tasks(closed, happened)) == sections.CLOSURE


def test_every_command_says_where_it_was_done_and_what_happened() -> None:
    commands = set(typing.get_args(case.Command)) - {case.EraseAfterRetention}  # by no user
    assert commands <= set(sections.AFTER), "a command without a banner"
    assert sections.saved_message("RecordStep") == "Steget är registrerat."
    assert sections.saved_message("<script>") == ""
