"""``OUT/index.html``: every report with its headline figures, the failures, the exports.

The page is rendered from ``templates/index.html.j2`` with autoescaping on: every name from the
data is escaped by Jinja2, the only trusted markup is the synthetic-data notice and the
stylesheet.  The unit table is given three times, ordered by name (pinyin), by budget and by
execution rate; the CSS ``:target`` rule shows one of them, so the page sorts without any
script (``index.html#by-budget``) and works offline and mailed alone.  Beside each unit, the
years whose budget grew while its targets were loosened (``metrics.budget_vs_targets`` over the
changes as the reports read them), cached in ``OUT/.cache/index/`` per state of the tables.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from urllib.parse import quote

import jinja2
import pandas as pd

from analysis.messages import _
from analysis.reports.plan import Result, inside
from analysis.tables import read_table

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    keep_trailing_newline=True,
)

KIND_LABELS = {"unit": "单位", "year": "年度", "overview": "总览", "library": "指标库"}


def _href(out: Path, path: str | Path) -> str:
    return quote(Path(os.path.relpath(Path(path).resolve(), out)).as_posix())


def _ipynb_href(out: Path, r: Result) -> str | None:
    return _href(out, r.out_ipynb) if r.out_ipynb and Path(r.out_ipynb).exists() else None


def _tables_state(processed: Path) -> str:
    parts = []
    for name in ("declarations", "indicators"):
        st = (Path(processed) / f"{name}.parquet").stat()
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def flagged_years(processed: Path, cache_dir: Path | None = None) -> dict[str, list[int]]:
    """Per unit, the years whose budget grew while more targets were loosened than tightened
    (``metrics.budget_vs_targets`` over :func:`analysis.metrics.summaries.changes_for_report`)."""
    from analysis import metrics
    from analysis.metrics.summaries import changes_for_report

    stamp = Path(cache_dir) / "flags.json" if cache_dir else None
    state = _tables_state(processed)
    if stamp is not None:
        try:
            saved = json.loads(stamp.read_text(encoding="utf-8"))
            if saved.get("state") == state:
                return saved["flags"]
        except (OSError, ValueError, KeyError):
            pass
    from analysis.metrics.identity import tell_units_apart
    from analysis.reports.data import unit_names

    names = unit_names(processed)  # units as the reports name them
    decl = read_table(
        processed, "declarations", columns=["decl_id", "unit", "year", "project", "year_budget", "source_file"]
    )
    decl = tell_units_apart(decl, names)
    ind = tell_units_apart(read_table(processed, "indicators"), names)
    bt = metrics.budget_vs_targets(decl, changes_for_report(ind, decl))
    hit = bt[bt["budget_up_targets_loosened"]]
    flags = {str(u): sorted(int(y) for y in g["year"]) for u, g in hit.groupby("unit")}
    if stamp is not None:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps({"state": state, "flags": flags}, ensure_ascii=False), encoding="utf-8")
    return flags


def problem_counts(processed: Path, declarations: pd.DataFrame | None = None) -> dict:
    """What went wrong reading the input, for the index: ``errors`` (problems of severity error:
    something is missing from the tables), ``warnings``, ``files_unread`` (files with an error
    that gave no declaration), ``errors_in_read_files`` (the errors of the other files:
    declarations rejected, pages not read) and ``error_files`` (files with an error)."""
    from analysis.problems import ERROR, WARNING

    prob = read_table(processed, "problems", columns=["source_file", "severity"])
    if declarations is None:
        declarations = read_table(processed, "declarations", columns=["source_file"])
    errors = prob[prob["severity"] == ERROR]
    files = set(errors["source_file"].dropna())
    unread = files - set(declarations["source_file"].dropna())
    return {
        "errors": len(errors),
        "warnings": int((prob["severity"] == WARNING).sum()),
        "error_files": len(files),
        "files_unread": len(unread),
        "errors_in_read_files": int((~errors["source_file"].isin(unread)).sum()),
    }


def write_index(
    out: Path, processed: Path, results: list[Result], exported: list[Path], export_error: str = ""
) -> Path:
    """Write ``OUT/index.html`` atomically and return its path.

    ``results``: one per report to list (rendered, cached, failed, or ``missing``: in the data
    but not rendered yet); ``export_error`` says why the export of the tables failed. A write
    that fails (a full disk) leaves no ``.tmp`` behind."""
    from analysis.metrics.summaries import headline_figures
    from analysis.reports.show import fmt_money, fmt_rate, sort_names, synthetic_notice_html

    out = Path(out).resolve()
    from analysis.metrics.identity import tell_units_apart
    from analysis.reports.data import unit_names

    decl = read_table(
        processed,
        "declarations",
        columns=["decl_id", "unit", "year", "year_budget", "prior_budget", "prior_executed", "source_file"],
    )
    decl = tell_units_apart(decl, unit_names(processed))  # units as the reports name them
    figures = {
        "unit": headline_figures(decl, "unit").set_index("unit"),
        "year": headline_figures(decl, "year").set_index("year"),
    }
    try:
        flags = flagged_years(processed, inside(out, ".cache", "index"))
    except Exception as exc:  # the index must be written even when the analysis fails
        print(_("reports.index_flags_skipped", error=f"{type(exc).__name__}: {exc}"))
        flags = {}

    def row(r: Result) -> dict:
        key = r.name if r.kind == "unit" else (int(r.name) if r.kind == "year" else None)
        f = figures[r.kind].loc[key] if r.kind in figures and key in figures[r.kind].index else None
        budget = float(f["year_budget"]) if f is not None and pd.notna(f["year_budget"]) else None
        rate = float(f["rate"]) if f is not None and pd.notna(f["rate"]) else None
        return {
            "name": r.name,
            "failed": r.status == "failed",
            "missing": r.status == "missing",
            "error": r.error,
            "n": int(f["n_projects"]) if f is not None else len(decl) if r.kind == "overview" else 0,
            "budget": fmt_money(budget),
            "rate": fmt_rate(rate),
            "_budget": budget,
            "_rate": rate,
            "flags": flags.get(r.name, []) if r.kind == "unit" else [],
            "html_href": _href(out, r.out_html),
            "ipynb_href": _ipynb_href(out, r),
        }

    units = [row(r) for r in results if r.kind == "unit"]
    by_pinyin = {name: i for i, name in enumerate(sort_names([u["name"] for u in units]))}
    orders = [
        {
            "id": "by-budget",
            "label": "按当年预算（从大到小）",
            "rows": sorted(units, key=lambda u: (u["_budget"] is None, -(u["_budget"] or 0), by_pinyin[u["name"]])),
        },
        {
            "id": "by-rate",
            "label": "按上年执行率（从低到高）",
            "rows": sorted(units, key=lambda u: (u["_rate"] is None, u["_rate"] or 0, by_pinyin[u["name"]])),
        },
        {
            "id": "by-name",
            "label": "按单位名称（拼音）",
            "default": True,
            "rows": sorted(units, key=lambda u: by_pinyin[u["name"]]),
        },
    ]
    try:
        problems = problem_counts(processed, decl)
    except Exception as exc:  # the index must be written even when the problems cannot be read
        print(_("reports.index_problems_skipped", error=f"{type(exc).__name__}: {exc}"))
        problems = None
    if problems is not None:
        from analysis.reports.show import PROBLEMS_HEADING, heading_anchor

        shown = [r for r in results if r.kind == "overview" and r.status in ("rendered", "cached")]
        problems["href"] = f"{_href(out, shown[0].out_html)}#{heading_anchor(PROBLEMS_HEADING)}" if shown else None
        listed = [p for p in exported if Path(p).name in ("problems.csv", "tables.xlsx")]
        problems["files"] = [{"href": _href(out, p), "name": Path(p).name} for p in listed]
    failed = [
        {
            "kind_label": KIND_LABELS.get(r.kind, r.kind),
            "name": r.name,
            "error": r.error,
            "ipynb_href": _ipynb_href(out, r),
        }
        for r in results
        if r.status == "failed"
    ]
    n_flagged = sum(len(v) for v in flags.values())
    page = _ENV.get_template("index.html.j2").render(
        notice=synthetic_notice_html(decl),
        n_reports=len(results),
        n_units=len(units),
        n_years=sum(r.kind == "year" for r in results),
        n_declarations=len(decl),
        generated=time.strftime("%Y-%m-%d %H:%M"),
        failed=failed,
        problems=problems,
        overview=[row(r) for r in results if r.kind == "overview"],
        library=[row(r) for r in results if r.kind == "library"],
        years=[row(r) for r in results if r.kind == "year"],
        orders=orders if units else [],
        n_flagged=n_flagged,
        flagged=[
            {
                "name": u["name"],
                "years": u["flags"],
                "html_href": u["html_href"],
                "missing": u["missing"] or u["failed"],
            }
            for u in orders[2]["rows"]
            if u["flags"]
        ]
        if units
        else [],
        exported=[{"href": _href(out, p), "name": Path(p).name} for p in exported],
        export_error=export_error,
    )
    target = inside(out, "index.html")
    tmp = target.with_suffix(".html.tmp")
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
