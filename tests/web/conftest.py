from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar

from tests.web.support import build_app


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Litestar]:
    yield from build_app(database_url, tmp_path)
