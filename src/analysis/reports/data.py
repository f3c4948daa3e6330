"""Finding a report's data: the processed folder, a unit or year checked against the tables
(with suggestions for a near miss), and the rows of one unit, one year or all, read once per
kernel; the links between reports."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import tables
from analysis.errors import AnalysisError
from analysis.messages import _
from analysis.metrics import identity
from analysis.paths import expand
from analysis.reports.tablecache import read_table as cached_table  # each table file read once per kernel
from analysis.tables import read_table

# ----------------------------------------------------------------------------- finding the data


def resolve_processed_dir(path: str | os.PathLike = "data/processed") -> Path:
    """Find the processed tables whether the notebook runs from the repository root or from notebooks/.

    An absolute path is taken as it is.  A relative one is tried against the working directory
    and then each of its parents, so ``data/processed`` works from ``notebooks/`` too.
    """
    p = expand(path)
    if p.is_absolute():
        return p
    here = Path.cwd()
    for base in (here, *here.parents):
        if (base / p / "declarations.parquet").exists():
            return (base / p).resolve()
    return (here / p).resolve()


class NotInData(AnalysisError, LookupError):
    """A unit or year asked for that the processed tables do not hold; the message (Chinese)
    names the closest ones."""

    def __str__(self) -> str:  # the message alone, also in a notebook's traceback
        return str(self.args[0]) if self.args else ""


def suggest(name, candidates, n: int = 3) -> list[str]:
    """The candidates closest to ``name``: those containing it or contained in it, then the most
    similar (difflib), best first."""
    name = str(name).strip()
    cands = [str(c) for c in candidates]
    if not name:
        return []
    ratio = {c: difflib.SequenceMatcher(None, name, c).ratio() for c in cands}
    best = max(ratio.values(), default=0.0)
    near = [c for c in cands if name in c or c in name or (ratio[c] >= 0.6 and ratio[c] >= best - 0.1)]
    return sorted(near, key=lambda c: (-ratio[c], c))[:n]


def unknown_message(kind: str, name, candidates, lang: str = "zh") -> str:
    """``单位不存在：X。您是否要找：Y？`` (``kind`` 单位 or 年度), or how to list what there is; in
    Chinese, as a report says it (the command line passes its own language as ``lang``)."""
    cands = list(candidates)
    what = "year" if kind == "年度" else "unit"
    sep = _("sep.list", lang=lang)
    msg = _(f"names.unknown.{what}", lang=lang, name=name)
    if what == "year":
        if not cands:
            return msg + _("names.no_years", lang=lang)
        return msg + _("names.years", lang=lang, years=sep.join(str(c) for c in cands))
    close = suggest(name, cands)
    if close:
        return msg + _("names.did_you_mean", lang=lang, names=sep.join(close))
    return msg + _(f"names.count.{what}", lang=lang, n=len(cands))


def available(processed_dir: str | os.PathLike, column: str) -> list:
    """The distinct units (``column="unit"``: as the reports name them, a name several units share
    with each one's place, :func:`units_of`) or years of the processed declarations, sorted."""
    d = resolve_processed_dir(processed_dir)
    if column == "unit":
        return sort_names(units_of(d)["unit"].dropna().unique().tolist())
    values = read_table(d, "declarations", columns=[column])[column].dropna().unique().tolist()
    return sorted(int(v) for v in values) if column == "year" else sort_names(values)


#: what telling units apart reads of the declarations
_UNIT_COLUMNS = ["decl_id", "unit", *identity.PLACE_COLUMNS]


def unit_names(processed_dir: str | os.PathLike) -> pd.Series:
    """:func:`analysis.metrics.identity.unit_names` over every declaration of the tables: the
    declarations whose unit is shown with its place, the same in every report."""
    return _units(resolve_processed_dir(processed_dir))[1]


def units_of(processed_dir: str | os.PathLike) -> pd.DataFrame:
    """Every declaration's ``decl_id``, ``unit`` as the reports name it (:func:`unit_names`),
    ``printed`` (the unit as printed) and ``year``."""
    return _units(resolve_processed_dir(processed_dir))[0]


def _units(d: Path) -> tuple[pd.DataFrame, pd.Series]:
    return identity.named_units(cached_table(d, "declarations", columns=[*_UNIT_COLUMNS, "year"]))


def sort_names(names) -> list[str]:
    """Chinese names in pinyin order (then by the characters themselves)."""
    from pypinyin import Style, lazy_pinyin

    return sorted((str(n) for n in names), key=lambda n: ("".join(lazy_pinyin(n, style=Style.TONE3)).lower(), n))


def check_unit(processed_dir, unit: str) -> str:
    """The unit of the data that ``unit`` names (white space aside, see
    :func:`analysis.reports.plan.name_key`); :class:`NotInData` with the closest names when there
    is none."""
    from analysis.reports.plan import match_names

    units = available(processed_dir, "unit")
    meant = match_names([unit], units).get(unit)
    if meant is None:
        raise NotInData(unknown_message("单位", unit, units))
    return meant


def check_year(processed_dir, year) -> None:
    years = available(processed_dir, "year")
    try:
        ok = int(year) in set(years)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise NotInData(unknown_message("年度", year, years))


def as_year(year):
    """A year parameter as a number, also when given as text (``papermill -r year 2020``, a
    scheduler's template): ``"2020"``, `` 2020 ``, ``2020.0`` give 2020. Anything else is returned
    as it is, for :func:`load_year` to say which years the data hold."""
    if isinstance(year, bool):
        return year
    try:
        number = float(str(year).strip())
    except ValueError:
        return year
    return int(number) if number.is_integer() else year


@dataclass
class ReportData:
    """The rows one report needs (already filtered), as DataFrames."""

    declarations: pd.DataFrame
    indicators: pd.DataFrame
    problems: pd.DataFrame


def _problems_for(processed_dir: Path, declarations: pd.DataFrame) -> pd.DataFrame:
    """Problems found in the files these declarations came from, or attached to them."""
    files = sorted(declarations["source_file"].dropna().unique().tolist())
    ids = sorted(declarations["decl_id"].dropna().unique().tolist())
    if not files and not ids:
        return cached_table(processed_dir, "problems").iloc[0:0]
    filters = []
    if files:
        filters.append([("source_file", "in", files)])
    if ids:
        filters.append([("decl_id", "in", ids)])
    return cached_table(processed_dir, "problems", filters=filters).drop_duplicates(ignore_index=True)


def _declaration_columns(processed_dir: Path) -> list[str] | None:
    import pyarrow.parquet as pq

    path = processed_dir / "declarations.parquet"
    if not path.exists():
        return None  # read_table says what is missing
    return [c for c in pq.read_schema(path).names if c not in tables.PROSE]


def load_unit(processed_dir: str | os.PathLike, unit: str, threshold: float = identity.DEFAULT_THRESHOLD) -> ReportData:
    """One unit's declarations, indicators and problems, filtered from the tables, each file read once per kernel.

    ``unit`` is the unit as the reports name it (:func:`units_of`): a name two units in different
    places share is asked with the place (``区林业局（北京市海淀区）``) and gives that unit's
    declarations only. A unit the data do not hold stops here with :class:`NotInData` naming the closest ones.
    The declarations are linked to their projects once here (:func:`analysis.metrics.identity.link`);
    links never cross units, so they are the unit's links in the whole table.
    """
    d = resolve_processed_dir(processed_dir)
    units, names = _units(d)
    mine = units[units["unit"] == unit]
    if mine.empty:
        unit = check_unit(d, unit)
        mine = units[units["unit"] == unit]
    printed = sorted(mine["printed"].dropna().unique().tolist())
    ids = set(mine["decl_id"])
    decl = cached_table(d, "declarations", columns=_declaration_columns(d), filters=[("unit", "in", printed)])
    decl = identity.tell_units_apart(decl[decl["decl_id"].isin(ids)].reset_index(drop=True), names)
    decl = identity.link(decl, threshold)
    ind = cached_table(d, "indicators", filters=[("unit", "in", printed)])
    ind = identity.tell_units_apart(ind[ind["decl_id"].isin(ids)].reset_index(drop=True), names)
    return ReportData(decl, ind, _problems_for(d, decl))


def load_year(processed_dir: str | os.PathLike, year: int, threshold: float = identity.DEFAULT_THRESHOLD) -> ReportData:
    """Declarations and indicators of ``year`` and the year before (for targets and changes), their
    units named as every report names them (:func:`unit_names`).

    The declarations of the two years are linked to their projects once here
    (:func:`analysis.metrics.identity.link`). The problems are those of the files of ``year`` only.
    A year without declarations stops with :class:`NotInData`.
    """
    d = resolve_processed_dir(processed_dir)
    check_year(d, year)
    year = int(year)
    both = [("year", "in", [year - 1, year])]
    names = unit_names(d)
    decl = cached_table(d, "declarations", columns=_declaration_columns(d), filters=both)
    decl = identity.link(identity.tell_units_apart(decl, names), threshold)
    ind = identity.tell_units_apart(cached_table(d, "indicators", filters=both), names)
    return ReportData(decl, ind, _problems_for(d, decl[decl["year"] == year]))


def load_all(processed_dir: str | os.PathLike, threshold: float = identity.DEFAULT_THRESHOLD) -> ReportData:
    """Every declaration (without the prose, linked to its project once), indicator and
    problem: for the overview report."""
    d = resolve_processed_dir(processed_dir)
    decl = read_table(d, "declarations", columns=_declaration_columns(d))
    names = identity.unit_names(decl)
    decl = identity.link(identity.tell_units_apart(decl, names), threshold)
    ind = identity.tell_units_apart(read_table(d, "indicators"), names)
    return ReportData(decl, ind, read_table(d, "problems"))


# ----------------------------------------------------------------------------- links between reports


def report_href(kind: str, name=None) -> str:
    """The link from one report page to another (every page sits one folder below the index)."""
    from analysis.reports.plan import OVERVIEW_HTML, safe_name

    if kind == "unit":
        return f"../units/{safe_name(str(name), 'unit')}.html"
    if kind == "year":
        return f"../years/{int(name)}.html"
    if kind == "overview":
        return "../" + OVERVIEW_HTML
    return "../index.html"
