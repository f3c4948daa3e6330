"""Splitting rows into declarations, and reading their fields and indicator tables.

Input: the rows of one sheet (see :mod:`analysis.readers`). Output: one
:class:`RawDeclaration` per declaration found, holding the published strings with the lines
they came from; turning them into typed values is :mod:`analysis.normalize`'s job.

A declaration starts at a title row (``财政项目支出绩效目标表``), or, where the header block is
printed only once for several declarations, at a ``项目名称`` row that follows a complete one.
Fields are recognised by their labels wherever they stand in a row (``label：`` + value in the
next cell, or ``label：value`` in one cell, one or two pairs a row). The indicator table begins
after its header row (``一级目标/二级目标/三级目标/指标目标值`` or ``一级指标/…/指标值``).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from analysis.ingest.normalize import is_level1, is_level2, nfkc, parse_target
from analysis.problems import Problem
from analysis.tables import PROSE as TEXT_FIELDS
from analysis.ingest.grid import Row

_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_PARENS = re.compile(r"[(（][^()（）]*[)）]")
#: a title cell (NFKC, no spaces): 财政项目支出绩效目标表, 2021年度…绩效目标申报表, …表(2021年度);
#: a sentence that merely mentions the form is no title
_TITLE = re.compile(r"^(?:\d{4}年度?)?[^。，,；;:]{0,20}?绩效目标(?:申报)?表(?:\(\d{4}年度?\))?$")
_YEAR_ROW = re.compile(r"^[(（]?(\d{4})年度?[)）]?$")
_TITLE_YEAR = re.compile(r"(\d{4})\s*年度?")
#: 一、 (二) 3. ① before a label or a heading
_ENUMERATOR = re.compile(r"^(?:[(（]?[一二三四五六七八九十]{1,3}[)）、.．]|[(（]?\d{1,2}[)）、．]|\d{1,2}\.(?!\d)|[①-⑳])")
_HEADING = re.compile(r"^(?:(?:[一二三四五六七八九十]{1,3}|\d{1,2})[、.．])?(?:本项目)?(?:(\d{4})年度?)?(?:年度)?(?:项目)?(?:绩效目标|绩效指标)(?:情况)?:?$")
#: a short row naming a part of the form (本项目上年度市级财政资金使用情况), not prose
_SECTION = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.]|\d{1,2}[、.])?[^。；;，,:]{2,30}(?:情况|信息|明细|附表|说明)$")
_MONEY_UNITS = {"元": "元", "万元": "万元", "亿元": "亿元"}

#: field label (NFKC, without spaces, colon and the parenthesised unit) -> column name
LABELS: dict[str, str] = {
    "申报单位名称": "unit", "申报单位": "unit", "单位名称": "unit", "预算单位": "unit", "预算单位名称": "unit",
    "项目名称": "project",
    "项目类别": "category", "项目类型": "category",
    "计划开始日期": "start_date", "项目开始日期": "start_date", "开始日期": "start_date",
    "计划完成日期": "end_date", "计划结束日期": "end_date", "项目完成日期": "end_date", "完成日期": "end_date",
    "是否含有政府购买服务": "gov_purchase", "是否含政府购买服务": "gov_purchase", "是否政府购买服务": "gov_purchase",
    "绩效类型": "perf_type",
    "项目概况": "overview",
    "立项依据": "basis",
    "项目设立的必要性": "necessity", "项目立项的必要性": "necessity", "必要性": "necessity",
    "保证项目实施的制度、措施": "measures", "保证项目实施的制度措施": "measures", "项目实施的制度、措施": "measures",
    "项目实施计划": "plan", "实施计划": "plan",
    "总目标及阶段性目标": "goals", "项目总目标及阶段性目标": "goals", "总目标": "goals",
    "项目总预算": "total_budget", "总预算": "total_budget", "项目预算总额": "total_budget", "预算总额": "total_budget",
    "项目总金额": "total_budget",
    "项目当年预算": "year_budget", "当年预算": "year_budget", "本年预算": "year_budget", "项目本年预算": "year_budget",
    "当年预算数": "year_budget", "本年度预算": "year_budget", "项目当年预算数": "year_budget",
    "同名项目上年预算额": "prior_budget", "同名项目上年预算": "prior_budget", "上年预算额": "prior_budget",
    "同名项目上年预算执行数": "prior_executed", "同名项目上年执行数": "prior_executed", "上年预算执行数": "prior_executed",
    "上年执行数": "prior_executed", "同名项目上年实际执行数": "prior_executed", "上年实际执行数": "prior_executed",
    "同名项目上年预算数": "prior_budget", "上年预算数": "prior_budget",
    "年度": "year", "预算年度": "year", "申报年度": "year",
    # 单位：万元 printed once for the amounts below it
    "单位": "money_unit", "金额单位": "money_unit", "资金单位": "money_unit",
}
_MAX_LABEL = 24


@dataclass(frozen=True)
class Label:
    field: str | None  # None for a label this project does not know
    label: str  # as published (NFKC, no spaces)
    inline: str | None  # the value when label and value share a cell


def match_label(cell: str) -> Label | None:
    """Recognise a field label in ``cell`` (``项目名称：``, ``项目总预算（元）：``,
    ``申报单位名称：XX局``); ``None`` when the cell is a value, not a label."""
    if len(cell) > 200 and ":" not in cell[:60] and "：" not in cell[:60]:
        return None  # prose
    return _match_label(cell)


@functools.lru_cache(maxsize=1 << 14)
def _match_label(cell: str) -> Label | None:
    s = _SPACES.sub("", nfkc(cell))
    if not s:
        return None
    if ":" in s:
        head, _, tail = s.partition(":")
        inline = cell.split("：", 1)[1] if "：" in cell else cell.split(":", 1)[1]
        inline = inline.strip() or None
    else:
        head, tail, inline = s, "", None
    core = _PARENS.sub("", _ENUMERATOR.sub("", head))
    name = LABELS.get(core)
    if name is not None:
        return Label(name, head, inline)
    if ":" in s and not tail and 1 < len(head) <= _MAX_LABEL and not head[0].isdigit():
        return Label(None, head, None)  # an unknown label, ends with a colon
    return None


@dataclass
class RawIndicator:
    line: int
    level1: str | None
    level2: str | None
    name: str | None
    target: str | None
    shifted: bool = False


@dataclass
class RawDeclaration:
    """One declaration as published: strings and the lines they came from."""

    source_file: str
    source_line: int
    sheet: str | None = None
    year: int | None = None
    year_line: int | None = None
    heading_year: int | None = None
    fields: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # name -> (value, line, label)
    indicators: list[RawIndicator] = field(default_factory=list)
    has_table: bool = False
    truncated: bool = False
    problems: list[Problem] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        v = self.fields.get(name)
        return v[0] if v else None

    def line_of(self, name: str) -> int:
        v = self.fields.get(name)
        return v[1] if v else self.source_line


def _strip(cells: list[str]) -> list[str]:
    return [c.strip().strip("\u3000\u00a0") for c in cells]


def _table_columns(cells: list[str]) -> tuple[int, int, int, int] | None:
    """Column positions of level1, level2, name and target in a table header row."""
    if not any("级" in c for c in cells):
        return None
    pos = {}
    for i, c in enumerate(cells):
        s = _SPACES.sub("", nfkc(c))
        if not s:
            continue
        if s.startswith("一级"):
            pos.setdefault("l1", i)
        elif s.startswith("二级"):
            pos.setdefault("l2", i)
        elif s.startswith("三级"):
            pos.setdefault("nm", i)
        elif "值" in s and ("指标" in s or "目标" in s):
            pos.setdefault("tg", i)
    if {"l1", "l2", "nm", "tg"} <= pos.keys():
        return pos["l1"], pos["l2"], pos["nm"], pos["tg"]
    return None


def _extra_columns(cells: list[str]) -> tuple[int | None, int | None]:
    """Columns of the operator (指标性质: ≥ ≤ = 定性) and of the unit (计量单位/度量单位) where
    the table prints them apart from the value."""
    op = unit = None
    for i, c in enumerate(cells):
        s = _SPACES.sub("", nfkc(c))
        if op is None and s in ("指标性质", "性质", "运算符", "符号", "比较符", "指标方向"):
            op = i
        elif unit is None and s in ("计量单位", "度量单位", "单位", "指标单位"):
            unit = i
    return op, unit


def _joined_target(op: str, value: str, unit: str) -> str:
    """The target as one string: ``≥`` ``95`` ``%`` gives ``≥95%``; 定性/定量 add nothing."""
    if not value:
        return ""
    if _SPACES.sub("", op) in ("定性", "定量"):
        op = ""
    if unit and not value.endswith(unit):
        value += unit
    return op + value


_STRONG_QUALITATIVE = re.compile(r"^(?:规范|及时|有效|可持续|持续|完善|健全|良好|合格|达标|显著|明显|提高|提升|满意|准确|安全|完成|按时|到位|保障)")


def _looks_like_target(text: str, year: int | None) -> bool:
    if not text:
        return False
    kind = parse_target(text, year)[4]
    if kind in ("quantitative", "deadline"):
        return True
    return bool(_STRONG_QUALITATIVE.match(_SPACES.sub("", nfkc(text)))) and len(text) <= 12


def _ends_table(cell: str) -> bool:
    """Whether a row starting with ``cell`` leaves the indicator table: a field label with its
    colon. (An indicator may be named like a label without one: 必要性, 实施计划.)"""
    return match_label(cell) is not None and (":" in cell or "：" in cell)


class _Splitter:
    def __init__(self, rel: str, sheet: str | None):
        self.rel = rel
        self.sheet = sheet
        self.out: list[RawDeclaration] = []
        self.cur: RawDeclaration | None = None
        self.ctx_year: tuple[int, int] | None = None
        self.ctx_unit: tuple[str, int, str] | None = None
        self.ctx_money: tuple[str, int, str] | None = None
        self.in_table = False
        self.cols = (0, 1, 2, 3)
        self.extra: tuple[int | None, int | None] = (None, None)
        self.prev: RawIndicator | None = None
        self.last_text: str | None = None
        self.orphans: list[Row] = []

    def where(self, line: int) -> str:
        return f"{self.rel}{' [' + self.sheet + ']' if self.sheet else ''}, line {line}"

    def start(self, line: int) -> RawDeclaration:
        self.close()
        d = RawDeclaration(self.rel, line, self.sheet)
        if self.ctx_year:
            d.year, d.year_line = self.ctx_year
        if self.ctx_unit:
            d.fields["unit"] = self.ctx_unit
        if self.ctx_money:
            d.fields["money_unit"] = self.ctx_money
        self.cur = d
        self.in_table = False
        self.cols = (0, 1, 2, 3)
        self.extra = (None, None)
        self.prev = None
        self.last_text = None
        return d

    def set_year(self, year: int, line: int) -> None:
        self.ctx_year = (year, line)
        if self.cur is not None and "project" not in self.cur.fields:
            self.cur.year, self.cur.year_line = self.ctx_year

    def complete(self) -> bool:
        """Whether the current declaration already has its indicator table: the form ends
        with it, so fields or a table that follow belong to another declaration."""
        return self.cur is not None and (self.cur.has_table or bool(self.cur.indicators))

    def close(self) -> None:
        if self.cur is not None:
            self.out.append(self.cur)
        self.cur = None
        self.in_table = False

    def feed(self, row: Row) -> None:
        cells = _strip(row.cells)
        nonempty = [c for c in cells if c]
        if not nonempty:
            # a blank row ends prose and the indicator table: rows after it that look like
            # indicators belong to no table (the published form has no blank row inside one)
            self.last_text = None
            self.in_table = False
            return
        first = nonempty[0]
        first_n = _SPACES.sub("", nfkc(first))
        if _TITLE.match(first_n) and match_label(first) is None and (
                len(nonempty) <= 2 or match_label(nonempty[1]) is not None):
            self.ctx_year = None
            self.ctx_unit = None
            self.ctx_money = None
            self.start(row.line)
            m = _TITLE_YEAR.search(first_n)
            if m:
                self.ctx_year = (int(m.group(1)), row.line)
                self.cur.year, self.cur.year_line = self.ctx_year
            if any(match_label(c) for c in nonempty[1:]):
                rest = list(cells)
                rest[rest.index(first)] = ""
                self.fields(row, rest)  # 财政项目支出绩效目标表  单位：万元
            return
        m = _YEAR_ROW.match(first_n)
        if m and (len(nonempty) == 1 or all(match_label(c) for c in nonempty[1:])):
            self.set_year(int(m.group(1)), row.line)
            if len(nonempty) == 1:
                return
            # （2021年度）  单位：万元 — the year, then fields on the same row
            cells = list(cells)
            cells[cells.index(first)] = ""
        m = _HEADING.match(first_n)
        if m and len(nonempty) == 1:
            if self.complete():
                self.start(row.line)  # a second target section: not the finished declaration's
            if self.cur is not None:
                self.cur.heading_year = int(m.group(1)) if m.group(1) else None
            self.in_table = False
            return
        cols = _table_columns(cells)
        if cols is not None:
            if self.cur is None:
                self.orphans.append(row)
                return
            if self.complete():
                self.start(row.line)
            self.cols = cols
            self.extra = _extra_columns(cells)
            self.in_table = True
            self.cur.has_table = True
            self.prev = None
            return
        if self.in_table and not _ends_table(first):
            self.indicator(row, cells)
            return
        if (self.cur is not None and not self.complete() and "project" in self.cur.fields
                and cells[0] == first and is_level1(first) and len(nonempty) >= 3 and match_label(first) is None):
            # a table printed without its header row: starts at its first level1 row
            self.cols, self.extra = (0, 1, 2, 3), (None, None)
            self.in_table = True
            self.cur.has_table = True
            self.prev = None
            self.indicator(row, cells)
            return
        self.in_table = False
        self.fields(row, cells)

    def fields(self, row: Row, cells: list[str]) -> None:
        i, n = 0, len(cells)
        found_any = False
        while i < n:
            c = cells[i]
            if not c:
                i += 1
                continue
            lab = match_label(c)
            if lab is None and not found_any and any(match_label(x) for x in cells[i + 1:] if x):
                i += 1  # a heading before the row's fields (本项目…情况  单位：万元)
                continue
            if lab is None:
                if not found_any and self.last_text and self.cur is not None and self.continuation(cells):
                    return
                if not found_any:
                    self.stray(row, cells)
                    return
                m = _YEAR_ROW.match(_SPACES.sub("", nfkc(c)))
                if m:  # 申报单位名称：X      （2021年度）
                    self.set_year(int(m.group(1)), row.line)
                i += 1
                continue
            found_any = True
            if lab.inline is not None:
                value, i = lab.inline, i + 1
            elif i + 1 < n and self.is_value(lab, cells[i + 1]):
                value, i = cells[i + 1], i + 2
            else:
                value, i = "", i + 1
            if lab.field is None:
                if self.cur is not None:
                    self.cur.problems.append(Problem(self.rel, row.line, "unknown-field",
                                                     f"{self.where(row.line)}: unknown field {lab.label!r}; its value is not kept"))
                continue
            self.assign(lab, value, row.line)

    @staticmethod
    def is_value(lab: Label, cell: str) -> bool:
        """Whether ``cell``, right after the label ``lab``, is its value. Prose may begin
        with words that look like a label (总目标：…): after a prose label, only a bare
        label (nothing after its colon) ends the field."""
        nxt = match_label(cell)
        if nxt is None:
            return True
        return lab.field in TEXT_FIELDS and nxt.inline is not None

    def continuation(self, cells: list[str]) -> bool:
        """A row of prose only, after a prose field: the field's text went on over a line
        break exported without quotes. Appended to that field."""
        texts = [c for c in cells if c]
        if len(texts) == 1 and _SECTION.match(_SPACES.sub("", nfkc(texts[0]))):
            return False  # 本项目上年度市级财政资金使用情况 and the like
        value, line, label = self.cur.fields[self.last_text]
        self.cur.fields[self.last_text] = (value + "\n" + " ".join(texts), line, label)
        return True

    def assign(self, lab: Label, value: str, line: int) -> None:
        if lab.field == "year":
            m = _TITLE_YEAR.search(nfkc(value)) or re.search(r"(\d{4})", nfkc(value))
            if m:
                self.set_year(int(m.group(1)), line)
            return
        if lab.field == "money_unit":
            unit = _MONEY_UNITS.get(_SPACES.sub("", nfkc(value)))
            if unit is not None:
                self.ctx_money = (unit, line, lab.label)
                if self.cur is not None and not self.complete():
                    self.cur.fields["money_unit"] = self.ctx_money
                return
            lab = Label("unit", lab.label, lab.inline)  # 单位：XX局 names the unit
        if lab.field == "unit":
            self.ctx_unit = (value, line, lab.label)
            if self.cur is None or "project" in self.cur.fields or self.complete():
                self.start(line)
            self.cur.fields["unit"] = self.ctx_unit
            return
        if lab.field == "project" and (self.cur is None or "project" in self.cur.fields):
            self.start(line)
        if self.cur is None or self.complete():
            self.start(line)
        self.cur.fields[lab.field] = (value, line, lab.label)
        self.last_text = lab.field if lab.field in TEXT_FIELDS else None

    def stray(self, row: Row, cells: list[str]) -> None:
        text = " ".join(c for c in cells if c)
        if len([c for c in cells if c]) == 1 and _SECTION.match(_SPACES.sub("", nfkc(text))):
            return  # a section heading such as 本项目上年度市级财政资金使用情况
        if self.cur is None and len([c for c in cells if c]) == 1 and len(text) <= 40 and ":" not in nfkc(text):
            return  # a short line before any declaration (附件2, a folder's caption): nothing lost
        if self.cur is None:
            self.orphans.append(row)
            return
        self.cur.problems.append(Problem(self.rel, row.line, "unrecognized-row",
                                         f"{self.where(row.line)}: a row that is neither a field nor an indicator: {text[:60]!r}"))

    def indicator(self, row: Row, cells: list[str]) -> None:
        d = self.cur
        l1c, l2c, nmc, tgc = self.cols
        opc, unc = self.extra
        width = max(self.cols + tuple(x for x in self.extra if x is not None)) + 1
        cells = cells + [""] * (width - len(cells))
        a, b, c, t = cells[l1c], cells[l2c], cells[nmc], cells[tgc]
        if opc is not None or unc is not None:
            t = _joined_target(cells[opc] if opc is not None else "", t, cells[unc] if unc is not None else "")
        year = d.year or d.heading_year
        shifted = 0
        consecutive = (l2c, nmc) == (l1c + 1, l1c + 2) and tgc > nmc
        if consecutive and a and self.prev is not None and not any(cells[:l1c]):
            if not is_level1(a):
                if c and not t and (is_level2(a) or (_looks_like_target(c, year) and not _looks_like_target(b, year))):
                    shifted = 1  # the empty level1 cell was dropped: level2, name, target
                elif b and not c and not t and not is_level2(a):
                    shifted = 2  # both merged cells dropped: name, target
            elif is_level2(a) and c and not t and _looks_like_target(c, year) and not _looks_like_target(b, year):
                # 成本指标 / 满意度: a level1 of one framework and a level2 of the other; three
                # cells ending in a target are a shifted level2 row, not a level1 row missing its target
                shifted = 1
        if shifted == 1:
            a, b, c, t = "", a, b, c
        elif shifted == 2:
            a, b, c, t = "", "", a, b
        prev = self.prev
        level1 = a or (prev.level1 if prev else None)
        if a:
            level2 = b or None
        else:
            level2 = b or (prev.level2 if prev else None)
        ind = RawIndicator(row.line, level1, level2, c or None, t or None, bool(shifted))
        if shifted:
            d.problems.append(Problem(self.rel, row.line, "shifted-row",
                                      f"{self.where(row.line)}: indicator row shifted {shifted} cell(s) left; read as "
                                      f"{level1} / {level2} / {c} / {t}"))
        d.indicators.append(ind)
        self.prev = ind

    def finish(self, last_row: Row | None) -> list[RawDeclaration]:
        if self.cur is not None and self.in_table and self.cur.indicators:
            last = self.cur.indicators[-1]
            if not last.target and last_row is not None and last.line == last_row.line:
                self.cur.truncated = True
        self.close()
        return self.out


def split_declarations(rows: list[Row], rel: str, sheet: str | None = None) -> tuple[list[RawDeclaration], list[Row]]:
    """Split the rows of one sheet into declarations. Returns the declarations and the
    non-empty rows that belong to none (text before the first header, say)."""
    s = _Splitter(rel, sheet)
    last = None
    for row in rows:
        s.feed(row)
        if any(c.strip() for c in row.cells):
            last = row
    return s.finish(last), s.orphans
