"""How targets change between a project's declared years: indicators paired across years,
directions (tightened, loosened ...), framework switches, project starts and ends, the budget
against the targets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.metrics import indicators as il
from analysis.metrics.common import as_by, linked, year_targets
from analysis.metrics.identity import norm_text
from analysis.tables import FRAMES

CHANGE_TYPES = ("tightened", "loosened", "unchanged", "changed", "added", "removed")
"""The values of ``change`` in :func:`target_changes`, in the order summaries list them."""


def _take(values: pd.Series, positions: np.ndarray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """``values`` at ``positions`` (row positions; -1 gives a null)."""
    return pd.api.extensions.take(values.array, positions, allow_fill=True)


def _declared_pairs(decl: pd.DataFrame) -> pd.DataFrame:
    """Consecutive declared years per project: project_key, from/to year and decl ids."""
    d = decl[["project_key", "year", "decl_id", "unit", "project", "match", "match_score"]].sort_values(
        ["project_key", "year"], kind="stable"
    )
    d = d.drop_duplicates(["project_key", "year"])
    nxt = d.groupby("project_key", sort=False).shift(-1)
    pairs = pd.DataFrame(
        {
            "project_key": d["project_key"],
            "from_year": d["year"],
            "to_year": nxt["year"],
            "old_decl_id": d["decl_id"],
            "new_decl_id": nxt["decl_id"],
            "old_project": d["project"],
            "unit": nxt["unit"],
            "project": nxt["project"],
            "match": nxt["match"],
            "match_score": nxt["match_score"],
        }
    ).dropna(subset=["to_year"])
    pairs = pairs.assign(
        from_year=pairs["from_year"].astype("Int64"),
        to_year=pairs["to_year"].astype("Int64"),
    )
    return pairs.assign(gap_years=(pairs["to_year"] - pairs["from_year"] - 1).astype("Int64"))


def _classify(m: pd.DataFrame) -> np.ndarray:
    """The change of each matched indicator pair (columns old_*/new_* as in target_changes)."""
    ok_, nk = m["old_kind"].fillna(""), m["new_kind"].fillna("")
    oop, nop = (
        m["old_op"].fillna("").replace({"≥": ">=", "≤": "<="}),
        m["new_op"].fillna("").replace({"≥": ">=", "≤": "<="}),
    )
    ov, nv = m["old_value"].astype(float), m["new_value"].astype(float)
    # a deadline (yyyymmdd) counts relative to its declaration year: 12月底前 every year is unchanged
    ov = ov.where(ok_ != "deadline", ov - m["from_year"].astype(float) * 10000)
    nv = nv.where(nk != "deadline", nv - m["to_year"].astype(float) * 10000)
    oh, nh = m["old_value_hi"].astype(float), m["new_value_hi"].astype(float)
    ou, nu = norm_text(m["old_unit"]), norm_text(m["new_unit"])
    same_raw = (norm_text(m["old_raw"]) == norm_text(m["new_raw"])).to_numpy()
    same_kind = (ok_ == nk).to_numpy()
    qual = (nk == "qualitative").to_numpy()
    deadline = (nk == "deadline").to_numpy()
    have = (ov.notna() & nv.notna()).to_numpy()
    up = (nv > ov).to_numpy()
    down = (nv < ov).to_numpy()
    eq = np.isclose(ov.to_numpy(), nv.to_numpy(), rtol=1e-9, atol=1e-9) & have
    same_unit = (ou == nu).to_numpy()
    lower = oop.isin([">=", ">"]).to_numpy() & nop.isin([">=", ">"]).to_numpy()
    upper = oop.isin(["<=", "<"]).to_numpy() & nop.isin(["<=", "<"]).to_numpy()
    same_op = (oop == nop).to_numpy()
    strict_now = nop.isin([">", "<"]).to_numpy() & ~same_op
    loose_now = nop.isin([">=", "<="]).to_numpy() & ~same_op
    rng = (oop == "range").to_numpy() & (nop == "range").to_numpy()
    have_hi = (oh.notna() & nh.notna()).to_numpy()
    lo_up, lo_down = up, down
    hi_up, hi_down = (nh > oh).to_numpy(), (nh < oh).to_numpy()
    hi_eq = np.isclose(oh.to_numpy(), nh.to_numpy(), rtol=1e-9, atol=1e-9) & have_hi
    narrower = rng & have & have_hi & (lo_up | eq) & (hi_down | hi_eq) & ~(eq & hi_eq)
    wider = rng & have & have_hi & (lo_down | eq) & (hi_up | hi_eq) & ~(eq & hi_eq)
    quant_cmp = same_kind & ~qual & ~deadline & have

    conditions = [
        ~same_kind,
        qual & same_raw,
        qual,
        deadline & have & eq,
        deadline & have & up,
        deadline & have & down,
        deadline & same_raw,
        deadline,
        quant_cmp & ~same_unit,
        quant_cmp & same_op & eq & (~rng | hi_eq),
        quant_cmp & narrower,
        quant_cmp & wider,
        quant_cmp & lower & (up | (eq & strict_now)),
        quant_cmp & lower & (down | (eq & loose_now)),
        quant_cmp & upper & (down | (eq & strict_now)),
        quant_cmp & upper & (up | (eq & loose_now)),
        same_kind & ~qual & ~deadline & ~have & same_raw,
    ]
    choices = [
        "changed",
        "unchanged",
        "changed",
        "unchanged",
        "loosened",
        "tightened",
        "unchanged",
        "changed",
        "changed",
        "unchanged",
        "tightened",
        "loosened",
        "tightened",
        "loosened",
        "tightened",
        "loosened",
        "unchanged",
    ]
    return np.select(conditions, choices, default="changed")


def paired_indicators(indicators: pd.DataFrame, declarations: pd.DataFrame | None):
    """The indicator pairing of every consecutive declared pair of every project, done once.

    Returns ``pairs`` (as :func:`_declared_pairs`, with ``_pair``), ``side`` (the indicators'
    matching fields, see :func:`analysis.metrics.indicators.indicator_sides`), ``old``/``new``
    (``_pair``, ``_r``: the indicators of each pair's earlier/later declaration), ``hits`` (the
    pairs found: ``_pair``, ``_r_o``, ``_r_n``, ``match``, ``score``) and the ``indicator_key`` of
    every indicator row.
    """
    if declarations is None:
        declarations = indicators[["decl_id", "unit", "year", "project"]].drop_duplicates("decl_id")
    decl = linked(declarations)
    pairs = _declared_pairs(decl)
    pairs = pairs.sort_values(["unit", "project_key", "from_year"], kind="stable").reset_index(drop=True)
    pairs = pairs.assign(_pair=np.arange(len(pairs)))
    ind_decl = indicators["decl_id"].to_numpy(dtype=object)
    codes = pd.Index(
        pd.unique(
            np.concatenate(
                [ind_decl, pairs["old_decl_id"].to_numpy(dtype=object), pairs["new_decl_id"].to_numpy(dtype=object)]
            )
        )
    )
    side = il.indicator_sides(indicators)
    decl_of = pd.DataFrame({"_decl": codes.get_indexer(ind_decl), "_r": np.arange(len(indicators))})
    old = pairs[["_pair"]].assign(_decl=codes.get_indexer(pairs["old_decl_id"].to_numpy(dtype=object)))
    new = pairs[["_pair"]].assign(_decl=codes.get_indexer(pairs["new_decl_id"].to_numpy(dtype=object)))
    old = old.merge(decl_of, on="_decl")[["_pair", "_r"]]
    new = new.merge(decl_of, on="_decl")[["_pair", "_r"]]
    names = pairs[["old_project", "project"]].to_numpy(dtype=object)

    def forms(open_pairs):
        return {p: il.project_forms(*names[p]) for p in open_pairs}

    hits = il.match_indicators(side, old, new, forms)
    project_of = decl.drop_duplicates("decl_id").set_index("decl_id")["project_key"]
    ind_keys = il.chain_keys(
        indicators["decl_id"].map(project_of).to_numpy(dtype=object),
        pd.to_numeric(indicators["year"], errors="coerce").to_numpy(),
        side,
        hits,
        pairs["to_year"].to_numpy(dtype="int64")[hits["_pair"].to_numpy(dtype="int64")],
    )
    return pairs, side, old, new, hits, ind_keys


def target_changes(
    indicators: pd.DataFrame,
    declarations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """How each indicator of a project changed between two consecutive declared years.

    Projects are followed through the project identity of ``declarations`` (see
    :func:`analysis.metrics.identity.link`; when not given, the declarations implied by ``indicators``
    are linked). For each project,
    each declared year is compared with the project's next declared year; a project absent
    for a year (declared 2019 and 2021) is compared 2019 -> 2021 with ``gap_years`` = 1,
    never reported as removed then added. The indicators of the two declarations are paired
    one to one, best match first, by :func:`analysis.metrics.indicators.match_indicators`: the
    same normalized name under the same ``level1_std`` and an equivalent level2 (``exact``, or
    ``level2-renamed`` where the headings differ in print), under the same ``level1_std``, then
    anywhere (an indicator moved between categories with the framework); the same name once the
    project's own name and years are taken out (``project-name``); near names under an
    equivalent level2 (``fuzzy``, with guards). Repeated names pair in ``seq`` order.

    The two targets of a pair are compared after
    :func:`~analysis.metrics.indicators.comparable`: an operator or a value unit printed in one
    year only is taken from the other (``op_not_printed``, ``unit_not_printed``), and quantities
    in convertible units are converted (``50万元``/``500000元``, ``1年``/``12个月``).

    Only projects declared in both years produce rows: a project that starts or ends gives no
    ``added``/``removed`` rows (that is a project-level fact, see :func:`project_changes`).

    ``change`` is one of :data:`CHANGE_TYPES`:

    - ``tightened`` / ``loosened``: for ``>=``/``>`` a higher value is tighter, for ``<=``/``<``
      a lower one (same value with ``>=`` -> ``>`` is tightened, ``>`` -> ``>=`` loosened);
      a range is tighter when neither end moves outwards and one moves in (narrower), looser
      when wider; a deadline moved earlier is tightened, later loosened, where a deadline
      counts relative to its declaration year (``12月底前`` declared in 2020 and again in 2021
      is unchanged; ``2021年6月30日前`` in 2021 after ``2020年12月31日前`` in 2020 is tightened);
    - ``unchanged``: same operator and value (and upper end); qualitative or deadline targets
      whose normalized text is identical; targets that could not be parsed with identical text;
    - ``changed``: comparable in neither direction: the kind changed, the value unit changed
      (and the two cannot be converted), the
      qualitative text changed, the operator changed between families (``=``, lower bounds,
      upper bounds, range), an ``=`` value moved, a range shifted;
    - ``added`` / ``removed``: the indicator exists only in the later / earlier declaration.

    Columns (one row per indicator pair, or per added/removed indicator):

    - ``unit``, ``project``: from the later (``to_year``) declaration;
    - ``level1``, ``level2``, ``name``: as published in the later declaration (in the earlier
      one for removed indicators);
    - ``from_year``, ``to_year`` (Int64): the two consecutive declared years compared;
    - ``old_raw``, ``new_raw``: ``target_raw`` in each year (null for added / removed);
    - ``change``: see above;
    - ``level1_std``: the canonical category used for matching;
    - ``project_key``, ``old_project`` (the name in ``from_year``), ``match`` and
      ``match_score`` (``"fuzzy"`` when the project was renamed between the two years);
    - ``gap_years`` (Int64): declared years missing between from_year and to_year (0 normally);
    - ``old_kind``/``new_kind``, ``old_op``/``new_op``, ``old_value``/``new_value``,
      ``old_value_hi``/``new_value_hi``, ``old_unit``/``new_unit``: the parsed targets;
    - ``old_decl_id``/``new_decl_id``: the two declarations compared (both given on every row);
      ``old_seq``/``new_seq``: the indicator's ``seq`` in each (null on the missing side).
    - ``indicator_key``: the indicator's identity across all its project's declared years;
      ``indicator_match`` (``exact``, ``level2-renamed``, ``project-name``, ``fuzzy``; null for
      added/removed) and ``indicator_match_score`` (100, or the similarity for ``fuzzy``): how
      the two were paired;
    - ``op_not_printed``, ``unit_not_printed`` (bool): one year printed no operator / no value
      unit and the other's was taken for the comparison.

    Indicators whose ``decl_id`` is not in ``declarations`` are left out, and so are
    medium-term targets (see :func:`year_targets`).
    """
    indicators = year_targets(indicators)
    pairs, side, old, new, hits, ind_keys = paired_indicators(indicators, declarations)
    seq = side["_seq"].to_numpy()
    removed = old.loc[~old["_r"].isin(hits["_r_o"])].rename(columns={"_r": "_r_o"})
    added = new.loc[~new["_r"].isin(hits["_r_n"])].rename(columns={"_r": "_r_n"})
    slim = pd.concat([hits, added, removed], ignore_index=True)
    slim = slim.assign(
        _seq_o=np.where(slim["_r_o"].notna(), seq[slim["_r_o"].fillna(0).astype("int64")], np.nan),
        _seq_n=np.where(slim["_r_n"].notna(), seq[slim["_r_n"].fillna(0).astype("int64")], np.nan),
    )
    slim = slim.sort_values(["_pair", "_seq_n", "_seq_o"], kind="stable", na_position="last")
    r_o = slim["_r_o"].fillna(-1).to_numpy(dtype="int64")
    r_n = slim["_r_n"].fillna(-1).to_numpy(dtype="int64")
    pair_rows = slim["_pair"].to_numpy(dtype="int64")

    fields = {
        "raw": "target_raw",
        "kind": "kind",
        "op": "op",
        "value": "value",
        "value_hi": "value_hi",
        "unit": "value_unit",
        "seq": "seq",
        "level1": "level1",
        "level2": "level2",
        "name": "name",
    }
    sides = {}
    for short, source in fields.items():
        sides[f"old_{short}"] = _take(indicators[source], r_o)
        sides[f"new_{short}"] = _take(indicators[source], r_n)
    l1_text = pd.Series(side["_l1"].to_numpy(dtype=object)).replace("", None)
    out = pd.DataFrame(sides).assign(
        level1_std=np.where(r_n >= 0, _take(l1_text, r_n), _take(l1_text, r_o)),
        from_year=_take(pairs["from_year"], pair_rows),
        to_year=_take(pairs["to_year"], pair_rows),
    )
    both = (r_o >= 0) & (r_n >= 0)
    cmp = il.comparable(out)
    flags = {f: both & cmp[f].to_numpy(dtype=bool) for f in ("op_not_printed", "unit_not_printed")}
    out = out.assign(
        change=np.select(
            [both, r_n >= 0],
            [_classify(out.assign(**{c: cmp[c] for c in il.COMPARED})), "added"],
            default="removed",
        ),
        indicator_key=np.where(r_n >= 0, ind_keys[np.clip(r_n, 0, None)], ind_keys[np.clip(r_o, 0, None)])
        if len(ind_keys)
        else np.array([], dtype=object),
        indicator_match=slim["match"].to_numpy(dtype=object),
        indicator_match_score=slim["score"].to_numpy(dtype=float),
        **flags,
        level1=out["new_level1"].where(r_n >= 0, out["old_level1"]),
        level2=out["new_level2"].where(r_n >= 0, out["old_level2"]),
        name=out["new_name"].where(r_n >= 0, out["old_name"]),
        **{
            c: _take(pairs[c], pair_rows)
            for c in (
                "unit",
                "project",
                "project_key",
                "old_project",
                "match",
                "match_score",
                "gap_years",
                "old_decl_id",
                "new_decl_id",
            )
        },
    )
    out = out.assign(
        old_seq=pd.array(out["old_seq"], dtype="Int64"),
        new_seq=pd.array(out["new_seq"], dtype="Int64"),
    )
    return out[FRAMES["target_changes"]]


# --------------------------------------------------------------------------- reading the changes

#: level-1 categories that exist in one framework only (see the README's table of the two)
FRAMEWORK_ONLY = {"old": ("投入管理", "影响力"), "new": ("满意度", "成本")}
_OLD_LEVEL1_WORDS = ("效果", "产出目标")  # 效果目标: the older framework's name of 效益
_NEW_LEVEL1_WORDS = ("效益", "产出指标")

#: level2 words whose ``=`` target has a clear direction: more is stricter for a quantity,
#: less for a duration or a cost (``_DURATION_UNITS``/money units only)
_MORE_IS_STRICTER = ("数量",)
_LESS_IS_STRICTER = ("时效", "成本")
_DURATION_UNITS = ("工作日", "日", "天", "小时", "分钟", "月", "周", "年")
_MONEY_UNITS = ("元",)


def declaration_frameworks(indicators: pd.DataFrame) -> pd.Series:
    """Per ``decl_id``: ``"old"`` (投入与管理/产出目标/效果目标/影响力目标), ``"new"``
    (产出指标/效益指标/满意度指标/成本指标) or ``"mixed"``/``"unknown"``.

    A declaration is old when it has a category of the older framework only (投入管理, 影响力) or
    a level1 naming 效果 or 产出目标, new when it has one of the newer only (满意度, 成本) or a level1
    naming 效益 or 产出指标.
    """
    if indicators.empty:
        return pd.Series(dtype=object, name="framework")
    l1 = indicators["level1"].astype("string").fillna("")
    std = (
        indicators["level1_std"].astype("string").fillna("")
        if "level1_std" in indicators
        else pd.Series("", index=indicators.index)
    )
    old = std.isin(FRAMEWORK_ONLY["old"]) | l1.str.contains("|".join(_OLD_LEVEL1_WORDS), regex=True)
    new = std.isin(FRAMEWORK_ONLY["new"]) | l1.str.contains("|".join(_NEW_LEVEL1_WORDS), regex=True)
    g = (
        pd.DataFrame({"decl_id": indicators["decl_id"], "old": old, "new": new})
        .groupby("decl_id")[["old", "new"]]
        .any()
    )
    out = np.select([g["old"] & g["new"], g["old"], g["new"]], ["mixed", "old", "new"], default="unknown")
    return pd.Series(out, index=g.index, name="framework")


def _nature_direction(changes: pd.DataFrame) -> np.ndarray:
    """+1 where a higher ``=`` value is stricter, -1 where lower is, 0 where the nature is not clear."""
    l2 = norm_text(changes["level2"])
    l1 = (
        changes["level1_std"].astype("string").fillna("")
        if "level1_std" in changes
        else pd.Series("", index=changes.index)
    )
    unit = norm_text(changes["new_unit"])
    more = l2.str.contains("|".join(_MORE_IS_STRICTER), regex=True)
    duration = unit.str.endswith(_DURATION_UNITS) & ~unit.str.contains("/", regex=False)
    money = unit.str.endswith(_MONEY_UNITS) & ~unit.str.contains("/", regex=False)
    less = (l2.str.contains("时效", regex=False) & duration) | (
        (l2.str.contains("成本", regex=False) | (l1 == "成本")) & money
    )
    return np.select([more.to_numpy() & ~less.to_numpy(), less.to_numpy() & ~more.to_numpy()], [1, -1], default=0)


def refine_changes(changes: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """:func:`target_changes` read further, for reports: two columns added, one rule applied.

    - A fixed target (``=`` in both years, same value unit) whose value moved is ``changed`` in
      :func:`target_changes`. Where the indicator's nature makes the direction clear it becomes
      ``tightened``/``loosened`` here, and ``by_nature`` is True: under a level2 naming 数量 a
      higher number is stricter (``=40个`` → ``=33个`` is loosened); under 时效 with a duration
      unit (工作日, 天, 小时 ...) and under 成本 with a money unit (元, 万元; not 元/人) a lower
      one is stricter. Anything else stays ``changed``.
    - ``framework_switch`` (bool): the project moved between the older and the newer framework
      between ``from_year`` and ``to_year`` (:func:`declaration_frameworks` differ, both known).
    - ``framework_change`` (bool): in such a pair, an ``added``/``removed`` indicator of a
      category the other declaration does not have at all (投入管理 indicators gone when the
      newer framework has no such level, 满意度 ones new): the form changed, not the target.
      Indicators that moved between frameworks under the same name are matched by
      :func:`target_changes` already.
    """
    out = changes.copy()
    cmp = il.comparable(out)  # operators and units printed in one year only, units converted
    fixed = (
        out["change"].eq("changed")
        & cmp["old_op"].eq("=")
        & cmp["new_op"].eq("=")
        & out["old_kind"].eq("quantitative")
        & out["new_kind"].eq("quantitative")
        & (cmp["old_unit"] == cmp["new_unit"])
        & cmp["old_value"].notna()
        & cmp["new_value"].notna()
    ).to_numpy()
    direction = _nature_direction(out.assign(new_unit=cmp["new_unit"])) if len(out) else np.zeros(0, dtype=int)
    ov = cmp["old_value"].to_numpy(dtype=float)
    nv = cmp["new_value"].to_numpy(dtype=float)
    moved = np.sign(np.nan_to_num(nv - ov)) * direction
    by_nature = fixed & (moved != 0)
    out["change"] = np.where(
        by_nature, np.where(moved > 0, "tightened", "loosened"), out["change"].to_numpy(dtype=object)
    )
    out["by_nature"] = by_nature

    fw = declaration_frameworks(indicators)
    old_fw = out["old_decl_id"].map(fw)
    new_fw = out["new_decl_id"].map(fw)
    switch = (old_fw.isin(["old", "new"]) & new_fw.isin(["old", "new"]) & (old_fw != new_fw)).to_numpy()
    cats = pd.DataFrame({"decl_id": indicators["decl_id"], "c": indicators["level1_std"]}).drop_duplicates()
    have = set(zip(cats["decl_id"], cats["c"]))
    other = np.where(out["change"].eq("removed"), out["new_decl_id"], out["old_decl_id"])
    absent = np.array([(d, c) not in have for d, c in zip(other, out["level1_std"])], dtype=bool)
    out["framework_switch"] = switch
    out["framework_change"] = switch & out["change"].isin(["added", "removed"]).to_numpy() & absent
    return out


def project_changes(declarations: pd.DataFrame) -> pd.DataFrame:
    """Project-level events between consecutive years of each unit.

    One row per event, with ``unit``, ``project``, ``project_key``, ``year`` and ``event``:

    - ``started``: first declaration of the project, in a year after the unit's first year;
    - ``ended``: last declaration of the project, in a year before the unit's last year
      (``year`` is that last declared year);
    - ``resumed``: declared again after one or more years without a declaration
      (``gap_years`` says how many);
    - ``renamed``: declared under a new name linked by similarity (``old_project``,
      ``match_score``).

    Extra columns: ``gap_years`` (Int64, for resumed), ``old_project`` and ``match_score``
    (for renamed), null otherwise.
    """
    d = linked(declarations)
    d = d.sort_values(["project_key", "year"], kind="stable").drop_duplicates(["project_key", "year"])
    unit_n = norm_text(d["unit"])
    first_u = d.groupby(unit_n)["year"].transform("min")
    last_u = d.groupby(unit_n)["year"].transform("max")
    g = d.groupby("project_key", sort=False)
    prev_year = g["year"].shift(1)
    prev_name = g["project"].shift(1)
    is_first = prev_year.isna()
    is_last = g["year"].shift(-1).isna()
    gap = (d["year"] - prev_year - 1).astype("Int64")
    masks = {
        "started": (is_first & (d["year"] > first_u)),
        "ended": (is_last & (d["year"] < last_u)),
        "resumed": gap.gt(0),
        "renamed": d["match"].eq("fuzzy"),
    }
    base = pd.DataFrame(
        {
            "unit": d["unit"],
            "project": d["project"],
            "project_key": d["project_key"],
            "year": d["year"],
            "gap_years": gap,
            "old_project": prev_name,
            "match_score": d["match_score"],
        }
    )
    parts = [base.loc[mask.fillna(False).astype(bool).to_numpy()].assign(event=event) for event, mask in masks.items()]
    out = pd.concat(parts, ignore_index=True)
    out = out.assign(
        gap_years=out["gap_years"].where(out["event"] == "resumed").astype("Int64"),
        old_project=out["old_project"].where(out["event"] == "renamed"),
        match_score=out["match_score"].where(out["event"] == "renamed").astype(float),
    )
    return (
        out[["unit", "project", "project_key", "year", "event", "gap_years", "old_project", "match_score"]]
        .sort_values(["unit", "year", "event", "project"], kind="stable")
        .reset_index(drop=True)
    )


def change_summary(changes: pd.DataFrame, by=("unit", "to_year")) -> pd.DataFrame:
    """Counts of each change type per group of :func:`target_changes` rows.

    One row per group, with the ``by`` columns and ``tightened``, ``loosened``, ``unchanged``,
    ``changed``, ``added``, ``removed`` (int: indicator rows of that change), ``n`` (all rows)
    and ``net_tightening`` = tightened - loosened (positive: targets raised on balance).
    Use ``by=("unit", "project_key", "to_year")`` for a per-project summary.
    """
    keys = as_by(by)
    counts = (
        pd.crosstab(
            [changes[k] for k in keys] if keys else pd.Series(0, index=changes.index, name="_all"),
            changes["change"],
            dropna=False,
        )
        if len(changes)
        else pd.DataFrame(columns=list(CHANGE_TYPES))
    )
    counts = counts.reindex(columns=list(CHANGE_TYPES), fill_value=0).astype(int)
    counts.columns.name = None
    counts = counts.assign(n=counts.sum(axis=1), net_tightening=counts["tightened"] - counts["loosened"])
    if keys and len(changes):
        counts = counts.reset_index()
    elif not keys:
        counts = counts.reset_index(drop=True)
    else:
        counts = counts.assign(**{k: pd.Series(dtype=object) for k in keys})[keys + list(counts.columns)]
    return counts.reset_index(drop=True)


def project_budget_vs_targets(declarations: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Per project and compared year: did the project's budget grow while its targets were loosened?

    One row per project and pair of consecutive declared years in ``changes`` (the later year is
    ``year``):

    - ``unit``, ``project`` (the later declaration's), ``project_key``, ``from_year``, ``year``;
    - ``prev_year_budget``, ``year_budget`` (float, yuan): the project's 当年预算 in the two
      declarations (null when not printed); ``budget_change``, ``budget_change_rel``;
    - ``tightened``, ``loosened`` (int): the project's indicators tightened / loosened between the
      two years; ``net_tightening`` = tightened - loosened;
    - ``budget_up_targets_loosened`` (bool): the project's budget grew and more of its targets were
      loosened than tightened.
    """
    cols = FRAMES["project_budget_vs_targets"]
    if changes is None or changes.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    d = declarations.drop_duplicates("decl_id").set_index("decl_id")
    budget = pd.to_numeric(d["year_budget"], errors="coerce").astype(float) if "year_budget" in d else None
    ch = changes.assign(
        _t=(changes["change"] == "tightened").astype(int),
        _l=(changes["change"] == "loosened").astype(int),
    )
    per = (
        ch.groupby(["project_key", "old_decl_id", "new_decl_id"], sort=False, dropna=False)
        .agg(
            unit=("unit", "first"),
            project=("project", "first"),
            from_year=("from_year", "first"),
            year=("to_year", "first"),
            tightened=("_t", "sum"),
            loosened=("_l", "sum"),
        )
        .reset_index()
    )
    if budget is not None:
        prev_b = per["old_decl_id"].map(budget).astype(float)
        new_b = per["new_decl_id"].map(budget).astype(float)
    else:
        prev_b = new_b = pd.Series(np.nan, index=per.index)
    change = new_b - prev_b
    per = per.assign(
        from_year=per["from_year"].astype("Int64"),
        year=per["year"].astype("Int64"),
        prev_year_budget=prev_b,
        year_budget=new_b,
        budget_change=change,
        budget_change_rel=change / prev_b.where(prev_b != 0),
        tightened=per["tightened"].astype(int),
        loosened=per["loosened"].astype(int),
        net_tightening=(per["tightened"] - per["loosened"]).astype(int),
        budget_up_targets_loosened=(change > 0).fillna(False).astype(bool) & (per["loosened"] > per["tightened"]),
    )
    return per[cols].sort_values(["unit", "year", "project"], kind="stable").reset_index(drop=True)


def budget_vs_targets(declarations: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Per unit and year: projects whose budget grew while their targets were loosened, with the
    unit's totals beside them as context.

    The flag is judged per project (:func:`project_budget_vs_targets`), never on the unit's sums: a
    unit whose total grew only because a project was added, while the one project that loosened
    its targets lost budget, is not flagged. One row per unit and declared year:

    - ``unit``, ``year``; ``n_projects`` (declarations that year);
    - ``n_flagged_projects`` (int): projects whose own budget grew while more of their targets
      were loosened than tightened; ``budget_up_targets_loosened`` (bool): at least one;
    - context, the unit's totals: ``year_budget`` (float, yuan: sum of the year budgets declared
      that year, null if none known), ``prev_year_budget`` (the same sum for year - 1, null when
      the unit did not declare then), ``budget_change`` = year_budget - prev_year_budget,
      ``budget_change_rel`` = that / prev; ``tightened``, ``loosened`` (int: indicator changes with
      ``to_year`` = year) and ``net_tightening`` = tightened - loosened.
    """
    d = declarations.drop_duplicates("decl_id")
    d = d.assign(unit_n=norm_text(d["unit"]), year=pd.to_numeric(d["year"]).astype("Int64"))
    per = d.groupby(["unit_n", "year"]).agg(
        unit=("unit", "first"),
        n_projects=("project", "size"),
    )
    per = per.assign(
        year_budget=d.assign(_b=pd.to_numeric(d["year_budget"], errors="coerce").astype(float))
        .groupby(["unit_n", "year"])["_b"]
        .sum(min_count=1)
    ).reset_index()
    prev = per[["unit_n", "year", "year_budget"]].rename(columns={"year_budget": "prev_year_budget"})
    prev = prev.assign(year=prev["year"] + 1)
    per = per.merge(prev, on=["unit_n", "year"], how="left")
    projects = project_budget_vs_targets(declarations, changes)
    counts = (
        pd.DataFrame(
            {
                "unit_n": norm_text(projects["unit"]),
                "year": projects["year"].astype("Int64"),
                "tightened": projects["tightened"].astype(int),
                "loosened": projects["loosened"].astype(int),
                "n_flagged_projects": projects["budget_up_targets_loosened"].astype(int),
            }
        )
        .groupby(["unit_n", "year"])
        .sum()
        .reset_index()
    )
    per = per.merge(counts, on=["unit_n", "year"], how="left")
    per = per.assign(
        tightened=per["tightened"].fillna(0).astype(int),
        loosened=per["loosened"].fillna(0).astype(int),
        n_flagged_projects=per["n_flagged_projects"].fillna(0).astype(int),
        budget_change=per["year_budget"] - per["prev_year_budget"],
    )
    per = per.assign(
        budget_change_rel=per["budget_change"] / per["prev_year_budget"].where(per["prev_year_budget"] != 0),
        net_tightening=per["tightened"] - per["loosened"],
        budget_up_targets_loosened=per["n_flagged_projects"] > 0,
    )
    return per[FRAMES["budget_vs_targets"]].sort_values(["unit", "year"], kind="stable").reset_index(drop=True)
