"""Export cells: text that a spreadsheet would run as a formula stays text; numbers stay."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from coordination.reports.exports import Cell, neutralised, to_csv, to_xlsx


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
