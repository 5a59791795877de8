"""Importera ärenden: an administratör tries a file, sees every problem by row and column, and
imports a good one; the same file twice adds nothing."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from coordination.cases import imports
from tests.integration.test_import import ANONYMOUS_OPEN, csv_of
from tests.web.support import client_for, csrf, team_of


def send(client: TestClient[Any], content: bytes, name: str = "ärenden.csv", **fields: str) -> Any:
    return client.post(
        "/admin/import",
        data={**fields, **csrf(client)},
        files={"fil": (name, content, "text/csv")},
    )


def test_a_file_is_tried_then_imported_once(app: Litestar) -> None:
    admin = client_for(app, "admin@test")
    page = admin.get("/admin/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    template = admin.get("/admin/import/mall.csv")
    assert imports.read_rows("mall.csv", template.content)[0]["Ärendekod"] == "GAMMAL-0001"

    row = {**ANONYMOUS_OPEN, "Insats": "Steget vidare", "Remissdatum": "2026-10-01"}
    row["Samordnare"] = "samordnare@test"  # an administratör imports for the team's samordnare
    row["Startdatum"] = "2026-10-05"
    wrong = send(admin, csv_of({**row, "Kön": "Annat"}))
    assert wrong.status_code == 422
    assert "Rad 2, Kön: Okänt alternativ «Annat»" in wrong.text
    assert "inget är importerat" in wrong.text
    tried = send(admin, csv_of(row))
    assert tried.status_code == 200 and "1 rad i ärenden.csv är utan fel." in tried.text
    assert (
        app.state.services.cases.case(imports.case_id_of(team_of(app, "admin@test"), "SUS-102"))
        is None
    )
    done = send(admin, csv_of(row), importera="ja")
    assert "1 ärende från ärenden.csv är importerat." in done.text
    again = send(admin, csv_of(row), importera="ja")
    assert "0 ärenden" in again.text and "1 fanns redan" in again.text
    assert send(admin, b"", importera="ja").status_code == 422
    not_a_workbook = send(admin, b"x", name="ärenden.xlsx")
    assert "Excel-fil" in not_a_workbook.text
    coordinator = client_for(app, "samordnare@test")
    assert send(coordinator, csv_of(row)).status_code == 403
