"""`/healthz`: whether the service can do its work, for a container's health check and for
whoever runs it. Figures only: no personal data, no recipients.

Unhealthy (503) when the database does not answer, its migrations are behind the code's, or
the reminder clock has missed several sweeps. The outbox's backlog is reported, not judged:
a mail server that is down for a while is the outbox's reason to exist.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import MediaType, Response, get
from litestar.datastructures import State
from sqlalchemy.engine import Engine

from coordination.reminders import delivery
from coordination.reminders.schedule import ReminderClock
from coordination.shared import database as db

# A clock that has not swept for this many intervals has stalled.
STALLED_AFTER_SWEEPS = 3


def clock_health(schedule: ReminderClock) -> dict[str, Any]:
    if schedule.seconds <= 0:
        return {"ok": True, "running": False, "note": "off (SAMORDNA_SWEEP_SECONDS=0)"}
    now = schedule.clock.now()
    since = schedule.last_sweep or schedule.started_at
    waited = None if since is None else round((now - since).total_seconds())
    return {
        "ok": waited is not None and waited <= STALLED_AFTER_SWEEPS * schedule.seconds,
        "running": schedule.running,
        "interval_seconds": schedule.seconds,
        "last_sweep": schedule.last_sweep.isoformat() if schedule.last_sweep else None,
        "seconds_since_last_sweep": waited if schedule.last_sweep else None,
    }


def database_health(engine: Engine, schedule: ReminderClock) -> dict[str, Any]:
    """The database, its migrations and the outbox; an unreachable database is reported as
    such, with the reason's kind only (its message may name the server and user)."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        at, pending = db.migration_state(engine)
        undelivered, oldest_age = delivery.backlog(engine, schedule.clock.now())
    except sa.exc.SQLAlchemyError as error:
        return {"database": {"ok": False, "error": type(error).__name__}}
    return {
        "database": {"ok": True},
        "migrations": {"ok": not pending, "database": sorted(at), "pending": pending},
        "outbox": {"undelivered": undelivered, "oldest_undelivered_age_seconds": oldest_age},
    }


def health(engine: Engine, schedule: ReminderClock) -> dict[str, Any]:
    report = {**database_health(engine, schedule), "reminder_clock": clock_health(schedule)}
    healthy = all(part.get("ok", True) for part in report.values())
    return {"status": "ok" if healthy else "unhealthy", **report}


@get("/healthz", opt={"exclude_from_auth": True}, sync_to_thread=True, include_in_schema=False)
def healthz(state: State) -> Response[dict[str, Any]]:
    report = health(state.services.engine, state.reminder_clock)
    return Response(
        report,
        status_code=200 if report["status"] == "ok" else 503,
        media_type=MediaType.JSON,
        headers={"Cache-Control": "no-store"},
    )
