"""The first screen of the unit, year and overview reports: a few headline figures and the flags
that need attention, each flag linking to the section that lists it.

The figures are computed once in :mod:`analysis.metrics.summaries` (``metrics.report_headline``,
``metrics.year_headline``, ``metrics.overview_headline``); this module only says them, in one
markup (``section.headline``: the figures, then a 需要注意 box). Names are importable from
:mod:`analysis.reports.show` (``show.show_headline``, ``show.show_year_headline``).
"""

from __future__ import annotations

from analysis.reports.html import (
    PROBLEMS_HEADING,
    _missing,
    escape,
    fmt_money,
    fmt_rate,
    fmt_signed_money,
    heading_anchor,
)
from analysis.reports.peers import PEER_HEADING, lax_flags_html

#: a flag: the figure it counts, its sentence (``{n}`` and any other figure by name), the
#: ``## heading`` of the section it links to in that report's notebook. A unit report's:
HEADLINE_FLAGS = (
    ("n_flagged_projects", "{n} 个项目当年预算增加而目标放松", "预算与目标"),
    ("n_below_target_all", "{n} 个项目的预算执行率未达到申报的目标", "预算执行率：实际与目标"),
    ("n_fail_projects", "{n} 份申报表未通过审核规则（共 {n_fail} 条）", "目标审核"),
    ("n_reconciliation", "{n} 处上年预算额与上年申报的当年预算不一致", "预算核对"),
    ("n_renamed", "{n} 个项目更名（按名称相似度认定，请核对）", "更名的项目"),
    ("n_errors", "{n} 条读取错误（有内容未能读入）", PROBLEMS_HEADING),
)
YEAR_FLAGS = (
    ("n_flagged_projects", "{n} 个项目当年预算增加而目标放松（涉及 {n_flagged_units} 个单位）", "预算与目标"),
    ("n_below_target_all", "{n} 个项目上年的预算执行率未达到申报的目标", "项目执行率的分布与最低的项目"),
    ("n_fail_projects", "{n} 份申报表未通过审核规则（共 {n_fail} 条）", "目标审核"),
    ("n_renamed", "{n} 个项目与上年相比更名（按名称相似度认定，请核对）", "更名的项目"),
    ("n_errors", "{n} 条读取错误（有内容未能读入）", PROBLEMS_HEADING),
)
OVERVIEW_FLAGS = (
    (
        "n_flagged_projects",
        "{n} 个项目在某一年当年预算增加而目标放松（涉及 {n_flagged_units} 个单位）",
        "预算增加而目标放松",
    ),
    ("n_below_target_all", "{n} 个项目的预算执行率未达到申报的目标", "预算执行率的趋势"),
    ("n_fail_projects", "{n} 份申报表未通过审核规则（共 {n_fail} 条）", "目标审核"),
    ("n_renamed", "{n} 个项目更名（按名称相似度认定，请核对）", "更名与框架切换"),
    ("n_errors", "{n} 条读取错误（有内容未能读入）", PROBLEMS_HEADING),
)


def figure_html(label: str, value: str, note: str = "") -> str:
    """One headline figure: its label, its value large, a note under it."""
    return (
        f'<div class="figure"><div class="label">{escape(label)}</div><div class="value">{escape(value)}</div>'
        + (f'<div class="sub">{escape(note)}</div>' if note else "")
        + "</div>"
    )


def flags_html(h: dict, flags, before: dict | None = None) -> str:
    """The 需要注意 box: one linked sentence per flag of ``flags`` whose count in ``h`` is not 0;
    ``before`` (a flag's key -> list items) puts other items ahead of that flag."""
    items = []
    for key, sentence, section in flags:
        items += (before or {}).get(key, [])
        n = int(h.get(key) or 0)
        if n:
            text = escape(sentence.format(n=n, **{k: v for k, v in h.items() if k != "n"}))
            items.append(f'<li><a href="#{escape(heading_anchor(section))}">{text}</a></li>')
    listed = (
        '<ul class="flags">' + "".join(items) + "</ul>"
        if items
        else '<p class="flags-none">没有需要特别注意的事项。</p>'
    )
    return f'<div class="attention"><strong>需要注意</strong>{listed}</div>'


def _headline(figures: list[str], flags: str) -> str:
    return (
        '<section class="headline" aria-label="要点"><div class="figures">'
        + "".join(figures)
        + "</div>"
        + flags
        + "</section>"
    )


def _change(h: dict) -> str:
    if _missing(h.get("budget_change")):
        return "上年无可比预算"
    rel = h.get("budget_change_rel")
    return f"比上年 {fmt_signed_money(h['budget_change'])}" + ("" if _missing(rel) else f"（{rel * 100:+.1f}%）")


def _execution(h: dict) -> str:
    if _missing(h.get("exec_target")):
        return "没有可比的执行率目标"
    return f"申报目标平均 {fmt_rate(h['exec_target'])}，{h['n_below_target']} 个项目未达目标"


def _shares(h: dict, tightened: int, loosened: int) -> str:
    n = h.get("n_compared") or 0
    if not n:
        return "没有可与上一年比较的指标"
    return f"可比指标 {n} 个：收紧 {fmt_rate(tightened / n)}，放松 {fmt_rate(loosened / n)}"


def headline_html(h: dict) -> str:
    """The first screen of a unit report (``metrics.report_headline``): its latest year's projects,
    budget and its change, last year's execution against its target, targets tightened and
    loosened, the review's pass rate; then the flags, its lax targets among them (each linking
    to its row of the target history)."""
    if not h.get("year"):
        return ""
    y = h["year"]
    figures = [
        figure_html(f"{y}年项目", f"{h['n_projects']} 个"),
        figure_html(f"{y}年当年预算", fmt_money(h["year_budget"]), _change(h)),
        figure_html(f"{h['exec_year']}年预算执行率", fmt_rate(h["rate"]), _execution(h)),
        figure_html(
            f"{y}年目标变化",
            f"收紧 {h['tightened']} · 放松 {h['loosened']}",
            f"历年合计：收紧 {h['tightened_all']}，放松 {h['loosened_all']}",
        ),
        figure_html("审核通过率", fmt_rate(h["pass_rate"]), f"未通过 {h['n_fail']} 条（不适用的不计）"),
    ]
    lax = lax_flags_html(h.get("lax") or [], heading_anchor(PEER_HEADING))
    return _headline(figures, flags_html(h, HEADLINE_FLAGS, before={"n_errors": lax}))


def year_headline_html(h: dict) -> str:
    """The first screen of a year report (``metrics.year_headline``): units and projects, the
    budget and its change from the year before, the year before's execution against its targets,
    targets tightened and loosened, the review's pass rate; then the flags."""
    if not h.get("year"):
        return ""
    y = h["year"]
    before = (
        f"上年 {h['prev_n_projects']} 个项目（{h['prev_n_units']} 个单位）"
        if h.get("prev_n_projects")
        else "数据中没有上年的申报"
    )
    figures = [
        figure_html(f"{y}年项目", f"{h['n_projects']} 个", f"{h['n_units']} 个单位申报；{before}"),
        figure_html(f"{y}年当年预算", fmt_money(h["year_budget"]), _change(h)),
        figure_html(f"{h['exec_year']}年预算执行率", fmt_rate(h["rate"]), _execution(h)),
        figure_html(
            f"{y}年目标变化",
            f"收紧 {h['tightened']} · 放松 {h['loosened']}",
            _shares(h, h["tightened"], h["loosened"]),
        ),
        figure_html(
            "审核通过率",
            fmt_rate(h["pass_rate"]),
            f"未通过 {h['n_fail']} 条，涉及 {h['n_fail_projects']} 份申报表（不适用的不计）",
        ),
    ]
    return _headline(figures, flags_html(h, YEAR_FLAGS))


def overview_headline_html(h: dict) -> str:
    """The first screen of the overview (``metrics.overview_headline``): the same figures across
    the years (units and declarations of every year, the latest year's budget and its change,
    the latest execution beside every year's, targets tightened and loosened and the review over
    all years); then the flags of all years."""
    if not h.get("year"):
        return ""
    y = h["year"]
    span = f"{h['first_year']}–{y} 年" if h["first_year"] != y else f"{y} 年"
    figures = [
        figure_html("项目申报", f"{h['n_declarations']} 条", f"{h['n_units']} 个单位，{span}（{h['n_years']} 个年度）"),
        figure_html(f"{y}年当年预算", fmt_money(h["year_budget"]), _change(h)),
        figure_html(
            f"{h['exec_year']}年预算执行率",
            fmt_rate(h["rate"]),
            f"历年合计（按预算加权）{fmt_rate(h['rate_all'])}",
        ),
        figure_html(
            "历年目标变化",
            f"收紧 {h['tightened_all']} · 放松 {h['loosened_all']}",
            f"{y}年：收紧 {h['tightened']}，放松 {h['loosened']}",
        ),
        figure_html(
            "历年审核通过率",
            fmt_rate(h["pass_rate"]),
            f"未通过 {h['n_fail']} 条，涉及 {h['n_fail_projects']} 份申报表（不适用的不计）",
        ),
    ]
    return _headline(figures, flags_html(h, OVERVIEW_FLAGS))


def show_headline(h: dict) -> None:
    """Display :func:`headline_html` in a notebook."""
    _display(headline_html(h))


def show_year_headline(h: dict) -> None:
    """Display :func:`year_headline_html` in a notebook."""
    _display(year_headline_html(h))


def show_overview_headline(h: dict) -> None:
    """Display :func:`overview_headline_html` in a notebook."""
    _display(overview_headline_html(h))


def _display(markup: str) -> None:
    if markup:
        from IPython.display import HTML, display

        display(HTML(markup))
