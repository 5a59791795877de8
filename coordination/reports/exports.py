"""Tables as downloads: CSV and Excel, with no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from openpyxl import Workbook

from coordination.reports.statistics import Table

Cell = str | int | float

# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection"): an insats
# named "=HYPERLINK(…)" must open as text, not as a link that sends data away.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")


def neutralised(cell: Cell) -> Cell:
    """A text cell that starts like a formula, prefixed with a single quote so that it stays
    text; numbers (and text that is only a number, such as "-3") stay as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def table_rows(table: Table, period: str, insats: str) -> list[Sequence[Cell]]:
    """A statistics table with what it counts above it: the period and the insats."""
    return [
        [table.title],
        ["Period", period],
        ["Insats", insats or "Alla"],
        [],
        ["Uppgift", *table.columns],
        *table.rows,
    ]


def to_csv(rows: Sequence[Sequence[Cell]]) -> bytes:
    """CSV as Swedish spreadsheets open it: semicolons, UTF-8 with a byte-order mark."""
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows([neutralised(c) for c in row] for row in rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def to_xlsx(title: str, rows: Sequence[Sequence[Cell]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    for row in rows:
        sheet.append([neutralised(c) for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
