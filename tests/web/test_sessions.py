"""Volyminsatser and strukturinsatser: an administratör adds one, a samordnare records its
sessions as counts, and Statistik counts them with the cases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.web.support import TODAY, client_for, csrf, enrolled_case
from tests.web.test_reports import page_tables


def add_insats(admin: TestClient[Any], name: str, kind: str) -> str:
    added = admin.post(
        "/admin/insatser",
        data={
            "name": name,
            "insats_type": "preventive",
            "registration_kind": kind,
            "active_from": (TODAY - timedelta(days=100)).isoformat(),
            "active_to": "",
            **csrf(admin),
        },
    )
    assert added.status_code == 200, added.text
    insatser = added.text.split('href="/admin/insatser/')
    return next(part.split('"')[0] for part in insatser[1:] if f">{name}</a>" in part)


def record(client: TestClient[Any], insats_id: str, **fields: str) -> Any:
    data = {"held_on": TODAY.isoformat(), **fields, **csrf(client)}
    return client.post(f"/tillfallen/{insats_id}", data=data)


def test_sessions_are_counts_checked_beside_their_fields_and_counted_in_statistik(
    app: Litestar,
) -> None:
    admin = client_for(app, "admin@test")
    groups = add_insats(admin, "Gruppträffar", "volume")
    staff = add_insats(admin, "Gemensam utbildning", "structural")
    coordinator = client_for(app, "samordnare@test")
    listing = coordinator.get("/tillfallen").text
    assert f'href="/tillfallen/{groups}"' in listing and f'href="/tillfallen/{staff}"' in listing
    enrolment = coordinator.get(f"/arenden/{enrolled_case(coordinator)}/avsnitt/deltagare").text
    assert "Gruppträffar" not in enrolment  # a case is not enrolled in a volyminsats

    nobody = record(coordinator, groups, gender_woman="", gender_man="0")
    assert nobody.status_code == 422 and "Ange hur många som deltog." in nobody.text
    too_old = record(coordinator, groups, gender_woman="3", gender_man="2", **{"age_16-29": "9"})
    assert "Åldersgrupperna kan inte vara fler än deltagarna." in too_old.text
    assert 'id="age_16-29" name="age_16-29" type="text" value="9"' in too_old.text  # kept
    ahead = record(
        coordinator, groups, gender_woman="1", held_on=(TODAY + timedelta(days=1)).isoformat()
    )
    assert "när det har hållits" in ahead.text
    negative = record(coordinator, groups, gender_woman="-4")
    assert "Ange ett heltal från 0 till 10000." in negative.text
    no_staff = record(coordinator, staff)
    assert "Ange hur många medarbetare" in no_staff.text

    for _ in range(2):
        saved = record(coordinator, groups, gender_woman="7", gender_man="5", **{"age_30-44": "6"})
        assert saved.status_code == 200 and "Tillfället är registrerat." in saved.text
    record(coordinator, staff, staff_AF="3", staff_FK="4")

    tables = page_tables(client_for(app, "ledare@test").get("/statistik").text)
    counted = {row[0]: row[1:] for row in tables["volym-struktur"][1:]}
    assert counted["Tillfällen, volyminsatser"][0] == "<5"  # two sessions
    assert counted["Deltagare i volyminsatser"][:3] == ["24", "14", "10"]
    assert counted["Deltagare i volyminsatser"][4] == "12"  # 30–44 år, where it was counted
    assert counted["Medarbetare i strukturinsatser"][0] == "7"
    cases = {row[0]: row[1:] for row in tables["arenden"][1:]}
    assert cases["Deltagare i volyminsatser"][0] == "24"  # beside the cases, not added to them
