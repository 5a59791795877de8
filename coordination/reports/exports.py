"""Tables as downloads: CSV and Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from coordination.reports.statistics import Table


def table_rows(table: Table) -> list[list[str]]:
    return [["Uppgift", *table.columns], *table.rows]


def to_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """CSV as Swedish spreadsheets open it: semicolons, UTF-8 with a byte-order mark."""
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows(rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def to_xlsx(title: str, rows: Sequence[Sequence[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
