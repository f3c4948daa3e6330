"""The papermill engine ``analysis-warm``, as papermill finds it: through the ``papermill.engine``
entry point of ``pyproject.toml`` (``papermill.execute_notebook(..., engine_name="analysis-warm")``).

Papermill loads its engines' entry points while its own ``papermill.engines`` module is being
imported, so the class named there must not need that module to exist yet: :class:`WarmEngine`
hands each run to :class:`analysis.reports.kernels.WarmKernelEngine`, the real engine (papermill's
notebook client against a warm kernel), imported when the first notebook runs.
"""

from __future__ import annotations

ENGINE = "analysis-warm"


class _FromKernels(type):
    """Every attribute of the engine (``execute_notebook``, ``nb_kernel_name``, ``nb_language`` …)
    is the real engine's, looked up when papermill first asks for it."""

    def __getattr__(cls, name):
        from analysis.reports.kernels import WarmKernelEngine

        return getattr(WarmKernelEngine, name)


class WarmEngine(metaclass=_FromKernels):
    """Entry point of the ``analysis-warm`` engine (see :class:`analysis.reports.kernels.WarmKernelEngine`)."""
