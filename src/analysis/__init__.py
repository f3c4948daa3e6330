"""Performance-target declarations (财政项目支出绩效目标表): ingest, analysis and reports.

Typical use in a notebook::

    import analysis
    ds = analysis.load("data/processed")
    analysis.metrics.execution_rates(ds.declarations, by=("unit", "year"))
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.tables import Dataset

__all__ = ["Dataset", "load", "metrics"]
__version__ = "0.1.0"

#: imported when first used (``analysis.metrics.execution_rates``), so that the command line's
#: ingest starts without pandas; ``identity`` and ``review`` are the analysis modules' earlier
#: names, kept for notebooks that use them
_LAZY = {
    "identity": "analysis.metrics.identity",
    "metrics": "analysis.metrics",
    "review": "analysis.metrics.rules",
    "tables": "analysis.tables",
}


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(_LAZY[name])
    if name == "Dataset":
        from analysis.tables import Dataset

        return Dataset
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY, "Dataset"])


def load(processed_dir: str | os.PathLike = "data/processed", threshold: float | None = None) -> Dataset:
    """The three processed tables of ``processed_dir`` as one set, each checked against its
    schema (:func:`analysis.tables.load`); units of one printed name in different places told
    apart (their ``unit`` shown with the place, ``区林业局（北京市海淀区）``, in the declarations and
    the indicators: :func:`analysis.metrics.identity.unit_names`); the declarations linked to
    their projects once (:func:`analysis.metrics.identity.link`, at ``threshold``, by default
    :data:`analysis.metrics.identity.DEFAULT_THRESHOLD`), so every metric called on them uses the same
    units and links without computing them again."""
    from analysis import tables
    from analysis.metrics import identity

    ds = tables.load(processed_dir)
    names = identity.unit_names(ds.declarations)
    ds.indicators = identity.tell_units_apart(ds.indicators, names)
    declarations = identity.tell_units_apart(ds.declarations, names)
    ds.declarations = identity.link(declarations, identity.DEFAULT_THRESHOLD if threshold is None else threshold)
    return ds
