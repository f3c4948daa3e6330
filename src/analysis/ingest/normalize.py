"""Normalizing the values of a declaration: names, text, amounts, dates, booleans, targets.

Every function here takes the published text of one cell and returns a plain Python value;
none of them raises on bad input: they return ``None`` (and the caller reports a problem).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import math
import re
import unicodedata
from typing import NamedTuple

from analysis.ids import SPACE
from analysis.ingest import vocabulary as vocab

# ---------------------------------------------------------------------------------------------
# white space, names and text


def memo_short(maxsize: int = 1 << 14):
    """Memoize a pure function of one cell string (and a few hashable options): names,
    amounts, dates and targets repeat across thousands of declarations. Only strings of up to
    64 characters are kept, so a long cell never fills the cache."""

    def wrap(fn):
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(text, *args, **kwargs):
            if text is None or (type(text) is str and len(text) <= 64):
                return cached(text, *args, **kwargs)
            return fn(text, *args, **kwargs)

        call.cache_info = cached.cache_info
        return call

    return wrap


_WS = SPACE
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|tr)(?:\s[^<>]*)?/?>", re.IGNORECASE)


@memo_short()
def clean_name(text: str | None) -> str | None:
    """A name as published, made readable: any white space (full-width, non-breaking, runs)
    becomes one ordinary space, and the ends are trimmed. ``None`` for an empty cell."""
    if text is None:
        return None
    out = _WS.sub(" ", _ZERO_WIDTH.sub("", str(text))).strip()
    return out or None


_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’、，。；：（）《》"
_WS_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[\s\u00a0\u3000\u200b]+(?=[{_CJK}(（])|(?<=[)）])[\s\u00a0]+(?=[{_CJK}])")


def clean_label(text: str | None) -> str | None:
    """A level or an indicator name as published, its line breaks and spaces folded: white
    space between Chinese characters goes (``经济效益\n指标`` is ``经济效益指标``), any other run
    becomes one space. ``None`` for an empty cell."""
    if text is None:
        return None
    if len(text) <= 64:
        return _clean_label_short(text)
    return _clean_label(text)


def _clean_label(text: str) -> str | None:
    s = _ZERO_WIDTH.sub("", str(text))
    if not s.isascii():
        s = _WS_BETWEEN_CJK.sub("", s)
    return clean_name(s)


_clean_label_short = functools.lru_cache(maxsize=1 << 15)(_clean_label)  # levels and names repeat


_CODE_IN_BRACKETS = re.compile(r"[\[(（【〔]\s*([A-Za-z]{0,4}\d[\dA-Za-z\-_.]{3,})\s*[\])）】〕]")
_UNIT_CODE = re.compile(
    r"^(?:[\[(（【〔]\s*\d{2,}\s*[\])）】〕]\s*[-－—_]?|\d{2,}\s*[-－—_]|\d{6,}(?=[^\d\s.,，、]))\s*"
)


_TRAILING_CODE = re.compile(r"\s+[\[(（]?\d{6,}[\])）]?$")


def strip_unit_code(name: str | None) -> str | None:
    """A unit's name without the budget code printed before it: ``[077]淮北市文化旅游体育局``,
    ``776001-扎赉特旗人民检察院``, ``(433001)乌海市供销合作社联合社``, ``207101天津市河北区人民法院``."""
    if not name:
        return name
    out = _UNIT_CODE.sub("", name, count=1).strip()
    out = _TRAILING_CODE.sub("", out)  # 湘潭市城市管理和综合执法局 308001
    return out or name


def split_project_code(name: str | None) -> tuple[str | None, str | None]:
    """A project's name and the code printed with it in brackets (``（2023001）某某项目`` gives
    ``某某项目`` and ``2023001``); a bracketed part that is no code stays in the name."""
    if not name:
        return name, None
    m = _CODE_IN_BRACKETS.search(name)
    if not m or sum(ch.isdigit() for ch in m.group(1)) < 4:  # （12）, （2项） are no codes
        return name, None
    rest = clean_name(name[: m.start()] + name[m.end() :])
    if not rest:
        return name, None
    return rest.strip("-－—_ "), m.group(1)


def clean_text(text: str | None) -> str | None:
    """A prose field as plain text: markup such as ``<p>`` removed, entities decoded,
    paragraphs kept as line breaks, runs of spaces collapsed."""
    if text is None:
        return None
    s = str(text)
    if "<" in s:
        s = _BLOCK_TAG.sub("\n", s)
        s = _TAG.sub("", s)
    if "&" in s:
        s = html.unescape(s)
    lines = (_WS.sub(" ", line).strip() for line in s.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    out = "\n".join(line for line in lines if line)
    return out or None


def nfkc(text: str) -> str:
    """NFKC normalization: full-width letters, digits and signs become their ASCII forms."""
    if text.isascii():
        return text
    if len(text) <= 64:
        return _nfkc_short(text)
    return unicodedata.normalize("NFKC", text)


@functools.lru_cache(maxsize=1 << 15)
def _nfkc_short(text: str) -> str:  # labels, names and targets repeat across files
    return unicodedata.normalize("NFKC", text)


# ---------------------------------------------------------------------------------------------
# amounts

_NULL_WORDS = vocab.NULL_WORDS
_AMOUNT = re.compile(r"^([+-]?\d+(?:\.\d+)?)(万元|万|元|亿元|亿)?$")
#: 854万（其中…）: the leading amount, a note after it
_AMOUNT_NOTE = re.compile(r"^([+-]?\d+(?:\.\d+)?(?:万元|万|元|亿元|亿)?)[(（](?!(?:万元|元|亿元)[)）]$).*$")


@memo_short()
def parse_amount(text: str | None, label_unit: str | None = "元") -> tuple[float | None, bool]:
    """An amount in 元 from a cell; ``label_unit`` is the unit printed in the field's label
    (``元`` or ``万元``). Returns ``(value, ok)``: ``(None, True)`` for a blank or a dash
    (nothing declared), ``(None, False)`` for text that is no number."""
    if text is None:
        return None, True
    s = nfkc(str(text)).strip().lower()
    s = _WS.sub("", s).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    if s in _NULL_WORDS or vocab.is_placeholder(s):
        return None, True
    m = _AMOUNT_NOTE.match(s)
    if m:  # 854万（其中财政资金500万）
        s = m.group(1)
    s = s.replace("(", "").replace(")", "")  # 140.64(万元)
    if s in _NULL_WORDS:
        return None, True
    m = _AMOUNT.match(s)
    if not m:
        return None, False
    value = float(m.group(1))
    if not math.isfinite(value):
        return None, False  # 400 nines: no amount
    unit = m.group(2) or label_unit or "元"
    if unit.startswith("万"):
        value *= 10_000
    elif unit.startswith("亿"):
        value *= 100_000_000
    return round(value, 2), True


def label_unit(label: str) -> str:
    """The money unit a field label prints: ``项目总预算（万元）`` gives ``万元``."""
    s = nfkc(label)
    if "亿元" in s:
        return "亿元"
    return "万元" if "万元" in s else "元"


# ---------------------------------------------------------------------------------------------
# dates and booleans

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_YEAR_ONLY = re.compile(r"^(\d{4})\s*年(?:度)?$")  # 2024年: a date's whole year, a period of one year


@memo_short()
def parse_date(text: str | None, end: bool = False) -> tuple[dt.date | None, bool]:
    """A date from ``2020-01-01``, ``2020/1/1``, ``2020年1月1日``, ``2020.1.1`` or ``20200101``
    (also with a time part, as spreadsheets write it, or a spreadsheet's date serial).
    A month alone (``2020年1月``, ``2020-01``) gives its first day, or its last with ``end``; a
    year alone (``2024年``, as 开始时间 and 完成时间 print it) its first or last day.
    Returns ``(date, ok)`` like parse_amount."""
    if text is None:
        return None, True
    s = nfkc(str(text)).strip()
    if s in _NULL_WORDS:
        return None, True
    s = re.sub(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", "", s)
    m = _DATE.match(s) or _DATE_COMPACT.match(s)
    if not m:
        mm = _MONTH.match(s)
        if mm and 1 <= int(mm.group(2)) <= 12 and int(mm.group(1)) >= dt.MINYEAR:
            y, mo = int(mm.group(1)), int(mm.group(2))
            return dt.date(y, mo, _month_end(y, mo) if end else 1), True
        my = _YEAR_ONLY.match(s)
        if my and int(my.group(1)) >= dt.MINYEAR:
            return dt.date(int(my.group(1)), 12, 31) if end else dt.date(int(my.group(1)), 1, 1), True
        if re.fullmatch(r"\d{5}(?:\.0+)?", s) and 20000 <= float(s) <= 80000:
            # a spreadsheet's date serial printed as a number (43831 is 2020-01-01)
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(float(s))), True
        return None, False
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), True
    except ValueError:
        return None, False


_TRUE = {"是", "有", "含", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "无", "不含", "n", "no", "false", "0", "×"}


@memo_short()
def parse_bool(text: str | None) -> tuple[bool | None, bool]:
    """是/否 as a boolean; ``(None, True)`` for a blank cell, ``(None, False)`` for other text."""
    if text is None:
        return None, True
    s = nfkc(str(text)).strip().lower()
    if not s:
        return None, True
    if s in _TRUE:
        return True, True
    if s in _FALSE:
        return False, True
    return None, False


# ---------------------------------------------------------------------------------------------
# frameworks

#: level1 as published (NFKC, no spaces, no bracketed part or score) -> the canonical category
#: shared by both frameworks; kept in vocabulary.toml
LEVEL1_STD: dict[str, str] = vocab.LEVEL1_STD
#: level2 words of both frameworks; used to recognise a row that arrived shifted left
LEVEL2_WORDS = vocab.LEVEL2_WORDS


def level1_std(level1: str | None, level2: str | None = None) -> str | None:
    """The canonical level1 category (see ``LEVEL1_STD``); ``其他`` for an unknown one.
    Satisfaction printed as a level 2 under 效益 (效益指标 / 满意度指标) is ``满意度``."""
    if level1 is None:
        return None
    key = vocab.level_key(level1)
    if not key:
        return None
    std = LEVEL1_STD.get(key, "其他")
    if std == "效益" and level2 and vocab.SATISFACTION in vocab.squeeze(level2):
        return vocab.SATISFACTION
    return std


is_level1 = vocab.is_level1
is_level2 = vocab.is_level2


# ---------------------------------------------------------------------------------------------
# targets

_OPS = [  # longest first; applied to the NFKC form
    (">=", ">="),
    ("=>", ">="),
    ("≥", ">="),
    ("≧", ">="),
    ("›=", ">="),
    ("≮", ">="),
    ("<=", "<="),
    ("=<", "<="),
    ("≤", "<="),
    ("≦", "<="),
    ("‹=", "<="),
    ("≯", "<="),
    ("==", "="),
    ("=", "="),
    (">", ">"),
    ("<", "<"),
    ("›", ">"),
    ("‹", "<"),
    ("大于或等于", ">="),
    ("大于等于", ">="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("至少", ">="),
    ("达到", ">="),
    ("高于", ">"),
    ("大于", ">"),
    ("超过", ">"),
    ("多于", ">"),
    ("小于或等于", "<="),
    ("小于等于", "<="),
    ("不高于", "<="),
    ("不超过", "<="),
    ("不大于", "<="),
    ("不多于", "<="),
    ("至多", "<="),
    ("控制在", "<="),
    ("低于", "<"),
    ("小于", "<"),
    ("少于", "<"),
    ("等于", "="),
    ("约", "="),
]
#: an operator alone, as a split operator column prints it (≥, 大于等于, =)
OPERATORS: dict[str, str] = dict(_OPS)
_SUFFIX_OPS = [  # words after the number
    ("及以上", ">="),
    ("以上", ">="),
    ("或以上", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("之内", "<="),
    ("内", "<="),
    ("左右", "="),
]
_NUM = r"(\d+(?:\.\d+)?)"
_MULT = {"万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6, "千万": 1e7}
_NUMBER = re.compile(_NUM + r"\s*(百万|千万|万|亿|千)?")
_RANGE = re.compile(
    r"^"
    + _NUM
    + r"\s*(百万|千万|万|亿|千)?\s*(%|‰)?\s*(?:-|~|～|〜|—|–|至|到)\s*"
    + _NUM
    + r"\s*(百万|千万|万|亿|千)?\s*(.*)$"
)
_TOLERANCE = re.compile(r"^(?:±|\+/-|\+-)" + _NUM + r"\s*(%|‰)?\s*(?:以内|之内|内)?$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
_DEADLINE_FULL = re.compile(
    r"^(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日|底|末|份|中旬|上旬|下旬)?\s*(?:前|之前|以前|内|底前|完成|前完成|到位|前到位)?$"
)
_DEADLINE_YEAR = re.compile(
    r"^(\d{4})\s*年\s*(?:底|末|年底|年末|年内|内|度|全年|年度内)?\s*(?:前|之前|以前|完成|前完成|内)?$"
)
_DEADLINE_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?\s*(?:前|之前|以前)?$")
_YEAR_END_WORDS = re.compile(r"^(?:当年|本年|年底|年末|年内|本年度|当年度)\s*(?:底|末|内)?\s*(?:前|之前|完成|前完成)?$")
#: a deadline followed by what is done by then: 12月底前100%到位, 2021年6月30日前完成验收
_DEADLINE_LEAD = re.compile(r"^((?:\d{4}年)?\d{1,2}月(?:\d{1,2}日|底|末)?)(?:前|之前|以前)(?=\S)")
#: one end of a period: 2020.1.1, 2021年1月, 12月, 2023.07, 2021年12月31日
_PERIOD_END = r"(?:\d{4}(?:年|[.\-/])\d{1,2}(?:月|[.\-/]\d{1,2}日?|月\d{1,2}日)?|\d{4}年|\d{1,2}月(?:\d{1,2}日)?)"
_PERIOD = re.compile(rf"^({_PERIOD_END})\s*(?:-|~|～|〜|—|–|至|到)+\s*({_PERIOD_END})(?:前|之前|止)?$")


class Target(NamedTuple):
    """A target read: ``(op, value, value_hi, value_unit, kind)`` (unpacks like a tuple)."""

    op: str | None
    value: float | None
    value_hi: float | None
    value_unit: str | None
    kind: str | None


_EMPTY = Target(None, None, None, None, None)
_QUALITATIVE = Target(None, None, None, None, "qualitative")


def _month_end(year: int, month: int) -> int:
    """The last day of a month, for any year (0000 included: no date object is made)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _deadline(s: str, year: int | None) -> float | None:
    """A deadline as a sortable yyyymmdd number, NaN when it needs a year nobody gave, or
    None when ``s`` is no deadline."""
    m = _DEADLINE_ISO.match(s)
    if m and 1 <= int(m.group(2)) <= 12:
        y, mo = int(m.group(1)), int(m.group(2))
        if y < 1000:
            return float("nan")  # a deadline in year 0000: no date (reported as a bad target)
        d = int(m.group(3)) if m.group(3) else _month_end(y, mo)
        return float(y * 10000 + mo * 100 + min(d, 31))
    m = _DEADLINE_FULL.match(s)
    if m and ("月" in s):
        y = int(m.group(1)) if m.group(1) else year
        mo = int(m.group(2))
        if not 1 <= mo <= 12:
            return None
        if y is None or y < 1000:
            return float("nan")
        d = int(m.group(3)) if m.group(3) else _month_end(y, mo)
        return float(y * 10000 + mo * 100 + min(d, 31))
    m = _DEADLINE_YEAR.match(s)
    if m:
        return float(int(m.group(1)) * 10000 + 1231)
    if _YEAR_END_WORDS.match(s):
        return float(year * 10000 + 1231) if year else float("nan")
    return None


def _period_end(s: str, year: int | None) -> float | None:
    """The end of a period printed as a target (``2020.1.1-2020.12.31``, ``2021年1月-12月``,
    ``2023.07-2024.01``): a deadline at its end; the end may leave out the start's year."""
    m = _PERIOD.match(s)
    if not m:
        return None
    start, end = m.group(1), m.group(2)
    ys = re.match(r"^(\d{4})", start)
    if not ys:
        return None  # 3月-6月 without any year is no period we can date
    if not re.match(r"^\d{4}", end):
        end = ys.group(1) + "年" + end
    if _deadline(start, year) is None:
        return None
    return _deadline(end, int(ys.group(1)))


def parse_target(text: str | None, year: int | None = None) -> Target:
    """Parse a target value as published. Returns a :class:`Target`
    ``(op, value, value_hi, value_unit, kind)``:

    - ``op``: ``=``, ``>=``, ``<=``, ``>``, ``<``, ``range`` or ``None`` (qualitative);
      a bare number is an implied ``=``; deadlines are ``<=`` (done by that date).
    - ``value``/``value_hi``: floats with multipliers applied (``50万次`` gives 500000);
      percents stay in percent (``95%`` and ``95百分比`` give 95); thousands separators are
      read (``1,000``); for a deadline, the date as yyyymmdd (``2021年12月31日前`` gives
      20211231; ``12月底前`` takes the year from ``year``; a period ``2021年1月-12月`` gives its
      end); a tolerance ``±3%以内`` is the range -3 to 3.
    - ``value_unit``: ``%``, ``次``, ``元/人`` ...; ``万元`` becomes ``元`` with the value ×10000.
    - ``kind``: ``quantitative``, ``qualitative`` or ``deadline``; ``None`` for an empty cell.
      A number followed by a sentence (``8个小区，环境整洁``) is qualitative.

    A target with an operator and no number gives ``(op, None, None, None, "qualitative")``;
    the caller reports it.
    """
    if text is None:
        return _EMPTY
    text = str(text)
    if len(text) <= 64:
        return _parse_target_short(text, year)  # targets repeat: >=90%, 12月底前, 及时
    return _parse_target(text, year)


def _parse_target(text: str, year: int | None) -> Target:
    s = _WS.sub("", nfkc(text))
    if not s:
        return _EMPTY
    if "," in s:
        s = _THOUSANDS.sub("", s)
    # deadlines first: "2020年" must not read as the number 2020
    d = _deadline(s, year)
    if d is None:
        d = _period_end(s, year)
    if d is None:
        m = _DEADLINE_LEAD.match(s)
        if m:  # 12月底前100%到位
            d = _deadline(m.group(1), year)
    if d is not None:
        return Target("<=", (None if d != d else d), None, None, "deadline")
    m = _TOLERANCE.match(s)
    if m:  # ±3%以内: a tolerance around 0
        v = float(m.group(1))
        return Target("range", -v, v, m.group(2), "quantitative")

    op = None
    rest = s
    symbol = False
    for token, o in _OPS:
        if rest.startswith(token):
            op, rest = o, rest[len(token) :]
            symbol = token.isascii() or token in "≥≧≤≦›‹≮≯"
            break
    m = _RANGE.match(rest) if op is None else None
    if m:
        lo_mult, hi_mult = _MULT.get(m.group(2) or ""), _MULT.get(m.group(5) or "")
        lo = float(m.group(1)) * (lo_mult or hi_mult or 1.0)
        hi = float(m.group(4)) * (hi_mult or lo_mult or 1.0)
        unit = _unit(m.group(6)) or m.group(3)
        if lo > hi:
            lo, hi = hi, lo
        return Target("range", lo, hi, unit, "quantitative")
    m = _NUMBER.match(rest)
    if not m:
        if op is not None and (not rest or (symbol and len(rest) <= 4)):
            return Target(op, None, None, None, "qualitative")  # an operator and no number: >=, ≥%
        return _QUALITATIVE  # 规范, 及时, 达到规范, 不低于上年
    value = float(m.group(1)) * _MULT.get(m.group(2) or "", 1.0)
    tail = _PAREN_NOTE.sub("", rest[m.end() :])  # 90%以上（含90%）
    if any(mark in tail for mark in vocab.SENTENCE_MARKS):
        return _QUALITATIVE  # a sentence that begins with a number
    for token, o in _SUFFIX_OPS:
        if tail.endswith(token):
            tail = tail[: -len(token)]
            if op is None:
                op = o
            break
    unit = _unit(tail)
    if unit is not None and unit.startswith("万元"):
        value *= 1e4
        unit = "元" + unit[2:]
    elif unit is not None and unit.startswith("亿元"):
        value *= 1e8
        unit = "元" + unit[2:]
    return Target(op or "=", value, None, unit, "quantitative")


_parse_target_short = functools.lru_cache(maxsize=1 << 15)(_parse_target)
_PAREN_NOTE = re.compile(r"[(（][^()（）]*[)）]")
_UNIT_TRAIL = re.compile(r"(?:及时|完成|达标|覆盖)$")


def _unit(tail: str | None) -> str | None:
    """The unit after a number: ``%``, ``个``, ``元/人``; None when nothing is left."""
    if not tail:
        return None
    t = tail.strip()
    if t.startswith("%"):
        return "%"
    if t.startswith("‰"):
        return "‰"
    if t.startswith(vocab.PERCENT_WORDS):  # ≥98百分比
        return "%"
    t = _UNIT_TRAIL.sub("", t)
    return t or None


_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")


def date_serial(text: str | None) -> float | None:
    """A spreadsheet's date serial printed as a target (``44,561`` is 2021-12-31) as a
    yyyymmdd deadline; None for any other text. Only for a cell the caller knows holds a
    date (a 时效 row, or a unit cell that repeats the value)."""
    if not text:
        return None
    m = _SERIAL.match(_THOUSANDS.sub("", _WS.sub("", nfkc(str(text)))))
    if not m or not 30000 <= int(m.group(1)) <= 70000:
        return None
    d = dt.date(1899, 12, 30) + dt.timedelta(days=int(m.group(1)))
    return float(d.year * 10000 + d.month * 100 + d.day)


@memo_short()
def parse_number(text: str | None) -> float | None:
    """The leading number of a cell (a weight: ``10``, ``7.5``, ``10分``, ``10%``); None otherwise."""
    if not text:
        return None
    m = re.match(r"^\s*(\d+(?:\.\d+)?)", _THOUSANDS.sub("", nfkc(str(text))))
    return float(m.group(1)) if m else None


def parse_period(text: str | None) -> tuple[dt.date | None, dt.date | None]:
    """The start and end of a period field (项目期 ``2022年3月-2023年11月``, 建设周期
    ``2025年1月1日-2025年12月31日``, ``2022年``); ``(None, None)`` for a duration (``3年``) or
    anything else."""
    if not text:
        return None, None
    s = _WS.sub("", nfkc(str(text)))
    if _YEAR_ONLY.match(s):
        return parse_date(s)[0], parse_date(s, end=True)[0]
    parts = re.split(r"(?:-|~|～|〜|—|–|至|到)+", s)
    if len(parts) != 2:
        return None, None
    a, b = parts
    ya = re.match(r"^(\d{4})", a)
    if not ya:
        return None, None
    if not re.match(r"^\d{4}", b):
        b = ya.group(1) + "年" + b
    start, ok1 = parse_date(a.rstrip("日") + ("日" if a.endswith("日") else ""), end=False)
    end, ok2 = parse_date(b, end=True)
    if not (ok1 and ok2):
        return None, None
    return start, end
