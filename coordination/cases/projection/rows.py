"""The writes every phase of the case projection shares, and the shape of an event handler.

A handler writes through `CaseRows`, which seals the values of the tables' sealed columns
under the participant's key on the way in, in the append's transaction. Its statements wait
in `Writes` until the handlers of every case of the batch have had their turn, and then run
together: one statement with many parameter sets for each shape, instead of one round trip
to the server per row."""

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


class Writes:
    """The statements the handlers of one round write: at most one event per case, so the
    statements of different cases touch different rows and may run in any order between
    cases; each case's run in the order its handler wrote them.

    `run` sends them as few times as it can: again and again the shape (statement and
    parameter names) that most cases have next, with every such case's parameters at once
    (an executemany, which psycopg pipelines and SQLAlchemy turns into multi-row INSERTs).
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._queued: dict[str, list[tuple[sa.Executable, dict[str, Any]]]] = {}

    def add(self, case_id: str, statement: sa.Executable, parameters: dict[str, Any]) -> None:
        self._queued.setdefault(case_id, []).append((statement, parameters))

    def run_case(self, case_id: str) -> None:
        """What the case's handler wrote so far, now: before it reads its own rows."""
        for statement, parameters in self._queued.pop(case_id, ()):
            self.conn.execute(statement, parameters)

    def run(self) -> None:
        queues = list(self._queued.values())
        self._queued = {}
        done = [0] * len(queues)
        # the cases whose next statement has this shape; the statements stay referenced in
        # `queues` until the end, so their ids are not reused meanwhile
        waiting: dict[tuple[int, tuple[str, ...]], list[int]] = {}

        def wait(case: int) -> None:
            if done[case] < len(queues[case]):
                statement, parameters = queues[case][done[case]]
                waiting.setdefault((id(statement), tuple(parameters)), []).append(case)

        for case in range(len(queues)):
            wait(case)
        while waiting:
            shape = max(waiting, key=lambda key: len(waiting[key]))
            ready = waiting.pop(shape)
            statement = queues[ready[0]][done[ready[0]]][0]
            parameters = [queues[case][done[case]][1] for case in ready]
            self.conn.execute(statement, parameters if len(parameters) > 1 else parameters[0])
            for case in ready:
                done[case] += 1
                wait(case)


@dataclass(frozen=True)
class CaseRows:
    """The read-model rows of one case, as the handlers of its events write them. Writes
    wait in `writes`; a handler reads through `read`, which sees everything written before
    its event and what it wrote itself. `teams` keeps the team of each case met so far."""

    conn: Connection
    case_id: str
    keyring: events.Keyring
    sealed: events.SealedValues
    writes: Writes
    teams: dict[str, str]

    def read(self, statement: sa.Executable, **parameters: Any) -> sa.CursorResult[Any]:
        self.writes.run_case(self.case_id)
        return self.conn.execute(statement, parameters)

    def team_id(self) -> str:
        """The case's team, which never changes."""
        team_id = self.teams.get(self.case_id)
        if team_id is None:
            team_id = self.teams[self.case_id] = self.read(
                _TEAM_OF, case_id=self.case_id
            ).scalar_one()
        return team_id

    def insert(self, table: sa.Table, **values: Any) -> None:
        _require_columns(table, values)
        self.execute(_insert(table), self._sealed(table, values))

    def execute(self, statement: sa.Executable, parameters: dict[str, Any] | None = None) -> None:
        """A write to the case's rows, in its turn."""
        self.writes.add(self.case_id, statement, parameters or {})

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
        self.execute(statement, {"where_case_id": self.case_id, **parameters})

    def update_case(self, only_from: Stage | None = None, **values: Any) -> None:
        """Change the case's row; with `only_from`, only while the case is at that stage."""
        if any(isinstance(value, sa.ColumnElement) for value in values.values()):
            # computed from the row itself (a count, the highest level): built each time
            query = cases.update().where(cases.c.case_id == self.case_id)
            if only_from is not None:
                query = query.where(cases.c.stage == only_from)
            self.execute(query.values(**values))
            return
        where = {"case_id": self.case_id}
        if only_from is not None:
            where["stage"] = only_from
        self._update(cases, where, values)

    def extend_retention(self, day: date) -> None:
        """The retention clock counts from the last of the case's ends: closure, a
        follow-up, the end of after-support."""
        current = self.read(_RETENTION_FROM, case_id=self.case_id).scalar_one_or_none()
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
        self.execute(_update(table, tuple(where)), parameters)

    def _sealed(self, table: sa.Table, values: Mapping[str, Any]) -> dict[str, Any]:
        subject, personal = participant_subject(self.case_id), sealed_names(table)
        return {
            name: self.sealed.seal(subject, value) if name in personal else value
            for name, value in values.items()
        }


# The projection writes many rows per append: its statements are built once, so that only
# their parameters change (SQLAlchemy compiles each shape once and caches it), and the same
# statement of many cases runs as one.
_TEAM_OF = sa.select(cases.c.team_id).where(cases.c.case_id == sa.bindparam("case_id"))
_RETENTION_FROM = sa.select(cases.c.retention_from).where(
    cases.c.case_id == sa.bindparam("case_id")
)


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
    an erasure (which runs `CLEAR_BLIND_INDEX` in its turn): the blind index is keyed by the
    master key, not the participant's, so it would otherwise outlive the erased
    personnummer."""
    conn.execute(CLEAR_BLIND_INDEX, {"where_case_id": case_id})


CLEAR_BLIND_INDEX = (
    case_people.update()
    .where(case_people.c.case_id == sa.bindparam("where_case_id"))
    .values(personnummer_index=None)
)
