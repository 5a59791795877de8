"""The writes every phase of the case projection shares, and the shape of an event handler.

A handler writes through `CaseRows`, which seals the values of the tables' sealed columns
under the participant's key on the way in, in the append's transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import events
from coordination.cases.contract import participant_subject
from coordination.cases.tables import (
    case_activities,
    case_meetings,
    case_people,
    cases,
    personnummer_index,
    sealed_names,
)
from coordination.shared.vocabulary import Stage


@dataclass(frozen=True)
class CaseRows:
    """The read-model rows of one case, as the handlers of its events write them."""

    conn: Connection
    case_id: str
    keyring: events.Keyring
    sealed: events.SealedValues

    def insert(self, table: sa.Table, **values: Any) -> None:
        _require_columns(table, values)
        self.conn.execute(_insert(table), self._sealed(table, values))

    def insert_entry(self, table: sa.Table, recorded: events.RecordedEvent, **values: Any) -> None:
        """A row of one of the case's logs (assessments, steps, after-support), keyed by the
        event's position, with who recorded it."""
        self.insert(
            table,
            position=recorded.position,
            case_id=self.case_id,
            actor_id=recorded.metadata.get("actor"),
            **values,
        )

    def execute_on_case(self, statement: sa.Executable, **parameters: Any) -> None:
        """A statement built once, for this case: its `where_case_id` is the case's id."""
        self.conn.execute(statement, {"where_case_id": self.case_id, **parameters})

    def update_case(self, only_from: Stage | None = None, **values: Any) -> None:
        """Change the case's row; with `only_from`, only while the case is at that stage."""
        if any(isinstance(value, sa.ColumnElement) for value in values.values()):
            # computed from the row itself (a count, the highest level): built each time
            query = cases.update().where(cases.c.case_id == self.case_id)
            if only_from is not None:
                query = query.where(cases.c.stage == only_from)
            self.conn.execute(query.values(**values))
            return
        where = {"case_id": self.case_id}
        if only_from is not None:
            where["stage"] = only_from
        self._update(cases, where, values)

    def extend_retention(self, day: date) -> None:
        """The retention clock counts from the last of the case's ends: closure, a
        follow-up, the end of after-support."""
        current = self.conn.execute(
            sa.select(cases.c.retention_from).where(cases.c.case_id == self.case_id)
        ).scalar_one_or_none()
        if current is None or current < day:
            self.update_case(retention_from=day)

    def update_people(self, **values: Any) -> None:
        """Change the participant's personal data; a personnummer keeps its blind index."""
        if "personnummer" in values:
            number = values["personnummer"]
            values["personnummer_index"] = (
                personnummer_index(self.keyring, number) if number else None
            )
        self._update(case_people, {"case_id": self.case_id}, values)

    def update_activity(self, activity_id: str, **values: Any) -> None:
        self._update(case_activities, {"case_id": self.case_id, "activity_id": activity_id}, values)

    def update_meeting(self, meeting_id: str, **values: Any) -> None:
        self._update(case_meetings, {"meeting_id": meeting_id}, values)

    def _update(self, table: sa.Table, where: dict[str, Any], values: dict[str, Any]) -> None:
        """Set `values` on the rows whose columns equal `where`'s."""
        _require_columns(table, values)
        parameters = {f"where_{name}": value for name, value in where.items()}
        parameters.update(self._sealed(table, values))
        self.conn.execute(_update(table, tuple(where)), parameters)

    def _sealed(self, table: sa.Table, values: Mapping[str, Any]) -> dict[str, Any]:
        subject, personal = participant_subject(self.case_id), sealed_names(table)
        return {
            name: self.sealed.seal(subject, value) if name in personal else value
            for name, value in values.items()
        }


# The projection writes many rows per append: its statements are built once, so that only
# their parameters change (SQLAlchemy compiles each shape once and caches it).
def _require_columns(table: sa.Table, values: Mapping[str, Any]) -> None:
    """A statement built from its parameters' names would leave out a misspelt one, or
    have nothing to set: refused, as `.values()` would refuse them."""
    unknown = set(values) - _column_names(table)
    if unknown or not values:
        raise ValueError(f"{table.name}: no columns {sorted(unknown)} or nothing to write")


@cache
def _column_names(table: sa.Table) -> frozenset[str]:
    return frozenset(table.c.keys())


@cache
def _insert(table: sa.Table) -> sa.Insert:
    return table.insert()


def case_update(**values: Any) -> sa.Update:
    """An UPDATE of the case's row computed from the row itself (a count, the highest
    level), built once: for `CaseRows.execute_on_case`."""
    return cases.update().where(cases.c.case_id == sa.bindparam("where_case_id")).values(**values)


@cache
def _update(table: sa.Table, where: tuple[str, ...]) -> sa.Update:
    """An UPDATE of `table` whose SET clause is the parameters named after its columns, for
    the rows whose `where` columns equal the parameters `where_<column>`."""
    return table.update().where(*(table.c[name] == sa.bindparam(f"where_{name}") for name in where))


# A handler writes what one event (of the type it is registered for) changes in the read
# models of its case.
Handler = Callable[[CaseRows, Any, events.RecordedEvent], None]
Handlers = Mapping[type, Handler]


def clear_blind_index(conn: Connection, case_id: str) -> None:
    """Forget where the participant's personnummer leads. For the read models' handler of
    an erasure: the blind index is keyed by the master key, not the participant's, so it
    would otherwise outlive the erased personnummer."""
    conn.execute(
        case_people.update().where(case_people.c.case_id == case_id).values(personnummer_index=None)
    )
