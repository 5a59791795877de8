"""The case decider from referral to enrolment: every rule and every event."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, get_args

import pytest

from coordination.cases.domain import (
    AcceptReferral,
    CaseState,
    Command,
    ConsentRenewed,
    ConsentWithdrawn,
    DeclineReferral,
    Enrol,
    Participant,
    ParticipantEnrolled,
    ReferralAccepted,
    ReferralDeclined,
    ReferralReceived,
    RegisterReferral,
    Rejected,
    RenewConsent,
    WithdrawConsent,
    decide,
    fold,
)
from coordination.cases.domain.decide import PHASES
from coordination.cases.domain.referral import age_group_of
from coordination.shared.vocabulary import (
    AgeGroup,
    EducationLevel,
    Gender,
    Occupation,
    Part,
    RegistrationType,
    Stage,
    SupportSource,
    TimeInSupport,
)

TODAY = date(2026, 11, 23)
REFERRAL = RegisterReferral(
    "K-7Q2M", "team-1", Part.FK, "Handläggare Demo", "Långvarig sjukskrivning", date(2026, 11, 2)
)
ENROL = Enrol(
    RegistrationType.PERSONAL,
    Gender.WOMAN,
    date(2026, 11, 20),
    "insats-1",
    "user-9",
    (Part.FK, Part.KOMMUN),
    "Inget om hälsan till AF",
    Participant("Demo Deltagare", "198001010019", "070-000 00 00"),
    AgeGroup.AGE_45_59,
    EducationLevel.UPPER_SECONDARY,
    (SupportSource.SOCIAL_ASSISTANCE, SupportSource.SICKNESS_BENEFIT),
    TimeInSupport.FROM_3_TO_6,
    Occupation.NONE,
)


def history(*commands: object) -> CaseState:
    state = CaseState()
    events: list[Any] = []
    for command in commands:
        new = decide(command, state, TODAY)  # type: ignore[arg-type]
        events.extend(new)
        state = fold(events)
    return state


def rejected_fields(command: object, state: CaseState) -> dict[str, str]:
    with pytest.raises(Rejected) as raised:
        decide(command, state, TODAY)  # type: ignore[arg-type]
    return raised.value.errors


def test_a_referral_starts_a_case() -> None:
    events = decide(REFERRAL, CaseState(), TODAY)
    assert events == [
        ReferralReceived(
            "K-7Q2M",
            "team-1",
            Part.FK,
            "Handläggare Demo",
            "Långvarig sjukskrivning",
            date(2026, 11, 2),
        )
    ]
    assert fold(events).stage is Stage.REFERRAL


def test_a_referral_needs_a_referrer_a_reason_and_no_future_date() -> None:
    bad = replace(REFERRAL, from_caseworker=" ", reason="", referral_date=date(2026, 12, 1))
    assert set(rejected_fields(bad, CaseState())) == {"from_caseworker", "reason", "referral_date"}


def test_a_case_is_referred_once() -> None:
    assert "" in rejected_fields(REFERRAL, history(REFERRAL))


def test_accepting_and_declining() -> None:
    state = history(REFERRAL)
    assert decide(AcceptReferral(date(2026, 11, 10)), state, TODAY) == [
        ReferralAccepted(date(2026, 11, 10))
    ]
    assert rejected_fields(AcceptReferral(date(2026, 11, 1)), state) == {
        "accepted_on": "Datumet kan inte vara före remissdatumet."
    }
    assert "accepted_on" in rejected_fields(AcceptReferral(date(2026, 12, 1)), state)
    assert decide(DeclineReferral("Under 16 år", TODAY), state, TODAY) == [
        ReferralDeclined("Under 16 år", TODAY)
    ]
    assert "reason" in rejected_fields(DeclineReferral("  ", TODAY), state)
    declined = history(REFERRAL, DeclineReferral("Under 16 år", TODAY))
    assert declined.stage is Stage.DECLINED
    assert "" in rejected_fields(AcceptReferral(TODAY), declined)
    accepted = history(REFERRAL, AcceptReferral(date(2026, 11, 10)))
    assert "" in rejected_fields(DeclineReferral("x", TODAY), accepted)


def test_enrolment_needs_an_accepted_referral() -> None:
    assert rejected_fields(ENROL, history(REFERRAL)) == {
        "": "Remissen måste godtas innan deltagaren skrivs in."
    }
    assert "" in rejected_fields(ENROL, CaseState())


def test_enrolment_with_personal_data() -> None:
    state = history(REFERRAL, AcceptReferral(date(2026, 11, 10)))
    [event] = decide(ENROL, state, TODAY)
    assert isinstance(event, ParticipantEnrolled)
    assert event.participant is not None
    assert event.participant.personnummer == "19800101-0019"
    after = history(REFERRAL, AcceptReferral(date(2026, 11, 10)), ENROL)
    assert after.stage is Stage.ENROLLED
    assert after.consent_parts == {Part.FK, Part.KOMMUN}


def test_enrolment_rejects_each_bad_field() -> None:
    state = history(REFERRAL, AcceptReferral(date(2026, 11, 10)))
    bad = replace(
        ENROL,
        participant=Participant("", "198001010018"),
        consent_parts=(),
        age_group=None,
        education=None,
        support_sources=(),
        time_in_support=None,
        occupation=None,
        start_date=date(2026, 11, 5),
    )
    assert set(rejected_fields(bad, state)) == {
        "name",
        "personnummer",
        "consent_parts",
        "education",
        "support_sources",
        "time_in_support",
        "occupation",
        "start_date",
    }
    assert "start_date" in rejected_fields(replace(ENROL, start_date=date(2026, 12, 24)), state)


def test_an_anonymous_enrolment_keeps_only_gender_dates_and_the_age_group_chosen() -> None:
    state = history(REFERRAL, AcceptReferral(date(2026, 11, 10)))
    anonymous = replace(ENROL, registration_type=RegistrationType.ANONYMOUS)
    [event] = decide(anonymous, state, TODAY)
    assert event == ParticipantEnrolled(
        RegistrationType.ANONYMOUS,
        Gender.WOMAN,
        date(2026, 11, 20),
        "insats-1",
        "user-9",
        age_group=AgeGroup.AGE_45_59,
    )


def test_the_age_group_comes_from_the_personnummer_on_the_start_date() -> None:
    state = history(REFERRAL, AcceptReferral(date(2026, 11, 10)))
    born_1997 = Participant("Ung Deltagare", "19970315-0012")
    chosen_wrong = replace(ENROL, participant=born_1997, age_group=AgeGroup.AGE_60_64)
    [event] = decide(chosen_wrong, state, TODAY)
    assert isinstance(event, ParticipantEnrolled)
    assert event.age_group is AgeGroup.AGE_16_29  # 29 on 2026-11-20, whatever was chosen
    assert age_group_of("19970315-0012", date(2027, 3, 15)) is AgeGroup.AGE_30_44  # birthday
    assert age_group_of("19800161-0016", date(2026, 11, 20)) is AgeGroup.AGE_45_59  # samordn.
    too_young = replace(ENROL, participant=Participant("Barn", "20150101-0019"))
    assert "personnummer" in rejected_fields(too_young, state)


def test_consent_is_withdrawn_and_renewed() -> None:
    state = history(REFERRAL, AcceptReferral(date(2026, 11, 10)), ENROL)
    assert decide(WithdrawConsent("Deltagaren vill", TODAY), state, TODAY) == [
        ConsentWithdrawn("Deltagaren vill", TODAY)
    ]
    withdrawn = history(
        REFERRAL, AcceptReferral(date(2026, 11, 10)), ENROL, WithdrawConsent("x", TODAY)
    )
    assert withdrawn.consent_parts == frozenset()
    assert "" in rejected_fields(WithdrawConsent("x", TODAY), withdrawn)
    assert "consent_parts" in rejected_fields(RenewConsent((), "", TODAY), withdrawn)
    assert decide(RenewConsent((Part.AF,), "", TODAY), withdrawn, TODAY) == [
        ConsentRenewed((Part.AF,), "", TODAY)
    ]
    renewed = history(
        REFERRAL,
        AcceptReferral(date(2026, 11, 10)),
        ENROL,
        WithdrawConsent("x", TODAY),
        RenewConsent((Part.AF,), "", TODAY),
    )
    assert renewed.consent_parts == {Part.AF}


def test_a_part_or_source_sent_twice_is_recorded_once() -> None:
    state = history(REFERRAL, AcceptReferral(date(2026, 11, 10)))
    twice = replace(
        ENROL,
        consent_parts=(Part.FK, Part.KOMMUN, Part.FK),
        support_sources=(SupportSource.SICKNESS_BENEFIT,) * 2,
    )
    [event] = decide(twice, state, TODAY)
    assert isinstance(event, ParticipantEnrolled)
    assert event.consent_parts == (Part.FK, Part.KOMMUN)
    assert event.support_sources == (SupportSource.SICKNESS_BENEFIT,)
    withdrawn = history(
        REFERRAL, AcceptReferral(date(2026, 11, 10)), ENROL, WithdrawConsent("x", TODAY)
    )
    assert decide(RenewConsent((Part.AF, Part.AF), "", TODAY), withdrawn, TODAY) == [
        ConsentRenewed((Part.AF,), "", TODAY)
    ]


def test_an_anonymous_case_has_no_consent_to_withdraw() -> None:
    state = history(
        REFERRAL,
        AcceptReferral(date(2026, 11, 10)),
        replace(ENROL, registration_type=RegistrationType.ANONYMOUS),
    )
    assert "" in rejected_fields(WithdrawConsent("x", TODAY), state)
    assert "" in rejected_fields(WithdrawConsent("x", TODAY), history(REFERRAL))


def test_every_command_has_a_phase_that_decides_it() -> None:
    assert set(PHASES) == set(get_args(Command))
