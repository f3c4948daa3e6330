"""The indicator library learned from what is published: each kind of indicator (满意度, 完成率,
成本 …; :mod:`analysis.kinds`) with the targets units set for it, and where one target stands
among the same kind's targets of the year (its peers).

- :func:`indicator_library`: one row per kind: how many indicators, units, places and years;
  the distribution of its numeric targets (quantiles, the share of each operator); the common
  wordings; and, where the kind's targets are set under several level-2 headings (满意度 under
  社会效益 and under 服务对象满意度), one row more per heading (:data:`MIN_PEERS` targets or more
  under each of at least two).
- :func:`peer_position`: for each quantitative target of a kind comparable across projects (a
  share: 满意度, 完成率, 合格率 …, not an amount that grows with the project) whose direction is known, the
  share of its peers' targets it asks at least as much as (0: the laxest, 1: the strictest),
  the peer group's size and median, and ``lax`` where it is far on the lax side.

Peers: the year's quantitative targets of the same kind, the same year and the same value unit
(and the same province with ``within_province=True``). A position is given only where the group
has at least :data:`MIN_PEERS` targets; ``lax`` is a target at or below the
:data:`LAX_PERCENTILE` of its group and less strict than the group's median.
"""

from __future__ import annotations

import pandas as pd

from analysis import kinds
from analysis.metrics.common import year_targets
from analysis.tables import FRAMES

#: the fewest targets of a peer group that allow a position (and a lax flag)
MIN_PEERS = 10
#: a target whose position is at most this is flagged lax (when it is also below the median)
LAX_PERCENTILE = 0.10
#: how many of the most common wordings the library lists per kind
WORDINGS = 5

_OPS = {"share_ge": (">=", ">"), "share_le": ("<=", "<"), "share_eq": ("=",), "share_range": ("range",)}
_QUANTILES = {"q10": 0.10, "q25": 0.25, "q50": 0.50, "q75": 0.75, "q90": 0.90}


def _with_place(indicators: pd.DataFrame, declarations: pd.DataFrame) -> pd.DataFrame:
    ind = year_targets(indicators)
    if "indicator_kind" not in ind:
        ind = ind.assign(indicator_kind=ind["name"].map(kinds.kind_of))
    cols = [c for c in ("decl_id", "province", "city", "county", "adcode") if c in declarations]
    places = declarations[cols].drop_duplicates("decl_id")
    out = ind.merge(places, on="decl_id", how="left")
    for c in ("province", "city", "county", "adcode"):
        if c not in out:
            out[c] = None
    return out


def _main_unit(values: pd.Series) -> str | None:
    counts = values.dropna().value_counts()
    return counts.index[0] if len(counts) else None


def indicator_library(indicators: pd.DataFrame, declarations: pd.DataFrame) -> pd.DataFrame:
    """One row per kind of indicator (in the order of the table of kinds, ``level2_class`` null):
    its counts, the distribution of its quantitative targets in the kind's most common value
    unit, the share of each operator and the most common wordings (joined by ``；``).

    Where a kind's targets may differ by the level-2 heading they are set under, rows per
    heading follow the kind's row: for a kind whose quantitative targets in its main value unit
    fall under at least two level-2 headings with :data:`MIN_PEERS` or more each (headings compared
    as classes of equivalent headings, :func:`analysis.metrics.indicators.level2_class`), one row
    per such heading, most targets first, with the same columns over the kind's indicators
    under it (quantiles in the kind's main value unit)."""
    from analysis.metrics.indicators import level2_class

    ind = _with_place(indicators, declarations)
    ind = ind[ind["indicator_kind"].notna()]
    ind = ind.assign(level2_class=level2_class(ind["level2"])[1] if len(ind) else pd.Series(dtype=object))
    rows = []
    for kind in kinds.table():
        g = ind[ind["indicator_kind"] == kind.id]
        quant = g[(g["kind"] == "quantitative") & g["value"].notna()]
        unit = _main_unit(quant["value_unit"]) if len(quant) else None
        rows.append(_library_row(kind, g, unit, None))
        same = quant[quant["value_unit"] == unit] if unit is not None else quant.iloc[0:0]
        counts = same.loc[same["level2_class"] != "", "level2_class"].value_counts()
        headings = counts[counts >= MIN_PEERS]
        if len(headings) >= 2:
            for heading in sorted(headings.index, key=lambda h: (-headings[h], h)):
                rows.append(_library_row(kind, g[g["level2_class"] == heading], unit, heading))
    return pd.DataFrame(rows, columns=LIBRARY_COLUMNS)


def _library_row(kind: kinds.Kind, g: pd.DataFrame, unit: str | None, heading: str | None) -> dict:
    """One row of the library: ``g`` (the kind's indicators, or those under one level-2 heading),
    its quantitative targets' distribution in ``unit``."""
    row: dict = {
        "indicator_kind": kind.id,
        "kind_name": kind.name,
        "level2_class": heading,
        "stricter": kind.stricter,
        "n_indicators": len(g),
        "n_units": g["unit"].nunique(),
        "n_places": g["adcode"].nunique(),
        "n_years": g["year"].nunique(),
        "value_unit": unit,
    }
    quant = g[(g["kind"] == "quantitative") & g["value"].notna()]
    same = quant[quant["value_unit"] == unit] if unit is not None else quant.iloc[0:0]
    row["n_quantitative"] = len(same)
    for col, q in _QUANTILES.items():
        row[col] = float(same["value"].quantile(q)) if len(same) else None
    ops = quant["op"]
    for col, names in _OPS.items():
        row[col] = float(ops.isin(names).mean()) if len(ops) else None
    words = g["name"].dropna().map(str.strip).value_counts().head(WORDINGS)
    row["wordings"] = "；".join(f"{w}（{n}）" for w, n in words.items())
    return row


def peer_position(indicators: pd.DataFrame, declarations: pd.DataFrame, within_province: bool = False) -> pd.DataFrame:
    """One row per quantitative target of a kind whose stricter direction is known: its peer
    group's size (``n_peers``, itself included) and median, its position ``peer_percentile``
    (the share of the group's targets it asks at least as much as; null under
    :data:`MIN_PEERS`), and ``lax``."""
    ind = _with_place(indicators, declarations)
    direction = {k.id: k.stricter for k in kinds.table() if k.compare and k.stricter in ("higher", "lower")}
    q = ind[ind["indicator_kind"].isin(direction) & (ind["kind"] == "quantitative") & ind["value"].notna()].copy()
    if q.empty:
        return pd.DataFrame(columns=PEER_COLUMNS)
    q["stricter"] = q["indicator_kind"].map(direction)
    q["kind_name"] = q["indicator_kind"].map({k.id: k.name for k in kinds.table()})
    q["value_unit"] = q["value_unit"].fillna("")
    keys = ["indicator_kind", "year", "value_unit"] + (["province"] if within_province else [])
    if within_province:
        q = q[q["province"].notna()]
    sign = q["stricter"].map({"higher": 1.0, "lower": -1.0})
    q["_strict"] = q["value"].astype(float) * sign  # higher is stricter, whatever the kind
    groups = q.groupby(keys, dropna=False)["_strict"]
    q["n_peers"] = groups.transform("size").astype("int64")
    q["peer_percentile"] = groups.rank(method="max", pct=True)
    q["peer_median"] = groups.transform("median") * sign
    small = q["n_peers"] < MIN_PEERS
    q.loc[small, "peer_percentile"] = None
    below = q["_strict"] < groups.transform("median")
    q["lax"] = (~small) & (q["peer_percentile"] <= LAX_PERCENTILE) & below
    q["peer_scope"] = "province" if within_province else "year"
    return q[PEER_COLUMNS].reset_index(drop=True)


LIBRARY_COLUMNS = FRAMES["indicator_library"]
PEER_COLUMNS = FRAMES["peer_position"]


def kind_targets(indicators: pd.DataFrame, declarations: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The year's quantitative targets of one kind in its most common value unit, with the
    place of their unit: what the library's quantiles and charts are drawn from."""
    ind = _with_place(indicators, declarations)
    g = ind[(ind["indicator_kind"] == kind) & (ind["kind"] == "quantitative") & ind["value"].notna()]
    unit = _main_unit(g["value_unit"])
    return g[g["value_unit"] == unit] if unit is not None else g.iloc[0:0]


def kind_by(indicators: pd.DataFrame, declarations: pd.DataFrame, kind: str, by: str = "province") -> pd.DataFrame:
    """One kind's targets by ``by`` (``province`` or ``year``): how many, from how many units,
    and their quartiles (places not known are shown as 未知)."""
    t = kind_targets(indicators, declarations, kind)
    if by == "province":
        t = t.assign(province=t["province"].fillna("未知"))
    cols = [by, "n_indicators", "n_units", "q25", "q50", "q75"]
    if t.empty:
        return pd.DataFrame(columns=cols)
    g = t.groupby(by)
    out = pd.DataFrame(
        {
            "n_indicators": g.size(),
            "n_units": g["unit"].nunique(),
            "q25": g["value"].quantile(0.25),
            "q50": g["value"].quantile(0.5),
            "q75": g["value"].quantile(0.75),
        }
    ).reset_index()
    return out.sort_values(["n_indicators", by] if by == "province" else by, ascending=by != "province")[cols]
