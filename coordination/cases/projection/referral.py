"""The case's row from its referral, enrolment and consent; the participant's personal data."""

from __future__ import annotations

import events
from coordination.cases import domain as case
from coordination.cases.projection.rows import CaseRows, Handlers
from coordination.cases.tables import case_people, cases
from coordination.shared.vocabulary import Stage


def referral_received(
    rows: CaseRows, event: case.ReferralReceived, recorded: events.RecordedEvent
) -> None:
    rows.insert(
        cases,
        case_id=rows.case_id,
        case_code=event.case_code,
        team_id=event.team_id,
        stage=Stage.REFERRAL,
        version=0,
        from_part=event.from_part,
        from_caseworker=event.from_caseworker,
        referral_date=event.referral_date,
        support_sources=[],
        consent_parts=[],
        consent_withdrawn=False,
        last_event_at=recorded.recorded_at,
    )
    rows.insert(case_people, case_id=rows.case_id, referral_reason=event.reason)
    rows.teams[rows.case_id] = event.team_id


def referral_accepted(
    rows: CaseRows, event: case.ReferralAccepted, recorded: events.RecordedEvent
) -> None:
    rows.update_case(accepted_on=event.accepted_on)


def referral_declined(
    rows: CaseRows, event: case.ReferralDeclined, recorded: events.RecordedEvent
) -> None:
    rows.update_case(stage=Stage.DECLINED, retention_from=event.declined_on)
    rows.update_people(decline_reason=event.reason)


def participant_enrolled(
    rows: CaseRows, event: case.ParticipantEnrolled, recorded: events.RecordedEvent
) -> None:
    rows.update_case(
        stage=Stage.ENROLLED,
        registration_type=event.registration_type,
        gender=event.gender,
        age_group=event.age_group,
        education=event.education,
        support_sources=list(event.support_sources),
        time_in_support=event.time_in_support,
        occupation_at_enrolment=event.occupation,
        insats_id=event.insats_id,
        coordinator_id=event.coordinator_id,
        start_date=event.start_date,
        consent_parts=list(event.consent_parts),
        consent_withdrawn=False,
    )
    participant = event.participant
    rows.update_people(
        consent_note=event.consent_note or None,
        name=participant.name if participant else None,
        personnummer=participant.personnummer if participant else None,
        phone=participant.phone if participant else None,
        email=participant.email if participant else None,
        address=participant.address if participant else None,
    )


def consent_withdrawn(
    rows: CaseRows, event: case.ConsentWithdrawn, recorded: events.RecordedEvent
) -> None:
    rows.update_case(consent_withdrawn=True, consent_parts=[])


def consent_renewed(
    rows: CaseRows, event: case.ConsentRenewed, recorded: events.RecordedEvent
) -> None:
    rows.update_case(consent_withdrawn=False, consent_parts=list(event.consent_parts))
    rows.update_people(consent_note=event.consent_note or None)


HANDLERS: Handlers = {
    case.ReferralReceived: referral_received,
    case.ReferralAccepted: referral_accepted,
    case.ReferralDeclined: referral_declined,
    case.ParticipantEnrolled: participant_enrolled,
    case.ConsentWithdrawn: consent_withdrawn,
    case.ConsentRenewed: consent_renewed,
}
