"""An indicator table printed across: the indicators as columns, the levels as rows.

Two shapes are published, and one reading serves both:

- **levels as rows**, each row led by its role (``一级指标 | 产出指标 | | 效益指标``, then ``二级指标``,
  ``三级指标``, ``指标值``, and where printed ``计量单位``, ``指标性质``, ``权重`` …), the indicators'
  cells one column each; a leading label (``绩效指标``) may stand before the role column;
- **one row per unit** (a town, village or school) under header rows of level-1 categories,
  level-2 categories and names (``项目单位 | 产 出 指 标 | | 效 益 指 标`` over ``| 质量指标 | 数量指标 …``
  over the names), each unit's row holding its targets: each cell is that unit's indicator, its
  ``site`` the unit, as a wide form's value column is a site.

:func:`opens` tells the row that starts such a table and its lead column (the roles' or the units'
column); :class:`Across` takes the rows that follow while they fit, and gives the indicators
(:meth:`Across.indicators`), row by row and, within a row, column by column. Merged header cells
arrive as blanks: a level 1 spans the columns to its right up to the next one, a level 2 those to
its right within its level 1.
"""

from __future__ import annotations

from typing import NamedTuple

from analysis.ingest import vocabulary as vocab
from analysis.ingest.cells import clean, is_template_name, match_label
from analysis.ingest.layout import joined_target

_HEADS = ("level1", "level2", "name")


class Read(NamedTuple):
    """One indicator read from a table printed across (the fields of a ``RawIndicator``)."""

    line: int
    level1: str | None
    level2: str | None
    name: str | None
    target: str | None
    horizon: str
    unit_cell: str | None
    value_cell: str | None
    printed: tuple[tuple[str, str], ...]
    site: str | None


def _levels(cells: list[str], test) -> int:
    return sum(1 for c in cells if test(clean(c)))


def opens(cells: list[str]) -> tuple[int, str] | None:
    """The lead column and the header a row is, when it starts a table printed across: a role
    (一级指标, 二级指标, 三级指标) before cells that are no header words, level words among them for a
    level's row (two names at least for the names' row); or, before two level-1 (or level-2)
    categories side by side, a corner cell that is no level (项目单位, or blank). None otherwise."""
    filled = [i for i, c in enumerate(cells) if c]
    if len(filled) < 2:
        return None
    for k in (0, 1):  # the role's column: the first filled, or the second after a label (绩效指标)
        i = filled[k]
        role = vocab.column_role(cells[i])
        rest = [cells[j] for j in filled[k + 1 :]]
        if role not in _HEADS or not rest or any(vocab.column_role(c) for c in rest):
            continue
        if k == 1 and (vocab.column_role(cells[filled[0]]) or match_label(cells[filled[0]])):
            return None
        if role == "level1" and _levels(rest, vocab.is_level1):
            return i, role
        if role == "level2" and _levels(rest, vocab.is_level2) and not _levels(rest, vocab.is_level1):
            return i, role
        if role == "name" and len(rest) >= 2 and not _levels(rest, vocab.is_level1):
            return i, role
        return None
    first = cells[filled[0]]
    lead_is_level = vocab.is_level1(clean(first)) or vocab.is_level2(clean(first))
    rest = [cells[j] for j in filled[1:]]
    if any(vocab.column_role(c) for c in rest):
        return None
    if not lead_is_level:  # 项目单位 | 产 出 指 标 | | 效 益 指 标
        if _levels(rest, vocab.is_level1) >= 2:
            return filled[0], "level1"
        if _levels(rest, vocab.is_level2) >= 2 and not _levels(rest, vocab.is_level1):
            return filled[0], "level2"
    if filled[0] > 0 and not cells[filled[0] - 1]:  # | 产出指标 | | 效益指标: the corner left blank
        everything = [cells[j] for j in filled]
        if _levels(everything, vocab.is_level1) == len(everything) >= 2:
            return filled[0] - 1, "level1"
    return None


class Across:
    """The rows of one table printed across, taken one at a time (:meth:`take`)."""

    def __init__(self, lead: int, head: str, cells: list[str], line: int):
        self.lead = lead
        self.line = line
        self.heads: dict[str, dict[int, str]] = {h: {} for h in _HEADS}
        self.fresh_level1: set[int] = set()  # the columns where a level 1 is printed (a group starts)
        #: the other roles' rows (指标性质, 计量单位, 权重 …): role -> column -> cell
        self.attrs: dict[str, dict[int, str]] = {}
        #: the rows of targets: (line, site, horizon, column -> cell)
        self.rows: list[tuple[int, str | None, str, dict[int, str]]] = []
        self._head(head, self._body(cells))

    def _body(self, cells: list[str]) -> dict[int, str]:
        return {j: c for j, c in enumerate(cells) if j > self.lead and c}

    def _head(self, head: str, body: dict[int, str]) -> None:
        self.heads[head].update(body)
        if head == "level1":
            self.fresh_level1 |= set(body)

    def take(self, cells: list[str], line: int) -> bool:  # noqa: C901 - one decision per kind of row, in the order they are told apart
        """Take the next row when it belongs to the table; False when it ends it (the row is then
        read as usual)."""
        if any(cells[: self.lead]):
            return False  # a cell left of the lead column: another block
        lead = cells[self.lead] if self.lead < len(cells) else ""
        body = self._body(cells)
        if not body:
            return False
        role = vocab.column_role(lead) if lead else None
        if role in _HEADS:
            if self.rows:
                return False  # a second table's header
            self._head(role, body)
            return True
        if role == "target":
            self.rows.append((line, None, vocab.horizon_of(lead) or "year", body))
            return True
        if role is not None:
            self.attrs.setdefault(role, {}).update(body)  # 指标性质, 计量单位, 权重, 备注 …
            return True
        if not lead:
            return self._unlabelled_head(body)
        lab = match_label(lead)
        if (lab is not None and lab.field is not None) or not (self.heads["name"] or self.heads["level2"]):
            return False  # a field's label (年度目标), or no header to read targets by
        if vocab.key(lead) not in vocab.AMOUNT_TOTALS:  # 合计: no unit's row
            self.rows.append((line, clean(lead), "year", body))
        return True

    def _unlabelled_head(self, body: dict[int, str]) -> bool:
        """A header row with no role printed before it: level 1, level 2 or the names."""
        if self.rows:
            return False
        values = [clean(v) for v in body.values()]
        if not self.heads["level1"] and all(vocab.is_level1(v) for v in values):
            self._head("level1", body)
        elif not self.heads["level2"] and not self.heads["name"] and all(vocab.is_level2(v) for v in values):
            self._head("level2", body)
        elif not self.heads["name"]:
            self._head("name", body)
        else:
            return False
        return True

    def columns(self) -> list[int]:
        """The indicators' columns: those with a name, else those with a level 2."""
        named = self.heads["name"] or self.heads["level2"]
        return sorted(named)

    def _spread(self, cols: list[int]) -> tuple[dict[int, str], dict[int, str]]:
        """Level 1 and level 2 of each column, merged cells' blanks filled from the left."""
        level1: dict[int, str] = {}
        level2: dict[int, str] = {}
        one = two = None
        for j in range(self.lead + 1, (cols[-1] if cols else self.lead) + 1):
            if j in self.heads["level1"]:
                one, two = self.heads["level1"][j], None
            if j in self.heads["level2"]:
                two = self.heads["level2"][j]
            if one is not None:
                level1[j] = one
            if two is not None:
                level2[j] = two
        return level1, level2

    def indicators(self) -> list[Read]:
        """Every target row's cells as indicators, row by row, column by column."""
        cols = self.columns()
        level1, level2 = self._spread(cols)
        names = self.heads["name"]
        ops = self.attrs.get("op", {})
        units = self.attrs.get("unit", {})
        printed_roles = [r for r in vocab.PRINTED_COLUMNS if r in self.attrs]
        out: list[Read] = []
        for line, site, horizon, body in self.rows:
            for j in cols:
                name = names.get(j)
                value = body.get(j, "")
                if not value and is_template_name(name):
                    continue
                op = ops.get(j, "")
                unit = units.get(j, "")
                target = joined_target(op, value, unit) if (op or unit) else value
                out.append(
                    Read(
                        line,
                        level1.get(j),
                        level2.get(j),
                        name or None,
                        target or None,
                        horizon,
                        unit or None,
                        value or None,
                        tuple((r, self.attrs[r][j]) for r in printed_roles if self.attrs[r].get(j)),
                        site,
                    )
                )
        return out
