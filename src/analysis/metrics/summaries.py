"""The figures the reports, the index, the export and the command line show, computed once here
from the processed frames (the display itself is :mod:`analysis.reports.show`)."""

from __future__ import annotations

import pandas as pd

from analysis.metrics.changes import CHANGE_TYPES, change_summary, refine_changes, target_changes
from analysis.metrics.rules import GROUPS, RULE_IDS, RULES, RULESET_VERSION, review


def headline_figures(declarations: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Headline figures per ``by`` (``"unit"``, ``"year"``) or for all rows (``by=None``).

    Columns: ``n_projects``, ``year_budget`` (sum of 当年预算), ``rate`` = sum of 上年执行数 over
    sum of 上年预算 for the declarations where both are known (budget-weighted, as in
    ``metrics.execution_rates``).
    """
    d = declarations[
        [c for c in ("unit", "year", "year_budget", "prior_budget", "prior_executed") if c in declarations]
    ]
    both = d["prior_budget"].notna() & d["prior_executed"].notna() & (d["prior_budget"] > 0)
    d = d.assign(
        _pb=d["prior_budget"].where(both),
        _pe=d["prior_executed"].where(both),
        _n=1,
    )
    if by is None:
        d = d.assign(_all=0)
        key = "_all"
    else:
        key = by
    g = d.groupby(key, dropna=False, sort=True).agg(
        n_projects=("_n", "sum"),
        year_budget=("year_budget", lambda s: s.sum(min_count=1)),
        _pb=("_pb", lambda s: s.sum(min_count=1)),
        _pe=("_pe", lambda s: s.sum(min_count=1)),
    )
    g["rate"] = (g["_pe"] / g["_pb"]).where(g["_pb"] > 0)
    g = g.drop(columns=["_pb", "_pe"]).reset_index()
    if by is None:
        g = g.drop(columns=["_all"])
    return g


def unit_ranking(declarations: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Per unit: projects, 当年预算 and the execution figures of ``rates``, largest budget first.

    ``rates``: ``metrics.execution_rates(declarations, by=("unit", "year"))`` for one year.
    """
    budget = headline_figures(declarations, "unit")[["unit", "n_projects", "year_budget"]]
    keep = [
        c
        for c in ("unit", "exec_year", "prior_budget", "prior_executed", "rate", "mean_rate", "n_below_target")
        if c in rates
    ]
    merged = budget.merge(rates[keep], on="unit", how="left")
    return merged.sort_values(["year_budget", "unit"], ascending=[False, True], na_position="last", ignore_index=True)


def year_totals(declarations: pd.DataFrame) -> pd.DataFrame:
    """Per year: units, projects, 当年预算 and the execution rate reported for the year before."""
    h = headline_figures(declarations, "year")
    units = declarations.groupby("year")["unit"].nunique().rename("n_units").reset_index()
    out = units.merge(h, on="year", how="right")
    return out.assign(exec_year=out["year"] - 1)[["year", "n_units", "n_projects", "year_budget", "exec_year", "rate"]]


def changes_for_report(indicators: pd.DataFrame, declarations: pd.DataFrame) -> pd.DataFrame:
    """``metrics.target_changes`` read by ``metrics.refine_changes`` (fixed targets by the
    indicator's nature, framework switches), with the file and line of each indicator
    (``source_file``, ``source_line``: the later declaration's, the earlier one's for a removal)
    and the two year budgets of the project (``prev_year_budget``, ``year_budget``)."""
    refined = refine_changes(target_changes(indicators, declarations), indicators)
    if refined.empty:
        return refined.assign(
            source_file=pd.Series(dtype=object),
            source_line=pd.Series(dtype="Int64"),
            year_budget=pd.Series(dtype=float),
            prev_year_budget=pd.Series(dtype=float),
        )
    d = declarations.drop_duplicates("decl_id").set_index("decl_id")
    removed = refined["change"].eq("removed")
    side_decl = refined["new_decl_id"].where(~removed, refined["old_decl_id"])
    side_seq = refined["new_seq"].where(~removed, refined["old_seq"])
    lines = indicators.drop_duplicates(["decl_id", "seq"]).set_index(["decl_id", "seq"])["source_line"]
    keys = pd.MultiIndex.from_arrays([side_decl, side_seq.astype("Int64")])
    return refined.assign(
        source_file=side_decl.map(d["source_file"]).to_numpy(),
        source_line=pd.array(lines.reindex(keys).to_numpy(), dtype="Int64"),
        year_budget=refined["new_decl_id"].map(d["year_budget"]).astype(float).to_numpy(),
        prev_year_budget=refined["old_decl_id"].map(d["year_budget"]).astype(float).to_numpy(),
    )


def change_counts(changes: pd.DataFrame, by) -> pd.DataFrame:
    """``metrics.change_summary`` of the real changes, with the framework changes counted apart
    (``framework_changes``) rather than as 新增/删除."""
    by = [by] if isinstance(by, str) else list(by)
    fw = changes["framework_change"] if "framework_change" in changes else pd.Series(False, index=changes.index)
    summary = change_summary(changes[~fw.astype(bool)], by=by)
    counts = changes[fw.astype(bool)].groupby(by).size().rename("framework_changes").reset_index()
    if summary.empty:
        summary = counts.assign(**{c: 0 for c in (*CHANGE_TYPES, "n", "net_tightening")})
    out = summary.merge(counts, on=by, how="outer") if len(counts) else summary.assign(framework_changes=0)
    num = [c for c in out.columns if c not in by]
    return out.assign(**{c: out[c].fillna(0).astype(int) for c in num})


def change_shares(changes: pd.DataFrame) -> pd.DataFrame:
    """Per ``to_year``: indicators compared in both years (``n_compared``), the shares tightened
    and loosened among them."""
    compared = changes[~changes["change"].isin(["added", "removed"])]
    if compared.empty:
        return pd.DataFrame(
            columns=["to_year", "n_compared", "tightened", "loosened", "share_tightened", "share_loosened"]
        )
    g = (
        compared.groupby("to_year")
        .agg(
            n_compared=("change", "size"),
            tightened=("change", lambda s: int((s == "tightened").sum())),
            loosened=("change", lambda s: int((s == "loosened").sum())),
        )
        .reset_index()
    )
    return g.assign(share_tightened=g["tightened"] / g["n_compared"], share_loosened=g["loosened"] / g["n_compared"])


def units_moved(changes: pd.DataFrame, budget_targets: pd.DataFrame) -> pd.DataFrame:
    """Per unit over every year: targets tightened and loosened, the balance, and the years whose
    budget grew while targets were loosened; most loosened first."""
    counts = (
        change_counts(changes, "unit")[["unit", "tightened", "loosened", "net_tightening"]]
        if len(changes)
        else pd.DataFrame(columns=["unit", "tightened", "loosened", "net_tightening"])
    )
    bt = (
        budget_targets.groupby("unit")
        .agg(
            n_years=("year", "nunique"),
            n_flagged_years=("budget_up_targets_loosened", "sum"),
        )
        .reset_index()
    )
    out = bt.merge(counts, on="unit", how="left")
    out = out.assign(
        **{c: out[c].fillna(0).astype(int) for c in ("tightened", "loosened", "net_tightening", "n_flagged_years")}
    )
    return out.sort_values(["net_tightening", "loosened", "unit"], ascending=[True, False, True], ignore_index=True)


def review_for_report(
    declarations: pd.DataFrame, indicators: pd.DataFrame, changes=None, problems: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``metrics.review`` of these declarations (one row per declaration and rule)."""
    return review(declarations, indicators, changes=changes, problems=problems)


def report_headline(
    declarations: pd.DataFrame,
    execution: pd.DataFrame,
    changes: pd.DataFrame,
    project_budget: pd.DataFrame,
    review_rows: pd.DataFrame,
    problems: pd.DataFrame | None = None,
    reconciliation: pd.DataFrame | None = None,
    peers: pd.DataFrame | None = None,
) -> dict:
    """The figures of a report's first screen, for its latest year (``year``):

    ``n_projects``, ``year_budget``, ``prev_year_budget`` (the year before, summed; null when
    not declared), ``budget_change``; ``exec_year``, ``rate`` (budget-weighted execution of
    the year before as reported in ``year``), ``exec_target`` (the mean of the targets declared
    for that year), ``n_below_target``; ``tightened``/``loosened`` (indicator changes into
    ``year``) and ``tightened_all``/``loosened_all`` (all years); ``pass_rate``, ``n_fail``
    (the review over every year); and the counts of the flags: ``n_flagged_projects`` (budget up
    while targets loosened, every year), ``n_below_target_all`` (projects below their execution
    target, every year), ``n_reconciliation``, ``n_renamed`` and ``n_errors`` (problems of
    severity error); with ``peers`` (:func:`analysis.metrics.peer_position` of the unit's
    targets), ``n_lax`` and ``lax``: the lax targets, latest year first, each a dict of ``year``,
    ``project``, ``name``, ``target_raw``, ``peer_median``, ``value_unit``, ``n_peers`` and
    ``indicator_key`` (where the positions carry it)."""
    years = sorted(int(y) for y in declarations["year"].dropna().unique())
    out: dict = {"year": years[-1] if years else None}
    if not years:
        return out
    y = years[-1]
    latest = headline_figures(declarations[declarations["year"] == y]).iloc[0]
    prev = declarations[declarations["year"] == y - 1]
    prev_budget = headline_figures(prev).iloc[0]["year_budget"] if len(prev) else float("nan")
    ex = execution[execution["exec_year"] == y - 1] if len(execution) else execution
    below = execution["below_target"].fillna(False).astype(bool) if len(execution) else pd.Series(dtype=bool)
    ch_y = changes[changes["to_year"] == y] if len(changes) else changes
    out.update(
        n_projects=int(latest["n_projects"]),
        year_budget=latest["year_budget"],
        prev_year_budget=prev_budget,
        budget_change=latest["year_budget"] - prev_budget,
        exec_year=y - 1,
        rate=latest["rate"],
        exec_target=ex["exec_target"].mean() if len(ex) else float("nan"),
        n_below_target=int(ex["below_target"].fillna(False).astype(bool).sum()) if len(ex) else 0,
        n_below_target_all=int(below.sum()),
        tightened=int((ch_y["change"] == "tightened").sum()) if len(ch_y) else 0,
        loosened=int((ch_y["change"] == "loosened").sum()) if len(ch_y) else 0,
        tightened_all=int((changes["change"] == "tightened").sum()) if len(changes) else 0,
        loosened_all=int((changes["change"] == "loosened").sum()) if len(changes) else 0,
        n_flagged_projects=int(project_budget["budget_up_targets_loosened"].astype(bool).sum())
        if len(project_budget)
        else 0,
        n_reconciliation=0 if reconciliation is None else len(reconciliation),
        n_renamed=int(changes.drop_duplicates(["project_key", "to_year"])["match"].eq("fuzzy").sum())
        if len(changes)
        else 0,
        n_errors=0 if problems is None or problems.empty else int((problems["severity"] == "error").sum()),
    )
    judged = review_rows[review_rows["outcome"].isin(["pass", "fail"])] if len(review_rows) else review_rows
    out["n_fail"] = int((judged["outcome"] == "fail").sum()) if len(judged) else 0
    out["n_fail_projects"] = int(judged.loc[judged["outcome"] == "fail", "decl_id"].nunique()) if len(judged) else 0
    out["pass_rate"] = (len(judged) - out["n_fail"]) / len(judged) if len(judged) else float("nan")
    out["lax"] = lax_targets(peers)
    out["n_lax"] = len(out["lax"])
    return out


def lax_targets(peers: pd.DataFrame | None) -> list[dict]:
    """The lax targets of :func:`analysis.metrics.peer_position`, latest year first: ``year``,
    ``project``, ``name``, ``target_raw``, ``peer_median`` (in ``value_unit``), ``n_peers``,
    ``indicator_key`` (None where the positions do not carry it)."""
    if peers is None or peers.empty:
        return []
    lax = peers[peers["lax"].fillna(False).astype(bool)]
    lax = lax.sort_values(["year", "project", "seq"], ascending=[False, True, True], kind="stable")
    cols = ["year", "project", "name", "target_raw", "peer_median", "value_unit", "n_peers", "indicator_key"]
    return [{c: rec.get(c) for c in cols} for rec in lax.to_dict("records")]


#: a unit name that says no place: 区林业局, 县财政局, 市场监督管理所 … (a place prefix missing)
_PLACELESS = ("区", "县", "市", "镇", "乡", "街道")
SHORT_NAME = 6


def ambiguous_units(declarations: pd.DataFrame) -> pd.DataFrame:
    """Units whose name may stand for several units: a short name or one that starts with a bare
    区/县/市 … (no place named), declared under more than one supervising department or from more
    than one folder of the input (区林业局 of two districts read as one unit).

    One row per such unit: ``unit``, ``n_departments``, ``departments`` (joined with 、),
    ``n_folders``, ``folders`` (the first folder of each ``source_file``)."""
    cols = ["unit", "n_departments", "departments", "n_folders", "folders"]
    if declarations.empty:
        return pd.DataFrame(columns=cols)
    d = declarations
    unit = d["unit"].astype("string").fillna("")
    short = unit.str.strip().str.len().le(SHORT_NAME) | unit.str.strip().str.startswith(_PLACELESS)
    dept = d["department"].astype("string") if "department" in d else pd.Series(pd.NA, index=d.index, dtype="string")
    # the folder a file came from, year folders aside (synthetic/2019 and synthetic/2020 are one source)
    folder = (
        d["source_file"]
        .astype("string")
        .str.replace("\\", "/", regex=False)
        .str.replace(r"(^|/)[^/]*$", "", regex=True)
        .str.replace(r"(^|/)(19|20)\d\d(?=/|$)", "", regex=True)
        .str.strip("/")
        if "source_file" in d
        else pd.Series(pd.NA, index=d.index, dtype="string")
    )
    f = pd.DataFrame({"unit": unit, "dept": dept, "folder": folder})[short.to_numpy()]
    rows = []
    for u, g in f.groupby("unit", sort=True):
        depts = sorted(set(g["dept"].dropna()))
        folders = sorted(set(g["folder"].dropna()))
        if len(depts) > 1 or len(folders) > 1:
            rows.append([u, len(depts), "、".join(depts), len(folders), "、".join(folders)])
    return pd.DataFrame(rows, columns=cols)


def review_summary(review: pd.DataFrame, by=("unit", "year"), per: str = "group") -> pd.DataFrame:
    """Pass rates of a :func:`review` per group of declarations.

    ``by``: columns of ``review`` (``("unit", "year")``, ``"unit"``, ``"year"``, ``()`` for all).
    ``per``:

    - ``"group"`` (default): one row per ``by`` group and rule group, in the order of
      :data:`GROUPS`, then a row with group ``合计`` over all rules;
    - ``"rule"``: one row per ``by`` group and rule, the rules failed most first
      (by ``n_fail``, then rule order), with ``description`` and ``source``.

    Columns: the ``by`` columns, ``group`` (and ``rule``, ``description``, ``source`` for
    ``per="rule"``), ``n_projects`` (declarations reviewed), ``n_pass``, ``n_fail``, ``n_na``
    (rows with each outcome), ``pass_rate`` = n_pass / (n_pass + n_fail) (null when no rule
    applied) and ``ruleset``.
    """
    keys = [by] if isinstance(by, str) else list(by or ())
    if per not in ("group", "rule"):
        raise ValueError(f"review_summary: per must be 'group' or 'rule', not {per!r}")
    r = review.assign(
        _pass=(review["outcome"] == "pass").astype(int),
        _fail=(review["outcome"] == "fail").astype(int),
        _na=(review["outcome"] == "n/a").astype(int),
    )
    ruleset = (
        review["ruleset"].iloc[0]
        if len(review) and "ruleset" in review
        else review.attrs.get("ruleset", RULESET_VERSION)
    )

    def agg(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
        grouper = cols if cols else (lambda _: 0)
        g = frame.groupby(grouper, dropna=False, sort=False)
        out = g.agg(
            n_projects=("decl_id", "nunique"), n_pass=("_pass", "sum"), n_fail=("_fail", "sum"), n_na=("_na", "sum")
        )
        out = out.reset_index(drop=not cols)
        decided = out["n_pass"] + out["n_fail"]
        return out.assign(pass_rate=out["n_pass"] / decided.where(decided > 0))

    if per == "group":
        parts = agg(r, keys + ["group"])
        total = agg(r, keys).assign(group="合计")
        out = pd.concat([parts, total], ignore_index=True)
        order = {g: i for i, g in enumerate((*GROUPS, "合计"))}
        out = out.assign(_o=out["group"].map(order).fillna(len(order)))
        out = out.sort_values([*keys, "_o"], kind="stable").drop(columns="_o")
        cols = [*keys, "group", "n_projects", "n_pass", "n_fail", "n_na", "pass_rate"]
    else:
        out = agg(r, keys + ["rule"])
        info = pd.DataFrame(
            [(x.id, x.group, x.description, x.source) for x in RULES],
            columns=["rule", "group", "description", "source"],
        )
        out = out.merge(info, on="rule", how="left")
        out = out.assign(_o=out["rule"].map({x: i for i, x in enumerate(RULE_IDS)}))
        out = out.sort_values([*keys, "n_fail", "_o"], ascending=[True] * len(keys) + [False, True], kind="stable")
        out = out.drop(columns="_o")
        cols = [*keys, "group", "rule", "description", "source", "n_projects", "n_pass", "n_fail", "n_na", "pass_rate"]
    out = out[cols].reset_index(drop=True).assign(ruleset=ruleset)
    out.attrs["ruleset"] = ruleset
    return out


# ----------------------------------------------------------------------------- first screens of the year and overview reports


def _compared(changes: pd.DataFrame) -> int:
    """Indicators compared in both years (not added, removed, nor a framework's switch)."""
    if changes is None or changes.empty:
        return 0
    fw = changes["framework_change"].astype(bool) if "framework_change" in changes else False
    return int((~changes["change"].isin(["added", "removed"]) & ~fw).sum())


def _flagged_units(project_budget: pd.DataFrame) -> int:
    if project_budget is None or project_budget.empty:
        return 0
    return int(project_budget.loc[project_budget["budget_up_targets_loosened"].astype(bool), "unit"].nunique())


def year_headline(
    declarations: pd.DataFrame,
    year: int,
    execution: pd.DataFrame,
    changes: pd.DataFrame,
    project_budget: pd.DataFrame,
    review_rows: pd.DataFrame,
    problems: pd.DataFrame | None = None,
) -> dict:
    """The figures of a year report's first screen: :func:`report_headline` of ``year`` alone (its
    declarations against the year before's, the execution of the year before reported in it, the
    changes into it, the review of its declarations, the problems of its files), with ``n_units``,
    ``prev_n_units``, ``prev_n_projects`` (the year before; 0 when it has no declaration),
    ``budget_change_rel``, ``n_compared`` (indicators compared with the year before) and
    ``n_flagged_units`` (units with a project whose budget grew while its targets were loosened).

    Each frame may hold other years (the notebook's whole ``data``): only what bears on ``year``
    is counted. ``{"year": None}`` when ``year`` has no declaration."""
    y = int(year)
    d = declarations[declarations["year"].isin([y - 1, y])]
    mine = d[d["year"] == y]
    if mine.empty:
        return {"year": None}
    ex = execution[execution["exec_year"] == y - 1] if len(execution) else execution
    ch = changes[changes["to_year"] == y] if len(changes) else changes
    pb = project_budget[project_budget["year"] == y] if len(project_budget) else project_budget
    rv = review_rows[review_rows["year"] == y] if len(review_rows) else review_rows
    out = report_headline(d, ex, ch, pb, rv, problems=problems)
    prev = d[d["year"] == y - 1]
    out.update(
        n_units=int(mine["unit"].nunique()),
        prev_n_units=int(prev["unit"].nunique()),
        prev_n_projects=len(prev),
        budget_change_rel=_relative(out["budget_change"], out["prev_year_budget"]),
        n_compared=_compared(ch),
        n_flagged_units=_flagged_units(pb),
    )
    return out


def overview_headline(
    declarations: pd.DataFrame,
    execution: pd.DataFrame,
    changes: pd.DataFrame,
    project_budget: pd.DataFrame,
    review_rows: pd.DataFrame,
    problems: pd.DataFrame | None = None,
) -> dict:
    """The figures of the overview's first screen: :func:`report_headline` over every year (the
    latest year's budget and its change, the latest execution; targets tightened and loosened,
    the review and the flags over all years), with ``first_year``, ``n_years``, ``n_units``,
    ``n_declarations``, ``total_budget`` (当年预算 of every year summed), ``rate_all`` (the
    execution of every year reported, budget-weighted), ``budget_change_rel``, ``n_compared``
    (indicators compared between consecutive years) and ``n_flagged_units``."""
    out = report_headline(declarations, execution, changes, project_budget, review_rows, problems=problems)
    if not out.get("year"):
        return out
    years = sorted(int(y) for y in declarations["year"].dropna().unique())
    everything = headline_figures(declarations).iloc[0]
    out.update(
        first_year=years[0],
        n_years=len(years),
        n_units=int(declarations["unit"].nunique()),
        n_declarations=len(declarations),
        total_budget=everything["year_budget"],
        rate_all=everything["rate"],
        budget_change_rel=_relative(out["budget_change"], out["prev_year_budget"]),
        n_compared=_compared(changes),
        n_flagged_units=_flagged_units(project_budget),
    )
    return out


def _relative(change, base) -> float:
    return float(change / base) if pd.notna(change) and pd.notna(base) and base else float("nan")
