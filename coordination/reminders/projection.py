"""The due reminders, kept inline with every append: a projection of the case events.

Per case it folds the events into the reminder facts (nothing personal) and rewrites the case's
due list from them, so the list follows the facts; a rebuild from position zero gives the same.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
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


# built once: the projection runs them for every append; each with the cases of a whole batch
_FACTS_OF = sa.select(reminder_facts.c.case_id, reminder_facts.c.facts).where(
    reminder_facts.c.case_id.in_(sa.bindparam("case_ids", expanding=True))
)
_SET_FACTS = reminder_facts.update().where(
    reminder_facts.c.case_id == sa.bindparam("where_case_id")
)
_CLEAR_DUE = due_reminders.delete().where(due_reminders.c.case_id == sa.bindparam("case_id"))
_INSATS_ENDS = sa.select(insatser.c.id, insatser.c.active_to).where(
    insatser.c.id.in_(sa.bindparam("insats_ids", expanding=True))
)
# cases whose facts one query reads: well under every backend's limit of parameters
_CASES_PER_QUERY = 500


class ReminderViews:
    name = "reminders"
    tables = (reminder_facts, due_reminders)

    def __init__(self, timings: reminders.Timings) -> None:
        self.timings = timings
        self.is_working_day = SwedishWorkingDays()

    def apply(self, conn: Connection, batch: Sequence[events.RecordedEvent]) -> None:
        relevant = [recorded for recorded in batch if recorded.type in case_events.EVENT_CLASSES]
        # the case's own stream or its reminders
        stored = _stored_facts(conn, {recorded.stream.id for recorded in relevant})
        changed: dict[str, reminders.Facts] = {}
        for recorded in relevant:
            case_id = recorded.stream.id
            facts = changed[case_id] if case_id in changed else stored.get(case_id)
            event = case_events.decode(recorded)
            recorded_on = recorded.recorded_at.astimezone(TEAM_TIMEZONE).date()
            changed[case_id] = reminders.evolve(facts or reminders.Facts(), event, recorded_on)
        self._save(conn, changed, stored.keys())

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
        stored = _stored_facts(conn, case_ids)
        facts = {case_id: stored.get(case_id) or reminders.Facts() for case_id in case_ids}
        self._save(conn, facts, stored.keys())

    def _save(
        self, conn: Connection, facts: dict[str, reminders.Facts], stored: Collection[str]
    ) -> None:
        """Store the cases' facts (`stored`: those that have a row already) and rewrite
        their due lists from them: one statement per kind of write for all of them."""
        if not facts:
            return
        updates, inserts = [], []
        for case_id, each in facts.items():
            data = json.dumps(_converter.unstructure(each), sort_keys=True)
            if case_id in stored:
                updates.append({"where_case_id": case_id, "facts": data})
            else:
                inserts.append({"case_id": case_id, "facts": data})
        if updates:
            conn.execute(_SET_FACTS, updates)
        if inserts:
            conn.execute(reminder_facts.insert(), inserts)
        conn.execute(_CLEAR_DUE, [{"case_id": case_id} for case_id in facts])
        ends = _insats_ends(conn, {each.insats_id for each in facts.values() if each.insats_id})
        rows = [
            {
                "case_id": case_id,
                "key": d.key,
                "kind": d.kind.value,
                "recipient_id": d.recipient_id,
                "due_on": d.due_on,
                "detail": d.detail,
                "notified": d.key in each.notified,
            }
            for case_id, each in facts.items()
            for d in reminders.due(
                each, self.timings, self.is_working_day, ends.get(each.insats_id)
            )
        ]
        if rows:
            conn.execute(due_reminders.insert(), rows)


def _stored_facts(conn: Connection, case_ids: Collection[str]) -> dict[str, reminders.Facts]:
    """The stored facts of those of these cases that have any."""
    wanted = sorted(case_ids)
    found = {}
    for start in range(0, len(wanted), _CASES_PER_QUERY):
        chunk = wanted[start : start + _CASES_PER_QUERY]
        for case_id, stored in conn.execute(_FACTS_OF, {"case_ids": chunk}):
            found[case_id] = _converter.structure(json.loads(stored), reminders.Facts)
    return found


def _insats_ends(conn: Connection, insats_ids: Collection[str]) -> dict[str, date | None]:
    """The end dates of these insatser (None: open-ended)."""
    if not insats_ids:
        return {}
    rows = conn.execute(_INSATS_ENDS, {"insats_ids": sorted(insats_ids)})
    return {insats_id: end for insats_id, end in rows}
