"""Process lifetime: a process that ends when the process that started it ends.

Ingest workers (:mod:`analysis.ingest.workers`), report batch workers and their kernels
(:mod:`analysis.reports.runners`, :mod:`analysis.reports.warm`) call :func:`die_with_parent`,
so killing the ingest or the batch leaves nothing running.
"""

from __future__ import annotations

import os
import signal
import sys
import threading


def die_with_parent(expected_parent: int | None = None, sig: int = signal.SIGKILL) -> str:
    """End this process with ``sig`` when its parent ends; returns how ("prctl" or "watchdog").

    ``expected_parent``: the parent's pid as the parent knows it; if the parent is already
    gone (this process was re-parented before the call), the process ends at once.
    """
    parent = expected_parent if expected_parent is not None else os.getppid()
    how = "watchdog"
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0:
                how = "prctl"
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the death signal was set
        os._exit(1)
    if how == "watchdog":

        def watch() -> None:
            import time

            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
    return how
