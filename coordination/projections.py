"""Read models of cases, kept inline with every append: the team page, the case page and
its timeline read these tables and never replay streams."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import events
from coordination import case_events
from coordination.domain import case
from coordination.domain.vocabulary import Stage
from coordination.tables import case_people, case_timeline, cases


def case_id_of(stream_id: str) -> str:
    return stream_id.removeprefix("case-")


class CaseViews:
    name = "case_views"
    tables = (cases, case_people, case_timeline)

    def apply(self, conn: Connection, batch: Sequence[events.RecordedEvent]) -> None:
        for recorded in batch:
            if recorded.type not in case_events.EVENT_CLASSES:
                continue
            case_id = case_id_of(recorded.stream_id)
            event = case_events.from_data(recorded.type, recorded.data)
            self._apply(conn, case_id, event)
            conn.execute(
                cases.update()
                .where(cases.c.case_id == case_id)
                .values(version=recorded.stream_version, last_event_at=recorded.recorded_at)
            )
            conn.execute(
                case_timeline.insert().values(
                    position=recorded.position,
                    case_id=case_id,
                    event_type=recorded.type,
                    actor_id=recorded.metadata.get("actor"),
                    actor_part=recorded.metadata.get("actor_group"),
                    recorded_at=recorded.recorded_at,
                    details=json.dumps(_public_details(recorded)),
                )
            )

    def _apply(self, conn: Connection, case_id: str, event: case.Event) -> None:
        match event:
            case case.ReferralReceived():
                conn.execute(
                    cases.insert().values(
                        case_id=case_id,
                        case_code=event.case_code,
                        team_id=event.team_id,
                        stage=Stage.REFERRAL,
                        version=0,
                        from_part=event.from_part,
                        from_caseworker=event.from_caseworker,
                        referral_date=event.referral_date,
                        support_sources="",
                        consent_parts="",
                        consent_withdrawn=False,
                        last_event_at=sa.func.now(),
                    )
                )
                conn.execute(
                    case_people.insert().values(case_id=case_id, referral_reason=event.reason)
                )
            case case.ReferralAccepted():
                self._update(conn, case_id, accepted_on=event.accepted_on)
            case case.ReferralDeclined():
                self._update(conn, case_id, stage=Stage.DECLINED)
                self._people(conn, case_id, decline_reason=event.reason)
            case case.ParticipantEnrolled():
                self._update(
                    conn,
                    case_id,
                    stage=Stage.ENROLLED,
                    registration_type=event.registration_type,
                    gender=event.gender,
                    age_group=event.age_group,
                    education=event.education,
                    support_sources=",".join(event.support_sources),
                    time_in_support=event.time_in_support,
                    insats_id=event.insats_id,
                    coordinator_id=event.coordinator_id,
                    start_date=event.start_date,
                    consent_parts=",".join(event.consent_parts),
                    consent_withdrawn=False,
                )
                participant = event.participant
                self._people(
                    conn,
                    case_id,
                    consent_note=event.consent_note or None,
                    name=participant.name if participant else None,
                    personnummer=participant.personnummer if participant else None,
                    phone=participant.phone if participant else None,
                    email=participant.email if participant else None,
                    address=participant.address if participant else None,
                )
            case case.ConsentWithdrawn():
                self._update(conn, case_id, consent_withdrawn=True, consent_parts="")
            case case.ConsentRenewed():
                self._update(
                    conn,
                    case_id,
                    consent_withdrawn=False,
                    consent_parts=",".join(event.consent_parts),
                )
                self._people(conn, case_id, consent_note=event.consent_note or None)

    @staticmethod
    def _update(conn: Connection, case_id: str, **values: Any) -> None:
        conn.execute(cases.update().where(cases.c.case_id == case_id).values(**values))

    @staticmethod
    def _people(conn: Connection, case_id: str, **values: Any) -> None:
        conn.execute(case_people.update().where(case_people.c.case_id == case_id).values(**values))


def _public_details(recorded: events.RecordedEvent) -> dict[str, Any]:
    """What the timeline may show anyone who sees the case: no personal fields."""
    personal = case.PERSONAL_FIELDS.get(recorded.type, ())
    return {key: value for key, value in recorded.data.items() if key not in personal}
