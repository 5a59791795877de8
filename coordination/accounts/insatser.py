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
from coordination.accounts.tables import insatser
from coordination.shared.vocabulary import InsatsType


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

    def active_on(self, day: date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)


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
                )
            )
            if updated.rowcount != 1:
                raise InsatsChanged()
