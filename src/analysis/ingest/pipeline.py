"""Ingest: read every declaration file under RAW_DIR into the processed tables.

``python -m analysis ingest [RAW_DIR] [--out PROCESSED_DIR] [--jobs N] [--scheduler ADDRESS|local]``

Files are read in the order of their paths, in chunks, in parallel across worker processes
when there are many (or on a dask.distributed cluster with ``--scheduler``); each declaration
becomes a row of ``declarations`` and its indicators rows of ``indicators``; every fault in
the input becomes a row of ``problems``. Whoever reads a chunk writes its rows as a Parquet
part (:class:`PartSink`) into a staging folder; only what tells repeated declarations apart
comes back to this process. The parts are then merged (:func:`merge_parts`) into
``declarations`` and ``indicators`` ordered by year and unit (file order within them), a
batch of units at a time (memory bounded by the batch, not the table), in row groups that
never span two years, so a report that reads one unit or one year reads only the row groups
that can hold it. The tables are moved into place only when the run completes, so a failed
run leaves the previous tables intact.

The ledger: declarations found = ingested + dropped, and each dropped one is an ``error``
in ``problems`` (missing unit/year/project, a conflicting duplicate, or a repeat).
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import shutil
import stat
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import ids, publish
from analysis.ingest import limits as lim
from analysis.ingest import normalize as nz
from analysis.ingest import vocabulary as vocab
from analysis.ingest.document import assemble
from analysis.ingest.grid import Row, Sheet
from analysis.ingest.html import HTML_SUFFIXES
from analysis.ingest.limits import Limits
from analysis.ingest.parse import RawDeclaration, split_declarations
from analysis.ingest.readers import is_candidate, read_file
from analysis.ingest.workers import settle_gc
from analysis.problems import CODES, ERROR, WARNING, Problem

if TYPE_CHECKING:
    import pandas as pd

from analysis.tables import DECLARATIONS_SCHEMA, INDICATORS_SCHEMA, PROBLEMS_SCHEMA, PROSE

#: a budget stated in prose (本项目预算为49万元): checked against the table (``text-budget-mismatch``)
TEXT_BUDGET = re.compile(
    r"预算(?:总)?(?:经费|资金|金额|总额|额)?(?:总额|合计)?(?:为|是|共计|共|合计|总计)?\s*(?:人民币)?\s*([\d,]+(?:\.\d+)?)\s*(亿元|万元|元)"
)


# ---------------------------------------------------------------------------------------------
# one declaration


#: the indicators table's columns: :func:`_build` gives each indicator as a list in this order
_INDICATOR_COLUMNS = tuple(INDICATORS_SCHEMA.names)
_I_LINE, _I_PAGE = _INDICATOR_COLUMNS.index("source_line"), _INDICATOR_COLUMNS.index("source_page")
if _INDICATOR_COLUMNS[-1] != "source_page" or len(_INDICATOR_COLUMNS) != 20:  # pragma: no cover
    raise RuntimeError("the indicators' schema changed: _build lists their columns in its order, update it too")


def _build(raw: RawDeclaration) -> tuple[dict | None, list[list], list[Problem], list[str]]:
    """:func:`build`, with each indicator as a list of its columns (:data:`_INDICATOR_COLUMNS`),
    and each indicator's part of the content hash."""
    rel, where = raw.source_file, _where(raw)
    problems = list(raw.problems)
    # the declaring unit; else the implementing unit; else the department (主管部门)
    unit = nz.clean_name(nz.strip_unit_code(raw.get("unit") or raw.get("implementer") or raw.get("department")))
    department = nz.clean_name(nz.strip_unit_code(raw.get("department")))
    project, code = nz.split_project_code(nz.clean_name(raw.get("project")))
    year = raw.year or raw.heading_year
    if raw.year and raw.heading_year and raw.year != raw.heading_year:
        problems.append(
            Problem(
                rel,
                raw.year_line,
                "year-mismatch",
                f"{where}: the header says {raw.year}年度 but the targets are headed {raw.heading_year}年; "
                f"{raw.year} is used",
            )
        )
    if not year and unit and project:
        year, source = _inferred_year(raw)
        if year:
            problems.append(
                Problem(
                    rel,
                    raw.source_line,
                    "year-inferred",
                    f"{where}: the declaration prints no year; {year} is taken from {source}",
                )
            )
    missing = [
        label
        for label, v in (("申报单位名称 (unit)", unit), ("年度 (year)", year), ("项目名称 (project)", project))
        if not v
    ]
    if missing:
        problems.append(
            Problem(
                rel,
                raw.source_line,
                "missing-field",
                f"{where}: declaration without {', '.join(missing)}; it is not in the tables",
            )
        )
        return None, [], problems, []
    did = ids.decl_id(unit, year, project)
    problems = [Problem(p.source_file, p.source_line, p.code, p.message, did) for p in problems]

    def add(line, code, message):
        problems.append(Problem(rel, line, code, f"{_where(raw, line)}: {message}", did))

    row: dict = {
        "decl_id": did,
        "year": year,
        "unit": unit,
        "project": project,
        "department": department,
        "project_code": nz.clean_name(raw.get("project_code")) or code,
        "category": nz.clean_name(raw.get("category")),
        "perf_type": nz.clean_name(raw.get("perf_type")),
        "source_file": rel,
        "source_line": raw.source_line,
    }
    gp, ok = nz.parse_bool(raw.get("gov_purchase"))
    if not ok:
        add(
            raw.line_of("gov_purchase"),
            "bad-boolean",
            f"是否含有政府购买服务 is {raw.get('gov_purchase')!r}, not 是/否",
        )
    row["gov_purchase"] = gp
    for name in ("start_date", "end_date"):
        value, ok = nz.parse_date(raw.get(name), end=(name == "end_date"))
        if not ok:
            add(raw.line_of(name), "bad-date", f"{raw.fields[name][2]} {raw.get(name)!r} is no date")
        row[name] = value
    if raw.get("period") and row["start_date"] is None and row["end_date"] is None:
        row["start_date"], row["end_date"] = nz.parse_period(raw.get("period"))  # 项目期 2022年3月-2023年11月
    amounts = _amounts(raw, add)
    row.update(amounts)
    for name in PROSE:
        row[name] = nz.clean_text(raw.get(name))
    pb, pe = row["prior_budget"], row["prior_executed"]
    row["prior_execution_rate"] = pe / pb if pb and pe is not None and pb > 0 and pe >= 0 else None
    _check_characters(row, ("unit", "project", "category", "perf_type"), raw.source_line, add)

    # sanity (a negative amount is reported with the amounts; comparisons with it would mislead)
    if (
        row["total_budget"] is not None
        and row["year_budget"] is not None
        and min(row["total_budget"], row["year_budget"]) >= 0
        and row["year_budget"] > row["total_budget"] * 1.000001
    ):
        add(
            raw.line_of("year_budget"),
            "year-over-total",
            f"项目当年预算 {row['year_budget']:,.2f} is above 项目总预算 {row['total_budget']:,.2f}",
        )
    if pb is not None and pe is not None and min(pb, pe) >= 0 and pe > pb * 1.000001:
        add(
            raw.line_of("prior_executed"),
            "executed-over-budget",
            f"上年预算执行数 {pe:,.2f} is above 上年预算额 {pb:,.2f}",
        )
    sd, ed = row["start_date"], row["end_date"]
    if (sd and ed and ed < sd) or (sd and sd.year > year) or (ed and ed.year < year):
        add(
            raw.line_of("start_date" if raw.get("start_date") else "period"),
            "dates-outside-year",
            f"planned {sd or '?'} to {ed or '?'} does not fit the declaration's year {year}",
        )
    _check_text_budget(row, raw, add)

    # indicators: the year's first, then the medium-term ones printed beside them
    indicators: list[list] = []
    pieces: list[str] = []
    exec_target = exec_op = None
    ordered = [i for i in raw.indicators if i.horizon == "year"] + [i for i in raw.indicators if i.horizon != "year"]
    n_year = sum(1 for i in raw.indicators if i.horizon == "year")
    for seq, ind in enumerate(ordered, 1):
        if seq % 256 == 0:
            lim.check_time()
        v = _indicator_values(ind, year)
        level1, level2, name, l1std, op, value, hi, vunit, kind, weight, basis, flag, execution, piece = v
        # in the order of the schema's columns (_INDICATOR_COLUMNS); source_page is set by the caller
        indicators.append(
            [
                did,
                year,
                unit,
                project,
                seq,
                level1,
                level2,
                name,
                l1std,
                ind.target,
                op,
                value,
                hi,
                vunit,
                kind,
                ind.line,
                ind.horizon,
                weight,
                basis,
                None,
            ]
        )
        pieces.append(piece)
        if flag is not None:
            _indicator_problems(raw, ind, level1, level2, name, kind, flag, add)
        if exec_target is None and execution is not None and ind.horizon == "year":
            exec_target, exec_op = execution, op
    if exec_target is None and raw.get("exec_rate"):
        op, value, hi, vunit, kind = nz.parse_target(raw.get("exec_rate"), year)  # 年度预算执行率 100%
        if kind == "quantitative" and vunit == "%":
            exec_target, exec_op = (hi if op == "range" else value) / 100.0, op
    if not n_year:
        what = "an empty indicator table" if raw.has_table else "no indicator table"
        add(raw.source_line, "no-indicators", f"declaration {project!r} has {what}")
    row["exec_target"], row["exec_target_op"], row["n_indicators"] = exec_target, exec_op, n_year
    return row, indicators, problems, pieces


def build(raw: RawDeclaration) -> tuple[dict | None, list[dict], list[Problem]]:
    """Turn one published declaration into its table rows.

    Returns ``(declaration row or None, indicator rows, problems)``; the row is ``None``
    when a required field (unit, year, project) is missing.
    """
    row, indicators, problems, _pieces = _build(raw)
    return row, [dict(zip(_INDICATOR_COLUMNS, ind)) for ind in indicators], problems


#: what is read from an indicator depends only on its printed cells and the year: computed
#: once per distinct indicator (they repeat across thousands of declarations)
_INDICATORS: dict[tuple, tuple] = {}
_INDICATORS_MAX = 1 << 13
_MEMO_CHARS = 200  # indicators whose cells hold up to this many characters in all are memoized


def _indicator_values(ind, year: int | None) -> tuple:
    """``(level1, level2, name, level1_std, op, value, value_hi, value_unit, kind, weight,
    basis, flag, execution, hash piece)`` of one indicator: ``flag`` is None when nothing is
    to be reported about it (else :func:`_indicator_problems` says what), ``execution`` the
    预算执行率 target as a ratio when the indicator states one, the hash piece its part of
    :func:`content_hash`."""
    key = (ind.level1, ind.level2, ind.name, ind.target, ind.unit_cell, ind.value_cell, ind.weight, ind.basis, year)
    v = _INDICATORS.get(key)
    if v is None:
        v = _compute_indicator(ind, year)
        if sum(len(x) for x in key[:-1] if x) <= _MEMO_CHARS:
            if len(_INDICATORS) >= _INDICATORS_MAX:
                _INDICATORS.clear()
            _INDICATORS[key] = v
    return v


def _compute_indicator(ind, year: int | None) -> tuple:
    level1, level2, name = nz.clean_label(ind.level1), nz.clean_label(ind.level2), nz.clean_label(ind.name)
    op, value, hi, vunit, kind = _target(ind, level2, name, year)
    overflow = (value is not None and not math.isfinite(value)) or (hi is not None and not math.isfinite(hi))
    if overflow:
        value = hi = None  # 400 nines: no number a table can compare
    flag = None
    if ind.target is None:
        flag = "missing"
    elif overflow:
        flag = "overflow"
    elif value is None and op is not None:
        flag = "bad"
    elif vunit == "%" and value is not None and max(value, hi or 0) > 100:
        flag = "percent"
    elif any(x and _UNSAFE.search(x) for x in (level1, level2, name)):
        flag = "characters"
    execution = None
    if name and "预算执行率" in name and kind == "quantitative" and vunit == "%":
        figure = hi if op == "range" else value
        execution = figure / 100.0 if figure is not None else None
    piece = "|".join(_norm(x) or "" for x in (level1, level2, name, ind.target)) + ";"  # its part of content_hash
    return (
        level1,
        level2,
        name,
        nz.level1_std(level1, level2),
        op,
        value,
        hi,
        vunit,
        kind,
        nz.parse_number(ind.weight),
        nz.clean_text(ind.basis),
        flag,
        execution,
        piece,
    )


def _indicator_problems(raw: RawDeclaration, ind, level1, level2, name, kind, flag: str, add) -> None:
    """What is reported about one indicator (``flag`` from :func:`_indicator_values`)."""
    label = f"indicator {_short(name) or '(no name)'!r}"
    _check_characters({"level1": level1, "level2": level2, "name": name}, ("level1", "level2", "name"), ind.line, add)
    if flag == "missing":
        if raw.truncated and ind is raw.indicators[-1]:
            add(ind.line, "truncated-table", f"the input ends inside the indicator table: {label} has no target")
        else:
            add(ind.line, "missing-target", f"{label} has no target value")
    elif flag == "overflow":
        add(ind.line, "bad-target", f"{label}: target {_short(ind.target)!r} is a number too large to hold")
    elif flag == "bad":
        what = "is no date that exists" if kind == "deadline" else "has an operator but no number"
        add(ind.line, "bad-target", f"{label}: target {_short(ind.target)!r} {what}")
    elif flag == "percent":
        add(ind.line, "percent-over-100", f"{label}: target {ind.target!r} is above 100%")


_TIMELY = re.compile(r"时效|时间|时限|日期|期限")


_COST = re.compile(r"成本")
_BARE_MULTIPLIER = re.compile(r"\d\s*(?:万|亿)\s*$")


def _target(ind, level2: str | None, name: str | None, year: int | None) -> nz.Target:
    """The target of an indicator; a spreadsheet date serial (``44,561``) where the row asks
    for a date (a 时效 row, or a unit cell that repeats the value) is a deadline; a figure in
    万 or 亿 with no unit under a cost level (成本指标 ``250万``) is money, in 元."""
    t = nz.parse_target(ind.target, year)
    if (
        t.kind == "quantitative"
        and t.value_unit is None
        and level2
        and _COST.search(level2)
        and _BARE_MULTIPLIER.search(nz.nfkc(ind.target or ""))
    ):
        return t._replace(value_unit="元")
    if t.kind == "quantitative" and t.value_unit is None and ind.value_cell:
        same = ind.unit_cell is not None and vocab.squeeze(ind.unit_cell) == vocab.squeeze(ind.value_cell)
        if same or _TIMELY.search(f"{level2 or ''}{name or ''}"):
            serial = nz.date_serial(ind.value_cell)
            if serial is not None:
                return nz.Target("<=", serial, None, None, "deadline")
    return t


_AMOUNT_FIELDS = ("total_budget", "year_budget", "amount", "prior_budget", "prior_executed")
_AMOUNT_LABELS = {"total_budget": "项目总预算", "year_budget": "项目当年预算", "amount": "资金总额"}


def _amounts(raw: RawDeclaration, add) -> dict:
    """The amounts in 元. A single undifferentiated amount (资金总额, 项目金额, 预算数) is the
    year's budget, or the total where the year's is printed too. Where no money unit is
    printed anywhere (no label, cell or 单位 line says 元 or 万元), the amount is read as 万元
    when a cost indicator or the text gives it in 万元, else as 元; either way a warning says so."""
    values: dict[str, float | None] = {}
    printed = raw.get("money_unit")
    assumed = []
    for name in _AMOUNT_FIELDS:
        entry = raw.fields.get(name)
        if entry is None:
            values[name] = None
            continue
        unit = money_unit(entry[2], printed)
        text = nz.nfkc(entry[0])
        if unit is None and not re.search(r"[元万亿]", text):
            assumed.append(name)
            unit = "元"
        value, ok = nz.parse_amount(entry[0], unit or "元")
        if not ok:
            add(entry[1], "bad-amount", f"{entry[2]} {_short(entry[0])!r} is no amount")
        elif value is not None and value < 0:
            add(
                entry[1],
                "negative-amount",
                f"{entry[2]} {_short(entry[0])!r} is negative; kept as published, "
                f"and not compared with the other amounts",
            )
        elif value is None and name in _AMOUNT_LABELS:
            add(entry[1], "missing-amount", f"{entry[2] or _AMOUNT_LABELS[name]} is blank")
        values[name] = value
    if assumed:
        figures = [values[n] for n in assumed if values[n]]
        same = bool(figures) and any(_stated_in_wan(raw, f) for f in figures)
        above = not same and bool(figures) and _cost_above(raw, max(figures))
        wan = same or above
        if wan:
            for n in assumed:
                if values[n] is not None:
                    values[n] = round(values[n] * 10_000, 2)
        line = raw.fields[assumed[0]][1]
        add(
            line,
            "amount-unit-assumed",
            f"no money unit is printed for {', '.join(raw.fields[n][2] for n in assumed)}; read as "
            + (
                "万元, as a cost indicator or the text gives the same figure in 万元"
                if same
                else f"万元, as a cost indicator ({above}) is above the amount read as 元"
                if above
                else "元"
            ),
        )
    total, year_b, single = values.pop("total_budget"), values.pop("year_budget"), values.pop("amount")
    if "amount" in raw.fields:
        if "year_budget" not in raw.fields:
            year_b = single
        elif "total_budget" not in raw.fields:
            total = single
    if not any(n in raw.fields for n in _AMOUNT_LABELS):
        year_b = _sum_of_parts(raw, add)
        if year_b is None:
            add(raw.source_line, "missing-amount", "no budget amount is printed")
    return {"total_budget": total, "year_budget": year_b, **values}


def _sum_of_parts(raw: RawDeclaration, add) -> float | None:
    """The year's amount of a form that prints it only as its parts numbered （一）（二）…
    (``年度资金总额 | 金额（万元）`` over ``（一）财政拨款小计 6.30``, ``（二）自有资金小计 0.00``, …): their sum,
    in the form's money unit, with an ``amount-from-parts`` warning; None without two such
    parts, a printed money unit, or when one is no amount."""
    top = [p for p in raw.parts if p[3] == 1]
    unit = raw.get("money_unit")
    if len(top) < 2 or unit is None:
        return None
    total = 0.0
    for _label, value, _line, _level in top:
        amount, ok = nz.parse_amount(value, unit)
        if not ok or amount is None or amount < 0:
            return None
        total += amount
    total = round(total, 2)
    names = ", ".join(f"{label} {_short(value, 20)}" for label, value, _line, _level in top)
    add(
        top[0][2],
        "amount-from-parts",
        f"no budget amount is printed; the year's amount is read as the sum of its parts ({names}; {unit}): "
        f"{total:,.2f} 元",
    )
    return total


def _cost_above(raw: RawDeclaration, figure: float) -> str | None:
    """A cost indicator's target in 万 (成本指标 ``≤120万元``) a hundred times ``figure`` read as
    元 or more, and within it read as 万元: no cost is a hundredfold of the whole budget, so the
    amount is in 万元 (a cost merely above it may be the whole project's, over several years).
    The indicator's name and target, or None."""
    for ind in raw.indicators:
        if not (ind.level2 and _COST.search(ind.level2)) or "万" not in (ind.target or ""):
            continue
        t = nz.parse_target(ind.target)
        if t.value_unit == "元" and t.value is not None and figure * 100 <= t.value <= figure * 10_000:
            return f"{_short(ind.name, 20)} {_short(ind.target, 20)}"
    return None


def _stated_in_wan(raw: RawDeclaration, figure: float) -> bool:
    """Whether ``figure`` (read as 元) appears in 万元 in a cost indicator or in the text."""
    for ind in raw.indicators:
        t = nz.parse_target(ind.target)
        if (
            t.value_unit == "元"
            and t.value is not None
            and "万" in (ind.target or "")
            and abs(t.value - figure * 10_000) < 1
        ):
            return True
    for name in ("plan", "overview", "goals", "basis"):
        text = raw.get(name) or ""
        for m in TEXT_BUDGET.finditer(text):
            if m.group(2) == "万元" and abs(float(m.group(1).replace(",", "")) - figure) < 0.005:
                return True
    return False


_YEAR_IN_PATH = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _inferred_year(raw: RawDeclaration) -> tuple[int | None, str]:
    """A year for a declaration that prints none: the year its project runs in, where its
    period begins and ends in one year (项目起止时间 2021.1-2021.12); else the date the form was
    filled in or published; else the one year its file's path names."""
    start, _ok = nz.parse_date(raw.get("start_date"))
    end, _ok = nz.parse_date(raw.get("end_date"), end=True)
    if start is None and end is None and raw.get("period"):
        start, end = nz.parse_period(raw.get("period"))
    if start is not None and end is not None and start.year == end.year:
        printed = raw.get("period") or f"{raw.get('start_date')} – {raw.get('end_date')}"
        return start.year, f"the project's period ({_short(printed, 40)})"
    page = raw.get("page_date")
    if page:
        m = _YEAR_IN_PATH.search(nz.nfkc(page))
        if m:
            return int(m.group(1)), f"the date printed on the form ({page})"
    years = set(_YEAR_IN_PATH.findall(raw.source_file))
    if len(years) == 1:
        return int(years.pop()), f"the file's name ({raw.source_file})"
    return None, ""


#: characters kept in the tables as published but reported: bidi controls (which reorder what
#: a reader sees: U+202E shows a name backwards) and characters XML 1.0 cannot hold (a
#: workbook or a web page with them is broken)
_UNSAFE = re.compile(
    "[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]"
)


def _check_characters(row: dict, names, line, add) -> None:
    for name in names:
        value = row.get(name)
        if value and _UNSAFE.search(value):
            found = sorted({f"U+{ord(c):04X}" for c in _UNSAFE.findall(value)})
            add(
                line,
                "unsafe-characters",
                f"{name} {_short(value)!r} holds {', '.join(found)} (bidi controls or characters XML cannot hold); "
                f"kept as published in the tables",
            )


def _short(text, n: int = 80):
    """A cell quoted in a message, cut to ``n`` characters (a 4 MB cell makes no message)."""
    if not isinstance(text, str) or len(text) <= n:
        return text
    return text[:n] + f"… ({len(text):,} characters)"


def money_unit(label: str, printed: str | None) -> str | None:
    """The unit of an amount: the one in its label (项目总预算（万元）), else the one printed
    for the form (单位：万元); None when neither prints one."""
    if "元" in nz.nfkc(label):
        return nz.label_unit(label)
    return printed


def _where(raw: RawDeclaration, line: int | None = None) -> str:
    sheet = f" [{raw.sheet}]" if raw.sheet else ""
    return f"{raw.source_file}{sheet}, line {line or raw.source_line}"


def _check_text_budget(row: dict, raw: RawDeclaration, add) -> None:
    figures = {v for v in (row["total_budget"], row["year_budget"]) if v}
    if not figures:
        return
    for name in ("plan", "overview", "goals"):
        text = row.get(name)
        if not text or "预算" not in text:
            continue
        for m in TEXT_BUDGET.finditer(text):
            if any(
                w in text[max(0, m.start() - 8) : m.start()] for w in ("上年", "去年", "上一年", "以前年度", "累计")
            ):
                continue  # last year's or a cumulative budget, not this one
            value, ok = nz.parse_amount(m.group(1), m.group(2))
            if not ok or value is None:
                continue
            if not any(abs(value - f) <= max(1.0, 0.005 * f) for f in figures):
                add(
                    raw.line_of(name),
                    "text-budget-mismatch",
                    f"the text says the budget is {m.group(0)!r} ({value:,.2f} 元) but the table says "
                    f"{', '.join(f'{f:,.2f}' for f in sorted(figures))} 元",
                )
            return


_NO_SPACE = re.compile(ids.SPACE_PATTERN)


_HASHED_FIELDS = [k for k in DECLARATIONS_SCHEMA.names if not k.startswith("source_")]


@functools.lru_cache(maxsize=1 << 16)
def _norm_short(v: str) -> str:  # names, levels and targets repeat across declarations
    return ids.norm_name(v)


def _norm(v):  # white space alone does not make two declarations differ
    if not isinstance(v, str):
        return v
    return _norm_short(v) if len(v) <= 64 else _NO_SPACE.sub("", v)


def content_hash(row: dict, pieces: list[str]) -> bytes:
    """A hash of what a declaration says (not where it was found), to tell repeats from
    conflicts: its fields but the source's, and its indicators' pieces (level1, level2, name
    and target as published, white space aside: :func:`_compute_indicator`)."""
    parts = [f"{k}={_norm(row.get(k))!r};" for k in _HASHED_FIELDS]
    parts.extend(pieces)
    return hashlib.sha1("".join(parts).encode()).digest()


# ---------------------------------------------------------------------------------------------
# one file


@dataclass
class FileResult:
    rel: str
    declarations: list[dict] = field(default_factory=list)
    indicators: list[list[list]] = field(default_factory=list)  # per declaration, rows as lists (_INDICATOR_COLUMNS)
    hashes: list[bytes] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    found: int = 0
    encoding: str | None = None
    #: declarations found whose rows could not be built (each a ``declaration-failed`` error)
    failed_declarations: int = 0
    #: the code of the error that stopped the whole file (parse-failed, file-too-large, ...)
    failed: str | None = None
    #: the indicators as one Arrow table (``indicators`` then empty) and how many rows each
    #: declaration has in it: what a worker sends back, a tenth of the memory of the dicts
    indicator_table: pa.Table | None = None
    indicator_counts: list[int] = field(default_factory=list)
    #: a web page holding no declaration table: passed over without a problem, counted
    page_without_declaration: bool = False
    #: the Parquet part holding this file's rows, when a :class:`PartSink` took them (then
    #: ``declarations`` hold only what the de-duplication needs, and ``indicator_table`` is None)
    part: str | None = None

    def indicator_dicts(self) -> list[list[dict]]:
        """The indicator rows of each declaration as dicts of their columns (before :meth:`pack`)."""
        return [[dict(zip(_INDICATOR_COLUMNS, ind)) for ind in inds] for inds in self.indicators]

    def pack(self) -> FileResult:
        """Move the indicator rows into :attr:`indicator_table`."""
        if self.indicator_table is None:
            self.indicator_counts = [len(inds) for inds in self.indicators]
            self.indicator_table = _arrow_rows([i for inds in self.indicators for i in inds], INDICATORS_SCHEMA)
            self.indicators = []
        return self


def _arrow_rows(rows: list[list], schema: pa.Schema) -> pa.Table:
    """An Arrow table of rows given as lists in the order of ``schema``'s columns."""
    columns = list(zip(*rows)) if rows else [()] * len(schema)
    try:
        return pa.table([pa.array(c, type=f.type) for c, f in zip(columns, schema)], schema=schema)
    except (UnicodeEncodeError, pa.ArrowInvalid):  # a string no table can hold: show its bad bytes
        safe = [[lim.safe_text(v) if isinstance(v, str) else v for v in c] for c in columns]
        return pa.table([pa.array(c, type=f.type) for c, f in zip(safe, schema)], schema=schema)


def _arrow(rows: list[dict], schema: pa.Schema) -> pa.Table:
    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except (UnicodeEncodeError, pa.ArrowInvalid):  # a string no table can hold: show its bad bytes
        return pa.Table.from_pylist(
            [{k: lim.safe_text(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows], schema=schema
        )


#: problem codes that say a file gave no declaration at all
FILE_FAULTS = (
    "no-declaration",
    "empty-file",
    "undecodable",
    "unreadable-file",
    "unsupported-format",
    "parse-failed",
    "file-too-large",
    "file-timeout",
    "no-text-layer",
)


def parsed_sheets(path: Path, rel: str) -> tuple[list[Sheet], list[Sheet]]:
    """The sheets the parser reads from one file: a text file's or a workbook's as they are;
    of a web page, Word file or PDF the forms made of its tables that hold declarations
    (:func:`analysis.ingest.document.assemble`). Also the sheets as read (with the problems)."""
    sheets = read_file(path, rel)
    documents = [s for s in sheets if s.optional]
    if not documents:
        return sheets, sheets
    forms, _passed = assemble([s for s in documents if s.rows], rel)
    return [s for s in sheets if not s.optional] + forms, sheets


def read_declarations(path: Path, rel: str) -> FileResult:
    """Read one file completely: its declarations, indicators and problems.

    A declaration whose rows cannot be built (a fault of the ingest on one odd cell) is a
    ``declaration-failed`` problem; the others of the file are kept. Bounds of
    :mod:`~analysis.ingest.limits` (when a budget is current) raise
    :class:`~analysis.ingest.limits.LimitExceeded`."""
    res = FileResult(rel)
    sheets, read = parsed_sheets(path, rel)
    lim.check_totals(sum(len(s.rows) for s in read), sum(len(r.cells) for s in read for r in s.rows))
    for sheet in read:
        res.problems.extend(sheet.problems)
        res.encoding = res.encoding or sheet.encoding
    documents = [s for s in read if s.optional]
    raws: list[tuple[RawDeclaration, dict[int, Row]]] = []
    orphans = 0
    first_orphan = None
    any_rows = False
    first_text = None
    for sheet in sheets:
        if sheet.rows:
            any_rows = True
            if first_text is None:
                first_text = next((r.line for r in sheet.rows if any(c.strip() for c in r.cells)), None)
        found, stray = split_declarations(sheet.rows, rel, sheet.name)
        lim.check_time()
        at = {}
        if sheet.table is not None:  # where in the document each line was printed
            for row in reversed(sheet.rows):
                at[row.line] = row
        raws.extend((raw, at) for raw in found)
        if stray:
            orphans += len(stray)
            first_orphan = first_orphan or stray[0].line
    if not raws:
        if documents and not any(p.severity == ERROR for p in res.problems):
            container = documents[0].container
            if container == "html" and Path(rel).suffix.lower() in HTML_SUFFIXES:
                res.page_without_declaration = True  # a page or README beside the data: nothing lost
            else:
                what = {"docx": "Word file", "pdf": "PDF", "html": "web page"}.get(container, "document")
                res.problems.append(
                    Problem(
                        rel,
                        1,
                        "no-declaration",
                        f"{rel}: the {what} holds no table with a declaration "
                        f"(no 绩效目标表 title, no 项目名称 row, no indicator table)",
                    )
                )
        elif any_rows and not any(p.severity == ERROR for p in res.problems):
            line = first_text or 1
            res.problems.append(
                Problem(
                    rel,
                    line,
                    "no-declaration",
                    f"{rel}, line {line}: the file holds text but no declaration "
                    f"(no 绩效目标表 title, no 项目名称 row)",
                )
            )
        return res
    if orphans:
        res.problems.append(
            Problem(
                rel,
                first_orphan,
                "unrecognized-row",
                f"{rel}, line {first_orphan}: {orphans} row(s) outside any declaration; ignored",
            )
        )
    for raw, at in raws:
        res.found += 1
        lim.check_time()
        try:
            row, inds, probs, pieces = _build(raw)
            h = content_hash(row, pieces) if row is not None else None
        except lim.LimitExceeded:
            raise
        except Exception as exc:  # noqa: BLE001 - one odd declaration must not cost the others
            res.failed_declarations += 1
            res.problems.append(
                Problem(
                    rel,
                    raw.source_line,
                    "declaration-failed",
                    f"{_where(raw)}: the declaration could not be read ({type(exc).__name__}: "
                    f"{_short(str(exc), 200)}); it is not in the tables",
                )
            )
            continue
        res.problems.extend(probs)
        if row is not None:
            if at:
                start = at.get(raw.source_line)
                row["source_table"] = start.table if start else None
                row["source_page"] = start.page if start else None
                for ind in inds:
                    printed = at.get(ind[_I_LINE])
                    ind[_I_PAGE] = printed.page if printed else None
            res.declarations.append(row)
            res.indicators.append(inds)
            res.hashes.append(h)
    return res


def read_one(path: Path | str, rel: str, limits: Limits = lim.DEFAULT, pack: bool = True) -> FileResult:
    """:func:`read_declarations` within the bounds of ``limits``; whatever goes wrong with
    the file becomes a problem row instead of ending the run: ``file-too-large`` or
    ``file-timeout`` past a bound, ``parse-failed`` for a fault of the ingest itself. Repeated
    warnings of one code are folded (:func:`~analysis.ingest.limits.fold_repeats`). The
    indicator rows are packed into one Arrow table (:meth:`FileResult.pack`) unless ``pack`` is
    False (a :class:`PartSink` makes one table of a whole chunk's rows)."""
    path = Path(path)
    with lim.budget(limits, rel):
        try:
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode):
                raise OSError(f"{rel}: not a regular file")
            if limits.max_bytes is not None and st.st_size > limits.max_bytes:
                raise lim.LimitExceeded(
                    f"{st.st_size / lim.MiB:,.1f} MiB (the limit per file is {limits.max_bytes / lim.MiB:,.0f} MiB)"
                )
            res = read_declarations(path, rel)
        except lim.LimitExceeded as exc:
            res = failed_file(rel, exc.code, f"{exc}; the file is not read")
        except MemoryError:
            res = failed_file(rel, "file-too-large", "reading it ran out of memory; the file is not read")
        except Exception as exc:  # noqa: BLE001 - one odd file must not stop the others
            res = failed_file(
                rel,
                "parse-failed",
                f"the file could not be parsed ({type(exc).__name__}: "
                f"{_short(str(exc), 200)}); none of its declarations are in the tables",
            )
    res.problems = lim.fold_repeats(res.problems, limits.repeat_warnings)
    return res.pack() if pack else res


def failed_file(rel: str, code: str, message: str) -> FileResult:
    """The result of a file that gave nothing: one problem row ``code``."""
    res = FileResult(rel, failed=code)
    res.problems.append(Problem(rel, None if code == "parse-failed" else 1, code, f"{rel}: {message}"))
    return res


# ---------------------------------------------------------------------------------------------
# parts: each worker writes the rows it read; the parent merges them in order

#: what the parent keeps of a declaration row read into a part: enough to tell repeats and
#: conflicts and to say where they are
_LIGHT = ("decl_id", "unit", "year", "project", "source_file", "source_line")
_KEY = "_key"  # file index << 24 | declaration number in the file: the order of reading
_KEY_BITS = 24
_KEY_FIELD = pa.field(_KEY, pa.int64(), nullable=False)
_LIGHT_KEYED = (*_LIGHT, _KEY)
_SORT = {
    "declarations": [("year", "ascending"), ("unit", "ascending"), (_KEY, "ascending")],
    "indicators": [("year", "ascending"), ("unit", "ascending"), (_KEY, "ascending"), ("seq", "ascending")],
}
_PARTS = "parts"


class PartSink:
    """Reads files (:func:`read_one`) and keeps their rows for one Parquet part per table,
    written by :meth:`end` (after each chunk of files, in the process that read them): the
    rows never travel back to the parent as Python objects. Each row carries ``_key``, the
    index of its file and its number in the file, so that the merge can restore the order of
    reading and leave out the declarations the parent drops (repeats, conflicts). A part is
    sorted by year, unit and ``_key``, in small row groups, so the merge reads only the row
    groups of the units it is ordering."""

    def __init__(self, part_dir: str | os.PathLike):
        self.part_dir = str(part_dir)
        self._reset()

    def _reset(self) -> None:
        self.name: str | None = None  # named when it gets its first rows, in the process that reads
        self.tables: dict[str, list[pa.Table]] = {"declarations": [], "indicators": []}
        #: the rows of the chunk (declarations as dicts, indicators as lists), made one Arrow
        #: table per table at its end (not one per file)
        self.rows: dict[str, list] = {"declarations": [], "indicators": []}

    def read(self, idx: int, path: str, rel: str, limits: Limits = lim.DEFAULT) -> FileResult:
        return self.take(idx, read_one(Path(path), rel, limits, pack=False))

    def take(self, idx: int, res: FileResult) -> FileResult:
        """Move the rows of ``res`` (the file numbered ``idx``) into the part being built."""
        if not res.declarations:
            res.indicators, res.indicator_table, res.indicator_counts = [], None, []
            return res
        if self.name is None:
            self.name = uuid.uuid4().hex
        n = len(res.declarations)
        if n >= 1 << _KEY_BITS:
            raise ValueError(f"{res.rel}: more than {1 << _KEY_BITS} declarations in one file")
        keys = [(idx << _KEY_BITS) | k for k in range(n)]
        if res.indicator_table is not None:  # packed already
            ind_keys = [key for key, count in zip(keys, res.indicator_counts) for _ in range(count)]
            self.tables["indicators"].append(
                res.indicator_table.append_column(_KEY_FIELD, pa.array(ind_keys, pa.int64()))
            )
        else:
            rows = self.rows["indicators"]
            for key, inds in zip(keys, res.indicators):
                for ind in inds:
                    ind.append(key)
                rows.extend(inds)
        for row, key in zip(res.declarations, keys):
            row[_KEY] = key
        self.rows["declarations"].extend(res.declarations)
        res.declarations = [{k: row[k] for k in _LIGHT_KEYED} for row in res.declarations]
        res.indicators, res.indicator_table, res.indicator_counts = [], None, []
        res.part = self.name
        return res

    def end(self) -> str | None:
        """Write the part (one file per table) and start the next; its name, or None when the
        chunk gave no rows."""
        name, tables, rows = self.name, self.tables, self.rows
        self._reset()
        if name is None:
            return None
        for table_name, pieces in tables.items():
            if rows[table_name] or not pieces:  # (a chunk whose declarations hold no indicator: an empty table)
                if table_name == "declarations":
                    pieces.append(_arrow(rows[table_name], DECLARATIONS_SCHEMA.append(_KEY_FIELD)))
                else:
                    pieces.append(_arrow_rows(rows[table_name], INDICATORS_SCHEMA.append(_KEY_FIELD)))
            table = pa.concat_tables(pieces)
            table = table.take(pc.sort_indices(table, sort_keys=_SORT[table_name]))
            tmp = Path(self.part_dir) / f"{table_name}-{name}.parquet.tmp"
            pq.write_table(
                table, tmp, row_group_size=1_024 if table_name == "declarations" else 4_096, compression="lz4"
            )
            os.replace(tmp, tmp.with_suffix(""))
        return name


def read_chunk(items: list[tuple[int, str, str]], limits: Limits, part_dir: str) -> list[FileResult]:
    """Read a chunk of files ``(index, path, name shown)`` into one part under ``part_dir``;
    the results as :meth:`PartSink.take` leaves them. What a Dask task runs."""
    settle_gc()
    sink = PartSink(part_dir)
    results = [sink.read(idx, path, rel, limits) for idx, path, rel in items]
    sink.end()
    return results


def merge_parts(
    part_dir: Path,
    parts: list[str],
    table_name: str,
    out: Path,
    schema: pa.Schema,
    dropped: set[int],
    row_group_size: int,
    batch_rows: int = 100_000,
) -> int:
    """Write ``out`` from the parts named ``parts``: the rows ordered by year, then unit, then
    the order of reading, without the declarations whose ``_key`` is in ``dropped``; row
    groups of ``row_group_size`` rows that never span two years (a report reading one unit or
    one year reads only the row groups that can hold it). Memory: the rows of at most
    ``batch_rows`` (units of one year are taken together up to that many rows; one unit with
    more is taken alone), not the whole table. Returns the number of rows written."""
    import pyarrow.dataset as ds

    files = [str(part_dir / f"{table_name}-{name}.parquet") for name in parts]
    count = 0
    drop = pa.array(sorted(dropped), pa.int64())
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        if not files:
            return 0
        data = ds.dataset(files, format="parquet")
        years = pc.unique(data.to_table(columns=["year"]).column("year")).drop_null()
        for year in sorted(years.to_pylist()):
            in_year = pc.field("year") == year
            units = pc.value_counts(data.to_table(columns=["unit"], filter=in_year).column("unit"))
            units = units.take(pc.sort_indices(units.field("values")))
            values, counts = units.field("values").to_pylist(), units.field("counts").to_pylist()
            pending: list[pa.Table] = []
            waiting = 0
            lo = 0
            while lo < len(values):
                hi, rows = lo, counts[lo]
                while (
                    hi + 1 < len(values)
                    and values[hi + 1] is not None
                    and values[lo] is not None
                    and rows + counts[hi + 1] <= batch_rows
                ):
                    hi += 1
                    rows += counts[hi]
                if values[lo] is None:  # rows without a unit: the nulls come last in the sort
                    where = in_year & pc.field("unit").is_null()
                else:
                    where = in_year & (pc.field("unit") >= values[lo]) & (pc.field("unit") <= values[hi])
                # a few row groups decoded ahead, not many: the batch is what memory holds
                table = data.scanner(filter=where, batch_readahead=2, fragment_readahead=2).to_table()
                if len(drop):
                    table = table.filter(pc.invert(pc.is_in(table.column(_KEY), value_set=drop)))
                table = table.take(pc.sort_indices(table, sort_keys=_SORT[table_name][1:]))
                pending.append(table.select(schema.names).cast(schema))
                waiting += table.num_rows
                while waiting >= row_group_size:
                    whole = pa.concat_tables(pending)
                    writer.write_table(whole.slice(0, row_group_size), row_group_size=row_group_size)
                    rest = whole.slice(row_group_size)
                    pending, waiting = [rest], rest.num_rows
                    count += row_group_size
                del table
                pa.default_memory_pool().release_unused()  # freed buffers back to the system, not kept
                lo = hi + 1
            if waiting:
                writer.write_table(pa.concat_tables(pending), row_group_size=row_group_size)
                count += waiting
    return count


# ---------------------------------------------------------------------------------------------
# the whole folder


@dataclass
class IngestResult:
    out_dir: Path | None
    summary: dict
    _frames: dict = field(default_factory=dict, repr=False)

    def _table(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            self._frames[name] = pq.read_table(self._paths[name]).to_pandas()
        return self._frames[name]

    @property
    def declarations(self) -> pd.DataFrame:
        return self._table("declarations")

    @property
    def indicators(self) -> pd.DataFrame:
        return self._table("indicators")

    @property
    def problems(self) -> pd.DataFrame:
        return self._table("problems")


@dataclass
class Listing:
    """What :func:`list_files` found: the files to read, as ``(path, name shown)``; how many
    were skipped as no declaration files; and problems about entries that are no readable
    file (a folder that cannot be listed, a link to nothing, a named pipe) or whose name is
    no UTF-8."""

    files: list[tuple[str, str]]  # (path, name shown): strings, not Path objects (a million files)
    skipped: int
    problems: list[Problem]
    faulty: int  # entries that are a problem and not read


def list_files(raw_dir: Path) -> Listing:
    """The candidate files under ``raw_dir`` in path order. Nothing is passed over silently:
    an entry that cannot be read is a problem row. Links to folders are followed once
    (a loop is reported); FIFOs, sockets and devices are never opened."""
    files: list[tuple[str, str]] = []
    problems: list[Problem] = []
    skipped = faulty = 0
    seen_dirs: set[tuple[int, int]] = set()
    root = str(raw_dir)

    def rel_of(path: str) -> str:
        return os.path.relpath(path, root).replace(os.sep, "/")

    def fault(path: str, message: str) -> None:
        nonlocal faulty
        shown, _ = lim.display_name(rel_of(path))
        faulty += 1
        problems.append(Problem(shown, None, "unreadable-file", f"{shown}: {message}; not read"))

    def walk(folder: str) -> None:
        nonlocal skipped
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in seen_dirs:
                fault(folder, "a link back to a folder already read (a loop)")
                return
            seen_dirs.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            fault(folder, f"a folder that cannot be listed ({exc.strerror or exc})")
            return
        for e in entries:
            if e.name.startswith("."):
                skipped += 1
                continue
            path = e.path
            try:
                is_link = e.is_symlink()
                st = os.stat(path)  # follows links
            except FileNotFoundError:
                fault(path, f"a link to {_link(path)!r}, which does not exist" if is_link else "vanished")
                continue
            except OSError as exc:
                fault(path, f"cannot be looked at ({exc.strerror or exc})")
                continue
            if stat.S_ISDIR(st.st_mode):
                walk(path)
            elif stat.S_ISREG(st.st_mode):
                rel = rel_of(path)
                if is_candidate(Path(rel)):
                    files.append((rel, path))
                else:
                    skipped += 1
            else:
                kind = (
                    "a named pipe (FIFO)"
                    if stat.S_ISFIFO(st.st_mode)
                    else "a socket"
                    if stat.S_ISSOCK(st.st_mode)
                    else "a device"
                )
                if is_candidate(Path(rel_of(path))):
                    fault(path, f"{kind}, not a file")
                else:
                    skipped += 1

    walk(root)
    out = []
    for rel, path in sorted(files, key=lambda f: f[0].split("/")):
        shown, note = lim.display_name(rel)
        if note:
            problems.append(Problem(shown, None, "bad-file-name", f"{shown}: {note}"))
        out.append((path, shown))
    return Listing(out, skipped, problems, faulty)


def _link(path: str) -> str:
    try:
        return lim.safe_text(os.readlink(path))
    except OSError:
        return "?"


def _iter_results(
    files, jobs: int, chunk: int, limits: Limits, isolate: bool, part_dir: Path, scheduler: str | None = None
):
    """The result of every file, in order, its rows written to parts under ``part_dir``: in
    worker processes (``isolate``), on a Dask cluster (``scheduler``), or in this process."""
    items = [(str(p), rel) for p, rel in files]
    if scheduler:
        yield from _dask_results(items, jobs, chunk, limits, part_dir, scheduler)
        return
    if not isolate:
        sink = PartSink(part_dir)
        for s in range(0, len(items), chunk):
            yield from [sink.read(s + i, p, rel, limits) for i, (p, rel) in enumerate(items[s : s + chunk])]
            sink.end()
        return
    from analysis.ingest.workers import run_files

    yield from run_files(
        items,
        read_one,
        limits,
        jobs,
        chunk,
        lambda rel, code, message: failed_file(rel, code, message),
        reader=PartSink(part_dir),
    )


def _dask_results(items, jobs: int, chunk: int, limits: Limits, part_dir: Path, scheduler: str):
    """Chunks of files read on a dask.distributed cluster (``"local"``: a LocalCluster of
    ``jobs`` processes), each task writing its part where every worker can see it; the
    results in the order of the files. A task that fails (a lost worker, say) makes each of
    its files a ``parse-failed`` problem. The bounds of a file hold within a task (checked
    between rows); no task is killed at a file's hard deadline."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        chunks = [
            [(s + i, p, rel) for i, (p, rel) in enumerate(items[s : s + chunk])] for s in range(0, len(items), chunk)
        ]
        futures = [
            client.submit(read_chunk, c, limits, str(part_dir), pure=False, key=f"ingest-{uuid.uuid4().hex}")
            for c in chunks
        ]
        for c, fut in zip(chunks, futures):
            try:
                results = fut.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker, an unpicklable result ...
                why = f"{type(exc).__name__}: {_short(str(exc), 200)}"
                results = [
                    failed_file(
                        rel,
                        "parse-failed",
                        f"the cluster task reading it failed ({why}); none of its declarations are in the tables",
                    )
                    for _i, _p, rel in c
                ]
            fut.release()
            yield from results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


_U32 = (1 << 32) - 1


def _seen_entry(digest: bytes, file_no: int, line: int | None) -> int:
    """What the de-duplication keeps of a declaration, as one integer (a million of them fit
    in about 100 MB): 64 bits of its content hash, the number of its file, its line."""
    return (int.from_bytes(digest[:8], "big") << 64) | (file_no << 32) | (_U32 if line is None else min(line, _U32 - 1))


def ingest(
    raw_dir: str | os.PathLike = "data/raw",
    out_dir: str | os.PathLike | None = None,
    jobs: int | None = None,
    progress: bool = False,
    limits: Limits | None = None,
    isolate: bool = True,
    scheduler: str | None = None,
) -> IngestResult:
    """Ingest every declaration file under ``raw_dir``.

    With ``out_dir`` the three tables are written there, published as one set
    (:mod:`analysis.publish`); without it they are written to a temporary folder and only kept
    in memory (handy in tests and notebooks). ``jobs`` processes read files in parallel
    (default: the CPUs available; the output is the same as with ``jobs=1``). ``limits``
    bounds what one file may cost (:class:`~analysis.ingest.limits.Limits`; default
    ``limits.DEFAULT``). Files are read in worker processes that are stopped past a file's
    deadline; ``isolate=False`` reads them in this process instead (the deadline is then only
    checked between rows). Returns an :class:`IngestResult` with ``.declarations``,
    ``.indicators``, ``.problems`` and ``.summary``.
    """
    raw = Path(raw_dir)
    if not raw.is_dir():
        raise FileNotFoundError(f"{raw}: {_not_a_folder(raw)}")
    limits = limits or lim.DEFAULT
    listing = list_files(raw)
    files = listing.files
    jobs = jobs or max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    chunk = max(1, min(200, len(files) // (jobs * 8) or 1))
    if len(files) < 64:
        jobs = 1

    target = Path(out_dir) if out_dir is not None else None
    run_id = publish.new_run_id()
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
        if not os.access(target, os.W_OK):
            raise PermissionError(f"{target}: cannot write there")
        recovered = publish.recover(target)
        staging = publish.new_staging(target)
    else:
        recovered = []
        staging = Path(tempfile.mkdtemp(prefix="ingest-"))
    names = ("declarations", "indicators", "problems")
    paths = {n: staging / f"{n}.parquet" for n in names}
    schemas = {
        n: publish.with_run(sch, run_id)
        for n, sch in zip(names, (DECLARATIONS_SCHEMA, INDICATORS_SCHEMA, PROBLEMS_SCHEMA))
    }
    part_dir = staging / _PARTS
    part_dir.mkdir()
    parts: dict[str, None] = {}  # the parts holding the rows of the files read
    dropped: set[int] = set()  # _key of the declarations left out (repeats, conflicts)
    kept = 0
    counts_out = {}
    problem_rows: list[dict] = [p.as_row() for p in listing.problems]
    seen: dict[int, int] = {}  # decl_id -> content hash, file number and line (_seen_entry)
    counts = Counter()
    failed_files = Counter()
    encodings = Counter()
    t0 = time.perf_counter()
    try:
        results = _iter_results(files, jobs, chunk, limits, isolate, part_dir, scheduler)
        if progress:
            from tqdm import tqdm

            results = tqdm(results, total=len(files), unit="file", desc="ingest", file=sys.stderr)
        for res in results:
            counts["files"] += 1
            counts["found"] += res.found
            counts["pages_without_declaration"] += res.page_without_declaration
            counts["failed"] += res.failed_declarations
            if res.found:
                counts["files_with"] += 1
            elif not res.page_without_declaration and not any(p.severity == ERROR for p in res.problems):
                counts["unexplained"] += 1  # breaks the ledger: a file gave nothing and says nothing
            if res.failed:
                failed_files[res.failed] += 1
            if res.encoding:
                encodings[res.encoding] += 1
            problem_rows.extend(p.as_row() for p in res.problems)
            if res.part is not None:
                parts[res.part] = None
            for row, h in zip(res.declarations, res.hashes):
                did = row["decl_id"]
                prev = seen.get(int(did, 16))
                if prev is None:
                    seen[int(did, 16)] = _seen_entry(h, row[_KEY] >> _KEY_BITS, row["source_line"])
                    kept += 1
                    continue
                dropped.add(row[_KEY])
                prev = (prev >> 64, files[(prev >> 32) & _U32][1], (prev & _U32) if prev & _U32 != _U32 else None)
                h = int.from_bytes(h[:8], "big")
                here = f"{row['source_file']}, line {row['source_line']}"
                there = f"{prev[1]}, line {prev[2]}"
                what = f"{row['unit']} / {row['year']} / {row['project']}"
                if prev[0] == h:
                    counts["repeats"] += 1
                    problem_rows.append(
                        Problem(
                            row["source_file"],
                            row["source_line"],
                            "duplicate-declaration",
                            f"{here}: declaration {what} repeats the one at {there}; kept once (from {prev[1]})",
                            did,
                        ).as_row()
                    )
                else:
                    counts["conflicts"] += 1
                    problem_rows.append(
                        Problem(
                            row["source_file"],
                            row["source_line"],
                            "conflicting-declaration",
                            f"{here}: declaration {what} differs from the one at {there}; "
                            f"only that one is kept — check which is right",
                            did,
                        ).as_row()
                    )
                    problem_rows.append(
                        Problem(
                            prev[1],
                            prev[2],
                            "conflicting-declaration",
                            f"{there}: declaration {what} is contradicted by {here}; this one is kept",
                            did,
                        ).as_row()
                    )
        for name, size in (("declarations", 1_024), ("indicators", 16_384)):
            counts_out[name] = merge_parts(part_dir, list(parts), name, paths[name], schemas[name], dropped, size)
        if counts_out["declarations"] != kept:
            raise RuntimeError(f"the merge wrote {counts_out['declarations']} declarations where {kept} were kept")
        shutil.rmtree(part_dir)
        problems_table = _problems_table(problem_rows, schemas["problems"])
        pq.write_table(problems_table, paths["problems"], compression="zstd")
        if target is not None:
            publish.publish(
                staging,
                target,
                list(names),
                run_id,
                {
                    "declarations": counts_out["declarations"],
                    "indicators": counts_out["indicators"],
                    "problems": len(problem_rows),
                },
            )
            paths = {n: target / f"{n}.parquet" for n in paths}
    except BaseException:
        if not (staging / publish.MANIFEST).exists():
            shutil.rmtree(staging, ignore_errors=True)
        # else the publication had committed when it failed: the staging folder stays, and the
        # next ingest or reader completes it once this process is gone (analysis.publish.recover)
        raise
    if target is not None:
        shutil.rmtree(staging, ignore_errors=True)

    by_sev = Counter(r["severity"] for r in problem_rows)
    by_code = Counter(r["code"] for r in problem_rows)
    dropped_missing = by_code.get("missing-field", 0)
    files_without = counts["files"] - counts["files_with"] - counts["pages_without_declaration"] + listing.faulty
    summary = {
        "raw_dir": str(raw),
        "files": counts["files"] + listing.faulty,
        "files_skipped": listing.skipped,
        "files_with_declarations": counts["files_with"],
        "files_without_declaration": files_without,
        "files_failed": dict(sorted(failed_files.items())),
        "html_without_declaration": counts["pages_without_declaration"],
        "declarations_found": counts["found"],
        "declarations": counts_out["declarations"],
        "dropped_missing_field": dropped_missing,
        "dropped_repeats": counts["repeats"],
        "dropped_conflicts": counts["conflicts"],
        "dropped_failed": counts["failed"],
        "indicators": counts_out["indicators"],
        "problems": len(problem_rows),
        "errors": by_sev.get(ERROR, 0),
        "warnings": by_sev.get(WARNING, 0),
        "problems_by_code": dict(sorted(by_code.items())),
        "encodings": dict(sorted(encodings.items())),
        "recovered": recovered,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    summary["files_unexplained"] = counts["unexplained"]
    summary["ledger_ok"] = (
        summary["declarations_found"]
        == (summary["declarations"] + dropped_missing + counts["repeats"] + counts["conflicts"] + counts["failed"])
        and counts["unexplained"] == 0
    )
    result = IngestResult(target, summary)
    result._paths = paths
    if target is None:
        for name in paths:
            result._table(name)
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _problems_table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return _arrow(rows, schema)


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def format_summary(s: dict) -> str:
    failed = ", ".join(f"{n} {code}" for code, n in s.get("files_failed", {}).items())
    pages = s.get("html_without_declaration")
    lines = [
        f"ingested {s['raw_dir']}: {_n(s['files'], 'file', 'files')} read"
        + (
            f" ({s['files_skipped']} more passed over: hidden, or notes and data of other kinds)"
            if s["files_skipped"]
            else ""
        )
        + (f", {_n(pages, 'web page', 'web pages')} without a declaration table passed over" if pages else "")
        + f"; {s['declarations']} declarations, {s['indicators']} indicators",
        f"files: {s['files']} = {s['files_with_declarations']} with declarations found + {s['files_without_declaration']} "
        f"without (each with an error row{': ' + failed if failed else ''})"
        + (f" + {_n(pages, 'web page', 'web pages')} passed over" if pages else "")
        + ("" if not s.get("files_unexplained") else f"   ({s['files_unexplained']} WITHOUT AN ERROR ROW)"),
        f"ledger: {s['declarations_found']} declarations found = {s['declarations']} ingested + "
        f"{s['dropped_missing_field']} missing a required field + {s['dropped_repeats']} repeats + "
        f"{s['dropped_conflicts']} conflicts + {s['dropped_failed']} failed"
        + ("" if s["ledger_ok"] else "   (DOES NOT RECONCILE)"),
        f"problems: {s['errors']} errors, {s['warnings']} warnings"
        + (f" ({s['files_without_declaration']} files gave no declaration)" if s["files_without_declaration"] else ""),
    ]
    for code, n in s["problems_by_code"].items():
        lines.append(f"  {CODES[code][0]:<7} {code:<24} {n}")
    for line in s.get("recovered", []):
        lines.append(f"note: {line}")
    return "\n".join(lines)


def add_arguments(parser) -> None:
    d = lim.DEFAULT
    parser.add_argument(
        "raw_dir",
        nargs="?",
        default="data/raw",
        metavar="RAW_DIR",
        help="folder of declaration files, searched recursively (default: data/raw)",
    )
    parser.add_argument(
        "--out",
        default="data/processed",
        metavar="PROCESSED_DIR",
        help="where to write the tables (default: data/processed)",
    )
    parser.add_argument("--jobs", type=int, default=None, help="processes reading files (default: CPUs available)")
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="read the files on dask.distributed: a scheduler address (tcp://host:8786) or 'local' for "
        "a LocalCluster of --jobs workers; the workers must see RAW_DIR and PROCESSED_DIR "
        "at the same paths",
    )
    g = parser.add_argument_group(
        "bounds per file (a file over one is a file-too-large or file-timeout problem; 0 = no bound)"
    )
    g.add_argument(
        "--max-file-mb",
        type=float,
        default=d.max_bytes / lim.MiB,
        metavar="MB",
        help=f"size on disk (default {d.max_bytes / lim.MiB:g})",
    )
    g.add_argument(
        "--max-unzipped-mb",
        type=float,
        default=d.max_unzipped / lim.MiB,
        metavar="MB",
        help=f"a workbook's parts once uncompressed (default {d.max_unzipped / lim.MiB:g})",
    )
    g.add_argument(
        "--max-rows", type=int, default=d.max_rows, metavar="N", help=f"rows or lines (default {d.max_rows:,})"
    )
    g.add_argument("--max-cells", type=int, default=d.max_cells, metavar="N", help=f"cells (default {d.max_cells:,})")
    g.add_argument(
        "--file-timeout",
        type=float,
        default=d.seconds,
        metavar="SECONDS",
        help=f"seconds to read one file (default {d.seconds:g})",
    )
    g.add_argument(
        "--repeat-warnings",
        type=int,
        default=d.repeat_warnings,
        metavar="N",
        help=f"warnings of one code listed one by one per file; the rest counted in one row (default {d.repeat_warnings})",
    )


def limits_from_args(args) -> Limits:
    def bound(value, scale=None):
        if value is None or value <= 0:
            return None
        return int(value * scale) if scale else value

    return Limits(
        max_bytes=bound(args.max_file_mb, lim.MiB),
        max_unzipped=bound(args.max_unzipped_mb, lim.MiB),
        max_rows=bound(args.max_rows),
        max_cells=bound(args.max_cells),
        seconds=bound(args.file_timeout),
        repeat_warnings=bound(args.repeat_warnings),
    )


def _not_a_folder(raw: Path) -> str:
    if raw.exists():
        return "is a file, not a folder: the ingest reads a folder of declaration files (put the file in a folder of its own)"
    return "no such folder of declaration files"


def run(args) -> int:
    raw = Path(args.raw_dir)
    if not raw.is_dir():
        print(f"error: {raw}: {_not_a_folder(raw)}", file=sys.stderr)
        return 2
    # the C library's allocator gives memory back where Arrow's default (mimalloc) keeps it:
    # a quarter less peak memory for a large file, the same speed (this process only)
    pa.set_memory_pool(pa.system_memory_pool())
    settle_gc()  # this process gathers the rows of every file
    try:
        result = ingest(
            raw,
            args.out,
            jobs=args.jobs,
            progress=args.progress,
            limits=limits_from_args(args),
            scheduler=args.scheduler,
        )
    except PermissionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the tables to {args.out}: {exc}", file=sys.stderr)
        return 2
    print(format_summary(result.summary))
    print(
        f"tables written to {result.out_dir}/ (declarations.parquet, indicators.parquet, problems.parquet, "
        f"checked by manifest.json)"
    )
    return 0
