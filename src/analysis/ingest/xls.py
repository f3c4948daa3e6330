"""Reading old binary Excel workbooks (``.xls``, BIFF8) into the rows a text export gives.

Read like ``.xlsx`` (:mod:`analysis.ingest.excel`): every sheet a
:class:`~analysis.ingest.grid.Sheet` with the spreadsheet's own row numbers; merged ranges keep
their value in the top-left cell and blanks in the others; numbers formatted as percent give
``99%``, date cells ``2020-01-01``, whole numbers without ``.0``; a formula gives the value
Excel cached for it. Reading is xlrd.
"""

from __future__ import annotations

import io
import re

from analysis.ingest import limits
from analysis.ingest.grid import Cut, Row, Sheet, cell_text, number_text
from analysis.problems import Problem

XLS_SUFFIXES = {".xls", ".xlt"}


def read_xls(data: bytes, rel: str) -> list[Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, on_demand=True, logfile=io.StringIO(), verbosity=0
        )
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - xlrd raises XLRDError, CompDocError, struct/index errors on damage
        return [
            Sheet(
                None,
                [],
                [
                    Problem(
                        rel,
                        None,
                        "unreadable-file",
                        f"{rel}: not a readable .xls workbook ({type(exc).__name__}: {exc})",
                    )
                ],
            )
        ]
    sheets: list[Sheet] = []
    try:
        for index in range(book.nsheets):
            ws = book.sheet_by_index(index)
            rows: list[Row] = []
            cut = None
            for r, blank in _blanked(ws):
                if limits.rows_left() == 0:
                    later = index + 1 < book.nsheets
                    cut = Cut(rows[-1].line if rows else 0, limits.current_limits().max_rows, ws.nrows - r, later)
                    break
                limits.charge(1, ws.row_len(r))
                texts = [_text(book, ws, r, c) for c in range(ws.row_len(r))]
                for c0, c1 in blank:
                    texts[c0:c1] = [""] * len(texts[c0:c1])
                while texts and texts[-1] == "":
                    texts.pop()
                rows.append(Row(r + 1, texts))
            sheets.append(Sheet(ws.name, rows, encoding="xls", container="xls", cut=cut))
            book.unload_sheet(index)
            if cut is not None:
                break  # the bound is per file: the sheets after are not read either
    except (MemoryError, limits.LimitExceeded):
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet cut off inside its records
        return [
            Sheet(
                None,
                [],
                [
                    Problem(
                        rel, None, "unreadable-file", f"{rel}: a damaged .xls workbook ({type(exc).__name__}: {exc})"
                    )
                ],
            )
        ]
    finally:
        book.release_resources()
    if not any(any(row.cells) for s in sheets for row in s.rows):
        return [Sheet(None, [], [Problem(rel, 1, "empty-file", f"{rel}, line 1: the workbook has no filled cell")])]
    return sheets


def _blanked(ws):
    """Each row of the sheet with the column ranges its merged cells cover (all but their
    top-left cell), found by a sweep over the ranges sorted by first row: never a cell per
    covered position (one range over the whole sheet is 16 million of them)."""
    merged = sorted((r0, r1, c0, c1) for r0, r1, c0, c1 in ws.merged_cells if r0 < ws.nrows and r1 > r0 and c1 > c0)
    limits.charge(0, len(merged))
    active: list[tuple[int, int, int, int]] = []
    i = 0
    for r in range(ws.nrows):
        while i < len(merged) and merged[i][0] <= r:
            active.append(merged[i])
            i += 1
        active = [m for m in active if m[1] > r]
        width = ws.row_len(r)
        blank = []
        for r0, _r1, c0, c1 in active:
            if c0 < width:
                start = c0 + 1 if r == r0 else c0  # the top-left cell keeps its value
                if start < min(c1, width):
                    blank.append((start, min(c1, width)))
        if len(active) > 64:
            limits.charge(0, len(active))  # many ranges over one row: their work is counted too
        yield r, blank


def _text(book, ws, r: int, c: int) -> str:
    import xlrd

    cell = ws.cell(r, c)
    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if kind == xlrd.XL_CELL_TEXT:
        return value
    if kind == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(value))
    if kind == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate.xldate_as_datetime(value, book.datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell_text(float(value))
    fmt = None
    try:
        fmt = book.format_map[book.xf_list[cell.xf_index].format_key].format_str
    except (IndexError, KeyError, TypeError, AttributeError):
        pass
    if isinstance(value, float) and fmt and _is_date_format(fmt) and 0 < value < 2958466:
        return cell_text(xlrd.xldate.xldate_as_datetime(value, book.datemode))
    return number_text(float(value), fmt)


def _is_date_format(fmt: str) -> bool:
    """A number format that shows a date (xlrd types most of these cells as dates already)."""
    core = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt).lower()
    return bool(re.search(r"[ymd]", core)) and "%" not in core
