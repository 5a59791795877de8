"""Accounts against the database: a login takes the same work whether the email exists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from unittest import mock

import pytest

from coordination.accounts import service
from coordination.accounts.service import Accounts, LoginRefused
from coordination.shared import database as db
from coordination.shared.vocabulary import Part, Role

NOW = datetime(2026, 11, 17, 9, tzinfo=UTC)
PASSWORD = "ett-langt-losenord"


@pytest.fixture
def accounts(database_url: str) -> Iterator[Accounts]:
    engine = db.connect(database_url)
    db.migrate(engine)
    accounts = Accounts(engine)
    team = accounts.create_team("Teamet")
    accounts.create_user(team, "Känd", "kand@test", Part.AF, Role.CASEWORKER, PASSWORD)
    yield accounts
    engine.dispose()


def test_an_unknown_email_is_checked_against_a_dummy_hash(accounts: Accounts) -> None:
    with mock.patch.object(service, "_hasher", wraps=service._hasher) as hasher:
        for email in ("okand@test", "kand@test"):
            with pytest.raises(LoginRefused, match="Fel e-postadress eller lösenord"):
                accounts.log_in(email, "fel-losenord", NOW, "10.0.0.1")
        assert hasher.verify.call_count == 2
        unknown, known = hasher.verify.call_args_list
        assert unknown.args == (service._DUMMY_HASH, "fel-losenord")
        assert known.args[0] != service._DUMMY_HASH
        assert accounts.log_in("kand@test", PASSWORD, NOW, "10.0.0.1").email == "kand@test"
