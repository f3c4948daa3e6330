"""Inside a warm report kernel: what is loaded once, and what is reset between two reports.

A batch worker starts one Jupyter kernel and runs many reports in it (see
:mod:`analysis.reports.kernels`).  This module is imported in that kernel:

- :func:`setup` (once per kernel): ties the kernel's life to its worker's, imports pandas,
  pyarrow, matplotlib and the package, sets up the CJK font and draws one chart, so the first
  report pays none of it;
- :func:`between_reports` (before every report): a fresh namespace (IPython's reset: no
  variable of a report is visible to the next, the execution count starts at 1 again), the
  matplotlib settings, warning filters and working directory of the start, open pyplot
  figures closed.

:func:`read_table` is the kernel's cache of the processed tables: each table file is read once
per kernel (keyed by the file's identity: path, inode, size, modification time, so a new
ingest is seen at once) and each report filters the rows it needs from memory.  The result is
the same DataFrame as a filtered :func:`analysis.tables.read_table` (same rows, order, types).

:func:`~analysis.processes.die_with_parent` makes a process end when the process that started it ends (Linux:
``prctl(PR_SET_PDEATHSIG)``; elsewhere a watchdog thread); batch workers and their kernels
use it so that killing the batch leaves nothing running.
"""

from __future__ import annotations

import gc
import os
import sys
import warnings
from pathlib import Path

from analysis.processes import die_with_parent

_state: dict = {}


# ----------------------------------------------------------------------------- once per kernel


def setup(parent_pid: int | None = None) -> None:
    """Load everything a report needs (run once in a new kernel).

    With ``ANALYSIS_REPORT_PROFILE=1`` in the environment, the time of the report's calls is
    also summed by kind (see :func:`profile_calls`).
    """
    import time

    t0 = time.perf_counter()
    if parent_pid is not None:
        die_with_parent(parent_pid)
    import io

    import matplotlib
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    from IPython.display import HTML, Image, display  # noqa: F401
    from matplotlib.figure import Figure

    from analysis import metrics, tables  # noqa: F401
    from analysis.reports import fonts, plots, show  # noqa: F401

    t1 = time.perf_counter()
    fonts.setup()
    # one chart with Chinese text: loads the font file, the glyph cache and the PNG writer
    fig = Figure(figsize=(2, 1), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(["年度"], [1])
    ax.set_title("预算执行率")
    fig.savefig(io.BytesIO(), format="png", dpi=100)
    _state["rc"] = dict(matplotlib.rcParams)
    _state["filters"] = list(warnings.filters)
    _state["cwd"] = os.getcwd()
    _state["path"] = list(sys.path)
    cache_tables(True)
    _state["environ"] = dict(os.environ)
    if os.environ.get("ANALYSIS_REPORT_PROFILE"):
        profile_calls()
    # what is loaded now stays for the kernel's life: keep it out of the garbage collector's
    # scans, which would otherwise walk every module object of pandas and matplotlib at each
    # full collection (IPython's reset runs one before every report)
    gc.collect()
    gc.freeze()
    _state["setup"] = {"imports": t1 - t0, "fonts_first_chart": time.perf_counter() - t1}


# ----------------------------------------------------------------------------- where a report's time goes

_totals: dict[str, float] = {}
_depth = [0]


def _timed(group: str, fn):
    import functools
    import time

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _depth[0]:  # inside another timed call: counted there
            return fn(*args, **kwargs)
        _depth[0] += 1
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _depth[0] -= 1
            _totals[group] = _totals.get(group, 0.0) + time.perf_counter() - t0

    wrapper.__timed__ = True
    return wrapper


def profile_calls() -> None:
    """Sum the time of the report's calls by kind: ``reading`` (``show.load_*``), ``metrics``
    (``analysis.metrics``), ``charts`` (``plots`` and ``show.show_figure``, the PNG), ``tables``
    (the other ``show.show_*``: tables and sentences as HTML).  :func:`take_timings` returns
    and clears the sums."""
    import inspect

    from analysis import metrics
    from analysis.reports import plots, show

    def public(module):
        return [
            n
            for n, f in vars(module).items()
            if inspect.isfunction(f) and f.__module__ == module.__name__ and not n.startswith("_")
        ]

    groups = {
        "reading": [(show, n) for n in public(show) if n.startswith("load_")],
        "metrics": [(metrics, n) for n in public(metrics)],
        "charts": [(plots, n) for n in public(plots)] + [(show, "show_figure")],
        "tables": [(show, n) for n in public(show) if n.startswith("show_") and n != "show_figure"],
    }
    for group, members in groups.items():
        for module, name in members:
            fn = getattr(module, name)
            if not getattr(fn, "__timed__", False):
                setattr(module, name, _timed(group, fn))


def take_timings() -> dict:
    out = {k: round(v, 4) for k, v in _totals.items()}
    _totals.clear()
    return out


# ----------------------------------------------------------------------------- between reports


def between_reports(cwd: str | None = None) -> None:
    """Reset the kernel to the state :func:`setup` left (run before every report)."""
    import matplotlib

    shell = _shell()
    if shell is not None:
        shell.reset(new_session=True)  # user namespace, output cache, execution count = 1
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    rc = _state.get("rc")
    if rc is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update(rc)
    if "filters" in _state and warnings.filters != _state["filters"]:
        warnings.resetwarnings()
        for f in reversed(_state["filters"]):
            warnings.filters.insert(0, f)
        getattr(warnings, "_filters_mutated", lambda: None)()
    if "path" in _state:
        sys.path[:] = _state["path"]
    if "environ" in _state and dict(os.environ) != _state["environ"]:
        os.environ.clear()
        os.environ.update(_state["environ"])
    os.chdir(cwd or _state.get("cwd") or os.getcwd())


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    return get_ipython()


# ----------------------------------------------------------------------------- the tables, once per kernel

_tables: dict = {}


def _identity(path: Path) -> tuple:
    st = path.stat()
    return (str(path.resolve()), st.st_ino, st.st_size, st.st_mtime_ns)


def cache_tables(on: bool = True) -> None:
    """Keep whole tables in memory in this process (a warm kernel does), or stop and drop them."""
    _state["cache_tables"] = on
    if not on:
        _tables.clear()


class _Cached:
    """A whole table in memory, with an index of row numbers per value of the filtered columns."""

    def __init__(self, key: tuple, table):
        self.key = key
        self.table = table
        self.index: dict[str, dict] = {}

    def rows_of(self, column: str) -> dict:
        """``value -> ascending row numbers`` for ``column`` (built on first use; nulls left out)."""
        found = self.index.get(column)
        if found is None:
            import numpy as np
            import pyarrow.compute as pc

            encoded = pc.dictionary_encode(self.table.column(column)).combine_chunks()
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            valid = ~np.asarray(encoded.indices.is_null().to_numpy(zero_copy_only=False), dtype=bool)
            rows = np.flatnonzero(valid)
            codes = codes[valid].astype(np.int64)
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(len(encoded.dictionary) + 1))
            sorted_rows = rows[order]
            found = {
                value: sorted_rows[bounds[i] : bounds[i + 1]] for i, value in enumerate(encoded.dictionary.to_pylist())
            }
            self.index[column] = found
        return found

    def select(self, filters, table):
        """The rows of ``filters`` (pyarrow's DNF: a list of conditions, or a list of such lists) of
        ``table`` (this table or some of its columns), in table order."""
        import numpy as np
        import pyarrow.parquet as pq

        disjunction = filters if isinstance(filters[0], list) else [filters]
        parts = []
        for conjunction in disjunction:
            rows = None
            for condition in conjunction:
                column, op, value = condition
                if op in ("==", "=") and not isinstance(value, (list, tuple, set)):
                    values = [value]
                elif op == "in":
                    values = list(value)
                else:  # not indexed: let Arrow evaluate the whole filter
                    return self.table.filter(pq.filters_to_expression(filters)).select(table.column_names)
                index = self.rows_of(column)
                empty = np.empty(0, dtype=np.int64)
                hit = [index.get(v, empty) for v in values if v is not None and _hashable(v)]
                these = np.unique(np.concatenate(hit)) if hit else empty
                rows = these if rows is None else np.intersect1d(rows, these, assume_unique=True)
            parts.append(rows)
        taken = np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
        return table.take(taken)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def read_table(processed_dir, name: str, columns=None, filters=None):
    """:func:`analysis.tables.read_table` from a per-process cache of whole tables.

    Only in a warm kernel (after :func:`setup`, or :func:`cache_tables`); anywhere else it is
    :func:`analysis.tables.read_table` itself, so a notebook opened by hand holds no whole table.

    The table file is read once while it stays the same file (path, inode, size, modification
    time); the rows of ``filters`` (pyarrow's list form; ``==`` and ``in`` conditions through an
    index of row numbers per value, anything else through Arrow's filter) and the ``columns``
    are taken from memory, in the table's order, checked against the schema as a read is.
    """
    import pyarrow.parquet as pq

    from analysis import tables

    if not _state.get("cache_tables"):  # not a warm kernel (a notebook opened by hand, papermill alone)
        return tables.read_table(processed_dir, name, columns=columns, filters=filters)
    path = tables.table_path(processed_dir, name)
    if not path.exists():
        return tables.read_table(processed_dir, name, columns=columns, filters=filters)  # says what is missing
    key = _identity(path)
    entry = _tables.get(name)
    if entry is None or entry.key != key:
        _tables[name] = entry = _Cached(key, pq.read_table(path).combine_chunks())
    table = entry.table
    tables.check_schema(table.schema, name, columns, where=str(path))
    if columns is not None:
        table = table.select(list(columns))
    if filters:
        table = entry.select(filters, table)
    return table.to_pandas()
