"""Caseload, statistics and exports through HTTP: what the page shows is what the exports
hold, small cells are hidden everywhere, and each role sees only what it may."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from coordination.accounts.insatser import Session
from coordination.cases.tables import read_audit
from coordination.reports.queries import Reports
from coordination.reports.statistics import Table, period_of
from coordination.shared.vocabulary import Gender
from tests.web.support import (
    PERSONNUMMER,
    TODAY,
    case_id_from,
    client_for,
    closed_case,
    csrf,
    enrolled_case,
    neighbour_with_an_insats,
    referral,
    team_of,
)


class Tables(HTMLParser):
    """The rows of every table in a page, by the id of the heading before it."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._heading = ""
        self._cell: list[str] | None = None
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self._heading = dict(attrs).get("id") or ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self.tables.setdefault(self._heading, []).append(self._row)

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def xlsx_sheet(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def xlsx_rows(content: bytes) -> list[list[str]]:
    sheet = xlsx_sheet(content)
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_the_caseload_counts_each_persons_cases_and_drills_down_to_codes(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    for _ in range(2):
        enrolled_case(coordinator)
    waiting = case_id_from(referral(coordinator))
    leader = client_for(app, "ledare@test")
    page = leader.get("/arbetsbelastning").text
    people = {row[0]: row for row in page_tables(page)["per-person"][1:]}
    assert people["Samordnare"][2] == "2"  # active cases
    assert people["Samordnare"][3] == "2"  # of them, enrolled
    assert people["Af"][2] == "0"
    assert "Remisser som väntar på beslut (1)" in page
    assert f'/arenden/{waiting}"' in page
    link = re.search(r'href="(/arbetsbelastning/[0-9a-f-]+)">Samordnare<', page)
    assert link
    drill = leader.get(link.group(1)).text
    assert len(re.findall(r">K-[0-9A-Z]{5}<", drill)) == 2
    by_part = {row[0]: row for row in page_tables(page)["per-part"][1:]}
    assert by_part["Kommun"][1] == "2"
    sorted_page = leader.get("/arbetsbelastning", params={"sortera": "namn"}).text
    names = [row[0] for row in page_tables(sorted_page)["per-person"][1:]]
    assert names == sorted(names)


def test_statistics_hide_small_counts_and_exports_equal_the_page(app: Litestar) -> None:
    closed_case(app)
    enrolled_case(client_for(app, "samordnare@test"))
    analyst = client_for(app, "analytiker@test")
    page = analyst.get("/statistik").text
    tables = page_tables(page)
    counts = tables["arenden"]
    assert counts[0][1:4] == ["Totalt", "Kvinna", "Man"]
    assert all(cell in ("<5",) for row in counts[1:] for cell in row[1:])
    assert "Testa Deltagarsson" not in page and "K-" not in page  # aggregates only
    for key in ("arenden", "forsorjning-inskrivning", "uppfoljning-3"):
        shown = tables[key]
        for rows in (
            csv_rows(analyst.get(f"/statistik/{key}/csv").content),
            xlsx_rows(analyst.get(f"/statistik/{key}/xlsx").content),
        ):
            assert rows[1][:2] == ["Period", "2026"] and rows[2][:2] == ["Insats", "Alla"]
            assert rows[3][:2] == ["Team", "Hela förbundet"]  # the analytiker's view
            assert [row[0] for row in rows[5:]] == [row[0] for row in shown]
            if key == "arenden":  # counts only: a column per group, as on the page
                assert rows[5:] == shown
            else:  # shares: the count and the share in columns of their own
                assert rows[5][1:3] == ["Totalt, antal", "Totalt, andel %"]
                assert all(row[1:] == ["<5"] * (2 * (len(shown[0]) - 1)) for row in rows[6:])
    workbook = load_workbook(io.BytesIO(analyst.get("/statistik/xlsx").content))
    assert len(workbook.sheetnames) == len(tables)
    titles = [sheet["A1"].value for sheet in workbook.worksheets]
    assert "Försörjning före och efter, avslutade ärenden" in titles
    assert analyst.get("/arbetsbelastning").status_code == 403
    assert analyst.get("/sus-export/csv").status_code == 403


def test_the_sus_export_has_a_row_per_case_and_personnummer_only_where_allowed(
    app: Litestar,
) -> None:
    case_id = closed_case(app)
    coordinator = client_for(app, "samordnare@test")
    download = coordinator.get("/sus-export/csv")
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    rows = csv_rows(download.content)
    assert rows[0][:3] == ["Ärendekod", "Personnummer", "Registreringstyp"]
    assert len(rows) == 2
    assert rows[1][1] == PERSONNUMMER
    by_column = dict(zip(rows[0], rows[1], strict=True))
    assert (
        by_column["Sysselsättning vid inskrivning"]
        == "Inskriven som arbetssökande på Arbetsförmedlingen"
    )
    assert by_column["Sysselsättning vid avslut"] == "Arbete utan subvention"
    leader_rows = xlsx_rows(client_for(app, "ledare@test").get("/sus-export/xlsx").content)
    assert leader_rows[1][0] == rows[1][0]
    assert leader_rows[1][1] == ""  # a teamledare does not see personal data
    with app.state.services.engine.connect() as conn:
        pages = conn.execute(read_audit.select().where(read_audit.c.case_id == case_id)).all()
    assert any(row.page == "SUS-export" for row in pages)


FORMULA = '=HYPERLINK("http://x","y")'


def test_an_insats_named_like_a_formula_exports_as_text(app: Litestar) -> None:
    admin = client_for(app, "admin@test")
    added = admin.post(
        "/admin/insatser",
        data={
            "name": FORMULA,
            "insats_type": "preparatory",
            "active_from": "2026-01-01",
            "active_to": "",
            **csrf(admin),
        },
    )
    assert added.status_code == 200
    team = team_of(app, "admin@test")
    insats_id = next(
        i.id for i in app.state.services.insatser.team_insatser(team) if i.name == FORMULA
    )
    coordinator = client_for(app, "samordnare@test")
    enrolled_case(coordinator, insats_id=insats_id)

    sus = csv_rows(coordinator.get("/sus-export/csv").content)
    assert sus[1][9] == "'" + FORMULA
    assert sus[1][11] == (TODAY - timedelta(days=10)).isoformat()  # a date is left alone
    cell = xlsx_sheet(coordinator.get("/sus-export/xlsx").content)["J2"]
    assert cell.data_type == "s" and cell.value == "'" + FORMULA

    leader = client_for(app, "ledare@test")
    csv_table = csv_rows(leader.get(f"/statistik/arenden/csv?insats={insats_id}").content)
    assert csv_table[2] == ["Insats", "'" + FORMULA]
    sheet = xlsx_sheet(leader.get(f"/statistik/arenden/xlsx?insats={insats_id}").content)
    assert sheet["B3"].data_type == "s" and sheet["B3"].value == "'" + FORMULA


def test_the_forbund_sees_the_whole_forbund_or_one_team_of_it(app: Litestar) -> None:
    ours = client_for(app, "samordnare@test")
    for _ in range(5):
        enrolled_case(ours)
    neighbour = neighbour_with_an_insats(app)
    for _ in range(2):
        enrolled_case(neighbour)

    def new_cases(client: TestClient[Any], **params: str) -> str:
        page = client.get("/statistik", params=params).text
        return {row[0]: row[1] for row in page_tables(page)["arenden"][1:]}[
            "Nya, med personuppgifter"
        ]

    for reader in ("analytiker@test", "forbund@test"):
        forbund = client_for(app, reader)
        assert new_cases(forbund) == "7"  # both teams
        assert "hela förbundet" in forbund.get("/statistik").text
        assert new_cases(forbund, team=team_of(app, "samordnare@test")) == "5"
        assert new_cases(forbund, team=team_of(app, "granne@test")) == "<5"
        assert forbund.get("/", follow_redirects=False).headers["location"] == "/statistik"
    leader = client_for(app, "ledare@test")
    assert new_cases(leader) == "5"  # a teamledare sees their own team
    assert new_cases(leader, team=team_of(app, "granne@test")) == "5"  # and cannot choose
    assert 'id="team"' not in leader.get("/statistik").text


def test_statistics_are_computed_once_until_something_they_count_changes(app: Litestar) -> None:
    services = app.state.services
    reports: Reports = services.reports
    team = team_of(app, "samordnare@test")
    client = client_for(app, "samordnare@test")
    enrolled_case(client)
    period = period_of("", "", "", "", TODAY)

    def tables() -> list[Table]:
        return reports.statistics([team], "", period, (3, 6, 12), {}, TODAY)

    first = tables()
    assert tables() is first
    referral(client_for(app, "granne@test"))  # another team's case
    referral(client)  # a referral of the team: counted from its enrolment on
    assert tables() is first

    enrolled_case(client)
    enrolled = tables()
    assert enrolled is not first and tables() is enrolled

    insats = services.insatser.team_insatser(team)[0]
    services.sessions.record(
        team,
        Session("session-1", insats.id, TODAY, {Gender.WOMAN: 3}, {}, {}),
        "someone",
        datetime.now(UTC),
    )
    recorded = tables()
    assert recorded is not enrolled and tables() is recorded
