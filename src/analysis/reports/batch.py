"""Render every unit and year report: papermill runs, HTML for readers, an index, the table exports.

``python -m analysis reports [--processed DIR] [--out DIR] [--jobs N] [--timeout S]
[--scheduler ADDRESS|local] [--units NAME ...] [--years YEAR ...] [--force]``

For each unit and each year in the processed tables, ``notebooks/unit_report.ipynb`` or
``notebooks/year_report.ipynb`` runs with papermill (parameters ``unit``/``year`` and
``processed_dir``); the executed notebook goes to ``OUT/notebooks/`` and an HTML rendering
(code hidden, images embedded, no external scripts) to ``OUT/units/`` or ``OUT/years/``.
``OUT/index.html`` lists every report with its headline figures, names each failure with the
cell and the error, and links the Excel/CSV exports in ``OUT/tables/``.

Runs are independent: one notebook that fails or runs out of time is reported and the others go
on.  A report is rendered again only when its cache key changes: the notebook file, its
parameters, the content of the processed tables and the code of this package.

Runs go to a local process pool (``--jobs``) or, with ``--scheduler``, to a dask.distributed
cluster (``local`` starts a LocalCluster; an address such as ``tcp://host:8786`` uses a running
one, whose workers must see the same file system).
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import html
import json
import multiprocessing
import os
import re
import sys
import time
import traceback
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import analysis
from analysis.tables import read_table

PACKAGE_DIR = Path(analysis.__file__).resolve().parent
DEFAULT_NOTEBOOKS = PACKAGE_DIR.parents[1] / "notebooks"
KERNEL = "python3"
TABLES = ("declarations", "indicators", "problems")


# ----------------------------------------------------------------------------- safe names

_NOT_SAFE = re.compile(r"[^A-Za-z0-9]+")


def safe_name(name: str, prefix: str = "unit") -> str:
    """A stable file name stem for an untrusted name: ASCII letters, digits and ``-`` only.

    The readable part keeps the ASCII letters and digits of the name (Chinese characters drop
    out); a short hash of the full name keeps different names apart.  The result never holds
    ``/``, ``\\``, ``.``, white space or control characters.
    """
    text = unicodedata.normalize("NFKC", str(name))
    readable = _NOT_SAFE.sub("-", text).strip("-").lower()[:40].strip("-")
    digest = hashlib.sha1(str(name).encode("utf-8")).hexdigest()[:10]
    return f"{readable}-{digest}" if readable else f"{prefix}-{digest}"


def inside(root: Path, *parts: str) -> Path:
    """``root/parts...``, refusing any path that would leave ``root``."""
    root = Path(root).resolve()
    path = root.joinpath(*parts).resolve()
    if path != root and root not in path.parents:
        raise ValueError(f"refusing to write outside {root}: {path}")
    return path


# ----------------------------------------------------------------------------- tasks

@dataclass
class Task:
    """One notebook run."""

    kind: str  # "unit" or "year"
    name: str  # the unit name or the year, as shown in the index
    stem: str  # safe file name stem
    notebook: str
    parameters: dict
    out_ipynb: str
    out_html: str
    key: str = ""


@dataclass
class Result:
    kind: str
    name: str
    stem: str
    status: str  # "rendered", "cached" or "failed"
    seconds: float = 0.0
    error: str = ""
    out_html: str = ""
    out_ipynb: str = ""
    extra: dict = field(default_factory=dict)


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def code_hash() -> str:
    """Hash of the package version and every source file of the package (templates included):
    any code change renders the reports again. The notebooks are hashed per report."""
    h = hashlib.sha256(analysis.__version__.encode())
    for path in sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".toml", ".css")):
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def data_hashes(processed: Path) -> dict:
    return {name: file_hash(processed / f"{name}.parquet") for name in TABLES if (processed / f"{name}.parquet").exists()}


def cache_key(notebook: Path, parameters: dict, data: dict, code: str) -> str:
    """Content key of one report: notebook file, parameters (without the data path), data and code."""
    params = {k: v for k, v in parameters.items() if k != "processed_dir"}
    blob = json.dumps(
        {"notebook": file_hash(notebook), "parameters": params, "data": data, "code": code},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def plan(processed: Path, out: Path, notebooks: Path, units=None, years=None) -> list[Task]:
    """The report runs for every unit and every year in the processed declarations."""
    decl = read_table(processed, "declarations", columns=["unit", "year"])
    all_units = sorted(decl["unit"].dropna().unique().tolist())
    all_years = sorted(int(y) for y in decl["year"].dropna().unique().tolist())
    if units is not None:  # None: every unit; [] none
        all_units = [u for u in all_units if u in set(units)]
    if years is not None:
        wanted = {int(y) for y in years}
        all_years = [y for y in all_years if y in wanted]
    tasks = []
    for unit in all_units:
        stem = safe_name(unit, "unit")
        tasks.append(
            Task(
                kind="unit",
                name=unit,
                stem=stem,
                notebook=str(notebooks / "unit_report.ipynb"),
                parameters={"unit": unit, "processed_dir": str(processed)},
                out_ipynb=str(inside(out, "notebooks", "units", f"{stem}.ipynb")),
                out_html=str(inside(out, "units", f"{stem}.html")),
            )
        )
    for year in all_years:
        stem = str(int(year))
        tasks.append(
            Task(
                kind="year",
                name=stem,
                stem=stem,
                notebook=str(notebooks / "year_report.ipynb"),
                parameters={"year": int(year), "processed_dir": str(processed)},
                out_ipynb=str(inside(out, "notebooks", "years", f"{stem}.ipynb")),
                out_html=str(inside(out, "years", f"{stem}.html")),
            )
        )
    return tasks


def prune(out: Path, tasks: list[Task]) -> list[Path]:
    """Remove reports of units and years that are no longer in the data (our files only).

    Only the files the batch writes are considered (``units/*.html``, ``years/*.html``,
    ``notebooks/{units,years}/*.ipynb``, ``.cache/*.json``); returns what was removed.
    """
    out = Path(out).resolve()
    keep = {Path(t.out_html).resolve() for t in tasks} | {Path(t.out_ipynb).resolve() for t in tasks}
    keep |= {(out / ".cache" / f"{t.kind}-{t.stem}.json").resolve() for t in tasks}
    removed = []
    for pattern in ("units/*.html", "years/*.html", "notebooks/units/*.ipynb", "notebooks/years/*.ipynb", ".cache/unit-*.json", ".cache/year-*.json"):
        for path in out.glob(pattern):
            if path.resolve() not in keep and path.is_file():
                path.unlink()
                removed.append(path)
    return removed


# ----------------------------------------------------------------------------- one run

# The lab template without the scripts it would fetch from a CDN (require.js, MathJax, mermaid):
# every report is one file that opens offline and runs no script at all.
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block extra_css -%}
<style type="text/css">
body { max-width: 1100px; margin: 0 auto; }
table.analysis-table { border-collapse: collapse; font-size: 13px; }
table.analysis-table th, table.analysis-table td { border: 1px solid #ccc; padding: 2px 6px; }
table.analysis-table th { background: #f2f2f2; }
</style>
{%- endblock extra_css -%}
"""


def html_exporter():
    """nbconvert's HTML exporter for readers: no code, no prompts, no external scripts."""
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file="analysis_report.html.j2",
        extra_loaders=[jinja2.DictLoader({"analysis_report.html.j2": _TEMPLATE})],
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
        label = "单位报告" if task.kind == "unit" else "年度报告"
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


# ----------------------------------------------------------------------------- the batch

def _progress(total: int, quiet: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="reports", unit="nb", disable=quiet or total == 0, file=sys.stderr)


def _quiet_worker() -> None:
    """In a pool worker: send the kernels' console chatter to /dev/null (errors come back in the Result)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _run_local(tasks: list[Task], jobs: int, timeout, kernel: str, on_done) -> None:
    if jobs <= 1:
        for t in tasks:
            on_done(render_one(t, timeout, kernel))
        return
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_quiet_worker) as pool:
        futures = {pool.submit(render_one, asdict(t), timeout, kernel): t for t in tasks}
        for fut in cf.as_completed(futures):
            t = futures[fut]
            try:
                on_done(fut.result())
            except Exception as exc:  # the worker process itself died
                on_done(Result(t.kind, t.name, t.stem, "failed", error=describe_error(exc), out_ipynb=t.out_ipynb))


def render_in_fresh_thread(task: dict, timeout=None, kernel: str = KERNEL) -> Result:
    """:func:`render_one` in a new thread with its own event loop.

    A dask worker runs tasks in threads that may share or already run an asyncio loop, which
    the kernel client (nbclient) cannot use; a fresh thread per notebook avoids that.
    """
    import threading

    box: list = []

    def target():
        import asyncio

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            box.append(render_one(task, timeout, kernel))
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    thread = threading.Thread(target=target, name=f"report-{task.get('stem', '')}")
    thread.start()
    thread.join()
    return box[0]


def _run_dask(tasks: list[Task], scheduler: str, jobs: int, timeout, kernel: str, on_done) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = {
            client.submit(render_in_fresh_thread, asdict(t), timeout, kernel, pure=False, key=f"report-{t.kind}-{t.stem}-{t.key[:8]}"): t
            for t in tasks
        }
        for fut in as_completed(list(futures)):
            t = futures[fut]
            try:
                on_done(fut.result())
            except Exception as exc:  # lost worker, unpicklable result, ...
                on_done(Result(t.kind, t.name, t.stem, "failed", error=describe_error(exc), out_ipynb=t.out_ipynb))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_batch(
    processed,
    out,
    jobs: int = 2,
    timeout: float | None = 600,
    scheduler: str | None = None,
    units=None,
    years=None,
    force: bool = False,
    notebooks=None,
    kernel: str = KERNEL,
    export: bool = True,
    quiet: bool = False,
) -> list[Result]:
    """Render the reports (see the module doc); returns one Result per report, in plan order."""
    from analysis.reports import export as export_mod

    processed = Path(processed).resolve()
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    notebooks = Path(notebooks).resolve() if notebooks else DEFAULT_NOTEBOOKS
    cache_dir = inside(out, ".cache")
    cache_dir.mkdir(exist_ok=True)

    data = data_hashes(processed)
    code = code_hash()
    tasks = plan(processed, out, notebooks, units=units, years=years)
    if units is None and years is None:  # a full run: pages of units or years gone from the data go too
        prune(out, tasks)
    results: dict[tuple, Result] = {}
    todo = []
    for t in tasks:
        t.key = cache_key(Path(t.notebook), t.parameters, data, code)
        stamp = cache_dir / f"{t.kind}-{t.stem}.json"
        if not force and stamp.exists() and Path(t.out_html).exists():
            try:
                if json.loads(stamp.read_text(encoding="utf-8")).get("key") == t.key:
                    results[(t.kind, t.stem)] = Result(t.kind, t.name, t.stem, "cached", out_html=t.out_html, out_ipynb=t.out_ipynb)
                    continue
            except (OSError, ValueError):
                pass
        todo.append(t)

    bar = _progress(len(todo), quiet)
    by_stem = {(t.kind, t.stem): t for t in todo}

    def on_done(r: Result) -> None:
        results[(r.kind, r.stem)] = r
        t = by_stem[(r.kind, r.stem)]
        stamp = cache_dir / f"{t.kind}-{t.stem}.json"
        if r.status == "rendered":
            stamp.write_text(json.dumps({"key": t.key, "name": t.name, "seconds": round(r.seconds, 2)}), encoding="utf-8")
        else:
            stamp.unlink(missing_ok=True)
            bar.write(f"failed: {t.kind} {t.name}: {r.error}")
        bar.update(1)

    try:
        if todo:
            if scheduler:
                _run_dask(todo, scheduler, jobs, timeout, kernel, on_done)
            else:
                _run_local(todo, jobs, timeout, kernel, on_done)
    finally:
        bar.close()

    exported = []
    if export:
        exported = export_mod.export_cached(processed, inside(out, "tables"), key=json.dumps([data, code], sort_keys=True))
    ordered = [results[(t.kind, t.stem)] for t in tasks]
    write_index(out, processed, ordered, exported)
    return ordered


# ----------------------------------------------------------------------------- index.html

_INDEX_CSS = """
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
th { background: #f2f2f2; }
td.num { text-align: right; }
tr.failed td { background: #fdecea; }
.notice { border: 2px solid #c0392b; background: #fdecea; padding: 8px 12px; }
"""


def _href(out: Path, path: str | Path) -> str:
    from urllib.parse import quote

    rel = Path(os.path.relpath(Path(path).resolve(), out)).as_posix()
    return html.escape(quote(rel), quote=True)


def write_index(out: Path, processed: Path, results: list[Result], exported: list[Path]) -> Path:
    """``OUT/index.html``: every report with its headline figures, the failures, the exports."""
    from analysis.reports.show import fmt_money, fmt_rate, headline_figures, synthetic_notice_html

    out = Path(out).resolve()
    esc = lambda v: html.escape(str(v), quote=True)  # noqa: E731
    decl = read_table(processed, "declarations", columns=["unit", "year", "year_budget", "prior_budget", "prior_executed", "source_file"])
    per_unit = headline_figures(decl, "unit").set_index("unit")
    per_year = headline_figures(decl, "year").set_index("year")
    failed = [r for r in results if r.status == "failed"]

    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>绩效目标报告索引</title>",
        f"<style>{_INDEX_CSS}</style></head><body>",
        "<h1>财政项目支出绩效目标：报告索引</h1>",
    ]
    notice = synthetic_notice_html(decl)
    if notice:
        parts.append(notice)
    parts.append(
        f"<p>共 {len(results)} 份报告（{sum(r.kind == 'unit' for r in results)} 个单位，"
        f"{sum(r.kind == 'year' for r in results)} 个年度），{len(decl)} 条项目申报；"
        f"生成于 {esc(time.strftime('%Y-%m-%d %H:%M'))}。"
        "执行率 = 上年预算执行数合计 ÷ 同名项目上年预算额合计（按预算加权）。</p>"
    )
    if failed:
        parts.append(f'<h2 id="failed">未能生成的报告（{len(failed)}）</h2>')
        parts.append("<table><tr><th>类型</th><th>名称</th><th>错误（单元格与信息）</th><th>已执行的笔记本</th></tr>")
        for r in failed:
            nb = f'<a href="{_href(out, r.out_ipynb)}">ipynb</a>' if r.out_ipynb and Path(r.out_ipynb).exists() else "—"
            kind = "单位" if r.kind == "unit" else "年度"
            parts.append(f'<tr class="failed"><td>{kind}</td><td>{esc(r.name)}</td><td>{esc(r.error)}</td><td>{nb}</td></tr>')
        parts.append("</table>")

    def rows(kind: str, figures, head: str) -> None:
        chosen = [r for r in results if r.kind == kind]
        if not chosen:
            return
        parts.append(head)
        label, budget_head = ("单位", "当年预算合计（各年相加）") if kind == "unit" else ("年度", "当年预算合计")
        parts.append(
            f"<table><tr><th>{label}</th><th>项目申报数</th><th>{budget_head}</th><th>上年执行率（各年合计）</th><th>报告</th></tr>"
            if kind == "unit"
            else f"<table><tr><th>{label}</th><th>项目申报数</th><th>{budget_head}</th><th>上年执行率</th><th>报告</th></tr>"
        )
        for r in chosen:
            key = r.name if kind == "unit" else int(r.name)
            f = figures.loc[key] if key in figures.index else None
            n = int(f["n_projects"]) if f is not None else 0
            budget = fmt_money(f["year_budget"]) if f is not None else "—"
            rate = fmt_rate(f["rate"]) if f is not None else "—"
            if r.status == "failed":
                link = f'<a href="#failed">失败</a>：{esc(r.error)}'
                cls = ' class="failed"'
            else:
                link = f'<a href="{_href(out, r.out_html)}">打开报告</a>'
                if r.out_ipynb and Path(r.out_ipynb).exists():
                    link += f' · <a href="{_href(out, r.out_ipynb)}">笔记本</a>'
                cls = ""
            parts.append(
                f"<tr{cls}><td>{esc(r.name)}</td><td class=\"num\">{n}</td><td class=\"num\">{esc(budget)}</td>"
                f"<td class=\"num\">{esc(rate)}</td><td>{link}</td></tr>"
            )
        parts.append("</table>")

    rows("year", per_year, "<h2>年度报告</h2>")
    rows("unit", per_unit, "<h2>单位报告</h2>")
    if exported:
        parts.append("<h2>数据表（Excel 与 CSV）</h2><ul>")
        for path in exported:
            parts.append(f'<li><a href="{_href(out, path)}">{esc(Path(path).name)}</a></li>')
        parts.append("</ul><p>CSV 文件为 UTF-8（带 BOM）编码，可直接用 Excel 打开。</p>")
    parts.append("</body></html>")
    target = inside(out, "index.html")
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text("\n".join(parts), encoding="utf-8")
    os.replace(tmp, target)
    return target


# ----------------------------------------------------------------------------- command line

def add_arguments(parser):
    parser.add_argument("--processed", default="data/processed", help="folder with the processed tables (default: data/processed)")
    parser.add_argument("--out", default="reports", help="output folder (default: reports)")
    parser.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)), help="notebooks run at the same time (default: cores, at most 4)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds one notebook cell may run before the notebook fails (default: 600)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run on dask.distributed: a scheduler address (tcp://host:8786) or 'local' for a LocalCluster of --jobs workers")
    parser.add_argument("--units", nargs="+", metavar="UNIT", help="only these units (by exact name)")
    parser.add_argument("--years", nargs="+", type=int, metavar="YEAR", help="only these years")
    parser.add_argument("--force", action="store_true", help="render every report again, ignoring the cache")
    parser.add_argument("--notebooks", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--no-export", action="store_true", help="skip the Excel/CSV export into OUT/tables")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args) -> int:
    processed = Path(args.processed)
    if not (processed / "declarations.parquet").exists():
        print(f"{processed}/declarations.parquet not found: run `python -m analysis ingest` first", file=sys.stderr)
        return 2
    start = time.perf_counter()
    results = run_batch(
        processed,
        args.out,
        jobs=args.jobs,
        timeout=args.timeout or None,
        scheduler=args.scheduler,
        units=args.units,
        years=args.years,
        force=args.force,
        notebooks=args.notebooks,
        export=not args.no_export,
        quiet=args.quiet,
    )
    counts = {s: sum(r.status == s for r in results) for s in ("rendered", "cached", "failed")}
    index = Path(args.out) / "index.html"
    print(
        f"{len(results)} reports: {counts['rendered']} rendered, {counts['cached']} unchanged, "
        f"{counts['failed']} failed in {time.perf_counter() - start:.1f} s; open {index}"
    )
    for r in results:
        if r.status == "failed":
            print(f"  failed: {r.kind} {r.name}: {r.error}", file=sys.stderr)
    return 1 if counts["failed"] else 0
