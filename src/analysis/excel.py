"""Reading Excel workbooks (``.xlsx``) into the same rows a text export gives.

A merged cell keeps its value in its top-left cell and leaves the others empty, exactly
the blanks of a text export, so the declaration parser needs nothing special. Each sheet
becomes one :class:`~analysis.readers.Sheet`; row numbers are the spreadsheet's own.
"""
from __future__ import annotations

import io
import zipfile

from analysis.problems import Problem
from analysis.readers import Row, Sheet, cell_text


def read_workbook(data: bytes, rel: str) -> list[Sheet]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return [Sheet(None, [], [Problem(rel, None, "unreadable-file", f"{rel}: not a readable .xlsx workbook ({exc})")])]
    sheets: list[Sheet] = []
    try:
        for ws in wb.worksheets:
            rows: list[Row] = []
            for r, values in enumerate(ws.iter_rows(values_only=True), 1):
                cells = [cell_text(v) for v in values]
                while cells and cells[-1] == "":
                    cells.pop()
                rows.append(Row(r, cells))
            sheets.append(Sheet(ws.title, rows, encoding="xlsx"))
    finally:
        wb.close()
    if not sheets:
        return [Sheet(None, [], [Problem(rel, None, "empty-file", f"{rel}: the workbook has no sheets")])]
    return sheets
