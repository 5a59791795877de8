"""Every read model rebuilt beside the live one while referrals keep coming and insatser
change their end dates: the forms are not held for the length of the rebuild, and the result
equals a rebuild with everything stopped."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from time import monotonic
from typing import Any

import pytest
import sqlalchemy as sa

from coordination import demo
from events.rebuilding import RebuildRunning
from tests.integration.participant_journey import ReferralsComing, read_models, services_on

TODAY = date(2026, 11, 17)


def test_forms_go_on_during_a_rebuild_and_the_result_is_whole(
    database_url: str, tmp_path: Path
) -> None:
    services = services_on(database_url, tmp_path)
    demo.seed(services.engine, services.cases, TODAY, years=1)
    store = services.cases.store
    projections = store.inline_projections
    windows = []
    with ReferralsComing(services, TODAY, change_insats=True) as coming:
        for projection in projections:
            began = monotonic()
            store.rebuild(projection)
            windows.append((began, monotonic()))
    # Rebuilt in place, every write would wait for the whole rebuild of each read model: at
    # most the one waiting would finish inside it.
    during = [sum(began < t < ended for t in coming.done) for began, ended in windows]
    assert max(during) >= 3, (during, windows)

    beside = read_models(services.engine, projections)
    for projection in projections:
        store.rebuild_in_place(projection)  # everything stopped: the reference
    assert read_models(services.engine, projections) == beside
    services.engine.dispose()


def schema_of(engine: sa.Engine, tables: list[str]) -> dict[str, Any]:
    """The tables' columns, indexes, keys and constraints as the database has them."""
    seen = sa.inspect(engine)
    return {
        name: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in seen.get_columns(name)],
            sorted((i["name"], tuple(i["column_names"])) for i in seen.get_indexes(name)),
            seen.get_pk_constraint(name),
            sorted(str(u["name"]) for u in seen.get_unique_constraints(name)),
        )
        for name in tables
    }


def test_one_rebuild_of_a_read_model_at_a_time(postgres_database_url: str, tmp_path: Path) -> None:
    """On PostgreSQL, where the new tables take the live ones' place: a second rebuild of
    the same read model is refused while one runs, and the tables keep the migrations' names
    for their indexes and keys."""
    services = services_on(postgres_database_url, tmp_path)
    store = services.cases.store
    [projection, *_] = store.inline_projections
    names = [t.name for p in store.inline_projections for t in p.tables]
    migrated = schema_of(services.engine, names)
    with services.engine.connect() as holder:  # another rebuild's lock
        holder.exec_driver_sql(f"SELECT pg_advisory_lock(hashtext('rebuild_{projection.name}'))")
        with pytest.raises(RebuildRunning):
            store.rebuild(projection)
        holder.exec_driver_sql("SELECT pg_advisory_unlock_all()")
    for each in store.inline_projections:  # once it is done
        store.rebuild(each)
    assert schema_of(services.engine, names) == migrated
    services.engine.dispose()
