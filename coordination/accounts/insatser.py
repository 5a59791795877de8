"""The team's insatser (interventions, typed as in SUS): what a participant is enrolled in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

import events
from coordination.accounts.tables import insats_sessions, insatser
from coordination.shared.vocabulary import AgeGroup, Gender, InsatsType, Part, RegistrationKind


class InsatsChanged(Exception):
    """The insats was changed by someone else since the form was opened."""


@dataclass(frozen=True)
class Insats:
    id: str
    team_id: str
    name: str
    insats_type: InsatsType
    active_from: date
    active_to: date | None
    version: int
    registration_kind: RegistrationKind = RegistrationKind.INDIVIDUAL

    @property
    def counted(self) -> bool:
        """Registered as counts per session, not as a case per participant."""
        return self.registration_kind is not RegistrationKind.INDIVIDUAL

    def active_on(self, day: date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)

    def enrolment_problem(self, start_date: date | None) -> str | None:
        """Why a participant cannot be enrolled in the insats from `start_date` (None: the
        start date is wrong already, so only the kind of insats is asked about)."""
        if self.counted:
            return "Insatsen registreras som antal per tillfälle, inte med ärenden."
        if start_date is not None and not self.active_on(start_date):
            return (
                f"Insatsen pågår inte på startdatumet: den pågår {self.active_from} – "
                f"{self.active_to or 'tills vidare'}."
            )
        return None


def _insats(row: Any) -> Insats:
    m = row._mapping
    return Insats(
        m["id"],
        m["team_id"],
        m["name"],
        InsatsType(m["insats_type"]),
        m["active_from"],
        m["active_to"],
        m["version"],
        RegistrationKind(m["registration_kind"]),
    )


def insats_errors(name: str, active_from: date | None, active_to: date | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Ange insatsens namn."
    if active_from and active_to and active_to < active_from:
        errors["active_to"] = "Slutdatumet kan inte vara före startdatumet."
    return errors


class Insatser:
    """The team's insatser: what the team offers, by SUS type and the period it runs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def team_insatser(self, team_id: str) -> list[Insats]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(insatser)
                .where(insatser.c.team_id == team_id)
                .order_by(insatser.c.active_from.desc(), insatser.c.name)
            ).all()
        return [_insats(row) for row in rows]

    def add_insats(
        self,
        team_id: str,
        name: str,
        insats_type: InsatsType,
        active_from: date,
        active_to: date | None,
        once: str | None = None,
        registration_kind: RegistrationKind = RegistrationKind.INDIVIDUAL,
    ) -> str:
        """A new insats of the team. `once`, the form's one-time token, becomes its id: the
        same form sent twice adds one insats."""
        if once is not None:
            with self.engine.connect() as conn:
                made = conn.execute(
                    sa.select(insatser.c.team_id).where(insatser.c.id == once)
                ).scalar_one_or_none()
            if made == team_id:
                return once
            if made is not None:
                once = None  # another team's id, not a token of this form
        insats_id = once or str(uuid.uuid4())
        try:
            with events.write_transaction(self.engine) as conn:
                conn.execute(
                    insatser.insert().values(
                        id=insats_id,
                        team_id=team_id,
                        name=name.strip(),
                        insats_type=insats_type,
                        active_from=active_from,
                        active_to=active_to,
                        version=1,
                        registration_kind=registration_kind,
                    )
                )
        except IntegrityError:
            if once is None:
                raise
            # the same form, sent at the same moment, made it
        return insats_id

    def update_insats(
        self,
        insats_id: str,
        expected_version: int,
        name: str,
        insats_type: InsatsType,
        active_from: date,
        active_to: date | None,
        registration_kind: RegistrationKind = RegistrationKind.INDIVIDUAL,
    ) -> None:
        with events.write_transaction(self.engine) as conn:
            updated = conn.execute(
                insatser.update()
                .where(insatser.c.id == insats_id, insatser.c.version == expected_version)
                .values(
                    name=name.strip(),
                    insats_type=insats_type,
                    active_from=active_from,
                    active_to=active_to,
                    version=expected_version + 1,
                    registration_kind=registration_kind,
                )
            )
            if updated.rowcount != 1:
                raise InsatsChanged()


# -- sessions of the insatser registered as counts --------------------------------------------

MOST_AT_A_SESSION = 10_000


@dataclass(frozen=True)
class Session:
    """One session of a volyminsats (participants by kön, by age group where known) or of a
    strukturinsats (staff by part). Counts only: no person is named."""

    id: str
    insats_id: str
    held_on: date
    by_gender: dict[Gender, int]
    by_age: dict[AgeGroup, int]
    staff: dict[Part, int]

    @property
    def participants(self) -> int:
        return sum(self.by_gender.values())


def session_errors(
    insats: Insats | None, held_on: date | None, counts: Session, today: date
) -> dict[str, str]:
    """What is wrong with a session, field by field, in Swedish."""
    errors: dict[str, str] = {}
    if insats is None or not insats.counted:
        errors["insats_id"] = "Välj en av teamets volym- eller strukturinsatser."
        return errors
    if held_on is not None:
        if held_on > today:
            errors["held_on"] = "Ett tillfälle registreras när det har hållits."
        elif not insats.active_on(held_on):
            errors["held_on"] = "Insatsen pågick inte den dagen."
    if insats.registration_kind is RegistrationKind.VOLUME:
        if counts.participants == 0:
            errors["gender_woman"] = "Ange hur många som deltog."
        elif sum(counts.by_age.values()) > counts.participants:
            errors["age_16-29"] = "Åldersgrupperna kan inte vara fler än deltagarna."
    elif not sum(counts.staff.values()):
        errors["staff_AF"] = "Ange hur många medarbetare som deltog från någon part."
    return errors


def _session(row: Any) -> Session:
    counts = row.counts
    return Session(
        row.id,
        row.insats_id,
        row.held_on,
        {g: int(counts.get("gender", {}).get(g.value, 0)) for g in Gender},
        {a: int(n) for a in AgeGroup if (n := counts.get("age", {}).get(a.value))},
        {p: int(n) for p in Part if (n := counts.get("staff", {}).get(p.value))},
    )


class Sessions:
    """The sessions of the team's volym- and strukturinsatser."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, team_id: str, session: Session, recorded_by: str, recorded_at: Any) -> str:
        """Store a session (validated by `session_errors`); its id is the form's one-time
        token, so the same form sent twice records it once."""
        counts = {
            "gender": {g.value: n for g, n in session.by_gender.items() if n},
            "age": {a.value: n for a, n in session.by_age.items() if n},
            "staff": {p.value: n for p, n in session.staff.items() if n},
        }
        try:
            with events.write_transaction(self.engine) as conn:
                conn.execute(
                    insats_sessions.insert().values(
                        id=session.id,
                        team_id=team_id,
                        insats_id=session.insats_id,
                        held_on=session.held_on,
                        counts=counts,
                        recorded_by=recorded_by,
                        recorded_at=recorded_at,
                    )
                )
        except IntegrityError:
            pass  # sent before: recorded once
        return session.id

    def of_team(
        self, team_id: str, start: date | None = None, end: date | None = None
    ) -> list[Session]:
        """The team's sessions, the latest first; within [start, end] when given."""
        query = sa.select(insats_sessions).where(insats_sessions.c.team_id == team_id)
        if start is not None:
            query = query.where(insats_sessions.c.held_on >= start)
        if end is not None:
            query = query.where(insats_sessions.c.held_on <= end)
        query = query.order_by(insats_sessions.c.held_on.desc(), insats_sessions.c.id)
        with self.engine.connect() as conn:
            return [_session(row) for row in conn.execute(query)]
