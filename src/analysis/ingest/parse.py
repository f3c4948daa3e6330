"""Splitting rows into declarations, and reading their fields and indicator tables.

Input: the rows of one sheet (see :mod:`analysis.ingest.readers`). Output: one
:class:`RawDeclaration` per declaration found, holding the published strings with the lines
they came from; turning them into typed values is :mod:`analysis.ingest.normalize`'s job.

Everything is recognised by its words, which :mod:`analysis.ingest.vocabulary` lists: a title
row (``…绩效目标表``, ``…目标申报表``, ``…批复表``), field labels (``项目名称``, ``实施单位``,
``年度资金总额``) wherever they stand in a row, and the indicator table by its header row
(``一级指标 | 二级指标 | 三级指标 | 指标值`` and the many variants: split operator, unit, weight
and basis columns, a leading label column, two column sets side by side, a long table with
one row per indicator and the project's fields merged down). See :class:`_Splitter` for the
states the reader goes through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from analysis.ingest import vocabulary as vocab
from analysis.ingest.across import Across, opens
from analysis.ingest.cells import HEADING, YEAR_ROW, Label, clean, is_template_name, looks_like_target, match_label
from analysis.ingest.grid import Row
from analysis.ingest.layout import (
    PLAIN,
    ColumnSet,
    Layout,
    SetCells,
    indicator_cells,
    may_be_wide,
    read_header,
    site_sets,
)
from analysis.ingest.normalize import is_level1, is_level2, nfkc
from analysis.ingest.rows import (
    AMOUNT_CHAR,
    ASSIGN,
    BLANK,
    HEAD,
    HEADER,
    MONEY,
    NO_LABEL,
    OTHER,
    PART,
    TITLE,
    UNIT_CELL,
    UNKNOWN,
    YEAR_CELL,
    RowInfo,
    field_actions,
    label_columns,
    may_be_amount,
    row_info,
)
from analysis.problems import Problem
from analysis.tables import PROSE

_TITLE_YEAR = re.compile(r"(\d{4})\s*年度?")
#: a short row naming a part of the form (本项目上年度市级财政资金使用情况), not prose
_SECTION = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.]|\d{1,2}[、.])?[^。；;，,:]{2,30}(?:情况|信息|明细|附表|说明|指标表)$"
)
_MONEY_UNITS = {"元": "元", "万元": "万元", "亿元": "亿元"}
_BRACKET_MONEY = re.compile(r"[(（][^()（）]*?(万元|亿元|元)[)）]")
_FULL_DATE = re.compile(r"^(\d{4})(?:年|[-/.])\d{1,2}(?:月|[-/.])\d{1,2}日?$")
#: a unit's name printed without its label (207101天津市河北区人民法院 above the project)
_ORG = re.compile(
    r"^[^。，,；;:：\s]{3,40}?(?:局|院|委员会|委|政府|中心|所|站|办公室|办|学校|小学|中学|大学|医院|馆|社|联合会|联社|会|队|厅|部|处|管委会|公司|集团|街道|镇|乡)$"
)
#: a second header row's cell under the value column: 2021年实际实现值, 预期2022年实现值, 中期目标值
_SUB_HEADER = re.compile(r"(?:实现值|目标值|指标值|预期值|计划值|实际值|完成值)$|^(?:中期|年度|本年|当年|实施期)")
TEXT_FIELDS = PROSE
#: fields that identify a declaration: printed twice in one declaration, they start the next
_STARTERS = ("project", "unit", "implementer", "department")
_PART_FIELDS = (None, vocab.IGNORE, vocab.GROUP)  # a row label of a column of amounts (区级资金, 合 计)


@dataclass(slots=True)
class RawIndicator:
    line: int
    level1: str | None
    level2: str | None
    name: str | None
    target: str | None
    shifted: bool = False
    horizon: str = "year"
    unit_cell: str | None = None  # the unit column's cell, as printed (a date serial repeats there)
    value_cell: str | None = None  # the value column's cell, before op and unit were joined to it
    #: the cells of the other columns printed beside it (weight, basis, ...:
    #: :data:`~analysis.ingest.vocabulary.PRINTED_COLUMNS`), as ``(role, cell)``, the blank ones left out
    printed: tuple[tuple[str, str], ...] = ()
    site: str | None = None  # a wide form's site: the heading of the value column (a village, a county)


@dataclass(slots=True)
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
    own: set[str] = field(default_factory=set)  # fields printed in this declaration (not carried over)
    #: parts of the amount printed under it: (label, value, line, level; 1 for （一）（二）…)
    parts: list[tuple[str, str, int, int]] = field(default_factory=list)
    title: str | None = None  # the title row that started it (绩效目标表 …), as printed
    headings: str | None = (
        None  # the form's title rows (and a page's title over it), joined: where a place may be named
    )

    def get(self, name: str) -> str | None:
        v = self.fields.get(name)
        return v[0] if v else None

    def line_of(self, name: str) -> int:
        v = self.fields.get(name)
        return v[1] if v else self.source_line


# ---------------------------------------------------------------------------------------------
# the indicator table's layout


# ---------------------------------------------------------------------------------------------
# what a row is, by its cells alone (memoized: rows repeat across thousands of files)


# ---------------------------------------------------------------------------------------------
# the reader


#: words a level label holds (产出指标, 效益目标, 社会效益, 成本, 满意度 …)
_LEVEL_WORD = re.compile(r"指标|目标|效益|效果|产出|成本|满意|投入|管理|影响|数量|质量|时效")


class _Splitter:
    """Reads the rows of one sheet, one at a time, into declarations.

    State (all of it on ``self``):

    - ``cur``: the declaration being read, or None before the first one. It is *open* while
      its fields are read, and *complete* (:meth:`complete`) once it has its indicator table:
      fields or a table after that belong to the next declaration.
    - ``layout``: the indicator table's :class:`Layout` while inside a table, else None. A
      blank row, a footer row (注：, 填表人, …（盖章）), a field label with its colon, a new title
      or a new header leave the table.
    - ``ctx``: what the form prints once for the declarations that follow (the year, the
      unit, department and implementer, the money unit): carried into every declaration
      started until the next title row.
    - ``prev``: the last indicator of each column set, whose levels fill merged-cell blanks.
    - ``last_text``: the prose field whose text may go on over the next rows.
    - ``subheader``: True right after a table header, whose value column may be split in a
      second header row (``2021年实际实现值 | 预期2022年实现值``).

    A row goes through :meth:`feed`: a title row starts a declaration (a second title before
    any field only adds to the first: page titles over a form); a year row sets the year; a
    target heading (``2020年绩效目标``) notes its year; a header row opens a table; inside a
    table, rows are indicators (:meth:`indicator`), or, in a long table, start the next
    project's declaration; anything else is read for fields (:meth:`fields`).
    """

    def __init__(self, rel: str, sheet: str | None):
        self.rel = rel
        self.sheet = sheet
        self.out: list[RawDeclaration] = []
        self.cur: RawDeclaration | None = None
        self.ctx: dict[str, tuple[str, int, str]] = {}
        self.ctx_year: tuple[int, int] | None = None
        self.layout: Layout | None = None
        self.prev: dict[int, RawIndicator] = {}
        self.last_text: str | None = None
        self.subheader = False
        self.orphans: list[Row] = []
        #: the table printed across being read (the indicators as columns): :mod:`~analysis.ingest.across`
        self.across: Across | None = None
        #: inside a list of the year's tasks (任务清单, 年度主要任务): its lead column; its rows are passed over
        self.tasks: int | None = None
        self.task_header = False
        #: a row of field labels alone (项目名称 | 主管部门 | 实施单位): (its number, line, column -> label);
        #: the row right under it may hold their values, column by column
        self.side: tuple[int, int, dict[int, Label]] | None = None
        self.n = 0  # rows fed
        #: lines of one cell before the first declaration (a page's title: 某区某镇2022年预算项目绩效目标公开)
        self.preface: list[str] = []
        #: amount labels printed with no value (column: label), over the rows that may hold them
        self.amount_head: dict[int, Label] | None = None

    # --- declarations

    def where(self, line: int) -> str:
        return f"{self.rel}{' [' + self.sheet + ']' if self.sheet else ''}, line {line}"

    def start(self, line: int, keep_layout: bool = False) -> RawDeclaration:
        self.close(keep_layout)
        d = RawDeclaration(self.rel, line, self.sheet)
        d.headings = " ".join(self.preface) or None
        if self.ctx_year:
            d.year, d.year_line = self.ctx_year
        d.fields.update(self.ctx)
        self.cur = d
        self.prev = {}
        self.last_text = None
        self.amount_head = None
        return d

    def close(self, keep_layout: bool = False) -> None:
        self.end_across()
        if self.cur is not None:
            self.out.append(self.cur)
        self.cur = None
        if not keep_layout:
            self.layout = None

    def set_year(self, year: int, line: int) -> None:
        self.ctx_year = (year, line)
        if self.cur is not None and "project" not in self.cur.fields:
            self.cur.year, self.cur.year_line = self.ctx_year

    def complete(self) -> bool:
        """Whether the current declaration already has its indicator table: the form ends
        with it, so fields or a table that follow belong to another declaration."""
        return self.cur is not None and (self.cur.has_table or bool(self.cur.indicators))

    def problem(self, line: int, code: str, message: str) -> None:
        if self.cur is not None:
            self.cur.problems.append(Problem(self.rel, line, code, f"{self.where(line)}: {message}"))

    # --- rows

    def feed(self, row: Row) -> bool:
        """Read one row; False when it is blank."""
        info = row_info(row)
        kind = info.kind
        self.n += 1
        if kind == BLANK:
            # a blank row ends prose and the indicator table: rows after it that look like
            # indicators belong to no table (the published form has no blank row inside one)
            self.last_text = None
            self.layout = None
            self.amount_head = None
            self.tasks = None
            self.end_across()
            return False
        if kind != OTHER:
            self.tasks = None
            self.end_across()
        if kind == TITLE:
            self.title(row, info.cells, info.first, info.first_n)
        elif kind == HEADER:
            self.table(row, info.layout)
        elif kind == OTHER:
            if self.cur is None and len(info.nonempty) == 1 and len(self.preface) < 3:
                self.preface.append(info.first)
            self.other(row, info)
        else:
            self.feed_year_or_heading(row, info.cells, info.nonempty, info.first, info.first_n)
        return True

    def feed_year_or_heading(self, row: Row, cells: list[str], nonempty: list[str], first: str, first_n: str) -> None:
        m = YEAR_ROW.match(first_n)
        if m and (len(nonempty) == 1 or all(match_label(c) for c in nonempty[1:])):
            self.set_year(int(m.group(1)), row.line)
            if len(nonempty) == 1:
                return
            # （2021年度）  单位：万元 — the year, then fields on the same row
            cells = list(cells)
            cells[cells.index(first)] = ""
        m = HEADING.match(first_n)
        if m and len(nonempty) == 1:
            if self.complete():
                self.start(row.line)  # a second target section: not the finished declaration's
            if self.cur is not None:
                self.cur.heading_year = int(m.group(1)) if m.group(1) else None
            self.layout = None
            return
        layout = read_header(cells) if vocab.TARGET_MARK in "".join(cells) or may_be_wide(cells) else None
        if layout is not None:
            self.table(row, layout)
            return
        self.rest(row, cells, nonempty, first, first_n, None)  # (the row's own cells counted, year included)

    def other(self, row: Row, info: RowInfo) -> None:
        """A row that is no title, year, heading or header: an indicator inside a table, else fields."""
        cells = info.cells
        if self.across is not None:
            if not info.footer and self.across.take(cells, row.line):
                return
            self.end_across()
        if self.tasks is not None:
            if self.task_row(cells, info.first):
                return
            self.tasks = None
        if vocab.is_task_heading(info.first, len(info.nonempty)):
            self.tasks = cells.index(info.first)  # 任务清单 | 任务名称 | …: the year's tasks, not the form's fields
            self.task_header = len(info.nonempty) == 1  # a heading alone: the list's header row follows
            self.layout = None
            return
        if self.cur is not None and not self.complete():
            if info.across is False:
                info.across = opens(cells)
            if info.across is not None:
                # 一级指标 | 产出指标 | | 效益指标, or 项目单位 | 产 出 指 标 | | 效 益 指 标: the indicators as columns
                self.cur.has_table = True
                self.layout = None
                self.across = Across(*info.across, cells, row.line)
                return
        if self.layout is not None and not self.subheader:
            if info.footer:
                self.layout = None
                return
            ext = info.ext.get(self.layout.key)
            if ext is None:
                ext = False if self.ends_table(cells) else indicator_cells(cells, self.layout)
                info.ext[self.layout.key] = ext
            if ext is not False:
                self.indicator(row, ext)
                return
        self.rest(row, cells, info.nonempty, info.first, info.first_n, info)

    def end_across(self) -> None:
        """The table printed across ends: its indicators go to the declaration; a table whose
        header has no row of targets under it is said so."""
        table, self.across = self.across, None
        if table is None or self.cur is None:
            return
        got = table.indicators()
        if not got:
            self.problem(
                table.line,
                "transposed-table",
                "an indicator table printed across (the indicators as columns) with no row of targets under its header",
            )
        self.cur.indicators.extend(RawIndicator(**r._asdict()) for r in got)

    def task_row(self, cells: list[str], first: str) -> bool:
        """A row of the list of tasks: the lead column left blank under its heading (merged), or a
        first cell that is no field's label (年度绩效目标 and the like end the list); under a heading
        alone on its line, first the list's own header (项目单位 | 约束性任务 | 备注)."""
        header, self.task_header = self.task_header, False
        if header and any(vocab.TASK_HEADER_WORD in c for c in cells):
            return True
        if not any(cells[: self.tasks + 1]):
            return True
        lab = match_label(first)
        return lab is None or lab.field is None

    def rest(
        self, row: Row, cells: list[str], nonempty: list[str], first: str, first_n: str, info: RowInfo | None
    ) -> None:
        """A row inside a table (the first after its header, or one that may end it), or outside one."""
        if self.layout is not None:
            if self.subheader:
                self.subheader = False
                if self.sub_header(cells):
                    return
            if vocab.is_footer_row(nonempty):
                self.layout = None
                return
            if not self.ends_table(cells):
                ext = indicator_cells(cells, self.layout)
                if info is not None:
                    info.ext[self.layout.key] = ext
                self.indicator(row, ext)
                return
        if (
            self.cur is not None
            and not self.complete()
            and "project" in self.cur.fields
            and cells[0] == first
            and is_level1(first)
            and len(nonempty) >= 3
            and match_label(first) is None
        ):
            # a table printed without its header row: starts at its first level1 row
            self.layout = PLAIN
            self.cur.has_table = True
            self.prev = {}
            self.indicator(row, indicator_cells(cells, PLAIN))
            return
        self.layout = None
        if len(nonempty) == 1 and _FULL_DATE.match(first_n) and self.cur is not None:
            self.assign(Label("page_date", "日期", None), first, row.line)  # a date under the form
            return
        self.fields(row, cells, info)

    def title(self, row: Row, cells: list[str], first: str, first_n: str) -> None:
        m = _TITLE_YEAR.search(first_n)
        header_only = self.cur is not None and not self.cur.own and not self.cur.indicators
        if header_only:
            # a second title over the same form (a page's title, then the form's): one header
            if m:
                self.set_year(int(m.group(1)), row.line)
        else:
            self.ctx, self.ctx_year = {}, None
            self.start(row.line)
            self.cur.title = first
            if m:
                self.ctx_year = (int(m.group(1)), row.line)
                self.cur.year, self.cur.year_line = self.ctx_year
        if self.cur is not None:
            self.cur.headings = f"{self.cur.headings} {first}" if self.cur.headings else first
        if any(match_label(c) for c in cells if c and c != first):
            rest = list(cells)
            rest[rest.index(first)] = ""
            self.fields(row, rest)  # 财政项目支出绩效目标表  单位：万元

    def table(self, row: Row, layout: Layout) -> None:
        if self.cur is None:
            self.orphans.append(row)
            return
        if self.complete():
            self.start(row.line)
        self.layout = layout
        self.cur.has_table = True
        self.prev = {}
        self.last_text = None
        self.subheader = True
        self.amount_head = None

    def sub_header(self, cells: list[str]) -> bool:
        """A second header row under the value column (``2021年实际实现值 | 预期2022年实现值``):
        the target is read from the column that is no actual value. True when ``cells`` is one."""
        lay = self.layout
        wide = site_sets(lay, cells)
        if wide is not None:
            self.layout = wide  # a row of sites under one value header: one value column a site
            return True
        used = {c for s in lay.sets for c in (s.level1, s.level2, s.name) if c is not None}
        filled = [i for i, c in enumerate(cells) if c]
        if not filled or any(i in used for i in filled):
            return False
        if not all(_SUB_HEADER.search(clean(cells[i])) for i in filled):
            return False
        sets = []
        for s in lay.sets:
            nxt = min([c for t in lay.sets for c in t.columns() if c > s.target] + [len(cells)])
            span = [i for i in filled if s.target <= i < nxt]
            pick = [i for i in span if not any(w in cells[i] for w in vocab.HORIZON_ACTUAL)]
            target = pick[-1] if pick else s.target
            sets.append(replace(s, target=target))
        self.layout = Layout(sets, lay.fields)
        return True

    def ends_table(self, cells: list[str]) -> bool:
        """Whether a row leaves the indicator table: a known field label with its colon (an
        indicator may be named like a label without one: 必要性, 实施计划), or a label that starts
        a declaration (项目名称, 主管部门) before the table's name column."""
        lay = self.layout
        for i, c in enumerate(cells):
            if not c:
                continue
            colon = ":" in c or "：" in c
            if not colon and (i >= lay.name_col or lay.long):
                continue
            lab = match_label(c)
            if lab is None or lab.field is None:
                continue
            if colon and lab.field not in (vocab.IGNORE, vocab.GROUP):
                return True
            if lab.field in _STARTERS and i < lay.name_col and not lay.long:
                return True
        return False

    # --- fields

    def fields(self, row: Row, cells: list[str], info: RowInfo | None = None) -> None:
        """A row of fields: what its cells say (:func:`field_actions`, kept with the row's
        ``info`` when it has one), carried out on the declarations."""
        side, self.side = self.side, None
        if side is not None and side[0] == self.n - 1 and self.side_values(cells, side[1], side[2], row.line):
            self.amount_head = None
            return
        if self.amount_head is not None:
            head, self.amount_head = self.amount_head, None
            if self.amount_row(cells, head, row.line):
                self.amount_head = head  # the rows below may go on with the parts
                return
        if info is None:
            actions = field_actions(cells)
        else:
            actions = info.actions
            if actions is None:
                actions = info.actions = field_actions(cells)
        line = row.line
        heads: dict[int, Label] = {}
        for action in actions:
            what = action[0]
            if what is ASSIGN:
                self.assign(action[1], action[2], line)
            elif what is HEAD:
                heads[action[2]] = action[1]
            elif what is NO_LABEL:
                if self.last_text and self.cur is not None and self.continuation(action[1]):
                    return
                self.stray(row, action[1])
                return
            elif what is MONEY:
                self.group_money_unit(action[1], line)
            elif what is UNKNOWN:
                self.problem(line, "unknown-field", f"unknown field {action[1].label!r}; its value is not kept")
            elif what is YEAR_CELL:
                self.set_year(action[1], line)
            elif what is UNIT_CELL:
                self.unlabelled_unit(action[1], line)
            elif what is PART:
                if self.cur is not None and not self.complete():
                    self.cur.parts.append((action[1].label, action[2], line, action[3]))
        if heads and self.cur is not None and not self.complete():
            self.amount_head = heads
        if self.cur is not None and not any(a[0] is ASSIGN and a[2] for a in actions):
            labels = label_columns(cells)
            if labels is not None:
                self.side = (self.n, line, labels)

    def side_values(self, cells: list[str], above: int, labels: dict[int, Label], line: int) -> bool:
        """The row under a row of labels alone, when it holds their values column by column and
        nothing else: each value is its label's (the blanks the labels' row gave them give way).
        False for any other row, read as usual."""
        filled = {i: c for i, c in enumerate(cells) if c}
        if not filled or any(i not in labels or match_label(c) is not None for i, c in filled.items()):
            return False
        for i, value in filled.items():
            lab = labels[i]
            if lab.field in (vocab.IGNORE, vocab.GROUP):
                continue
            got = self.cur.fields.get(lab.field)
            if got is not None and not got[0] and got[1] == above:
                del self.cur.fields[lab.field]
                self.cur.own.discard(lab.field)
            self.assign(lab, value, line)
        return True

    def amount_row(self, cells: list[str], head: dict[int, Label], line: int) -> bool:
        """A row under amount labels printed with no value (``项 目 | 上年度安排资金 | 本年度申请资金``):
        True when it holds amounts (or words that declare none) in their columns, before them
        nothing but a row label that is no field (合 计, 区级资金, 1、办公费), and after them
        nothing but more figures. The total's row (合计, or no row label) gives the amounts not
        yet read; the others are parts, known and not kept. Any other row is read as usual."""
        values = {c: cells[c] for c in head if c < len(cells) and cells[c]}
        if not values:  # 市级资金 | | : a part left blank
            texts = [c for c in cells if c]
            return len(texts) == 1 and vocab.amount_part_level(texts[0]) is not None
        if any(match_label(v) for v in values.values()):
            return False  # 其中：中央补助（万元） | 276.22: a part's label under the blank amount, not its value
        first = min(values)
        lead = [c for c in cells[:first] if c]
        if any((lab := match_label(c)) and lab.field not in _PART_FIELDS for c in lead):
            return False
        if any(c and not may_be_amount(c) for i, c in enumerate(cells) if i >= first):
            return False  # 100 | 保障城区道路清洁: a field's text beside the amount
        if not lead or vocab.key(lead[-1]) in vocab.AMOUNT_TOTALS:
            if not any(AMOUNT_CHAR.search(v) for v in values.values()):
                return False  # a total of nothing but dashes gives no amount
            for c, value in values.items():
                lab = head[c]
                if not (self.cur.fields.get(lab.field) or ("",))[0]:
                    self.assign(lab, value, line)
        elif len(head) == 1 and (level := vocab.amount_part_level(lead[-1])) is not None:
            # 其中：中央补助 | 50.29 under a blank 年度资金总额: a part, the amount's only figure maybe
            self.cur.parts.append((lead[-1], next(iter(values.values())), line, level))
        return True

    def unlabelled_unit(self, text: str, line: int) -> None:
        """A unit's name printed without its label in the form's header (``207101天津市河北区人民法院
        …  单位：万元``)."""
        if _ORG.match(clean(text)) and not _SECTION.match(clean(text)):
            if self.cur is None or self.complete() or "unit" in self.cur.own:
                self.start(line)
            self.put("unit", text, line, "(单位)")

    def group_money_unit(self, lab: Label, line: int) -> None:
        """A label with no value whose brackets print the money unit (项目资金（万元）, 资金情况
        （单位：万元）): the unit of the form's amounts."""
        m = _BRACKET_MONEY.search(nfkc(lab.label))
        if m and self.cur is not None and "money_unit" not in self.cur.own:
            self.put("money_unit", m.group(1), line, lab.label)

    def continuation(self, cells: list[str]) -> bool:
        """A row of prose only, after a prose field: the field's text went on over a line
        break exported without quotes. Appended to that field."""
        texts = [c for c in cells if c]
        if len(texts) == 1 and _SECTION.match(clean(texts[0])):
            return False  # 本项目上年度市级财政资金使用情况 and the like
        value, line, label = self.cur.fields[self.last_text]
        self.cur.fields[self.last_text] = ((value + "\n" if value else "") + " ".join(texts), line, label)
        return True

    def put(self, name: str, value: str, line: int, label: str) -> None:
        self.cur.fields[name] = (value, line, label)
        self.cur.own.add(name)

    def assign(self, lab: Label, value: str, line: int) -> None:
        name = lab.field
        if vocab.is_placeholder(value):
            value = ""  # （盖章）, XXX, ** declare nothing
        choice = vocab.checked_choice(value)
        if choice is not None:
            value = choice  # 新增项目□ 延续项目√
        if name == "year":
            m = _TITLE_YEAR.search(nfkc(value)) or re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", nfkc(value))
            if m:
                self.set_year(int(m.group(1)), line)
            elif value:
                self.problem(
                    line, "unknown-field", f"{lab.label!r} holds no year ({value[:30]!r}); its value is not kept"
                )
            return
        if name == "money_unit":
            unit = _MONEY_UNITS.get(clean(value))
            if unit is not None:
                self.ctx["money_unit"] = (unit, line, lab.label)
                if self.cur is not None and not self.complete():
                    self.put("money_unit", unit, line, lab.label)
                return
            if not value:
                return
            name = "unit"  # 单位：XX局 names the unit
        if name == "page_date":  # 填报日期 under the table: the form's, not a next declaration's
            if self.cur is not None and value:
                self.put(name, value, line, lab.label)
            return
        if name in ("unit", "implementer", "department"):
            if not value:
                return
            self.ctx[name] = (value, line, lab.label)
            if self.cur is None or self.complete() or (name in self.cur.own and "project" in self.cur.own):
                self.start(line)
            self.put(name, value, line, lab.label)
            return
        if name == "project" and (self.cur is None or ("project" in self.cur.own and not self.same_project(value))):
            self.start(line)
        if self.cur is None or self.complete():
            self.start(line)
        if not value and name in self.cur.fields and name not in TEXT_FIELDS:
            return
        if name in vocab.AMOUNT_FIELDS and value and not re.search(r"\d", value):
            # 项目资金（万元） | 收入, 年度资金总额 | 金额（万元）: a heading over the amounts, not one
            m = _BRACKET_MONEY.search(nfkc(value)) or _BRACKET_MONEY.search(nfkc(lab.label))
            if m and "money_unit" not in self.cur.own:
                self.put("money_unit", m.group(1), line, lab.label)
            if m:
                return
        if not value and name in vocab.AMOUNT_FIELDS:
            m = _BRACKET_MONEY.search(nfkc(lab.label))
            if m and "money_unit" not in self.cur.own:  # 项目资金（万元） | 年度资金总额： | …
                self.put("money_unit", m.group(1), line, lab.label)
        self.put(name, value, line, lab.label)
        self.last_text = name if name in TEXT_FIELDS else None

    def same_project(self, value: str) -> bool:
        """A project named again as the form's cover names it (申报项目名称: X, then 项目名称 | X),
        before any table: the same declaration."""
        now = self.cur.get("project")
        return bool(value) and not self.complete() and now is not None and clean(now) == clean(value)

    def stray(self, row: Row, cells: list[str]) -> None:
        texts = [c for c in cells if c]
        text = " ".join(texts)
        if len(texts) == 1 and _SECTION.match(clean(text)):
            return  # a section heading such as 本项目上年度市级财政资金使用情况
        if self.cur is None and len(texts) == 1 and len(text) <= 40 and ":" not in nfkc(text):
            return  # a short line before any declaration (附件2, a folder's caption): nothing lost
        if self.cur is None:
            self.orphans.append(row)
            return
        if len(texts) == 1 and not self.cur.indicators and "unit" not in self.cur.own and _ORG.match(clean(text)):
            self.unlabelled_unit(text, row.line)
            return
        if vocab.is_footer_row(texts):
            return  # 注：…, 填表人, …（盖章） 年 月 日, 区扶贫办审核意见 | （盖章）
        self.problem(row.line, "unrecognized-row", f"a row that is neither a field nor an indicator: {text[:60]!r}")

    # --- indicators

    def long_row(self, row: Row, cells: list[str]) -> bool:
        """A long table's row (one row per indicator, the project's fields merged down): a
        project cell starts that project's declaration; a unit printed without a project (a
        department's subtotal) is the department of the projects below. False when the row
        holds no indicator."""
        f = self.layout.fields
        get = {name: cells[i] for name, i in f.items() if i < len(cells) and cells[i]}
        s = self.layout.year
        has_indicator = any(cells[c] for c in (s.name, s.target) if c is not None and c < len(cells))
        project = get.get("project")
        if project is None and not has_indicator:
            unit = get.get("unit") or get.get("implementer") or get.get("department")
            if unit:  # 820-马踏镇部门 | | 8,827,620.53: a subtotal, no declaration
                self.ctx["department"] = (unit, row.line, "(部门)")
                if self.cur is not None and "project" not in self.cur.own:
                    self.put("department", unit, row.line, "(部门)")
            return False
        if project is not None and (self.cur is None or "project" in self.cur.own or self.cur.indicators):
            self.start(row.line, keep_layout=True)
            self.cur.has_table = True
        for name, value in get.items():
            if name in ("unit", "implementer", "department"):
                self.ctx[name] = (value, row.line, name)
            self.put(name, value, row.line, name)
        return has_indicator

    def indicator(self, row: Row, ext: tuple) -> None:
        """An indicator row, ``ext`` its cells as :func:`indicator_cells` gives them."""
        lay = self.layout
        cells, sets = ext
        if lay.long and not self.long_row(row, cells):
            return
        d = self.cur
        year = d.year or d.heading_year
        single = len(lay.sets) == 1
        for k, s in enumerate(lay.sets):
            self.read_set(row, cells, k, s, sets[k], year, single)

    def read_set(
        self, row: Row, cells: list[str], k: int, s: ColumnSet, got: SetCells, year: int | None, single: bool
    ) -> None:
        d = self.cur
        a, b, c, t = got.level1, got.level2, got.name, got.target
        shifted = 0
        if single and a and s.level1 is not None and s.level2 is not None:
            shifted = self.shift(cells, s, a, b, c, t, year)
        if shifted == 1:
            a, b, c, t = "", a, b, c
        elif shifted == 2:
            a, b, c, t = "", "", a, b
        prev = self.prev.get(k)
        if s.level1 is None and s.level2 is None and not t:
            # levels as an indented tree in the name column
            if is_level1(c):
                self.prev[k] = RawIndicator(row.line, c, None, None, None, horizon=s.horizon)
                return
            if is_level2(c):
                self.prev[k] = RawIndicator(row.line, prev.level1 if prev else None, c, None, None, horizon=s.horizon)
                return
        if b and not (a or c or t) and prev is not None and prev.name and _continues_level2(prev.level2, b):
            prev.level2 += b  # 社会公众或服务 | 政策满意度, then 对象满意度指标 alone: one label over two rows
            return
        level1 = a or (prev.level1 if prev else None)
        level2 = (b or None) if a else (b or (prev.level2 if prev else None))
        if not t and is_template_name(c):
            # a level label alone, or a template row (指标1：, （≥**%）): no indicator; a cell
            # that names no level (a stray word under the table) is reported, not taken as one
            if (a or b) and not (c or is_level1(a) or is_level2(b) or _LEVEL_WORD.search(a or b)):
                if k == 0:
                    self.stray(row, cells)
            elif a or b:
                self.prev[k] = RawIndicator(row.line, level1, level2, None, None, horizon=s.horizon)
            return
        ind = RawIndicator(
            row.line,
            level1,
            level2,
            c or None,
            t or None,
            shifted=bool(shifted),
            horizon=s.horizon,
            unit_cell=got.unit_cell or None,
            value_cell=got.value_cell or None,
            printed=got.printed,
            site=s.site,
        )
        if shifted:
            d.problems.append(
                Problem(
                    self.rel,
                    row.line,
                    "shifted-row",
                    f"{self.where(row.line)}: indicator row shifted {shifted} cell(s) left; read as "
                    f"{level1} / {level2} / {c} / {t}",
                )
            )
        d.indicators.append(ind)
        self.prev[k] = ind

    def shift(self, cells, s: ColumnSet, a: str, b: str, c: str, t: str, year: int | None) -> int:
        """How many cells a row of the seed's layout arrived shifted left (its merged first
        cells dropped): 0, 1 or 2."""
        l1c, l2c, nmc, tgc = s.level1, s.level2, s.name, s.target
        consecutive = (l2c, nmc) == (l1c + 1, l1c + 2) and tgc > nmc
        if not (consecutive and a and self.prev.get(0) is not None and not any(cells[:l1c])):
            return 0
        if not is_level1(a):
            if c and not t and (is_level2(a) or (looks_like_target(c, year) and not looks_like_target(b, year))):
                return 1  # the empty level1 cell was dropped: level2, name, target
            if b and not c and not t and not is_level2(a):
                return 2  # both merged cells dropped: name, target
        elif is_level2(a) and c and not t and looks_like_target(c, year) and not looks_like_target(b, year):
            # 成本指标 / 满意度: a level1 of one framework and a level2 of the other; three
            # cells ending in a target are a shifted level2 row, not a level1 row missing its target
            return 1
        return 0

    def finish(self, last_row: Row | None) -> list[RawDeclaration]:
        if self.cur is not None and self.layout is not None and self.cur.indicators:
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
        if s.feed(row):
            last = row
    return s.finish(last), s.orphans


def _continues_level2(above: str | None, cell: str) -> bool:
    """A level-2 label printed over two rows (a Word table split at a page break): the row above's
    label is no level 2 of the vocabulary, joined to this cell it is one."""
    return bool(above) and not is_level2(above) and is_level2(above + cell)
