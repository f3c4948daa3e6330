"""Building: one declaration as read (:class:`~analysis.ingest.parse.RawDeclaration`) → its
table rows and the problems found in it.

Values are read from the printed cells (:mod:`~analysis.ingest.normalize`), amounts turned into
元 (a form printing 万元, or printing no unit at all), the declaration and each indicator
checked, each finding said as a problem row, and what a declaration says hashed
(:func:`content_hash`) so the ingest tells a repeat from a conflict.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

from analysis import ids, kinds, places
from analysis.ingest import limits as lim
from analysis.ingest import normalize as nz
from analysis.ingest import vocabulary as vocab
from analysis.ingest.parse import RawDeclaration
from analysis.patterns import TEXT_BUDGET
from analysis.problems import Problem
from analysis.tables import DECLARATIONS_SCHEMA, PROSE

# ---------------------------------------------------------------------------------------------
# the records


class IndicatorRow(NamedTuple):
    """One row of the indicators table: its fields are the table's columns, in their order
    (``tests/test_records.py`` checks them against the column registry)."""

    decl_id: str
    year: int
    unit: str
    project: str
    seq: int
    level1: str | None
    level2: str | None
    name: str | None
    level1_std: str | None
    target_raw: str | None
    op: str | None
    value: float | None
    value_hi: float | None
    value_unit: str | None
    kind: str | None
    source_line: int
    horizon: str
    weight: float | None
    basis: str | None
    site: str | None
    source_page: int | None = None  # set by analysis.ingest.file for a document's rows
    indicator_kind: str | None = None  # what it measures (analysis.kinds), from its name


#: the columns printed beside an indicator whose cell is carried as it is
#: (:data:`~analysis.ingest.vocabulary.PRINTED_COLUMNS`, a role of the vocabulary's ``[columns]``),
#: and how each cell is read: each becomes the field of :class:`IndicatorRow` of the same name
PRINTED: dict[str, Callable[[str | None], object]] = {"weight": nz.parse_number, "basis": nz.clean_text}


#: the columns of an indicator's row given by its declaration and its place in it, for each row
ROW_COLUMNS = (
    "decl_id",
    "year",
    "unit",
    "project",
    "seq",
    "source_line",
    "horizon",
    "site",
    "source_page",
    "indicator_kind",  # what it measures (analysis.kinds), from its name
)
#: the others, given by the indicator's printed cells (and the year), read once per distinct
#: indicator (:func:`_compute_indicator`): those before source_line, and those after horizon
HEAD_COLUMNS = ("level1", "level2", "name", "level1_std", "target_raw", "op", "value", "value_hi", "value_unit", "kind")
TAIL_COLUMNS = tuple(PRINTED)
#: a row made of these tuples (:func:`_indicator_rows`) is one by name (a keyword call would cost
#: several times more, on the ingest's hottest path)
# (site: the site of a wide form's value column; source_page: where a document printed the row, set
# by analysis.ingest.file)
if IndicatorRow._fields != ROW_COLUMNS[:5] + HEAD_COLUMNS + ROW_COLUMNS[5:7] + TAIL_COLUMNS + ROW_COLUMNS[7:]:
    raise ImportError(
        "analysis.ingest.build: IndicatorRow's fields are not ROW_COLUMNS, HEAD_COLUMNS and TAIL_COLUMNS "
        "in the order of the indicators' table: a column added to one and not the others"
    )
#: what the printed columns hold when none is printed
_NOT_PRINTED = tuple(read(None) for read in PRINTED.values())
_NEW = tuple.__new__


class IndicatorValues(NamedTuple):
    """What is read from one indicator's printed cells and the year, once per distinct
    indicator (:func:`_indicator_values`)."""

    head: tuple  # the values of HEAD_COLUMNS
    tail: tuple  # the values of TAIL_COLUMNS
    flag: str | None  # None when nothing is to be reported (else _indicator_problems says what)
    execution: float | None  # the 预算执行率 target as a ratio, when the indicator states one
    piece: str  # its part of content_hash

    def column(self, name: str):
        """The value of one of the indicator's own columns (``name``, ``kind``, ...)."""
        return (self.head + self.tail)[(HEAD_COLUMNS + TAIL_COLUMNS).index(name)]


@dataclass(slots=True)
class Built:
    """One declaration built (:func:`build_declaration`): its row of the declarations table
    (a dict of every column; None when a required field is missing), its indicators' rows,
    the problems found, and each indicator's part of :func:`content_hash`."""

    row: dict | None
    indicators: list[IndicatorRow]
    problems: list[Problem]
    pieces: list[str]


# ---------------------------------------------------------------------------------------------
# one declaration


def build_declaration(raw: RawDeclaration) -> Built:
    """Turn one published declaration into its rows and problems (:class:`Built`)."""
    problems = list(raw.problems)
    # the declaring unit; else the implementing unit; else the department (主管部门)
    unit = nz.clean_name(nz.strip_unit_code(raw.get("unit") or raw.get("implementer") or raw.get("department")))
    project, code = nz.split_project_code(nz.clean_name(raw.get("project")))
    if raw.has_table or raw.indicators:  # a form with its table: kept though it names no unit or project
        project = project or _title_project(raw, problems)
        unit = unit or _unit_not_printed(raw, problems)
    year = _year(raw, unit, project, problems)
    if _missing(raw, unit, year, project, problems):
        return Built(None, [], problems, [])
    place, source = _place(raw, unit)
    # a unit whose name names no place (区林业局) is told apart by the place found elsewhere;
    # a name that names its place keeps the id it always had
    did = ids.decl_id(places.unit_key(unit, place.label()), year, project)
    problems = [Problem(p.source_file, p.source_line, p.code, p.message, did) for p in problems]

    def add(line, code, message):
        problems.append(Problem(raw.source_file, line, code, f"{where(raw, line)}: {message}", did))

    row = _declaration_row(raw, did, year, unit, project, code, add)
    row.update(province=place.province, city=place.city, county=place.county, adcode=place.adcode)
    row["place_source"] = source
    _place_problems(raw, unit, place, add)
    _check_declaration(raw, row, add)
    indicators, pieces, execution = _indicator_rows(raw, row, add)
    n_year = sum(1 for i in raw.indicators if i.horizon == "year")
    if not n_year:
        what = "an empty indicator table" if raw.has_table else "no indicator table"
        add(raw.source_line, "no-indicators", f"declaration {project!r} has {what}")
    row["exec_target"], row["exec_target_op"] = execution or _exec_rate_field(raw, year)
    row["n_indicators"] = n_year
    return Built(row, indicators, problems, pieces)


def build(raw: RawDeclaration) -> tuple[dict | None, list[dict], list[Problem]]:
    """Turn one published declaration into its table rows.

    Returns ``(declaration row or None, indicator rows as dicts, problems)``; the row is
    ``None`` when a required field (unit, year, project) is missing.
    """
    built = build_declaration(raw)
    return built.row, [ind._asdict() for ind in built.indicators], built.problems


#: the columns of the place (left out of the content hash: the same form filed in two folders is one)
_PLACE_COLUMNS = ("province", "city", "county", "adcode", "place_source")

#: where a place is read, in order of trust
_PLACE_SOURCES = ("unit", "form", "folder", "file")


def _place_texts(raw: RawDeclaration, unit: str) -> dict[str, str]:
    parts = raw.source_file.replace("\\", "/").split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    form = [raw.get("department"), raw.get("implementer"), raw.headings, raw.sheet]
    return {
        "unit": unit,
        "form": " ".join(nz.clean_name(t) or "" for t in form),
        "folder": " ".join(parts[:-1]),
        "file": stem,
    }


def _place(raw: RawDeclaration, unit: str) -> tuple[places.Place, str | None]:
    """The unit's place (:mod:`analysis.places`): the first source naming one, made deeper by
    later sources naming a place inside it; with the sources used."""
    found = {k: places.find(t) for k, t in _place_texts(raw, unit).items()}
    place, used = places.NOWHERE, []
    for key in _PLACE_SOURCES:
        p = found[key]
        if not p.found:
            continue
        if not place.found:
            place, used = p, [key]
        elif p.within(place) and p.level > place.level and not p.ambiguous:
            place, used = p, [*used, key]
    return place, "+".join(used) or None


def _place_problems(raw: RawDeclaration, unit: str, place: places.Place, add) -> None:
    texts = _place_texts(raw, unit)
    unsure = place if place.ambiguous else None
    if not place.found:  # a name that could be several places and nothing to decide between them
        unsure = next((p for p in map(places.find, texts.values()) if p.ambiguous), None)
    if unsure is not None:
        add(
            raw.source_line,
            "place-ambiguous",
            f"the place of {unit!r} is ambiguous ({' / '.join(unsure.candidates)}); kept: {place.label() or 'none'}",
        )
    folder = places.find(texts["folder"])
    if place.found and folder.found and not folder.ambiguous and not place.agrees(folder):
        add(
            raw.source_line,
            "place-contradicts-folder",
            f"{unit!r} is placed in {place.label()} but its folders name {folder.label()}",
        )


def _year(raw: RawDeclaration, unit: str | None, project: str | None, problems: list[Problem]) -> int | None:
    """The declaration's year: the header's (年度), else the one the targets are headed with,
    else one inferred (:func:`_inferred_year`); a problem says where they differ or where it
    was inferred from."""
    year = raw.year or raw.heading_year
    if raw.year and raw.heading_year and raw.year != raw.heading_year:
        problems.append(
            Problem(
                raw.source_file,
                raw.year_line,
                "year-mismatch",
                f"{where(raw)}: the header says {raw.year}年度 but the targets are headed {raw.heading_year}年; "
                f"{raw.year} is used",
            )
        )
    if not year and unit and project:
        year, source = _inferred_year(raw)
        if year:
            problems.append(
                Problem(
                    raw.source_file,
                    raw.source_line,
                    "year-inferred",
                    f"{where(raw)}: the declaration prints no year; {year} is taken from {source}",
                )
            )
    return year


#: what a title says besides the project: the form's name and a year, or nothing but a generic name
_TITLE_FORM = re.compile(rf"(?:区域)?(?:绩效)?目标(?:{'|'.join(vocab.RAW['title']['verbs'])})?表.*$")
_GENERIC_TITLE = re.compile(r"^(?:\d{4}年度?)?(?:财政|部门|市级|区级|县级|本级)?(?:预算)?(?:项目支出|支出|项目)?$")


def _title_project(raw: RawDeclaration, problems: list[Problem]) -> str | None:
    """For a form that prints no 项目名称: the fund or project its title names (``2020年市级财政
    专项扶贫资金（第二批扶贫开发项目）绩效目标表``), with a ``project-from-title`` warning; None
    when the title names none (项目支出绩效目标表)."""
    if not raw.title:
        return None
    name = nz.clean_name(_TITLE_FORM.sub("", nz.nfkc(raw.title)).strip())
    if not name or _GENERIC_TITLE.match(name.replace(" ", "")):
        return None
    problems.append(
        Problem(
            raw.source_file,
            raw.source_line,
            "project-from-title",
            f"{where(raw)}: the declaration prints no 项目名称; the project is taken from its title: {name!r}",
        )
    )
    return name


def _unit_not_printed(raw: RawDeclaration, problems: list[Problem]) -> str:
    """For a form that names no unit (no 申报单位, 实施单位 or 主管部门): the folder its file lies in,
    where it lies in one (an analyst files each unit's forms under the unit's name), else empty;
    a ``unit-not-printed`` warning says which."""
    folder = PurePosixPath(raw.source_file.replace("\\", "/")).parent.name
    said = f"it is taken from the name of its folder ({folder})" if folder else "the unit is left empty"
    problems.append(
        Problem(
            raw.source_file,
            raw.source_line,
            "unit-not-printed",
            f"{where(raw)}: the declaration prints no unit (申报单位, 实施单位 or 主管部门); {said}",
        )
    )
    return folder


def _missing(raw: RawDeclaration, unit, year, project, problems: list[Problem]) -> bool:
    """Whether a required field is missing (a ``missing-field`` problem says which)."""
    missing = [
        label
        for label, v in (("申报单位名称 (unit)", unit), ("年度 (year)", year), ("项目名称 (project)", project))
        if not v and not (v == "" and label.startswith("申报"))  # a unit left empty on purpose
    ]
    if missing:
        problems.append(
            Problem(
                raw.source_file,
                raw.source_line,
                "missing-field",
                f"{where(raw)}: declaration without {', '.join(missing)}; it is not in the tables",
            )
        )
    return bool(missing)


def _declaration_row(raw: RawDeclaration, did: str, year: int, unit: str, project: str, code, add) -> dict:
    """The declaration's row: every column of the declarations table, the values read from
    the printed fields (what the indicators give is set by the caller)."""
    row: dict = {
        "decl_id": did,
        "year": year,
        "unit": unit,
        "project": project,
        "department": nz.clean_name(nz.strip_unit_code(raw.get("department"))),
        "project_code": nz.clean_name(raw.get("project_code")) or code,
        "category": nz.clean_name(raw.get("category")),
        "perf_type": nz.clean_name(raw.get("perf_type")),
        "source_file": raw.source_file,
        "source_line": raw.source_line,
        "source_page": None,  # where a document printed it: set by analysis.ingest.file
        "source_table": None,
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
    row.update(_amounts(raw, add))
    for name in PROSE:
        row[name] = nz.clean_text(raw.get(name))
    pb, pe = row["prior_budget"], row["prior_executed"]
    row["prior_execution_rate"] = pe / pb if pb and pe is not None and pb > 0 and pe >= 0 else None
    row["exec_target"] = row["exec_target_op"] = row["n_indicators"] = None
    _check_characters(row, ("unit", "project", "category", "perf_type"), raw.source_line, add)
    return row


def _check_declaration(raw: RawDeclaration, row: dict, add) -> None:
    """The declaration's figures against each other: the year's budget within the total, last
    year's spending within last year's budget, the dates around the year, the budget the text
    states (a negative amount is reported with the amounts; comparisons with it would mislead)."""
    total, year_b = row["total_budget"], row["year_budget"]
    if total is not None and year_b is not None and min(total, year_b) >= 0 and year_b > total * 1.000001:
        add(
            raw.line_of("year_budget"),
            "year-over-total",
            f"项目当年预算 {year_b:,.2f} is above 项目总预算 {total:,.2f}",
        )
    pb, pe = row["prior_budget"], row["prior_executed"]
    if pb is not None and pe is not None and min(pb, pe) >= 0 and pe > pb * 1.000001:
        add(
            raw.line_of("prior_executed"),
            "executed-over-budget",
            f"上年预算执行数 {pe:,.2f} is above 上年预算额 {pb:,.2f}",
        )
    sd, ed, year = row["start_date"], row["end_date"], row["year"]
    if (sd and ed and ed < sd) or (sd and sd.year > year) or (ed and ed.year < year):
        add(
            raw.line_of("start_date" if raw.get("start_date") else "period"),
            "dates-outside-year",
            f"planned {sd or '?'} to {ed or '?'} does not fit the declaration's year {year}",
        )
    _check_text_budget(row, raw, add)


def _indicator_rows(raw: RawDeclaration, row: dict, add) -> tuple[list[IndicatorRow], list[str], tuple | None]:
    """The indicators' rows, the year's first, then the medium-term ones printed beside them;
    their parts of the content hash; and the first 预算执行率 target of the year's indicators
    as ``(ratio, op)``, or None."""
    did, year, unit, project = row["decl_id"], row["year"], row["unit"], row["project"]
    rows: list[IndicatorRow] = []
    pieces: list[str] = []
    execution = None
    ordered = [i for i in raw.indicators if i.horizon == "year"] + [i for i in raw.indicators if i.horizon != "year"]
    for seq, ind in enumerate(ordered, 1):
        if seq % 256 == 0:
            lim.check_time()
        v = _indicator_values(ind, year)
        rows.append(
            _NEW(
                IndicatorRow,
                (
                    did,
                    year,
                    unit,
                    project,
                    seq,
                    *v.head,
                    ind.line,
                    ind.horizon,
                    *v.tail,
                    ind.site,
                    None,
                    kinds.kind_of(v.head[2]),
                ),
            )
        )
        pieces.append(v.piece if ind.site is None else f"{v.piece}site={ind.site};")
        if v.flag is not None:
            _indicator_problems(raw, ind, v, add)
        if execution is None and v.execution is not None and ind.horizon == "year":
            execution = v.execution, v.column("op")
    return rows, pieces, execution


def _exec_rate_field(raw: RawDeclaration, year: int) -> tuple[float | None, str | None]:
    """The 预算执行率 target printed as a field of the declaration (年度预算执行率 100%), as
    ``(ratio, op)``; ``(None, None)`` without one."""
    if raw.get("exec_rate"):
        op, value, hi, vunit, kind = nz.parse_target(raw.get("exec_rate"), year)
        if kind == "quantitative" and vunit == "%":
            return (hi if op == "range" else value) / 100.0, op
    return None, None


#: what is read from an indicator depends only on its printed cells and the year: computed
#: once per distinct indicator (they repeat across thousands of declarations)
_INDICATORS: dict[tuple, IndicatorValues] = {}
_INDICATORS_MAX = 1 << 13
_MEMO_CHARS = 200  # indicators whose cells hold up to this many characters in all are memoized


def _indicator_values(ind, year: int | None) -> IndicatorValues:
    """What is read from one indicator (:class:`IndicatorValues`), computed once per distinct
    printed cells and year."""
    key = (ind.level1, ind.level2, ind.name, ind.target, ind.unit_cell, ind.value_cell, ind.printed, year)
    v = _INDICATORS.get(key)
    if v is None:
        v = _compute_indicator(ind, year)
        chars = sum(len(x) for x in key[:-2] if x) + sum(len(cell) for _role, cell in ind.printed)
        if chars <= _MEMO_CHARS:
            if len(_INDICATORS) >= _INDICATORS_MAX:
                _INDICATORS.clear()
            _INDICATORS[key] = v
    return v


def _compute_indicator(ind, year: int | None) -> IndicatorValues:
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
    head = (level1, level2, name, nz.level1_std(level1, level2), ind.target, op, value, hi, vunit, kind)  # HEAD_COLUMNS
    tail = _NOT_PRINTED
    if ind.printed:
        cells = dict(ind.printed)
        tail = tuple(read(cells.get(column)) for column, read in PRINTED.items())  # TAIL_COLUMNS
    piece = "|".join(_norm(x) or "" for x in (level1, level2, name, ind.target)) + ";"  # its part of content_hash
    return IndicatorValues(head, tail, flag, execution, piece)


def _indicator_problems(raw: RawDeclaration, ind, v: IndicatorValues, add) -> None:
    """What is reported about one indicator (``v.flag`` from :func:`_compute_indicator`)."""
    level1, level2, name, kind = (v.column(c) for c in ("level1", "level2", "name", "kind"))
    flag = v.flag
    label = f"indicator {short(name) or '(no name)'!r}"
    _check_characters({"level1": level1, "level2": level2, "name": name}, ("level1", "level2", "name"), ind.line, add)
    if flag == "missing":
        if raw.truncated and ind is raw.indicators[-1]:
            add(ind.line, "truncated-table", f"the input ends inside the indicator table: {label} has no target")
        else:
            add(ind.line, "missing-target", f"{label} has no target value")
    elif flag == "overflow":
        add(ind.line, "bad-target", f"{label}: target {short(ind.target)!r} is a number too large to hold")
    elif flag == "bad":
        what = "is no date that exists" if kind == "deadline" else "has an operator but no number"
        add(ind.line, "bad-target", f"{label}: target {short(ind.target)!r} {what}")
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


_AMOUNT_LABELS = {"total_budget": "项目总预算", "year_budget": "项目当年预算", "amount": "资金总额"}


def _amounts(raw: RawDeclaration, add) -> dict:
    """The amounts in 元. A single undifferentiated amount (资金总额, 项目金额, 预算数) is the
    year's budget, or the total where the year's is printed too. Where no money unit is
    printed anywhere (no label, cell or 单位 line says 元 or 万元), the amount is read as 万元
    when a cost indicator or the text gives it in 万元, else as 元; either way a warning says so."""
    values: dict[str, float | None] = {}
    blanks: list[tuple[int, str]] = []  # amounts printed blank: reported unless their parts give the amount
    printed = raw.get("money_unit")
    assumed = []
    for name in vocab.AMOUNT_FIELDS:
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
            add(entry[1], "bad-amount", f"{entry[2]} {short(entry[0])!r} is no amount")
        elif value is not None and value < 0:
            add(
                entry[1],
                "negative-amount",
                f"{entry[2]} {short(entry[0])!r} is negative; kept as published, "
                f"and not compared with the other amounts",
            )
        elif value is None and name in _AMOUNT_LABELS:
            blanks.append((entry[1], f"{entry[2] or _AMOUNT_LABELS[name]} is blank"))
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
    elif total is None and year_b is None:
        blank = [raw.fields[n] for n in _AMOUNT_LABELS if n in raw.fields]
        year_b = _blank_total_from_parts(raw, min(e[1] for e in blank), add)
        if year_b is not None:
            blanks = []  # the parts gave it (amount-from-parts says so)
    for line, message in blanks:
        add(line, "missing-amount", message)
    return {"total_budget": total, "year_budget": year_b, **values}


def _blank_total_from_parts(raw: RawDeclaration, line: int, add) -> float | None:
    """A total printed blank over parts that carry figures (``年度资金总额 |`` over ``其中：中央补助 |
    50.29`` and ``地方资金 |``): the sum of the parts printed under it, in the form's money unit
    (元 where none is printed, said in a warning), with an ``amount-from-parts`` warning. None
    when no part carries a figure or one is no amount."""
    unit = raw.get("money_unit")
    parts, total = [], 0.0
    for part in raw.parts:
        amount, ok = nz.parse_amount(part[1], unit or "元")
        if part[2] < line or (ok and amount is None):
            continue  # before the total, or left blank
        if not ok or amount < 0:
            return None
        parts.append(part)
        total += amount
    if not parts:
        return None
    total = round(total, 2)
    names = ", ".join(f"{label} {short(value, 20)}" for label, value, _line, _level in parts)
    add(
        parts[0][2],
        "amount-from-parts",
        f"the amount is printed blank; it is read as the sum of the parts printed under it ({names}; "
        f"{unit or '元: no money unit is printed'}): {total:,.2f} 元",
    )
    return total


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
    names = ", ".join(f"{label} {short(value, 20)}" for label, value, _line, _level in top)
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
            return f"{short(ind.name, 20)} {short(ind.target, 20)}"
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
        return start.year, f"the project's period ({short(printed, 40)})"
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
                f"{name} {short(value)!r} holds {', '.join(found)} (bidi controls or characters XML cannot hold); "
                f"kept as published in the tables",
            )


def short(text, n: int = 80):
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


def where(raw: RawDeclaration, line: int | None = None) -> str:
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


_HASHED_FIELDS = [k for k in DECLARATIONS_SCHEMA.names if not k.startswith("source_") and k not in _PLACE_COLUMNS]


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
