"""Accounts against the database: a login takes the same work whether the email exists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from unittest import mock

import pytest

from coordination.accounts import service
from coordination.accounts.service import Accounts, LoginRefused
from coordination.accounts.sign_on import Identity, Placement
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


def test_two_first_sign_ons_of_one_person_at_once_reach_one_account(
    postgres_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only PostgreSQL lets two sign-ons look for the account at once: on SQLite the writer
    # lock serialises them whole.
    engine = db.connect(postgres_database_url)
    db.migrate(engine)
    accounts = Accounts(engine)
    accounts.create_team("Teamet")
    identity = Identity(
        "https://idp.test",
        "subject-1",
        "ny@test",
        "Ny Person",
        Placement("Teamet", Part.KOMMUN, Role.CASEWORKER),
    )
    first_insert = Accounts._new_account

    def the_other_gets_there_first(self: Accounts, *args: object) -> object:
        # between this sign-on's look-up and its insert, the other one commits its account
        monkeypatch.setattr(Accounts, "_new_account", first_insert)
        other = Accounts(engine).signed_on(identity, "refuse", "")
        assert other.email == "ny@test"
        return first_insert(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Accounts, "_new_account", the_other_gets_there_first)
    user = accounts.signed_on(identity, "refuse", "")

    assert (user.email, user.role) == ("ny@test", Role.CASEWORKER)
    assert [a.user.id for a in accounts.team_accounts(user.team_id)] == [user.id]
    engine.dispose()
