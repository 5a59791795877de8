"""Deciding the referral, the enrolment and the consent."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from personnummer import personnummer

from coordination.cases.domain.commands import (
    AcceptReferral,
    DeclineReferral,
    Enrol,
    RegisterReferral,
    RenewConsent,
    WithdrawConsent,
)
from coordination.cases.domain.events import (
    ConsentRenewed,
    ConsentWithdrawn,
    Event,
    Participant,
    ParticipantEnrolled,
    ReferralAccepted,
    ReferralDeclined,
    ReferralReceived,
)
from coordination.cases.domain.rules import Rejected, given, raise_if, require, require_enrolled
from coordination.cases.domain.state import CaseState
from coordination.shared.vocabulary import AgeGroup, RegistrationType, Stage, SupportSource


def referral_problems(command: RegisterReferral, today: date) -> dict[str, str]:
    """What is wrong in a referral, field by field."""
    errors: dict[str, str] = {}
    if not command.from_caseworker.strip():
        errors["from_caseworker"] = "Ange vem som remitterar."
    if not command.reason.strip():
        errors["reason"] = "Ange anledningen till remissen."
    if command.referral_date > today:
        errors["referral_date"] = "Remissdatumet kan inte ligga i framtiden."
    return errors


def register_referral(command: RegisterReferral, state: CaseState, today: date) -> list[Event]:
    if state.exists:
        raise Rejected({"": "Ärendet finns redan."})
    raise_if(referral_problems(command, today))
    return [
        ReferralReceived(
            command.case_code,
            command.team_id,
            command.from_part,
            command.from_caseworker.strip(),
            command.reason.strip(),
            command.referral_date,
        )
    ]


def accept_referral(command: AcceptReferral, state: CaseState, today: date) -> list[Event]:
    _require_open_referral(state)
    require(
        command.accepted_on >= given(state.referral_date),
        "accepted_on",
        "Datumet kan inte vara före remissdatumet.",
    )
    require(command.accepted_on <= today, "accepted_on", "Datumet kan inte ligga i framtiden.")
    return [ReferralAccepted(command.accepted_on)]


def decline_referral(command: DeclineReferral, state: CaseState, today: date) -> list[Event]:
    _require_open_referral(state)
    require(bool(command.reason.strip()), "reason", "Ange varför remissen avböjs.")
    require(
        command.declined_on >= given(state.referral_date),
        "declined_on",
        "Datumet kan inte vara före remissdatumet.",
    )
    return [ReferralDeclined(command.reason.strip(), command.declined_on)]


def enrol(command: Enrol, state: CaseState, today: date) -> list[Event]:
    if state.stage is not Stage.REFERRAL:
        raise Rejected({"": "Bara en mottagen remiss kan skrivas in."})
    if state.accepted_on is None:
        raise Rejected({"": "Remissen måste godtas innan deltagaren skrivs in."})
    errors: dict[str, str] = {}
    if command.start_date < state.accepted_on:
        errors["start_date"] = "Startdatumet kan inte vara före datumet då remissen godtogs."
    if command.start_date > today:
        errors["start_date"] = "Startdatumet kan inte ligga i framtiden."
    if command.registration_type is RegistrationType.ANONYMOUS:
        raise_if(errors)
        # An anonymous case keeps only kön, its dates and the age group chosen by hand.
        return [
            ParticipantEnrolled(
                RegistrationType.ANONYMOUS,
                command.gender,
                command.start_date,
                command.insats_id,
                command.coordinator_id,
                age_group=command.age_group,
            )
        ]
    errors.update(_personal_errors(command))
    raise_if(errors)
    return [_personal_enrolment(command)]


# The age groups of SUS, by age in whole years.
AGE_RANGES = {
    AgeGroup.AGE_16_29: (16, 29),
    AgeGroup.AGE_30_44: (30, 44),
    AgeGroup.AGE_45_59: (45, 59),
    AgeGroup.AGE_60_64: (60, 64),
}


def age_on(value: str, day: date) -> int:
    """Age in whole years on `day` of the person with this (valid) personnummer or
    samordningsnummer."""
    return relativedelta(day, personnummer.parse(value).get_date()).years


def age_group_of(value: str, day: date) -> AgeGroup | None:
    """The SUS age group on `day` from a valid personnummer; None outside 16–64."""
    age = age_on(value, day)
    return next((g for g, (low, high) in AGE_RANGES.items() if low <= age <= high), None)


def withdraw_consent(command: WithdrawConsent, state: CaseState, today: date) -> list[Event]:
    require_enrolled(state)
    if state.registration_type is not RegistrationType.PERSONAL:
        raise Rejected({"": "Ett anonymt ärende har inget samtycke att återkalla."})
    if state.consent_withdrawn:
        raise Rejected({"": "Samtycket är redan återkallat."})
    return [ConsentWithdrawn(command.reason.strip(), command.withdrawn_on)]


def renew_consent(command: RenewConsent, state: CaseState, today: date) -> list[Event]:
    require_enrolled(state)
    if state.registration_type is not RegistrationType.PERSONAL:
        raise Rejected({"": "Ett anonymt ärende har inget samtycke att förnya."})
    require(
        bool(command.consent_parts), "consent_parts", "Välj minst en part som samtycket gäller."
    )
    return [
        ConsentRenewed(
            tuple(command.consent_parts), command.consent_note.strip(), command.renewed_on
        )
    ]


def _require_open_referral(state: CaseState) -> None:
    if state.stage is not Stage.REFERRAL:
        raise Rejected({"": "Remissen är redan avgjord."})
    if state.accepted_on is not None:
        raise Rejected({"": "Remissen är redan godtagen."})


def _personal_errors(command: Enrol) -> dict[str, str]:
    """What an enrolment with personal data lacks: the participant, consent and SUS facts."""
    errors: dict[str, str] = {}
    participant = command.participant
    if participant is None or not participant.name.strip():
        errors["name"] = "Ange deltagarens namn."
    if participant is None or not personnummer.valid(participant.personnummer):
        errors["personnummer"] = (
            "Personnumret är inte giltigt: kontrollera datum och kontrollsiffra (ÅÅÅÅMMDD-NNNN)."
        )
    if not command.consent_parts:
        errors["consent_parts"] = "Välj minst en part som deltagaren samtycker till."
    if "personnummer" not in errors and command.participant is not None:
        number, on = command.participant.personnummer, command.start_date
        if age_group_of(number, on) is None:
            errors["personnummer"] = (
                f"Enligt personnumret är deltagaren {age_on(number, on)} år. "
                "Samordnade insatser gäller den som är 16–64 år."
            )
    if command.education is None:
        errors["education"] = "Välj utbildningsnivå."
    if not command.support_sources:
        errors["support_sources"] = "Välj minst en försörjningskälla."
    elif SupportSource.UNKNOWN in command.support_sources:
        errors["support_sources"] = (
            "Uppgift saknas kan anges vid avslut och uppföljning: "
            "vid inskrivning, fråga deltagaren."
        )
    if command.occupation is None:
        errors["occupation"] = "Välj sysselsättning vid inskrivning."
    if command.time_in_support is None:
        errors["time_in_support"] = "Välj tid i offentlig försörjning."
    return errors


def _personal_enrolment(command: Enrol) -> ParticipantEnrolled:
    participant = command.participant
    assert participant is not None
    return ParticipantEnrolled(
        RegistrationType.PERSONAL,
        command.gender,
        command.start_date,
        command.insats_id,
        command.coordinator_id,
        tuple(command.consent_parts),
        command.consent_note.strip(),
        Participant(
            participant.name.strip(),
            _canonical_personnummer(participant.personnummer),
            participant.phone.strip(),
            participant.email.strip(),
            participant.address.strip(),
        ),
        age_group_of(participant.personnummer, command.start_date),
        command.education,
        tuple(command.support_sources),
        command.time_in_support,
        command.occupation,
        command.duplicate_reason.strip(),
    )


def _canonical_personnummer(value: str) -> str:
    """YYYYMMDD-NNNN, whichever way it was typed."""
    long_form = personnummer.parse(value).format(True)
    return f"{long_form[:8]}-{long_form[8:]}"
