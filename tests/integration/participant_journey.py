"""A participant's whole journey through the real case service, every personal text a
distinctive marker, for the tests of what the database holds of them."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep
from typing import Any

import sqlalchemy as sa

from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.app import Services, build_services
from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.cases.service import Cases
from coordination.config import load_settings
from coordination.shared import database as db
from coordination.shared.access import User
from coordination.shared.clock import TEAM_TIMEZONE, Clock
from coordination.shared.vocabulary import (
    ActivityStatus,
    AgeGroup,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    Gender,
    InsatsType,
    MeetingMode,
    Occupation,
    Part,
    RegistrationType,
    Role,
    SelfAssessmentPhase,
    SupportSource,
    TimeInSupport,
)

PERSONNUMMER = "19770723-3818"
# The same personnummer as it may be typed or stored: for searching, and for looking for it.
PERSONNUMMER_FORMS = ("19770723-3818", "770723-3818", "197707233818", "7707233818")
OTHER_PERSONNUMMER = "19800101-0019"

FIELDS = [
    *("reason", "name", "phone", "email", "address", "consent_note"),
    *("goals_short", "goals_long", "participant_words", "staff_notes", "what", "drop_reason"),
    *("place", "others_invited", "agenda", "decisions", "moved_place", "move_reason"),
    *("cancel_reason", "evidence", "note", "next_step", "obstacles", "contact_note"),
    *case.ASSESSMENT_TEXTS,
]
# Each personal text: an ASCII core that no other data holds, and Swedish letters after it.
MARKERS = {field: f"Qzx{field.replace('_', '')}Mrk åäöÅÄÖ é" for field in FIELDS}
START = date(2026, 1, 12)


class MovableClock(Clock):
    """The service's clock, at ten in the morning of `day`."""

    def __init__(self, day: date) -> None:
        self.day = day

    def now(self) -> datetime:
        return datetime.combine(self.day, time(10), tzinfo=TEAM_TIMEZONE)


@dataclass
class Journey:
    services: Services
    clock: MovableClock
    user: User
    team_id: str
    insats_id: str

    @property
    def cases(self) -> Cases:
        return self.services.cases

    def run(self, case_id: str, *commands: case.Command) -> None:
        for command in commands:
            version = self.cases.store.stream_version(case_events.case_stream(case_id))
            self.cases.execute(self.user, case_id, version, command)

    def enrolled(self, personnummer: str = PERSONNUMMER, name: str = MARKERS["name"]) -> str:
        """A case referred, accepted and enrolled with personal data on START."""
        self.clock.day = START
        referral = case.RegisterReferral
        case_id = self.cases.register_referral(
            self.user,
            lambda code: referral(
                code, self.team_id, Part.FK, "Remittent", MARKERS["reason"], START
            ),
        )
        participant = case.Participant(
            name, personnummer, MARKERS["phone"], MARKERS["email"], MARKERS["address"]
        )
        self.run(
            case_id,
            case.AcceptReferral(START),
            case.Enrol(
                RegistrationType.PERSONAL,
                Gender.WOMAN,
                START,
                self.insats_id,
                self.user.id,
                (Part.FK, Part.KOMMUN),
                MARKERS["consent_note"],
                participant,
                AgeGroup.AGE_45_59,
                EducationLevel.UPPER_SECONDARY,
                (SupportSource.SOCIAL_ASSISTANCE, SupportSource.SICKNESS_BENEFIT),
                TimeInSupport.FROM_3_TO_6,
                Occupation.NONE,
                # some tests enrol the same person twice, as a team may, with a reason
                duplicate_reason="Test: samma person i flera ärenden",
            ),
        )
        return case_id

    def whole(self) -> str:
        """A case through every phase: each personal text of its read models written once."""
        case_id = self.enrolled()
        self.run(case_id, *self._planning(), *self._meetings())
        self.clock.day = START + timedelta(days=100)
        self.run(case_id, *self._progress_and_closure(self.clock.day))
        self.clock.day = START + timedelta(days=200)
        self.run(case_id, *self._after_closure(START + timedelta(days=100)))
        return case_id

    def _planning(self) -> Iterator[case.Command]:
        texts = {name: MARKERS[name] for name in case.ASSESSMENT_TEXTS}
        yield case.RecordAssessment(**texts, recorded_on=START)
        activity = case.Activity(
            "activity-1", MARKERS["what"], Part.KOMMUN, self.user.id, START, START + timedelta(90)
        )
        m = MARKERS
        yield case.AgreePlan(
            case.Plan(
                m["goals_short"],
                m["goals_long"],
                m["participant_words"],
                m["staff_notes"],
                (activity,),
                (self.user.id,),
                True,
                START,
                START + timedelta(days=60),
            )
        )

    def _meetings(self) -> Iterator[case.Command]:
        def scheduled(meeting_id: str, on: date) -> case.ScheduleMeeting:
            return case.ScheduleMeeting(
                case.MeetingScheduled(
                    meeting_id,
                    datetime.combine(on, time(9)),
                    60,
                    MeetingMode.IN_PERSON,
                    MARKERS["place"],
                    (self.user.id,),
                    True,
                    MARKERS["others_invited"],
                    MARKERS["agenda"],
                )
            )

        held, moved = str(uuid.uuid4()), str(uuid.uuid4())
        yield scheduled(held, START)
        yield case.RecordMeeting(held, START, (Part.KOMMUN,), True, MARKERS["decisions"])
        yield scheduled(moved, START + timedelta(days=5))
        later = datetime.combine(START + timedelta(days=6), time(9))
        yield case.MoveMeeting(moved, later, MARKERS["moved_place"], MARKERS["move_reason"])
        yield case.CancelMeeting(moved, MARKERS["cancel_reason"])

    def _progress_and_closure(self, today: date) -> Iterator[case.Command]:
        yield case.RecordStep(today, 3, MARKERS["evidence"])
        yield case.RecordSelfAssessment(today, SelfAssessmentPhase.DURING, 3, MARKERS["note"])
        yield case.ChangeActivity(
            "activity-1", ActivityStatus.DROPPED, today, MARKERS["drop_reason"]
        )
        yield case.CloseCase(
            ClosureKind.COMPLETED,
            ClosureReason.WORK,
            Occupation.WORK_UNSUBSIDISED,
            (SupportSource.NONE,),
            MARKERS["next_step"],
            False,
            today,
        )

    def _after_closure(self, closed_on: date) -> Iterator[case.Command]:
        today = self.clock.day
        yield case.RecordFollowUp(
            3,
            today,
            Occupation.WORK_UNSUBSIDISED,
            (SupportSource.NONE,),
            MARKERS["obstacles"],
        )
        yield case.StartAfterSupport(closed_on, closed_on + timedelta(days=180))
        yield case.LogAfterSupportContact(today, MARKERS["contact_note"])


def services_on(database_url: str, data_dir: Path, clock: Clock | None = None) -> Services:
    """The services on a migrated database, the reminder clock left to the test."""
    settings = load_settings(
        {
            "SAMORDNA_DATA_DIR": str(data_dir),
            "SAMORDNA_DATABASE_URL": database_url,
            "SAMORDNA_SWEEP_SECONDS": "0",
        }
    )
    engine = db.connect(database_url)
    db.migrate(engine)
    return build_services(settings, engine, clock)


def journey_on(database_url: str, data_dir: Path) -> Journey:
    """The service on a migrated database, with a team, its samordnare and an insats."""
    clock = MovableClock(START)
    services = services_on(database_url, data_dir, clock)
    engine = services.engine
    accounts = Accounts(engine)
    team_id = accounts.create_team("Testteamet")
    user = accounts.create_user(
        team_id, "Samordnaren", "samordnare@test", Part.KOMMUN, Role.COORDINATOR, "losenord-123"
    )
    insats_id = Insatser(engine).add_insats(
        team_id, "Steget", InsatsType.REHABILITATION, date(2025, 1, 1), None
    )
    return Journey(services, clock, user, team_id, insats_id)


def stored_text(engine: sa.Engine) -> str:
    """Every row of every table, each as PostgreSQL writes a row as text."""
    with engine.connect() as conn:
        return "\n".join(
            text
            for table in sa.inspect(conn).get_table_names()
            for text in conn.exec_driver_sql(f'SELECT t::text FROM "{table}" t').scalars()
        )


def read_models(
    engine: sa.Engine, projections: tuple[Any, ...]
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the projections' tables in key order, without the sealed values (sealed
    afresh, with a new nonce, whenever they are written)."""
    found = {}
    with engine.connect() as conn:
        for projection in projections:
            for table in projection.tables:
                key = list(table.primary_key.columns) or list(table.columns)
                rows = conn.execute(sa.select(table).order_by(*key)).all()
                found[table.name] = [
                    tuple(value for value in row if not isinstance(value, bytes | memoryview))
                    for row in rows
                ]
    return found


class ReferralsComing:
    """The demo team's samordnare registering referral after referral in a thread of its
    own, for the tests of what goes on while the service is busy (a backup, a rebuild);
    with `change_insats`, every third step also moves an insats's end date as its page
    does."""

    def __init__(self, services: Services, today: date, change_insats: bool = False) -> None:
        self.services, self.today, self.change_insats = services, today, change_insats
        [self.team] = [t for t in services.accounts.teams() if t.name.startswith("Samordnings")]
        [self.coordinator] = [
            u
            for u in services.accounts.team_users(self.team.id)
            if u.email == "samordnare@demo.samordna"
        ]
        self.done: list[float] = []  # when each step was done (monotonic)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def __enter__(self) -> ReferralsComing:
        self._thread.start()
        while not self.done:
            sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.change_insats and len(self.done) % 3 == 2:
                self._move_an_insats_end()
            else:
                self.services.cases.register_referral(
                    self.coordinator,
                    lambda code: case.RegisterReferral(
                        code, self.team.id, Part.FK, "Remittenten", "Samordnat stöd", self.today
                    ),
                )
            self.done.append(monotonic())

    def _move_an_insats_end(self) -> None:
        insatser = self.services.insatser
        ended = [i for i in insatser.team_insatser(self.team.id) if i.active_to is not None]
        insats = ended[len(self.done) % len(ended)]
        assert insats.active_to is not None
        insatser.update_insats(
            insats.id,
            insats.version,
            insats.name,
            insats.insats_type,
            insats.active_from,
            insats.active_to + timedelta(days=7),
            insats.registration_kind,
        )
        self.services.reminders.refresh_insats(insats.id)
