"""Which tables of a document (web page, Word file, PDF) hold declarations, and which read as one.

A document gives one optional sheet per table (:func:`analysis.ingest.grid.document_sheet`).
Walking them in order, with the one parser as the judge:

- a table that continues the form read so far (the parser finds no new declaration in it, and
  it adds fields or indicators: the budget table or the indicator table of a form printed as
  several tables, or the part of a table after a page break that the PDF reader could not join)
  is read together with it, the text between the two included (a ``2021年绩效目标`` heading);
- a table in which the parser finds a declaration of its own (an indicator table, three filled
  fields, or a project with its unit, its department or its year) starts a form; the text
  printed before it is tried before its rows (its title and ``（2021年度）`` line; else the
  nearest earlier heading naming the form and a year) and kept where it adds no declaration and
  no stray row, or where it is what makes the table a form (a title over a table that prints none);
- any other table (navigation, a page footer, a disclosure's budget tables) is passed over.

Each form becomes one sheet; its rows are numbered from its first table's first row on, through
the text and tables that continue it, and keep their table number and page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.ingest.grid import Row, Sheet, drop_repeated_header
from analysis.ingest.parse import split_declarations
from analysis.ingest.vocabulary import names_form_not_analysed
from analysis.problems import Problem

#: text before a table tried as its title lines: the last few short paragraphs
_MAX_PREAMBLE, _MAX_PREAMBLE_CHARS = 6, 80
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
#: a disclosure's section heading: 五、项目支出绩效目标表, 第五部分 …, without a year
_SECTION = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十\d]+部分)(?!.*(?:19|20)\d{2}\s*年)"
)


@dataclass
class _Score:
    declarations: int
    substance: int  # filled fields and indicators
    noise: int  # rows outside any declaration and problems the parser raised
    #: a declaration with an indicator table, at least three filled fields, or a project with its
    #: unit, its department or its year
    holds: bool


def _filled(value) -> bool:
    text = value[0] if isinstance(value, tuple) else value
    return bool(text) and bool(str(text).strip())


def _score(rows: list[Row], rel: str) -> _Score:
    raws, stray = split_declarations(rows, rel)
    substance = noise = 0
    holds = False
    for raw in raws:
        fields = {k for k, v in getattr(raw, "fields", {}).items() if k != "money_unit" and _filled(v)}
        indicators = len(getattr(raw, "indicators", []))
        substance += len(fields) + indicators
        noise += len(getattr(raw, "problems", []))
        holds = (
            holds
            or bool(indicators)
            or bool(getattr(raw, "has_table", False))
            or len(fields) >= 3
            or (
                "project" in fields
                and (bool(fields & {"unit", "department"}) or getattr(raw, "year", None) is not None)
            )
        )
    return _Score(len(raws), substance, noise + len(stray), holds)


def _names_form(text: str) -> bool:
    """A line naming the form (项目支出绩效目标表, …绩效目标申报表)."""
    return "绩效目标" in text and "表" in text


def _is_title(text: str) -> bool:
    """A heading naming the form and its year (2021年度项目支出绩效目标表)."""
    return _names_form(text) and bool(_YEAR.search(text))


def _renumber(rows: list[Row], offset: int) -> list[Row]:
    return [Row(r.line + offset, r.cells, r.table, r.page) for r in rows]


class _Form:
    def __init__(self, sheet: Sheet, rows: list[Row], score: _Score):
        self.first = sheet
        self.last = sheet
        self.rows = rows
        self.score = score

    def sheet(self) -> Sheet:
        a, b = self.first, self.last
        name = f"table {a.table}" if a.table == b.table else f"tables {a.table}-{b.table}"
        pages = sorted({r.page for r in self.rows if r.page is not None})
        if pages:
            name += f", page {pages[0]}" if len(pages) == 1 else f", pages {pages[0]}-{pages[-1]}"
        return Sheet(name, self.rows, [], a.encoding, table=a.table, page=a.page, container=a.container)


def assemble(sheets: list[Sheet], rel: str) -> tuple[list[Sheet], int]:
    """The forms found in the optional ``sheets`` of one document, each as one sheet, and the
    number of tables passed over. (The sheets' problems are the caller's.)"""
    forms: list[_Form] = []
    aside: list[_Form] = []  # forms not analysed (部门整体支出绩效目标表)
    current: _Form | None = None
    passed = 0
    titles: list[Row] = []  # headings naming 绩效目标 and a year, seen so far
    for sheet in sheets:
        between = [Row(1, r.cells, r.table, r.page) for r in sheet.between]
        if current is not None and _continue(current, sheet, between, rel):
            titles.extend(r for r in between if _is_title(r.cells[0]))
            continue
        if _not_analysed(sheet, between):
            current = _Form(sheet, sheet.rows, _score(sheet.rows, rel))
            aside.append(current)  # the tables that continue it go with it
            continue
        alone = _score(sheet.rows, rel)
        best_rows, best = sheet.rows, alone
        for pre in _preambles(between, titles):
            rows = [Row(1, r.cells, sheet.table, sheet.page) for r in pre] + sheet.rows
            s = _score(rows, rel)
            # the text before it adds no declaration and no stray row, or it makes the table a
            # form (a title over a table that has none: 项目绩效目标表 over one row per indicator)
            if (s.declarations == alone.declarations and s.noise <= alone.noise) or (
                not alone.holds and s.holds and s.declarations >= 1
            ):
                best_rows, best = rows, s
                break
        if not best.holds:
            passed += 1
            titles.extend(r for r in between if _is_title(r.cells[0]))
            continue
        titles.extend(r for r in between if _is_title(r.cells[0]))
        current = _Form(sheet, best_rows, best)
        forms.append(current)
    if aside and sheets:
        where = sorted({r.page for f in aside for r in f.rows if r.page is not None})
        at = f" (page(s) {', '.join(map(str, where))})" if where else ""
        sheets[0].problems.append(
            Problem(
                rel,
                aside[0].rows[0].line if aside[0].rows else 1,
                "form-not-analysed",
                f"{rel}: {len(aside)} 部门整体支出绩效目标表 (a department's targets as a whole, no project){at} "
                "not analysed; passed over",
            )
        )
    return [f.sheet() for f in forms], passed


def _not_analysed(sheet: Sheet, between: list[Row]) -> bool:
    """Whether a table is one of a form not analysed: its title (the short text before it, or
    its own first rows) names one."""
    before = [r.cells[0] for r in between if len(r.cells[0]) <= _MAX_PREAMBLE_CHARS][-3:]
    own = [c for r in sheet.rows[:2] for c in r.cells if c.strip()][:3]
    return any(names_form_not_analysed(t) for t in before + own)


def _preambles(between: list[Row], titles: list[Row]) -> list[list[Row]]:
    """Text to try before a table that starts a form, the most first: the last short paragraphs
    before it (dropping from the front: a section heading of the document, a page number), each
    with the nearest earlier heading naming 绩效目标 and a year where they have none."""
    short = [r for r in between if len(r.cells[0]) <= _MAX_PREAMBLE_CHARS][-_MAX_PREAMBLE:]
    nearest = [titles[-1]] if titles else []
    out = []
    for i in range(len(short)):
        tail = short[i:]
        if _SECTION.match(tail[0].cells[0]) and sum(_names_form(r.cells[0]) for r in tail) > 1:
            continue  # a section heading naming the forms (五、项目支出绩效目标表) before the form's own title
        out.append(tail if any(_names_form(r.cells[0]) for r in tail) or not nearest else nearest + tail)
    out.extend([r] for r in reversed(short) if _is_title(r.cells[0]))
    if nearest:
        out.append(nearest)
    return out


def _continue(form: _Form, sheet: Sheet, between: list[Row], rel: str) -> bool:
    """Join ``sheet`` to ``form`` when that adds fields or indicators (more than it adds stray
    rows and problems) and no declaration. Tried: the text between them and the table, each
    after a blank row as in a text export of the page (the blank ends prose and an indicator
    table, as the end of a table does); then the table alone after a blank row. (A table that
    goes on after a page break is joined by the PDF reader, which sees the page.)"""
    top = max(r.line for r in form.rows)
    _, dropped = drop_repeated_header([r.cells for r in form.rows], [r.cells for r in sheet.rows])
    body = sheet.rows[dropped:]
    blank = [Row(1, [], sheet.table, sheet.page)]
    options = []
    for text in ((blank + between + blank) if between else blank, blank):
        text = [Row(top + i, r.cells, r.table, r.page) for i, r in enumerate(text, 1)]
        rows = form.rows + text + _renumber(body, top + len(text))
        options.append((rows, _score(rows, rel)))
    base = form.score
    ok = [
        (rows, s)
        for rows, s in options
        if s.declarations == base.declarations and s.substance - base.substance > max(0, s.noise - base.noise)
    ]
    if not ok:
        return False
    rows, s = max(ok, key=lambda o: o[1].substance - o[1].noise)  # the first of equals
    form.rows, form.score, form.last = rows, s, sheet
    return True
