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

from analysis.ingest import limits
from analysis.problems import Problem


@dataclass(slots=True)
class Row:
    line: int
    cells: list[str]
    #: where the row was printed in a document of tables (web page, Word, PDF): the 1-based
    #: number of its table in the document and the PDF page; ``None`` for text and workbooks
    table: int | None = None
    page: int | None = None
    #: the line as read, for a row of a text file split at its tabs: what the parser's memo of
    #: row kinds is keyed by (rows repeat across thousands of files); ``None`` elsewhere
    key: str | None = None


@dataclass(frozen=True)
class Cut:
    """Where a file over the row bound was cut: the rows up to ``last_line`` are read, the
    ``passed_over`` after it are not (``at_least``: counted as far as time allowed)."""

    last_line: int
    limit: int
    passed_over: int
    at_least: bool = False


@dataclass
class Sheet:
    """One grid of rows: a text file, a worksheet, or one table of a document.

    A document of tables (web page, Word file, PDF) gives one sheet per table, ``optional``:
    such a sheet is read only where the parser finds a declaration in it (navigation, page
    footers and a disclosure's budget tables are passed over), and consecutive tables of one
    form are read as one (:mod:`analysis.ingest.document`). ``between`` holds the text printed
    between the previous table and this one (headings, a ``（2021年度）`` line), one row a
    paragraph: where the table lacks its title and year, they are there.
    """

    name: str | None
    rows: list[Row]
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    #: the 1-based table number in the document and PDF page where it starts
    table: int | None = None
    page: int | None = None
    optional: bool = False
    between: list[Row] = field(default_factory=list)
    #: the container, for the summary and for files that may hold no declaration ("html", "docx", "pdf", "xls")
    container: str | None = None
    #: set when the file's row bound ended this sheet early (the rows after it are not read)
    cut: Cut | None = None


def number_text(value, number_format: str | None) -> str:
    """A number as a spreadsheet prints it: percent formats give ``99%`` (0.99 stored)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (number_format or ""):
        return f"{value * 100:.10g}%"
    return cell_text(value)


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


#: spans beyond these are damaged markup, not a table (they would only cost memory)
MAX_ROWSPAN, MAX_COLSPAN = 1000, 200


def expand_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """A table given as rows of ``(text, rowspan, colspan)`` cells as a grid of strings, the
    way a text export writes merged cells: the value in the top-left cell of the span, blanks
    in the cells it covers. A cell is placed in the first column its row has free (cells of
    rows above may reach down into it); every row is padded to the table's width. Each span is
    counted against the file's cell bound (:mod:`~analysis.ingest.limits`) before it is
    expanded, and the padded grid before it is made."""
    grid: list[list[str | None]] = []
    width = 0
    for r, cells in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for text, rowspan, colspan in cells:
            line = grid[r]
            while c < len(line) and line[c] is not None:
                c += 1
            rowspan = max(1, min(rowspan, MAX_ROWSPAN, len(rows) - r))
            colspan = max(1, min(colspan, MAX_COLSPAN))
            limits.charge(0, rowspan * colspan)
            width = max(width, c + colspan)
            limits.check_grid(len(rows), width)
            for dr in range(rowspan):
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                if len(target) < c + colspan:
                    target.extend([None] * (c + colspan - len(target)))
                for dc in range(colspan):
                    target[c + dc] = text if (dr, dc) == (0, 0) else ""
            c += colspan
    width = max((len(g) for g in grid), default=0)
    return [[x or "" for x in g] + [""] * (width - len(g)) for g in grid]


def document_sheet(
    number: int,
    grid: list[list[str]],
    between: list[str],
    container: str,
    page: int | None = None,
    pages: list[int] | None = None,
    lines: list[int] | None = None,
    encoding: str | None = None,
) -> Sheet:
    """One table of a document as an optional sheet: its rows numbered from 1 (or ``lines``),
    ``pages`` the PDF page of each row, ``between`` the paragraphs before it."""
    rows = [
        Row(lines[i] if lines else i + 1, cells, number, pages[i] if pages else page) for i, cells in enumerate(grid)
    ]
    name = f"table {number}" + (f", page {page}" if page else "")
    return Sheet(
        name,
        rows,
        encoding=encoding or container,
        table=number,
        page=page,
        optional=True,
        between=[Row(1, [t], number, page) for t in between if t.strip()],
        container=container,
    )


def _row_key(cells: list[str]) -> tuple[str, ...]:
    key = ["".join(c.split()) for c in cells]
    while key and not key[-1]:
        key.pop()
    return tuple(key)


def drop_repeated_header(
    previous: list[list[str]], rows: list[list[str]], limit: int = 3
) -> tuple[list[list[str]], int]:
    """``rows`` (a table continued after a page break) without the leading rows that repeat a row
    printed before (a repeated title or column header); also how many were dropped."""
    seen = {_row_key(r) for r in previous}
    seen.discard(())
    n = 0
    while n < min(limit, len(rows)) and _row_key(rows[n]) in seen:
        n += 1
    return rows[n:], n
