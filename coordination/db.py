"""The database: the event store's engine and the migrations of kernel and service."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

import events

SERVICE_VERSIONS = "coordination:migrations/versions"


def migrate(engine: Engine) -> None:
    events.upgrade(engine, [SERVICE_VERSIONS])


def connect(database_url: str) -> Engine:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return events.create_engine(database_url)
