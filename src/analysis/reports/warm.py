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

The kernel's cache of the processed tables is :mod:`analysis.reports.tablecache`, switched on
by :func:`setup`.

:func:`~analysis.processes.die_with_parent` makes a process end when the process that started it ends (Linux:
``prctl(PR_SET_PDEATHSIG)``; elsewhere a watchdog thread); batch workers and their kernels
use it so that killing the batch leaves nothing running.
"""

from __future__ import annotations

import gc
import os
import sys
import warnings

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
    from analysis.reports import fonts, plots, show, tablecache  # noqa: F401

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
    tablecache.cache_tables(True)
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
