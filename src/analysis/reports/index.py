"""``OUT/index.html``: every report with its headline figures, the failures, the exports.

The page is rendered from ``templates/index.html.j2`` with autoescaping on: every name from the
data is escaped by Jinja2, the only trusted markup is the synthetic-data notice.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import quote

import jinja2

from analysis.reports.plan import Result, inside
from analysis.tables import read_table

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    keep_trailing_newline=True,
)


def _href(out: Path, path: str | Path) -> str:
    return quote(Path(os.path.relpath(Path(path).resolve(), out)).as_posix())


def _ipynb_href(out: Path, r: Result) -> str | None:
    return _href(out, r.out_ipynb) if r.out_ipynb and Path(r.out_ipynb).exists() else None


def write_index(out: Path, processed: Path, results: list[Result], exported: list[Path]) -> Path:
    """Write ``OUT/index.html`` atomically and return its path."""
    from analysis.reports.show import fmt_money, fmt_rate, headline_figures, synthetic_notice_html

    out = Path(out).resolve()
    decl = read_table(processed, "declarations", columns=["unit", "year", "year_budget", "prior_budget", "prior_executed", "source_file"])
    figures = {"unit": headline_figures(decl, "unit").set_index("unit"), "year": headline_figures(decl, "year").set_index("year")}

    def row(r: Result) -> dict:
        key = r.name if r.kind == "unit" else int(r.name)
        f = figures[r.kind].loc[key] if key in figures[r.kind].index else None
        return {
            "name": r.name, "failed": r.status == "failed", "error": r.error,
            "n": int(f["n_projects"]) if f is not None else 0,
            "budget": fmt_money(f["year_budget"]) if f is not None else "—",
            "rate": fmt_rate(f["rate"]) if f is not None else "—",
            "html_href": _href(out, r.out_html), "ipynb_href": _ipynb_href(out, r),
        }

    sections = [
        {"title": "年度报告", "label": "年度", "budget_head": "当年预算合计", "rate_head": "上年执行率",
         "rows": [row(r) for r in results if r.kind == "year"]},
        {"title": "单位报告", "label": "单位", "budget_head": "当年预算合计（各年相加）", "rate_head": "上年执行率（各年合计）",
         "rows": [row(r) for r in results if r.kind == "unit"]},
    ]
    failed = [{"kind_label": "单位" if r.kind == "unit" else "年度", "name": r.name, "error": r.error,
               "ipynb_href": _ipynb_href(out, r)} for r in results if r.status == "failed"]
    page = _ENV.get_template("index.html.j2").render(
        notice=synthetic_notice_html(decl),
        n_reports=len(results), n_units=sum(r.kind == "unit" for r in results),
        n_years=sum(r.kind == "year" for r in results), n_declarations=len(decl),
        generated=time.strftime("%Y-%m-%d %H:%M"), failed=failed, sections=sections,
        exported=[{"href": _href(out, p), "name": Path(p).name} for p in exported],
    )
    target = inside(out, "index.html")
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
