"""Read every declaration file under RAW_DIR into the processed tables.

``python -m analysis ingest [RAW_DIR] [--out PROCESSED_DIR] [--jobs N] [--scheduler ADDRESS|local]``:
the command line of the ingest (:func:`add_arguments`, :func:`run`, the bounds per file from
its options) and the summary it prints (:func:`format_summary`); the work is
:func:`analysis.ingest.pipeline.ingest`. The command holds the run lock of PROCESSED_DIR
(:mod:`analysis.locks`): exit status 3 when another run or ingest holds it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa

from analysis import locks
from analysis.arguments import number
from analysis.ingest import limits as lim
from analysis.ingest.cache import CACHE
from analysis.ingest.limits import Limits
from analysis.ingest.pipeline import _not_a_folder, ingest
from analysis.ingest.workers import settle_gc
from analysis.messages import _, pick, plural
from analysis.problems import CODES, chinese


def format_summary(s: dict) -> str:
    """The ingest's summary, in the language in use (:mod:`analysis.messages`)."""
    sep = _("sep.list")
    failed = sep.join(f"{n} {code}" for code, n in s.get("files_failed", {}).items())
    pages = s.get("html_without_declaration")
    pages_text = plural("ingest.pages", pages) if pages else ""
    lines = [
        _("ingest.summary.read", raw=s["raw_dir"], files=plural("ingest.files", s["files"]))
        + (_("ingest.summary.skipped", n=s["files_skipped"]) if s["files_skipped"] else "")
        + (_("ingest.summary.pages_skipped", pages=pages_text) if pages else "")
        + _("ingest.summary.counts", declarations=s["declarations"], indicators=s["indicators"]),
        _(
            "ingest.summary.files",
            files=s["files"],
            with_=s["files_with_declarations"],
            without=s["files_without_declaration"],
            failed=_("ingest.summary.failed", list=failed) if failed else "",
        )
        + (_("ingest.summary.files_pages", pages=pages_text) if pages else "")
        + (_("ingest.summary.unexplained", n=s["files_unexplained"]) if s.get("files_unexplained") else ""),
        _(
            "ingest.summary.ledger",
            found=s["declarations_found"],
            ingested=s["declarations"],
            missing=s["dropped_missing_field"],
            repeats=s["dropped_repeats"],
            conflicts=s["dropped_conflicts"],
            failed=s["dropped_failed"],
        )
        + ("" if s["ledger_ok"] else _("ingest.summary.unbalanced")),
        _("ingest.summary.problems", errors=s["errors"], warnings=s["warnings"])
        + (
            _("ingest.summary.no_declaration", n=s["files_without_declaration"])
            if s["files_without_declaration"]
            else ""
        )
        + (
            _("ingest.summary.folded", rows=s["problems"], folded=s["problems_folded"])
            if s.get("problems_folded")
            else ""
        ),
    ]
    for code, n in s["problems_by_code"].items():
        severity, meaning = CODES[code][0], pick(chinese(code), CODES[code][1])
        lines.append(_("ingest.summary.code", severity=_(f"severity.{severity}"), code=code, n=n, meaning=meaning))
    if "files_reused" in s:
        lines.append(
            _(
                "ingest.summary.cache",
                new=s["files_new"],
                changed=s["files_changed"],
                removed=s["files_removed"],
                reused=s["files_reused"],
            )
            + (_("ingest.summary.hashed", n=s["files_hashed"]) if s.get("files_hashed") else "")
        )
    for line in s.get("recovered", []):
        lines.append(_("ingest.summary.note", line=line))
    return "\n".join(lines)


def add_arguments(parser) -> None:
    d = lim.DEFAULT
    parser.add_argument("raw_dir", nargs="?", default="data/raw", metavar=_("meta.raw_dir"), help=_("ingest.raw_dir"))
    parser.add_argument("--out", default="data/processed", metavar=_("meta.processed_dir"), help=_("ingest.out"))
    parser.add_argument(
        "--jobs",
        type=number("number.processes", 1024, integer=True),
        default=None,
        metavar="N",
        help=_("ingest.jobs"),
    )
    parser.add_argument("--progress", action="store_true", help=_("ingest.progress"))
    parser.add_argument("--full", action="store_true", help=_("ingest.full", cache=CACHE))
    parser.add_argument("--hash-all", action="store_true", help=_("ingest.hash_all"))
    parser.add_argument("--scheduler", default=None, metavar=_("meta.address"), help=_("ingest.scheduler"))
    g = parser.add_argument_group(_("ingest.bounds"), _("ingest.bounds.about"))
    g.add_argument(
        "--max-file-mb",
        type=number("number.mb", 1e6, zero="number.no_bound"),
        default=d.max_bytes / lim.MiB,
        metavar="MB",
        help=_("ingest.max_file_mb", n=d.max_bytes / lim.MiB),
    )
    g.add_argument(
        "--max-unzipped-mb",
        type=number("number.mb", 1e6, zero="number.no_bound"),
        default=d.max_unzipped / lim.MiB,
        metavar="MB",
        help=_("ingest.max_unzipped_mb", n=d.max_unzipped / lim.MiB),
    )
    g.add_argument(
        "--max-rows",
        type=number("number.rows", 1e9, integer=True, zero="number.no_bound"),
        default=d.max_rows,
        metavar="N",
        help=_("ingest.max_rows", n=d.max_rows),
    )
    g.add_argument(
        "--max-cells",
        type=number("number.cells", 1e10, integer=True, zero="number.no_bound"),
        default=d.max_cells,
        metavar="N",
        help=_("ingest.max_cells", n=d.max_cells),
    )
    g.add_argument(
        "--file-timeout",
        type=number("number.seconds", 7 * 86400, zero="number.no_bound"),
        default=d.seconds,
        metavar=_("meta.seconds"),
        help=_("ingest.file_timeout", n=d.seconds),
    )
    g.add_argument(
        "--repeat-warnings",
        type=number("number.rows", 1e6, integer=True, zero="number.every_one"),
        default=d.repeat_warnings,
        metavar="N",
        help=_("ingest.repeat_warnings", n=d.repeat_warnings),
    )


def limits_from_args(args) -> Limits:
    def bound(value, scale=None):
        if value is None or value <= 0:
            return None
        return int(value * scale) if scale else value

    return Limits(
        max_bytes=bound(args.max_file_mb, lim.MiB),
        max_unzipped=bound(args.max_unzipped_mb, lim.MiB),
        max_rows=bound(args.max_rows),
        max_cells=bound(args.max_cells),
        seconds=bound(args.file_timeout),
        repeat_warnings=bound(args.repeat_warnings),
    )


def run(args) -> int:
    raw = Path(args.raw_dir)
    if not raw.is_dir():
        print(_("ingest.not_a_folder", raw=raw, why=_not_a_folder(raw)), file=sys.stderr)
        return 2
    # the run lock of the tables' folder: a scheduled run, or another ingest, writing the same
    # folder stops this one (status 3); a lock left by a killed one is taken over
    return locks.locked([args.out], lambda: _ingest(args, raw))


def _ingest(args, raw: Path) -> int:
    # the C library's allocator gives memory back where Arrow's default (mimalloc) keeps it:
    # a quarter less peak memory for a large file, the same speed (this process only)
    pa.set_memory_pool(pa.system_memory_pool())
    settle_gc()  # this process gathers the rows of every file
    try:
        result = ingest(
            raw,
            args.out,
            jobs=args.jobs,
            progress=args.progress,
            limits=limits_from_args(args),
            scheduler=args.scheduler,
            cache=None if args.full else Path(args.out) / CACHE,
            hash_all=args.hash_all,
        )
    except PermissionError as exc:
        print(_("error.line", error=exc), file=sys.stderr)
        return 2
    except OSError as exc:
        print(_("error.cannot_write_tables", out=args.out, error=exc), file=sys.stderr)
        return 2
    print(format_summary(result.summary))
    print(_("ingest.written", out=result.out_dir))
    return 0
