"""Database fixtures: every store test runs on a SQLite file and on a real PostgreSQL server.

PostgreSQL tests use the server named by SAMORDNA_TEST_POSTGRES_URL (an admin URL such as
postgresql+psycopg://postgres@/postgres?host=/tmp/pg&port=54329) and get a fresh database each.
Without it they skip, except under CI, where a missing server is a failure.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy.engine import Engine, make_url

import events
from coordination.accounts import service as accounts_service
from coordination.shared import database as db

# Randomness in tests (sleep lengths, kill moments) comes from one seed, printed in the
# header: SAMORDNA_TEST_SEED=<seed> replays a run.
SEED = int(os.environ.get("SAMORDNA_TEST_SEED") or time.time_ns() % 1_000_000)


def pytest_report_header() -> str:
    return f"random seed: {SEED} (replay with SAMORDNA_TEST_SEED={SEED})"


@pytest.fixture(autouse=True)
def seeded_randomness(request: pytest.FixtureRequest) -> None:
    """Each test's random numbers follow from the run's seed and the test's name."""
    random.seed(f"{SEED}:{request.node.nodeid}")


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Passwords hashed in the tests' own process use argon2 at its lowest cost. The
    production parameters take about a tenth of a second a hash (more on a busy machine), and
    every web test creates its team of ten accounts and logs in: that alone was minutes of
    the run. The hashes are still argon2 hashes, checked the same way; services the tests
    start as processes of their own hash at the production cost."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_service, "_hasher", cheap)
        patch.setattr(accounts_service, "_DUMMY_HASH", cheap.hash(secrets.token_urlsafe(16)))
        yield


POSTGRES_URL_VARIABLE = "SAMORDNA_TEST_POSTGRES_URL"
HOW_TO_GET_POSTGRES = (
    f"{POSTGRES_URL_VARIABLE} is not set: start a PostgreSQL server and set it to an admin URL, "
    "e.g. postgresql+psycopg://postgres@/postgres?host=/tmp/pg&port=54329 (.ci/run shows how)"
)


def postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url and os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL tests: {HOW_TO_GET_POSTGRES}")
    return url


def fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    """A new database (a copy of `template` if given, else empty), dropped afterwards."""
    admin_url = postgres_admin_url()
    if not admin_url:
        pytest.skip(HOW_TO_GET_POSTGRES)
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        copied = f' TEMPLATE "{template}"' if template else ""
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"{copied}')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        yield from fresh_postgres_database()


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the service's newest revision, migrated once for the run."""
    path = tmp_path_factory.mktemp("migrated") / "store.db"
    engine = db.connect(f"sqlite:///{path}")
    db.migrate(engine)
    engine.dispose()
    assert not path.with_name("store.db-wal").exists(), "the copy would miss the log"
    return path


@pytest.fixture(scope="session")
def migrated_postgres_template() -> Iterator[str]:
    """The name of a PostgreSQL database at the service's newest revision, migrated once for
    the run; tests get copies of it (CREATE DATABASE … TEMPLATE), never it."""
    for url in fresh_postgres_database():
        engine = db.connect(url)
        db.migrate(engine)
        engine.dispose()  # no connection may stay on a template while it is copied
        database = make_url(url).database
        assert database
        yield database


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a database of its own at the service's newest revision, on each backend in
    turn: the same as migrating an empty one, without running the migrations every time."""
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_file"), path)
        yield f"sqlite:///{path}"
    else:
        template = request.getfixturevalue("migrated_postgres_template")
        yield from fresh_postgres_database(template)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = events.create_engine(database_url, pool_size=25, max_overflow=5)
    events.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def master_key() -> str:
    return events.generate_master_key()


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A URL of an empty PostgreSQL database, for what only PostgreSQL can show."""
    yield from fresh_postgres_database()


# The browser tests (tests/browser, tests/oidc) drive Debian's Chromium, looked for at
# SAMORDNA_TEST_CHROMIUM or /usr/bin/chromium (`apt install chromium`). Without it they skip,
# except under CI, where a missing browser is a failure.
CHROMIUM = os.environ.get("SAMORDNA_TEST_CHROMIUM", "/usr/bin/chromium")
# As root in a container, and on a closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole run: Playwright's synchronous API runs one at a time."""
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: apt install chromium, or set SAMORDNA_TEST_CHROMIUM"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
