"""A form that creates something, sent twice (a double click, a reload): one thing made."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from coordination.accounts.tables import insatser
from coordination.cases.tables import case_meetings
from tests.web.support import TODAY, client_for, count_cases, csrf, enrolled_case, version_of


def once_of(page: str) -> str:
    found = re.search(r'name="once" value="([0-9a-f-]{36})"', page)
    assert found, "the form carries a one-time token"
    return found.group(1)


def twice(client: TestClient[Any], path: str, data: dict[str, Any]) -> list[Any]:
    return [client.post(path, data={**data, **csrf(client)}) for _ in range(2)]


def test_a_referral_sent_twice_starts_one_case(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    form = client.get("/remisser/ny").text
    before = count_cases(app)
    data = {
        "once": once_of(form),
        "from_part": "FK",
        "from_caseworker": "Remitterande Handläggare",
        "reason": "Behöver stöd",
        "referral_date": TODAY.isoformat(),
    }
    first, second = twice(client, "/remisser/ny", data)
    assert first.status_code == second.status_code == 200
    assert first.url == second.url  # both land on the one case
    assert count_cases(app) == before + 1
    assert once_of(client.get("/remisser/ny").text) != data["once"]  # a new form, a new token


def test_a_meeting_and_an_insats_sent_twice_are_made_once(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    case_id = enrolled_case(coordinator)
    form = coordinator.get(f"/arenden/{case_id}/moten/nytt").text
    invitee = re.search(r'name="invitee_ids" value="([^"]+)"', form)
    assert invitee
    meeting = {
        "version": version_of(form),
        "once": once_of(form),
        "starts_at": datetime.combine(TODAY + timedelta(days=2), time(10)).isoformat(),
        "minutes": "60",
        "mode": "in_person",
        "place": "Rum 3",
        "invitee_ids": [invitee.group(1)],
        "agenda": "Planen",
    }
    answers = twice(coordinator, f"/arenden/{case_id}/moten/nytt", meeting)
    assert [a.status_code for a in answers] == [200, 200]
    with app.state.services.engine.connect() as conn:
        meetings = conn.execute(
            sa.select(sa.func.count()).where(case_meetings.c.case_id == case_id)
        ).scalar_one()
    assert meetings == 1

    admin = client_for(app, "admin@test")
    form = admin.get("/admin/insatser").text
    insats = {
        "once": once_of(form),
        "name": "Dubbelklick",
        "insats_type": "other",
        "active_from": "2026-01-01",
        "active_to": "",
    }
    assert [a.status_code for a in twice(admin, "/admin/insatser", insats)] == [200, 200]
    with app.state.services.engine.connect() as conn:
        made = conn.execute(
            sa.select(sa.func.count()).where(insatser.c.name == "Dubbelklick")
        ).scalar_one()
    assert made == 1
