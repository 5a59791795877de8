"""Every write follows one writer discipline: logins, case form posts, the read log and the
reminder clock, all at once in threads and in a second process on the same database, and
not one of them fails (on SQLite: no "database is locked")."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from coordination.accounts.service import LoginRefused
from coordination.app import Services, build_services
from coordination.config import Settings
from coordination.shared import database as db
from coordination.shared.access import User
from coordination.shared.clock import Clock
from coordination.shared.vocabulary import InsatsType, Part, Role
from tests.integration.contention_process import PASSWORD
from tests.integration.reminder_support import _enrolled, free_port, settings_for

SECONDS = 6.0
THREADS = 6
ROOT = Path(__file__).resolve().parents[2]


def _team(services: Services) -> tuple[User, str, str]:
    accounts = services.accounts
    team = accounts.create_team("Trängselteamet")
    coordinator = accounts.create_user(
        team,
        "Samordnare",
        f"s-{uuid.uuid4().hex[:6]}@test",
        Part.KOMMUN,
        Role.COORDINATOR,
        PASSWORD,
    )
    started = services.clock.today() - timedelta(days=400)
    insats = services.insatser.add_insats(team, "Steget", InsatsType.REHABILITATION, started, None)
    return coordinator, team, insats


def _hammer(
    services: Services, coordinator: User, team: str, insats: str
) -> Callable[[int], object]:
    """One round of what a busy afternoon does, chosen by the round's number."""
    started = services.clock.today() - timedelta(days=400)
    reminders, accounts, cases = services.reminders, services.accounts, services.cases

    def log_in(right: bool) -> None:
        # A wrong password for an email of its own each time: the throttle never holds.
        email = coordinator.email if right else f"{uuid.uuid4().hex}@test"
        password = PASSWORD if right else "fel-losenord"
        try:
            accounts.log_in(email, password, services.clock.now(), f"thread-{uuid.uuid4().hex}")
        except LoginRefused:
            assert not right
        if right:
            token = accounts.start_session(coordinator, services.clock.now(), timedelta(hours=1))
            accounts.end_session(token)

    def read_case() -> None:
        rows = cases.team_cases(team)
        if rows:
            cases.record_read(coordinator, rows[0].case_id, "ärende")
            cases.visible_personnummer(coordinator, rows[:3], "export")

    rounds: list[Callable[[], object]] = [
        lambda: log_in(True),
        lambda: log_in(False),
        lambda: _enrolled(cases, coordinator, team, insats, started),
        read_case,
        reminders.tick,
    ]
    return lambda number: rounds[number % len(rounds)]()


def _second_instance(
    settings: Settings, url: str, email: str, smtp_port: int
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.contention_process",
            url,
            str(settings.data_dir),
            str(smtp_port),
            email,
            str(SECONDS),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_logins_case_posts_reads_and_the_reminder_clock_all_at_once_never_fail(
    database_url: str, tmp_path: Path
) -> None:
    # No SMTP server listens: every delivery fails and writes its backoff, more writes.
    smtp_port = free_port()
    settings = settings_for(database_url, tmp_path / "data", smtp_port)
    engine: Engine = db.connect(database_url)
    db.migrate(engine)
    services = build_services(settings, engine, Clock())
    coordinator, team, insats = _team(services)
    one_round = _hammer(services, coordinator, team, insats)
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        number = offset
        until = time.monotonic() + SECONDS
        while time.monotonic() < until and not errors:
            try:
                one_round(number)
            except BaseException as error:
                errors.append(error)
            number += 1

    other = _second_instance(settings, database_url, coordinator.email, smtp_port)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "ready"
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 120)
        _, stderr = other.communicate(timeout=120)
    finally:
        other.kill()
        engine.dispose()
    assert not errors, repr(errors[:3])
    assert other.returncode == 0, stderr
    assert not any(thread.is_alive() for thread in threads)
