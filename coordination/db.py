"""The database: the event store's engine and the migrations of kernel and service."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

import events
from coordination.case_events import event_types
from coordination.config import Settings
from coordination.projections import CaseViews
from coordination.reminder_views import ReminderViews

SERVICE_VERSIONS = "coordination:migrations/versions"


def migrate(engine: Engine) -> None:
    events.upgrade(engine, [SERVICE_VERSIONS])


def connect(database_url: str) -> Engine:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return events.create_engine(database_url)


def build_store(settings: Settings, engine: Engine) -> events.EventStore:
    """The event store with the read models kept inline; any that fell behind (a new one
    after an upgrade, say) catches up here."""
    projections: list[events.Projection] = [CaseViews(), ReminderViews(settings.timings)]
    store = events.EventStore(
        engine, event_types(), events.Keyring(settings.master_key), inline_projections=projections
    )
    for projection in projections:
        store.catch_up(projection)
    return store
