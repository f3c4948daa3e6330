"""What the report notebooks call to show their findings: tables, sentences, charts and the
report's sections (headline, flags, changes, review, problems, peers).

Reading a report's data is in :mod:`analysis.reports.data` and the safe HTML of values and
tables in :mod:`analysis.reports.html`; their names are importable from here too, so a
notebook needs only ``from analysis.reports import show``. Everything that puts text from the
data on the page escapes it (see :mod:`analysis.reports.html`).
"""

from __future__ import annotations

import base64
import io

import pandas as pd

from analysis import problems as problem_codes
from analysis.frames import SHEETS
from analysis.metrics.rules import RULES, RULESET_VERSION
from analysis.metrics.summaries import headline_figures, review_summary
from analysis.reports.data import (  # noqa: F401 - notebooks and tests call these as show.NAME
    NotInData,
    ReportData,
    as_year,
    available,
    check_unit,
    check_year,
    load_all,
    load_unit,
    load_year,
    report_href,
    resolve_processed_dir,
    sort_names,
    suggest,
    unknown_message,
)
from analysis.reports.headline import (  # noqa: F401 - notebooks and tests call these as show.NAME
    HEADLINE_FLAGS,
    headline_html,
    overview_headline_html,
    show_headline,
    show_overview_headline,
    show_year_headline,
    year_headline_html,
)
from analysis.reports.html import (  # noqa: F401 - notebooks and tests call these as show.NAME
    CHANGE_LABELS,
    CHANGE_LEGEND,
    CHANGE_ORDER,
    COLLAPSE_AT,
    FRAMEWORK_LABEL,
    MONEY_COLUMNS,
    NUMBER_FORMATS,
    PROBLEMS_HEADING,
    RATE_COLUMNS,
    SEVERITY_ORDER,
    SHORT_HEADING,
    SYNTHETIC_PREFIX,
    VALUE_WORDS,
    _fmt_number,
    _missing,
    _severity_rank,
    cell_text,
    changes_by_project_html,
    column_heading,
    details,
    escape,
    fmt_money,
    fmt_rate,
    fmt_signed_money,
    fmt_wan,
    heading_anchor,
    problem_place,
    problem_summary,
    say,
    synthetic_notice_html,
    table_html,
)
from analysis.reports.peers import PEER_HEADING, with_keys  # noqa: F401 - show.PEER_HEADING as before
from analysis.reports.tablecache import read_table as cached_table  # each table file read once per kernel

# ----------------------------------------------------------------------------- display in a notebook


def _display_html(markup: str):
    from IPython.display import HTML, display

    display(HTML(markup))


def show_html(markup: str) -> None:
    """Display trusted markup built by the functions of this module."""
    _display_html(markup)


def show_table(
    frame: pd.DataFrame,
    columns=None,
    max_rows: int | None = None,
    empty: str = "（无）",
    labels=None,
    links=None,
    row_class=None,
    title: str | None = None,
) -> None:
    """Display ``frame`` escaped (see :func:`table_html`), or the ``empty`` note when it has no rows."""
    if frame is None or len(frame) == 0:
        _display_html(say("{e}", e=empty))
        return
    _display_html(
        table_html(
            frame, columns=columns, max_rows=max_rows, labels=labels, links=links, row_class=row_class, title=title
        )
    )


def show_text(template: str, **values) -> None:
    """Display a sentence whose ``{values}`` come from the data (escaped; see :func:`say`)."""
    _display_html(say(template, **values))


def show_synthetic_notice(declarations: pd.DataFrame) -> None:
    """Display the synthetic-data warning when the report covers synthetic declarations."""
    notice = synthetic_notice_html(declarations)
    if notice:
        _display_html(notice)


def figure_html(fig) -> str:
    """A matplotlib figure as an embedded PNG whose alt text is the chart's title; a chart drawn
    without data (``plots.is_empty``) as one line of text, ``标题：无数据。``."""
    from analysis.reports import plots

    empty = plots.is_empty(fig)
    if empty is not None:
        return f'<p class="note chart-empty">{escape(empty)}：{plots.NO_DATA}。</p>'
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    alt = "图表：" + ("；".join(titles) if titles else "无标题")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img class="chart" src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def show_figure(fig) -> None:
    """Display a matplotlib figure as an embedded PNG (with its title as alt text)."""
    _display_html(figure_html(fig))


def show_legend() -> None:
    """The one-line legend of the change words."""
    _display_html(f'<p class="legend">{CHANGE_LEGEND}</p>')


def _unit_link(rec) -> str:
    return report_href("unit", rec["unit"])


def _year_link(rec) -> str:
    return report_href("year", rec["year"])


UNIT_LINKS = {"unit": _unit_link}
YEAR_LINKS = {"year": _year_link}


def _known(declarations: pd.DataFrame, column: str) -> pd.Series:
    if column not in declarations:
        return pd.Series(False, index=declarations.index)
    return declarations[column].notna()


def rate_sentence(declarations: pd.DataFrame, prev_year: int, rate=None, weighted: bool = False) -> str:
    """The execution rate of ``prev_year`` in words (trusted text, no data in it): the rate, or
    why it cannot be computed from these declarations (which of the figures is not printed)."""
    if not _missing(rate):
        return f"报告的上年（{int(prev_year)} 年）预算执行率为 {fmt_rate(rate)}" + (
            "（按预算加权）。" if weighted else "。"
        )
    budget = _known(declarations, "prior_budget") & (declarations.get("prior_budget", 0) > 0)
    executed = _known(declarations, "prior_executed")
    if not budget.any() and not executed.any():
        why = "申报表未印上年预算额和上年执行数"
    elif not executed.any():
        why = "申报表未印上年执行数"
    elif not budget.any():
        why = "申报表未印上年预算额"
    else:
        why = "没有同时印有上年预算额和上年执行数的申报表"
    return f"{why}，无法计算上年（{int(prev_year)} 年）的预算执行率。"


def _span(years: list[int]) -> str:
    return f"年度 {years[0]}–{years[-1]}" if len(years) > 1 else f"年度 {years[0]}"


def _budget_words(yuan) -> str:
    return "未印当年预算" if _missing(yuan) else "当年预算合计 " + escape(fmt_money(yuan))


def show_unit_summary(unit: str, declarations: pd.DataFrame) -> None:
    """The unit's name and a one-sentence summary: years, projects, latest budget, latest rate."""
    if declarations.empty:
        show_text("单位：<strong>{unit}</strong>。处理后的数据中没有该单位的申报。", unit=unit)
        return
    years = sorted(int(y) for y in declarations["year"].dropna().unique())
    latest = declarations[declarations["year"] == years[-1]]
    last = headline_figures(latest).iloc[0]
    links = "、".join(f'<a href="{escape(report_href("year", y))}">{y}</a>' for y in years)
    show_text(
        "单位：<strong>{unit}</strong>。共 {n} 条项目申报，{span}。"
        "{latest} 年申报 {n_last} 个项目，"
        + _budget_words(last["year_budget"])
        + "；"
        + escape(rate_sentence(latest, years[-1] - 1, last["rate"])),
        unit=unit,
        n=len(declarations),
        span=_span(years),
        latest=years[-1],
        n_last=int(last["n_projects"]),
    )
    _display_html(f'<p class="nav-years">各年度报告：{links}</p>')


def show_year_summary(year: int, declarations: pd.DataFrame) -> None:
    """One sentence for the year: units, projects, budget, execution rate of the year before."""
    if declarations.empty:
        show_text("{year} 年：处理后的数据中没有该年度的申报。", year=year)
        return
    h = headline_figures(declarations).iloc[0]
    show_text(
        "{year} 年共有 {units} 个单位申报 {n} 个项目，"
        + _budget_words(h["year_budget"])
        + "；"
        + escape(rate_sentence(declarations, int(year) - 1, h["rate"], weighted=True)),
        year=year,
        units=declarations["unit"].nunique(),
        n=int(h["n_projects"]),
    )


def year_nav_html(year: int, years) -> str:
    """Links to the year reports before and after ``year`` among ``years`` (and the list of all)."""
    years = sorted({int(y) for y in years})
    year = int(year)
    before = [y for y in years if y < year]
    after = [y for y in years if y > year]
    parts = []
    if before:
        parts.append(f'<a href="{escape(report_href("year", before[-1]))}" rel="prev">← 上一年度 {before[-1]}</a>')
    if after:
        parts.append(f'<a href="{escape(report_href("year", after[0]))}" rel="next">下一年度 {after[0]} →</a>')
    every = "、".join(str(y) if y == year else f'<a href="{escape(report_href("year", y))}">{y}</a>' for y in years)
    return f'<p class="nav-years">{" · ".join(parts)}{"　" if parts else ""}各年度报告：{every}</p>'


def show_year_nav(year: int, years) -> None:
    """Display :func:`year_nav_html`."""
    _display_html(year_nav_html(year, years))


def show_overview_summary(declarations: pd.DataFrame) -> None:
    """One sentence for the whole data: units, declarations, years, budget; or that there are none."""
    if declarations.empty:
        show_text(
            "处理后的数据中没有任何申报表：没有读入申报表，或全部文件都未能读取（见本报告末尾的“{h}”）。",
            h=PROBLEMS_HEADING,
        )
        return
    years = sorted(int(y) for y in declarations["year"].dropna().unique())
    total = headline_figures(declarations).iloc[0]
    span = _span(years)
    show_text(
        "数据中共有 {units} 个单位、{n} 条项目申报，{span}；"
        + ("各年当年预算合计 {budget}。" if not _missing(total["year_budget"]) else "申报表均未印当年预算。"),
        units=declarations["unit"].nunique(),
        n=len(declarations),
        span=span,
        budget=fmt_money(total["year_budget"]),
    )


def show_ambiguous_units(ambiguous: pd.DataFrame) -> None:
    """A warning for each unit whose short name appears under several departments or sources
    (``metrics.ambiguous_units``): the report may put together units that are not one."""
    for rec in ambiguous.to_dict("records"):
        where = []
        if rec["n_departments"] > 1:
            where.append(f"{rec['n_departments']} 个主管部门（{rec['departments']}）")
        if rec["n_folders"] > 1:
            where.append(f"{rec['n_folders']} 个来源目录（{rec['folders']}）")
        _display_html(
            '<div class="notice">'
            + say(
                "<strong>单位名称可能有歧义：</strong>“{u}”名称较短或未写明地区，出现在{w}下，"
                "可能是不同地区或上级的同名单位被合并在一起，请核对来源文件。",
                u=rec["unit"],
                w="和".join(where),
            )
            + "</div>"
        )


def show_changes_by_project(changes: pd.DataFrame) -> None:
    """The legend, then :func:`changes_by_project_html`."""
    show_legend()
    _display_html(changes_by_project_html(changes))


#: the unit's budget-vs-targets table as the workbook's sheet has it, less the unit the report is of
BUDGET_TARGET_COLUMNS = [c for c in SHEETS["budget_vs_targets"][1] if c != "unit"]

#: the unit's totals are context: the flag is judged per project
UNIT_TOTAL_LABELS = {
    "prev_year_budget": "上年单位预算合计（万元）",
    "year_budget": "单位预算合计（万元）",
    "budget_change": "单位预算增减（万元）",
    "budget_change_rel": "单位预算增减幅度",
    "tightened": "单位收紧合计",
    "loosened": "单位放松合计",
    "net_tightening": "单位净收紧",
    "budget_up_targets_loosened": "含预算增加且目标放松的项目",
}

PROJECT_BUDGET_TARGET_COLUMNS = [
    "year",
    "project",
    "from_year",
    "prev_year_budget",
    "year_budget",
    "budget_change",
    "budget_change_rel",
    "tightened",
    "loosened",
]

BUDGET_FLAG_ANCHOR = "budget-flag"


def _flagged(rec) -> str | None:
    return "flag" if rec.get("budget_up_targets_loosened") or rec.get("n_flagged_projects") else None


def show_budget_vs_targets(
    budget_targets: pd.DataFrame, by: str = "year", links=None, projects: pd.DataFrame | None = None
) -> None:
    """预算与目标: the projects whose own budget grew while more of their targets were loosened
    than tightened (``metrics.project_budget_vs_targets``, when given), then the unit's totals per
    year (``metrics.budget_vs_targets``) as context, the years or units with such a project
    highlighted. Per year (a unit's report) in the order of the years; per unit (a year's report)
    the flagged units first, then by balance of the changes."""
    bt = budget_targets[budget_targets["prev_year_budget"].notna()] if len(budget_targets) else budget_targets
    what = "年度" if by == "year" else "单位"
    if projects is not None:
        hit = projects[projects["budget_up_targets_loosened"].astype(bool)] if len(projects) else projects
        _display_html(f'<p id="{BUDGET_FLAG_ANCHOR}"></p>')
        if len(hit):
            show_text(
                "当年预算比上一年增加、而放松的指标多于收紧的项目：<strong>{n}</strong> 个（按项目判断）。",
                n=len(hit),
            )
            cols = (["unit"] if by != "year" else []) + PROJECT_BUDGET_TARGET_COLUMNS
            hit = hit.sort_values(["year", "unit", "project"], kind="stable")
            show_table(hit, columns=cols, links=links, title="预算增加且目标放松的项目")
        else:
            show_text("没有当年预算比上一年增加、而放松的指标多于收紧的项目（按项目判断）。")
    if bt is None or bt.empty:
        show_text("没有可与上一年比较的单位预算。")
        return
    flagged = int(bt["budget_up_targets_loosened"].sum())
    show_text(
        "下表为单位合计，仅作背景：单位预算合计的增减可能来自新增或结束的项目，"
        "因此是否“预算增加且目标放松”按项目判断；含这类项目的{what}"
        + ("已标红" if by == "year" else "已标红并排在前面")
        + "（共 {total} 个可比较的{what}，{n} 个含这类项目）。",
        what=what,
        total=len(bt),
        n=flagged,
    )
    cols = [by if c == "year" else c for c in BUDGET_TARGET_COLUMNS]
    if by == "year":
        bt = bt.sort_values("year", kind="stable")
    else:
        bt = bt.sort_values(
            ["budget_up_targets_loosened", "net_tightening", by], ascending=[False, True, True], kind="stable"
        )
    show_table(bt, columns=cols, links=links, row_class=_flagged, labels=UNIT_TOTAL_LABELS, title="单位合计（背景）")


RENAME_COLUMNS = ["from_year", "to_year", "old_project", "new_project", "score", "match"]


def show_renames(renames: pd.DataFrame, links=None) -> None:
    """``identity.renames``: old → new name, the similarity, marked 模糊匹配 (to be checked)."""
    if renames.empty:
        show_text("没有发现更名的项目。")
        return
    show_text(
        "以下 {n} 个项目在相邻两年之间更名，按名称相似度（≥80）认定为同一项目，均为模糊匹配，请核对；"
        "其指标变化见“绩效目标的变化”中标有“更名”的项目。",
        n=len(renames),
    )
    cols = (["unit"] if "unit" in (links or {}) else []) + RENAME_COLUMNS
    show_table(renames.assign(match="fuzzy"), columns=cols, links=links, title="更名的项目")


#: problem rows a report lists one by one (the counts by code cover them all)
PROBLEM_ROWS_SHOWN = 1000

PROBLEM_DETAIL_COLUMNS = ["source_file", "source_line", "severity", "code_meaning", "message"]


def show_problems(problems: pd.DataFrame) -> None:
    """The problems counted by code, in Chinese with examples (file:line), then every row folded."""
    if problems.empty:
        show_text("读取这些申报文件时没有发现数据问题。")
        return
    show_text(
        "共 {n} 条数据问题（错误 {e} 条，警告 {w} 条）。",
        n=len(problems),
        e=int((problems["severity"] == "error").sum()),
        w=int((problems["severity"] == "warning").sum()),
    )
    show_table(
        problem_summary(problems),
        columns=["severity", "code_meaning", "n", "example"],
        labels={"n": "条数"},
        title="问题类别",
    )
    rows = problems.assign(
        _rank=_severity_rank(problems["severity"]),
        code_meaning=problems["code"].map(problem_codes.chinese),
        message=[
            problem_codes.chinese_message(c, m, f)
            for c, m, f in zip(problems["code"], problems["message"], problems["source_file"])
        ],
    )
    rows = rows.sort_values(["_rank", "source_file", "source_line"], na_position="last", kind="stable")
    title = "全部数据问题"
    if len(rows) > PROBLEM_ROWS_SHOWN:  # a page stays readable (and small) whatever the number of rows
        show_text(
            "下表列出前 {k} 条（错误在前）；其余 {m} 条见导出的 problems.csv 与 tables.xlsx。",
            k=f"{PROBLEM_ROWS_SHOWN:,}",
            m=f"{len(rows) - PROBLEM_ROWS_SHOWN:,}",
        )
        rows = rows.head(PROBLEM_ROWS_SHOWN)
        title = f"数据问题（前 {PROBLEM_ROWS_SHOWN:,} 条）"
    _display_html(table_html(rows, columns=PROBLEM_DETAIL_COLUMNS, title=title, collapse_at=0, print_folded=True))


def show_problem_counts(problems: pd.DataFrame) -> None:
    """Problems counted by code (kept for older notebooks; :func:`show_problems` shows more)."""
    show_problems(problems)


RULES_HEADING = "附录：审核规则"


def _ruleset_note(review: pd.DataFrame) -> None:
    version = review["ruleset"].iloc[0] if len(review) else RULESET_VERSION
    _display_html(
        say(
            "审核规则版本 {v}，共 {n} 条规则；规则、出处与阈值见本报告的",
            v=version,
            n=len(RULES),
        )[: -len("</p>")]
        + f'<a href="#{escape(heading_anchor(RULES_HEADING))}">{escape(RULES_HEADING)}</a>。'
        "“不适用”表示规则不适用于该申报表或无法判断（如项目数据的第一年没有上一年可比），不计入通过率。</p>"
    )


def rules_table() -> pd.DataFrame:
    """The review's rules as the reports list them: group, what passes, what a failure means, source."""
    return pd.DataFrame(
        {
            "group": [r.group for r in RULES],
            "description": [r.description for r in RULES],
            "finding": [r.finding for r in RULES],
            "source": [r.source for r in RULES],
        }
    )


def show_rules() -> None:
    """The appendix of a report: every rule of the review, its source and the thresholds used, so
    that a report read alone says what its review checked."""
    from analysis.metrics.rules import THRESHOLDS

    show_text(
        "审核规则版本 {v}。每条规则对每份申报表给出“通过”“未通过”或“不适用”；"
        "需要上一年数据的规则（可比类、上年执行率目标、上年预算核对）在项目数据的第一年为“不适用”。"
        "出处为“审核惯例”的规则来自审核实践，而非成文要求。",
        v=RULESET_VERSION,
    )
    show_table(rules_table(), labels={"finding": "未通过时的审核发现"}, title="审核规则", empty="（无）")
    t = THRESHOLDS
    show_text(
        "阈值：可量化目标占比不低于 {q}；预算增长超过 {r} 时检查定量目标是否照搬上年；"
        "上年预算执行率不低于 {e}；满意度目标不低于 {s}%；百分比目标不超过 {p}%；"
        "成本指标自 {c} 年起要求；金额核对容差 {tol} 元。",
        q=fmt_rate(t["min_quant_share"]),
        r=fmt_rate(t["repeat_budget_growth"]),
        e=fmt_rate(t["min_exec_rate"]),
        s=int(t["min_satisfaction"]),
        p=int(t["max_percent"]),
        c=int(t["cost_from_year"]),
        tol=t["reconcile_tolerance"],
    )


def show_review(review: pd.DataFrame, by: str = "project", links=None) -> None:
    """目标审核. ``by="project"`` (a unit report): pass rates by rule group, then per project the
    rules failed with their evidence. ``by="unit"`` (a year report): units ranked by pass rate
    and the rules failed most. ``by="year"`` (the overview): pass rates per year and the rules
    failed most."""
    if review is None or review.empty:
        show_text("没有可审核的申报表。")
        return
    _ruleset_note(review)
    if by == "project":
        summary = review_summary(review, by=(), per="group")
        show_table(summary, columns=["group", "n_pass", "n_fail", "n_na", "pass_rate"], title="各类规则的通过情况")
        failed = review[review["outcome"] == "fail"].sort_values(["year", "project", "rule"], kind="stable")
        show_table(
            failed,
            columns=["year", "project", "group", "finding", "evidence", "source"],
            empty="没有未通过审核规则的绩效目标。",
            title="未通过的规则（按项目）",
        )
        return
    keys = ["unit"] if by == "unit" else ["year"]
    totals = review_summary(review, by=keys, per="group")
    totals = totals[totals["group"] == "合计"]
    if by == "unit":
        totals = totals.sort_values(["pass_rate", "unit"], ascending=[True, True], na_position="last")
    show_table(
        totals,
        columns=[*keys, "n_projects", "n_pass", "n_fail", "n_na", "pass_rate"],
        links=links,
        title="各单位的审核通过率（从低到高）" if by == "unit" else "各年度的审核通过率",
    )
    rules = review_summary(review, by=(), per="rule")
    show_table(
        rules[rules["n_fail"] > 0],
        columns=["group", "description", "n_fail", "n_pass", "pass_rate", "source"],
        empty="没有未通过的规则。",
        title="未通过最多的规则",
    )


# ----------------------------------------------------------------------------- peers (the indicator library)


def unit_peer_positions(processed_dir, indicators: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """The peer position (:func:`analysis.metrics.peer_position`) of one unit's targets
    (``indicators``), their peers read from the whole table: only the kinds and years the unit
    has, each table file read once per kernel. With the unit's target history
    (:func:`analysis.metrics.target_history`), each position carries the ``indicator_key`` of its
    row there (:func:`analysis.reports.peers.with_keys`)."""
    from analysis import metrics

    d = resolve_processed_dir(processed_dir)
    mine = indicators[indicators["indicator_kind"].notna()] if "indicator_kind" in indicators else indicators.iloc[0:0]
    if mine.empty:
        return with_keys(pd.DataFrame(columns=metrics.library.PEER_COLUMNS), history)
    kinds_ = sorted(mine["indicator_kind"].unique().tolist())
    years = sorted(int(y) for y in mine["year"].unique())
    # medium-term targets are left out by peer_position (a horizon not printed is the year's)
    peers = cached_table(d, "indicators", filters=[("indicator_kind", "in", kinds_), ("year", "in", years)])
    decl = cached_table(d, "declarations", columns=["decl_id", "province", "city", "county", "adcode"])
    pp = metrics.peer_position(peers, decl[decl["decl_id"].isin(peers["decl_id"].unique())])
    return with_keys(pp[pp["decl_id"].isin(set(mine["decl_id"]))].reset_index(drop=True), history)


def show_peer_positions(positions: pd.DataFrame) -> None:
    """The unit's comparable targets with their place among the same kind's targets of the year,
    the lax ones first and named in a sentence (the findings)."""
    if positions.empty:
        show_text("本单位没有可与同类比较的定量目标（满意度、完成率、及时率、合格率等比率类指标）。")
        return
    lax = positions[positions["lax"]]
    if len(lax):
        names = "；".join(
            f"{r.year}年 {r.project}：{r.name} {r.target_raw}（同类中位数 {_fmt_number(r.peer_median)}）"
            for r in lax.itertuples()
        )
        show_text(
            "明显偏松的目标 {n} 个（处于同类目标最宽松的 10% 且低于同类中位数）：{names}。", n=len(lax), names=names
        )
    else:
        show_text("没有明显偏松的目标（同类目标不少于 10 个时才判断）。")
    ordered = positions.assign(_lax=~positions["lax"]).sort_values(["_lax", "year", "project", "seq"], kind="stable")
    show_table(
        ordered,
        columns=[
            "year",
            "project",
            "name",
            "target_raw",
            "indicator_kind",
            "n_peers",
            "peer_median",
            "peer_percentile",
            "lax",
        ],
        row_class=lambda rec: "flagged" if rec.get("lax") else None,
        title="与同类目标比较",
    )
