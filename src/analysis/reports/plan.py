"""What the batch renders: one task per unit and per year, with file names that are safe and stay inside OUT."""

from __future__ import annotations

import functools
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from analysis.tables import read_table

# ----------------------------------------------------------------------------- safe names

_NOT_SAFE = re.compile(r"[^A-Za-z0-9]+")

#: letters of the readable part of a file name
READABLE_LENGTH = 43


@functools.lru_cache(maxsize=4096)
def _readable(text: str) -> str:
    """``text`` in ASCII letters, digits and ``-``: Chinese characters as pinyin without tones
    (示例市市场监督管理局 -> shilishishichangjianduguanliju), other ASCII letters and digits kept,
    everything else a ``-``; at most :data:`READABLE_LENGTH` characters."""
    from pypinyin import lazy_pinyin

    spelled = "".join(lazy_pinyin(text))  # what is not a Chinese character stays as it is
    return _NOT_SAFE.sub("-", spelled).strip("-").lower()[:READABLE_LENGTH].strip("-")


def _digest(name: str, digits: int = 16) -> str:
    return hashlib.sha256(str(name).encode("utf-8", "surrogatepass")).hexdigest()[:digits]


def safe_name(name: str, prefix: str = "unit") -> str:
    """A stable file name stem for an untrusted name: ASCII letters, digits and ``-`` only.

    The readable part spells the name (:func:`_readable`: pinyin for the Chinese characters,
    bidirectional controls such as U+202E and every other character dropping out), so that a
    report file sent alone says whose it is; 64 bits of the SHA-256 of the full name keep
    different names apart (two names with the same stem, which would take about 2**32 tries to
    make, get the full hash from ``batch.disambiguate``: no report overwrites another).
    The result never holds ``/``, ``\\``, ``.``, white space or control characters and has at
    most 60 characters.
    """
    text = unicodedata.normalize("NFKC", str(name))
    readable = _readable(text)
    return f"{readable}-{_digest(name)}" if readable else f"{prefix}-{_digest(name)}"


def legacy_safe_name(name: str, prefix: str = "unit") -> str:
    """The stem earlier versions gave ``name`` (its ASCII letters and digits only, so
    ``unit-<hash>`` for a Chinese name): a page there now points to :func:`safe_name`'s."""
    text = unicodedata.normalize("NFKC", str(name))
    readable = _NOT_SAFE.sub("-", text).strip("-").lower()[:24].strip("-")
    return f"{readable}-{_digest(name, 32)}" if readable else f"{prefix}-{_digest(name, 32)}"


_SPACE = re.compile(r"\s+")


def name_key(name) -> str:
    """A name as names are compared when a reader asks for one: NFKC, without white space (a unit
    asked for with a trailing space, or a full-width space, is the unit)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(name)))


def match_names(asked, names) -> dict:
    """``asked`` name -> the name in ``names`` it means (:func:`name_key`), for those that match."""
    by_key: dict[str, list] = {}
    for n in names:
        by_key.setdefault(name_key(n), []).append(n)
    out = {}
    for a in asked:
        if a in set(names):
            out[a] = a
        elif len(by_key.get(name_key(a), [])) == 1:
            out[a] = by_key[name_key(a)][0]
    return out


def inside(root: Path, *parts: str) -> Path:
    """``root/parts...``, refusing any path that would leave ``root``."""
    root = Path(root).resolve()
    path = root.joinpath(*parts).resolve()
    if path != root and root not in path.parents:
        raise ValueError(f"refusing to write outside {root}: {path}")
    return path


# ----------------------------------------------------------------------------- tasks


@dataclass
class Task:
    """One notebook run."""

    kind: str  # "unit" or "year"
    name: str  # the unit name or the year, as shown in the index
    stem: str  # safe file name stem
    notebook: str
    parameters: dict
    out_ipynb: str
    out_html: str
    key: str = ""
    title: str = ""  # the page's title, heading and running header: whose report, which years


@dataclass
class Result:
    kind: str
    name: str
    stem: str
    status: str  # "rendered", "cached" or "failed"
    seconds: float = 0.0
    error: str = ""
    out_html: str = ""
    out_ipynb: str = ""
    extra: dict = field(default_factory=dict)


#: the overview report across all years, relative to OUT (one folder down, like the others)
OVERVIEW_HTML = "overview/all-years.html"
OVERVIEW_NOTEBOOK = "overview_report.ipynb"
#: the indicator library (指标库) beside the overview, rendered whenever the overview is
LIBRARY_HTML = "overview/indicator-library.html"
LIBRARY_NOTEBOOK = "library_report.ipynb"


def year_span(years) -> str:
    """``2019—2023年`` or ``2021年``; empty without years."""
    years = sorted({int(y) for y in years})
    if not years:
        return ""
    return f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"


def report_title(kind: str, name=None, years=()) -> str:
    """What a report is, in words: its page title, heading and running header.

    ``示例市市场监督管理局 绩效目标报告（2019—2023年）``, ``2021年度 绩效目标报告（全部单位）``,
    ``全部年度总览（2019—2023年）``."""
    span = year_span(years)
    if kind == "unit":
        return f"{name} 绩效目标报告" + (f"（{span}）" if span else "")
    if kind == "year":
        return f"{int(name)}年度 绩效目标报告（全部单位）"
    return "全部年度总览" + (f"（{span}）" if span else "")


def plan(
    processed: Path, out: Path, notebooks: Path, units=None, years=None, overview: bool | None = None
) -> list[Task]:
    """The report runs: every unit, every year and the overview when neither ``units`` nor
    ``years`` is given; otherwise only what was asked (``units`` alone renders no year report,
    ``years`` alone no unit report; the overview only with ``overview=True``).  Names not in the
    data are left out here; the command line refuses them before (``batch.run``)."""
    from analysis.metrics.identity import PLACE_COLUMNS, named_units

    # a name two units in different places share: one report each, named with its place
    decl, _ = named_units(read_table(processed, "declarations", columns=["decl_id", "unit", "year", *PLACE_COLUMNS]))
    all_units = sorted(decl["unit"].dropna().unique().tolist())
    all_years = sorted(int(y) for y in decl["year"].dropna().unique().tolist())
    unit_years = {u: sorted(int(y) for y in g.dropna().unique()) for u, g in decl.groupby("unit", sort=False)["year"]}
    full = units is None and years is None
    if overview is None:
        overview = full
    if not full:
        units = units or []
        years = years or []
    if units is not None:  # None: every unit; [] none
        meant = set(match_names(units, all_units).values())
        all_units = [u for u in all_units if u in meant]
    if years is not None:
        wanted = {int(y) for y in years}
        all_years = [y for y in all_years if y in wanted]
    tasks = []
    for unit in all_units:
        stem = safe_name(unit, "unit")
        tasks.append(
            Task(
                kind="unit",
                name=unit,
                stem=stem,
                notebook=str(notebooks / "unit_report.ipynb"),
                parameters={"unit": unit, "processed_dir": str(processed)},
                out_ipynb=str(inside(out, "notebooks", "units", f"{stem}.ipynb")),
                out_html=str(inside(out, "units", f"{stem}.html")),
                title=report_title("unit", unit, unit_years.get(unit, [])),
            )
        )
    for year in all_years:
        stem = str(int(year))
        tasks.append(
            Task(
                kind="year",
                name=stem,
                stem=stem,
                notebook=str(notebooks / "year_report.ipynb"),
                parameters={"year": int(year), "processed_dir": str(processed)},
                out_ipynb=str(inside(out, "notebooks", "years", f"{stem}.ipynb")),
                out_html=str(inside(out, "years", f"{stem}.html")),
                title=report_title("year", int(year)),
            )
        )
    if overview and (notebooks / OVERVIEW_NOTEBOOK).exists():
        stem = Path(OVERVIEW_HTML).stem
        tasks.append(
            Task(
                kind="overview",
                name="全部年度",
                stem=stem,
                notebook=str(notebooks / OVERVIEW_NOTEBOOK),
                parameters={"processed_dir": str(processed)},
                out_ipynb=str(inside(out, "notebooks", "overview", f"{stem}.ipynb")),
                out_html=str(inside(out, OVERVIEW_HTML)),
                title=report_title("overview", None, sorted(int(y) for y in decl["year"].dropna().unique())),
            )
        )
    if overview and (notebooks / LIBRARY_NOTEBOOK).exists():
        stem = Path(LIBRARY_HTML).stem
        tasks.append(
            Task(
                kind="library",
                name="指标库",
                stem=stem,
                notebook=str(notebooks / LIBRARY_NOTEBOOK),
                parameters={"processed_dir": str(processed)},
                out_ipynb=str(inside(out, "notebooks", "overview", f"{stem}.ipynb")),
                out_html=str(inside(out, LIBRARY_HTML)),
            )
        )
    return tasks


_REDIRECT = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<meta http-equiv="refresh" content="0; url={href}"></head>
<body><p>本报告已改名：<a href="{href}">{title}</a></p></body></html>
"""


def redirects(tasks: list[Task]) -> dict[Path, Task]:
    """Where earlier versions wrote each unit report (``units/unit-<hash>.html``) when that is not
    where it is now: the old path -> its task."""
    out = {}
    for t in tasks:
        if t.kind != "unit":
            continue
        new = Path(t.out_html)
        old = new.with_name(legacy_safe_name(t.name, "unit") + ".html")
        if old.name != new.name:
            out[old] = t
    return out


def write_redirects(tasks: list[Task]) -> list[Path]:
    """A small page at each old file name of a unit report that sends the reader on to the new one
    (links saved or mailed before keep working)."""
    written = []
    for old, t in redirects(tasks).items():
        if not Path(t.out_html).exists():
            continue
        text = _REDIRECT.format(
            title=html.escape(t.title or t.name), href=html.escape(Path(t.out_html).name, quote=True)
        )
        try:
            if old.exists() and old.read_text(encoding="utf-8") == text:
                continue
            old.parent.mkdir(parents=True, exist_ok=True)
            old.write_text(text, encoding="utf-8")
            written.append(old)
        except OSError:
            continue
    return written


def prune(out: Path, tasks: list[Task]) -> list[Path]:
    """Remove reports of units and years that are no longer in the data (our files only).

    Only the files the batch writes are considered (``units/*.html``, ``years/*.html``,
    ``notebooks/{units,years}/*.ipynb``, ``.cache/*.json``); returns what was removed.
    """
    out = Path(out).resolve()
    keep = {Path(t.out_html).resolve() for t in tasks} | {Path(t.out_ipynb).resolve() for t in tasks}
    keep |= {(out / ".cache" / f"{t.kind}-{t.stem}.json").resolve() for t in tasks}
    keep |= {p.resolve() for p in redirects(tasks)}
    removed = []
    for pattern in (
        "units/*.html",
        "years/*.html",
        "overview/*.html",
        "notebooks/units/*.ipynb",
        "notebooks/years/*.ipynb",
        "notebooks/overview/*.ipynb",
        ".cache/unit-*.json",
        ".cache/year-*.json",
        ".cache/overview-*.json",
        ".cache/library-*.json",
    ):
        for path in out.glob(pattern):
            if path.resolve() not in keep and path.is_file():
                path.unlink()
                removed.append(path)
    return removed
