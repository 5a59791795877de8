"""The migrations build exactly the tables the code declares, on both backends, and convert
the rows that are there."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

import events
from coordination.app import build_services
from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.cases.contract import event_types
from coordination.cases.queries import CaseQueries
from coordination.cases.tables import case_follow_ups, case_meetings, case_people, cases
from coordination.config import load_settings
from coordination.reminders.tables import outbox
from coordination.shared import database as db
from coordination.shared.access import User
from coordination.shared.database import metadata
from coordination.shared.vocabulary import (
    AgeGroup,
    EducationLevel,
    Gender,
    Occupation,
    Part,
    RegistrationType,
    Role,
    SupportSource,
    TimeInSupport,
)
from events.migrate import alembic_config
from tests.integration.participant_journey import stored_text
from tests.serving import COMMAND


def test_three_instances_starting_at_once_migrate_an_empty_database_once(
    database_url: str, tmp_path: Path
) -> None:
    """Replicas start together: each takes the migration lock, one migrates, the others
    find nothing to do; and they share the one set of secrets the first of them made."""
    env = {
        **os.environ,
        "SAMORDNA_DATA_DIR": str(tmp_path),
        "SAMORDNA_DATABASE_URL": database_url,
    }
    starting = [
        subprocess.Popen(
            [*COMMAND, "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(3)
    ]
    said = [process.communicate(timeout=300)[0].decode() for process in starting]
    assert [process.returncode for process in starting] == [0, 0, 0], said
    assert all("Databasen är migrerad." in output for output in said), said
    engine = db.connect(database_url)
    assert db.migration_state(engine)[1] == []
    engine.dispose()
    assert [p.name for p in tmp_path.iterdir() if "secrets" in p.name] == ["secrets.json"]


def test_the_migrated_schema_matches_the_declared_tables(database_url: str) -> None:
    engine = db.connect(database_url)
    db.migrate(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    # Tables of the kernel and of alembic itself are not declared in this metadata.
    ours = [d for d in differences if _table_of(d) in metadata.tables]
    assert ours == []


def _table_of(difference: Any) -> str:
    if isinstance(difference, list):  # column modifications come as a list of changes
        return str(difference[0][2])
    kind, item = difference[0], difference[1]
    if kind.endswith("_table"):
        return str(item.name)
    if kind.endswith("_column"):
        return str(difference[2])
    return str(item.table.name)


def test_comma_joined_lists_become_json_arrays_and_back(database_url: str) -> None:
    engine = db.connect(database_url)
    _migrate(engine, "service_0005")
    with engine.begin() as conn:
        for case_id, sources, parts, at_closure in (
            ("c1", "social_assistance,none", "FK,KOMMUN", "none"),
            ("c2", "", "", None),
        ):
            _insert(
                conn,
                "cases",
                case_id=case_id,
                case_code=f"K-{case_id}",
                team_id="t1",
                stage="enrolled",
                version=1,
                from_part="FK",
                from_caseworker="Remittent",
                referral_date=date(2026, 11, 2),
                support_sources=sources,
                consent_parts=parts,
                consent_withdrawn=False,
                last_event_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
                support_at_closure=at_closure,
            )
        _insert(
            conn,
            "case_meetings",
            meeting_id="m1",
            case_id="c1",
            team_id="t1",
            starts_at=datetime(2026, 11, 20, 9),
            minutes=60,
            mode="video",
            place="",
            invitee_ids="u1,u2",
            participant_invited=True,
            others_invited="",
            agenda="",
            status="scheduled",
            note="",
            attended_parts="",
            decisions="",
        )
        _insert(
            conn,
            "case_follow_ups",
            position=7,
            case_id="c1",
            months=3,
            recorded_on=date(2027, 2, 2),
            occupation="work",
            support_sources="none",
            in_work_or_studies=True,
            obstacles="",
        )

    _migrate(engine, "service_0006")  # later revisions empty the case read models
    with engine.connect() as conn:
        case_lists = conn.execute(
            sa.select(
                cases.c.case_id,
                cases.c.support_sources,
                cases.c.consent_parts,
                cases.c.support_at_closure,
            ).order_by(cases.c.case_id)
        ).all()
        meeting = conn.execute(
            sa.select(case_meetings.c.invitee_ids, case_meetings.c.attended_parts)
        ).one()
        follow_up = conn.execute(sa.select(case_follow_ups.c.support_sources)).scalar_one()
    assert [tuple(row) for row in case_lists] == [
        ("c1", ["social_assistance", "none"], ["FK", "KOMMUN"], ["none"]),
        ("c2", [], [], None),
    ]
    assert tuple(meeting) == (["u1", "u2"], [])
    assert follow_up == ["none"]

    _migrate(engine, "service_0005", down=True)
    with engine.connect() as conn:
        joined = conn.execute(
            sa.text(
                "SELECT support_sources, consent_parts, support_at_closure FROM cases "
                "ORDER BY case_id"
            )
        ).all()
        invitees = conn.execute(sa.text("SELECT invitee_ids FROM case_meetings")).scalar_one()
    engine.dispose()
    assert [tuple(row) for row in joined] == [
        ("social_assistance,none", "FK,KOMMUN", "none"),
        ("", "", None),
    ]
    assert invitees == "u1,u2"


def _migrate(engine: Engine, revision: str, down: bool = False) -> None:
    config = alembic_config(engine, [db.SERVICE_VERSIONS])
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)
        conn.commit()


def _insert(conn: sa.Connection, table: str, **values: Any) -> None:
    conn.execute(sa.table(table, *(sa.column(name) for name in values)).insert().values(values))


def test_outbox_rows_get_their_recipients_team(database_url: str) -> None:
    engine = db.connect(database_url)
    _migrate(engine, "service_0006")
    sent = datetime(2026, 11, 2, 9, tzinfo=UTC)
    with engine.begin() as conn:
        for team in ("t1", "t2"):
            _insert(conn, "teams", id=team, name=f"Team {team}")
            _insert(
                conn,
                "users",
                id=f"u-{team}",
                team_id=team,
                name="Namn",
                email=f"{team}@test",
                part="AF",
                role="coordinator",
                password_hash="x",
                active=True,
            )
            _insert(
                conn,
                "outbox",
                dedupe_key=f"digest:u-{team}:2026-V45",
                kind="digest",
                recipient_id=f"u-{team}",
                to_address=f"{team}@test",
                subject="Veckans påminnelser",
                body="",
                created_at=sent,
                attempts=0,
                last_error="",
                next_attempt_at=sent,
            )

    db.migrate(engine)
    with engine.connect() as conn:
        teams = conn.execute(
            sa.select(outbox.c.recipient_id, outbox.c.team_id).order_by(outbox.c.recipient_id)
        ).all()
    assert [tuple(row) for row in teams] == [("u-t1", "t1"), ("u-t2", "t2")]

    _migrate(engine, "service_0006", down=True)
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("outbox")}
    engine.dispose()
    assert "team_id" not in columns and "recipient_id" in columns


def test_read_models_kept_in_plaintext_are_rebuilt_sealed(
    database_url: str, tmp_path: Path
) -> None:
    """A database from before sealing: events, and read models in plaintext. The migration
    empties the read models; the service rebuilds them from the events, sealed, on start."""
    engine = db.connect(database_url)
    _migrate(engine, "service_0006")
    settings = load_settings(
        {"SAMORDNA_DATA_DIR": str(tmp_path), "SAMORDNA_DATABASE_URL": database_url}
    )
    store = events.EventStore(engine, event_types(), events.Keyring(settings.master_key))
    store.append(
        case_events.case_stream("c1"),
        0,
        [case_events.new_event(e, case_events.participant_subject("c1"), {}) for e in _enrolled()],
    )
    with engine.begin() as conn:  # what the case projection wrote before
        _insert(conn, "case_people", case_id="c1", name=NAME, personnummer="19800101-0019")
        _insert(conn, "projection_checkpoints", name="case_views", position=3)

    db.migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(case_people)).scalar() == 0
    assert NAME.encode() not in _stored(engine)

    cases = build_services(settings, engine).cases
    reader = User("u1", "t1", "Läsare", "lasare@test", Part.FK, Role.COORDINATOR)
    assert (cases.people(cases.open(reader, "c1", "test")) or {})["name"] == NAME
    assert CaseQueries(cases.store.engine, cases.store.keyring).cases_with_personnummer(
        "800101-0019"
    ) == ["c1"]
    assert cases.case("c1") is not None
    assert NAME.encode() not in _stored(engine)

    # and back: the older code rebuilds its plaintext read models from the events
    _migrate(engine, "service_0006", down=True)
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("case_people")}
        assert conn.execute(sa.text("SELECT count(*) FROM cases")).scalar() == 0
    assert "personnummer_index" not in columns
    engine.dispose()


NAME = "Gammal Klartext-Deltagare"


def _enrolled() -> list[case.Event]:
    day = date(2026, 11, 2)
    commands: list[case.Command] = [
        case.RegisterReferral("K-OLD01", "t1", Part.FK, "Remittent", "Skäl", day),
        case.AcceptReferral(day),
        case.Enrol(
            RegistrationType.PERSONAL,
            Gender.WOMAN,
            day,
            "insats",
            "u1",
            (Part.FK,),
            "",
            case.Participant(NAME, "19800101-0019"),
            AgeGroup.AGE_30_44,
            EducationLevel.UNKNOWN,
            (SupportSource.NONE,),
            TimeInSupport.FROM_1_TO_3,
            Occupation.JOBSEEKER,
        ),
    ]
    facts: list[case.Event] = []
    for asked in commands:
        facts.extend(case.decide(asked, case.fold(facts), day))
    return facts


def _stored(engine: Engine) -> bytes:
    """The SQLite file with its write-ahead log; every row as text on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        path = Path(str(engine.url.database))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    return stored_text(engine).encode()
