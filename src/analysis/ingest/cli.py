"""Read every declaration file under RAW_DIR into the processed tables.

``python -m analysis ingest [RAW_DIR] [--out PROCESSED_DIR] [--jobs N] [--scheduler ADDRESS|local]``:
the command line of the ingest (:func:`add_arguments`, :func:`run`, the bounds per file from
its options) and the summary it prints (:func:`format_summary`); the work is
:func:`analysis.ingest.pipeline.ingest`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa

from analysis.arguments import number
from analysis.ingest import limits as lim
from analysis.ingest.cache import CACHE
from analysis.ingest.limits import Limits
from analysis.ingest.pipeline import _not_a_folder, ingest
from analysis.ingest.workers import settle_gc
from analysis.problems import CODES


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def format_summary(s: dict) -> str:
    failed = ", ".join(f"{n} {code}" for code, n in s.get("files_failed", {}).items())
    pages = s.get("html_without_declaration")
    lines = [
        f"ingested {s['raw_dir']}: {_n(s['files'], 'file', 'files')} read"
        + (
            f" ({s['files_skipped']} more passed over: hidden, or notes and data of other kinds)"
            if s["files_skipped"]
            else ""
        )
        + (f", {_n(pages, 'web page', 'web pages')} without a declaration table passed over" if pages else "")
        + f"; {s['declarations']} declarations, {s['indicators']} indicators",
        f"files: {s['files']} = {s['files_with_declarations']} with declarations found + {s['files_without_declaration']} "
        f"without (each with an error row{': ' + failed if failed else ''})"
        + (f" + {_n(pages, 'web page', 'web pages')} passed over" if pages else "")
        + ("" if not s.get("files_unexplained") else f"   ({s['files_unexplained']} WITHOUT AN ERROR ROW)"),
        f"ledger: {s['declarations_found']} declarations found = {s['declarations']} ingested + "
        f"{s['dropped_missing_field']} missing a required field + {s['dropped_repeats']} repeats + "
        f"{s['dropped_conflicts']} conflicts + {s['dropped_failed']} failed"
        + ("" if s["ledger_ok"] else "   (DOES NOT RECONCILE)"),
        f"problems: {s['errors']} errors, {s['warnings']} warnings"
        + (f" ({s['files_without_declaration']} files gave no declaration)" if s["files_without_declaration"] else "")
        + (
            f"; {s['problems']} rows ({s['problems_folded']} repeats of a code in one file counted in one row)"
            if s.get("problems_folded")
            else ""
        ),
    ]
    for code, n in s["problems_by_code"].items():
        lines.append(f"  {CODES[code][0]:<7} {code:<24} {n}")
    if "files_reused" in s:
        lines.append(
            f"since the last ingest: {s['files_new']} files new, {s['files_changed']} changed, "
            f"{s['files_removed']} removed; {s['files_reused']} unchanged, not read again"
        )
    for line in s.get("recovered", []):
        lines.append(f"note: {line}")
    return "\n".join(lines)


def add_arguments(parser) -> None:
    d = lim.DEFAULT
    parser.add_argument(
        "raw_dir",
        nargs="?",
        default="data/raw",
        metavar="RAW_DIR",
        help="folder of declaration files, searched recursively (default: data/raw)",
    )
    parser.add_argument(
        "--out",
        default="data/processed",
        metavar="PROCESSED_DIR",
        help="where to write the tables (default: data/processed)",
    )
    parser.add_argument(
        "--jobs",
        type=number("processes", 1024, integer=True),
        default=None,
        help="processes reading files (default: CPUs available)",
    )
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    parser.add_argument(
        "--full",
        action="store_true",
        help="read every file again (by default a file whose bytes have not changed since the last ingest into "
        f"PROCESSED_DIR is taken from PROCESSED_DIR/{CACHE})",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="read the files on dask.distributed: a scheduler address (tcp://host:8786) or 'local' for "
        "a LocalCluster of --jobs workers; the workers must see RAW_DIR and PROCESSED_DIR "
        "at the same paths",
    )
    g = parser.add_argument_group(
        "bounds per file (a file over one is a file-too-large or file-timeout problem; 0 = no bound)"
    )
    g.add_argument(
        "--max-file-mb",
        type=number("MB", 1e6, zero="no bound"),
        default=d.max_bytes / lim.MiB,
        metavar="MB",
        help=f"size on disk (default {d.max_bytes / lim.MiB:g})",
    )
    g.add_argument(
        "--max-unzipped-mb",
        type=number("MB", 1e6, zero="no bound"),
        default=d.max_unzipped / lim.MiB,
        metavar="MB",
        help=f"a workbook's parts once uncompressed (default {d.max_unzipped / lim.MiB:g})",
    )
    g.add_argument(
        "--max-rows",
        type=number("rows", 1e9, integer=True, zero="no bound"),
        default=d.max_rows,
        metavar="N",
        help=f"rows or lines (default {d.max_rows:,})",
    )
    g.add_argument(
        "--max-cells",
        type=number("cells", 1e10, integer=True, zero="no bound"),
        default=d.max_cells,
        metavar="N",
        help=f"cells (default {d.max_cells:,})",
    )
    g.add_argument(
        "--file-timeout",
        type=number("seconds", 7 * 86400, zero="no bound"),
        default=d.seconds,
        metavar="SECONDS",
        help=f"seconds to read one file (default {d.seconds:g})",
    )
    g.add_argument(
        "--repeat-warnings",
        type=number("rows", 1e6, integer=True, zero="every one listed"),
        default=d.repeat_warnings,
        metavar="N",
        help=f"warnings of one code listed one by one per file; the rest counted in one row (default {d.repeat_warnings})",
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
        print(f"error: {raw}: {_not_a_folder(raw)}", file=sys.stderr)
        return 2
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
        )
    except PermissionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the tables to {args.out}: {exc}", file=sys.stderr)
        return 2
    print(format_summary(result.summary))
    print(
        f"tables written to {result.out_dir}/ (declarations.parquet, indicators.parquet, problems.parquet, "
        f"checked by manifest.json)"
    )
    return 0
