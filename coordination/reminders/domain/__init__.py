"""Reminders as data derived from a case's events: pure rules, no clock, no database.

`evolve` folds a case's events into the few facts reminders need (nothing personal);
`due` turns those facts into the reminders that are due, each with a stable key. When a fact
moves (a meeting moves, a follow-up is recorded, a case reopens), the keys and dates computed
from it move or vanish, so the due list always follows the events.

    facts.py   `Facts` and `evolve`: what reminders know of a case, folded from its events
    rules.py   `due` and its `Timings`: which reminders the facts call for, and when
"""

from __future__ import annotations

from coordination.reminders.domain.facts import (
    BOOKKEEPING,
    ActivityFacts,
    Facts,
    MeetingFacts,
    evolve,
)
from coordination.reminders.domain.rules import (
    Due,
    Timings,
    WorkingDay,
    due,
    working_days_before,
)

__all__ = [
    "BOOKKEEPING",
    "ActivityFacts",
    "Due",
    "Facts",
    "MeetingFacts",
    "Timings",
    "WorkingDay",
    "due",
    "evolve",
    "working_days_before",
]
