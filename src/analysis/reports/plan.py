"""What the batch renders: one task per unit and per year, with file names that are safe and stay inside OUT."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from analysis.tables import read_table

# ----------------------------------------------------------------------------- safe names

_NOT_SAFE = re.compile(r"[^A-Za-z0-9]+")


def safe_name(name: str, prefix: str = "unit") -> str:
    """A stable file name stem for an untrusted name: ASCII letters, digits and ``-`` only.

    The readable part keeps the ASCII letters and digits of the name (Chinese characters,
    bidirectional controls such as U+202E and everything else drop out), at most 24 of them;
    128 bits of the SHA-256 of the full name keep different names apart (finding two names with
    the same stem would take about 2**64 tries).  The result never holds ``/``, ``\\``, ``.``,
    white space or control characters and has at most 57 characters.
    """
    text = unicodedata.normalize("NFKC", str(name))
    readable = _NOT_SAFE.sub("-", text).strip("-").lower()[:24].strip("-")
    digest = hashlib.sha256(str(name).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{readable}-{digest}" if readable else f"{prefix}-{digest}"


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


def plan(
    processed: Path, out: Path, notebooks: Path, units=None, years=None, overview: bool | None = None
) -> list[Task]:
    """The report runs: every unit, every year and the overview when neither ``units`` nor
    ``years`` is given; otherwise only what was asked (``units`` alone renders no year report,
    ``years`` alone no unit report; the overview only with ``overview=True``).  Names not in the
    data are left out here; the command line refuses them before (``batch.run``)."""
    decl = read_table(processed, "declarations", columns=["unit", "year"])
    all_units = sorted(decl["unit"].dropna().unique().tolist())
    all_years = sorted(int(y) for y in decl["year"].dropna().unique().tolist())
    full = units is None and years is None
    if overview is None:
        overview = full
    if not full:
        units = units or []
        years = years or []
    if units is not None:  # None: every unit; [] none
        all_units = [u for u in all_units if u in set(units)]
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
            )
        )
    return tasks


def prune(out: Path, tasks: list[Task]) -> list[Path]:
    """Remove reports of units and years that are no longer in the data (our files only).

    Only the files the batch writes are considered (``units/*.html``, ``years/*.html``,
    ``notebooks/{units,years}/*.ipynb``, ``.cache/*.json``); returns what was removed.
    """
    out = Path(out).resolve()
    keep = {Path(t.out_html).resolve() for t in tasks} | {Path(t.out_ipynb).resolve() for t in tasks}
    keep |= {(out / ".cache" / f"{t.kind}-{t.stem}.json").resolve() for t in tasks}
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
    ):
        for path in out.glob(pattern):
            if path.resolve() not in keep and path.is_file():
                path.unlink()
                removed.append(path)
    return removed
