"""The one command for schedulers: ingest, reports and export in one go, safely, saying what changed.

``python -m analysis run [--raw RAW_DIR] [--processed DIR] [--out DIR] [--jobs N]
[--scheduler ADDRESS|local] [--timeout S] [--allow-shrink]``

1. takes the run lock of the output folders (:mod:`analysis.locks`, also ``analysis.runs.lock``;
   the lock ``ingest`` and ``reports`` take too): a second run stops at once (status 3); a lock
   left by a killed run is taken over, and the log says so;
2. ingests RAW_DIR into a folder beside the tables (``PROCESSED/.run-next``), not over them;
3. the shrink guard: new tables holding far fewer declarations than those they would replace
   (fewer than :data:`SHRINK_FLOOR` of them: an empty input folder, a share that did not mount)
   are not published; the previous tables and reports stay, the run says why (status 3).
   ``--allow-shrink`` publishes them anyway;
4. compares the new tables with the previous ones (:mod:`analysis.runs.digest`), publishes them,
   renders the reports and exports the tables (:func:`analysis.reports.batch.run_batch`);
5. writes ``OUT/run.json`` (start, end, seconds per stage, counts, exit status, what changed),
   ``OUT/run.txt`` (the digest: a few lines fit for a mail) and ``OUT/run.log`` (this run's log).

Exit statuses (:data:`STATUSES`): 0 all done; 1 done, but some files or reports failed (or the
export); 2 bad usage (an option, an input folder that does not exist, an output folder that
cannot be written); 3 another run holds the lock, or the run refused to replace the tables;
4 the run itself failed (see the log).

Log lines carry a time stamp; progress bars are shown only on a terminal.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from analysis import locks as lock  # (its name here before ingest and reports took it too)
from analysis.arguments import number
from analysis.messages import _
from analysis.paths import expand

#: new tables with fewer declarations than this share of those they replace are not published
SHRINK_FLOOR = 0.5
NEXT = ".run-next"
TABLES = ("declarations", "indicators", "problems")

OK, PARTLY, USAGE, REFUSED, FAILED = 0, 1, 2, lock.BUSY, 4
#: exit status -> the catalogue's key of what it means (:func:`status_text`)
STATUSES = {status: f"run.status.{status}" for status in (OK, PARTLY, USAGE, REFUSED, FAILED)}


def status_text(status: int) -> str:
    """What an exit status means, in the language in use."""
    return _(STATUSES[status])


def epilog() -> str:
    """Said after the options by ``python -m analysis run --help``: the exit statuses."""
    return _("run.epilog", statuses=_("sep.clause").join(f"{k} {status_text(k)}" for k in STATUSES))


log = logging.getLogger("analysis.run")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class _Formatter(logging.Formatter):
    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's name
        return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(record.created))


def _handler(handler: logging.Handler) -> logging.Handler:
    handler.setFormatter(_Formatter("%(asctime)s %(levelname)s %(message)s"))
    return handler


def declarations_in(folder: Path) -> int | None:
    """How many declarations the published tables of ``folder`` hold (None: no tables)."""
    from analysis import publish

    manifest = publish.read_manifest(folder)
    try:
        return int(manifest["tables"]["declarations"]["rows"])
    except (TypeError, KeyError, ValueError):
        pass
    path = folder / "declarations.parquet"
    if not path.exists():
        return None
    import pyarrow.parquet as pq

    return pq.read_metadata(path).num_rows


def shrink_refusal(before: int | None, after: int, raw: Path, allow: bool) -> str | None:
    """Why tables of ``after`` declarations must not replace tables of ``before``, or None."""
    if not before or after >= before * SHRINK_FLOOR:
        return None
    why = _("run.shrink", after=after, before=before, floor=SHRINK_FLOOR)
    try:
        empty = not any(raw.iterdir())
    except OSError as exc:
        empty, why = False, why + _("run.shrink.unlisted", raw=raw, error=exc.strerror or exc)
    if empty:
        why += _("run.shrink.empty", raw=raw)
    if allow:
        log.warning("%s", _("run.shrink.allowed", why=why))
        return None
    return why + _("run.shrink.kept")


def _publish_next(nxt: Path, processed: Path) -> None:
    """Publish the tables ingested into ``nxt`` as the tables of ``processed``, as one set."""
    from analysis import publish

    manifest = publish.read_manifest(nxt)
    staging = publish.new_staging(processed)
    try:
        for name in TABLES:
            os.replace(nxt / f"{name}.parquet", staging / f"{name}.parquet")
        rows = {n: manifest["tables"][n]["rows"] for n in TABLES}
        publish.publish(staging, processed, list(TABLES), manifest["run"], rows)
    except BaseException:
        if not (staging / publish.MANIFEST).exists():
            shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)


def _ingest_record(s: dict) -> dict:
    keys = (
        "files",
        "files_skipped",
        "files_with_declarations",
        "files_without_declaration",
        "files_failed",
        "declarations_found",
        "declarations",
        "dropped_failed",
        "indicators",
        "problems",
        "errors",
        "warnings",
        "problems_by_code",
        "ledger_ok",
        "files_new",
        "files_changed",
        "files_removed",
        "files_reused",
        "files_hashed",
    )
    return {k: s[k] for k in keys if k in s}


def nightly(
    raw,
    processed,
    out,
    jobs: int = 2,
    scheduler: str | None = None,
    timeout: float | None = 600,
    allow_shrink: bool = False,
    notebooks=None,
    reports: bool = True,
    progress: bool | None = None,
    hash_all: bool = False,
) -> int:
    """Run the whole job (see the module's text) and return its exit status. The log goes to the
    ``analysis.run`` logger (the command line sends it to stderr and ``OUT/run.log``)."""
    raw, processed, out = expand(raw), expand(processed), expand(out)
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    progress = sys.stderr.isatty() if progress is None else progress
    record: dict = {
        "started": _now(),
        "raw": str(raw),
        "processed": str(processed),
        "out": str(out),
        "seconds": {},
        "why": [],
    }
    t0 = time.perf_counter()
    if not raw.is_dir():
        log.error("%s: %s", raw, _("folder.is_a_file" if raw.exists() else "folder.missing"))
        return USAGE
    for folder in (processed, out):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.error("%s", _("folder.cannot_create", folder=folder, error=exc.strerror or exc))
            return USAGE
        if not os.access(folder, os.W_OK):
            log.error("%s", _("folder.cannot_write", folder=folder))
            return USAGE
    try:
        with lock.hold([processed, out], on_note=log.warning):
            file_log = _handler(logging.FileHandler(out / "run.log", mode="w", encoding="utf-8"))
            log.addHandler(file_log)
            try:
                status = _locked_run(
                    raw,
                    processed,
                    out,
                    jobs,
                    scheduler,
                    timeout,
                    allow_shrink,
                    notebooks,
                    reports,
                    progress,
                    record,
                    hash_all,
                )
            except Exception as exc:  # noqa: BLE001 - said in the log, the summary and the status
                failure = _("run.failed", error=f"{type(exc).__name__}: {exc}")
                log.exception("%s", failure)
                record["why"].append(failure)
                status = FAILED
            record["seconds"]["total"] = round(time.perf_counter() - t0, 2)
            _finish(out, record, status)
            log.removeHandler(file_log)
            file_log.close()
            return status
    except lock.Busy as exc:
        log.error("%s", exc)
        return REFUSED


def _finish(out: Path, record: dict, status: int) -> None:
    from analysis.publish import _write_json
    from analysis.runs.digest import format_digest

    record["ended"] = _now()
    record["status"] = status
    record["status_text"] = status_text(status)
    record.setdefault("headline", _("run.headline.status", status=status_text(status)))
    _write_json(out / "run.json", record)
    digest = format_digest(record)
    tmp = out / "run.txt.tmp"
    tmp.write_text(digest, encoding="utf-8")
    os.replace(tmp, out / "run.txt")
    log.info(
        "%s",
        _("run.finished", status=status, text=status_text(status), summary=out / "run.json", digest=out / "run.txt"),
    )


def _stage(record: dict, name: str, t: float) -> None:
    record["seconds"][name] = round(time.perf_counter() - t, 2)


def _locked_run(
    raw, processed, out, jobs, scheduler, timeout, allow_shrink, notebooks, reports, progress, record, hash_all=False
):
    from analysis import publish
    from analysis.ingest import ingest
    from analysis.ingest.cache import CACHE
    from analysis.runs import digest

    recovered = publish.recover(processed)  # a publication a killed run left half-done
    for line in recovered:
        log.warning("%s", line)
    nxt = processed / NEXT
    shutil.rmtree(nxt, ignore_errors=True)
    before = declarations_in(processed)

    log.info("%s", _("run.ingest", raw=raw))
    t = time.perf_counter()
    result = ingest(
        raw, nxt, jobs=jobs, progress=progress, scheduler=scheduler, cache=processed / CACHE, hash_all=hash_all
    )
    _stage(record, "ingest", t)
    s = result.summary
    record["ingest"] = _ingest_record(s)
    if "files_reused" in s:
        log.info(
            "%s",
            _(
                "run.ingest.cache",
                new=s["files_new"],
                changed=s["files_changed"],
                removed=s["files_removed"],
                reused=s["files_reused"],
            ),
        )
    log.info(
        "%s",
        _(
            "run.ingest.done",
            files=s["files"],
            declarations=s["declarations"],
            indicators=s["indicators"],
            errors=s["errors"],
            warnings=s["warnings"],
            seconds=record["seconds"]["ingest"],
        ),
    )
    record["declarations_before"] = before

    refusal = shrink_refusal(before, s["declarations"], raw, allow_shrink)
    if refusal:
        shutil.rmtree(nxt, ignore_errors=True)
        log.error("%s", _("run.refused", why=refusal))
        record["why"].append(_("run.refused", why=refusal))
        record["headline"] = _("run.headline.refused")
        return REFUSED

    t = time.perf_counter()
    record["changes"] = digest.table_changes(processed if before is not None else None, nxt)
    _stage(record, "compare", t)
    t = time.perf_counter()
    _publish_next(nxt, processed)
    shutil.rmtree(nxt, ignore_errors=True)
    _stage(record, "publish", t)
    log.info("%s", _("run.published", folder=processed))

    status = OK
    failed_files = sum(s.get("files_failed", {}).values()) + s.get("dropped_failed", 0)
    if failed_files:
        status = PARTLY
        record["why"].append(_("run.files_failed", n=failed_files))
    if reports:
        status = max(status, _reports(processed, out, jobs, scheduler, timeout, notebooks, progress, record))
    ch = record["changes"]
    if ch.get("first"):
        record["headline"] = _("run.headline.first", n=s["declarations"])
    else:
        c = ch["declarations"]["counts"]
        record["headline"] = _("run.headline.changes", new=c["new"], changed=c["changed"], removed=c["removed"]) + (
            _("run.headline.failed_reports", n=len(record["reports"]["failed_reports"]))
            if record.get("reports", {}).get("failed")
            else ""
        )
    return status


def _reports(processed, out, jobs, scheduler, timeout, notebooks, progress, record) -> int:
    from analysis.reports.batch import run_batch
    from analysis.runs import digest

    stamps = digest.report_stamps(out)
    log.info("%s", _("run.reports", out=out))
    t = time.perf_counter()
    results = run_batch(
        processed,
        out,
        jobs=jobs,
        timeout=timeout,
        scheduler=scheduler,
        notebooks=notebooks,
        quiet=not progress,
    )
    _stage(record, "reports", t)
    counts = {s: sum(r.status == s for r in results) for s in ("rendered", "cached", "failed")}
    failed = [{"kind": r.kind, "name": str(r.name), "error": r.error} for r in results if r.status == "failed"]
    export_error = getattr(results, "export_error", "")
    record["reports"] = {
        "total": len(results),
        "rendered": counts["rendered"],
        "unchanged": counts["cached"],
        "failed": counts["failed"],
        "failed_reports": failed,
        "export_error": export_error,
    }
    record["report_changes"] = digest.report_changes(stamps, digest.report_stamps(out))
    log.info(
        "%s",
        _(
            "run.reports.done",
            rendered=counts["rendered"],
            unchanged=counts["cached"],
            failed=counts["failed"],
            seconds=record["seconds"]["reports"],
        ),
    )
    for f in failed:
        log.error("%s", _("run.report_failed", kind=_(f"kind.{f['kind']}"), name=f["name"], error=f["error"]))
    if export_error:
        log.error("%s", _("reports.export_failed", error=export_error))
    if failed or export_error:
        record["why"].append(_("run.reports_failed", n=len(failed)) + (_("run.export_failed") if export_error else ""))
        return PARTLY
    return OK


# ----------------------------------------------------------------------------- command line


def add_arguments(parser) -> None:
    parser.add_argument("--raw", default="data/raw", metavar=_("meta.raw_dir"), help=_("run.raw"))
    parser.add_argument("--processed", default="data/processed", metavar=_("meta.dir"), help=_("opt.processed"))
    parser.add_argument("--out", default="reports", metavar=_("meta.dir"), help=_("run.out"))
    parser.add_argument(
        "--jobs", type=number("number.processes", 1024, integer=True), default=2, metavar="N", help=_("run.jobs")
    )
    parser.add_argument("--scheduler", default=None, metavar=_("meta.address"), help=_("opt.scheduler"))
    parser.add_argument(
        "--timeout",
        type=number("number.seconds", 7 * 86400, zero="number.no_bound"),
        default=600,
        metavar=_("meta.seconds"),
        help=_("run.timeout"),
    )
    parser.add_argument(
        "--allow-shrink", action="store_true", help=_("run.allow_shrink", percent=f"{SHRINK_FLOOR * 100:.0f}")
    )
    parser.add_argument("--hash-all", action="store_true", help=_("run.hash_all"))
    parser.add_argument("--notebooks", default=None, help=argparse.SUPPRESS)


def run(args) -> int:
    handler = _handler(logging.StreamHandler(sys.stderr))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        return nightly(
            args.raw,
            args.processed,
            args.out,
            jobs=args.jobs,
            scheduler=args.scheduler,
            timeout=args.timeout or None,
            allow_shrink=args.allow_shrink,
            notebooks=args.notebooks,
            hash_all=args.hash_all,
        )
    finally:
        log.removeHandler(handler)
