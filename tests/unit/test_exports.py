"""Export cells: text that a spreadsheet would run as a formula stays text; numbers stay."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from coordination.reports.exports import Cell, neutralised, table_rows, to_csv, to_workbook, to_xlsx
from coordination.reports.statistics import Table


def test_text_that_starts_like_a_formula_is_prefixed_with_a_quote() -> None:
    for text in ("=1+1", "+46 8 123", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")'):
        assert neutralised(text) == "'" + text


def test_numbers_and_ordinary_text_stay_as_they_are() -> None:
    for cell in (12, -3, 2.5, "-3", "+7", "3,5", "-0.25", "<5", "12 (40 %)", "K-ABC23", ""):
        assert neutralised(cell) == cell


def test_the_files_hold_the_neutralised_cells_and_numbers_as_numbers() -> None:
    rows: list[list[Cell]] = [["Namn", "Antal"], ["=cmd|' /C calc'!A0", -4]]
    assert to_csv(rows).decode("utf-8-sig").splitlines()[1] == "'=cmd|' /C calc'!A0;-4"
    sheet = load_workbook(io.BytesIO(to_xlsx("Test", rows))).active
    assert sheet is not None
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "'=cmd|' /C calc'!A0"
    assert sheet["B2"].data_type == "n" and sheet["B2"].value == -4


def test_a_table_of_shares_exports_counts_and_shares_in_columns_of_their_own() -> None:
    table = Table(
        "t",
        "Försörjning före och efter",
        "",
        ["Totalt", "Kvinna"],
        [["Försörjningsstöd", "24 (12 %)", "<5"], ["Per ärende", "0,7", "12"]],
    )
    counts = Table("c", "Ärenden", "", ["Totalt"], [["Nya", "12"]], shares=False)
    assert table_rows(counts, "2026", "")[4:] == [["Uppgift", "Totalt"], ["Nya", 12]]
    rows = table_rows(table, "2026", "")
    assert rows[2] == ["Insats", "Alla"]
    assert rows[4] == [
        "Uppgift",
        "Totalt, antal",
        "Totalt, andel %",
        "Kvinna, antal",
        "Kvinna, andel %",
    ]
    assert rows[5] == ["Försörjningsstöd", 24, 12, "<5", "<5"]
    assert rows[6] == ["Per ärende", 0.7, "", 12, ""]
    sheet = load_workbook(io.BytesIO(to_xlsx(table.title, rows))).active
    assert sheet is not None
    assert sheet["B6"].data_type == "n" and sheet["C6"].value == 12


def test_a_workbook_has_a_sheet_per_table_named_as_excel_allows() -> None:
    long = "Sysselsättning före och efter, avslutade ärenden"
    content = to_workbook([(long, [["a"]]), (long, [["b"]]), ("Per [år]/kvartal", [["c"]])])
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [long[:31], long[:29] + " 2", "Per  år  kvartal"]
    assert [sheet["A1"].value for sheet in workbook.worksheets] == ["a", "b", "c"]
