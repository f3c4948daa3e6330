"""The indicator table's layout: the columns a header row announces (:func:`read_header`: one
set of columns or two side by side, and the field columns of a long table), and the cells of
an indicator row read by it (:class:`SetCells`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

from analysis.ingest import vocabulary as vocab
from analysis.ingest.cells import clean, match_label
from analysis.ingest.normalize import OPERATORS


@dataclass
class ColumnSet:
    """The columns of one set of indicators (a table prints one, or a medium-term and a year's
    set side by side)."""

    horizon: str = "year"
    level1: int | None = None
    level2: int | None = None
    name: int | None = None
    target: int | None = None
    op: tuple[int, ...] = ()
    unit: int | None = None
    #: the columns of the other roles (weight, basis, ...), as ``(role, column)``
    printed: tuple[tuple[str, int], ...] = ()
    #: a wide form's value column is one site's (a village, town, school or county): its heading
    site: str | None = None

    def columns(self) -> list[int]:
        """Every column the set reads."""
        cols = [c for c in (self.level1, self.level2, self.name, self.target, self.unit) if c is not None]
        return cols + list(self.op) + [c for _role, c in self.printed]

    def column(self, role: str) -> int | None:
        """The column of a printed role (``weight``), or None."""
        return next((c for r, c in self.printed if r == role), None)

    def width(self) -> int:
        return max(self.columns()) + 1


@dataclass
class Layout:
    sets: list[ColumnSet]
    fields: dict[str, int] = field(default_factory=dict)  # a long table's field columns

    def __post_init__(self):
        #: what the layout is, as a value: rows read under equal layouts are read alike
        self.key = (
            tuple(
                (s.horizon, s.level1, s.level2, s.name, s.target, s.op, s.unit, s.printed, s.site) for s in self.sets
            ),
            tuple(self.fields.items()),
        )
        self.long = "project" in self.fields
        self.year = next((s for s in self.sets if s.horizon == "year"), self.sets[-1])
        self.width = max([s.width() for s in self.sets] + [c + 1 for c in self.fields.values()])
        self.name_col = min(s.name for s in self.sets)


#: the seed's layout, for a table printed without its header row
PLAIN = Layout([ColumnSet("year", 0, 1, 2, 3)])


def read_header(cells: list[str]) -> Layout | None:
    """The layout an indicator table's header row announces, or None when the row is no such
    header. Roles come from the vocabulary's header words (一级指标, 三级指标, 指标值, 指标性质,
    计量单位, 分值, 绩效标准 ...); a role printed again after a set's value column starts the next
    set; field headers (项目名称, 预算数) make it a long table."""
    mark = vocab.TARGET_MARK
    if not any(mark in c for c in cells) and not may_be_wide(cells):
        return None  # no value column, no header: the quick test most rows end at
    sets: list[dict] = []
    cur: dict = {}
    fields: dict[str, int] = {}
    marks: list[str | None] = []
    last_role = -1  # the last column a header word heads
    for i, c in enumerate(cells):
        if not c:
            continue
        role = vocab.column_role(c)
        if role is not None:
            last_role = i
        if role is None:
            tf = vocab.table_field(c)
            if tf is not None and not cur:
                fields.setdefault(tf, i)
            continue
        if role == "target" and "target" in cur and vocab.horizon_of(c) == "year" and cur.get("_mark") != "year":
            cur["target"], cur["_mark"] = i, "year"  # 半年 指标值 | 全年 指标值: the year's column
            continue
        if role in ("level1", "level2", "name", "target") and role in cur and "target" in cur:
            sets.append(cur)
            marks.append(cur.pop("_mark", None))
            cur = {}
        if role == "name" and "name" in cur:
            continue  # 绩效指标描述 beside 三级指标: a description, not the name
        if role == "op":
            cur.setdefault("op", []).append(i)
        elif role in ("description", "remark"):
            continue
        else:
            cur.setdefault(role, i)
        if role == "target" and "_mark" not in cur:
            cur["_mark"] = vocab.horizon_of(c)
    if cur:
        sets.append(cur)
        marks.append(cur.pop("_mark", None))
    good = [(s, m) for s, m in zip(sets, marks) if "name" in s and "target" in s]
    if not good:
        return _wide_layout(cells, sets, last_role)
    if not any("level1" in s or "level2" in s for s, _ in good) and all(
        vocab.key(cells[s["name"]]) in vocab.DESCRIPTION for s, _ in good
    ):
        return None  # a description column and a value, no levels: no indicator table
    out: list[ColumnSet] = []
    level1 = next((s["level1"] for s, _ in good if "level1" in s), None)
    for k, (s, mark) in enumerate(good):
        horizon = mark or ("year" if len(good) == 1 or k == len(good) - 1 else "medium")
        out.append(
            ColumnSet(
                horizon,
                s.get("level1", level1 if k else None),
                s.get("level2"),
                s["name"],
                s["target"],
                tuple(s.get("op", ())),
                s.get("unit"),
                tuple((role, s[role]) for role in vocab.PRINTED_COLUMNS if role in s),
            )
        )
    if len(out) > 1 and not any(x.horizon == "year" for x in out):
        out[-1].horizon = "year"
    return Layout(out, fields if "project" in fields else {})


def joined_target(op: str, value: str, unit: str) -> str:
    """The target as one string: ``≥`` ``95`` ``%`` gives ``≥95%``; 定性/正向/反向 add nothing."""
    if not value:
        return ""
    op = clean(op)
    if op not in OPERATORS:
        op = ""
    if unit and not value.endswith(unit):
        value += unit
    return op + value


def indicator_cells(cells: list[str], layout: Layout) -> tuple[list[str], tuple[SetCells, ...]]:
    """An indicator row as :meth:`_Splitter.indicator` reads it: its cells padded to the
    layout's width, and each column set's cells (:func:`set_cells`)."""
    padded = cells + [""] * (layout.width - len(cells))
    return padded, tuple(set_cells(padded, s) for s in layout.sets)


class SetCells(NamedTuple):
    """The cells of one column set in an indicator row, as :meth:`_Splitter.read_set` reads them."""

    level1: str
    level2: str
    name: str
    target: str  # operator and unit joined to it
    value_cell: str  # the value column's cell as printed
    unit_cell: str
    printed: tuple[tuple[str, str], ...]  # the other columns' non-blank cells, as (role, cell)


def set_cells(cells: list[str], s: ColumnSet) -> SetCells:
    """The cells of one column set in an indicator row (:class:`SetCells`)."""

    def get(c: int | None) -> str:
        return cells[c] if c is not None else ""

    t = get(s.target)
    value_cell = t
    if s.op or s.unit is not None:
        op_cell = next((cells[o] for o in s.op if clean(cells[o]) in OPERATORS), "")
        t = joined_target(op_cell, t, get(s.unit))
    printed = tuple((role, cells[c]) for role, c in s.printed if cells[c]) if s.printed else ()
    return SetCells(get(s.level1), get(s.level2), get(s.name), t, value_cell, get(s.unit), printed)


# ---------------------------------------------------------------------------------------------
# wide forms: one value column per site


def may_be_wide(cells: list[str]) -> bool:
    """The quick test for a wide form's header, which prints no value column (一级指标 | 二级指标 |
    三级指标 | 指标解释 | 西坪镇尧山村 | 桃舟乡吾培村 …): a name column and a level column."""
    if sum(1 for c in cells if c) < 5 or "指标" not in "".join(cells):
        return False
    roles = {vocab.column_role(c) for c in cells if c}
    return "name" in roles and bool(roles & {"level1", "level2"})


def _is_site(cell: str) -> bool:
    """A heading that names a place or body, not a role, label, number or operator."""
    c = clean(cell)
    return bool(c) and not any(ch.isdigit() for ch in c) and c not in OPERATORS and match_label(cell) is None


def _wide_layout(cells: list[str], sets: list[dict], last_role: int) -> Layout | None:
    """A wide form's layout: one set of level and name columns, no value column, and after the
    last column a header word heads, two or more columns headed by a place (a village, town,
    school or county): each is a value column of its own, one :class:`ColumnSet` a site."""
    if len(sets) != 1 or "name" not in sets[0] or not ({"level1", "level2"} & sets[0].keys()):
        return None
    s = sets[0]
    sites = [i for i in range(last_role + 1, len(cells)) if cells[i]]
    if len(sites) < 2 or not all(_is_site(cells[i]) for i in sites) or vocab.table_field(cells[sites[0]]):
        return None
    return Layout(
        [
            ColumnSet(
                "year",
                s.get("level1"),
                s.get("level2"),
                s["name"],
                i,
                tuple(s.get("op", ())),
                s.get("unit"),
                tuple((role, s[role]) for role in vocab.PRINTED_COLUMNS if role in s),
                clean(cells[i]),
            )
            for i in sites
        ]
    )


def site_sets(lay: Layout, cells: list[str]) -> Layout | None:
    """A second header row naming the sites of one value column printed over them (区域目标值 over
    新罗区 | 永定区 | …): a wide form's layout, one set a site; None when ``cells`` is no such row."""
    if len(lay.sets) != 1:
        return None
    s = lay.sets[0]
    filled = [i for i, c in enumerate(cells) if c]
    if len(filled) < 2 or filled[0] != s.target or not all(_is_site(cells[i]) for i in filled):
        return None
    if any(vocab.column_role(cells[i]) for i in filled):
        return None
    return Layout([replace(s, target=i, site=clean(cells[i])) for i in filled])
