"""The vocabulary of published declarations, loaded from ``vocabulary.toml``.

Every word the ingest recognises — field labels, indicator-table headers, level-1 and level-2
names, title words, placeholders, footers, checkbox marks, words that declare nothing — is
listed once in ``vocabulary.toml`` beside this module. This module loads it and offers the
look-ups the parser and the normalizer use; nothing else names those words.

Keys are compared in a canonical form (:func:`key`): NFKC, no white space, no leading
enumerator (``一、``, ``(二)``, ``3.``, ``①``), no bracketed part (``项目总预算（万元）`` is
``项目总预算``), no colon at the end.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

import tomllib

from analysis.ids import SPACE

_SPACES = SPACE
_BRACKETS = re.compile(r"[(（\[【〔][^()（）\[\]【】〔〕]*[)）\]】〕]")
_ENUMERATOR = re.compile(
    r"^(?:[(（]?[一二三四五六七八九十]{1,3}[)）、.．]|[(（]?\d{1,2}[)）、．]|\d{1,2}\.(?!\d)|[①-⑳])"
)
_SCORE = re.compile(r"\d+(?:\.\d+)?(?:[-~～]\d+(?:\.\d+)?)?分$|分$")


def nfkc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def squeeze(text: str) -> str:
    """NFKC without any white space."""
    return _SPACES.sub("", nfkc(text))


@functools.lru_cache(maxsize=1 << 15)
def key(text: str) -> str:
    """The canonical form labels and headers are compared in (see the module's doc)."""
    s = squeeze(text).rstrip(":")
    s = _ENUMERATOR.sub("", s)
    core = _BRACKETS.sub("", s)
    return core or s


@functools.lru_cache(maxsize=1 << 14)
def level_key(text: str) -> str:
    """A level name as compared: :func:`key`, and without a trailing score
    (``产出指标(50分)``, ``成本指标(0-20)分``, ``数量指标（必填）`` all lose their marks)."""
    s = key(text)
    s2 = _SCORE.sub("", s)
    return s2 or s


def _load() -> dict:
    data = resources.files("analysis.ingest").joinpath("vocabulary.toml").read_text(encoding="utf-8")
    return tomllib.loads(data)


RAW: dict = _load()


def _index(section: dict[str, list[str]], what: str) -> dict[str, str]:
    """word -> name, refusing a word listed under two names (each word has one home)."""
    out: dict[str, str] = {}
    for name, words in section.items():
        if not isinstance(words, list):
            continue
        for w in words:
            k = key(w)
            if k in out and out[k] != name:
                raise ValueError(f"vocabulary.toml: {what} {w!r} is listed under both {out[k]!r} and {name!r}")
            out[k] = name
    return out


# ---------------------------------------------------------------------------------------------
# fields

#: label key -> column (or ``implementer``, ``period``, ``amount``, ``exec_rate``, ``year``,
#: ``money_unit``), for every field label
FIELDS: dict[str, str] = _index(RAW["fields"], "label")
FIELD_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(p), name) for name, ps in RAW.get("field_patterns", {}).items() for p in ps
]
IGNORED: frozenset[str] = frozenset(key(w) for w in RAW["ignore"]["labels"])
IGNORED_PATTERNS: list[re.Pattern] = [re.compile(p) for p in RAW["ignore"]["patterns"]]
AMOUNT_PARTS: list[re.Pattern] = [re.compile(p) for p in RAW["amount_parts"]["patterns"]]
#: the word of the row that holds the amount in a column of amounts (合计), squeezed
AMOUNT_TOTALS: frozenset[str] = frozenset(key(w) for w in RAW["amount_parts"]["totals"])
GROUPS: frozenset[str] = frozenset(key(w) for w in RAW["groups"]["labels"])
for _k in IGNORED | GROUPS:
    if _k in FIELDS:
        raise ValueError(f"vocabulary.toml: label {_k!r} is both a field and ignored")

IGNORE = "ignore"  #: a label known and not kept
GROUP = "group"  #: a label grouping the rows beside it


@functools.lru_cache(maxsize=1 << 14)
def field_of(label: str) -> str | None:
    """The column a label names (``项目名称：`` gives ``project``), :data:`IGNORE` for a label
    known and not kept, :data:`GROUP` for a group label, ``None`` for an unknown one."""
    k = key(label)
    if not k:
        return None
    if _PLACEHOLDER_MARK.search(label) and any(
        w in squeeze(label) for w in PLACEHOLDER_MARKS
    ):  # 单位（盖章）：, 项目责任人（签字）：
        return IGNORE
    if k.startswith("其中") and len(k) > 2:  # 其中：财政拨款 — a part of the amount above
        k = _ENUMERATOR.sub("", k[2:].lstrip(":"))  # 其中：… (the colon is ASCII after NFKC)
    name = FIELDS.get(k)
    if name is not None:
        return name
    for pat, name in FIELD_PATTERNS:
        if pat.search(k):
            return name
    if k in GROUPS:
        return GROUP
    if k in IGNORED or any(p.search(k) for p in IGNORED_PATTERNS) or any(p.search(k) for p in AMOUNT_PARTS):
        return IGNORE
    return None


_TOP_ENUMERATOR = re.compile(r"^(?:[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．])")


@functools.lru_cache(maxsize=1 << 12)
def amount_part_level(label: str) -> int | None:
    """For a label naming a part of the amount (``（一）财政拨款小计``, ``1、一般公共预算``, ``其中：财政拨款``):
    1 when it is numbered （一）, 一、 … (a part of the whole), else 2; ``None`` for any other label."""
    k = key(label)
    if k.startswith("其中") and len(k) > 2:
        k = _ENUMERATOR.sub("", k[2:].lstrip(":"))  # 其中：… (the colon is ASCII after NFKC)
    if not any(p.search(k) for p in AMOUNT_PARTS):
        return None
    return 1 if _TOP_ENUMERATOR.match(squeeze(label)) else 2


# ---------------------------------------------------------------------------------------------
# placeholders, footers, nulls, checkboxes

PLACEHOLDERS: frozenset[str] = frozenset(squeeze(w) for w in RAW["placeholders"]["words"])
PLACEHOLDER_MARKS = tuple(squeeze(w) for w in RAW["placeholders"]["words"] if w.startswith("("))
_PLACEHOLDER_MARK = re.compile("|".join(re.escape(w[1]) for w in PLACEHOLDER_MARKS))  # 盖, 签, 公: a quick test
_PLACEHOLDER_RUN = re.compile(r"^[Xx×*＊…._\-—·。、]+$")


def is_placeholder(text: str | None) -> bool:
    """A cell that only holds a placeholder (``（盖章）``, ``XXX``, ``**``, ``……``)."""
    if not text or len(text) > 24:
        return False
    return _is_placeholder(text)


@functools.lru_cache(maxsize=1 << 14)
def _is_placeholder(text: str) -> bool:
    s = squeeze(text)
    return bool(s) and (s in PLACEHOLDERS or bool(_PLACEHOLDER_RUN.match(s)))


FOOTER_STARTS = tuple(squeeze(w) for w in RAW["footer"]["starts"])
FOOTER_CONTAINS = tuple(squeeze(w) for w in RAW["footer"]["contains"])
FOOTER_ENDS = tuple(squeeze(w) for w in RAW["footer"]["ends"])


@functools.lru_cache(maxsize=1 << 14)
def is_footer(text: str) -> bool:
    """A cell that begins a footer row (注：…, 填表人, 财政部门审核意见, …（盖章） 年 月 日)."""
    s = squeeze(text)
    return s.startswith(FOOTER_STARTS) or any(w in s for w in FOOTER_CONTAINS)


def is_footer_row(texts: list[str]) -> bool:
    """Whether a row (its non-empty cells) is a footer: its first cell begins one
    (:func:`is_footer`), or it is an approval box, a cell ending in 审核意见, 初审意见 … with
    nothing beside it but placeholders (``区扶贫办审核意见 | （盖章）``)."""
    if not texts:
        return False
    if is_footer(texts[0]):
        return True
    return _is_approval(texts[0]) and all(is_placeholder(t) or is_footer(t) for t in texts[1:])


@functools.lru_cache(maxsize=1 << 14)
def _is_approval(text: str) -> bool:
    return squeeze(text).endswith(FOOTER_ENDS)


TASK_HEADINGS: frozenset[str] = frozenset(key(w) for w in RAW["tasks"]["headings"])
TASK_TITLE_ENDS = tuple(RAW["tasks"]["title_ends"])
TASK_HEADER_WORD: str = RAW["tasks"]["header_word"]


@functools.lru_cache(maxsize=1 << 14)
def is_task_heading(first: str, n_filled: int) -> bool:
    """Whether a row whose first non-blank cell is ``first`` (of ``n_filled``) heads a list of the
    year's tasks: the cell is a task heading (任务清单, 年度主要任务), or, alone on its line, ends
    with one (…任务清单)."""
    if not first:
        return False
    k = key(first)
    return k in TASK_HEADINGS or (n_filled == 1 and k.endswith(TASK_TITLE_ENDS))


NULL_WORDS: frozenset[str] = frozenset(RAW["nulls"]["words"])
CHECKED = tuple(RAW["checkbox"]["checked"])
UNCHECKED = tuple(RAW["checkbox"]["unchecked"])
_BOX = "".join(re.escape(c) for c in CHECKED + UNCHECKED)
_STRICT_BOX = "".join(re.escape(c) for c in CHECKED + UNCHECKED if c != "口")
_ANY_BOX = re.compile(f"[{_BOX}]")
_STRICT = re.compile(f"[{_STRICT_BOX}]")
_CHOICE = re.compile(rf"([{_BOX}])?\s*([^\s{_BOX}]+?)\s*([{_BOX}])?(?=\s|$|[{_BOX}])")


def checked_choice(text: str | None) -> str | None:
    """The choice marked in a checkbox cell (``新增项目□ 延续项目√`` gives ``延续项目``,
    ``☑新增 □延续`` gives ``新增``); ``None`` when the cell is no checkbox cell (or none is
    checked)."""
    if not text or not _ANY_BOX.search(text) or not _STRICT.search(text) and not re.search(r"口\s", text + " "):
        return None
    marks = re.findall(f"[{_BOX}]", text)
    if len(marks) < 2 and not any(m in CHECKED for m in marks):
        return None
    s = text.strip()
    after = s[-1] in CHECKED + UNCHECKED  # the mark follows its choice
    for m in _CHOICE.finditer(s):
        before_mark, word, after_mark = m.group(1), m.group(2), m.group(3)
        mark = after_mark if after else before_mark
        if mark in CHECKED:
            return word
    return None


# ---------------------------------------------------------------------------------------------
# titles

NOT_ANALYSED = tuple(squeeze(w) for w in RAW["title"]["not_analysed"])


def names_form_not_analysed(text: str) -> bool:
    """Whether a line is the title of a form that is not analysed (部门整体支出绩效目标表)."""
    s = squeeze(text)
    return "表" in s and any(w in s for w in NOT_ANALYSED)


_VERBS = "|".join(re.escape(v) for v in RAW["title"]["verbs"])
#: a title cell (NFKC, no spaces): 财政项目支出绩效目标表, 2021年度…绩效目标申报表, 项目支出目标申报表,
#: …表(2021年度), …部门专项(绩效目标)申报表2021年度; a sentence that merely mentions the form is no title
TITLE = re.compile(
    rf"^(?:\d{{4}}年度?)?[^。，,；;:]{{0,40}}?(?:绩效)?目标\)?(?:{_VERBS})?表"
    rf"(?:\((?:\d{{4}}年度?|[^()]{{1,12}})\)?|\d{{4}}年度?)?$"
)

# ---------------------------------------------------------------------------------------------
# the indicator table

#: header key -> role (level1, level2, name, description, target, op, unit, remark; weight, basis, ...)
COLUMNS: dict[str, str] = {}
for _role, _words in RAW["columns"].items():
    if not isinstance(_words, list):
        continue
    for _w in _words:
        COLUMNS.setdefault(key(_w), _role)  # 绩效指标描述 is a name where no other is printed: see parse
COLUMN_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(p), name) for name, ps in RAW.get("column_patterns", {}).items() for p in ps
]
DESCRIPTION: frozenset[str] = frozenset(key(w) for w in RAW["columns"]["description"])
#: the fields whose value is an amount of money
AMOUNT_FIELDS = ("total_budget", "year_budget", "amount", "prior_budget", "prior_executed")
#: the roles of the indicator table that make its structure (levels, name, target, operator and
#: unit columns; a description or remark column is passed over)
STRUCTURAL_COLUMNS = ("level1", "level2", "name", "description", "target", "op", "unit", "remark")
#: the other roles (weight, basis, ...): columns printed beside an indicator whose cell is
#: carried to the builder as it is (:attr:`analysis.ingest.parse.RawIndicator.printed`), to
#: become the indicators' column of the same name
PRINTED_COLUMNS: tuple[str, ...] = tuple(
    r for r, words in RAW["columns"].items() if isinstance(words, list) and r not in STRUCTURAL_COLUMNS
)
TABLE_FIELDS: dict[str, str] = _index(RAW["table_fields"], "table field")
#: a character every value-column header holds (指标值, 目标值, 年度数值): the quick test that
#: tells most rows from a header row (tests/test_vocabulary.py checks every target word has it)
TARGET_MARK: str = RAW["columns"]["target_mark"]
HORIZON_MEDIUM = tuple(RAW["horizon"]["medium"])
HORIZON_YEAR = tuple(RAW["horizon"]["year"])
HORIZON_ACTUAL = tuple(RAW["horizon"]["actual"])


@functools.lru_cache(maxsize=1 << 16)
def column_role(cell: str) -> str | None:
    """The role of an indicator-table header cell (``一级\\n指标`` gives ``level1``)."""
    k = key(cell)
    if not k:
        return None
    role = COLUMNS.get(k)
    if role is None:
        for pat, name in COLUMN_PATTERNS:
            if pat.search(k):
                return name
        for marker in HORIZON_MEDIUM + HORIZON_YEAR:  # 中期指标值, 年度目标值
            if k.startswith(marker) and COLUMNS.get(k[len(marker) :]) == "target":
                return "target"
    return role


@functools.lru_cache(maxsize=1 << 12)
def table_field(cell: str) -> str | None:
    """The field a long table's header cell holds (项目名称, 预算数, 年度绩效目标 ...)."""
    return TABLE_FIELDS.get(key(cell))


def horizon_of(cell: str) -> str | None:
    """``medium`` or ``year`` where a header cell says which (中期目标, 年度指标值)."""
    s = squeeze(cell)
    if any(m in s for m in HORIZON_MEDIUM):
        return "medium"
    if any(m in s for m in HORIZON_YEAR):
        return "year"
    return None


# ---------------------------------------------------------------------------------------------
# levels

#: level 1 as published (its :func:`level_key`) -> the category shared by the frameworks
LEVEL1_STD: dict[str, str] = dict(RAW["level1"])
#: level-2 words of every framework (without a trailing 指标/目标/值)
LEVEL2_WORDS: frozenset[str] = frozenset(RAW["level2"]["words"])
SATISFACTION: str = RAW["level2"]["satisfaction"]
_LEVEL2_SUFFIX = re.compile(r"(?:指标|目标|值)$")


def is_level1(text: str | None) -> bool:
    return bool(text) and level_key(text) in LEVEL1_STD


def level2_key(text: str) -> str:
    k = level_key(text)
    return _LEVEL2_SUFFIX.sub("", k) or k


def is_level2(text: str | None) -> bool:
    return bool(text) and level2_key(text) in LEVEL2_WORDS


# ---------------------------------------------------------------------------------------------
# targets

PERCENT_WORDS = tuple(RAW["target"]["percent_words"])
SENTENCE_MARKS = tuple(RAW["target"]["sentence_marks"])
