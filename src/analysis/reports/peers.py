"""Where a unit report shows its targets' peer positions (:func:`analysis.metrics.peer_position`):
as a column of the target history (同类位置: the percentile and the peer group's size, blank
where the group is too small to judge), and the lax targets (明显偏松) among the first screen's
flags, each linking to its row of the target history.

A row of the target history is one indicator followed across years (``indicator_key``); its
anchor is :func:`target_anchor`. The peer positions are tied to those rows by the declaration and
the indicator's place in it (:func:`with_keys`).
"""

from __future__ import annotations

import pandas as pd

from analysis.reports.html import _fmt_number, _missing, escape

#: the heading of the unit report's section comparing its targets with their peers
PEER_HEADING = "与同类目标比较"
#: the column of the target history that shows the positions
PEER_COLUMN_HEADING = "同类位置"
#: lax targets named one by one among the first screen's flags (the rest counted, linking to the section)
LAX_SHOWN = 5
#: what the target history's 同类位置 column says
PEER_LEGEND = (
    "“同类位置”为该年目标在同一年度、同一种类、同一计量单位的全部目标中的位置：本目标不低于"
    "（对投诉率等越低越严的种类为不高于）的同类目标占比，100% 为最严，括号内为同类目标数；"
    "同类目标不足 10 个时空白。处于最宽松的 10% 且低于同类中位数的标为<b>明显偏松</b>。"
)


def target_anchor(indicator_key) -> str:
    """The id of an indicator's row in the target history."""
    return "target-" + str(indicator_key)


def with_keys(positions: pd.DataFrame, history: pd.DataFrame | None) -> pd.DataFrame:
    """``positions`` with the ``indicator_key`` of each target's row in the target history
    (:func:`analysis.metrics.target_history`, joined by ``decl_id`` and ``seq``); null where the
    history has no row for it."""
    if positions.empty or history is None or history.empty or "indicator_key" not in history:
        return positions.assign(indicator_key=pd.Series(dtype=object, index=positions.index))
    keys = history[["decl_id", "seq", "indicator_key"]].dropna(subset=["decl_id"]).drop_duplicates(["decl_id", "seq"])
    out = positions.drop(columns=["indicator_key"], errors="ignore")
    out = out.assign(seq=pd.to_numeric(out["seq"]).astype("Int64"))
    keys = keys.assign(seq=pd.to_numeric(keys["seq"]).astype("Int64"))
    merged = out.merge(keys, on=["decl_id", "seq"], how="left")
    merged.index = positions.index
    return merged


def position_text(rec: dict) -> str:
    """One target's position as the reports say it: ``85%（同类 48 个）``, ``明显偏松`` added to a
    lax one; empty where the group is too small to judge."""
    pct = rec.get("peer_percentile")
    if _missing(pct):
        return ""
    text = f"{float(pct) * 100:.0f}%（同类 {int(rec['n_peers'])} 个）"
    return text + " 明显偏松" if bool(rec.get("lax")) else text


def positions_by_row(positions: pd.DataFrame) -> dict[str, list[tuple[int, str, bool]]]:
    """``indicator_key`` -> its years' positions, ``(year, text, lax)``, latest first; only the
    years whose group was large enough."""
    out: dict[str, list[tuple[int, str, bool]]] = {}
    if positions is None or positions.empty or "indicator_key" not in positions:
        return out
    known = positions[positions["indicator_key"].notna() & positions["peer_percentile"].notna()]
    for rec in known.sort_values("year", ascending=False, kind="stable").to_dict("records"):
        out.setdefault(str(rec["indicator_key"]), []).append((int(rec["year"]), position_text(rec), bool(rec["lax"])))
    return out


def cell_html(entries: list[tuple[int, str, bool]]) -> str:
    """The 同类位置 cell of one row: each year's position, latest first, a lax one marked."""
    parts = []
    for year, text, lax in entries:
        body = escape(text.removesuffix(" 明显偏松"))
        mark = ' <span class="move move-loosened">明显偏松</span>' if lax else ""
        parts.append(f"{year}年 {body}{mark}")
    return "<br>".join(parts)


def cell_text(entries: list[tuple[int, str, bool]]) -> str:
    """The 同类位置 cell as text (``2023年 85%（同类 48 个）；2022年 …``)."""
    return "；".join(f"{year}年 {text}" for year, text, _ in entries)


def lax_flags_html(lax: list[dict], section_anchor: str) -> list[str]:
    """The first screen's flags of lax targets (``<li>`` items): each of the first
    :data:`LAX_SHOWN` linking to its row of the target history (or, without one, to the section),
    the others counted in one item linking to the section."""
    items = []
    for rec in lax[:LAX_SHOWN]:
        key = rec.get("indicator_key")
        href = target_anchor(key) if not _missing(key) else section_anchor
        text = (
            f"明显偏松：{int(rec['year'])}年 {rec['project']}：{rec['name']} {rec['target_raw']}"
            f"（同类中位数 {_fmt_number(rec['peer_median'])}{'' if _missing(rec.get('value_unit')) else rec['value_unit']}，"
            f"同类 {int(rec['n_peers'])} 个）"
        )
        items.append(f'<li><a href="#{escape(href)}">{escape(text)}</a></li>')
    if len(lax) > LAX_SHOWN:
        rest = f"另有 {len(lax) - LAX_SHOWN} 个明显偏松的目标（与同类目标比较）"
        items.append(f'<li><a href="#{escape(section_anchor)}">{escape(rest)}</a></li>')
    return items
