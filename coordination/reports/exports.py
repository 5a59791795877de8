"""Tables as downloads: CSV and Excel, with no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from openpyxl import Workbook

from coordination.reports.statistics import SUPPRESSED, Table

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


# A statistics cell as the page shows it: "24 (12 %)", "<5", "20" or an average "0,7".
SHARE_CELL = re.compile(r"(\d+) \((\d+) %\)")


def split_cell(cell: str) -> tuple[Cell, Cell]:
    """A page cell as a count and a share in percent, numbers where they are numbers: "24
    (12 %)" → (24, 12); a suppressed cell stays "<5" in both; a count or an average has no
    share."""
    found = SHARE_CELL.fullmatch(cell)
    if found:
        return int(found[1]), int(found[2])
    if cell == SUPPRESSED:
        return cell, cell
    if cell.isdigit():
        return int(cell), ""
    if re.fullmatch(r"\d+,\d+", cell):
        return float(cell.replace(",", ".")), ""
    return cell, ""


def table_rows(table: Table, period: str, insats: str, teams: str = "") -> list[Sequence[Cell]]:
    """A statistics table with what it counts above it, the period, the insats and (for the
    förbund's readers) the teams; a table of shares has a count column and a share column per
    group, so that a spreadsheet can sum and chart them."""
    if table.shares:
        header = [f"{column}, {what}" for column in table.columns for what in SPLIT_HEADINGS]
        body = [
            [row[0], *(value for cell in row[1:] for value in split_cell(cell))]
            for row in table.rows
        ]
    else:
        header = list(table.columns)
        body = [[row[0], *(split_cell(cell)[0] for cell in row[1:])] for row in table.rows]
    return [
        [table.title],
        ["Period", period],
        ["Insats", insats or "Alla"],
        *([["Team", teams]] if teams else []),
        [],
        ["Uppgift", *header],
        *body,
    ]


SPLIT_HEADINGS = ("antal", "andel %")


def to_csv(rows: Sequence[Sequence[Cell]]) -> bytes:
    """CSV as Swedish spreadsheets open it: semicolons, UTF-8 with a byte-order mark."""
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows([neutralised(c) for c in row] for row in rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def to_xlsx(title: str, rows: Sequence[Sequence[Cell]]) -> bytes:
    return to_workbook([(title, rows)])


def to_workbook(sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]]) -> bytes:
    """An Excel workbook with a sheet per (title, rows), each named after its title as far as
    Excel allows (31 characters, no []:*?/\\, each name once)."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    taken: set[str] = set()
    for title, rows in sheets:
        sheet = workbook.create_sheet(_sheet_name(title, taken))
        for row in rows:
            sheet.append([neutralised(c) for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Blad"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" {number}"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name
