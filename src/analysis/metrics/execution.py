"""Budget execution: last year's money against its own target, per project and per group, and the
reconciliation of a prior budget with what the project declared the year before."""

from __future__ import annotations

import pandas as pd

from analysis.metrics.common import as_by, linked


def realized_rate(declarations: pd.DataFrame) -> pd.Series:
    """prior_executed / prior_budget where both are known and the budget is positive."""
    budget = pd.to_numeric(declarations["prior_budget"], errors="coerce").astype(float)
    executed = pd.to_numeric(declarations["prior_executed"], errors="coerce").astype(float)
    ok = budget.gt(0) & executed.notna()
    return (executed / budget.where(ok)).where(ok)


def project_execution(declarations: pd.DataFrame) -> pd.DataFrame:
    """Per project and execution year: the 预算执行率 target against the realized rate.

    The money of year Y is spent in Y; its target is the ``exec_target`` of the project's
    year-Y declaration, and the realized figures are the ``prior_budget`` and
    ``prior_executed`` of its year-Y+1 declaration. Both are matched through the project
    identity (:func:`analysis.metrics.identity.link`), so a renamed project keeps its target.

    One row per pair of (target declaration, realized declaration), including rows where only
    one side exists (a target with no report yet, or a report with no previous declaration):

    - ``unit``, ``project``: from the realized (Y+1) declaration, else from the year-Y one;
    - ``project_key``: the project identity;
    - ``exec_year`` (Int64): Y, the year the money was spent;
    - ``target_decl_id``, ``realized_decl_id``: the two declarations (null when absent);
    - ``exec_target`` (float): the ratio declared for Y (0.99 for ``>=99%``), null if none;
    - ``exec_target_op``: the operator of that target as published (``>=``, ``=``, ...);
    - ``prior_budget``, ``prior_executed`` (float, yuan): as reported in the Y+1 declaration;
    - ``realized_rate`` (float): prior_executed / prior_budget, null when unknown or budget 0;
    - ``below_target`` (boolean, nullable): realized_rate < exec_target; null unless both known;
    - ``match``, ``match_score``: how the Y+1 declaration is linked to the year-Y one
      (``"fuzzy"`` marks a rename; see :mod:`analysis.identity`).
    """
    return _project_execution(linked(declarations))


def _project_execution(d: pd.DataFrame) -> pd.DataFrame:
    left = pd.DataFrame(
        {
            "project_key": d["project_key"],
            "exec_year": d["year"],
            "unit_t": d["unit"],
            "project_t": d["project"],
            "target_decl_id": d["decl_id"],
            "exec_target": pd.to_numeric(d["exec_target"], errors="coerce").astype(float),
            "exec_target_op": d["exec_target_op"],
        }
    )
    right = pd.DataFrame(
        {
            "project_key": d["project_key"],
            "exec_year": d["year"] - 1,
            "unit_r": d["unit"],
            "project_r": d["project"],
            "realized_decl_id": d["decl_id"],
            "prior_budget": pd.to_numeric(d["prior_budget"], errors="coerce").astype(float),
            "prior_executed": pd.to_numeric(d["prior_executed"], errors="coerce").astype(float),
            "realized_rate": realized_rate(d),
            "match": d["match"],
            "match_score": d["match_score"],
        }
    )
    out = left.merge(right, on=["project_key", "exec_year"], how="outer", sort=False)
    below = (out["realized_rate"] < out["exec_target"]).astype("boolean")
    below = below.where(out["realized_rate"].notna() & out["exec_target"].notna(), pd.NA)
    out = out.assign(
        unit=out["unit_r"].fillna(out["unit_t"]),
        project=out["project_r"].fillna(out["project_t"]),
        below_target=below,
    )
    cols = [
        "unit",
        "project",
        "project_key",
        "exec_year",
        "target_decl_id",
        "realized_decl_id",
        "exec_target",
        "exec_target_op",
        "prior_budget",
        "prior_executed",
        "realized_rate",
        "below_target",
        "match",
        "match_score",
    ]
    return out[cols].sort_values(["unit", "project_key", "exec_year"], kind="stable").reset_index(drop=True)


def lowest_rates(execution: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The ``n`` rows of :func:`project_execution` with the lowest realized rate, lowest first;
    rows with no rate are left out (they are not "low", only unknown), so fewer than ``n`` rows,
    or none, come back when fewer projects reported their money."""
    known = execution[execution["realized_rate"].notna()]
    return known.sort_values("realized_rate", kind="stable").head(n)


def execution_rates(declarations: pd.DataFrame, by=("unit", "year")) -> pd.DataFrame:
    """Budget execution of the previous year, per group of declarations.

    A declaration of year Y reports how the project's money of Y-1 was spent
    (``prior_budget``, ``prior_executed``); ``exec_year`` = Y-1 is that year. ``by`` is a
    column name or a list of names of ``declarations`` (``exec_year`` may be used too).

    One row per group, with the ``by`` columns and:

    - ``exec_year`` (Int64): year - 1 when ``year`` is in ``by``; otherwise the common
      exec_year of the group, or null when the group spans several years;
    - ``exec_year_from``, ``exec_year_to`` (Int64): the first and last exec_year in the group;
    - ``n_projects`` (int): declarations in the group;
    - ``n_reported`` (int): declarations with a known rate (both figures, budget > 0);
    - ``prior_budget``, ``prior_executed`` (float, yuan): sums over those reported rows
      (null when none);
    - ``rate`` (float): budget-weighted rate, sum prior_executed / sum prior_budget over the
      reported rows; null when none;
    - ``mean_rate`` (float): unweighted mean of the projects' rates over the reported rows;
    - ``n_target_known`` (int): reported rows whose project declared an ``exec_target`` in its
      previous-year declaration (matched through project identity);
    - ``n_below_target`` (Int64): of those, how many fell below their target; null (not 0)
      when ``n_target_known`` is 0, so "no project below target" and "nothing to compare"
      are told apart.
    """
    keys = as_by(by)
    d = linked(declarations)
    pe = _project_execution(d)
    rate = realized_rate(d)
    ok = rate.notna()
    below = (
        pe.dropna(subset=["realized_decl_id"])
        .drop_duplicates("realized_decl_id")
        .set_index("realized_decl_id")["below_target"]
    )
    below_row = d["decl_id"].map(below).astype("boolean")
    frame = d.assign(
        exec_year=(d["year"] - 1).astype("Int64"),
        _n=1,
        _reported=ok.astype(int),
        _budget=pd.to_numeric(d["prior_budget"], errors="coerce").astype(float).where(ok),
        _executed=pd.to_numeric(d["prior_executed"], errors="coerce").astype(float).where(ok),
        _rate=rate,
        _known=below_row.notna().astype(int),
        _below=below_row.fillna(False).astype(int),
    )
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise KeyError(f"execution_rates: no column {missing} in declarations")
    grouper = keys if keys else (lambda _: 0)
    g = frame.groupby(grouper, dropna=False, sort=True)
    out = g.agg(
        exec_year_from=("exec_year", "min"),
        exec_year_to=("exec_year", "max"),
        n_projects=("_n", "sum"),
        n_reported=("_reported", "sum"),
        mean_rate=("_rate", "mean"),
        n_target_known=("_known", "sum"),
        n_below_target=("_below", "sum"),
    )
    sums = g[["_budget", "_executed"]].sum(min_count=1)
    out = out.assign(prior_budget=sums["_budget"], prior_executed=sums["_executed"])
    out = out.reset_index(drop=not keys)
    out = out.assign(
        rate=out["prior_executed"] / out["prior_budget"].where(out["prior_budget"] > 0),
        n_below_target=out["n_below_target"].astype("Int64").where(out["n_target_known"] > 0, pd.NA),
        exec_year=out["exec_year_from"].where(out["exec_year_from"] == out["exec_year_to"], pd.NA).astype("Int64"),
    )
    stats = [
        "exec_year_from",
        "exec_year_to",
        "n_projects",
        "n_reported",
        "prior_budget",
        "prior_executed",
        "rate",
        "mean_rate",
        "n_target_known",
        "n_below_target",
    ]
    if "exec_year" in keys:
        cols = keys + stats
    elif "year" in keys:
        pos = keys.index("year") + 1
        cols = keys[:pos] + ["exec_year"] + keys[pos:] + stats
    else:
        cols = keys + ["exec_year"] + stats
    return out[cols].reset_index(drop=True)


def budget_reconciliation(declarations: pd.DataFrame, tolerance: float = 1.0) -> pd.DataFrame:
    """Declarations whose ``prior_budget`` differs from the year budget declared the year before.

    A declaration of year Y reports the project's budget of Y-1 (``prior_budget``); the same
    project (matched through the project identity, :func:`analysis.metrics.identity.link`) declared a
    ``year_budget`` for Y-1 in its year-(Y-1) declaration. Rows are returned where both are
    known and they differ by more than ``tolerance`` yuan (default 1 yuan, to absorb rounding
    of amounts printed in 万元).

    Columns:

    - ``unit``, ``project``, ``year``, ``decl_id``: the year-Y declaration;
    - ``prior_budget`` (float, yuan): what it reports for Y-1;
    - ``prev_year_budget`` (float, yuan): the year_budget of the year-(Y-1) declaration;
    - ``difference`` = prior_budget - prev_year_budget;
    - ``relative_difference`` = difference / prev_year_budget (null when that is 0);
    - ``prev_decl_id``, ``prev_project``: the year-(Y-1) declaration and its name;
    - ``project_key``, ``match``, ``match_score``: the identity link (``"fuzzy"`` for a rename).
    """
    d = linked(declarations)
    d = d.assign(
        prior_budget=pd.to_numeric(d["prior_budget"], errors="coerce").astype(float),
        year_budget=pd.to_numeric(d["year_budget"], errors="coerce").astype(float),
    )
    prev = d[["project_key", "year", "year_budget", "decl_id", "project"]].drop_duplicates(["project_key", "year"])
    prev = prev.rename(
        columns={"year_budget": "prev_year_budget", "decl_id": "prev_decl_id", "project": "prev_project"}
    )
    prev = prev.assign(year=prev["year"] + 1)
    cur = d[["unit", "project", "year", "decl_id", "prior_budget", "project_key", "match", "match_score"]]
    m = cur.merge(prev, on=["project_key", "year"], how="inner")
    diff = m["prior_budget"] - m["prev_year_budget"]
    m = m.assign(
        difference=diff,
        relative_difference=diff / m["prev_year_budget"].where(m["prev_year_budget"] != 0),
    )
    m = m.loc[diff.abs() > tolerance]
    cols = [
        "unit",
        "project",
        "year",
        "decl_id",
        "prior_budget",
        "prev_year_budget",
        "difference",
        "relative_difference",
        "prev_decl_id",
        "prev_project",
        "project_key",
        "match",
        "match_score",
    ]
    return m[cols].sort_values(["unit", "year", "project"], kind="stable").reset_index(drop=True)
