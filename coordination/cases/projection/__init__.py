"""Read models of cases, kept inline with every append: the team page, the case page and
its timeline read these tables and never replay streams.

    __init__.py   CaseViews: each event to its phase's handler, then the case's version and
                  its timeline entry
    rows.py       CaseRows, the writes the phases share (the case's row, its personal data,
                  an entry of one of its logs, an activity, a meeting) with the personal
                  values sealed under the participant's key, and the shape of a handler
    referral.py   referral, enrolment and consent
    planning.py   assessments, plan versions and activities
    meetings.py   network meetings
    progress.py   steps, self-assessments and handovers
    closure.py    closure, reopening, follow-ups and after-support
    erasure.py    erasure and retention on the case's row
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import events
from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.cases.projection import (
    closure,
    erasure,
    meetings,
    planning,
    progress,
    referral,
)
from coordination.cases.projection.rows import CaseRows, Handlers, Writes
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

# The reminders' bookkeeping events have no handler: they show on the timeline only.
HANDLERS: Handlers = {
    **referral.HANDLERS,
    **planning.HANDLERS,
    **meetings.HANDLERS,
    **progress.HANDLERS,
    **closure.HANDLERS,
    **erasure.HANDLERS,
}


class CaseViews:
    """The case read models. The keyring seals the participant's personal data in them,
    with keys looked up afresh in each transaction."""

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

    def __init__(self, keyring: events.Keyring) -> None:
        self.keyring = keyring

    def apply(self, conn: Connection, batch: Sequence[events.RecordedEvent]) -> None:
        sealed = events.SealedValues(self.keyring, conn)
        versions: dict[str, dict[str, Any]] = {}
        timeline: list[dict[str, Any]] = []
        # each case's events with a handler, in order
        handled: dict[str, list[tuple[Any, events.RecordedEvent]]] = {}
        for recorded in batch:
            if recorded.type not in case_events.EVENT_CLASSES:
                continue
            # the case's own stream or its reminders' bookkeeping: both are named by the case
            case_id = recorded.stream.id
            event = case_events.decode(recorded)
            if type(event) in HANDLERS:
                handled.setdefault(case_id, []).append((event, recorded))
            if recorded.stream.category == case_events.CASE:
                versions[case_id] = {
                    "where_case_id": case_id,
                    "version": recorded.stream_version,
                    "last_event_at": recorded.recorded_at,
                }
            timeline.append(
                {
                    "position": recorded.position,
                    "case_id": case_id,
                    "event_type": recorded.type,
                    "actor_id": recorded.metadata.get("actor"),
                    "actor_part": recorded.metadata.get("actor_group"),
                    "recorded_at": recorded.recorded_at,
                    "details": json.dumps(_public_details(recorded)),
                }
            )
        if len(handled) > 1:
            sealed.load(case_events.participant_subject(case_id) for case_id in handled)
        # In rounds: every case's first event, then every case's second, and so on. A case's
        # rows see each of its events in turn; the same statement of many cases runs as one.
        writes, teams = Writes(conn), dict[str, str]()
        for turn in range(max((len(each) for each in handled.values()), default=0)):
            for case_id, each in handled.items():
                if turn < len(each):
                    event, recorded = each[turn]
                    rows = CaseRows(conn, case_id, self.keyring, sealed, writes, teams)
                    HANDLERS[type(event)](rows, event, recorded)
            writes.run()
        # each case's version once, and the timeline in one statement: a bulk append of
        # thousands of events writes these as fast as one
        if versions:
            conn.execute(_SET_VERSION, list(versions.values()))
        if timeline:
            conn.execute(case_timeline.insert(), timeline)


_SET_VERSION = cases.update().where(cases.c.case_id == sa.bindparam("where_case_id"))


def _public_details(recorded: events.RecordedEvent) -> dict[str, Any]:
    """What the timeline may show anyone who sees the case: no personal fields."""
    personal = case.PERSONAL_FIELDS.get(recorded.type, ())
    return {key: value for key, value in recorded.data.items() if key not in personal}
