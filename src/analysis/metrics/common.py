"""What every metric shares: the year's targets, ``by`` arguments, declarations linked to their
projects (:func:`analysis.metrics.identity.link`, done once per load and carried along)."""

from __future__ import annotations

import pandas as pd

from analysis.metrics import identity


def year_targets(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicators of the declared year: medium-term targets printed beside them
    (``horizon == "medium"``) are left out, so the two are never mixed."""
    if "horizon" not in indicators:
        return indicators
    keep = indicators["horizon"].isna() | (indicators["horizon"] == "year")
    return indicators if keep.all() else indicators[keep]


def as_by(by) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def linked(declarations: pd.DataFrame) -> pd.DataFrame:
    """Declarations with ``project_key``, ``match``, ``match_score`` (those given, or linked here
    once when absent), duplicate decl_ids dropped, ``year`` as Int64."""
    d = identity.ensure_linked(declarations.drop_duplicates("decl_id"))
    return d.assign(year=pd.to_numeric(d["year"]).astype("Int64"))
