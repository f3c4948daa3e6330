"""What a row is, by its cells alone (memoized: rows repeat across thousands of files): blank, a
title, a year, a target heading, a table header with its layout, or other (:class:`RowInfo`);
and, read as a row of fields, what it says in order (:func:`field_actions`).
"""

from __future__ import annotations

import re

from analysis.ingest import vocabulary as vocab
from analysis.ingest.cells import HEADING, TWO_COLONS, YEAR_ROW, Label, clean, is_value, match_label, pairs, strip_cells
from analysis.ingest.grid import Row
from analysis.ingest.layout import may_be_wide, read_header

_MONEY_LABELS = (*vocab.AMOUNT_FIELDS, vocab.GROUP)  # labels whose value is an amount, or none


BLANK, TITLE, YEAR, HEADING_ROW, HEADER, OTHER = range(6)


class RowInfo:
    """What a row's cells alone say: stripped, its first non-blank cell, its kind (blank, a
    title, a year row, a target heading, a table header with its :class:`Layout`, or other)
    and, for the other rows, whether it starts a footer; ``ext`` keeps, per table layout,
    whether the row ends the table or else its cells read as indicator columns."""

    __slots__ = ("cells", "nonempty", "first", "first_n", "kind", "layout", "footer", "ext", "actions", "across")

    def __init__(self, raw_cells: list[str]):
        cells = strip_cells(raw_cells)
        nonempty = [c for c in cells if c]
        self.cells, self.nonempty = cells, nonempty
        self.layout = None
        self.footer = False
        self.ext: dict = {}
        self.actions: tuple | None = None  # as a row of fields (field_actions), once read so
        self.across: tuple[int, str] | None | bool = False  # whether it opens a table printed across (False: not asked)
        if not nonempty:
            self.first = self.first_n = ""
            self.kind = BLANK
            return
        first = self.first = nonempty[0]
        first_n = self.first_n = clean(first)
        if (
            vocab.TITLE.match(first_n)
            and match_label(first) is None
            and (len(nonempty) <= 2 or match_label(nonempty[1]) is not None)
        ):
            self.kind = TITLE
        elif YEAR_ROW.match(first_n) and (len(nonempty) == 1 or all(match_label(c) for c in nonempty[1:])):
            self.kind = YEAR
        elif HEADING.match(first_n) and len(nonempty) == 1:
            self.kind = HEADING_ROW
        elif (vocab.TARGET_MARK in "".join(cells) or may_be_wide(cells)) and (layout := read_header(cells)) is not None:
            self.kind, self.layout = HEADER, layout
        else:
            self.kind = OTHER
            self.footer = vocab.is_footer_row(nonempty)


_INFOS: dict[str, RowInfo] = {}


_INFOS_MAX = 1 << 12


_INFO_KEY_MAX = 1_000  # longer lines (prose) rarely repeat: not kept


def row_info(row: Row) -> RowInfo:
    key = row.key
    if key is None or len(key) > _INFO_KEY_MAX:
        return RowInfo(row.cells)
    info = _INFOS.get(key)
    if info is None:
        if len(_INFOS) >= _INFOS_MAX:
            _INFOS.clear()  # bounded: the rows that repeat come back at once
        info = _INFOS[key] = RowInfo(row.cells)
    return info


ASSIGN, NO_LABEL, MONEY, UNKNOWN, YEAR_CELL, UNIT_CELL, PART, HEAD = (
    "assign",
    "no-label",
    "money-unit",
    "unknown",
    "year",
    "unit",
    "part",
    "head",
)


#: a character an amount may be written with (digits, Chinese numerals, 元 万 亿)
AMOUNT_CHAR = re.compile(r"[\d零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟元]")


def may_be_amount(cell: str) -> bool:
    """Whether a cell beside an amount's label may be its value: it holds a figure, or a word
    that declares nothing (无, —, （盖章）). ``测算依据及说明``, ``项 目`` are headings, not values."""
    return bool(AMOUNT_CHAR.search(cell)) or vocab.squeeze(cell) in vocab.NULL_WORDS or vocab.is_placeholder(cell)


def heads_amounts(cells: list[str]) -> bool:
    """A row of two amount labels or more heads a column of amounts: the words beside them
    (项 目, 测算依据及说明) are headings, not their values."""
    return sum(1 for c in cells if c and (lab := match_label(c)) is not None and lab.field in vocab.AMOUNT_FIELDS) >= 2


def field_actions(cells: list[str]) -> tuple[tuple, ...]:  # noqa: PLR0915 - one table of what a row's cells say, read once per distinct line on the hot path
    """What a row of fields says, read from its cells alone, in order: ``(assign, label,
    value)``, ``(money-unit, label)`` (a label over amounts, whose brackets may print the money
    unit), ``(unknown, label)``, ``(part, label, value, level)`` (a part of the amount:
    :func:`~analysis.ingest.vocabulary.amount_part_level`), ``(year, 2021)`` (a year beside the fields), ``(unit, text)``
    (a heading before the fields that may name the unit), ``(head, label, column)`` (an amount's
    label with no value beside it: the amount may stand below it, :meth:`_Splitter.amount_row`),
    or alone ``(no-label, cells)``: no label, the row goes on a prose field or is a stray row."""
    split = bool(TWO_COLONS.search("\t".join(cells)))
    if split:
        cells = [part for c in cells for part in pairs(c)]
    actions: list[tuple] = []
    i, n = 0, len(cells)
    found_any = False
    heading = None
    heads = None  # whether the row heads a column of amounts (heads_amounts), once asked
    while i < n:
        c = cells[i]
        if not c:
            i += 1
            continue
        lab = match_label(c)
        if lab is None and not found_any and any(match_label(x) for x in cells[i + 1 :] if x):
            heading = heading or c
            i += 1  # a heading before the row's fields (本项目…情况  单位：万元)
            continue
        if lab is None:
            if not found_any:
                return ((NO_LABEL, cells),)
            m = YEAR_ROW.match(clean(c))
            if m:  # 申报单位名称：X      （2021年度）
                actions.append((YEAR_CELL, int(m.group(1))))
            i += 1
            continue
        if not found_any and heading is not None:
            actions.append((UNIT_CELL, heading))
        found_any = True
        if lab.inline is not None:
            value, i = lab.inline, i + 1
        else:
            j = i + 1
            while j < n and not cells[j] and j < i + 3:
                j += 1  # 资金总额 | | 3: the value may stand a blank cell or two away
            if (
                j < n
                and cells[j]
                and is_value(lab, cells[j])
                and not (
                    lab.field in _MONEY_LABELS
                    and not may_be_amount(cells[j])
                    and (lab.field == vocab.GROUP or (heads if heads is not None else (heads := heads_amounts(cells))))
                )
            ):
                value, i = cells[j], j + 1
            else:
                nxt = match_label(cells[j]) if j < n and cells[j] else None
                if lab.field in vocab.AMOUNT_FIELDS and not split and (nxt is None or nxt.field in _MONEY_LABELS):
                    actions.append((HEAD, lab, i))  # (not before another field's label: 年度预算 | 项目概况)
                value, i = "", i + 1
                if j < n and cells[j] and lab.field in vocab.AMOUNT_FIELDS:
                    # 项目资金（万元） | 年度资金总额： | 1125 — a label over the amounts beside it
                    actions.append((MONEY, lab))
                    continue
        if lab.field is None:
            actions.append((UNKNOWN, lab))
            continue
        if lab.field in (vocab.IGNORE, vocab.GROUP):
            if not value:
                actions.append((MONEY, lab))
            elif (level := vocab.amount_part_level(lab.label)) is not None:
                actions.append((PART, lab, value, level))
            continue
        actions.append((ASSIGN, lab, value))
    return tuple(actions)


def label_columns(cells: list[str]) -> dict[int, Label] | None:
    """A row of field labels alone, laid out sideways (``项目名称 | 主管部门 | 实施单位 | 年度资金总额``):
    each label's column, when every filled cell is a known label with nothing after its colon and
    two of them at least are, one of them a field that is no amount; None for any other row. The
    row under it may print their values, column by column (:meth:`_Splitter.side_values`)."""
    out: dict[int, Label] = {}
    for i, c in enumerate(cells):
        if not c:
            continue
        lab = match_label(c)
        if lab is None or lab.field is None or lab.inline is not None:
            return None
        out[i] = lab
    kept = [lab for lab in out.values() if lab.field not in (vocab.IGNORE, vocab.GROUP)]
    if len(out) < 2 or not any(lab.field not in vocab.AMOUNT_FIELDS for lab in kept):
        return None
    return out
