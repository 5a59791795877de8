"""A real SMTP server (aiosmtpd) that can be stopped and started, and a team with reminders
that are due: the pieces of the delivery tests."""

from __future__ import annotations

import socket
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine

from coordination.accounts.service import Accounts
from coordination.app import build_services, build_store
from coordination.cases import domain as case
from coordination.cases.service import Cases
from coordination.config import Settings, load_settings
from coordination.reminders.service import Reminders
from coordination.shared import database as db
from coordination.shared.access import User
from coordination.shared.clock import Clock as TeamClock
from coordination.shared.vocabulary import (
    AgeGroup,
    EducationLevel,
    Gender,
    InsatsType,
    Occupation,
    Part,
    RegistrationType,
    Role,
    SupportSource,
    TimeInSupport,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Inbox:
    """What the SMTP server received: the Message-ID of every delivery."""

    message_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        text = envelope.content.decode("utf-8", "replace")
        found = next(
            (
                line.split(":", 1)[1].strip()
                for line in text.splitlines()
                if line.lower().startswith("message-id:")
            ),
            "",
        )
        with self.lock:
            self.message_ids.append(found)
        return "250 Message accepted for delivery"

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(self.message_ids)


class SmtpServer:
    """aiosmtpd on a fixed port, stopped and started at will."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def settings_for(database_url: str, data_dir: Path, smtp_port: int) -> Settings:
    return load_settings(
        {
            "SAMORDNA_DATA_DIR": str(data_dir),
            "SAMORDNA_DATABASE_URL": database_url,
            "SAMORDNA_SMTP_HOST": "127.0.0.1",
            "SAMORDNA_SMTP_PORT": str(smtp_port),
            "SAMORDNA_SMTP_SECURITY": "none",
            "SAMORDNA_SWEEP_SECONDS": "0",
        }
    )


def team_with_due_reminders(settings: Settings, engine: Engine, count: int) -> list[str]:
    """`count` cases enrolled over a year ago: each has its yearly consent review due."""
    db.migrate(engine)
    services = build_services(settings, engine, TeamClock())
    cases = services.cases
    team = Accounts(engine).create_team("Påminnelseteamet")
    coordinator = Accounts(engine).create_user(
        team,
        "Samordnare",
        f"s-{uuid.uuid4().hex[:6]}@test",
        Part.KOMMUN,
        Role.COORDINATOR,
        "ett-langt-losenord",
    )
    started = TeamClock().today() - timedelta(days=400)
    insats = services.insatser.add_insats(team, "Steget", InsatsType.REHABILITATION, started, None)
    return [_enrolled(cases, coordinator, team, insats, started) for _ in range(count)]


def _enrolled(cases: Cases, coordinator: User, team: str, insats: str, started: date) -> str:
    case_id = cases.register_referral(
        coordinator,
        lambda code: case.RegisterReferral(code, team, Part.FK, "Remittent", "Skäl", started),
    )
    cases.execute(coordinator, case_id, 1, case.AcceptReferral(started))
    cases.execute(
        coordinator,
        case_id,
        2,
        case.Enrol(
            RegistrationType.PERSONAL,
            Gender.MAN,
            started,
            insats,
            coordinator.id,
            (Part.FK,),
            "",
            case.Participant("Testa Person", "19800101-0019"),
            AgeGroup.AGE_30_44,
            EducationLevel.UNKNOWN,
            (SupportSource.NONE,),
            TimeInSupport.NOT_APPLICABLE,
            Occupation.NONE,
            # the tests' participants share one personnummer
            duplicate_reason="Test: samma person i flera ärenden",
        ),
    )
    return case_id


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = TeamClock().now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def reminders_for(settings: Settings, engine: Engine, clock: Clock | None = None) -> Reminders:
    store = build_store(settings, engine)
    return Reminders(store, settings, clock=clock) if clock else Reminders(store, settings)
