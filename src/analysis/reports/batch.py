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

Runs go to ``--jobs`` local worker processes or, with ``--scheduler``, to a dask.distributed
cluster (``local`` starts a LocalCluster; an address such as ``tcp://host:8786`` uses a running
one, whose workers must see the same file system).  Either way each worker keeps a warm kernel
that runs report after report (:mod:`analysis.reports.runners`, :mod:`analysis.reports.kernels`).
A worker that dies costs only its report (tried once more in a fresh worker).  A failed export
of the tables is reported (``Results.export_error``, exit status 1) and the index still written.
The command holds the run lock of OUT (:mod:`analysis.locks`): exit status 3 when a scheduled
run or other reports hold it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from analysis import locks
from analysis.arguments import number
from analysis.messages import _, language
from analysis.paths import expand
from analysis.publish import TablesInFlux
from analysis.reports.cache import PACKAGE_DIR, cache_key, code_hash, data_hashes, file_hash  # noqa: F401
from analysis.reports.index import write_index
from analysis.reports.pin import pin
from analysis.reports.plan import Result, Task, inside, plan, prune, safe_name, write_redirects  # noqa: F401
from analysis.reports.render import KERNEL, Renderer, describe_error, html_exporter, render_one, to_html  # noqa: F401
from analysis.reports.runners import run_dask, run_local

DEFAULT_NOTEBOOKS = PACKAGE_DIR.parents[1] / "notebooks"


def _progress(total: int, quiet: bool):
    from tqdm import tqdm

    # disable=None: no bar when stderr is no terminal (a scheduler's log gets no redraws)
    return tqdm(
        total=total,
        desc=_("reports.progress_bar"),
        unit="nb",
        disable=True if quiet or total == 0 else None,
        file=sys.stderr,
    )


class Results(list):
    """The batch's results (one per report, in plan order); ``export_error`` names a failed export."""

    export_error: str = ""


def run_batch(  # noqa: PLR0915 - the batch in order: plan, cache, render, index, export; each step a call
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
) -> Results:
    """Render the reports (see the module doc); returns one Result per report, in plan order."""
    processed = expand(processed).resolve()
    out = expand(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    notebooks = expand(notebooks).resolve() if notebooks else DEFAULT_NOTEBOOKS
    cache_dir = inside(out, ".cache")
    cache_dir.mkdir(exist_ok=True)
    processed = pin(processed, cache_dir)  # one published set for the whole batch, whatever an ingest does

    data = data_hashes(processed)
    code = code_hash()
    tasks = disambiguate(plan(processed, out, notebooks, units=units, years=years), out)
    if units is None and years is None:  # a full run: pages of units or years gone from the data go too
        prune(out, tasks)
    results: dict[tuple, Result] = {}
    todo = []
    for t in tasks:
        t.key = cache_key(Path(t.notebook), t.parameters, data, code)
        stamp = cache_dir / f"{t.kind}-{t.stem}.json"
        if not force and is_cached(stamp, t):
            results[(t.kind, t.stem)] = Result(
                t.kind, t.name, t.stem, "cached", out_html=t.out_html, out_ipynb=t.out_ipynb
            )
            continue
        stamp.unlink(missing_ok=True)  # a run killed half-way must not leave a stamp that vouches for old files
        todo.append(t)

    bar = _progress(len(todo), quiet)
    by_stem = {(t.kind, t.stem): t for t in todo}

    def on_done(r: Result) -> None:
        results[(r.kind, r.stem)] = r
        t = by_stem[(r.kind, r.stem)]
        stamp = cache_dir / f"{t.kind}-{t.stem}.json"
        if r.status == "rendered":
            write_stamp(stamp, t, r.seconds, r.extra.get("timings"))
        else:
            stamp.unlink(missing_ok=True)
            bar.write(_("reports.failed", kind=_(f"kind.{t.kind}"), name=t.name, error=r.error))
        bar.update(1)

    # the longest reports first (a year report covers every unit, the overview all), so that no worker is left with
    # one long report at the end while the others wait
    todo.sort(key=lambda t: t.kind == "unit")
    try:
        if todo:
            if scheduler:
                run_dask(todo, scheduler, jobs, timeout, kernel, on_done)
            else:
                run_local(todo, jobs, timeout, kernel, on_done)
    finally:
        bar.close()

    ordered = Results(results[(t.kind, t.stem)] for t in tasks)
    write_redirects(tasks)  # the old file names of unit reports lead on to the new ones
    exported = []
    if export:
        exported, ordered.export_error = _export(
            processed, inside(out, "tables"), json.dumps([data, code], sort_keys=True)
        )
    full = units is None and years is None
    listed = ordered if full else _listing(processed, out, notebooks, results)
    write_index(out, processed, listed, exported, export_error=ordered.export_error)
    return ordered


def _export(processed: Path, tables_dir: Path, key: str) -> tuple[list[Path], str]:
    """The Excel/CSV export, or none and why it failed (a full disk, ``tables`` not a folder):
    what it left half-written is removed, so that the index can still be written."""
    from analysis.reports import export as export_mod

    try:
        return export_mod.export_cached(processed, tables_dir, key=key), ""
    except Exception as exc:  # noqa: BLE001 - a failed export (disk full ...) must not cost the index
        error = f"{type(exc).__name__}: {exc}"
    if tables_dir.is_dir():
        for junk in [*tables_dir.glob("*.tmp"), tables_dir / ".export.json"]:
            try:
                junk.unlink(missing_ok=True)
            except OSError:
                pass
    return [], error


def _listing(processed: Path, out: Path, notebooks: Path, results: dict) -> list[Result]:
    """After a partial run, the index still lists every report: those of this run as they went,
    the others as found on disk (``cached``) or ``missing``."""
    listed = []
    for t in disambiguate(plan(processed, out, notebooks), out):
        r = results.get((t.kind, t.stem))
        if r is None:
            status = "cached" if Path(t.out_html).exists() else "missing"
            r = Result(t.kind, t.name, t.stem, status, out_html=t.out_html, out_ipynb=t.out_ipynb)
        listed.append(r)
    return listed


def disambiguate(tasks: list[Task], out: Path) -> list[Task]:
    """Give every report its own files even if two names share a safe name (a hash collision).

    The names that share a stem get the full SHA-256 of the name instead; the first report of
    a stem keeps it only when it is the sole claimant.
    """
    import hashlib

    seen: dict[tuple, list[Task]] = {}
    for t in tasks:
        seen.setdefault((t.kind, t.stem), []).append(t)
    for (kind, _stem), group in seen.items():
        if len(group) < 2:
            continue
        for t in group:
            new = f"{kind}-{hashlib.sha256(str(t.name).encode('utf-8', 'surrogatepass')).hexdigest()}"
            folder = "units" if kind == "unit" else "years"
            t.stem = new
            t.out_ipynb = str(inside(out, "notebooks", folder, f"{new}.ipynb"))
            t.out_html = str(inside(out, folder, f"{new}.html"))
    return tasks


def _outputs_digest(t: Task) -> dict | None:
    """Size and SHA-256 of the report's HTML and executed notebook, or None when one is missing."""
    digest = {}
    for label, path in (("html", Path(t.out_html)), ("ipynb", Path(t.out_ipynb))):
        try:
            digest[label] = [path.stat().st_size, file_hash(path)]
        except OSError:
            return None
    return digest


def is_cached(stamp: Path, t: Task) -> bool:
    """True when ``stamp`` was written for the key of ``t`` and the files it vouches for are intact."""
    try:
        saved = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(saved, dict) or saved.get("key") != t.key or "outputs" not in saved:
        return False
    return saved["outputs"] == _outputs_digest(t)


def write_stamp(stamp: Path, t: Task, seconds: float, timings: dict | None = None) -> None:
    """The cache stamp of a rendered report: its key, the size and hash of its files, where its time went."""
    outputs = _outputs_digest(t)
    if outputs is None:
        stamp.unlink(missing_ok=True)
        return
    tmp = stamp.with_name(stamp.name + ".tmp")
    record = {
        "key": t.key,
        "name": t.name,
        "seconds": round(seconds, 3),
        "outputs": outputs,
        "timings": {k: round(v, 4) for k, v in (timings or {}).items()},
    }
    tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, stamp)


# ----------------------------------------------------------------------------- command line


def add_arguments(parser):
    parser.add_argument("--processed", default="data/processed", metavar=_("meta.dir"), help=_("opt.processed"))
    parser.add_argument("--out", default="reports", metavar=_("meta.dir"), help=_("reports.out"))
    parser.add_argument(
        "--jobs",
        type=number("number.reports_at_a_time", 256, integer=True),
        default=max(1, min(4, os.cpu_count() or 1)),
        metavar="N",
        help=_("reports.jobs"),
    )
    parser.add_argument(
        "--timeout",
        type=number("number.seconds", 7 * 86400, zero="number.no_limit"),
        default=600,
        metavar=_("meta.seconds"),
        help=_("reports.timeout"),
    )
    parser.add_argument("--scheduler", default=None, metavar=_("meta.address"), help=_("opt.scheduler"))
    parser.add_argument("--units", nargs="+", metavar=_("meta.unit"), help=_("reports.units"))
    parser.add_argument(
        "--years",
        nargs="+",
        type=number("number.year", 9999, integer=True),
        metavar=_("meta.year"),
        help=_("reports.years"),
    )
    parser.add_argument("--force", action="store_true", help=_("reports.force"))
    parser.add_argument("--notebooks", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--no-export", action="store_true", help=_("reports.no_export"))
    parser.add_argument("--quiet", action="store_true", help=_("reports.quiet"))


def unknown_names(processed, units=None, years=None) -> list[str]:
    """One message (in the language in use) with the closest names per unit or year asked for that the
    data do not hold."""
    from analysis.reports.plan import match_names
    from analysis.reports.show import available, unknown_message

    messages = []
    for kind, column, asked in (("单位", "unit", units), ("年度", "year", years)):
        if asked:
            have = available(processed, column)
            known = match_names(asked, have) if column == "unit" else {a: a for a in asked if a in set(have)}
            messages += [unknown_message(kind, a, have, lang=language()) for a in asked if a not in known]
    return messages


def _os_error(exc: OSError) -> str:
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    return f"{exc.strerror or exc}{where}"


def run(args) -> int:
    processed = Path(args.processed)
    if not (processed / "declarations.parquet").exists():
        print(_("error.no_tables", processed=processed), file=sys.stderr)
        return 2
    unknown = unknown_names(processed, args.units, args.years)
    if unknown:
        for message in unknown:
            print(message, file=sys.stderr)
        return 2
    # the run lock of the reports' folder: a scheduled run, or other reports, writing the same
    # folder stop these (status 3); a lock left by a killed one is taken over
    return locks.locked([args.out], lambda: _render(args, processed))


def _render(args, processed: Path) -> int:
    start = time.perf_counter()
    try:
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
    except OSError as exc:  # a read-only or missing output folder, a full disk: one line, no traceback
        print(_("reports.cannot_write", out=args.out, error=_os_error(exc)), file=sys.stderr)
        return 2
    except TablesInFlux as exc:
        print(_("error.line", error=exc), file=sys.stderr)
        return 2
    counts = {s: sum(r.status == s for r in results) for s in ("rendered", "cached", "failed")}
    index = Path(args.out) / "index.html"
    print(
        _(
            "reports.summary",
            n=len(results),
            rendered=counts["rendered"],
            cached=counts["cached"],
            failed=counts["failed"],
            seconds=time.perf_counter() - start,
            index=index,
        )
    )
    for r in results:
        if r.status == "failed":
            print("  " + _("reports.failed", kind=_(f"kind.{r.kind}"), name=r.name, error=r.error), file=sys.stderr)
    if getattr(results, "export_error", ""):
        print("  " + _("reports.export_failed", error=results.export_error), file=sys.stderr)
    return 1 if counts["failed"] or getattr(results, "export_error", "") else 0
