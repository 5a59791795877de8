from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from litestar import Litestar

from tests.web.support import NOW, build_app


@pytest.fixture
def app(migrated_database_url: str, tmp_path: Path) -> Iterator[Litestar]:
    """The app on a database of its own, on each backend in turn (a copy of one migrated for
    the run: build_app's migration then finds nothing to do)."""
    yield from build_app(migrated_database_url, tmp_path)


@pytest.fixture(autouse=True)
def team_clock() -> Iterator[None]:
    """The same moment in the team's time zone for every web test, whatever the machine's
    clock and time zone; time still ticks from it."""
    with time_machine.travel(NOW, tick=True):
        yield
