"""How targets are written: shares of quantitative, qualitative, deadline and vague targets, and
targets repeated unchanged from the year before."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.metrics.changes import target_changes
from analysis.metrics.common import as_by, year_targets
from analysis.metrics.identity import norm_text

VAGUE_WORDS = (
    "规范",
    "及时",
    "有效",
    "持续",
    "完善",
    "健全",
    "良好",
    "提高",
    "提升",
    "明显",
    "逐步",
    "进一步",
    "加强",
    "改善",
    "稳定",
    "顺利",
    "保障",
    "合理",
    "充分",
    "基本",
    "较好",
    "较高",
    "显著",
    "不断",
    "积极",
    "优化",
    "推进",
    "促进",
    "满足",
    "符合",
    "达到",
    "达标",
    "合格",
    "正常",
    "按时",
    "按期",
    "准确",
    "高效",
    "到位",
    "增强",
    "加快",
    "好",
    "高",
)
"""Words that make a qualitative target vague: a qualitative target (``kind="qualitative"``)
that contains one of these words and no digit counts as vague in :func:`target_quality`."""


def is_vague(indicators: pd.DataFrame) -> pd.Series:
    codes, uniques = pd.factorize(indicators["target_raw"], use_na_sentinel=True)
    text = norm_text(pd.Series(uniques, dtype=object))
    pattern = "|".join(sorted(VAGUE_WORDS, key=len, reverse=True))
    vague_text = (text.str.contains(pattern, regex=True) & ~text.str.contains(r"\d", regex=True)).to_numpy(dtype=bool)
    vague = np.where(codes >= 0, vague_text[np.clip(codes, 0, None)] if len(vague_text) else False, False)
    return pd.Series(vague, index=indicators.index) & (indicators["kind"] == "qualitative")


def target_quality(
    indicators: pd.DataFrame,
    by=("unit", "year"),
    changes: pd.DataFrame | None = None,
    declarations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """How measurable the targets are, per group of indicators.

    ``by`` is any columns of ``indicators`` (``("decl_id",)`` gives one row per declaration).
    ``changes`` is the output of :func:`target_changes`; it is computed when not given
    (with ``declarations`` for project identity when given).

    One row per group, with the ``by`` columns and:

    - ``n_indicators`` (int);
    - ``share_quantitative``, ``share_qualitative``, ``share_deadline`` (float 0-1): share of
      the indicators by ``kind``;
    - ``share_vague`` (float 0-1): share of the indicators that are qualitative, contain a word
      of :data:`VAGUE_WORDS` (规范, 及时, 有效, 持续 ...) and no digit;
    - ``n_comparable`` (int): indicators of projects with an earlier declared year (they can be
      compared with that year);
    - ``n_repeated`` (int): indicators whose change from the project's previous declared year
      is ``unchanged``;
    - ``share_repeated`` (float 0-1): n_repeated / n_comparable, null when n_comparable is 0.

    Only the year's targets count (see :func:`year_targets`).
    """
    indicators = year_targets(indicators)
    keys = as_by(by)
    if changes is None:
        changes = target_changes(indicators, declarations)
    for col in ("new_decl_id", "new_seq"):
        if col not in changes:
            raise ValueError(f"target_quality: changes lacks {col!r}; pass the output of target_changes")
    ind_key = pd.MultiIndex.from_arrays([indicators["decl_id"], indicators["seq"].astype("Int64")])
    comparable_decls = pd.unique(changes["new_decl_id"].dropna().to_numpy(dtype=object))
    unchanged = changes.loc[changes["change"] == "unchanged"]
    rep_key = pd.MultiIndex.from_arrays([unchanged["new_decl_id"], unchanged["new_seq"].astype("Int64")])
    kind = indicators["kind"]
    frame = indicators.assign(
        _n=1,
        _quant=(kind == "quantitative").astype(int),
        _qual=(kind == "qualitative").astype(int),
        _dead=(kind == "deadline").astype(int),
        _vague=is_vague(indicators).fillna(False).astype(int),
        _comp=(pd.Index(comparable_decls).get_indexer(indicators["decl_id"].to_numpy(dtype=object)) >= 0).astype(int),
        _rep=pd.Series(ind_key.isin(rep_key), index=indicators.index).astype(int),
    )
    grouper = keys if keys else (lambda _: 0)
    s = frame.groupby(grouper, dropna=False, sort=True)[
        ["_n", "_quant", "_qual", "_dead", "_vague", "_comp", "_rep"]
    ].sum()
    out = pd.DataFrame(
        {
            "n_indicators": s["_n"],
            "share_quantitative": s["_quant"] / s["_n"],
            "share_qualitative": s["_qual"] / s["_n"],
            "share_deadline": s["_dead"] / s["_n"],
            "share_vague": s["_vague"] / s["_n"],
            "n_comparable": s["_comp"],
            "n_repeated": s["_rep"],
            "share_repeated": s["_rep"] / s["_comp"].where(s["_comp"] > 0),
        }
    )
    return out.reset_index(drop=not keys)
