"""Back-registration from a file: every row checked before anything is stored, problems per
row and column, the cases appended through the same decider, and the same file twice adds
nothing."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.app import Services
from coordination.cases import imports
from coordination.cases.tables import case_follow_ups, cases
from coordination.shared.vocabulary import InsatsType, Part, Role
from tests.integration.participant_journey import services_on

TODAY = date(2026, 11, 17)

CLOSED = {
    "Ärendekod": "SUS-101",
    "Remissdatum": "2024-02-01",
    "Remitterande part": "FK",
    "Remitterande handläggare": "Handläggare på FK",
    "Anledning till remissen": "Långvarig sjukskrivning",
    "Registreringstyp": "Med personuppgifter",
    "Namn": "Importerad Person",
    "Personnummer": "198001010019",
    "Samtycke": "Försäkringskassan; kommun",
    "Kön": "Kvinna",
    "Utbildningsnivå": "Gymnasium",
    "Försörjning vid inskrivning": "Sjuk-/rehabiliteringspenning",
    "Tid i offentlig försörjning": "1–3 år",
    "Sysselsättning vid inskrivning": "Ingen sysselsättning",
    "Insats": "Gamla insatsen",
    "Startdatum": "2024-02-15",
    "Avslutsdatum": "2024-11-29",
    "Avslutstyp": "Genomförd",
    "Avslutsorsak": "Arbete",
    "Sysselsättning vid avslut": "Arbete utan subvention",
    "Försörjning vid avslut": "Ingen offentlig försörjning (inkl. försörjd av familj)",
    "Uppföljning 3 mån, datum": "2025-03-03",
    "Uppföljning 3 mån, sysselsättning": "Arbete utan subvention",
    "Uppföljning 3 mån, försörjning": "Uppgift saknas",
    "Uppföljning 12 mån, datum": "2026-01-20",  # after its window: late
    "Uppföljning 12 mån, sysselsättning": "Studier",
    "Uppföljning 12 mån, försörjning": "Studiestöd/studiemedel",
}
ANONYMOUS_OPEN = {
    "Ärendekod": "SUS-102",
    "Remissdatum": "2026-09-01",
    "Remitterande part": "Kommun",
    "Remitterande handläggare": "Socialsekreterare",
    "Anledning till remissen": "Behöver samordnat stöd",
    "Registreringstyp": "Anonym",
    "Kön": "Man",
    "Åldersgrupp": "16–29 år",
    "Insats": "Nya insatsen",
    "Startdatum": "2026-09-10",
}


def csv_of(*rows: dict[str, str]) -> bytes:
    """The rows as a spreadsheet saves them: semicolons, quoted where a value holds one."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(imports.HEADINGS)
    writer.writerows([row.get(h, "") for h in imports.HEADINGS] for row in rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


@pytest.fixture
def team(database_url: str, tmp_path: Path) -> tuple[Services, imports.ImportTeam]:
    services = services_on(database_url, tmp_path)
    accounts = Accounts(services.engine)
    team_id = accounts.create_team("Importteamet")
    coordinator = accounts.create_user(
        team_id, "Samordnaren", "samordnare@import", Part.KOMMUN, Role.COORDINATOR, "losen-123456"
    )
    insatser = Insatser(services.engine)
    insatser.add_insats(
        team_id, "Gamla insatsen", InsatsType.REHABILITATION, date(2023, 1, 1), date(2024, 12, 31)
    )
    insatser.add_insats(team_id, "Nya insatsen", InsatsType.PREPARATORY, date(2026, 1, 1), None)
    staff = accounts.team_users(team_id)
    team = imports.import_team(services.cases, coordinator, staff, insatser.team_insatser(team_id))
    return services, team


def stored(services: Services) -> list[Any]:
    with services.engine.connect() as conn:
        return [
            *conn.execute(
                sa.select(cases.c.case_code, cases.c.stage, cases.c.insats_id).order_by(
                    cases.c.case_code
                )
            )
        ]


def test_a_good_file_is_imported_once_however_often_it_is_imported(
    team: tuple[Services, imports.ImportTeam],
) -> None:
    services, importing = team
    rows = imports.read_rows("ärenden.csv", csv_of(CLOSED, ANONYMOUS_OPEN))
    found = imports.plan(rows, importing, TODAY)
    assert found.problems == []
    assert imports.store(services.cases, found) == (2, 0)
    assert [(code, stage) for code, stage, _ in stored(services)] == [
        ("SUS-101", "closed"),
        ("SUS-102", "enrolled"),
    ]
    with services.engine.connect() as conn:
        follow_ups = conn.execute(
            sa.select(case_follow_ups.c.months, case_follow_ups.c.late).order_by("months")
        ).all()
    assert [tuple(f) for f in follow_ups] == [(3, False), (12, True)]
    again = imports.plan(
        imports.read_rows("ärenden.csv", csv_of(CLOSED, ANONYMOUS_OPEN)), importing, TODAY
    )
    assert imports.store(services.cases, again) == (0, 2)
    assert len(stored(services)) == 2


def test_the_same_file_imported_twice_at_once_is_stored_once(
    team: tuple[Services, imports.ImportTeam],
) -> None:
    """A double click on Importera: both requests plan the file before either stores it."""
    services, importing = team
    plans = [
        imports.plan(imports.read_rows("a.csv", csv_of(CLOSED, ANONYMOUS_OPEN)), importing, TODAY)
        for _ in range(2)
    ]
    with ThreadPoolExecutor(2) as both:
        counts = sorted(both.map(partial(imports.store, services.cases), plans))
    assert counts == [(0, 2), (2, 0)]
    assert len(stored(services)) == 2


def test_every_problem_is_named_by_row_and_column_and_nothing_is_stored(
    team: tuple[Services, imports.ImportTeam],
) -> None:
    services, importing = team
    bad_date = {**CLOSED, "Ärendekod": "SUS-201", "Startdatum": "2024-02-30"}
    unknown = {**CLOSED, "Ärendekod": "SUS-202", "Kön": "Annat", "Insats": "Finns inte"}
    too_early = {**CLOSED, "Ärendekod": "SUS-203", "Uppföljning 3 mån, datum": "2024-12-05"}
    outside = {**ANONYMOUS_OPEN, "Ärendekod": "SUS-204", "Insats": "Gamla insatsen"}
    twice = {**ANONYMOUS_OPEN}
    rows = imports.read_rows(
        "ärenden.csv", csv_of(ANONYMOUS_OPEN, bad_date, unknown, too_early, outside, twice)
    )
    found = imports.plan(rows, importing, TODAY)
    said = [str(p) for p in found.problems]
    assert "Rad 3, Startdatum: Ange ett datum som ÅÅÅÅ-MM-DD." in said
    assert any(p.startswith("Rad 4, Kön: Okänt alternativ «Annat»") for p in said)
    assert "Rad 4, Insats: Teamet har ingen insats som heter «Finns inte»." in said
    assert any(
        p.startswith("Rad 5, Uppföljning 3 mån, datum: Uppföljningen efter 3 månader görs tidigast")
        for p in said
    )
    assert "Rad 6, Insats: Insatsen pågick inte på startdatumet." in said
    assert "Rad 7, Ärendekod: Samma ärendekod som på rad 2." in said
    assert imports.store(services.cases, found) == (0, 0)
    assert stored(services) == []


def test_an_excel_file_and_a_file_that_is_not_the_template() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(imports.HEADINGS)
    sheet.append([ANONYMOUS_OPEN.get(h, "") for h in imports.HEADINGS])
    sheet["B2"] = date(2026, 9, 1)  # a date cell, as Excel keeps dates
    content = io.BytesIO()
    book.save(content)
    [row] = imports.read_rows("ärenden.xlsx", content.getvalue())
    assert row["Remissdatum"] == "2026-09-01" and row["Ärendekod"] == "SUS-102"
    with pytest.raises(imports.ImportFileError, match="Kolumner saknas: Ärendekod"):
        imports.read_rows("fel.csv", b"Namn;Personnummer\nA;B")
    with pytest.raises(imports.ImportFileError, match="Excel"):
        imports.read_rows("fel.xlsx", b"not a workbook")
    template = imports.read_rows("mall.csv", imports.template())
    assert template[0]["Ärendekod"] == "GAMMAL-0001"


def test_what_would_clash_or_be_dropped_is_a_problem_of_its_row(
    team: tuple[Services, imports.ImportTeam],
) -> None:
    services, importing = team
    assert imports.store(
        services.cases, imports.plan(imports.read_rows("a.csv", csv_of(CLOSED)), importing, TODAY)
    ) == (1, 0)
    open_row = {**CLOSED, "Ärendekod": "SUS-301", "Avslutsdatum": ""}
    for key in [h for h in imports.HEADINGS[imports.HEADINGS.index("Avslutstyp") :]]:
        open_row.pop(key, None)
    rows = [
        open_row,
        {**open_row, "Ärendekod": "SUS-302"},  # the same person, open twice
        {**ANONYMOUS_OPEN, "Ärendekod": "SUS-303", "Namn": "Ska inte med"},
        {
            **open_row,
            "Ärendekod": "SUS-304",
            "Personnummer": "19900315-9812",
            "Uppföljning 3 mån, datum": "2025-03-03",
        },
    ]
    said = [
        str(p)
        for p in imports.plan(imports.read_rows("b.csv", csv_of(*rows)), importing, TODAY).problems
    ]
    assert "Rad 3, Personnummer: Samma person har ett pågående ärende på rad 2." in said
    assert "Rad 4, Namn: En anonym registrering har inga personuppgifter." in said
    assert any(
        p.startswith("Rad 5, Uppföljning 3 mån, datum: Raden har inget avslutsdatum") for p in said
    )

    # the code of a case that exists, made by another team's import
    other_team = Accounts(services.engine).create_team("Andra teamet")
    other = imports.ImportTeam(
        other_team,
        importing.importer,
        importing.coordinators,
        importing.insatser,
        services.cases.case_with_code,
    )
    clash = imports.plan(imports.read_rows("c.csv", csv_of(CLOSED)), other, TODAY)
    assert [str(p) for p in clash.problems] == [
        "Rad 2, Ärendekod: Ett annat ärende har redan den koden."
    ]


def test_a_file_too_odd_to_read_is_refused_in_swedish() -> None:
    huge = ";".join(imports.HEADINGS) + "\n" + '"' + "x" * 200_000 + '"'
    with pytest.raises(imports.ImportFileError, match="för lång"):
        imports.read_rows("stor.csv", huge.encode())
    with pytest.raises(imports.ImportFileError, match="inga rader"):
        imports.read_rows("tom.csv", ";".join(imports.HEADINGS).encode())
    twice = ";".join([*imports.HEADINGS, "Namn"]) + "\n"
    with pytest.raises(imports.ImportFileError, match="två gånger: Namn"):
        imports.read_rows("dubbel.csv", twice.encode())
