"""Throughput of the event store on a SQLite file, against two baselines measured in this run.

- append_per_s: single-event appends through EventStore.append, one transaction each;
- limit_per_s:  the same rows committed one per transaction with the sqlite3 module directly,
                on the same schema and settings: what this machine's disk flushes allow;
- peer_per_s:   the `eventsourcing` library saving a one-event aggregate per transaction on
                its SQLite recorder;
- replay_per_s: events read from position zero and folded through a projection that writes
                one read-model row per event.

The rounds are interleaved and the median kept, so a slow moment of the machine hits all
three alike. The last line printed is one JSON object.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import events
from events.engine import SQLITE_PRAGMAS

APPENDS_PER_ROUND = 1000
ROUNDS = 9
REPLAY_EVENTS = 100_000
STREAMS = 100

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


def new_store(path: Path) -> events.EventStore:
    engine = events.create_engine(f"sqlite:///{path}")
    events.upgrade(engine)
    return events.EventStore(engine, event_types(), events.Keyring(events.generate_master_key()))


def per_second(count: int, run: Callable[[int], None], first: int) -> float:
    started = time.perf_counter()
    run(first)
    return count / (time.perf_counter() - started)


def store_round(store: events.EventStore, first: int) -> None:
    for i in range(first, first + APPENDS_PER_ROUND):
        stream, version = f"bench-{i % STREAMS}", i // STREAMS
        store.append(stream, version, [events.NewEvent("Measured", payload(i))])


def limit_round(db: sqlite3.Connection, first: int) -> None:
    insert = (
        "INSERT INTO events (position, stream_id, stream_version, event_id, type,"
        " schema_version, data, metadata, subject, personal, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, 1, ?, '{}', NULL, NULL, ?)"
    )
    for i in range(first, first + APPENDS_PER_ROUND):
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


def peer_round(app: Any, aggregate_type: type, first: int) -> None:
    save = app.save
    for i in range(first, first + APPENDS_PER_ROUND):
        save(aggregate_type(**payload(i)))


def peer(path: Path) -> tuple[Any, type]:
    os.environ["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
    os.environ["SQLITE_DBNAME"] = str(path)
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate

    class Measurement(Aggregate):
        def __init__(self, n: int, note: str, level: int) -> None:
            self.n, self.note, self.level = n, note, level

    return Application(), Measurement


def replay(folder: Path) -> float:
    store = new_store(folder / "replay.db")
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
    replayed = store.rebuild(projection)
    elapsed = time.perf_counter() - started
    assert replayed == REPLAY_EVENTS, replayed
    return replayed / elapsed


def main() -> None:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        folder = Path(tmp)
        store = new_store(folder / "store.db")
        new_store(folder / "limit.db").engine.dispose()
        limit_db = sqlite3.connect(folder / "limit.db", isolation_level=None)
        for pragma in SQLITE_PRAGMAS:
            limit_db.execute(pragma)
        peer_app, peer_aggregate = peer(folder / "peer.db")

        rounds: dict[str, Callable[[int], None]] = {
            "limit": partial(limit_round, limit_db),
            "store": partial(store_round, store),
            "peer": partial(peer_round, peer_app, peer_aggregate),
        }
        rates: dict[str, list[float]] = {name: [] for name in rounds}
        for round_number in range(ROUNDS):
            for name, run in rounds.items():
                rates[name].append(
                    per_second(APPENDS_PER_ROUND, run, round_number * APPENDS_PER_ROUND)
                )
            print(
                f"round {round_number + 1}: "
                + ", ".join(f"{name} {values[-1]:.0f}/s" for name, values in rates.items()),
                file=sys.stderr,
            )
        append_per_s = statistics.median(rates["store"])
        limit_per_s = statistics.median(rates["limit"])
        peer_per_s = statistics.median(rates["peer"])
        replay_per_s = replay(folder)

    print(
        json.dumps(
            {
                "append_per_s": round(append_per_s),
                "limit_per_s": round(limit_per_s),
                "peer_per_s": round(peer_per_s),
                "replay_per_s": round(replay_per_s),
                "ratio_vs_limit": round(append_per_s / limit_per_s, 3),
                "ratio_vs_peer": round(append_per_s / peer_per_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
