"""The grid of cells every format is read into, and what the parser reads from.

Whatever the container (a text export, a workbook, a web page, a Word file, a PDF), a file
becomes a list of :class:`Sheet` s, each a list of :class:`Row` s: the 1-based line (or
spreadsheet or table row) where the row starts and its cells as strings, merged cells
expanded the way a text export does it (the value in the top-left cell, blanks in the cells it
covered). From here on, one parser reads them all.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from analysis.problems import Problem


@dataclass
class Row:
    line: int
    cells: list[str]


@dataclass
class Sheet:
    name: str | None
    rows: list[Row]
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None


def cell_text(value) -> str:
    """A spreadsheet cell's value as the text a text export would show."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
