"""Performance-target declarations (财政项目支出绩效目标表): ingest, analysis and reports.

Typical use in a notebook::

    import analysis
    ds = analysis.load("data/processed")
    analysis.metrics.execution_rates(ds.declarations, by=("unit", "year"))
"""
from analysis import metrics  # noqa: F401  (analysis.metrics.* is part of the public API)
from analysis.tables import Dataset, load

__all__ = ["Dataset", "load", "metrics"]
__version__ = "0.1.0"
