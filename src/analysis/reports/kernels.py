"""Warm kernels: one Jupyter kernel started once per batch worker and reused for many reports.

Starting a kernel and importing pandas, matplotlib and the package costs more than most
reports.  A :class:`WarmKernel` is started once, runs :func:`analysis.reports.warm.setup`
(imports, fonts, one chart drawn) and then executes report after report; before each one
:func:`analysis.reports.warm.between_reports` gives a clean namespace.

The notebooks still run through papermill (parameters injected by papermill, its
``injected-parameters`` cell and metadata in the executed notebook): :class:`WarmKernelEngine`
is the papermill engine ``analysis-warm`` (found by papermill through the entry point in
``pyproject.toml``, :mod:`analysis.reports.engine`) that runs papermill's own notebook client
against the warm kernel instead of starting one.  Without a warm kernel it starts a kernel
like papermill's default engine.  Its client takes a time limit in fractions of a second
(papermill's default client accepts whole seconds only).
"""

from __future__ import annotations

import os
import time

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine
from papermill.utils import merge_kwargs, remove_args
from traitlets import Float

from analysis.errors import AnalysisError


class _Client(PapermillNotebookClient):
    """papermill's notebook client with a time limit per cell in (fractional) seconds."""

    timeout = Float(None, allow_none=True, help="seconds a cell may run; None: no limit").tag(config=True)


class WarmKernelEngine(NBClientEngine):
    """A papermill engine that executes in the :class:`WarmKernel` passed as ``warm=``."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        warm=None,
        **kwargs,
    ):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        if warm is None:
            client = _Client(nb_man, **final)
            client.km = local_transport(client.create_kernel_manager())
            return client.execute()
        client = _Client(nb_man, km=warm.km, **final)
        client.kc = warm.kc  # the kernel's client stays open between reports
        return client.execute()


class KernelError(AnalysisError, RuntimeError):
    """The warm kernel could not be started or reset."""


def local_transport(km):
    """``km`` set to talk to its kernel over Unix sockets (IPC) in Jupyter's runtime folder, not
    TCP: the kernel always runs on this machine, beside the worker that starts it, and a kernel on
    TCP warns every run that its traffic is not encrypted (over IPC nothing leaves the machine,
    and the sockets are the user's own files)."""
    import uuid

    from jupyter_core.paths import jupyter_runtime_dir

    runtime = jupyter_runtime_dir()
    os.makedirs(runtime, exist_ok=True)
    km.transport = "ipc"
    km.ip = os.path.join(runtime, f"kernel-{uuid.uuid4().hex[:12]}")
    return km


class WarmKernel:
    """One running kernel with the package loaded; use it from the thread that started it."""

    def __init__(self, kernel_name: str = "python3", cwd: str | None = None, startup_timeout: float = 120):
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.km = None
        self.kc = None
        self.reports = 0
        #: the folder of the kernel's sockets (IPC transport), removed with the kernel
        self.sockets: str | None = None
        #: seconds: kernel start (process and client ready), setup (imports, fonts, first chart)
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ life

    def start(self) -> WarmKernel:
        import nbformat
        from nbclient import NotebookClient

        t0 = time.perf_counter()
        client = NotebookClient(
            nbformat.v4.new_notebook(), kernel_name=self.kernel_name, startup_timeout=int(self.startup_timeout)
        )
        client.km = local_transport(client.create_kernel_manager())
        try:
            client.start_new_kernel(cwd=self.cwd)
            client.start_new_kernel_client()
        except BaseException:
            _stop(client.km, client.kc)
            self.shutdown()
            raise
        self.km, self.kc = client.km, client.kc
        t1 = time.perf_counter()
        reply = self.run(
            f"import analysis.reports.warm as _w; _w.setup({os.getpid()}); del _w",
            timeout=self.startup_timeout,
            user_expressions={"setup": _WARM + "._state['setup']"},
        )
        self.timings = {
            "kernel_start": t1 - t0,
            "setup": time.perf_counter() - t1,
            **{f"setup_{k}": v for k, v in _expression(reply, "setup").items()},
        }
        return self

    def _ipc(self, km) -> None:
        """Talk to a local kernel over Unix sockets in a folder of its own, not TCP ports: two
        kernels starting at once on one machine (a cluster's workers) cannot race for a port."""
        import sys
        import tempfile

        if sys.platform.startswith("win") or os.environ.get("ANALYSIS_KERNEL_TRANSPORT") == "tcp":
            return
        self.sockets = tempfile.mkdtemp(prefix="analysis-kernel-")
        km.transport = "ipc"
        km.ip = os.path.join(self.sockets, "k")

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        _stop(self.km, self.kc)
        self.km = self.kc = None
        if self.sockets:
            import shutil

            shutil.rmtree(self.sockets, ignore_errors=True)
            self.sockets = None

    def kill(self) -> None:
        """SIGKILL the kernel process and remove its connection file (safe in a signal handler)."""
        import signal

        km = self.km
        proc = getattr(getattr(km, "provisioner", None), "process", None)
        if proc is not None and proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            if km is not None and km.connection_file:
                os.unlink(km.connection_file)
        except OSError:
            pass
        if self.sockets:
            import shutil

            shutil.rmtree(self.sockets, ignore_errors=True)

    # ------------------------------------------------------------------ use

    def run(self, code: str, timeout: float | None = 60, user_expressions: dict | None = None) -> dict:
        """Execute ``code`` silently (no output, no history, no execution count); returns the reply's content.

        Raises :class:`KernelError` when the code fails or takes longer than ``timeout``.
        """
        from jupyter_core.utils import run_sync

        return run_sync(self._run)(code, timeout, user_expressions or {})

    async def _run(self, code: str, timeout, user_expressions: dict) -> dict:
        import asyncio

        msg_id = self.kc.execute(
            code, silent=True, store_history=False, allow_stdin=False, user_expressions=user_expressions
        )
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                msg = await self.kc.get_shell_msg(timeout=left if left is not None else None)
            except (asyncio.TimeoutError, TimeoutError) as exc:
                raise KernelError(f"the kernel did not answer within {timeout} s") from exc
            except Exception as exc:  # queue.Empty from some clients
                if type(exc).__name__ == "Empty":
                    raise KernelError(f"the kernel did not answer within {timeout} s") from exc
                raise
            if msg["parent_header"].get("msg_id") == msg_id:
                break
        content = msg["content"]
        if content.get("status") != "ok":
            raise KernelError(f"{content.get('ename', 'error')}: {content.get('evalue', '')}")
        return content

    def take_timings(self) -> dict:
        """The kernel's sums of time by kind since the last call (empty unless profiling, see
        :func:`analysis.reports.warm.profile_calls`)."""
        return _expression(self.run("", user_expressions={"t": _WARM + ".take_timings()"}), "t")

    def prepare(self, cwd: str | None) -> None:
        """A clean namespace and the working directory ``cwd`` for the next report."""
        self.run(f"__import__('analysis.reports.warm', fromlist=['between_reports']).between_reports({cwd!r})")
        self.reports += 1


_WARM = "__import__('analysis.reports.warm', fromlist=['setup'])"


def _expression(reply: dict, name: str) -> dict:
    import ast

    value = reply.get("user_expressions", {}).get(name, {})
    if value.get("status") != "ok":
        return {}
    try:
        return ast.literal_eval(value["data"]["text/plain"])
    except (KeyError, ValueError, SyntaxError):
        return {}


def _stop(km, kc) -> None:
    from jupyter_core.utils import run_sync

    if kc is not None:
        try:
            kc.stop_channels()
        except Exception:  # noqa: BLE001
            pass
    if km is not None:
        try:
            if run_sync(km.is_alive)():
                run_sync(km.shutdown_kernel)(now=True)
            else:
                run_sync(km.cleanup_resources)()
        except Exception:  # noqa: BLE001 - a kernel that is already gone
            try:
                km.kill_kernel() if hasattr(km, "kill_kernel") else None
            except Exception:  # noqa: BLE001
                pass
