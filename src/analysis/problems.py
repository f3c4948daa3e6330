"""Findings about the input: every one becomes a row of ``problems.parquet``.

Each finding has a stable ``code`` (a slug analysts can filter on), a ``severity``
(``error``: something could not be read and is missing from the tables; ``warning``:
read, but suspicious) and a message saying what is wrong and where.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"

#: code -> (severity, meaning). The README's table of problem codes is made from this.
CODES: dict[str, tuple[str, str]] = {
    # files
    "empty-file": (ERROR, "the file is empty"),
    "unreadable-file": (ERROR, "the file could not be opened or read"),
    "undecodable": (ERROR, "the bytes are no text in any supported encoding (binary file?)"),
    "unsupported-format": (ERROR, "a file type that holds no declaration this project can read (e.g. old .xls)"),
    "parse-failed": (ERROR, "reading the file failed unexpectedly; its declarations are missing (please report it with the file)"),
    "no-declaration": (ERROR, "the file holds text but no declaration (no 绩效目标表 header nor 项目名称 row)"),
    "file-too-large": (ERROR, "the file is over a bound per file (size, uncompressed size, rows or cells; see the ingest's options); it is not read"),
    "file-timeout": (ERROR, "reading the file took longer than the time allowed per file; it is not read"),
    "bad-file-name": (WARNING, "the file name is not UTF-8 (an archive unpacked with another encoding); its bad bytes are shown as \\x escapes"),
    "bad-bytes": (WARNING, "a few bytes are no text in the file's encoding (a damaged file): shown as U+FFFD, control characters removed"),
    "unclosed-quote": (WARNING, "a cell opens a double quote that never closes; the quote is kept as text"),
    # declarations
    "missing-field": (ERROR, "a required field (unit, year or project) is missing: the declaration is not in the tables"),
    "declaration-failed": (ERROR, "reading one declaration failed unexpectedly; it is not in the tables, the others of its file are (please report it with the file)"),
    "duplicate-declaration": (WARNING, "the same declaration appears in more than one place; kept once"),
    "conflicting-declaration": (ERROR, "another declaration with the same unit, year and project has different content; only the first is kept"),
    "year-mismatch": (WARNING, "the year of the header and of the target heading differ"),
    "unknown-field": (WARNING, "a labelled field this project does not know; its value is not in the tables"),
    "bad-amount": (WARNING, "an amount that is no number; stored as null"),
    "bad-date": (WARNING, "a date in no known format; stored as null"),
    "bad-boolean": (WARNING, "a 是/否 field with another value; stored as null"),
    "negative-amount": (WARNING, "an amount below zero; kept as published, not compared with the other amounts"),
    "unsafe-characters": (WARNING, "a name holds bidi controls (U+202E …) or characters XML cannot hold (U+FFFF …); kept as published"),
    "missing-amount": (WARNING, "the total or the year budget is blank"),
    "year-over-total": (WARNING, "the year budget is above the total budget"),
    "executed-over-budget": (WARNING, "last year's executed amount is above last year's budget"),
    "dates-outside-year": (WARNING, "the planned period does not touch the declaration's year, or ends before it starts"),
    "text-budget-mismatch": (WARNING, "a budget stated in the text disagrees with the table"),
    # indicators
    "no-indicators": (WARNING, "the declaration has no indicator table or an empty one"),
    "truncated-table": (WARNING, "the input ends inside the indicator table; the last row is incomplete"),
    "shifted-row": (WARNING, "an indicator row arrived shifted left (its merged first cell dropped); read by what its cells are"),
    "missing-target": (WARNING, "an indicator without a target value"),
    "bad-target": (WARNING, "a target with an operator but no number"),
    "percent-over-100": (WARNING, "a percent target above 100"),
    "unrecognized-row": (WARNING, "a row inside a declaration that is neither a field nor an indicator; ignored"),
}


@dataclass(frozen=True)
class Problem:
    source_file: str
    source_line: int | None
    code: str
    message: str
    decl_id: str | None = None

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    def as_row(self) -> dict:
        row = asdict(self)
        row["severity"] = self.severity
        return row
