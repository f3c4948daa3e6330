"""What a cell says by itself: a field label (:func:`match_label`), a value beside a label
(:func:`is_value`), several label-value pairs in one cell, a template's hint, a target's look.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from analysis.ids import SPACE
from analysis.ingest import vocabulary as vocab
from analysis.ingest.normalize import nfkc, parse_target
from analysis.tables import PROSE

_SPACES = SPACE


YEAR_ROW = re.compile(r"^[(（]?(\d{4})年度?[)）]?$")


HEADING = re.compile(
    r"^(?:(?:[一二三四五六七八九十]{1,3}|\d{1,2})[、.．])?(?:本项目)?(?:(\d{4})年度?)?(?:年度)?(?:项目)?(?:绩效目标|绩效指标)(?:情况)?:?$"
)


#: a template's hint in an indicator's name: 指标1：, （≥**%）
_TEMPLATE_NAME = re.compile(r"^(?:指标\d*[:：]?|[(（][^()（）]*\*[^()（）]*[)）]|[(（]?[≥≤<>=]*\**%?[)）]?)$")


_MAX_LABEL = 24


@dataclass(frozen=True)
class Label:
    field: str | None  # None for a label this project does not know; vocab.IGNORE / vocab.GROUP
    label: str  # as published (NFKC, no spaces)
    inline: str | None  # the value when label and value share a cell


def clean(cell: str) -> str:
    return _clean_short(cell) if len(cell) <= 64 else _SPACES.sub("", nfkc(cell))


@functools.lru_cache(maxsize=1 << 16)
def _clean_short(cell: str) -> str:  # labels, levels and targets repeat across files
    return _SPACES.sub("", nfkc(cell))


def match_label(cell: str) -> Label | None:
    """Recognise a field label in ``cell`` (``项目名称：``, ``项目总预算（元）：``,
    ``申报单位名称：XX局``, ``其中：财政拨款``); ``None`` when the cell is a value, not a label."""
    if len(cell) > 200 and ":" not in cell[:60] and "：" not in cell[:60]:
        return None  # prose
    return _match_label(cell)


_COLON_OUTSIDE = re.compile(r"^((?:[^:(（]|[(（][^)）]*[)）])*?)[:：]")


@functools.lru_cache(maxsize=1 << 15)
def _match_label(cell: str) -> Label | None:
    s = clean(cell)
    if not s:
        return None
    if ":" in s:
        m = _COLON_OUTSIDE.match(s)  # 资金情况（单位：万元）: the colon in brackets is no label's
        if m is None:
            head, tail, inline = s, "", None
        else:
            head, tail = m.group(1), s[m.end() :]
            m2 = _COLON_OUTSIDE.match(cell.strip())
            inline = cell.strip()[m2.end() :].strip() if m2 else None
            inline = inline or None
    else:
        head, tail, inline = s, "", None
    if len(head) <= 40:
        name = vocab.field_of(head)
        if name is not None:
            return Label(name, head, inline)
        if tail and head.startswith("其中"):  # 其中：财政拨款 — a part of the amount above
            name = vocab.field_of(s.replace(":", ""))
            if name is not None:
                return Label(name, s, None)
    if ":" in s and not tail and 1 < len(head) <= _MAX_LABEL and not head[0].isdigit():
        return Label(None, head, None)  # an unknown label, ends with a colon
    return None


def strip_cells(cells: list[str]) -> list[str]:
    return [c.strip().strip("\u3000\u00a0") for c in cells]


_STRONG_QUALITATIVE = re.compile(
    r"^(?:规范|及时|有效|可持续|持续|完善|健全|良好|合格|达标|显著|明显|提高|提升|满意|准确|安全|完成|按时|到位|保障)"
)


def looks_like_target(text: str, year: int | None) -> bool:
    if not text:
        return False
    kind = parse_target(text, year).kind
    if kind in ("quantitative", "deadline"):
        return True
    return bool(_STRONG_QUALITATIVE.match(clean(text))) and len(text) <= 12


TWO_COLONS = re.compile(r"[:：][^\t]*[:：]")  # a cell with two colons (the quick test for pairs)


_LABEL_START = re.compile(r"^([^:：\s]{1,16})[:：]")


def pairs(cell: str) -> list[str]:
    """A cell holding several short ``label：value`` pairs (``填报单位:(盖章) 单位:万元``, an amount
    block written in one cell: ``资金总额: 250\n一、预算资金:250``) as one cell a pair; any other
    cell as it is."""
    tokens = cell.split()
    starts = [
        k for k, t in enumerate(tokens) if (m := _LABEL_START.match(nfkc(t))) and vocab.field_of(m.group(1)) is not None
    ]
    if len(starts) < 2 or starts[0] != 0:
        return [cell]
    parts = [" ".join(tokens[a:b]) for a, b in zip(starts, starts[1:] + [len(tokens)])]
    if any(len(_LABEL_START.sub("", nfkc(p))) > 20 for p in parts):
        return [cell]  # prose that names a label or two: one value
    return parts


def is_value(lab: Label, cell: str) -> bool:
    """Whether ``cell``, right after the label ``lab``, is its value. Prose may begin
    with words that look like a label (总目标：…): after a prose label, only a bare
    label (nothing after its colon) ends the field."""
    nxt = match_label(cell)
    if nxt is None:
        return True
    return lab.field in PROSE and nxt.inline is not None


def is_template_name(text: str | None) -> bool:
    return not text or vocab.is_placeholder(text) or bool(_TEMPLATE_NAME.match(clean(text)))
