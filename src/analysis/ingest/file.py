"""One file → its declarations, indicators and problems (:func:`read_one`), within the bounds
of :mod:`~analysis.ingest.limits`: what a worker runs for each file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from analysis.ingest import limits as lim
from analysis.ingest.build import IndicatorRow, build_declaration, content_hash, short, where
from analysis.ingest.document import assemble
from analysis.ingest.grid import Row, Sheet
from analysis.ingest.html import HTML_SUFFIXES
from analysis.ingest.limits import Limits
from analysis.ingest.parse import RawDeclaration, split_declarations
from analysis.ingest.readers import read_file
from analysis.problems import ERROR, Problem
from analysis.tables import INDICATORS_SCHEMA

# ---------------------------------------------------------------------------------------------
# one file


@dataclass
class FileResult:
    rel: str
    declarations: list[dict] = field(default_factory=list)
    indicators: list[list[IndicatorRow]] = field(default_factory=list)  # per declaration
    hashes: list[bytes] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    found: int = 0
    encoding: str | None = None
    #: declarations found whose rows could not be built (each a ``declaration-failed`` error)
    failed_declarations: int = 0
    #: the code of the error that stopped the whole file (parse-failed, file-too-large, ...)
    failed: str | None = None
    #: the indicators as one Arrow table (``indicators`` then empty) and how many rows each
    #: declaration has in it: what a worker sends back, a tenth of the memory of the dicts
    indicator_table: pa.Table | None = None
    indicator_counts: list[int] = field(default_factory=list)
    #: a web page holding no declaration table: passed over without a problem, counted
    page_without_declaration: bool = False
    #: the Parquet part holding this file's rows, when a :class:`PartSink` took them (then
    #: ``declarations`` hold only what the de-duplication needs, and ``indicator_table`` is None)
    part: str | None = None
    #: per code, the problems of the file left out of its rows by folding (one row counts them)
    folded: dict[str, int] = field(default_factory=dict)
    #: declarations taken from the ingest's cache whose id no other declaration of the run has:
    #: kept without a comparison, and not in ``declarations`` (nor their hashes in ``hashes``)
    settled: int = 0

    def indicator_dicts(self) -> list[list[dict]]:
        """The indicator rows of each declaration as dicts of their columns (before :meth:`pack`)."""
        return [[ind._asdict() for ind in inds] for inds in self.indicators]

    def pack(self) -> FileResult:
        """Move the indicator rows into :attr:`indicator_table`."""
        if self.indicator_table is None:
            self.indicator_counts = [len(inds) for inds in self.indicators]
            self.indicator_table = arrow_rows([i for inds in self.indicators for i in inds], INDICATORS_SCHEMA)
            self.indicators = []
        return self


def arrow_rows(rows: list[IndicatorRow], schema: pa.Schema) -> pa.Table:
    """An Arrow table of ``schema`` from rows given as records (:class:`IndicatorRow`), each
    column taken by its name."""
    by_name = dict(zip(rows[0]._fields, zip(*rows))) if rows else {}
    columns = [by_name[f.name] if rows else () for f in schema]
    try:
        return pa.table([pa.array(c, type=f.type) for c, f in zip(columns, schema)], schema=schema)
    except (UnicodeEncodeError, pa.ArrowInvalid):  # a string no table can hold: show its bad bytes
        safe = [[lim.safe_text(v) if isinstance(v, str) else v for v in c] for c in columns]
        return pa.table([pa.array(c, type=f.type) for c, f in zip(safe, schema)], schema=schema)


def arrow_dicts(rows: list[dict], schema: pa.Schema) -> pa.Table:
    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except (UnicodeEncodeError, pa.ArrowInvalid):  # a string no table can hold: show its bad bytes
        return pa.Table.from_pylist(
            [{k: lim.safe_text(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows], schema=schema
        )


#: problem codes that say a file gave no declaration at all
FILE_FAULTS = (
    "no-declaration",
    "empty-file",
    "undecodable",
    "unreadable-file",
    "unsupported-format",
    "parse-failed",
    "file-too-large",
    "file-timeout",
    "no-text-layer",
)


def parsed_sheets(path: Path, rel: str) -> tuple[list[Sheet], list[Sheet]]:
    """The sheets the parser reads from one file: a text file's or a workbook's as they are;
    of a web page, Word file or PDF the forms made of its tables that hold declarations
    (:func:`analysis.ingest.document.assemble`). Also the sheets as read (with the problems)."""
    sheets = read_file(path, rel)
    documents = [s for s in sheets if s.optional]
    if not documents:
        return sheets, sheets
    forms, _passed = assemble([s for s in documents if s.rows], rel)
    return [s for s in sheets if not s.optional] + forms, sheets


def read_declarations(path: Path, rel: str) -> FileResult:  # noqa: PLR0915 - reading one file is one sequence of steps (container, rows, forms, rows built), each a call
    """Read one file completely: its declarations, indicators and problems.

    A declaration whose rows cannot be built (a fault of the ingest on one odd cell) is a
    ``declaration-failed`` problem; the others of the file are kept. Bounds of
    :mod:`~analysis.ingest.limits` (when a budget is current) raise
    :class:`~analysis.ingest.limits.LimitExceeded`."""
    res = FileResult(rel)
    sheets, read = parsed_sheets(path, rel)
    lim.check_totals(sum(len(s.rows) for s in read), sum(len(r.cells) for s in read for r in s.rows))
    for sheet in read:
        res.problems.extend(sheet.problems)
        res.encoding = res.encoding or sheet.encoding
    documents = [s for s in read if s.optional]
    raws: list[tuple[RawDeclaration, dict[int, Row]]] = []
    orphans = 0
    first_orphan = None
    any_rows = False
    first_text = None
    for sheet in sheets:
        if sheet.rows:
            any_rows = True
            if first_text is None:
                first_text = next((r.line for r in sheet.rows if any(c.strip() for c in r.cells)), None)
        found, stray = split_declarations(sheet.rows, rel, sheet.name)
        lim.check_time()
        if sheet.cut is not None:
            found = complete_before_cut(found, sheet, rel, res.problems)
        at = {}
        if sheet.table is not None:  # where in the document each line was printed
            for row in reversed(sheet.rows):
                at[row.line] = row
        raws.extend((raw, at) for raw in found)
        if stray:
            orphans += len(stray)
            first_orphan = first_orphan or stray[0].line
    if not raws:
        if documents and not any(p.severity == ERROR for p in res.problems):
            container = documents[0].container
            if container == "html" and Path(rel).suffix.lower() in HTML_SUFFIXES:
                res.page_without_declaration = True  # a page or README beside the data: nothing lost
            else:
                what = {"docx": "Word file", "pdf": "PDF", "html": "web page"}.get(container, "document")
                res.problems.append(
                    Problem(
                        rel,
                        1,
                        "no-declaration",
                        f"{rel}: the {what} holds no table with a declaration "
                        f"(no 绩效目标表 title, no 项目名称 row, no indicator table)",
                    )
                )
        elif any_rows and not any(p.severity == ERROR for p in res.problems):
            line = first_text or 1
            res.problems.append(
                Problem(
                    rel,
                    line,
                    "no-declaration",
                    f"{rel}, line {line}: the file holds text but no declaration "
                    f"(no 绩效目标表 title, no 项目名称 row)",
                )
            )
        return res
    if orphans:
        res.problems.append(
            Problem(
                rel,
                first_orphan,
                "unrecognized-row",
                f"{rel}, line {first_orphan}: {orphans} row(s) outside any declaration; ignored",
            )
        )
    for raw, at in raws:
        res.found += 1
        lim.check_time()
        try:
            built = build_declaration(raw)
            h = content_hash(built.row, built.pieces) if built.row is not None else None
        except lim.LimitExceeded:
            raise
        except Exception as exc:  # noqa: BLE001 - one odd declaration must not cost the others
            res.failed_declarations += 1
            res.problems.append(
                Problem(
                    rel,
                    raw.source_line,
                    "declaration-failed",
                    f"{where(raw)}: the declaration could not be read ({type(exc).__name__}: "
                    f"{short(str(exc), 200)}); it is not in the tables",
                )
            )
            continue
        res.problems.extend(built.problems)
        row, inds = built.row, built.indicators
        if row is not None:
            if at:
                start = at.get(raw.source_line)
                row["source_table"] = start.table if start else None
                row["source_page"] = start.page if start else None
                inds = [ind._replace(source_page=_page(at, ind.source_line)) for ind in inds]
            res.declarations.append(row)
            res.indicators.append(inds)
            res.hashes.append(h)
    return res


def _page(at: dict[int, Row], line: int) -> int | None:
    printed = at.get(line)
    return printed.page if printed else None


def _last_line(raw: RawDeclaration) -> int:
    lines = [raw.source_line, *(v[1] for v in raw.fields.values()), *(i.line for i in raw.indicators)]
    return max(lines)


def complete_before_cut(found: list[RawDeclaration], sheet: Sheet, rel: str, problems: list[Problem]) -> list:
    """The declarations of a sheet the row bound cut (:class:`~analysis.ingest.grid.Cut`)
    that are complete before the cut: the last one is left out when it runs up to the last
    row read (the cut may fall inside it). Adds the ``truncated-file`` problem saying the
    bound, the rows passed over and what was left out."""
    cut = sheet.cut
    dropped = None
    if found and _last_line(found[-1]) >= cut.last_line:
        dropped = found.pop()
    where = f" of sheet {sheet.name!r}" if sheet.name else ""
    passed = f"{'at least ' if cut.at_least else ''}{cut.passed_over:,}"
    message = (
        f"{rel}, line {cut.last_line + 1}{where}: more than {cut.limit:,} rows (the limit per file); "
        f"the rows from here on are not read ({passed} rows passed over)"
        + (f"; the {len(found)} declaration(s) before it are read" if found else "")
        + (
            f"; the declaration at line {dropped.source_line}, which runs up to the limit, is left out"
            if dropped is not None
            else ""
        )
    )
    problems.append(Problem(rel, cut.last_line + 1, "truncated-file", message))
    return found


def read_one(path: Path | str, rel: str, limits: Limits = lim.DEFAULT, pack: bool = True) -> FileResult:
    """:func:`read_declarations` within the bounds of ``limits``; whatever goes wrong with
    the file becomes a problem row instead of ending the run: ``file-too-large`` or
    ``file-timeout`` past a bound, ``parse-failed`` for a fault of the ingest itself. Problems
    of one code beyond ``limits.repeat_warnings`` are folded into one row (:func:`~analysis.ingest.limits.fold`). The
    indicator rows are packed into one Arrow table (:meth:`FileResult.pack`) unless ``pack`` is
    False (a :class:`PartSink` makes one table of a whole chunk's rows)."""
    path = Path(path)
    with lim.budget(limits, rel):
        try:
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode):
                raise OSError(f"{rel}: not a regular file")
            if limits.max_bytes is not None and st.st_size > limits.max_bytes:
                raise lim.LimitExceeded(
                    f"{st.st_size / lim.MiB:,.1f} MiB (the limit per file is {limits.max_bytes / lim.MiB:,.0f} MiB)"
                )
            res = read_declarations(path, rel)
        except lim.LimitExceeded as exc:
            res = failed_file(rel, exc.code, f"{exc}; the file is not read")
        except MemoryError:
            res = failed_file(rel, "file-too-large", "reading it ran out of memory; the file is not read")
        except Exception as exc:  # noqa: BLE001 - one odd file must not stop the others
            res = failed_file(
                rel,
                "parse-failed",
                f"the file could not be parsed ({type(exc).__name__}: "
                f"{short(str(exc), 200)}); none of its declarations are in the tables",
            )
    res.problems, res.folded = lim.fold(res.problems, limits.repeat_warnings)
    return res.pack() if pack else res


def failed_file(rel: str, code: str, message: str) -> FileResult:
    """The result of a file that gave nothing: one problem row ``code``."""
    res = FileResult(rel, failed=code)
    res.problems.append(Problem(rel, None if code == "parse-failed" else 1, code, f"{rel}: {message}"))
    return res
