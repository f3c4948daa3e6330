"""The report charts: one function per chart, Chinese titles and axes, a CJK font set once.

Every function takes the DataFrame documented in its docstring (usually an output of
``analysis.metrics``), returns a new :class:`matplotlib.figure.Figure` (no pyplot state is
touched, so they are safe in worker processes).  A chart without data is a one-line strip
saying "标题：无数据" (not a full-size blank box), marked with :data:`EMPTY` so that
:func:`analysis.reports.show.figure_html` shows it as a line of text.  Names from the data are shown as plain text (``$`` cannot start math mode) and cut
to a readable length.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis import tables
from analysis.reports import fonts

fonts.setup()

BLUE, ORANGE, GREEN, RED, GREY, PURPLE = "#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8C8C8C", "#8172B3"
#: the change words are the column registry's headings (收紧, 放松 ...: they speak of the target)
CHANGE_COLORS = {
    name: (color, tables.heading(name))
    for name, color in (
        ("tightened", GREEN),
        ("loosened", RED),
        ("changed", PURPLE),
        ("added", BLUE),
        ("removed", GREY),
        ("framework_changes", "#C9B37E"),
    )
}
QUALITY_SHARES = {
    "share_quantitative": (BLUE, "定量"),
    "share_qualitative": (ORANGE, "定性"),
    "share_deadline": (GREEN, "时限"),
    "share_vague": (RED, "模糊"),
    "share_repeated": (GREY, "与上年重复"),
}


def label(text, width: int = 18) -> str:
    """A name for a chart: ``$`` escaped (no mathtext), cut to ``width`` characters."""
    s = "—" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    s = "".join(ch if ch.isprintable() else " " for ch in s)
    if len(s) > width:
        s = s[: width - 1] + "…"
    return s.replace("$", r"\$")


def _figure(width: float = 7.0, height: float = 3.6):
    fonts.setup()
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


#: the attribute set on a chart without data: its title (see :func:`is_empty`)
EMPTY = "analysis_empty_title"
NO_DATA = "无数据"


def _empty(ax, title: str) -> None:
    """Make the chart a one-line strip: the title and 无数据, no axes."""
    fig = ax.figure
    fig.set_size_inches(fig.get_figwidth(), 0.45)
    ax.set_axis_off()
    ax.text(0.0, 0.5, f"{title}：", ha="left", va="center", fontsize=10, transform=ax.transAxes)
    ax.text(1.0, 0.5, NO_DATA, ha="right", va="center", fontsize=10, color=GREY, transform=ax.transAxes)
    setattr(fig, EMPTY, title)


def is_empty(fig: Figure) -> str | None:
    """The title of a chart drawn without data, else None."""
    return getattr(fig, EMPTY, None)


def _integer_ticks(axis) -> None:
    """Counts: whole numbers on the axis (no 2.5 projects)."""
    axis.set_major_locator(MaxNLocator(integer=True))


def _rank_title(what: str, shown: int, known: int, total: int, which: str) -> str:
    """The title of a ranked bar chart saying what it shows: ``which`` (最高/最低) ``shown`` of the
    ``known`` units with a figure (of ``total``)."""
    if shown < known:
        return f"{what}（{which}的 {shown} 个单位，共 {known} 个）"
    if known < total:
        return f"{what}（有数据的 {known} 个单位，另 {total - known} 个无数据）"
    return what


def _years(values) -> list[str]:
    return [str(int(v)) for v in values]


def projects_per_year(declarations: pd.DataFrame) -> Figure:
    """Bar chart: number of declared projects per year (``declarations``: ``year``)."""
    fig, ax = _figure()
    title = "每年申报的项目数"
    if declarations.empty:
        _empty(ax, title)
        return fig
    counts = declarations.groupby("year").size().sort_index()
    ax.bar(_years(counts.index), counts.to_numpy(), color=BLUE)
    ax.set_title(title)
    ax.set_xlabel("年度")
    ax.set_ylabel("项目数")
    _integer_ticks(ax.yaxis)
    return fig


def budget_per_year(declarations: pd.DataFrame) -> Figure:
    """Bar chart: sum of 当年预算 per year, in 万元 (``declarations``: ``year``, ``year_budget``)."""
    fig, ax = _figure()
    title = "每年的当年预算合计"
    if declarations.empty or declarations["year_budget"].notna().sum() == 0:
        _empty(ax, title)
        return fig
    sums = declarations.groupby("year")["year_budget"].sum(min_count=1).sort_index() / 10000
    ax.bar(_years(sums.index), sums.fillna(0).to_numpy(), color=ORANGE)
    ax.set_title(title)
    ax.set_xlabel("年度")
    ax.set_ylabel("预算（万元）")
    return fig


def execution_vs_target(project_execution: pd.DataFrame) -> Figure:
    """Per execution year: realized rate (budget-weighted) against the mean declared target.

    ``project_execution``: the output of ``metrics.project_execution`` (``exec_year``,
    ``prior_budget``, ``prior_executed``, ``realized_rate``, ``exec_target``).
    """
    fig, ax = _figure()
    title = "预算执行率：实际与目标"
    pe = project_execution
    if pe.empty or pe["realized_rate"].notna().sum() == 0:
        _empty(ax, title)
        return fig
    known = pe[pe["realized_rate"].notna()]
    by_year = known.groupby("exec_year").agg(b=("prior_budget", "sum"), e=("prior_executed", "sum")).sort_index()
    realized = (by_year["e"] / by_year["b"]) * 100
    targets = pe.dropna(subset=["exec_target"]).groupby("exec_year")["exec_target"].mean() * 100
    years = list(realized.index)
    x = range(len(years))
    ax.bar(list(x), realized.to_numpy(), color=BLUE, width=0.6, label="实际执行率（按预算加权）")
    t = targets.reindex(years)
    if t.notna().any():
        ax.plot(list(x), t.to_numpy(), "D", color=RED, markersize=8, label="执行率目标（项目平均）")
    ax.set_xticks(list(x), _years(years))
    ax.set_title(title)
    ax.set_xlabel("执行年度")
    ax.set_ylabel("执行率（%）")
    top = max(110.0, float(pd.concat([realized, t]).max(skipna=True) or 0) + 10)
    ax.set_ylim(0, top)
    ax.legend(loc="lower right", fontsize=8)
    return fig


def units_by_budget(ranking: pd.DataFrame, top: int = 25) -> Figure:
    """Horizontal bars: the units with the largest 当年预算 (``ranking``: ``unit``, ``year_budget``)."""
    known = ranking.dropna(subset=["year_budget"])
    data = known.nlargest(top, "year_budget").iloc[::-1]
    fig, ax = _figure(7.5, max(2.5, 0.3 * len(data) + 1.2))
    title = _rank_title("各单位当年预算", len(data), len(known), len(ranking), "最高")
    if data.empty:
        _empty(ax, title)
        return fig
    ax.barh([label(u) for u in data["unit"]], (data["year_budget"] / 10000).to_numpy(), color=ORANGE)
    ax.set_title(title)
    ax.set_xlabel("预算（万元）")
    return fig


def units_by_rate(ranking: pd.DataFrame, top: int = 25) -> Figure:
    """Horizontal bars: the units with the lowest execution rates (``ranking``: ``unit``, ``rate``)."""
    known = ranking.dropna(subset=["rate"])
    data = known.nsmallest(top, "rate").iloc[::-1]
    fig, ax = _figure(7.5, max(2.5, 0.3 * len(data) + 1.2))
    title = _rank_title("各单位上年预算执行率", len(data), len(known), len(ranking), "最低")
    if data.empty:
        _empty(ax, title)
        return fig
    ax.barh([label(u) for u in data["unit"]], (data["rate"] * 100).to_numpy(), color=BLUE)
    ax.axvline(100, color=GREY, linewidth=0.8)
    ax.set_title(title)
    ax.set_xlabel("执行率（%）")
    return fig


def rate_distribution(project_execution: pd.DataFrame) -> Figure:
    """Histogram of the projects' realized execution rates (``realized_rate``), in percent."""
    fig, ax = _figure()
    title = "项目预算执行率的分布"
    rates = project_execution["realized_rate"].dropna() * 100 if not project_execution.empty else pd.Series(dtype=float)
    if rates.empty:
        _empty(ax, title)
        return fig
    ax.hist(rates.clip(upper=150).to_numpy(), bins=20, color=BLUE, edgecolor="white")
    ax.axvline(100, color=RED, linewidth=1, linestyle="--")
    ax.set_title(title)
    ax.set_xlabel("执行率（%，超过 150% 的计入 150%）")
    ax.set_ylabel("项目数")
    _integer_ticks(ax.yaxis)
    return fig


def change_counts(summary: pd.DataFrame, by: str = "to_year", top: int = 25) -> Figure:
    """Stacked bars: indicator changes by type per ``by`` (``to_year`` or ``unit``).

    ``summary``: the output of ``metrics.change_summary`` (columns ``tightened``, ``loosened``,
    ``changed``, ``added``, ``removed`` and ``by``).
    """
    title = "绩效目标的变化（与上一年相比）"
    data = (
        summary.groupby(by, dropna=False)[[c for c in CHANGE_COLORS if c in summary]].sum()
        if not summary.empty
        else summary
    )
    if by == "unit" and len(data) > top:
        data = data.loc[data.sum(axis=1).nlargest(top).index]
        title += "（变化最多的 %d 个单位）" % top
    horizontal = by == "unit"
    fig, ax = _figure(7.5, max(2.5, 0.3 * len(data) + 1.4) if horizontal else 3.6)
    if data.empty or data.to_numpy().sum() == 0:
        _empty(ax, title)
        return fig
    names = [label(v) for v in data.index] if horizontal else _years(data.index)
    left = pd.Series(0.0, index=data.index)
    for col, (color, text) in CHANGE_COLORS.items():
        if col not in data:
            continue
        values = data[col].astype(float)
        if horizontal:
            ax.barh(names, values.to_numpy(), left=left.to_numpy(), color=color, label=text)
        else:
            ax.bar(names, values.to_numpy(), bottom=left.to_numpy(), color=color, label=text)
        left = left + values
    ax.set_title(title)
    if horizontal:
        ax.set_xlabel("指标数")
        _integer_ticks(ax.xaxis)
    else:
        ax.set_xlabel("年度")
        ax.set_ylabel("指标数")
        _integer_ticks(ax.yaxis)
    fig.legend(fontsize=8, ncols=5, loc="outside lower center")
    return fig


def target_quality(quality: pd.DataFrame, by: str = "year", top: int = 25) -> Figure:
    """Grouped bars: shares of quantitative, qualitative, deadline, vague and repeated targets per ``by``.

    ``quality``: the output of ``metrics.target_quality`` (``share_*`` columns and ``by``).
    """
    title = "绩效指标的质量"
    shares = [c for c in QUALITY_SHARES if c in quality]
    data = quality.groupby(by, dropna=False)[shares].mean() if not quality.empty else quality
    if by == "unit" and len(data) > top:
        data = data.head(top)
        title += "（前 %d 个单位）" % top
    fig, ax = _figure(7.5, 3.8 if by != "unit" else max(3.0, 0.45 * len(data) + 1.4))
    if data.empty or not shares:
        _empty(ax, title)
        return fig
    names = _years(data.index) if by == "year" else [label(v) for v in data.index]
    n = len(shares)
    height = 0.8 / n
    for i, col in enumerate(shares):
        color, text = QUALITY_SHARES[col]
        pos = [j + (i - (n - 1) / 2) * height for j in range(len(data))]
        values = (data[col].astype(float) * 100).fillna(0).to_numpy()
        if by == "unit":
            ax.barh(pos, values, height=height, color=color, label=text)
        else:
            ax.bar(pos, values, width=height, color=color, label=text)
    if by == "unit":
        ax.set_yticks(range(len(data)), names)
        ax.invert_yaxis()
        ax.set_xlabel("占指标的比例（%）")
    else:
        ax.set_xticks(range(len(data)), names)
        ax.set_xlabel("年度")
        ax.set_ylabel("占指标的比例（%）")
    ax.set_title(title)
    fig.legend(fontsize=8, ncols=5, loc="outside lower center")
    return fig


def change_shares(shares: pd.DataFrame) -> Figure:
    """Lines: the share of compared indicators tightened and loosened, per ``to_year``.

    ``shares``: one row per year with ``to_year``, ``share_tightened`` and ``share_loosened``
    (ratios, see :func:`analysis.metrics.summaries.change_shares`).
    """
    fig, ax = _figure()
    title = "收紧与放松的目标占比（按年度）"
    if shares.empty:
        _empty(ax, title)
        return fig
    years = _years(shares["to_year"])
    for col, color in (("share_tightened", GREEN), ("share_loosened", RED)):
        ax.plot(years, (shares[col].astype(float) * 100).to_numpy(), "o-", color=color, label=tables.heading(col))
    ax.set_title(title)
    ax.set_xlabel("年度（与上一年相比）")
    ax.set_ylabel("占可比指标的比例（%）")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    return fig


def kind_distribution(targets: pd.DataFrame, title: str) -> Figure:
    """One kind's targets (``value`` by ``year``; :func:`analysis.metrics.library.kind_targets`)
    as one box per year, the kind's value unit on the axis."""
    fig, ax = _figure(height=3.0)
    if targets.empty:
        _empty(ax, title)
        return fig
    years = sorted(int(y) for y in targets["year"].dropna().unique())
    data = [targets.loc[targets["year"] == y, "value"].astype(float).to_numpy() for y in years]
    ax.boxplot(
        data,
        tick_labels=[str(y) for y in years],
        showfliers=True,
        patch_artist=True,
        boxprops={"facecolor": BLUE, "alpha": 0.6},
        medianprops={"color": RED},
    )
    unit = targets["value_unit"].dropna()
    ax.set_title(label(title, 40))
    ax.set_xlabel("年度")
    ax.set_ylabel(f"目标值（{label(unit.iloc[0], 10)}）" if len(unit) else "目标值")
    return fig
