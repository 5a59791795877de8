"""Pooled connections survive a PostgreSQL restart: a throwaway server of the test's own is
restarted between requests, and the next requests succeed (the engine pings a pooled
connection before handing it out)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

import events
from coordination.app import Services, build_services
from coordination.shared import database as db
from coordination.shared.access import User
from coordination.shared.vocabulary import InsatsType, Part, Role
from tests.integration.reminder_support import _enrolled, free_port, settings_for

PG_BIN = Path(os.environ.get("SAMORDNA_PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "ett-langt-losenord"


class Server:
    """A PostgreSQL server in a temporary directory, on a socket there and a free port."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="samordna-pg-"))
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@/postgres?host={self.dir}&port={self.port}"

    def run(self, *args: str) -> None:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.dir, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def pg_ctl(self, *args: str) -> None:
        options = f"-k {self.dir} -p {self.port} -c listen_addresses=''"
        data, log = str(self.dir / "data"), str(self.dir / "log")
        self.run("pg_ctl", "-D", data, "-l", log, "-w", "-o", options, *args)


@pytest.fixture
def server() -> Iterator[Server]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip(
            f"no initdb in {PG_BIN}: install PostgreSQL (apt-get install postgresql) "
            "or set SAMORDNA_PG_BIN to its bin directory"
        )
    server = Server()
    try:
        server.run("initdb", "-D", str(server.dir / "data"), "-A", "trust", "-U", "postgres")
        server.pg_ctl("start")
        yield server
    finally:
        with contextlib.suppress(subprocess.SubprocessError):  # it may never have started
            server.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(server.dir, ignore_errors=True)


def _requests(services: Services, coordinator: User, case_id: str) -> None:
    """What a user does between restarts: log in, open a case (its read logged), post."""
    now = services.clock.now()
    user = services.accounts.log_in(coordinator.email, PASSWORD, now, "127.0.0.1")
    token = services.accounts.start_session(user, now, timedelta(hours=1))
    assert services.accounts.session_user(token, now) == user
    file = services.cases.open(user, case_id, "ärende")
    assert services.cases.people(file)
    team = services.cases.team_cases(user.team_id)
    assert case_id in {row.case_id for row in team}


def test_requests_succeed_after_the_postgresql_server_restarts(
    server: Server, tmp_path: Path
) -> None:
    settings = settings_for(server.url, tmp_path / "data", free_port())
    engine = db.connect(server.url)
    try:
        db.migrate(engine)
        services = build_services(settings, engine)
        team = services.accounts.create_team("Omstartsteamet")
        coordinator = services.accounts.create_user(
            team, "Samordnare", f"{uuid.uuid4().hex}@test", Part.KOMMUN, Role.COORDINATOR, PASSWORD
        )
        started = services.clock.today() - timedelta(days=30)
        insats = services.insatser.add_insats(
            team, "Steget", InsatsType.REHABILITATION, started, None
        )
        case_id = _enrolled(services.cases, coordinator, team, insats, started)
        _requests(services, coordinator, case_id)

        server.pg_ctl("-m", "fast", "restart")

        _requests(services, coordinator, case_id)
        _enrolled(services.cases, coordinator, team, insats, started)  # the store writes too
        services.reminders.tick()
    finally:
        engine.dispose()


def test_the_stores_own_writer_connection_survives_a_restart(server: Server) -> None:
    """A plain append goes on the store's held connection, with no pool ping: after a
    restart that connection is dead, and the append begins again on a new one."""
    engine = events.create_engine(server.url)
    try:
        events.upgrade(engine)
        types = events.EventTypes()
        types.register("Noted")
        store = events.EventStore(engine, types, events.Keyring(events.generate_master_key()))
        store.append("note-1", 0, [events.NewEvent("Noted", {"n": 1})])

        server.pg_ctl("-m", "fast", "restart")

        store.append("note-1", 1, [events.NewEvent("Noted", {"n": 2})])
        assert [e.data["n"] for e in store.read_stream("note-1")] == [1, 2]
    finally:
        engine.dispose()
