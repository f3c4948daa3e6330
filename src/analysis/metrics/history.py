"""What each project promised, year after year: indicators followed across all its declared years.

:func:`link_indicators` gives every indicator its ``indicator_key`` (the pairing of
:mod:`analysis.metrics.indicators`, chained through the project's declared years);
:func:`target_history` puts one row per indicator and year beside the year's move, the table the
unit report shows per project.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.ids import norm_name as ids_norm
from analysis.metrics.changes import paired_indicators, refine_changes, target_changes
from analysis.metrics.common import linked, year_targets
from analysis.metrics.identity import norm_text
from analysis.tables import FRAMES


def link_indicators(indicators: pd.DataFrame, declarations: pd.DataFrame | None = None) -> pd.DataFrame:
    """The year's indicators with ``indicator_key``, ``indicator_match`` and ``indicator_match_score``.

    ``indicator_key`` is the same for one indicator of a project in every declared year it is
    followed through (see :mod:`analysis.metrics.indicators` for the matching rules), so an
    indicator can be followed over 5 or 10 years; ``indicator_match`` says how the indicator is
    paired with the project's previous declared year (``exact``, ``level2-renamed``,
    ``project-name``, ``fuzzy``; null where it has no counterpart there: the project's first
    year, or an indicator new that year) and ``indicator_match_score`` the score (100 but for
    ``fuzzy``). Medium-term targets are left out (see :func:`year_targets`); the other rows keep
    their order and columns.
    """
    indicators = year_targets(indicators)
    _, _, _, _, hits, ind_keys = paired_indicators(indicators, declarations)
    match = np.full(len(indicators), None, dtype=object)
    score = np.full(len(indicators), np.nan)
    match[hits["_r_n"].to_numpy(dtype="int64")] = hits["match"].to_numpy(dtype=object)
    score[hits["_r_n"].to_numpy(dtype="int64")] = hits["score"].to_numpy(dtype=float)
    return indicators.assign(indicator_key=ind_keys, indicator_match=match, indicator_match_score=score)


HISTORY_COLUMNS = FRAMES["target_history"]


def target_history(
    indicators: pd.DataFrame,
    declarations: pd.DataFrame | None = None,
    project_key: str | None = None,
    unit: str | None = None,
    changes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What each project promised, year after year: one row per indicator and declared year.

    ``project_key`` (see :func:`analysis.metrics.identity.link`) or ``unit`` narrows it to one project or
    one unit (compared normalized). ``changes``: the same indicators' :func:`target_changes`
    (read by :func:`refine_changes`, as the reports do), when computed already.

    Columns (:data:`HISTORY_COLUMNS`): the project (``unit``, ``project_key``, ``project`` as
    declared that year), the indicator (``indicator_key``, the same across years; ``level1``,
    ``level2``, ``name`` and ``target_raw`` as printed that year; ``seq``, ``decl_id``), and its move
    from the project's previous declared year ``from_year``: ``change`` (tightened, loosened,
    unchanged, changed, added; null in the project's first year), how it was paired
    (``indicator_match``, ``indicator_match_score``) and the flags ``op_not_printed`` /
    ``unit_not_printed``. The year an indicator is dropped it has one row more, with
    ``change="removed"``, no target and the earlier year's names; none in later years.
    Sorted by unit, project, the indicator's first year and place, then year.
    """
    if declarations is None:
        declarations = indicators[["decl_id", "unit", "year", "project"]].drop_duplicates("decl_id")
    decl = linked(declarations)
    if project_key is not None:
        decl = decl.loc[decl["project_key"] == project_key]
    if unit is not None:
        decl = decl.loc[norm_text(decl["unit"]) == ids_norm(unit)]
    ind = year_targets(indicators)
    ind = ind.loc[ind["decl_id"].isin(decl["decl_id"])].reset_index(drop=True)
    with_keys = link_indicators(ind, decl)
    if changes is None:
        changes = refine_changes(target_changes(ind, decl), ind)
    else:
        changes = changes.loc[changes["new_decl_id"].isin(decl["decl_id"])]
    flags = ["op_not_printed", "unit_not_printed"]
    changes = changes.assign(**{f: changes[f] if f in changes else False for f in flags})
    moved = changes.loc[changes["new_seq"].notna()]
    moved = moved.assign(seq=moved["new_seq"].astype("int64"), decl_id=moved["new_decl_id"])
    cols = ["decl_id", "seq", "change", "from_year", *flags]
    out = with_keys.assign(seq=pd.to_numeric(with_keys["seq"]).astype("int64")).merge(
        moved[cols], on=["decl_id", "seq"], how="left"
    )
    info = decl.drop_duplicates("decl_id").set_index("decl_id")
    key_of = out.set_index(["decl_id", "seq"])["indicator_key"]
    gone = changes.loc[changes["change"].eq("removed") & changes["old_decl_id"].isin(info.index)]
    if len(gone):
        gone_keys = [key_of.get((d, int(q))) for d, q in zip(gone["old_decl_id"], gone["old_seq"])]
        removed = pd.DataFrame(
            {
                "decl_id": gone["new_decl_id"].to_numpy(dtype=object),
                "unit": gone["unit"].to_numpy(dtype=object),
                "project": gone["project"].to_numpy(dtype=object),
                "year": gone["to_year"].to_numpy(),
                "level1": gone["level1"].to_numpy(dtype=object),
                "level2": gone["level2"].to_numpy(dtype=object),
                "name": gone["name"].to_numpy(dtype=object),
                "target_raw": None,
                "change": "removed",
                "from_year": gone["from_year"].to_numpy(),
                "indicator_key": gone_keys,
                "seq": pd.to_numeric(gone["old_seq"]).astype("int64").to_numpy(),
            }
        )
        out = pd.concat([out, removed.loc[removed["indicator_key"].notna()]], ignore_index=True)
    out = out.assign(
        project_key=out["decl_id"].map(info["project_key"]),
        year=pd.to_numeric(out["year"]).astype("Int64"),
        from_year=pd.array(pd.to_numeric(out["from_year"]), dtype="Int64"),
        **{f: out[f].astype("boolean").fillna(False).astype(bool) for f in flags},
    )
    first = out.groupby("indicator_key")["year"].transform("min")
    first_seq = (
        out.loc[(out["year"] == first).to_numpy(dtype=bool)]
        .drop_duplicates("indicator_key")
        .set_index("indicator_key")["seq"]
    )
    out = out.assign(_first=first, _first_seq=out["indicator_key"].map(first_seq))
    out = out.sort_values(["unit", "project_key", "_first", "_first_seq", "year"], kind="stable")
    return out[HISTORY_COLUMNS].reset_index(drop=True)
