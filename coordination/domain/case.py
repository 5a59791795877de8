"""A case (ärende) from referral to enrolment, as a decider: pure `decide` and `evolve`.

The domain imports no framework, no database and no clock: today's date is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from personnummer import personnummer

from coordination.domain.vocabulary import (
    AgeGroup,
    EducationLevel,
    Gender,
    Part,
    RegistrationType,
    Stage,
    SupportSource,
    TimeInSupport,
)


class Rejected(Exception):
    """A command that is not allowed, with a Swedish message per field ("" for the form)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


# -- events ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralReceived:
    case_code: str
    team_id: str
    from_part: Part
    from_caseworker: str
    reason: str
    referral_date: date


@dataclass(frozen=True)
class ReferralAccepted:
    accepted_on: date


@dataclass(frozen=True)
class ReferralDeclined:
    reason: str
    declined_on: date


@dataclass(frozen=True)
class Participant:
    name: str
    personnummer: str
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class ParticipantEnrolled:
    registration_type: RegistrationType
    gender: Gender
    start_date: date
    insats_id: str
    coordinator_id: str
    consent_parts: tuple[Part, ...] = ()
    consent_note: str = ""
    participant: Participant | None = None
    age_group: AgeGroup | None = None
    education: EducationLevel | None = None
    support_sources: tuple[SupportSource, ...] = ()
    time_in_support: TimeInSupport | None = None


@dataclass(frozen=True)
class ConsentWithdrawn:
    reason: str
    withdrawn_on: date


@dataclass(frozen=True)
class ConsentRenewed:
    consent_parts: tuple[Part, ...]
    consent_note: str
    renewed_on: date


Event = (
    ReferralReceived
    | ReferralAccepted
    | ReferralDeclined
    | ParticipantEnrolled
    | ConsentWithdrawn
    | ConsentRenewed
)

# Fields that hold the participant's personal data: encrypted under their own key.
PERSONAL_FIELDS: Mapping[str, tuple[str, ...]] = {
    "ReferralReceived": ("reason",),
    "ReferralDeclined": ("reason",),
    "ParticipantEnrolled": ("participant", "consent_note"),
    "ConsentWithdrawn": ("reason",),
    "ConsentRenewed": ("consent_note",),
}

# -- commands --------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterReferral:
    case_code: str
    team_id: str
    from_part: Part
    from_caseworker: str
    reason: str
    referral_date: date


@dataclass(frozen=True)
class AcceptReferral:
    accepted_on: date


@dataclass(frozen=True)
class DeclineReferral:
    reason: str
    declined_on: date


@dataclass(frozen=True)
class Enrol:
    registration_type: RegistrationType
    gender: Gender
    start_date: date
    insats_id: str
    coordinator_id: str
    consent_parts: tuple[Part, ...] = ()
    consent_note: str = ""
    participant: Participant | None = None
    age_group: AgeGroup | None = None
    education: EducationLevel | None = None
    support_sources: tuple[SupportSource, ...] = ()
    time_in_support: TimeInSupport | None = None


@dataclass(frozen=True)
class WithdrawConsent:
    reason: str
    withdrawn_on: date


@dataclass(frozen=True)
class RenewConsent:
    consent_parts: tuple[Part, ...]
    consent_note: str
    renewed_on: date


Command = (
    RegisterReferral | AcceptReferral | DeclineReferral | Enrol | WithdrawConsent | RenewConsent
)

# -- state -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseState:
    stage: Stage | None = None
    referral_date: date | None = None
    accepted_on: date | None = None
    registration_type: RegistrationType | None = None
    start_date: date | None = None
    consent_parts: frozenset[Part] = field(default_factory=frozenset)
    consent_withdrawn: bool = False

    @property
    def exists(self) -> bool:
        return self.stage is not None


INITIAL = CaseState()


def evolve(state: CaseState, event: Event) -> CaseState:
    match event:
        case ReferralReceived():
            return replace(state, stage=Stage.REFERRAL, referral_date=event.referral_date)
        case ReferralAccepted():
            return replace(state, accepted_on=event.accepted_on)
        case ReferralDeclined():
            return replace(state, stage=Stage.DECLINED)
        case ParticipantEnrolled():
            return replace(
                state,
                stage=Stage.ENROLLED,
                registration_type=event.registration_type,
                start_date=event.start_date,
                consent_parts=frozenset(event.consent_parts),
                consent_withdrawn=False,
            )
        case ConsentWithdrawn():
            return replace(state, consent_withdrawn=True, consent_parts=frozenset())
        case ConsentRenewed():
            return replace(
                state, consent_withdrawn=False, consent_parts=frozenset(event.consent_parts)
            )
    return state


def fold(events: Sequence[Event]) -> CaseState:
    state = INITIAL
    for event in events:
        state = evolve(state, event)
    return state


# -- decide ----------------------------------------------------------------------------


def decide(command: Command, state: CaseState, today: date) -> list[Event]:
    match command:
        case RegisterReferral():
            return _register_referral(command, state, today)
        case AcceptReferral():
            _require_open_referral(state)
            _require(
                command.accepted_on >= _given(state.referral_date),
                "accepted_on",
                "Datumet kan inte vara före remissdatumet.",
            )
            _require(
                command.accepted_on <= today, "accepted_on", "Datumet kan inte ligga i framtiden."
            )
            return [ReferralAccepted(command.accepted_on)]
        case DeclineReferral():
            _require_open_referral(state)
            _require(bool(command.reason.strip()), "reason", "Ange varför remissen avböjs.")
            _require(
                command.declined_on >= _given(state.referral_date),
                "declined_on",
                "Datumet kan inte vara före remissdatumet.",
            )
            return [ReferralDeclined(command.reason.strip(), command.declined_on)]
        case Enrol():
            return _enrol(command, state, today)
        case WithdrawConsent():
            _require_enrolled(state)
            if state.registration_type is not RegistrationType.PERSONAL:
                raise Rejected({"": "Ett anonymt ärende har inget samtycke att återkalla."})
            if state.consent_withdrawn:
                raise Rejected({"": "Samtycket är redan återkallat."})
            return [ConsentWithdrawn(command.reason.strip(), command.withdrawn_on)]
        case RenewConsent():
            _require_enrolled(state)
            if state.registration_type is not RegistrationType.PERSONAL:
                raise Rejected({"": "Ett anonymt ärende har inget samtycke att förnya."})
            _require(
                bool(command.consent_parts),
                "consent_parts",
                "Välj minst en part som samtycket gäller.",
            )
            return [
                ConsentRenewed(
                    tuple(command.consent_parts), command.consent_note.strip(), command.renewed_on
                )
            ]
    raise AssertionError(f"unknown command {command!r}")


def _register_referral(command: RegisterReferral, state: CaseState, today: date) -> list[Event]:
    if state.exists:
        raise Rejected({"": "Ärendet finns redan."})
    errors: dict[str, str] = {}
    if not command.from_caseworker.strip():
        errors["from_caseworker"] = "Ange vem som remitterar."
    if not command.reason.strip():
        errors["reason"] = "Ange anledningen till remissen."
    if command.referral_date > today:
        errors["referral_date"] = "Remissdatumet kan inte ligga i framtiden."
    if errors:
        raise Rejected(errors)
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


def _enrol(command: Enrol, state: CaseState, today: date) -> list[Event]:
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
        if errors:
            raise Rejected(errors)
        # An anonymous case keeps only kön and its dates (SUS rules).
        return [
            ParticipantEnrolled(
                RegistrationType.ANONYMOUS,
                command.gender,
                command.start_date,
                command.insats_id,
                command.coordinator_id,
            )
        ]
    participant = command.participant
    if participant is None or not participant.name.strip():
        errors["name"] = "Ange deltagarens namn."
    if participant is None or not personnummer.valid(participant.personnummer):
        errors["personnummer"] = (
            "Personnumret är inte giltigt: kontrollera datum och kontrollsiffra (ÅÅÅÅMMDD-NNNN)."
        )
    if not command.consent_parts:
        errors["consent_parts"] = "Välj minst en part som deltagaren samtycker till."
    if command.age_group is None:
        errors["age_group"] = "Välj åldersgrupp."
    if command.education is None:
        errors["education"] = "Välj utbildningsnivå."
    if not command.support_sources:
        errors["support_sources"] = "Välj minst en försörjningskälla."
    if command.time_in_support is None:
        errors["time_in_support"] = "Välj tid i offentlig försörjning."
    if errors:
        raise Rejected(errors)
    assert participant is not None
    return [
        ParticipantEnrolled(
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
            command.age_group,
            command.education,
            tuple(command.support_sources),
            command.time_in_support,
        )
    ]


def _require(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise Rejected({field_name: message})


def _given(value: date | None) -> date:
    assert value is not None
    return value


def _require_open_referral(state: CaseState) -> None:
    if state.stage is not Stage.REFERRAL:
        raise Rejected({"": "Remissen är redan avgjord."})
    if state.accepted_on is not None:
        raise Rejected({"": "Remissen är redan godtagen."})


def _require_enrolled(state: CaseState) -> None:
    if state.stage in (None, Stage.REFERRAL, Stage.DECLINED):
        raise Rejected({"": "Deltagaren är inte inskriven."})


def _canonical_personnummer(value: str) -> str:
    """YYYYMMDD-NNNN, whichever way it was typed."""
    long_form = personnummer.parse(value).format(True)
    return f"{long_form[:8]}-{long_form[8:]}"
