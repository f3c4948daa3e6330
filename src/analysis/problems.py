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
    "bad-bytes": (WARNING, "a few bytes are no text in the file's encoding (a damaged file): shown as U+FFFD, control characters removed"),
    "unclosed-quote": (WARNING, "a cell opens a double quote that never closes; the quote is kept as text"),
    # declarations
    "missing-field": (ERROR, "a required field (unit, year or project) is missing: the declaration is not in the tables"),
    "duplicate-declaration": (WARNING, "the same declaration appears in more than one place; kept once"),
    "conflicting-declaration": (ERROR, "another declaration with the same unit, year and project has different content; only the first is kept"),
    "year-mismatch": (WARNING, "the year of the header and of the target heading differ"),
    "year-inferred": (WARNING, "the declaration prints no year; it is taken from the date printed on the form or from the file's name"),
    "unknown-field": (WARNING, "a labelled field this project does not know; its value is not in the tables"),
    "bad-amount": (WARNING, "an amount that is no number; stored as null"),
    "bad-date": (WARNING, "a date in no known format; stored as null"),
    "bad-boolean": (WARNING, "a 是/否 field with another value; stored as null"),
    "missing-amount": (WARNING, "the total or the year budget is blank, or no amount is printed"),
    "amount-unit-assumed": (WARNING, "no money unit (元/万元) is printed for an amount; the unit read is said in the message"),
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
