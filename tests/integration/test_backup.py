"""`coordination backup` while referrals keep coming, and `coordination restore` into a new
database: every event up to the backup's moment is there as it was, the read models rebuild
equal to those in the backup, and the same reminders are due."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import events
from coordination import demo
from coordination.reminders.tables import due_reminders
from coordination.shared import database as db
from events.schema import events_table
from tests.conftest import fresh_postgres_database
from tests.integration.participant_journey import ReferralsComing, read_models, services_on
from tests.serving import COMMAND

TODAY = date(2026, 11, 17)


def empty_database(database_url: str, tmp_path: Path, name: str) -> Iterator[str]:
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / name}.db"
    else:
        yield from fresh_postgres_database()


@pytest.fixture
def other_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database on the same backend, to restore into."""
    yield from empty_database(database_url, tmp_path, "aterstalld")


@pytest.fixture
def third_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    yield from empty_database(database_url, tmp_path, "som-kopierad")


def run(
    verb: str, file: Path, database_url: str, data_dir: Path
) -> subprocess.CompletedProcess[str]:
    """`coordination backup|restore FILE` on `database_url`, with the installation's secrets
    in `data_dir`."""
    env = {**os.environ, "SAMORDNA_DATA_DIR": str(data_dir), "SAMORDNA_DATABASE_URL": database_url}
    return subprocess.run(
        [*COMMAND, verb, str(file)], env=env, capture_output=True, text=True, timeout=300
    )


def command(verb: str, file: Path, database_url: str, data_dir: Path) -> str:
    """The command run, and what it printed; it must succeed."""
    done = run(verb, file, database_url, data_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def stored_events(engine: sa.Engine, up_to: int) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                sa.select(events_table).where(events_table.c.position <= up_to).order_by("position")
            )
        ]


def due(engine: sa.Engine, case_ids: set[str] | None = None) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(due_reminders).order_by("case_id", "key")).all()
    return [tuple(r) for r in rows if case_ids is None or r.case_id in case_ids]


def head(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.max(events_table.c.position))).scalar_one())


def test_a_backup_taken_while_writes_go_on_restores_whole(
    database_url: str, other_database: str, third_database: str, tmp_path: Path
) -> None:
    services = services_on(database_url, tmp_path)
    demo.seed(services.engine, services.cases, TODAY, years=1)
    before = head(services.engine)
    with ReferralsComing(services, TODAY):
        said = command("backup", tmp_path / "kopia.backup", database_url, tmp_path)
    assert "Huvudnyckeln" in said and "ingår inte" in said  # kept apart, and said so
    after = head(services.engine)

    said = command("restore", tmp_path / "kopia.backup", other_database, tmp_path)
    restored = db.connect(other_database)
    taken = head(restored)
    assert f"{taken} händelser" in said
    assert before < taken < after, (before, taken, after)  # writes went on meanwhile
    # every event up to the backup's moment, as it was stored (sealed fields and all)
    assert stored_events(restored, taken) == stored_events(services.engine, taken)

    # the restore rebuilt the read models; the backup's own copies are the same
    projections = services.cases.store.inline_projections
    as_copied = db.connect(third_database)
    events.restore(tmp_path / "kopia.backup", as_copied)
    assert read_models(restored, projections) == read_models(as_copied, projections)

    with restored.connect() as conn:
        case_ids = set(conn.execute(sa.text("SELECT case_id FROM cases")).scalars())
    assert due(restored) == due(services.engine, case_ids) != []

    # a backup never overwrites, and a restore goes only into an empty database
    again = run("restore", tmp_path / "kopia.backup", other_database, tmp_path)
    assert again.returncode != 0 and "inte tom" in again.stderr
    over = run("backup", tmp_path / "kopia.backup", database_url, tmp_path)
    assert over.returncode != 0 and "finns redan" in over.stderr
    assert (tmp_path / "kopia.backup").stat().st_mode & 0o077 == 0  # for its owner alone
    for engine in (restored, as_copied, services.engine):
        engine.dispose()
