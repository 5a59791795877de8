"""Seeding a large team through the bulk path, alone: on a SQLite file and on PostgreSQL.

The team of `load.py`, seeded as it seeds it (`coordination demo --cases`: about 40 events
a case, every command decided by the real decider, appended with `EventStore.append_many` and
the inline read models, 250 cases per transaction), each run on a database of its own: a SQLite
file in a temporary folder, a new database on a throwaway PostgreSQL server
(`bench/postgres.py`, or the server `BENCH_POSTGRES_URL` names). With `--runs N` the two
backends take turns, run by run, so both see the same moments of a shared machine. The last
line is one JSON object: per backend the seconds of every run, their median and the events
per second.

    uv run python -m bench.seed [--cases 5000] [--runs 1] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.eventstore import databases
from bench.load import prepare
from bench.postgres import throwaway_postgres

BACKENDS = ("sqlite", "postgresql")


@contextmanager
def fresh_databases(backends: tuple[str, ...], runs: int) -> Iterator[Callable[[str, int], str]]:
    """A function giving, per backend and run, the URL of an empty database."""
    with tempfile.TemporaryDirectory(prefix="samordna-bench-seed-") as folder:
        if "postgresql" not in backends:
            yield lambda _, run: f"sqlite:///{Path(folder) / f'seed-{run}.db'}"
            return
        names = [f"seed{run}" for run in range(runs)]
        with throwaway_postgres(port=54344) as server, databases(server, names) as made:

            def url(backend: str, run: int) -> str:
                if backend == "sqlite":
                    return f"sqlite:///{Path(folder) / f'seed-{run}.db'}"
                return made[f"seed{run}"].render_as_string(hide_password=False)

            yield url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", choices=BACKENDS)
    args = parser.parse_args()
    backends = (args.only,) if args.only else BACKENDS
    seconds: dict[str, list[float]] = {backend: [] for backend in backends}
    events = 0
    with fresh_databases(backends, args.runs) as url:
        for run in range(args.runs):
            for backend in backends:
                with tempfile.TemporaryDirectory() as data_dir:
                    seeded = prepare(url(backend, run), Path(data_dir), args.cases, {})
                events, took = seeded["events"], seeded["seconds"]
                seconds[backend].append(round(took, 1))
                print(f"{backend} run {run + 1}: {events} events in {took:.1f} s", flush=True)
    result: dict[str, Any] = {"cases": args.cases, "events": events}
    for backend, runs in seconds.items():
        median = statistics.median(runs)
        result[backend] = {
            "seconds": runs,
            "median_s": round(median, 1),
            "events_per_s": round(events / median),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
