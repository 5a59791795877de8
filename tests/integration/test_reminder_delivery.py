"""Reminders are never lost and never sent twice: against a real SMTP server (aiosmtpd) that
goes down and comes back, a sweep killed half-way, and two instances on one database."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from coordination.config import Settings
from coordination.reminders.projection import ReminderViews
from coordination.reminders.tables import due_reminders, outbox
from coordination.shared import database as db
from events.schema import events_table
from tests.integration.reminder_support import (
    Clock,
    SmtpServer,
    free_port,
    reminders_for,
    settings_for,
    team_with_due_reminders,
)

REMINDERS = 12


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def setup(database_url: str, tmp_path: Path, smtp: SmtpServer) -> Iterator[tuple[Settings, Engine]]:
    settings = settings_for(database_url, tmp_path, smtp.port)
    engine = db.connect(database_url)
    team_with_due_reminders(settings, engine, REMINDERS)
    yield settings, engine
    engine.dispose()


def reminder_events(engine: Engine) -> Counter[str]:
    """How many ReminderSent each case's reminder stream holds (one reminder per case here)."""
    with engine.connect() as conn:
        streams = conn.execute(
            sa.select(events_table.c.stream_id).where(events_table.c.type == "ReminderSent")
        ).scalars()
        return Counter(streams)


def outbox_rows(engine: Engine) -> list[sa.Row[tuple[int, str, int, object]]]:
    with engine.connect() as conn:
        return list(
            conn.execute(sa.select(outbox.c.id, outbox.c.kind, outbox.c.attempts, outbox.c.sent_at))
        )


def assert_each_delivered_once(engine: Engine, smtp: SmtpServer) -> None:
    rows = outbox_rows(engine)
    assert sum(1 for r in rows if r.kind == "reminder") == REMINDERS
    assert all(r.sent_at is not None for r in rows)
    received = smtp.inbox.counts()
    assert len(received) == len(rows)
    assert set(received.values()) == {1}, received
    sent = reminder_events(engine)
    assert len(sent) == REMINDERS
    assert set(sent.values()) == {1}


def test_a_mail_server_that_is_down_for_a_while_gets_every_reminder_once(
    setup: tuple[Settings, Engine], smtp: SmtpServer
) -> None:
    settings, engine = setup
    clock = Clock()
    reminders = reminders_for(settings, engine, clock)
    reminders.tick()  # the server is down: everything waits in the outbox
    rows = outbox_rows(engine)
    assert len([r for r in rows if r.kind == "reminder"]) == REMINDERS
    assert all(r.sent_at is None and r.attempts == 1 for r in rows)
    with engine.connect() as conn:
        errors = conn.execute(sa.select(outbox.c.last_error)).scalars().all()
    assert all("ConnectionRefusedError" in e for e in errors)

    smtp.start()
    reminders.tick()  # back, but the retry waits for its back-off
    assert smtp.inbox.counts() == Counter()
    clock.advance(timedelta(minutes=2))
    reminders.tick()
    clock.advance(timedelta(hours=2))
    reminders.tick()  # nothing new: all were sent once
    assert_each_delivered_once(engine, smtp)


def test_a_sweep_killed_half_way_and_started_again_loses_and_doubles_nothing(
    setup: tuple[Settings, Engine], smtp: SmtpServer, database_url: str, tmp_path: Path
) -> None:
    settings, engine = setup
    for attempt in range(3):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.sweep_process",
                database_url,
                str(tmp_path),
                str(smtp.port),
                "sweep",
                "50",
            ],
            stdout=subprocess.PIPE,
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"ready"
        time.sleep(random.uniform(0.0, 0.3))
        process.kill()
        process.wait(timeout=30)
        if attempt == 0:
            half_way = len(outbox_rows(engine))
    assert 0 <= half_way <= REMINDERS
    smtp.start()
    clock = Clock()
    reminders_for(settings, engine, clock).tick()
    assert_each_delivered_once(engine, smtp)


def test_two_instances_on_one_postgresql_database_send_each_reminder_once(
    postgres_database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    database_url = postgres_database_url
    settings = settings_for(database_url, tmp_path, smtp.port)
    engine = db.connect(database_url)
    team_with_due_reminders(settings, engine, REMINDERS)
    smtp.start()
    instances = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.sweep_process",
                database_url,
                str(tmp_path),
                str(smtp.port),
                "tick",
                "20",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    for instance in instances:
        assert instance.wait(timeout=120) == 0
    assert_each_delivered_once(engine, smtp)
    engine.dispose()


def test_rebuilding_the_reminders_gives_the_same_due_list(
    setup: tuple[Settings, Engine], smtp: SmtpServer
) -> None:
    settings, engine = setup
    reminders = reminders_for(settings, engine, Clock())
    reminders.tick()  # some reminders are now notified: that too must survive a rebuild

    def due_list() -> list[tuple[object, ...]]:
        with engine.connect() as conn:
            return sorted(tuple(row) for row in conn.execute(sa.select(due_reminders)))

    before = due_list()
    assert len(before) >= REMINDERS
    views = next(p for p in reminders.store.inline_projections if isinstance(p, ReminderViews))
    reminders.store.rebuild(views)
    assert due_list() == before
