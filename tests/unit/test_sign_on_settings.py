"""Sign-on's configuration, its groups mapping and the signed attempt cookie: no provider."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coordination.accounts.sign_on import Attempt, Placement, placement, seal, unseal
from coordination.config import ConfigurationError, GroupGrant, SignOnSettings, load_settings
from coordination.shared.vocabulary import Part, Role

ISSUER = {"SAMORDNA_OIDC_ISSUER": "https://login.example.se/realms/kommun/"}


def settings(tmp_path: Path, **environment: str) -> SignOnSettings | None:
    return load_settings({"SAMORDNA_DATA_DIR": str(tmp_path), **environment}).sign_on


def test_sign_on_is_off_without_an_issuer_and_needs_a_client_with_one(tmp_path: Path) -> None:
    assert settings(tmp_path) is None
    with pytest.raises(ConfigurationError, match="SAMORDNA_OIDC_CLIENT_ID"):
        settings(tmp_path, **ISSUER)
    found = settings(tmp_path, **ISSUER, SAMORDNA_OIDC_CLIENT_ID="samordna")
    assert found is not None and found.issuer == ISSUER["SAMORDNA_OIDC_ISSUER"].rstrip("/")


def test_the_pending_policy_needs_a_team(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SAMORDNA_OIDC_PENDING_TEAM"):
        settings(
            tmp_path,
            **ISSUER,
            SAMORDNA_OIDC_CLIENT_ID="samordna",
            SAMORDNA_OIDC_UNKNOWN_USERS="pending",
        )
    with pytest.raises(ConfigurationError, match="refuse, pending"):
        settings(
            tmp_path, **ISSUER, SAMORDNA_OIDC_CLIENT_ID="samordna", SAMORDNA_OIDC_UNKNOWN_USERS="x"
        )


def test_production_wants_https(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="https"):
        load_settings(
            {
                "SAMORDNA_ENV": "production",
                "SAMORDNA_SECRET_KEY": "x" * 40,
                "SAMORDNA_MASTER_KEY": "k",
                "SAMORDNA_DATABASE_URL": "sqlite://",
                "SAMORDNA_BASE_URL": "https://samordna.example.se",
                "SAMORDNA_OIDC_ISSUER": "http://login.example.se",
                "SAMORDNA_OIDC_CLIENT_ID": "samordna",
            }
        )


def groups_settings(tmp_path: Path, mapping: object) -> SignOnSettings:
    path = tmp_path / "grupper.json"
    path.write_text(json.dumps(mapping))
    found = settings(
        tmp_path,
        **ISSUER,
        SAMORDNA_OIDC_CLIENT_ID="samordna",
        SAMORDNA_OIDC_GROUPS_CLAIM="groups",
        SAMORDNA_OIDC_GROUPS_FILE=str(path),
    )
    assert found is not None
    return found


def test_the_groups_file_is_checked_when_the_service_starts(tmp_path: Path) -> None:
    wrongs: list[object] = [
        [],
        {"g": {"role": "chef"}},
        {"g": {"part": "SKATTEVERKET"}},
        {"g": {}},
        {"g": {"team": ""}},
        {"g": {"role": "caseworker", "colour": "blå"}},
    ]
    for wrong in wrongs:
        with pytest.raises(ConfigurationError, match="SAMORDNA_OIDC_GROUPS_FILE"):
            groups_settings(tmp_path, wrong)
    with pytest.raises(ConfigurationError, match="go together"):
        settings(tmp_path, **ISSUER, SAMORDNA_OIDC_CLIENT_ID="s", SAMORDNA_OIDC_GROUPS_CLAIM="g")


def test_for_each_of_team_part_and_role_the_first_group_of_the_file_decides(
    tmp_path: Path,
) -> None:
    found = groups_settings(
        tmp_path,
        {
            "ledare": {"role": "team_leader"},
            "fk": {"part": "FK", "role": "caseworker"},
            "norr": {"team": "Norr", "part": "AF"},
        },
    )
    assert found.groups[0] == GroupGrant("ledare", role=Role.TEAM_LEADER)
    assert placement(["norr", "fk", "ledare"], found) == Placement(
        "Norr", Part.FK, Role.TEAM_LEADER
    )
    assert placement("fk", found).complete is False
    assert placement(None, found) == Placement()


def test_the_attempt_cookie_is_signed_and_short_lived() -> None:
    attempt = Attempt("state", "nonce", "verifier", "/statistik", began=1_000_000)
    sealed = seal(attempt, "hemlig")
    assert unseal(sealed, "hemlig", 1_000_100) == attempt
    assert unseal(sealed, "en-annan", 1_000_100) is None
    assert unseal(sealed, "hemlig", 1_000_000 + 601) is None
    payload, _, signature = sealed.partition(".")
    assert unseal(payload[:-2] + "xx." + signature, "hemlig", 1_000_100) is None
