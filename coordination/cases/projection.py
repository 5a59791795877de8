"""Read models of cases, kept inline with every append: the team page, the case page and
its timeline read these tables and never replay streams."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import events
from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.cases.tables import (
    case_activities,
    case_after_support,
    case_assessments,
    case_follow_ups,
    case_meetings,
    case_people,
    case_plans,
    case_steps,
    case_timeline,
    cases,
)
from coordination.shared.vocabulary import ActivityStatus, MeetingStatus, Stage


class CaseViews:
    name = "case_views"
    tables = (
        cases,
        case_follow_ups,
        case_after_support,
        case_people,
        case_timeline,
        case_assessments,
        case_plans,
        case_activities,
        case_meetings,
        case_steps,
    )

    def apply(self, conn: Connection, batch: Sequence[events.RecordedEvent]) -> None:
        for recorded in batch:
            if recorded.type not in case_events.EVENT_CLASSES:
                continue
            # the case's own stream or its reminders' bookkeeping: both are named by the case
            case_id = recorded.stream.id
            event = case_events.decode(recorded)
            self._apply(conn, case_id, event)
            self._apply_journey(conn, case_id, event, recorded)
            if recorded.stream.category == case_events.CASE:
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

    def _apply(self, conn: Connection, case_id: str, event: case_events.StoredEvent) -> None:
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

    def _apply_journey(
        self,
        conn: Connection,
        case_id: str,
        event: case_events.StoredEvent,
        recorded: events.RecordedEvent,
    ) -> None:
        actor = recorded.metadata.get("actor")
        match event:
            case case.AssessmentRecorded():
                conn.execute(
                    case_assessments.insert().values(
                        position=recorded.position,
                        case_id=case_id,
                        actor_id=actor,
                        **{f: getattr(event, f) for f in case.ASSESSMENT_TEXTS},
                        recorded_on=event.recorded_on,
                    )
                )
                self._update(conn, case_id, stage=Stage.PLANNING, only_from=Stage.ENROLLED)
            case case.PlanAgreed() | case.PlanRevised():
                version = event.version if isinstance(event, case.PlanRevised) else 1
                conn.execute(
                    case_plans.insert().values(
                        case_id=case_id,
                        version=version,
                        recorded_at=recorded.recorded_at,
                        reason=getattr(event, "reason", ""),
                        meeting_id=getattr(event, "meeting_id", ""),
                        plan=json.dumps(recorded.data["plan"]) if event.plan else "null",
                    )
                )
                self._update(
                    conn,
                    case_id,
                    plan_version=version,
                    plan_review_on=event.plan.review_on if event.plan else None,
                )
                self._update(conn, case_id, stage=Stage.ONGOING, only_from=Stage.PLANNING)
                self._update(conn, case_id, stage=Stage.ONGOING, only_from=Stage.ENROLLED)
                conn.execute(case_activities.delete().where(case_activities.c.case_id == case_id))
                for activity in event.plan.activities if event.plan else ():
                    conn.execute(
                        case_activities.insert().values(
                            case_id=case_id,
                            activity_id=activity.activity_id,
                            what=activity.what,
                            part=activity.part,
                            responsible_id=activity.responsible_id,
                            start_on=activity.start_on,
                            due_on=activity.due_on,
                            status=activity.status,
                            drop_reason=activity.drop_reason,
                        )
                    )
            case case.ActivityStarted():
                self._activity(conn, case_id, event.activity_id, status=ActivityStatus.ONGOING)
            case case.ActivityCompleted():
                self._activity(conn, case_id, event.activity_id, status=ActivityStatus.DONE)
            case case.ActivityDropped():
                self._activity(
                    conn,
                    case_id,
                    event.activity_id,
                    status=ActivityStatus.DROPPED,
                    drop_reason=event.reason,
                )
            case case.MeetingScheduled():
                team_id = conn.execute(
                    sa.select(cases.c.team_id).where(cases.c.case_id == case_id)
                ).scalar_one()
                conn.execute(
                    case_meetings.insert().values(
                        meeting_id=event.meeting_id,
                        case_id=case_id,
                        team_id=team_id,
                        starts_at=event.starts_at,
                        minutes=event.minutes,
                        mode=event.mode,
                        place=event.place,
                        invitee_ids=",".join(event.invitee_ids),
                        participant_invited=event.participant_invited,
                        others_invited=event.others_invited,
                        agenda=event.agenda,
                        status=MeetingStatus.SCHEDULED,
                        note="",
                        attended_parts="",
                        decisions="",
                    )
                )
            case case.MeetingMoved():
                self._meeting(
                    conn,
                    event.meeting_id,
                    starts_at=event.starts_at,
                    place=event.place,
                    note=f"Flyttat: {event.reason}",
                )
            case case.MeetingCancelled():
                self._meeting(
                    conn, event.meeting_id, status=MeetingStatus.CANCELLED, note=event.reason
                )
            case case.MeetingHeld():
                self._update(conn, case_id, meetings_held=cases.c.meetings_held + 1)
                self._meeting(
                    conn,
                    event.meeting_id,
                    status=MeetingStatus.HELD,
                    held_on=event.held_on,
                    attended_parts=",".join(event.attended_parts),
                    participant_attended=event.participant_attended,
                    decisions=event.decisions,
                )
            case case.StepRecorded():
                self._step(
                    conn,
                    case_id,
                    recorded,
                    "step",
                    event.recorded_on,
                    event.to_level,
                    None,
                    event.evidence,
                )
                self._update(
                    conn,
                    case_id,
                    level=event.to_level,
                    max_level=sa.func.coalesce(
                        sa.case(
                            (cases.c.max_level > event.to_level, cases.c.max_level),
                            else_=event.to_level,
                        ),
                        event.to_level,
                    ),
                )
                if event.from_level is not None and event.to_level > event.from_level:
                    self._update(conn, case_id, stepped_up=True)
            case case.SelfAssessmentRecorded():
                self._step(
                    conn,
                    case_id,
                    recorded,
                    "self_assessment",
                    event.recorded_on,
                    event.score,
                    event.phase,
                    event.note,
                )
            case case.CaseHandedOver():
                values: dict[str, Any] = {"handovers": cases.c.handovers + 1}
                if event.part is None:
                    values["coordinator_id"] = event.to_id
                self._update(conn, case_id, **values)
            case case.CaseClosed():
                self._update(
                    conn,
                    case_id,
                    stage=Stage.CLOSED,
                    closed_on=event.closed_on,
                    closure_kind=event.kind,
                    closure_reason=event.reason,
                    occupation_at_closure=event.occupation,
                    support_at_closure=",".join(event.support_sources),
                )
                self._people(conn, case_id, next_step=event.next_step or None)
            case case.FollowUpRecorded():
                conn.execute(
                    case_follow_ups.insert().values(
                        position=recorded.position,
                        case_id=case_id,
                        months=event.months,
                        recorded_on=event.recorded_on,
                        occupation=event.occupation,
                        support_sources=",".join(event.support_sources),
                        in_work_or_studies=event.in_work_or_studies,
                        obstacles=event.obstacles,
                    )
                )
            case case.AfterSupportStarted():
                self._after_support(
                    conn,
                    case_id,
                    recorded,
                    "started",
                    event.started_on,
                    planned_end=event.planned_end,
                )
            case case.AfterSupportContactLogged():
                self._after_support(
                    conn, case_id, recorded, "contact", event.contacted_on, note=event.note
                )
            case case.AfterSupportEnded():
                self._after_support(conn, case_id, recorded, "ended", event.ended_on)
            case case.CaseReopened():
                row = conn.execute(
                    sa.select(cases.c.plan_version, cases.c.registration_type).where(
                        cases.c.case_id == case_id
                    )
                ).one()
                assessed = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(case_assessments)
                    .where(case_assessments.c.case_id == case_id)
                ).scalar_one()
                stage = (
                    Stage.ONGOING
                    if row.plan_version
                    else Stage.PLANNING
                    if assessed
                    else Stage.ENROLLED
                )
                values = {"stage": stage, "closed_on": None}
                if row.registration_type == "personal":
                    values.update(
                        consent_parts=",".join(event.consent_parts), consent_withdrawn=False
                    )
                    self._people(conn, case_id, consent_note=event.consent_note or None)
                self._update(conn, case_id, **values)

    @staticmethod
    def _after_support(
        conn: Connection,
        case_id: str,
        recorded: events.RecordedEvent,
        kind: str,
        on: Any,
        planned_end: Any = None,
        note: str = "",
    ) -> None:
        conn.execute(
            case_after_support.insert().values(
                position=recorded.position,
                case_id=case_id,
                kind=kind,
                on=on,
                planned_end=planned_end,
                note=note,
                actor_id=recorded.metadata.get("actor"),
            )
        )

    @staticmethod
    def _activity(conn: Connection, case_id: str, activity_id: str, **values: Any) -> None:
        conn.execute(
            case_activities.update()
            .where(
                case_activities.c.case_id == case_id, case_activities.c.activity_id == activity_id
            )
            .values(**values)
        )

    @staticmethod
    def _meeting(conn: Connection, meeting_id: str, **values: Any) -> None:
        conn.execute(
            case_meetings.update().where(case_meetings.c.meeting_id == meeting_id).values(**values)
        )

    @staticmethod
    def _step(
        conn: Connection,
        case_id: str,
        recorded: events.RecordedEvent,
        kind: str,
        recorded_on: Any,
        level: int,
        phase: str | None,
        text: str,
    ) -> None:
        conn.execute(
            case_steps.insert().values(
                position=recorded.position,
                case_id=case_id,
                kind=kind,
                recorded_on=recorded_on,
                level=level,
                phase=phase,
                text=text,
                actor_id=recorded.metadata.get("actor"),
            )
        )

    @staticmethod
    def _update(
        conn: Connection, case_id: str, only_from: Stage | None = None, **values: Any
    ) -> None:
        query = cases.update().where(cases.c.case_id == case_id)
        if only_from is not None:
            query = query.where(cases.c.stage == only_from)
        conn.execute(query.values(**values))

    @staticmethod
    def _people(conn: Connection, case_id: str, **values: Any) -> None:
        conn.execute(case_people.update().where(case_people.c.case_id == case_id).values(**values))


def _public_details(recorded: events.RecordedEvent) -> dict[str, Any]:
    """What the timeline may show anyone who sees the case: no personal fields."""
    personal = case.PERSONAL_FIELDS.get(recorded.type, ())
    return {key: value for key, value in recorded.data.items() if key not in personal}
