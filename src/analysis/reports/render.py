"""One report: a papermill run of its notebook, then the HTML rendering for readers.

:func:`render_one` is the cold path: papermill starts a kernel for the report and the HTML
exporter is made for it, as ``papermill`` on the command line does.  A batch worker uses a
:class:`Renderer` instead: its warm kernel (:mod:`analysis.reports.kernels`) runs report after
report and one HTML exporter converts them all; the reports are the same.
"""

from __future__ import annotations

import html
import math
import os
import time
import traceback
from pathlib import Path

from analysis.reports.plan import Result, Task

KERNEL = "python3"


# The report template (templates/report.html.j2) extends the lab template without the scripts it
# would fetch from a CDN and with a small stylesheet of its own instead of JupyterLab's: every
# report is one file that opens offline, prints on A4 and runs no script at all.
TEMPLATES = Path(__file__).with_name("templates")


def html_exporter():
    """nbconvert's HTML exporter for readers: no code, no prompts, no external scripts."""
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file="report.html.j2",
        extra_loaders=[jinja2.FileSystemLoader(str(TEMPLATES))],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


_exporter = None


def shared_exporter():
    """One :func:`html_exporter` per process: its templates are compiled once, not per report."""
    global _exporter
    if _exporter is None:
        _exporter = html_exporter()
    return _exporter


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end its ``<style>`` element or its declaration
    (quotes, backslashes, ``<``, ``>``, ``&`` and control characters as CSS escapes)."""
    out = []
    for ch in str(text):
        if ch in '"\\<>&' or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def titled(nb, title: str):
    """The notebook ``nb`` named for a reader: ``title`` as the page's title, its first heading and
    the running header of the printed pages (``nb.metadata.print_header``, a CSS string)."""
    nb.metadata["title"] = title
    nb.metadata["print_header"] = css_string(title)
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first is not None:
        lines = first.source.splitlines()
        if lines and lines[0].startswith("# "):
            # raw HTML, escaped: a name from the data is never read as markdown or markup
            lines[0] = '<h1 class="report-title">' + html.escape(" ".join(title.split())) + "</h1>"
            first.source = "\n".join(lines)
    return nb


def to_html(ipynb: Path, out_html: Path, title: str, exporter=None) -> None:
    """Write the reader's HTML of the executed notebook ``ipynb`` (atomically: no partial file),
    named by ``title`` on screen and in print (:func:`titled`)."""
    import nbformat

    nb = titled(nbformat.read(ipynb, as_version=4), title)
    for i, cell in enumerate(nb.cells):  # ids by position, not random: the same data give the same bytes
        cell["id"] = f"cell-{i}"
    body, _ = (exporter or shared_exporter()).from_notebook_node(nb)
    _write_atomic(Path(out_html), body)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _title(task: Task) -> str:
    if task.title:
        return task.title
    label = {"unit": "单位报告", "year": "年度报告"}.get(task.kind, "总览报告")
    return f"{label}：{task.name}"


def cell_timeout(timeout: float | None) -> int | None:
    """A time limit for papermill's default client, which takes whole seconds: rounded up."""
    if not timeout or timeout <= 0:
        return None
    return max(1, math.ceil(timeout))


def describe_error(exc: BaseException) -> str:
    """One line naming the failing cell and the error (papermill's execution error has both)."""
    ename = getattr(exc, "ename", None)
    if ename is not None:
        cell = getattr(exc, "exec_count", None)
        index = getattr(exc, "cell_index", None)
        where = f"单元格 [{cell}]" if cell is not None else "单元格"
        if index is not None:
            where += f"（第 {index + 1} 格）"
        evalue = str(getattr(exc, "evalue", "")).strip().splitlines()
        return f"{where}: {ename}: {evalue[0] if evalue else ''}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]


def render_one(task: Task | dict, timeout: float | None = None, kernel: str = KERNEL) -> Result:
    """Run one notebook and render it; never raises (a failure is returned in the Result)."""
    if isinstance(task, dict):
        task = Task(**task)
    start = time.perf_counter()
    out_ipynb, out_html = Path(task.out_ipynb), Path(task.out_html)
    result = Result(task.kind, task.name, task.stem, "rendered", out_html=task.out_html, out_ipynb=task.out_ipynb)
    try:
        import papermill as pm

        out_ipynb.parent.mkdir(parents=True, exist_ok=True)
        out_html.parent.mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(
            task.notebook,
            str(out_ipynb),
            parameters=task.parameters,
            kernel_name=kernel,
            execution_timeout=cell_timeout(timeout),
            progress_bar=False,
            log_output=False,
            cwd=str(Path(task.notebook).parent),
        )
        to_html(out_ipynb, out_html, _title(task), exporter=html_exporter())
    except BaseException as exc:  # noqa: BLE001 - every failure is reported, none stops the batch
        result.status = "failed"
        result.error = describe_error(exc)
        result.extra["traceback"] = "".join(traceback.format_exception(exc))[-4000:]
        out_html.unlink(missing_ok=True)  # never leave an older rendering that looks current
        if isinstance(exc, KeyboardInterrupt):
            raise
    result.seconds = time.perf_counter() - start
    return result


class Renderer:
    """A batch worker's warm state: one kernel with the package loaded, one HTML exporter.

    :meth:`render` runs one report in the kernel (a clean namespace first) and converts it.
    After a failed report, or after ``max_reports`` reports, the kernel is replaced by a new
    one, so that a report that failed half-way (or leaked memory) cannot affect the next.
    Use a Renderer from one thread only (its kernel client belongs to that thread).
    """

    def __init__(self, kernel: str = KERNEL, timeout: float | None = None, max_reports: int = 250):
        self.kernel_name = kernel
        self.timeout = timeout if timeout and timeout > 0 else None
        self.max_reports = max_reports
        self.kernel = None
        self.kernels_started = 0
        self.exporter = None
        #: sum the kernel's time by kind too (reading, metrics, charts, tables); see analysis.reports.warm
        self.profile = bool(os.environ.get("ANALYSIS_REPORT_PROFILE"))

    def warm_up(self, cwd: str | None = None) -> None:
        """Start the kernel now and, while it boots, import papermill and build the exporter."""
        import threading

        def load() -> None:
            import papermill  # noqa: F401

            from analysis.reports import kernels  # noqa: F401

            self.exporter = shared_exporter()

        loader = threading.Thread(target=load, name="warm-up", daemon=True)
        loader.start()
        try:
            self._kernel(cwd)
        except Exception:  # noqa: BLE001 - the first report will try again and report the error
            self.discard_kernel()
        loader.join()

    def _kernel(self, cwd: str | None):
        from analysis.reports.kernels import WarmKernel

        k = self.kernel
        if k is not None and (k.reports >= self.max_reports or not k.alive()):
            self.discard_kernel()
        if self.kernel is None:
            kernel = WarmKernel(self.kernel_name, cwd=cwd)
            try:
                kernel.start()
            except BaseException:
                kernel.shutdown()  # a kernel that started and failed its setup
                raise
            self.kernel = kernel
            self.kernels_started += 1
        return self.kernel

    def discard_kernel(self) -> None:
        if self.kernel is not None:
            self.kernel.shutdown()
            self.kernel = None

    def close(self) -> None:
        self.discard_kernel()

    def kill_kernel(self) -> None:
        """End the kernel process at once (from a signal handler: no messages, no locks)."""
        if self.kernel is not None:
            self.kernel.kill()

    def render(self, task: Task | dict) -> Result:
        """Run one notebook in the warm kernel and render it; never raises (except KeyboardInterrupt).
        A report whose kernel died under it (killed, out of memory) or would not start is run
        once more in a fresh kernel."""
        if isinstance(task, dict):
            task = Task(**task)
        result = self._render(task)
        if result.status == "failed" and result.extra.pop("kernel_lost", False):
            first = result.error
            result = self._render(task)
            result.extra.pop("kernel_lost", None)
            result.extra["retried"] = first
            if result.status == "failed":
                result.error = f"{result.error} (tried twice with a fresh kernel; the first time: {first})"[:1000]
        return result

    def _kernel_lost(self, exc: BaseException) -> bool:
        """Whether a failure is the kernel's rather than the report's: it never started, died,
        or its sockets failed."""
        if isinstance(exc, KeyboardInterrupt):
            return False
        if self.kernel is None or type(exc).__name__ in ("DeadKernelError", "ZMQError"):
            return True
        try:
            return not self.kernel.alive()
        except Exception:  # noqa: BLE001 - a kernel manager that cannot even say
            return True

    def _render(self, task: Task) -> Result:
        import papermill as pm

        from analysis.reports.engine import ENGINE

        start = time.perf_counter()
        out_ipynb, out_html = Path(task.out_ipynb), Path(task.out_html)
        result = Result(task.kind, task.name, task.stem, "rendered", out_html=task.out_html, out_ipynb=task.out_ipynb)
        timings = result.extra.setdefault("timings", {})
        cwd = str(Path(task.notebook).parent)
        try:
            kernel = self._kernel(cwd)
            if not kernel.reports:  # the first report of this kernel: its start is counted here
                timings.update(kernel.timings)
            t0 = time.perf_counter()
            kernel.prepare(cwd)
            t1 = time.perf_counter()
            out_ipynb.parent.mkdir(parents=True, exist_ok=True)
            out_html.parent.mkdir(parents=True, exist_ok=True)
            pm.execute_notebook(
                task.notebook,
                str(out_ipynb),
                parameters=task.parameters,
                engine_name=ENGINE,
                warm=kernel,
                kernel_name=self.kernel_name,
                execution_timeout=self.timeout,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,  # written once, when the run ends
            )
            t2 = time.perf_counter()
            if self.profile:
                timings.update(kernel.take_timings())
            if self.exporter is None:
                self.exporter = shared_exporter()
            to_html(out_ipynb, out_html, _title(task), exporter=self.exporter)
            timings.update(prepare=t1 - t0, execute=t2 - t1, html=time.perf_counter() - t2)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported, none stops the batch
            result.status = "failed"
            result.error = describe_error(exc)
            result.extra["traceback"] = "".join(traceback.format_exception(exc))[-4000:]
            out_html.unlink(missing_ok=True)  # never leave an older rendering that looks current
            result.extra["kernel_lost"] = self._kernel_lost(exc)
            self.discard_kernel()  # a failed report may have left the kernel busy or in a bad state
            if isinstance(exc, KeyboardInterrupt):
                raise
        result.seconds = time.perf_counter() - start
        return result
