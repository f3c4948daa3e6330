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

# ---------------------------------------------------------------------------------------------
# white space, names and text

_WS = re.compile(r"[\s\u00a0\u3000\u2000-\u200b\ufeff]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|tr)(?:\s[^<>]*)?/?>", re.IGNORECASE)


def clean_name(text: str | None) -> str | None:
    """A name as published, made readable: any white space (full-width, non-breaking, runs)
    becomes one ordinary space, and the ends are trimmed. ``None`` for an empty cell."""
    if text is None:
        return None
    out = _WS.sub(" ", _ZERO_WIDTH.sub("", str(text))).strip()
    return out or None


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

_NULL_WORDS = {"", "-", "--", "—", "——", "/", "\\", "无", "空", "null", "none", "n/a", "na", "—/—",
               "不适用", "新增", "新增项目", "新项目", "首次申报"}
_AMOUNT = re.compile(r"^([+-]?\d+(?:\.\d+)?)(万元|万|元|亿元|亿)?$")


def parse_amount(text: str | None, label_unit: str | None = "元") -> tuple[float | None, bool]:
    """An amount in 元 from a cell; ``label_unit`` is the unit printed in the field's label
    (``元`` or ``万元``). Returns ``(value, ok)``: ``(None, True)`` for a blank or a dash
    (nothing declared), ``(None, False)`` for text that is no number."""
    if text is None:
        return None, True
    s = nfkc(str(text)).strip().lower()
    s = _WS.sub("", s).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
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


def parse_date(text: str | None, end: bool = False) -> tuple[dt.date | None, bool]:
    """A date from ``2020-01-01``, ``2020/1/1``, ``2020年1月1日``, ``2020.1.1`` or ``20200101``
    (also with a time part, as spreadsheets write it, or a spreadsheet's date serial).
    A month alone (``2020年1月``, ``2020-01``) gives its first day, or its last with ``end``.
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

#: level1 as published (NFKC, no spaces) -> the canonical category shared by both frameworks.
LEVEL1_STD: dict[str, str] = {
    # the older framework
    "投入与管理": "投入管理",
    "投入和管理": "投入管理",
    "投入管理": "投入管理",
    "投入与管理目标": "投入管理",
    "产出目标": "产出",
    "效果目标": "效益",
    "效益目标": "效益",
    "影响力目标": "影响力",
    "满意度目标": "满意度",
    "成本目标": "成本",
    # the newer framework
    "产出指标": "产出",
    "效益指标": "效益",
    "满意度指标": "满意度",
    "成本指标": "成本",
    "影响力指标": "影响力",
    "满意度": "满意度",
    "产出": "产出",
    "效益": "效益",
    "效果": "效益",
    "影响力": "影响力",
    "成本": "成本",
}


def level1_std(level1: str | None) -> str | None:
    """The canonical level1 category (see ``LEVEL1_STD``); ``其他`` for an unknown one."""
    if level1 is None:
        return None
    key = _WS.sub("", nfkc(level1))
    if not key:
        return None
    return LEVEL1_STD.get(key, "其他")


#: level2 words of both frameworks; used to recognise a row that arrived shifted left.
LEVEL2_WORDS = {
    "投入管理", "财务管理", "实施管理", "资金管理", "项目管理", "管理",
    "数量", "质量", "时效", "成本",
    "社会效益", "经济效益", "生态效益", "环境效益", "可持续影响", "可持续发展",
    "长效管理", "配套设施", "人力资源", "信息共享", "档案管理", "机制建设",
    "服务对象满意度", "社会公众满意度", "满意度", "公众满意度",
}


def is_level1(text: str | None) -> bool:
    return bool(text) and _WS.sub("", nfkc(text)) in LEVEL1_STD


def is_level2(text: str | None) -> bool:
    if not text:
        return False
    key = _WS.sub("", nfkc(text))
    if key.endswith("指标"):
        key = key[:-2]
    return key in LEVEL2_WORDS


# ---------------------------------------------------------------------------------------------
# targets

_OPS = [  # longest first; applied to the NFKC form
    (">=", ">="), ("=>", ">="), ("≥", ">="), ("≧", ">="),
    ("<=", "<="), ("=<", "<="), ("≤", "<="), ("≦", "<="),
    ("==", "="), ("=", "="), (">", ">"), ("<", "<"),
    ("大于或等于", ">="), ("大于等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
    ("至少", ">="), ("达到", ">="), ("高于", ">"), ("大于", ">"), ("超过", ">"), ("多于", ">"),
    ("小于或等于", "<="), ("小于等于", "<="), ("不高于", "<="), ("不超过", "<="), ("不大于", "<="),
    ("不多于", "<="), ("至多", "<="), ("控制在", "<="), ("低于", "<"), ("小于", "<"), ("少于", "<"),
    ("等于", "="), ("约", "="),
]
_SUFFIX_OPS = [  # words after the number
    ("及以上", ">="), ("以上", ">="), ("或以上", ">="), ("及以下", "<="), ("以下", "<="), ("以内", "<="),
    ("之内", "<="), ("内", "<="), ("左右", "="),
]
_NUM = r"(\d+(?:\.\d+)?)"
_MULT = {"万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6, "千万": 1e7}
_NUMBER = re.compile(_NUM + r"\s*(百万|千万|万|亿|千)?")
_RANGE = re.compile(
    r"^" + _NUM + r"\s*(百万|千万|万|亿|千)?\s*(%|‰)?\s*(?:-|~|～|〜|—|–|至|到)\s*" + _NUM + r"\s*(百万|千万|万|亿|千)?\s*(.*)$"
)
_DEADLINE_FULL = re.compile(r"^(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日|底|末|份|中旬|上旬|下旬)?\s*(?:前|之前|以前|内|底前|完成|前完成)?$")
_DEADLINE_YEAR = re.compile(r"^(\d{4})\s*年\s*(?:底|末|年底|年内|内|度)?\s*(?:前|之前|以前|完成|前完成)?$")
_DEADLINE_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?\s*(?:前|之前|以前)?$")
_YEAR_END_WORDS = re.compile(r"^(?:当年|本年|年底|年末|年内|本年度|当年度)\s*(?:底|末|内)?\s*(?:前|之前|完成|前完成)?$")


def _month_end(year: int, month: int) -> int:
    """The last day of a month, for any year (0000 included: no date object is made)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _deadline(s: str, year: int | None) -> float | None:
    """A deadline as a sortable yyyymmdd number, or None when ``s`` is no deadline."""
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


def parse_target(text: str | None, year: int | None = None):
    """Parse a target value as published.

    Returns ``(op, value, value_hi, value_unit, kind)``:

    - ``op``: ``=``, ``>=``, ``<=``, ``>``, ``<``, ``range`` or ``None`` (qualitative);
      a bare number is an implied ``=``; deadlines are ``<=`` (done by that date).
    - ``value``/``value_hi``: floats with multipliers applied (``50万次`` gives 500000);
      percents stay in percent (``95%`` gives 95); for a deadline, the date as yyyymmdd
      (``2021年12月31日前`` gives 20211231; ``12月底前`` takes the year from ``year``).
    - ``value_unit``: ``%``, ``次``, ``元/人`` ...; ``万元`` becomes ``元`` with the value ×10000.
    - ``kind``: ``quantitative``, ``qualitative`` or ``deadline``; ``None`` for an empty cell.

    A target with an operator and no number gives ``(op, None, None, None, "qualitative")``;
    the caller reports it.
    """
    if text is None:
        return None, None, None, None, None
    s = _WS.sub("", nfkc(str(text)))
    if not s:
        return None, None, None, None, None
    # deadlines first: "2020年" must not read as the number 2020
    d = _deadline(s, year)
    if d is not None:
        return "<=", (None if d != d else d), None, None, "deadline"

    op = None
    rest = s
    symbol = False
    for token, o in _OPS:
        if rest.startswith(token):
            op, rest = o, rest[len(token):]
            symbol = token.isascii() or token in "≥≧≤≦"
            break
    m = _RANGE.match(rest) if op is None else None
    if m:
        lo_mult, hi_mult = _MULT.get(m.group(2) or ""), _MULT.get(m.group(5) or "")
        lo = float(m.group(1)) * (lo_mult or hi_mult or 1.0)
        hi = float(m.group(4)) * (hi_mult or lo_mult or 1.0)
        unit = _unit(m.group(6)) or m.group(3)
        if lo > hi:
            lo, hi = hi, lo
        return "range", lo, hi, unit, "quantitative"
    m = _NUMBER.match(rest)
    if not m:
        if op is not None and (not rest or (symbol and len(rest) <= 4)):
            return op, None, None, None, "qualitative"  # an operator and no number: >=, ≥%
        return None, None, None, None, "qualitative"  # 规范, 及时, 达到规范, 不低于上年
    value = float(m.group(1)) * _MULT.get(m.group(2) or "", 1.0)
    tail = _PAREN_NOTE.sub("", rest[m.end():])  # 90%以上（含90%）
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
    return op or "=", value, None, unit, "quantitative"


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
    t = _UNIT_TRAIL.sub("", t)
    return t or None
