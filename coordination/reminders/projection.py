"""The due reminders, kept inline with every append: a projection of the case events.

Per case it folds the events into the reminder facts (nothing personal) and rewrites the case's
due list from them, so the list follows the facts; a rebuild from position zero gives the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

import holidays
import sqlalchemy as sa
from cattrs.preconf.json import make_converter
from sqlalchemy.engine import Connection

import events
from coordination.accounts.tables import insatser
from coordination.cases import contract as case_events
from coordination.cases.tables import cases
from coordination.reminders import domain as reminders
from coordination.reminders.tables import due_reminders, reminder_facts
from coordination.shared.clock import TEAM_TIMEZONE

_converter = make_converter()


class SwedishWorkingDays:
    """Monday to Friday, except Swedish public holidays (the `holidays` package)."""

    def __init__(self) -> None:
        self._holidays = holidays.country_holidays("SE")

    def __call__(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays


# built once: the projection runs them for every case of every append
_FACTS_OF = sa.select(reminder_facts.c.facts).where(
    reminder_facts.c.case_id == sa.bindparam("case_id")
)
_SET_FACTS = reminder_facts.update().where(
    reminder_facts.c.case_id == sa.bindparam("where_case_id")
)
_CLEAR_DUE = due_reminders.delete().where(due_reminders.c.case_id == sa.bindparam("case_id"))
_INSATS_END = sa.select(insatser.c.active_to).where(insatser.c.id == sa.bindparam("insats_id"))


class ReminderViews:
    name = "reminders"
    tables = (reminder_facts, due_reminders)

    def __init__(self, timings: reminders.Timings) -> None:
        self.timings = timings
        self.is_working_day = SwedishWorkingDays()

    def apply(self, conn: Connection, batch: Sequence[events.RecordedEvent]) -> None:
        changed: dict[str, reminders.Facts] = {}
        for recorded in batch:
            if recorded.type not in case_events.EVENT_CLASSES:
                continue
            case_id = recorded.stream.id  # the case's own stream or its reminders
            facts = changed.get(case_id) or self._facts(conn, case_id)
            event = case_events.decode(recorded)
            recorded_on = recorded.recorded_at.astimezone(TEAM_TIMEZONE).date()
            changed[case_id] = reminders.evolve(facts, event, recorded_on)
        for case_id, facts in changed.items():
            self._save(conn, case_id, facts)

    # A rebuild beside the live read model (events/rebuilding.py) builds from the insatser's
    # end dates as they were; one changed meanwhile is refreshed when the new model goes in.

    def before_rebuild(self, conn: Connection) -> dict[str, date | None]:
        return dict(conn.execute(sa.select(insatser.c.id, insatser.c.active_to)).all())

    def settle(self, conn: Connection, ends_before: dict[str, date | None]) -> None:
        ends_now = dict(conn.execute(sa.select(insatser.c.id, insatser.c.active_to)).all())
        changed = [i for i, end in ends_now.items() if ends_before.get(i, end) != end]
        if changed:
            in_changed = reminder_facts.c.case_id.in_(
                sa.select(cases.c.case_id).where(cases.c.insats_id.in_(changed))
            )
            self.refresh(
                conn,
                conn.execute(sa.select(reminder_facts.c.case_id).where(in_changed)).scalars().all(),
            )

    def refresh(self, conn: Connection, case_ids: Sequence[str]) -> None:
        """Recompute the due lists of these cases (an insats they are in changed its end)."""
        for case_id in case_ids:
            self._save(conn, case_id, self._facts(conn, case_id))

    def _facts(self, conn: Connection, case_id: str) -> reminders.Facts:
        stored = conn.execute(_FACTS_OF, {"case_id": case_id}).scalar()
        if stored is None:
            return reminders.Facts()
        return _converter.structure(json.loads(stored), reminders.Facts)

    def _save(self, conn: Connection, case_id: str, facts: reminders.Facts) -> None:
        data = json.dumps(_converter.unstructure(facts), sort_keys=True)
        updated = conn.execute(_SET_FACTS, {"where_case_id": case_id, "facts": data})
        if updated.rowcount == 0:
            conn.execute(reminder_facts.insert(), {"case_id": case_id, "facts": data})
        conn.execute(_CLEAR_DUE, {"case_id": case_id})
        rows = [
            {
                "case_id": case_id,
                "key": d.key,
                "kind": d.kind.value,
                "recipient_id": d.recipient_id,
                "due_on": d.due_on,
                "detail": d.detail,
                "notified": d.key in facts.notified,
            }
            for d in reminders.due(
                facts, self.timings, self.is_working_day, _insats_end(conn, facts.insats_id)
            )
        ]
        if rows:
            conn.execute(due_reminders.insert(), rows)


def _insats_end(conn: Connection, insats_id: str) -> date | None:
    if not insats_id:
        return None
    end: date | None = conn.execute(_INSATS_END, {"insats_id": insats_id}).scalar()
    return end
