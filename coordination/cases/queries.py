"""Queries of the case journey for the case page, the team page and the plan printout.

They read the journey's read models only; texts in them are personal data, so handlers ask
for them only when the reader may see the participant's personal data. Those texts are
stored sealed: each query opens them with the participants' keys as they are now, so a
forgotten participant's texts read as `events.ERASED` (a plan as None).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from cattrs.preconf.json import make_converter
from sqlalchemy.engine import Connection, Engine

import events
from coordination.accounts.tables import users
from coordination.cases import domain as case
from coordination.cases.contract import participant_subject
from coordination.cases.tables import (
    case_activities,
    case_after_support,
    case_assessments,
    case_follow_ups,
    case_meetings,
    case_people,
    case_plans,
    case_steps,
    cases,
    personnummer_index,
    sealed_names,
)
from coordination.shared.vocabulary import ActivityStatus, MeetingMode, MeetingStatus, Part

_converter = make_converter()


@dataclass(frozen=True)
class PlanVersion:
    version: int
    recorded_at: datetime
    reason: str
    meeting_id: str
    plan: case.Plan | None


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    case_id: str
    case_code: str
    starts_at: datetime
    minutes: int
    mode: MeetingMode
    place: str
    invitee_ids: list[str]
    participant_invited: bool
    others_invited: str
    agenda: str
    status: MeetingStatus
    note: str
    held_on: date | None
    attended_parts: list[Part]
    participant_attended: bool | None
    decisions: str

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def status_label(self) -> str:
        return self.status.label


def opened_rows(
    keyring: events.Keyring, conn: Connection, table: sa.Table, rows: Iterable[Any]
) -> list[dict[str, Any]]:
    """Rows read from `table` (joined with others, perhaps) as mappings, with the values of
    its sealed columns opened under each row's participant's key, as the key is now."""
    mappings = [row._mapping for row in rows]
    values = events.SealedValues(keyring, conn)
    values.load(participant_subject(m["case_id"]) for m in mappings)
    personal = sealed_names(table)
    opened = []
    for m in mappings:
        subject = participant_subject(m["case_id"])
        opened.append(
            {
                name: values.open(subject, value) if name in personal else value
                for name, value in m.items()
            }
        )
    return opened


def _meeting(m: Mapping[str, Any]) -> Meeting:
    return Meeting(
        meeting_id=m["meeting_id"],
        case_id=m["case_id"],
        case_code=m["case_code"],
        starts_at=m["starts_at"],
        minutes=m["minutes"],
        mode=MeetingMode(m["mode"]),
        place=m["place"],
        invitee_ids=list(m["invitee_ids"]),
        participant_invited=m["participant_invited"],
        others_invited=m["others_invited"],
        agenda=m["agenda"],
        status=MeetingStatus(m["status"]),
        note=m["note"],
        held_on=m["held_on"],
        attended_parts=[Part(p) for p in m["attended_parts"]],
        participant_attended=m["participant_attended"],
        decisions=m["decisions"],
    )


_MEETINGS = sa.select(case_meetings, cases.c.case_code).join(
    cases, cases.c.case_id == case_meetings.c.case_id
)


class CaseQueries:
    """The read side of the case journey, from the read models: assessments, plan versions,
    activities, meetings, steps, follow-ups and after-support."""

    def __init__(self, engine: Engine, keyring: events.Keyring) -> None:
        self.engine = engine
        self.keyring = keyring

    def _read(self, table: sa.Table, query: sa.Select[Any]) -> list[dict[str, Any]]:
        """The rows of a query of `table`, its sealed values opened."""
        with self.engine.connect() as conn:
            return opened_rows(self.keyring, conn, table, conn.execute(query))

    def assessments(self, case_id: str) -> list[dict[str, Any]]:
        """Every version of the assessment, newest first, with who recorded it."""
        query = (
            sa.select(case_assessments, users.c.name.label("actor_name"))
            .outerjoin(users, users.c.id == case_assessments.c.actor_id)
            .where(case_assessments.c.case_id == case_id)
            .order_by(case_assessments.c.position.desc())
        )
        return self._read(case_assessments, query)

    def plan_versions(self, case_id: str) -> list[PlanVersion]:
        """Every version of the plan, oldest first."""
        query = (
            sa.select(case_plans)
            .where(case_plans.c.case_id == case_id)
            .order_by(case_plans.c.version)
        )
        return [
            PlanVersion(
                row["version"],
                row["recorded_at"],
                row["reason"],
                row["meeting_id"],
                None
                if row["plan"] is events.ERASED
                else _converter.structure(row["plan"], case.Plan | None),  # type: ignore[arg-type]
            )
            for row in self._read(case_plans, query)
        ]

    def activities(self, case_id: str) -> list[case.Activity]:
        """The current plan's activities with their current status, by due date."""
        query = sa.select(case_activities).where(case_activities.c.case_id == case_id)
        activities = [
            case.Activity(
                row["activity_id"],
                row["what"],
                Part(row["part"]),
                row["responsible_id"],
                row["start_on"],
                row["due_on"],
                ActivityStatus(row["status"]),
                row["drop_reason"],
            )
            for row in self._read(case_activities, query)
        ]
        # by what they are within a day: only now are they readable
        return sorted(activities, key=lambda a: (a.due_on, str(a.what), a.activity_id))

    def meetings(self, case_id: str) -> list[Meeting]:
        query = _MEETINGS.where(case_meetings.c.case_id == case_id).order_by(
            case_meetings.c.starts_at.desc()
        )
        return [_meeting(row) for row in self._read(case_meetings, query)]

    def meeting(self, meeting_id: str) -> Meeting | None:
        found = self._read(case_meetings, _MEETINGS.where(case_meetings.c.meeting_id == meeting_id))
        return _meeting(found[0]) if found else None

    def team_meetings(self, team_id: str, start: datetime, end: datetime) -> list[Meeting]:
        """The team's meetings that are not cancelled and start in [start, end)."""
        query = _MEETINGS.where(
            case_meetings.c.team_id == team_id,
            case_meetings.c.status != MeetingStatus.CANCELLED,
            case_meetings.c.starts_at >= start,
            case_meetings.c.starts_at < end,
        ).order_by(case_meetings.c.starts_at)
        return [_meeting(row) for row in self._read(case_meetings, query)]

    def team_meetings_since(self, team_id: str, since: datetime) -> list[Meeting]:
        """The team's meetings, cancelled ones too, that start at `since` or later."""
        query = _MEETINGS.where(
            case_meetings.c.team_id == team_id, case_meetings.c.starts_at >= since
        ).order_by(case_meetings.c.starts_at)
        return [_meeting(row) for row in self._read(case_meetings, query)]

    def next_meetings(
        self, team_id: str, now: datetime, case_ids: Collection[str] | None = None
    ) -> dict[str, datetime]:
        """The next scheduled meeting of each of the team's cases (or of these, read from
        the team's cases) that has one."""
        query = (
            sa.select(case_meetings.c.case_id, sa.func.min(case_meetings.c.starts_at))
            .where(
                case_meetings.c.status == MeetingStatus.SCHEDULED,
                case_meetings.c.starts_at >= now,
            )
            .group_by(case_meetings.c.case_id)
        )
        # A page's cases by their own index: with the team's as well, SQLite would read every
        # meeting of the team (60,000 at 5,000 cases) to find those of the 150 cases shown.
        if case_ids is None:
            query = query.where(case_meetings.c.team_id == team_id)
        else:
            query = query.where(case_meetings.c.case_id.in_(case_ids))
        with self.engine.connect() as conn:
            return {case_id: starts for case_id, starts in conn.execute(query)}

    def steps(self, case_id: str) -> list[dict[str, Any]]:
        """Steps and self-assessments, oldest first."""
        query = (
            sa.select(case_steps, users.c.name.label("actor_name"))
            .outerjoin(users, users.c.id == case_steps.c.actor_id)
            .where(case_steps.c.case_id == case_id)
            .order_by(case_steps.c.position)
        )
        return self._read(case_steps, query)

    def follow_ups(self, case_id: str) -> list[dict[str, Any]]:
        query = (
            sa.select(case_follow_ups)
            .where(case_follow_ups.c.case_id == case_id)
            .order_by(case_follow_ups.c.months)
        )
        return self._read(case_follow_ups, query)

    def after_support(self, case_id: str) -> list[dict[str, Any]]:
        """The after-support period's start, contacts and end, in order."""
        query = (
            sa.select(case_after_support, users.c.name.label("actor_name"))
            .outerjoin(users, users.c.id == case_after_support.c.actor_id)
            .where(case_after_support.c.case_id == case_id)
            .order_by(case_after_support.c.position)
        )
        return self._read(case_after_support, query)

    def cases_with_personnummer(self, personnummer: str) -> list[str]:
        """The cases of the person with this personnummer (for a registerutdrag), found by
        its blind index, written either way the domain accepts. A forgotten participant's
        cases are not found: their personnummer no longer opens."""
        index = personnummer_index(self.keyring, personnummer)
        if index is None:
            return []
        query = (
            sa.select(case_people.c.case_id, case_people.c.personnummer)
            .where(case_people.c.personnummer_index == index)
            .order_by(case_people.c.case_id)
        )
        return [
            row["case_id"]
            for row in self._read(case_people, query)
            if isinstance(row["personnummer"], str)
        ]
