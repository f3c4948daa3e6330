"""The analysis stage: plain functions over the processed tables.

Every function takes the processed DataFrames (their columns as in :mod:`analysis.tables`,
which checks them when the tables are read), returns a new frame and leaves its inputs
untouched. Projects are followed across years through the columns ``project_key``, ``match``
and ``match_score`` that :func:`analysis.metrics.identity.link` adds to the declarations (same
unit and normalized name, then renames matched by similarity and marked ``match="fuzzy"``):
:func:`analysis.load` and the report loaders link once and the result is carried along;
declarations given without those columns are linked once by the function itself (at
:data:`~analysis.metrics.identity.DEFAULT_THRESHOLD`). See ``docs/analysis.md``.

Modules, one concern each:

- :mod:`~analysis.metrics.identity`: which declarations are the same project across years;
- :mod:`~analysis.metrics.execution`: last year's money against its target, reconciliation;
- :mod:`~analysis.metrics.indicators`: which indicator is which across a project's years, and
  targets made comparable (operators and units printed one year only, units converted);
- :mod:`~analysis.metrics.changes`: how targets change between declared years;
- :mod:`~analysis.metrics.history`: an indicator followed through all its project's years;
- :mod:`~analysis.metrics.quality`: how targets are written (vague, repeated ...);
- :mod:`~analysis.metrics.library`: the indicator library by kind, each target among its peers;
- :mod:`~analysis.metrics.rules`: the review against the published rules (``metrics.review``);
- :mod:`~analysis.metrics.summaries`: the figures reports, index and export show.
"""

from __future__ import annotations

from analysis.metrics import identity, indicators
from analysis.metrics.changes import (
    CHANGE_TYPES,
    FRAMEWORK_ONLY,
    budget_vs_targets,
    change_summary,
    declaration_frameworks,
    project_budget_vs_targets,
    project_changes,
    refine_changes,
    target_changes,
)
from analysis.metrics.common import year_targets
from analysis.metrics.execution import (
    budget_reconciliation,
    execution_rates,
    lowest_rates,
    project_execution,
    realized_rate,
)
from analysis.metrics.history import HISTORY_COLUMNS, link_indicators, target_history
from analysis.metrics.identity import link, norm_text, renames
from analysis.metrics.library import indicator_library, peer_position
from analysis.metrics.quality import VAGUE_WORDS, is_vague, target_quality
from analysis.metrics.rules import review
from analysis.metrics.summaries import (
    ambiguous_units,
    change_counts,
    change_shares,
    changes_for_report,
    headline_figures,
    overview_headline,
    report_headline,
    review_for_report,
    review_summary,
    unit_ranking,
    units_moved,
    year_headline,
    year_totals,
)

__all__ = [
    "ambiguous_units",
    "CHANGE_TYPES",
    "FRAMEWORK_ONLY",
    "VAGUE_WORDS",
    "budget_reconciliation",
    "budget_vs_targets",
    "project_budget_vs_targets",
    "change_counts",
    "change_shares",
    "change_summary",
    "changes_for_report",
    "declaration_frameworks",
    "execution_rates",
    "headline_figures",
    "HISTORY_COLUMNS",
    "report_headline",
    "identity",
    "indicator_library",
    "indicators",
    "is_vague",
    "link",
    "link_indicators",
    "lowest_rates",
    "norm_text",
    "peer_position",
    "project_changes",
    "project_execution",
    "realized_rate",
    "refine_changes",
    "renames",
    "review",
    "review_for_report",
    "review_summary",
    "target_changes",
    "target_history",
    "target_quality",
    "unit_ranking",
    "units_moved",
    "overview_headline",
    "year_headline",
    "year_targets",
    "year_totals",
]
