"""The unit report's target history: per project, what it promised year after year.

:func:`history_table` turns :func:`analysis.metrics.target_history` rows of one project into one
row per indicator (followed by ``indicator_key``) and one column per declared year, each cell the
target as printed with that year's move (收紧, 放松, 不变, 改写, 新增, 删除), and a column saying how
the row was matched where it was not matched by its exact name. :func:`target_history_html` puts
one such table per project, folded when long (printed open); :func:`show_target_history`
displays it in a notebook. Given the unit's peer positions (:mod:`analysis.reports.peers`), each
table has a column 同类位置: where the row's target stands among the same kind's targets of its
year, and the row an anchor the first screen's lax flags link to.
"""

from __future__ import annotations

import pandas as pd

from analysis.reports import peers as peer_cells
from analysis.reports import show

#: how an indicator was paired with the year before, as the report says it
MATCH_WORDS = show.VALUE_WORDS["indicator_match"]

#: the words of the flags, as the report says them
FLAG_WORDS = {"op_not_printed": "一年未印运算符", "unit_not_printed": "一年未印单位"}

HISTORY_LEGEND = (
    "每行一个指标，各列为项目申报的年度，单元格为当年印出的指标值及与上一申报年度相比的变化："
    "<b>收紧</b>、<b>放松</b>、<b>不变</b>、<b>改写</b>（无法判断宽严）、<b>新增</b>、<b>删除</b>。"
    "名称、二级指标或项目名改动后仍认定为同一指标的，在“匹配”列注明方式（二级指标更名、去除项目名后相同、"
    "相近名称及相似度）；一年未印运算符或单位的，按另一年的比较，并注明。"
)


def _year_cell(rec: dict) -> tuple[str, str | None]:
    """The target as printed and the year's move (a change code, None in the first year)."""
    target = "" if show._missing(rec.get("target_raw")) else str(rec["target_raw"])
    change = rec.get("change")
    return target, None if show._missing(change) else str(change)


def _cell_text(cell) -> str:
    if not isinstance(cell, tuple):
        return ""
    target, change = cell
    if change is None:
        return target
    word = show.CHANGE_LABELS.get(change, change)
    return f"{target}（{word}）" if target else f"（{word}）"


def _cell_html(cell) -> str:
    if not isinstance(cell, tuple):
        return ""
    target, change = cell
    if change is None:
        return show.escape(target) if target else ""
    word = show.escape(show.CHANGE_LABELS.get(change, change))
    mark = f'<span class="move move-{show.escape(change)}">{word}</span>'
    return f"{show.escape(target)} {mark}" if target else mark


def _match_note(rows: pd.DataFrame) -> str:
    notes = []
    prev_name = None
    for rec in rows.to_dict("records"):
        year = rec["year"]
        match = rec.get("indicator_match")
        if not show._missing(match) and match != "exact":
            note = f"{int(year)}：{MATCH_WORDS.get(match, match)}"
            if match == "fuzzy" and not show._missing(rec.get("indicator_match_score")):
                note += f" {float(rec['indicator_match_score']):.0f}"
            if prev_name is not None and prev_name != rec["name"]:
                note += f"（原名“{prev_name}”）"
            notes.append(note)
        for flag, word in FLAG_WORDS.items():
            if rec.get(flag):
                notes.append(f"{int(year)}：{word}")
        if rec.get("change") != "removed":
            prev_name = rec["name"]
    return "；".join(notes)


def _wide(history: pd.DataFrame, positions: dict | None = None) -> pd.DataFrame:
    """One row per indicator: names as last printed, per year a (target, change) pair, the note,
    and (with ``positions``, :func:`analysis.reports.peers.positions_by_row`) its peer positions."""
    years = sorted(int(y) for y in history["year"].dropna().unique())
    rows = []
    for key, g in history.groupby("indicator_key", sort=False):
        printed = g[g["change"].ne("removed") | g["change"].isna()]
        last = (printed if len(printed) else g).iloc[-1]
        row = {"indicator_key": key, "level1": last["level1"], "level2": last["level2"], "name": last["name"]}
        for rec in g.to_dict("records"):
            row[str(int(rec["year"]))] = _year_cell(rec)
        row["note"] = _match_note(g)
        if positions is not None:
            row["peer"] = positions.get(str(key), [])
        rows.append(row)
    cols = ["indicator_key", "level1", "level2", "name", *[str(y) for y in years], "note"]
    return pd.DataFrame(rows, columns=cols + (["peer"] if positions is not None else []))


def history_table(history: pd.DataFrame, positions: pd.DataFrame | None = None) -> pd.DataFrame:
    """One project's history as a wide table: ``level1``, ``level2``, ``name`` (as last printed),
    one column per declared year (``2021`` …: the target and the year's move, ``≥96%（收紧）``),
    ``note`` (how the row was matched where not by its exact name, and the flags) and, given the
    peer positions (:func:`analysis.reports.peers.with_keys`), ``peer`` (``2023年 85%（同类 48 个）``),
    in the order of the history."""
    if history.empty:
        return pd.DataFrame(columns=["indicator_key", "level1", "level2", "name", "note"])
    by_row = peer_cells.positions_by_row(positions) if positions is not None else None
    wide = _wide(history, by_row)
    years = [c for c in wide.columns if c.isdigit()]
    if by_row is not None:
        wide = wide.assign(peer=wide["peer"].map(peer_cells.cell_text))
    return wide.assign(**{y: wide[y].map(_cell_text) for y in years}).fillna("")


def _table(wide: pd.DataFrame, with_peers: bool = False) -> str:
    years = [c for c in wide.columns if c.isdigit()]
    headings = ["一级指标", "二级指标", "三级指标", *[f"{y}年" for y in years]]
    headings += [peer_cells.PEER_COLUMN_HEADING] if with_peers else []
    head = "".join(f'<th class="text" scope="col">{show.escape(h)}</th>' for h in [*headings, "匹配"])
    body = []
    for rec in wide.to_dict("records"):
        cells = [f'<td class="text col-{c}">{show.escape(rec[c])}</td>' for c in ("level1", "level2", "name")]
        cells += [f'<td class="text col-year">{_cell_html(rec[y])}</td>' for y in years]
        entries = (rec.get("peer") or []) if with_peers else []
        if with_peers:
            cells.append(f'<td class="text col-peer">{peer_cells.cell_html(entries)}</td>')
        cells.append(f'<td class="text col-note">{show.escape(rec["note"]) if rec["note"] else ""}</td>')
        anchor = f' id="{show.escape(peer_cells.target_anchor(rec["indicator_key"]))}"' if entries else ""
        body.append(f"<tr{anchor}>" + "".join(cells) + "</tr>")
    return (
        f'<table class="analysis-table history"><thead><tr>{head}</tr></thead><tbody>'
        + "\n".join(body)
        + "</tbody></table>"
    )


def target_history_html(
    history: pd.DataFrame, collapse_at: int = show.COLLAPSE_AT, positions: pd.DataFrame | None = None
) -> str:
    """Per project (:func:`analysis.metrics.target_history` rows of one unit): a heading line with
    the project's names and years, then :func:`history_table`; a project of more than
    ``collapse_at`` indicators is folded (``<details>``, printed open). Projects declared in more
    years come first. With the unit's peer positions (:func:`analysis.reports.peers.with_keys`)
    each table has the column 同类位置 and its rows with a position an anchor
    (:func:`analysis.reports.peers.target_anchor`)."""
    if history.empty:
        return show.say("没有可列出的指标。")
    with_peers = positions is not None and len(positions) > 0  # blank cells where a group is too small
    by_row = peer_cells.positions_by_row(positions) if with_peers else None
    out = []
    groups = []
    for _key, g in history.groupby("project_key", sort=False):
        years = sorted(int(y) for y in g["year"].dropna().unique())
        names = list(dict.fromkeys(g.sort_values("year", kind="stable")["project"]))
        groups.append((-len(years), names[-1], years, names, g))
    groups.sort(key=lambda t: (t[0], t[1]))
    for _, _, years, names, g in groups:
        wide = _wide(g, by_row)
        span = f"{years[0]}–{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
        title = (
            f"<strong>{show.escape(names[-1])}</strong> · {show.escape(span)}申报 {len(years)} 年 · {len(wide)} 个指标"
        )
        if len(names) > 1:
            title += " · 曾用名 " + show.escape("、".join(names[:-1]))
        table = _table(wide, with_peers=with_peers)
        if len(wide) > collapse_at:
            out.append(show.details(title + "（点击展开）", table, cls="group history"))
        else:
            out.append(f'<div class="history-project"><p>{title}</p>{table}</div>')
    return "\n".join(out)


def show_target_history(history: pd.DataFrame, positions: pd.DataFrame | None = None) -> None:
    """The legend, then :func:`target_history_html` (with the peer positions, when given)."""
    legend = HISTORY_LEGEND + (peer_cells.PEER_LEGEND if positions is not None and len(positions) else "")
    show.show_html(f'<p class="legend">{legend}</p>' + target_history_html(history, positions=positions))
