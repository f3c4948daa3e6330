"""Bounds on what one input file may cost, and the guards that hold them.

A hostile or broken file must cost at most its own bounds: a size, rows and cells, the
uncompressed size of a workbook's parts, and seconds. A file over one of them becomes one
problem row (``file-too-large`` or ``file-timeout``) and the run goes on with the next file.

The bounds are a :class:`Limits` (defaults below; ``ingest(limits=...)`` and the ingest's
command-line options change them). While a file is read, a per-file :class:`Budget` is the
current one (:func:`budget`); readers call :func:`charge` as they produce rows (and
:func:`check_zip` before opening a workbook), which raises :class:`LimitExceeded` as soon as a
bound is passed, so nothing is built beyond it. The seconds are checked in the same calls
(a cooperative deadline); the worker pool (:mod:`analysis.ingest.workers`) also kills a worker
that overruns it, for a parse stuck where no check runs.

Also here: names of files that are no UTF-8 made printable (:func:`display_name`), and repeated
problems of one code in one file beyond a number folded into one row (:func:`fold`).
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
import time
import zipfile
from collections import Counter
from dataclasses import dataclass

from analysis.errors import AnalysisError
from analysis.problems import ERROR, Problem

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What one input file may cost; ``None`` switches a bound off."""

    #: bytes of the file on disk
    max_bytes: int | None = 64 * MiB
    #: bytes of a workbook's parts once uncompressed (a zip bomb is refused before it is opened)
    max_unzipped: int | None = 128 * MiB
    #: rows (lines of text, spreadsheet rows) of the whole file, all sheets together
    max_rows: int | None = 50_000
    #: cells of the whole file
    max_cells: int | None = 500_000
    #: seconds to read one file (a worker still busy after 1.5 times this is killed)
    seconds: float | None = 60.0
    #: problems (warnings and errors) of one code in one file kept one by one; the rest are
    #: counted in one row
    repeat_warnings: int | None = 20

    def hard_deadline(self) -> float | None:
        """Seconds after which a worker still reading one file is killed."""
        return None if self.seconds is None else self.seconds * 1.5 + 2.0


DEFAULT = Limits()


class LimitExceeded(AnalysisError):
    """A file passed one of its bounds; the message says which."""

    code = "file-too-large"


class FileTimeout(LimitExceeded):
    code = "file-timeout"


class Budget:
    """What one file has used so far."""

    def __init__(self, limits: Limits, rel: str):
        self.limits, self.rel = limits, rel
        self.rows = self.cells = 0
        self.started = time.monotonic()
        self.deadline = None if limits.seconds is None else self.started + limits.seconds

    def charge(self, rows: int = 0, cells: int = 0) -> None:
        self.rows += rows
        self.cells += cells
        self.check(self.rows, self.cells)

    def check(self, rows: int, cells: int) -> None:
        lim = self.limits
        if lim.max_rows is not None and rows > lim.max_rows:
            raise LimitExceeded(f"more than {lim.max_rows:,} rows (the limit per file)")
        if lim.max_cells is not None and cells > lim.max_cells:
            raise LimitExceeded(f"more than {lim.max_cells:,} cells (the limit per file)")
        self.check_time()

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise FileTimeout(f"still not read after {self.limits.seconds:g} s (the limit per file)")


_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("ingest_budget", default=None)


@contextlib.contextmanager
def budget(limits: Limits, rel: str):
    """Make a fresh budget for file ``rel`` the current one while the block runs."""
    token = _current.set(Budget(limits, rel))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def charge(rows: int = 0, cells: int = 0) -> None:
    """Count rows and cells against the current file's bounds (and check its clock); raise
    :class:`LimitExceeded` past them. A no-op outside :func:`budget`."""
    b = _current.get()
    if b is not None:
        b.charge(rows, cells)


def check_time() -> None:
    b = _current.get()
    if b is not None:
        b.check_time()


def check_totals(rows: int, cells: int) -> None:
    """Check a file's totals after a reader that counts nothing (without adding them)."""
    b = _current.get()
    if b is not None:
        b.check(max(rows, b.rows), max(cells, b.cells))


def charge_text(text: str) -> None:
    """Count the lines and cells of decoded text before it is split into rows, so a file of
    millions of short lines is refused before millions of rows are built (see also
    :func:`cut_text`)."""
    b = _current.get()
    if b is None:
        return
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if "\r" in text:
        lines += text.count("\r") - text.count("\r\n")
    b.charge(lines, lines + text.count("\t"))


def rows_left() -> int | None:
    """Rows the current file may still give before its row bound (``None``: no bound)."""
    b = _current.get()
    if b is None or b.limits.max_rows is None:
        return None
    return max(0, b.limits.max_rows - b.rows)


def cut_text(text: str) -> tuple[str, int]:
    """``text`` (line ends made LF) within the row bound: its lines up to the bound, and how
    many lines after them are left unread (0 when the whole text is within it). A file over
    the bound keeps what it holds before it (see :class:`~analysis.ingest.grid.Cut`)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    left = rows_left()
    if left is None:
        return text, 0
    pos = -1
    for _ in range(left):
        pos = text.find("\n", pos + 1)
        if pos == -1:
            return text, 0
    rest = text[pos + 1 :]
    if not rest:
        return text, 0
    return text[: pos + 1], rest.count("\n") + (0 if rest.endswith("\n") else 1)


def current_limits() -> Limits:
    b = _current.get()
    return b.limits if b is not None else DEFAULT


def check_zip(data: bytes, what: str = "the workbook") -> None:
    """Refuse a zip container whose parts uncompress to more than the bound, before any part
    is opened: every part and all of them together. The sizes come from the zip's directory;
    :mod:`zipfile` never returns more than a part declares (a part that lies fails its CRC
    check), so the declared sizes bound what can be read."""
    lim = current_limits()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # the reader reports a damaged file
    if len(infos) > 10_000:
        raise LimitExceeded(f"{what} holds {len(infos):,} parts (the limit per file is 10,000)")
    if lim.max_unzipped is None:
        return
    for i in infos:
        if i.file_size > lim.max_unzipped:
            raise LimitExceeded(
                f"{what}'s part {i.filename} uncompresses to {i.file_size / MiB:,.0f} MiB "
                f"(the limit of uncompressed parts is {lim.max_unzipped / MiB:,.0f} MiB; a zip bomb?)"
            )
    total = sum(i.file_size for i in infos)
    if total > lim.max_unzipped:
        raise LimitExceeded(
            f"{what} uncompresses to {total / MiB:,.0f} MiB "
            f"(the limit of uncompressed parts is {lim.max_unzipped / MiB:,.0f} MiB; a zip bomb?)"
        )


def max_elements() -> int | None:
    """Markup elements one file may hold once parsed into a tree (an element costs some 120
    bytes in lxml): four per cell of the cell bound."""
    lim = current_limits()
    return None if lim.max_cells is None else 4 * lim.max_cells


def count_elements(chunks, limit: int | None, what: str, start: int = 0) -> int:
    """Count the opening tags of markup given as byte chunks (a zip part streamed as it
    inflates), before it is parsed, from ``start``; raise :class:`LimitExceeded` past
    ``limit``. The clock is checked as it goes."""
    n = start
    for chunk in chunks:
        n += chunk.count(b"<") - chunk.count(b"</") - chunk.count(b"<?") - chunk.count(b"<!")
        if limit is not None and n > limit:
            raise LimitExceeded(f"{what} holds more than {limit:,} markup elements (the limit per file: 4 per cell)")
        check_time()
    return n


def check_zip_markup(data: bytes, parts, what: str, limit: int | None = None) -> None:
    """Count the elements of the zip parts whose name ``parts(name)`` accepts (all together),
    inflating them piece by piece, before a reader parses them into trees."""
    limit = max_elements() if limit is None else limit
    if limit is None:
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    total = 0
    with zf:
        for info in zf.infolist():
            if not parts(info.filename):
                continue
            try:
                with zf.open(info) as f:
                    total = count_elements(iter(lambda f=f: f.read(1 << 20), b""), limit, what, total)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
                return  # the reader reports a damaged file


def check_grid(rows: int, columns: int, what: str = "a table") -> None:
    """Check a grid of ``rows`` by ``columns`` cells (merged cells expanded) against the cell
    bound before it is made: a table of a few bytes can span millions of cells. (The cells
    the reader fills are counted with :func:`charge`.)"""
    b = _current.get()
    if b is None:
        return
    lim = b.limits
    if lim.max_cells is not None and rows * columns > lim.max_cells:
        raise LimitExceeded(
            f"{what} of {rows:,} rows by {columns:,} columns (merged cells expanded) is more than "
            f"{lim.max_cells:,} cells (the limit per file)"
        )


# ----------------------------------------------------------------------------- file names


def display_name(rel: str) -> tuple[str, str | None]:
    """A path as it can be stored and shown: names that are no UTF-8 (a GBK archive unpacked
    on Linux) arrive from the OS with surrogate escapes, which no table can hold; their bad
    bytes are shown as ``\\xb2`` escapes. Returns ``(name, note)``; ``note`` says what was done
    (and how the name reads as GB18030) or is ``None`` for a clean name."""
    try:
        rel.encode("utf-8")
        return rel, None
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(rel)
    shown = raw.decode("utf-8", errors="backslashreplace")
    note = f"the file name is not UTF-8; its bad bytes are shown as \\x escapes ({shown})"
    try:
        note += f"; as GB18030 it reads {raw.decode('gb18030')!r}"
    except UnicodeDecodeError:
        pass
    return shown, note


def safe_text(value: str) -> str:
    """``value`` with any lone surrogate shown as an escape (Parquet holds UTF-8 only)."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", errors="backslashreplace").decode("utf-8")


# ----------------------------------------------------------------------------- repeated problems


def fold(problems: list[Problem], keep: int | None) -> tuple[list[Problem], dict[str, int]]:
    """Keep the first ``keep`` problems of each code (errors as warnings: a line of 400,000
    ``项目名称：`` cells is 400,000 missing fields); the others of a code become one row at
    the place of the first left out, saying how many (``and 399,980 more``). Returns the rows
    and, per code, how many findings were left out of them (the ledger counts them)."""
    if keep is None:
        return problems, {}
    counts = Counter(p.code for p in problems)
    if all(n <= keep for n in counts.values()):
        return problems, {}
    out: list[Problem] = []
    seen: Counter = Counter()
    folded: dict[str, list] = {}
    for p in problems:
        if counts[p.code] <= keep:
            out.append(p)
            continue
        seen[p.code] += 1
        if seen[p.code] <= keep:
            out.append(p)
        elif p.code not in folded:
            folded[p.code] = [len(out), p]
            out.append(p)  # replaced below
    left_out: dict[str, int] = {}
    for code, (i, first) in folded.items():
        more = counts[code] - keep
        left_out[code] = more - 1  # the row itself stands for one of them
        kind = "error(s)" if first.severity == ERROR else "warning(s)"
        where = f"line {first.source_line}" if first.source_line is not None else "the file"
        message = first.message if len(first.message) <= 200 else first.message[:199] + "…"
        out[i] = Problem(
            first.source_file,
            first.source_line,
            code,
            f"{first.source_file}: and {more:,} more {code} {kind} in this file, the first at {where} "
            f"({message}); only the first {keep} are listed one by one",
            first.decl_id,
        )
    return out, left_out


def fold_repeats(problems: list[Problem], keep: int | None) -> list[Problem]:
    """The rows of :func:`fold`."""
    return fold(problems, keep)[0]
