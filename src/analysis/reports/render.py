"""One report: a papermill run of its notebook, then the HTML rendering for readers."""
from __future__ import annotations

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


def to_html(ipynb: Path, out_html: Path, title: str) -> None:
    import nbformat

    nb = nbformat.read(ipynb, as_version=4)
    nb.metadata["title"] = title
    body, _ = html_exporter().from_notebook_node(nb)
    tmp = out_html.with_suffix(".html.tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, out_html)


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
            execution_timeout=timeout,
            progress_bar=False,
            log_output=False,
            cwd=str(Path(task.notebook).parent),
        )
        label = {"unit": "单位报告", "year": "年度报告"}.get(task.kind, "总览报告")
        to_html(out_ipynb, out_html, f"{label}：{task.name}")
    except BaseException as exc:  # noqa: BLE001 - every failure is reported, none stops the batch
        result.status = "failed"
        result.error = describe_error(exc)
        result.extra["traceback"] = "".join(traceback.format_exception(exc))[-4000:]
        out_html.unlink(missing_ok=True)  # never leave an older rendering that looks current
        if isinstance(exc, KeyboardInterrupt):
            raise
    result.seconds = time.perf_counter() - start
    return result


