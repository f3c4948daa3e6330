"""Reading Excel workbooks (``.xlsx``) into the same rows a text export gives.

A merged cell keeps its value in its top-left cell and leaves the others empty, exactly
the blanks of a text export, so the declaration parser needs nothing special. Each sheet
becomes one :class:`~analysis.readers.Sheet`; row numbers are the spreadsheet's own.

Cells read as Excel would print them in a text export: numbers formatted as percent give
``99%``, dates ``2020-01-01``. A formula gives its cached value; a workbook written by a
program without cached values (``=99%`` typed as a formula, say) gives the formula's text.
"""

from __future__ import annotations

import io
import zipfile

from analysis.ingest import limits
from analysis.ingest.grid import Cut, Row, Sheet, number_text
from analysis.problems import Problem


def _open(data: bytes, data_only: bool):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)


def _text(cell) -> str:
    return number_text(getattr(cell, "value", None), getattr(cell, "number_format", None))


def _rows(ws, cut: list):
    """The rows of a sheet, within the file's bounds. The sheet's ``<dimension>`` is not
    trusted (``A1:XFD1048576`` would pad every row to 16,384 cells): only cells present are
    read, runs of missing or blank rows come out as one blank row, and every row is counted
    against the bounds of :mod:`~analysis.ingest.limits`. At the row bound the sheet ends:
    ``cut`` gets the :class:`~analysis.ingest.grid.Cut` (the rows after it counted while
    time allows)."""
    ws.reset_dimensions()
    blank = False
    last = 0
    rows = iter(ws.iter_rows())
    for r, cells in enumerate(rows, 1):
        if not cells:
            if not blank and limits.rows_left() != 0:
                limits.charge(1)  # (one blank row stands for a run of them)
                yield r, cells
            blank = True
            if r % 4096 == 0:
                limits.check_time()
            continue
        if limits.rows_left() == 0:
            passed, at_least = _count_rest(rows)
            cut.append(Cut(last, limits.current_limits().max_rows, passed + 1, at_least))
            return
        limits.charge(1, len(cells))
        blank = False
        last = r
        yield r, cells


def _count_rest(rows) -> tuple[int, bool]:
    """How many rows with cells are left, counted for at most a tenth of the time per file
    (then ``True``: at least that many)."""
    import time

    stop = time.monotonic() + min(5.0, (limits.current_limits().seconds or 50.0) / 10)
    n = 0
    for i, cells in enumerate(rows):
        n += bool(cells)
        if i % 1024 == 0 and time.monotonic() > stop:
            return n, True
    return n, False


def _parsed_whole(name: str) -> bool:
    """The parts openpyxl parses whole when it opens a workbook (the worksheets it streams)."""
    name = name.lower()
    return name.endswith((".xml", ".rels")) and not name.startswith("xl/worksheets/")


def read_workbook(data: bytes, rel: str) -> list[Sheet]:
    limits.check_zip(data)
    # shared strings, styles and the workbook are parsed whole on opening: count them first
    # (seven million empty strings are 300 KB on disk)
    limits.check_zip_markup(data, _parsed_whole, "the workbook's shared strings and styles")
    try:
        wb = _open(data, data_only=False)
    except (MemoryError, limits.LimitExceeded):
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        return [
            Sheet(None, [], [Problem(rel, None, "unreadable-file", f"{rel}: not a readable .xlsx workbook ({exc})")])
        ]
    sheets: list[Sheet] = []
    formulas: dict[str, list[tuple[int, int]]] = {}
    try:
        for ws in wb.worksheets:
            rows: list[Row] = []
            cut: list[Cut] = []
            for r, cells in _rows(ws, cut):
                texts = []
                for c, cell in enumerate(cells):
                    if getattr(cell, "data_type", None) == "f":
                        formulas.setdefault(ws.title, []).append((len(rows), c))
                    texts.append(_text(cell))
                while texts and texts[-1] == "":
                    texts.pop()
                rows.append(Row(r, texts))
            sheets.append(Sheet(ws.title, rows, encoding="xlsx", cut=cut[0] if cut else None))
            if cut:
                later = wb.worksheets[wb.worksheets.index(ws) + 1 :]
                if later:  # the bound is per file: the sheets after are not read either
                    sheets[-1].cut = Cut(cut[0].last_line, cut[0].limit, cut[0].passed_over, True)
                break
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        return [Sheet(None, [], [Problem(rel, None, "unreadable-file", f"{rel}: a damaged .xlsx workbook ({exc})")])]
    finally:
        wb.close()
    if formulas:
        _cached_values(data, sheets, formulas)
    if not sheets or not any(any(row.cells) for s in sheets for row in s.rows):
        return [Sheet(None, [], [Problem(rel, 1, "empty-file", f"{rel}, line 1: the workbook has no filled cell")])]
    return sheets


def _cached_values(data: bytes, sheets: list[Sheet], formulas: dict[str, list[tuple[int, int]]]) -> None:
    """Replace formula text by the value Excel cached for it, where there is one."""
    try:
        wb = _open(data, data_only=True)
    except (MemoryError, limits.LimitExceeded):
        raise
    except Exception:
        return
    try:
        by_name = {s.name: s for s in sheets}
        for title, where in formulas.items():
            cached = {r: cells for r, cells in _cached_rows(wb[title])}
            rows = by_name[title].rows
            for r, c in where:
                line = rows[r].line
                if line in cached and c < len(cached[line]) and cached[line][c].value is not None:
                    text = _text(cached[line][c])
                    cells = rows[r].cells
                    if c < len(cells):
                        cells[c] = text
    finally:
        wb.close()


def _cached_rows(ws):
    """The rows of the cached-values copy: only those holding cells (the first pass counted them)."""
    ws.reset_dimensions()
    for r, cells in enumerate(ws.iter_rows(), 1):
        if r % 4096 == 0:
            limits.check_time()
        if cells:
            yield r, cells
