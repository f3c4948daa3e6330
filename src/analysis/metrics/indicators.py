"""Indicator identity across years, and targets made comparable between two years.

A project's declarations of two consecutive declared years (see :mod:`analysis.metrics.identity`)
are compared indicator by indicator. Which indicator of the later year is which of the earlier
one is decided here, once, one to one, best match first, in passes (what a pass pairs is not
offered to the next):

1. ``exact``: the same normalized name (NFKC, no white space, template hints such as
   ``(≥**%)`` and a leading ``指标1:`` taken out) under the same level1 category and an
   equivalent level2 heading; then under the same level1 only; then anywhere in the
   declaration (an indicator moved between levels). A pair whose level2 headings differ in
   print but are equivalent (``社会公众或服务对象满意度指标`` and ``服务对象满意度指标``) is
   ``level2-renamed``.
2. ``project-name``: the same name once the project's own name (its old and new names, without
   years, a leading place name or a trailing 项目/经费/资金) and four-digit years are taken out,
   so ``雾炮车降尘抑尘服务配备车辆数`` meets ``雾炮车抑尘降尘服务配备车辆数``.
3. ``fuzzy``: near names under an equivalent level2 heading: one name the other with words left
   out (scored 70 + 30 × the length ratio), or ``rapidfuzz.fuzz.ratio`` of the names (project
   name and years taken out) at least :data:`FUZZY_THRESHOLD`; guards: both names carry the same numbers,
   the shorter has at least :data:`MIN_NAME_LENGTH` characters, and two quantitative targets
   whose value units cannot be converted into each other are never paired.

Equivalent level2 headings are data: ``[level2_equivalent]`` in ``analysis/ingest/vocabulary.toml``.

Targets are compared after :func:`comparable`: an operator printed in one year only (``≥80M``
then ``80M``) is taken for both and flagged ``op_not_printed``; a value unit printed in one year
only (``10辆`` then ``10``) likewise, flagged ``unit_not_printed``; units written differently
(``平方米``/``㎡``, ``公斤``/``千克``) are one unit, and quantities in convertible units (``3500公斤``
and ``3.5吨``, ``60亩`` and ``4公顷``, ``1年`` and ``12个月``) are converted to one.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import numpy as np
import pandas as pd
import tomllib
from rapidfuzz import fuzz

from analysis.ids import norm_name
from analysis.metrics.identity import norm_text

FUZZY_THRESHOLD = 85.0
"""Lowest name similarity (0-100) at which two near names are paired: one name the other with
words left out scores at least 70 and is paired; two names that differ by other words need 85
(情景教学或外训批次 / 情景教学或外训次数: 89), so 资金到位率 / 资金使用率 (80) stay apart."""

MIN_NAME_LENGTH = 3
"""Shortest name (in characters, after the project's name is taken out) paired by similarity."""

MATCH_TYPES = ("exact", "level2-renamed", "project-name", "fuzzy")
"""The values of ``indicator_match``: how an indicator is paired with the year before."""

_HINT = re.compile(r"[(（]?\s*[≥≤><=]?\s*\*\*[^()（）]{0,6}[)）]?|^指标\d+[:：]")
_YEAR = re.compile(r"(?:19|20)\d\d年度?")
_NOT_NUMERAL = re.compile(r"[^0-9〇零一二三四五六七八九十百千万两]")
_BRACKETS = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]")
_LEVEL_TAIL = re.compile(r"(?:指标|目标|值)$")
_ENUM = re.compile(r"^(?:[(（]?[一二三四五六七八九十]{1,3}[)）、.．]|[(（]?\d{1,2}[)）、．.])")
_REGION = re.compile(r"^.{1,8}?(?:省|市|县|区|旗|州|盟|镇|乡|街道)")
_GENERIC_TAIL = re.compile(r"(?:专项资金|补助资金|项目经费|工作经费|项目|经费|资金|专项|补助)$")

# an operator printed in a target (signs, or the words declarations use for them)
_OP_PRINTED = re.compile(
    r"[=＝≥≤≧≦><]|大于|小于|等于|不低于|不少于|不高于|不多于|不超过|不大于|不小于|以上|以下|以内|至少|最多|最少|高于|低于|超过|不足"
)

# value units: spellings of one unit, and units of one dimension with their factor to its base
_UNIT_ALIASES = {
    "平方米": "m2",
    "平米": "m2",
    "m²": "m2",
    "㎡": "m2",
    "M2": "m2",
    "米": "m",
    "M": "m",
    "公里": "km",
    "千米": "km",
    "KM": "km",
    "Km": "km",
    "厘米": "cm",
    "平方公里": "km2",
    "平方千米": "km2",
    "公斤": "kg",
    "千克": "kg",
    "KG": "kg",
    "Kg": "kg",
    "吨": "t",
    "克": "g",
    "日": "天",
    "个月": "月",
    "百分比": "%",
    "百分点": "%",
    "小时": "h",
    "个小时": "h",
    "周": "周",
    "星期": "周",
}
_CONVERSIONS = {
    "length": {"m": 1.0, "km": 1000.0, "cm": 0.01},
    "area": {"m2": 1.0, "km2": 1e6, "亩": 10000.0 / 15.0, "公顷": 10000.0},
    "mass": {"kg": 1.0, "t": 1000.0, "g": 0.001, "斤": 0.5},
    "days": {"天": 1.0, "周": 7.0, "h": 1.0 / 24.0},
    "months": {"月": 1.0, "年": 12.0},
    "money": {"元": 1.0, "万元": 1e4, "千元": 1e3, "亿元": 1e8},
}
_FACTOR = {u: (dim, f) for dim, units in _CONVERSIONS.items() for u, f in units.items()}


# --------------------------------------------------------------------------- vocabulary


@functools.cache
def level2_classes() -> dict[str, str]:
    """Cleaned level2 heading -> the name of its class of equivalent headings (from the vocabulary)."""
    text = resources.files("analysis").joinpath("ingest", "vocabulary.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text).get("level2_equivalent", {})
    out: dict[str, str] = {}
    for cls, forms in table.items():
        for form in [cls, *forms]:
            out[_clean_level2(form)] = cls
    return out


def _clean_level2(text) -> str:
    s = norm_name(text)
    s = _ENUM.sub("", _BRACKETS.sub("", s)).replace("目标", "")
    prev = None
    while prev != s:
        prev, s = s, _LEVEL_TAIL.sub("", s)
    return s


def level2_class(level2: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per row: the cleaned heading (bracketed parts, 目标 and a trailing 指标/值 removed) and its
    class of equivalent headings (the cleaned heading itself where the vocabulary lists none)."""
    codes, uniques = pd.factorize(pd.Series(level2, copy=False), use_na_sentinel=True)
    classes = level2_classes()
    cleaned = np.array([_clean_level2(u) for u in uniques], dtype=object)
    cls = np.array([classes.get(c, c) for c in cleaned], dtype=object)
    pick = np.clip(codes, 0, None)
    clean_out = np.where(codes >= 0, cleaned[pick] if len(cleaned) else "", "")
    cls_out = np.where(codes >= 0, cls[pick] if len(cls) else "", "")
    return (
        pd.Series(clean_out, index=level2.index, dtype=object),
        pd.Series(cls_out, index=level2.index, dtype=object),
    )


def clean_name(names: pd.Series) -> pd.Series:
    """Indicator names for matching: NFKC, no white space, template hints (``(≥**%)``,
    ``≥**人``) and a leading ``指标1:`` taken out."""
    codes, uniques = pd.factorize(pd.Series(names, copy=False), use_na_sentinel=True)
    normed = norm_text(pd.Series(uniques, dtype=object)).str.replace(_HINT, "", regex=True).to_numpy(dtype=object)
    out = normed[np.clip(codes, 0, None)] if len(normed) else np.full(len(codes), "", dtype=object)
    return pd.Series(np.where(codes >= 0, out, ""), index=names.index, dtype=object)


# --------------------------------------------------------------------------- project-name forms


def project_forms(*projects: str) -> list[str]:
    """The forms of a project's names an indicator name may embed, longest first: each name
    without years, then without a leading place name, each without a trailing 项目/经费/资金."""
    forms: set[str] = set()
    for p in projects:
        base = _YEAR.sub("", norm_name(p))
        for s in (base, _REGION.sub("", base) if len(_REGION.sub("", base)) >= 4 else base):
            core = s
            while _GENERIC_TAIL.search(core) and len(_GENERIC_TAIL.sub("", core)) >= 3:
                core = _GENERIC_TAIL.sub("", core)
            if len(core) >= 3:
                forms.add(core)
    return sorted(forms, key=lambda f: (-len(f), f))


def without_project(name: str, forms: list[str]) -> str:
    """``name`` (cleaned) without years and without the first project form it contains."""
    s = _YEAR.sub("", name)
    for f in forms:
        if f in s:
            return s.replace(f, "")
    return s


# --------------------------------------------------------------------------- units and operators


def canonical_unit(unit) -> str:
    if unit is None or (isinstance(unit, float) and np.isnan(unit)):
        return ""
    u = norm_name(unit)
    if len(u) > 1 and u.startswith("个"):  # 个工作日 is 工作日, 个月 is 月
        u = u[1:]
    if "/" in u:
        return "/".join(_UNIT_ALIASES.get(p, p) for p in u.split("/"))
    return _UNIT_ALIASES.get(u, u)


def _units(units: pd.Series) -> np.ndarray:
    """:func:`canonical_unit` over a column, each distinct unit once."""
    codes, uniques = pd.factorize(pd.Series(units, copy=False), use_na_sentinel=True)
    canon = np.array([canonical_unit(u) for u in uniques] + [""], dtype=object)
    return canon[np.where(codes >= 0, codes, len(uniques))]


def convertible(a: str, b: str) -> bool:
    """Whether two canonical units measure the same thing (equal, or of one dimension)."""
    if a == b:
        return True
    fa, fb = _FACTOR.get(a), _FACTOR.get(b)
    return fa is not None and fb is not None and fa[0] == fb[0]


def _op_printed(raw: pd.Series) -> np.ndarray:
    """Whether each target prints an operator (a sign or a word for one); each distinct text once."""
    codes, uniques = pd.factorize(pd.Series(raw, copy=False), use_na_sentinel=True)
    found = np.array([bool(_OP_PRINTED.search(norm_name(u))) for u in uniques] + [False], dtype=bool)
    return found[np.where(codes >= 0, codes, len(uniques))]


COMPARED = ("old_op", "new_op", "old_value", "new_value", "old_value_hi", "new_value_hi", "old_unit", "new_unit")
"""The columns :func:`comparable` returns in place of the printed ones."""


def comparable(m: pd.DataFrame) -> pd.DataFrame:
    """The targets of matched pairs made comparable (columns old_*/new_* as in target_changes).

    Returns, per row: ``old_op``/``new_op`` (signs; an operator not printed in one year taken
    from the other when the other prints one other than ``=``), ``old_value``/``new_value`` and
    ``old_unit``/``new_unit`` (a unit printed in one year only taken for both; convertible units
    converted to the later year's), ``op_not_printed`` and ``unit_not_printed`` (bool).
    """
    sign = {"≥": ">=", "≤": "<=", "＝": "="}
    oop = m["old_op"].astype(object).where(m["old_op"].notna(), "").replace(sign)
    nop = m["new_op"].astype(object).where(m["new_op"].notna(), "").replace(sign)
    quant = (m["old_kind"] == "quantitative").to_numpy() & (m["new_kind"] == "quantitative").to_numpy()
    o_printed = _op_printed(m["old_raw"])
    n_printed = _op_printed(m["new_raw"])
    bounds = (">=", "<=", ">", "<")
    take_new = quant & ~o_printed & (oop == "=").to_numpy() & n_printed & nop.isin(bounds).to_numpy()
    take_old = quant & ~n_printed & (nop == "=").to_numpy() & o_printed & oop.isin(bounds).to_numpy()
    oop = oop.where(~take_new, nop)
    nop = nop.where(~take_old, oop)

    ou = pd.Series(_units(m["old_unit"]), index=m.index, dtype=object)
    nu = pd.Series(_units(m["new_unit"]), index=m.index, dtype=object)
    ov = pd.to_numeric(m["old_value"], errors="coerce").astype(float)
    nv = pd.to_numeric(m["new_value"], errors="coerce").astype(float)
    unit_gap = quant & ((ou == "") ^ (nu == "")).to_numpy()
    ou = ou.where(~(unit_gap & (ou == "").to_numpy()), nu)
    nu = nu.where(~(unit_gap & (nu == "").to_numpy()), ou)
    factor = np.ones(len(m))
    ua, ub = ou.to_numpy(dtype=object), nu.to_numpy(dtype=object)
    for i in np.flatnonzero(quant & (ua != ub)):
        if convertible(ua[i], ub[i]):
            factor[i] = _FACTOR[ua[i]][1] / _FACTOR[ub[i]][1]
    conv = factor != 1.0
    ov = ov * factor
    oh = pd.to_numeric(m["old_value_hi"], errors="coerce").astype(float) * factor
    ou = ou.where(~conv, nu)
    return pd.DataFrame(
        {
            "old_op": oop.to_numpy(dtype=object),
            "new_op": nop.to_numpy(dtype=object),
            "old_value": ov.to_numpy(),
            "new_value": nv.to_numpy(),
            "old_value_hi": oh.to_numpy(),
            "new_value_hi": pd.to_numeric(m["new_value_hi"], errors="coerce").astype(float).to_numpy(),
            "old_unit": ou.to_numpy(dtype=object),
            "new_unit": nu.to_numpy(dtype=object),
            "op_not_printed": take_new | take_old,
            "unit_not_printed": unit_gap,
        },
        index=m.index,
    )


# --------------------------------------------------------------------------- matching


def _numerals(s: str) -> str:
    return _NOT_NUMERAL.sub("", s)


def _within(short: str, long_: str) -> bool:
    """Whether ``short`` is ``long_`` with words left out (its characters in ``long_``, in order)."""
    rest = iter(long_)
    return all(ch in rest for ch in short)


def similarity(a: str, b: str) -> float:
    """How near two names are, 0-100: where one is the other with words left out (市民满意度 and
    满意度, 开展运动种类 and 开展运动项目种类), 70 + 30 × shorter / longer; else ``fuzz.ratio``."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if short and _within(short, long_):
        return float(max(fuzz.ratio(a, b), 70.0 + 30.0 * len(short) / len(long_)))
    return float(fuzz.ratio(a, b))


def match_indicators(side: pd.DataFrame, old: pd.DataFrame, new: pd.DataFrame, forms) -> pd.DataFrame:
    """Pair the indicators of each declaration pair one to one.

    ``side``: one row per indicator row position ``_r`` with ``_l1``, ``_l2c`` (level2 class),
    ``_l2t`` (cleaned level2), ``_nm`` (cleaned name), ``_kind``, ``_unit`` (canonical),
    ``_seq``. ``old``/``new``: ``_pair`` and ``_r`` of the earlier/later declaration's indicators.
    ``forms``: called with the ``_pair`` values still open after the exact passes, returns
    ``_pair`` -> project forms (see :func:`project_forms`).

    Returns one row per pair found: ``_pair``, ``_r_o``, ``_r_n``, ``match``, ``score``.
    """
    cols = ["_r", "_l1", "_l2c", "_l2t", "_nm", "_kind", "_unit", "_seq"]
    old = old.merge(side[cols], on="_r")
    new = new.merge(side[cols], on="_r")
    found = []

    def take(o, n, on):
        o = o.sort_values(["_pair", "_seq"], kind="stable")
        n = n.sort_values(["_pair", "_seq"], kind="stable")
        o = o.assign(_occ=o.groupby(["_pair", *on], sort=False).cumcount())
        n = n.assign(_occ=n.groupby(["_pair", *on], sort=False).cumcount())
        hit = o[["_pair", *on, "_occ", "_r", "_l2t"]].merge(
            n[["_pair", *on, "_occ", "_r", "_l2t"]], on=["_pair", *on, "_occ"], suffixes=("_o", "_n")
        )
        return hit

    for on in (["_l1", "_l2c", "_nm"], ["_l1", "_nm"], ["_nm"]):
        hit = take(old, new, on)
        kind = np.where((hit["_l2t_o"] != hit["_l2t_n"]).to_numpy() & (len(on) == 3), "level2-renamed", "exact")
        found.append(hit[["_pair", "_r_o", "_r_n"]].assign(match=kind, score=100.0))
        old = old.loc[~old["_r"].isin(hit["_r_o"])]
        new = new.loc[~new["_r"].isin(hit["_r_n"])]
        if old.empty or new.empty:
            break

    if not old.empty and not new.empty:
        pairs_left = set(old["_pair"]) & set(new["_pair"])
        old = old.loc[old["_pair"].isin(pairs_left)]
        new = new.loc[new["_pair"].isin(pairs_left)]
        forms = forms(sorted(pairs_left))
        old = old.assign(_pn=[without_project(n, forms.get(p, [])) for n, p in zip(old["_nm"], old["_pair"])])
        new = new.assign(_pn=[without_project(n, forms.get(p, [])) for n, p in zip(new["_nm"], new["_pair"])])
        for on in (["_l2c", "_pn"], ["_pn"]):
            hit = take(old, new, on)
            if hit.empty:  # (an empty merge gives its text columns no string type)
                continue
            # only where the project's name (or a year) was taken out of at least one of the two
            o_changed = old.set_index("_r")["_pn"] != old.set_index("_r")["_nm"]
            n_changed = new.set_index("_r")["_pn"] != new.set_index("_r")["_nm"]
            keep = (hit["_r_o"].map(o_changed) | hit["_r_n"].map(n_changed)).to_numpy(dtype=bool) & (
                hit["_pn"].astype("string").str.len() >= 2
            ).to_numpy(dtype=bool)
            hit = hit.loc[keep]
            found.append(hit[["_pair", "_r_o", "_r_n"]].assign(match="project-name", score=100.0))
            old = old.loc[~old["_r"].isin(hit["_r_o"])]
            new = new.loc[~new["_r"].isin(hit["_r_n"])]
        if not old.empty and not new.empty:
            found.append(_fuzzy(old, new))
    out = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    if out.empty:
        return pd.DataFrame(
            {
                "_pair": pd.Series(dtype="int64"),
                "_r_o": pd.Series(dtype="int64"),
                "_r_n": pd.Series(dtype="int64"),
                "match": pd.Series(dtype=object),
                "score": pd.Series(dtype=float),
            }
        )
    return out.astype({"_pair": "int64", "_r_o": "int64", "_r_n": "int64", "score": float})


def _fuzzy(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Near names within a pair and an equivalent level2, best first, one to one."""
    cand = old.merge(new, on=["_pair", "_l2c"], suffixes=("_o", "_n"))
    empty = pd.DataFrame({"_pair": [], "_r_o": [], "_r_n": [], "match": [], "score": []})
    if cand.empty:
        return empty
    rows = []
    names = ["_pair", "_r_o", "_r_n", "_pn_o", "_nm_o", "_pn_n", "_nm_n", "_kind_o", "_kind_n"]
    names += ["_unit_o", "_unit_n", "_seq_o", "_seq_n"]
    for pair, r_o, r_n, pn_o, nm_o, pn_n, nm_n, kind_o, kind_n, unit_o, unit_n, seq_o, seq_n in zip(
        *(cand[c].to_numpy() for c in names)
    ):
        a, b = pn_o or nm_o, pn_n or nm_n
        if min(len(a), len(b)) < MIN_NAME_LENGTH or _numerals(a) != _numerals(b):
            continue
        if kind_o == kind_n == "quantitative" and unit_o and unit_n and not convertible(unit_o, unit_n):
            continue
        score = similarity(a, b)
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        if score < FUZZY_THRESHOLD and not _within(short, long_):
            continue
        rows.append((pair, r_o, r_n, score, seq_o, seq_n))
    if not rows:
        return empty
    c = pd.DataFrame(rows, columns=["_pair", "_r_o", "_r_n", "score", "_seq_o", "_seq_n"])
    c = c.sort_values(["score", "_pair", "_seq_o", "_seq_n"], ascending=[False, True, True, True], kind="stable")
    used_o, used_n, keep = set(), set(), []
    for r_o, r_n in zip(c["_r_o"].to_numpy(), c["_r_n"].to_numpy()):
        if r_o in used_o or r_n in used_n:
            keep.append(False)
            continue
        used_o.add(r_o)
        used_n.add(r_n)
        keep.append(True)
    c = c.loc[np.array(keep, dtype=bool)]
    return c[["_pair", "_r_o", "_r_n", "score"]].assign(match="fuzzy")


def indicator_sides(indicators: pd.DataFrame) -> pd.DataFrame:
    """The per-indicator fields :func:`match_indicators` works on (one row per row position)."""
    l1 = indicators["level1_std"].astype(object)
    l1 = l1.where(l1.notna(), norm_text(indicators["level1"]))
    l2t, l2c = level2_class(indicators["level2"])
    return pd.DataFrame(
        {
            "_r": np.arange(len(indicators)),
            "_l1": l1.fillna("").to_numpy(dtype=object),
            "_l2c": l2c.to_numpy(dtype=object),
            "_l2t": l2t.to_numpy(dtype=object),
            "_nm": clean_name(indicators["name"]).to_numpy(dtype=object),
            "_kind": indicators["kind"].astype(object).fillna("").to_numpy(dtype=object),
            "_unit": _units(indicators["value_unit"]),
            "_seq": pd.to_numeric(indicators["seq"], errors="coerce").fillna(0).to_numpy(dtype="int64"),
        }
    )


def chain_keys(
    project_key: np.ndarray, year: np.ndarray, side: pd.DataFrame, links: pd.DataFrame, to_year: np.ndarray
) -> np.ndarray:
    """A stable ``indicator_key`` per indicator row (16 hex digits): the key of the indicator it is
    paired with in the project's previous declared year, else a hash of the project, year, level2
    class, name and its occurrence among same-named indicators there.

    ``links``: ``_r_o``, ``_r_n`` (row positions) with ``to_year`` of each link.
    """
    keys = np.empty(len(side), dtype=object)
    start = np.ones(len(side), dtype=bool)
    if len(links):
        start[links["_r_n"].to_numpy(dtype="int64")] = False
    rows = np.flatnonzero(start)  # a chain starts here: it gets a key of its own
    p = pd.Series(np.asarray(project_key, dtype=object)[rows], dtype=object).fillna("").astype(str)
    y = pd.Series(pd.to_numeric(pd.Series(np.asarray(year)[rows]), errors="coerce")).astype("Int64").astype(str)
    base = pd.DataFrame(
        {
            "p": p.to_numpy(dtype=object),
            "y": y.to_numpy(dtype=object),
            "c": side["_l2c"].to_numpy(dtype=object)[rows],
            "n": side["_nm"].to_numpy(dtype=object)[rows],
        }
    )
    occ = np.zeros(len(base), dtype="int64")
    dup = base.duplicated(keep=False).to_numpy()
    if dup.any():  # the same name twice under one heading of a declaration: told apart by order
        d = base.loc[dup].assign(s=side["_seq"].to_numpy()[rows][dup])
        occ[dup] = d.sort_values("s", kind="stable").groupby(["p", "y", "c", "n"], sort=False).cumcount().sort_index()
    # pandas' hash of the values (SipHash with its fixed key): the same in every run and on every machine
    hashed = pd.util.hash_pandas_object(base.assign(o=occ.astype(str)), index=False).to_numpy(dtype="uint64")
    keys[rows] = [f"{h:016x}" for h in hashed.tolist()]
    if len(links):
        order = np.argsort(to_year, kind="stable")
        r_o = links["_r_o"].to_numpy()[order]
        r_n = links["_r_n"].to_numpy()[order]
        ty = to_year[order]
        for when in pd.unique(ty):  # in year order: a key travels along the whole chain
            sel = ty == when
            keys[r_n[sel]] = keys[r_o[sel]]
    return keys
