"""What the report notebooks call to read their data and show it safely.

Unit names, project names and the declarations' prose come from outside.  Everything here
that puts such text on the page escapes it: tables through pandas' ``to_html`` (escapes by
default), sentences through :func:`say`, which escapes every value before it goes into the
(trusted) sentence.  Nothing from the data is ever passed through Markdown, so ``[x](javascript:..)``
or ``<script>`` in a name shows as text.
"""
from __future__ import annotations

import html
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import tables
from analysis.reports.warm import read_table as cached_table  # each table file read once per kernel

SYNTHETIC_PREFIX = "synthetic/"

#: headings of the change words (tightened → 收紧 ...), from the column registry
CHANGE_LABELS = {k: tables.heading(k) for k in ("tightened", "loosened", "unchanged", "changed", "added", "removed")}
RATE_COLUMNS = tables.columns_of_format("rate")
MONEY_COLUMNS = tables.columns_of_format("money")


# ----------------------------------------------------------------------------- finding the data

def resolve_processed_dir(path: str | os.PathLike = "data/processed") -> Path:
    """Find the processed tables whether the notebook runs from the repository root or from notebooks/.

    An absolute path is taken as it is.  A relative one is tried against the working directory
    and then each of its parents, so ``data/processed`` works from ``notebooks/`` too.
    """
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    here = Path.cwd()
    for base in (here, *here.parents):
        if (base / p / "declarations.parquet").exists():
            return (base / p).resolve()
    return (here / p).resolve()


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


def load_unit(processed_dir: str | os.PathLike, unit: str) -> ReportData:
    """One unit's declarations, indicators and problems (filtered from the tables, each file read once per kernel)."""
    d = resolve_processed_dir(processed_dir)
    decl = cached_table(d, "declarations", columns=_declaration_columns(d), filters=[("unit", "==", unit)])
    ind = cached_table(d, "indicators", filters=[("unit", "==", unit)])
    return ReportData(decl, ind, _problems_for(d, decl))


def load_year(processed_dir: str | os.PathLike, year: int) -> ReportData:
    """Declarations and indicators of ``year`` and the year before (for targets and changes).

    The problems are those of the files of ``year`` only.
    """
    d = resolve_processed_dir(processed_dir)
    year = int(year)
    both = [("year", "in", [year - 1, year])]
    decl = cached_table(d, "declarations", columns=_declaration_columns(d), filters=both)
    ind = cached_table(d, "indicators", filters=both)
    return ReportData(decl, ind, _problems_for(d, decl[decl["year"] == year]))


# ----------------------------------------------------------------------------- formatting

def escape(value) -> str:
    """Text for HTML: ``<``, ``>``, ``&`` and quotes escaped; None and NaN as an em dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    return html.escape(str(value), quote=True)


def fmt_money(yuan) -> str:
    """Yuan as 万元 with two decimals (``1406400`` -> ``140.64 万元``)."""
    if yuan is None or pd.isna(yuan):
        return "—"
    return f"{float(yuan) / 10000:,.2f} 万元"


def fmt_rate(ratio) -> str:
    """A ratio as a percentage (``0.985`` -> ``98.5%``)."""
    if ratio is None or pd.isna(ratio):
        return "—"
    return f"{float(ratio) * 100:.1f}%"


def _formatters(frame: pd.DataFrame) -> dict:
    out = {}
    for col in frame.columns:
        if col in RATE_COLUMNS:
            out[col] = fmt_rate
        elif col in MONEY_COLUMNS:
            out[col] = lambda v: "—" if pd.isna(v) else f"{float(v):,.0f}"
    return out


def table_html(frame: pd.DataFrame, columns=None, max_rows: int | None = 200, labels: dict | None = None) -> str:
    """``frame`` as an HTML table: Chinese headings, amounts and rates formatted, every cell escaped."""
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    shown = frame.head(max_rows) if max_rows else frame
    shown = shown.copy()
    if "change" in shown.columns:
        shown["change"] = shown["change"].map(lambda c: CHANGE_LABELS.get(c, c))
    if "below_target" in shown.columns:
        shown["below_target"] = shown["below_target"].map(lambda b: "—" if pd.isna(b) else ("是" if b else "否"))
    for col, fmt in _formatters(shown).items():
        shown[col] = shown[col].map(fmt).astype(object)
    shown = shown.astype(object).where(shown.notna(), "—")
    names = labels or {}
    shown.columns = [names.get(c) or tables.heading(c) for c in shown.columns]
    body = shown.to_html(index=False, escape=True, na_rep="—", border=0, classes="analysis-table")
    if max_rows and len(frame) > max_rows:
        body += f"<p><em>仅显示前 {max_rows} 行，共 {len(frame)} 行。</em></p>"
    return body


def say(template: str, **values) -> str:
    """A sentence as HTML: ``template`` is trusted, every ``{value}`` is escaped first."""
    return "<p>" + template.format(**{k: escape(v) for k, v in values.items()}) + "</p>"


def synthetic_notice_html(declarations: pd.DataFrame) -> str | None:
    """A warning box when any of the rows come from the synthetic corpus, else None."""
    files = declarations.get("source_file")
    if files is None or not files.astype("string").str.startswith(SYNTHETIC_PREFIX).fillna(False).any():
        return None
    return (
        '<div style="border:2px solid #c0392b;background:#fdecea;padding:8px 12px;margin:8px 0">'
        "<strong>注意：本报告包含合成（虚构）数据。</strong>"
        "这些数据由 <code>python -m analysis generate</code> 生成，仅用于测试和演示，不是真实的预算申报。"
        "</div>"
    )


# ----------------------------------------------------------------------------- headline figures

def headline_figures(declarations: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Headline figures per ``by`` (``"unit"``, ``"year"``) or for all rows (``by=None``).

    Columns: ``n_projects``, ``year_budget`` (sum of 当年预算), ``rate`` = sum of 上年执行数 over
    sum of 上年预算 for the declarations where both are known (budget-weighted, as in
    ``metrics.execution_rates``).
    """
    d = declarations[[c for c in ("unit", "year", "year_budget", "prior_budget", "prior_executed") if c in declarations]]
    both = d["prior_budget"].notna() & d["prior_executed"].notna() & (d["prior_budget"] > 0)
    d = d.assign(
        _pb=d["prior_budget"].where(both),
        _pe=d["prior_executed"].where(both),
        _n=1,
    )
    if by is None:
        d = d.assign(_all=0)
        key = "_all"
    else:
        key = by
    g = d.groupby(key, dropna=False, sort=True).agg(
        n_projects=("_n", "sum"),
        year_budget=("year_budget", lambda s: s.sum(min_count=1)),
        _pb=("_pb", lambda s: s.sum(min_count=1)),
        _pe=("_pe", lambda s: s.sum(min_count=1)),
    )
    g["rate"] = (g["_pe"] / g["_pb"]).where(g["_pb"] > 0)
    g = g.drop(columns=["_pb", "_pe"]).reset_index()
    if by is None:
        g = g.drop(columns=["_all"])
    return g


def unit_ranking(declarations: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Per unit: projects, 当年预算 and the execution figures of ``rates``, largest budget first.

    ``rates``: ``metrics.execution_rates(declarations, by=("unit", "year"))`` for one year.
    """
    budget = headline_figures(declarations, "unit")[["unit", "n_projects", "year_budget"]]
    keep = [c for c in ("unit", "exec_year", "prior_budget", "prior_executed", "rate", "mean_rate", "n_below_target") if c in rates]
    merged = budget.merge(rates[keep], on="unit", how="left")
    return merged.sort_values(["year_budget", "unit"], ascending=[False, True], na_position="last", ignore_index=True)


# ----------------------------------------------------------------------------- display in a notebook

def _display_html(markup: str):
    from IPython.display import HTML, display

    display(HTML(markup))


def show_table(frame: pd.DataFrame, columns=None, max_rows: int | None = 200, empty: str = "（无）", labels=None) -> None:
    """Display ``frame`` escaped (see :func:`table_html`), or the ``empty`` note when it has no rows."""
    if frame is None or len(frame) == 0:
        _display_html(say("{e}", e=empty))
        return
    _display_html(table_html(frame, columns=columns, max_rows=max_rows, labels=labels))


def show_text(template: str, **values) -> None:
    """Display a sentence whose ``{values}`` come from the data (escaped; see :func:`say`)."""
    _display_html(say(template, **values))


def show_synthetic_notice(declarations: pd.DataFrame) -> None:
    """Display the synthetic-data warning when the report covers synthetic declarations."""
    notice = synthetic_notice_html(declarations)
    if notice:
        _display_html(notice)


def show_figure(fig) -> None:
    """Display a matplotlib figure as an embedded PNG and free it."""
    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    display(Image(data=buf.getvalue(), format="png"))


def show_unit_summary(unit: str, declarations: pd.DataFrame) -> None:
    """The unit's name and a one-sentence summary: years, projects, latest budget, latest rate."""
    if declarations.empty:
        show_text("单位：<strong>{unit}</strong>。处理后的数据中没有该单位的申报。", unit=unit)
        return
    years = sorted(int(y) for y in declarations["year"].dropna().unique())
    last = headline_figures(declarations[declarations["year"] == years[-1]]).iloc[0]
    show_text(
        "单位：<strong>{unit}</strong>。共 {n} 条项目申报，年度 {first}–{latest}。"
        "{latest} 年申报 {n_last} 个项目，当年预算合计 {budget}；报告的上年（{prev} 年）预算执行率为 {rate}。",
        unit=unit, n=len(declarations), first=years[0], latest=years[-1], n_last=int(last["n_projects"]),
        budget=fmt_money(last["year_budget"]), prev=years[-1] - 1, rate=fmt_rate(last["rate"]),
    )


def show_year_summary(year: int, declarations: pd.DataFrame) -> None:
    """One sentence for the year: units, projects, budget, execution rate of the year before."""
    if declarations.empty:
        show_text("{year} 年：处理后的数据中没有该年度的申报。", year=year)
        return
    h = headline_figures(declarations).iloc[0]
    show_text(
        "{year} 年共有 {units} 个单位申报 {n} 个项目，当年预算合计 {budget}；"
        "报告的上年（{prev} 年）预算执行率为 {rate}（按预算加权）。",
        year=year, units=declarations["unit"].nunique(), n=int(h["n_projects"]),
        budget=fmt_money(h["year_budget"]), prev=int(year) - 1, rate=fmt_rate(h["rate"]),
    )


def show_problem_counts(problems: pd.DataFrame) -> None:
    """Problems counted by severity and code."""
    if problems.empty:
        show_text("没有发现数据问题。")
        return
    counts = problems.groupby(["severity", "code"]).size().rename("n").reset_index().sort_values("n", ascending=False)
    show_table(counts, labels={"n": "次数"})
