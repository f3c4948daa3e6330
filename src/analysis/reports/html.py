"""Values and tables as safe HTML: the formatting every report shares.

Unit names, project names and the declarations' prose come from outside. Everything here that
puts such text on the page escapes it: tables through :func:`table_html` (every cell
``html.escape``d), sentences through :func:`say`, which escapes every value before it goes into
the (trusted) sentence. Nothing from the data is ever passed through Markdown, so
``[x](javascript:..)`` or ``<script>`` in a name shows as text.

One way to show figures, from the column registry (:mod:`analysis.columns`): money (``money``
columns, 元 in the data) in 万元 with two decimals, the heading saying ``（万元）``; rates
(``rate`` columns, ratios in the data) as percents; text left-aligned, numbers right.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from analysis import kinds, tables
from analysis import problems as problem_codes

SYNTHETIC_PREFIX = "synthetic/"

#: the change words (tightened → 收紧 ...), from the column registry
CHANGE_LABELS = {k: tables.heading(k) for k in ("tightened", "loosened", "unchanged", "changed", "added", "removed")}
CHANGE_ORDER = ("tightened", "loosened", "changed", "added", "removed", "unchanged")
FRAMEWORK_LABEL = tables.heading("framework_changes")
RATE_COLUMNS = tables.columns_of_format("rate")
MONEY_COLUMNS = tables.columns_of_format("money")
NUMBER_FORMATS = ("money", "rate", "int", "number")
#: the heading of the problems section in every report notebook (``## 数据问题``); the index links to it
PROBLEMS_HEADING = "数据问题"
#: tables longer than this are folded into a <details> element with their row count
COLLAPSE_AT = 12

CHANGE_LEGEND = (
    "变化的含义：<b>收紧</b>＝目标更严格；<b>放松</b>＝目标更宽松；<b>不变</b>；"
    "<b>改写</b>＝目标改了但无法判断宽严；<b>新增</b>／<b>删除</b>＝指标只在新／旧年度出现；"
    "<b>框架调整</b>＝因指标框架切换而出现或消失的指标（不计为新增或删除）。"
    "固定值（＝）按指标性质判断：数量类减少为放松，时效、成本类增加为放松（标“按性质”）。"
)


# ----------------------------------------------------------------------------- formatting


def heading_anchor(heading: str) -> str:
    """The fragment a report page gives a notebook's ``## heading`` (its id, as the table of contents links it)."""
    from urllib.parse import quote

    return quote(heading.replace(" ", "-"))


def escape(value) -> str:
    """Text for HTML: ``<``, ``>``, ``&`` and quotes escaped; None and NaN as an em dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    return html.escape(str(value), quote=True)


def _missing(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def fmt_money(yuan) -> str:
    """Yuan as 万元 with two decimals (``1406400`` -> ``140.64 万元``)."""
    return "—" if _missing(yuan) else f"{float(yuan) / 10000:,.2f} 万元"


def fmt_wan(yuan) -> str:
    """Yuan as a number of 万元 with two decimals, for a cell under a ``（万元）`` heading."""
    return "—" if _missing(yuan) else f"{float(yuan) / 10000:,.2f}"


def fmt_signed_money(yuan) -> str:
    return "—" if _missing(yuan) else f"{float(yuan) / 10000:+,.2f} 万元"


def fmt_rate(ratio) -> str:
    """A ratio as a percentage (``0.985`` -> ``98.5%``)."""
    return "—" if _missing(ratio) else f"{float(ratio) * 100:.1f}%"


def _fmt_number(v) -> str:
    if _missing(v):
        return "—"
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:,.1f}"


#: column -> {code in the data: the word the reports and the workbook show}; the one home of
#: these words (the export uses it too), codes not listed are shown as they are
VALUE_WORDS = {
    "change": {**CHANGE_LABELS},
    "severity": problem_codes.SEVERITY_CHINESE,
    "match": {"exact": "精确", "fuzzy": "模糊匹配"},
    "indicator_match": {
        "exact": "精确",
        "level2-renamed": "二级指标更名",
        "project-name": "去除项目名后相同",
        "fuzzy": "相近名称",
    },
    "outcome": {"pass": "通过", "fail": "未通过", "n/a": "不适用"},
    "source": {"convention": "审核惯例"},
    "kind": {"quantitative": "定量", "qualitative": "定性", "deadline": "时限"},
    "horizon": {"year": "当年", "medium": "中期"},
    "op": {"range": "区间"},
    "exec_target_op": {"range": "区间"},
    "indicator_kind": {k.id: k.name for k in kinds.table()},
    "stricter": {"higher": "越高越严", "lower": "越低越严", "none": "不分宽严"},
    "peer_scope": {"year": "同年度", "province": "同年度、同省"},
    # several sources joined by "+" (unit+folder) are shown word by word (value_word)
    "place_source": {"unit": "单位名称", "form": "表内其他栏目", "folder": "文件夹名", "file": "文件名"},
}


def value_word(column: str, value):
    """The word shown for a code of ``column`` (:data:`VALUE_WORDS`); codes joined by ``+``
    (``unit+folder``) word by word (``单位名称、文件夹名``); other values as they are."""
    words = VALUE_WORDS.get(column)
    if not words or not isinstance(value, str):
        return value
    if value in words:
        return words[value]
    parts = value.split("+")
    if len(parts) > 1 and all(p in words for p in parts):
        return "、".join(words[p] for p in parts)
    return value


def cell_text(column: str, value) -> str:
    """One value as the reports show it (not escaped)."""
    fmt = tables.ALL[column].format if column in tables.ALL else "text"
    if column in VALUE_WORDS and not _missing(value):
        return str(value_word(column, value))
    if fmt == "money":
        return fmt_wan(value)
    if fmt == "rate":
        return fmt_rate(value)
    if fmt == "flag":
        return "—" if _missing(value) else ("是" if value else "否")
    if fmt in ("int", "year"):
        return "—" if _missing(value) else str(int(value))
    if fmt == "number":
        return _fmt_number(value)
    if fmt == "date":
        return "—" if _missing(value) else str(value)[:10]
    return "—" if _missing(value) else str(value)


def column_heading(column: str, labels: dict | None = None) -> str:
    """The registry's heading; money headings say the unit, ``（万元）``."""
    if labels and column in labels:
        return labels[column]
    head = tables.heading(column)
    return head + "（万元）" if column in MONEY_COLUMNS else head


def _is_number_column(column: str) -> bool:
    return column in tables.ALL and tables.ALL[column].format in NUMBER_FORMATS


#: headings this short (条数, 收紧, 通过率) are kept on one line (class ``short``), never 条/数
SHORT_HEADING = 4


def _th(column: str, heading: str) -> str:
    cls = "num" if _is_number_column(column) else "text"
    if len(heading) <= SHORT_HEADING:
        cls += " short"
    return f'<th class="{cls}" scope="col">{escape(heading)}</th>'


def table_html(
    frame: pd.DataFrame,
    columns=None,
    max_rows: int | None = None,
    labels: dict | None = None,
    links: dict | None = None,
    row_class=None,
    title: str | None = None,
    collapse_at: int | None = COLLAPSE_AT,
    print_folded: bool = False,
) -> str:
    """``frame`` as an HTML table: registry headings, money in 万元, rates in percent, text left and
    numbers right, every cell escaped.

    ``links``: column -> function(row) giving an href for that cell (our own relative links);
    ``row_class``: function(row) giving a CSS class; a table over ``collapse_at`` rows is folded
    into ``<details>`` whose summary says ``title`` and the row count (printed open, or left out
    of the print with ``print_folded``).
    """
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    shown = frame.head(max_rows) if max_rows else frame
    cols = list(shown.columns)
    links = links or {}
    head = "".join(_th(c, column_heading(c, labels)) for c in cols)
    body = []
    for row in shown.itertuples(index=False, name=None):
        rec = dict(zip(cols, row))
        cells = []
        for c in cols:
            text = escape(cell_text(c, rec[c]))
            if c in links:
                href = links[c](rec)
                if href:
                    text = f'<a href="{escape(href)}">{text}</a>'
            cells.append(f'<td class="{"num" if _is_number_column(c) else "text"} col-{escape(c)}">{text}</td>')
        cls = row_class(rec) if row_class else None
        body.append(f'<tr class="{escape(cls)}">' if cls else "<tr>")
        body.append("".join(cells) + "</tr>")
    out = f'<table class="analysis-table"><thead><tr>{head}</tr></thead><tbody>' + "\n".join(body) + "</tbody></table>"
    if max_rows and len(frame) > max_rows:
        out += f'<p class="note">仅显示前 {max_rows} 行，共 {len(frame)} 行。</p>'
    if collapse_at is not None and len(shown) > collapse_at:
        out = details(
            f"{title or '表格'}：共 {len(frame)} 行（点击展开）", out, cls="screen-only" if print_folded else ""
        )
    return out


def details(summary_html: str, inner: str, open_: bool = False, cls: str = "") -> str:
    """A ``<details>`` element; ``summary_html`` is trusted markup (escape data before)."""
    attrs = (" open" if open_ else "") + (f' class="{cls}"' if cls else "")
    return f"<details{attrs}><summary>{summary_html}</summary>{inner}</details>"


def say(template: str, **values) -> str:
    """A sentence as HTML: ``template`` is trusted, every ``{value}`` is escaped first."""
    return "<p>" + template.format(**{k: escape(v) for k, v in values.items()}) + "</p>"


def synthetic_notice_html(declarations: pd.DataFrame) -> str | None:
    """A warning box when any of the rows come from the synthetic corpus, else None."""
    files = declarations.get("source_file")
    if files is None or not files.astype("string").str.startswith(SYNTHETIC_PREFIX).fillna(False).any():
        return None
    return (
        '<div class="notice" style="border:2px solid #c0392b;background:#fdecea;padding:8px 12px;margin:8px 0">'
        "<strong>注意：本报告包含合成（虚构）数据。</strong>"
        "这些数据由 <code>python -m analysis generate</code> 生成，仅用于测试和演示，不是真实的预算申报。"
        "</div>"
    )


def _change_word(rec: dict) -> str:
    word = CHANGE_LABELS.get(rec["change"], rec["change"])
    if rec.get("framework_change"):
        return f"{word}（{FRAMEWORK_LABEL}）"
    if rec.get("by_nature"):
        return f"{word}（按性质）"
    return word


def _counts_line(rows: pd.DataFrame) -> str:
    fw = rows["framework_change"].astype(bool) if "framework_change" in rows else pd.Series(False, index=rows.index)
    parts = [f"{CHANGE_LABELS[c]} {n}" for c in CHANGE_ORDER[:-1] if (n := int(((rows["change"] == c) & ~fw).sum()))]
    if fw.any():
        parts.append(f"{FRAMEWORK_LABEL} {int(fw.sum())}")
    return "，".join(parts) if parts else "无变化"


_GROUP_COLUMNS = ["level1", "level2", "name", "old_raw", "new_raw", "change", "source_file", "source_line"]


def changes_by_project_html(changes: pd.DataFrame, unit_links: bool = False) -> str:
    """The changes of :func:`changes_for_report`, one block per compared year and, inside it, one
    folded group per project: the project's budget change, its counts, a rename or framework
    switch said in words, then its changed indicators (framework changes last) with file and line.
    Unchanged indicators are counted, not listed."""
    if changes.empty:
        return say("没有可与上一年比较的项目。")
    out = []
    order = {c: i for i, c in enumerate(CHANGE_ORDER)}
    for (from_year, to_year), year_rows in changes.groupby(["from_year", "to_year"], sort=True):
        groups = []
        for _key, rows in year_rows.groupby("project_key", sort=False):
            first = rows.iloc[0]
            shown = rows[rows["change"] != "unchanged"]
            fw = rows["framework_change"].astype(bool)
            budget = (
                f"当年预算 {fmt_wan(first['prev_year_budget'])} → {fmt_wan(first['year_budget'])} 万元"
                f"（{fmt_signed_money(first['year_budget'] - first['prev_year_budget'])}）"
                if not (_missing(first["year_budget"]) or _missing(first["prev_year_budget"]))
                else "当年预算 —"
            )
            notes = []
            if first.get("match") == "fuzzy":
                notes.append(
                    say(
                        "更名：{old} → {new}（名称相似度 {score}，模糊匹配，请核对是否为同一项目）。",
                        old=first["old_project"],
                        new=first["project"],
                        score=_fmt_number(first["match_score"]),
                    )
                )
            if bool(first.get("framework_switch")):
                notes.append(
                    say(
                        "指标框架在两年之间切换（旧框架“投入与管理/产出目标/效果目标/影响力目标”与新框架"
                        "“产出指标/效益指标/满意度指标”）：{n} 个指标因框架调整而出现或消失，不计为新增或删除。",
                        n=int(fw.sum()),
                    )
                )
            gap = first.get("gap_years")
            if not _missing(gap) and int(gap) > 0:
                notes.append(say("中间 {g} 年没有申报，与 {f} 年比较。", g=int(gap), f=int(from_year)))
            shown = shown.assign(
                _o=[order.get(c, 9) + 10 * bool(f) for c, f in zip(shown["change"], shown["framework_change"])]
            )
            shown = shown.sort_values(["_o", "level1", "name"], kind="stable")
            display = shown.assign(change=[_change_word(r) for r in shown.to_dict("records")])
            table = (
                table_html(display, columns=_GROUP_COLUMNS, collapse_at=None) if len(display) else say("指标没有变化。")
            )
            title = (
                f"<strong>{escape(first['project'])}</strong>"
                f"{' <span class=tag>更名</span>' if first.get('match') == 'fuzzy' else ''}"
                f"{' <span class=tag>框架切换</span>' if bool(first.get('framework_switch')) else ''}"
                f" · {escape(budget)} · {escape(_counts_line(rows))}"
            )
            if unit_links:
                title = escape(first["unit"]) + " · " + title
            groups.append(
                (
                    -(len(shown) - int(fw.sum())),
                    str(first["project"]),
                    details(title, "".join(notes) + table, cls="group"),
                )
            )
        groups.sort(key=lambda g: (g[0], g[1]))
        out.append(f"<h3>{int(to_year)} 年与 {int(from_year)} 年相比</h3>")
        out.append(say("{n} 个项目，{counts}。", n=len(groups), counts=_counts_line(year_rows)))
        out.extend(g[2] for g in groups)
    return "\n".join(out)


# ----------------------------------------------------------------------------- problems

#: the order problems are listed in: errors (something is missing from the tables) before warnings
SEVERITY_ORDER = (problem_codes.ERROR, problem_codes.WARNING)


def problem_place(source_file, source_line) -> str:
    """Where a problem is, as the reports write it: ``file:line``, the file name alone when the
    problem has no line (a file that could not be opened), ``—`` when neither is known."""
    if _missing(source_file):
        return "—" if _missing(source_line) else f"—:{int(source_line)}"
    return str(source_file) if _missing(source_line) else f"{source_file}:{int(source_line)}"


def _severity_rank(severity: pd.Series) -> pd.Series:
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    return severity.map(rank).fillna(len(rank)).astype(int)


def problem_summary(problems: pd.DataFrame, examples: int = 3) -> pd.DataFrame:
    """Per problem code: severity, the Chinese description, the count and the first places
    (:func:`problem_place`); errors first, then warnings, each most frequent first."""
    if problems.empty:
        return pd.DataFrame(columns=["severity", "code", "code_meaning", "n", "example"])
    p = problems.sort_values(["source_file", "source_line"], na_position="last")
    where = [problem_place(f, ln) for f, ln in zip(p["source_file"], p["source_line"])]
    g = p.assign(_w=where).groupby(["severity", "code"], sort=False)
    out = g.agg(
        n=("code", "size"), example=("_w", lambda s: "，".join(s.head(examples)) + ("……" if len(s) > examples else ""))
    ).reset_index()
    out = out.assign(code_meaning=out["code"].map(problem_codes.chinese), _rank=_severity_rank(out["severity"]))
    return out.sort_values(["_rank", "n", "code"], ascending=[True, False, True], ignore_index=True)[
        ["severity", "code", "code_meaning", "n", "example"]
    ]
