"""A throwaway PostgreSQL server for a benchmark, started as `.ci/run` starts one: Debian's
server binaries, a temporary folder, a Unix socket only, stopped and removed afterwards.

    with throwaway_postgres() as url:
        engine = events.create_engine(url)

`BENCH_POSTGRES_URL` names a server to use instead (its `postgres` database is used as it is).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _server_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit(
            "PostgreSQL saknas: installera Debians paket postgresql (som .ci/run gör)."
        )
    return Path(found[-1]).parent


def _as_server_user(command: list[str]) -> None:
    """Run a server command as `postgres` when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in command)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


@contextmanager
def throwaway_postgres(port: int = 54339) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty PostgreSQL server that lives for the block."""
    if given := os.environ.get("BENCH_POSTGRES_URL"):
        yield given
        return
    binaries = _server_binaries()
    folder = Path(tempfile.mkdtemp(prefix="samordna-bench-pg-", dir=os.environ.get("BENCH_DIR")))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    _as_server_user([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"])
    options = f"-k {folder} -p {port} -c listen_addresses='' -c max_connections=200"
    start = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w"]
    if os.geteuid() == 0:
        script = f"'{start[0]}' -D '{data}' -l '{folder / 'log'}' -w -o \"{options}\" start"
        subprocess.run(
            ["su", "postgres", "-s", "/bin/sh", "-c", script], check=True, stdout=subprocess.DEVNULL
        )
    else:
        subprocess.run([*start, "-o", options, "start"], check=True, stdout=subprocess.DEVNULL)
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={folder}&port={port}"
    finally:
        _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"])
        shutil.rmtree(folder, ignore_errors=True)
