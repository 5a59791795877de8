"""Throughput of the event store on a SQLite file and on PostgreSQL, each against two
baselines measured in the same run.

- append_per_s: single-event appends through EventStore.append, one transaction each;
- limit_per_s:  the same rows committed one per transaction with the driver directly, on the
                same schema: on SQLite with the sqlite3 module and the store's pragmas (what
                this machine's disk flushes allow), on PostgreSQL with psycopg (a round trip
                for BEGIN, one for the INSERT, one for the COMMIT and its WAL flush);
- peer_per_s:   the `eventsourcing` library saving a one-event aggregate per transaction on
                its SQLite recorder, and on its PostgreSQL recorder;
- replay_per_s: events read from position zero and folded through a projection that writes
                one read-model row per event.

The rounds are interleaved and the median kept, so a slow moment of the machine hits all
three alike; each round's rates, and the median of the rounds' ratios, go to stderr. On
PostgreSQL a throwaway server is started (bench/postgres.py; or the server that
BENCH_POSTGRES_URL names) and each contender gets a database of its own, dropped afterwards.
The last line printed is one JSON object: the SQLite figures, and the PostgreSQL ones under
"postgresql".

    uv run python -m bench.eventstore [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection

import events
from bench.postgres import throwaway_postgres
from events.engine import SQLITE_PRAGMAS

APPENDS_PER_ROUND = 1000
ROUNDS = 9
# Every PostgreSQL commit waits for its WAL flush, several times slower than SQLite's on a
# virtual disk, and varies more: more and shorter rounds keep the run short and the median
# steady.
POSTGRES_APPENDS_PER_ROUND = 500
POSTGRES_ROUNDS = 21
POSTGRES_PORT = 54341
REPLAY_EVENTS = 100_000
STREAMS = 100

# A contender appends `count` events numbered from `first`.
Contender = Callable[[int, int], None]

read_model = sa.MetaData()
measurements = sa.Table(
    "bench_measurements",
    read_model,
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("stream_id", sa.String(200), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
)


class MeasurementsProjection:
    name = "bench_measurements"
    tables = (measurements,)

    def apply(self, conn: Connection, batch: Sequence[events.RecordedEvent]) -> None:
        conn.execute(
            measurements.insert(),
            [{"position": e.position, "stream_id": e.stream_id, "n": e.data["n"]} for e in batch],
        )


def payload(n: int) -> dict[str, object]:
    return {"n": n, "note": "mätvärde", "level": n % 7}


def event_types() -> events.EventTypes:
    types = events.EventTypes()
    types.register("Measured")
    return types


def new_store(url: str) -> events.EventStore:
    engine = events.create_engine(url)
    events.upgrade(engine)
    return events.EventStore(engine, event_types(), events.Keyring(events.generate_master_key()))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def interleaved(
    label: str, contenders: Mapping[str, Contender], count: int, rounds: int
) -> dict[str, float]:
    """Each contender's median rate over `rounds` rounds of `count` appends, the contenders
    taking turns within each round."""
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    for round_number in range(rounds):
        for name, run in contenders.items():
            started = time.perf_counter()
            run(round_number * count, count)
            rates[name].append(count / (time.perf_counter() - started))
        print(
            f"{label} round {round_number + 1}: "
            + ", ".join(f"{name} {values[-1]:.0f}/s" for name, values in rates.items()),
            file=sys.stderr,
        )
    # The same ratios round by round: a steadier view when the machine's pace drifts.
    paired = {
        f"store/{name}": statistics.median(
            [store / other for store, other in zip(rates["store"], values, strict=True)]
        )
        for name, values in rates.items()
        if name != "store"
    }
    print(
        f"{label} median of the rounds' ratios: "
        + ", ".join(f"{name} {ratio:.3f}" for name, ratio in paired.items()),
        file=sys.stderr,
    )
    return {name: statistics.median(values) for name, values in rates.items()}


def store_round(store: events.EventStore, first: int, count: int) -> None:
    for i in range(first, first + count):
        stream, version = f"bench-{i % STREAMS}", i // STREAMS
        store.append(stream, version, [events.NewEvent("Measured", payload(i))])


def limit_round(db: sqlite3.Connection, first: int, count: int) -> None:
    insert = (
        "INSERT INTO events (position, stream_id, stream_version, event_id, type,"
        " schema_version, data, metadata, subject, personal, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, 1, ?, '{}', NULL, NULL, ?)"
    )
    for i in range(first, first + count):
        recorded_at = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            insert,
            (
                i + 1,
                f"bench-{i % STREAMS}",
                i // STREAMS + 1,
                uuid.uuid4().hex,
                "Measured",
                json.dumps(payload(i)),
                recorded_at,
            ),
        )
        db.execute("COMMIT")


def postgres_limit_round(db: psycopg.Connection[Any], first: int, count: int) -> None:
    """The store's row, by psycopg in its default mode: the INSERT begins a transaction (a
    BEGIN goes first), the commit ends it. event_id is a uuid column, recorded_at a
    timestamptz, as the store writes them."""
    insert = (
        "INSERT INTO events (position, stream_id, stream_version, event_id, type,"
        " schema_version, data, metadata, subject, personal, recorded_at)"
        " VALUES (%s, %s, %s, %s, %s, 1, %s, '{}', NULL, NULL, %s)"
    )
    cursor = db.cursor()
    for i in range(first, first + count):
        cursor.execute(
            insert,
            (
                i + 1,
                f"bench-{i % STREAMS}",
                i // STREAMS + 1,
                uuid.uuid4(),
                "Measured",
                json.dumps(payload(i)),
                datetime.now(UTC),
            ),
        )
        db.commit()
    cursor.close()


def peer_round(app: Any, aggregate_type: type, first: int, count: int) -> None:
    save = app.save
    for i in range(first, first + count):
        save(aggregate_type(**payload(i)))


@cache
def measurement_aggregate() -> type:
    """The peer's one-event aggregate, made once: the library registers each class by its
    topic and refuses a second class under the same one."""
    from eventsourcing.domain import Aggregate

    class Measurement(Aggregate):
        def __init__(self, n: int, note: str, level: int) -> None:
            self.n, self.note, self.level = n, note, level

    return Measurement


def peer(env: Mapping[str, str]) -> tuple[Any, type]:
    """An eventsourcing Application configured by `env` (over os.environ, which is left
    alone, so the SQLite and the PostgreSQL peer do not see each other's settings)."""
    from eventsourcing.application import Application

    return Application(env=dict(env)), measurement_aggregate()


def replay(store: events.EventStore) -> float:
    """Events per second folded by `store.rebuild`, after appending REPLAY_EVENTS to a store
    that holds none."""
    with store.engine.begin() as conn:
        read_model.create_all(conn)
    for first in range(0, REPLAY_EVENTS, 1000):
        store.append(
            f"replay-{first}",
            0,
            [events.NewEvent("Measured", payload(i)) for i in range(first, first + 1000)],
        )
    projection = MeasurementsProjection()
    started = time.perf_counter()
    replayed = store.rebuild_in_place(projection)  # the replay alone, no copy or swap
    elapsed = time.perf_counter() - started
    assert replayed == REPLAY_EVENTS, replayed
    return replayed / elapsed


def figures(rates: Mapping[str, float], replay_per_s: float) -> dict[str, float]:
    append_per_s, limit_per_s, peer_per_s = rates["store"], rates["limit"], rates["peer"]
    return {
        "append_per_s": round(append_per_s),
        "limit_per_s": round(limit_per_s),
        "peer_per_s": round(peer_per_s),
        "replay_per_s": round(replay_per_s),
        "ratio_vs_limit": round(append_per_s / limit_per_s, 3),
        "ratio_vs_peer": round(append_per_s / peer_per_s, 3),
    }


def sqlite_part(folder: Path) -> dict[str, float]:
    store = new_store(sqlite_url(folder / "store.db"))
    new_store(sqlite_url(folder / "limit.db")).engine.dispose()
    limit_db = sqlite3.connect(folder / "limit.db", isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        limit_db.execute(pragma)
    peer_app, peer_aggregate = peer(
        {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(folder / "peer.db")}
    )
    replay_store = new_store(sqlite_url(folder / "replay.db"))
    try:
        rates = interleaved(
            "sqlite",
            {
                "limit": partial(limit_round, limit_db),
                "store": partial(store_round, store),
                "peer": partial(peer_round, peer_app, peer_aggregate),
            },
            APPENDS_PER_ROUND,
            ROUNDS,
        )
        replay_per_s = replay(replay_store)
    finally:
        peer_app.close()
        limit_db.close()
        store.engine.dispose()
        replay_store.engine.dispose()
    return figures(rates, replay_per_s)


def driver_params(url: sa.URL) -> dict[str, Any]:
    """psycopg.connect's arguments for `url`, as SQLAlchemy's dialect derives them (host,
    port, user, password, database and any query options), without its adapters."""
    url = url.set(drivername="postgresql+psycopg")
    _, params = sa.create_engine(url).dialect.create_connect_args(url)
    return {key: value for key, value in params.items() if key != "context"}


@contextmanager
def databases(url: str, names: Sequence[str]) -> Iterator[dict[str, sa.URL]]:
    """A new database per name on the server of `url`, dropped when the block ends."""
    server = sa.make_url(url)
    token = uuid.uuid4().hex[:8]
    made = {name: server.set(database=f"bench_eventstore_{token}_{name}") for name in names}
    with psycopg.connect(**driver_params(server), autocommit=True) as admin:
        for database in made.values():
            admin.execute(f'CREATE DATABASE "{database.database}"')
        try:
            yield made
        finally:
            for database in made.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{database.database}" WITH (FORCE)')


def postgres_peer_env(database: sa.URL) -> dict[str, str]:
    """The eventsourcing library's settings for its PostgreSQL recorder on `database`."""
    params = driver_params(database)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params["dbname"]),
        # A Unix socket's folder works as a host, as with libpq.
        "POSTGRES_HOST": str(params.get("host", "")),
        "POSTGRES_PORT": str(params.get("port", 5432)),
        "POSTGRES_USER": str(params.get("user", "postgres")),
        # Required to be set; the throwaway server trusts its local socket.
        "POSTGRES_PASSWORD": str(params.get("password", "")),
    }


def postgresql_part() -> dict[str, float]:
    with (
        throwaway_postgres(port=POSTGRES_PORT) as url,
        databases(url, ["store", "limit", "peer", "replay"]) as made,
    ):
        as_url = {
            name: database.render_as_string(hide_password=False) for name, database in made.items()
        }
        store = new_store(as_url["store"])
        new_store(as_url["limit"]).engine.dispose()
        limit_db = psycopg.connect(**driver_params(made["limit"]))
        peer_app, peer_aggregate = peer(postgres_peer_env(made["peer"]))
        replay_store = new_store(as_url["replay"])
        try:
            rates = interleaved(
                "postgresql",
                {
                    "limit": partial(postgres_limit_round, limit_db),
                    "store": partial(store_round, store),
                    "peer": partial(peer_round, peer_app, peer_aggregate),
                },
                POSTGRES_APPENDS_PER_ROUND,
                POSTGRES_ROUNDS,
            )
            replay_per_s = replay(replay_store)
        finally:
            peer_app.close()
            limit_db.close()
            store.engine.dispose()
            replay_store.engine.dispose()
    return figures(rates, replay_per_s)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Appends and replay of the event store against the driver and a peer."
    )
    parser.add_argument(
        "--only", choices=["sqlite", "postgresql"], help="run one part (default: both)"
    )
    args = parser.parse_args(argv)
    result: dict[str, Any] = {}
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
            result.update(sqlite_part(Path(tmp)))
    if args.only != "sqlite":
        result["postgresql"] = postgresql_part()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
