"""Command line: ``python -m analysis {run,ingest,generate,reports,export,units,years}``.

Each sub-command lives in its own module, which provides ``add_arguments(parser)`` and
``run(args) -> int``; this file only wires them together, and expands ``~`` and environment
variables in every folder given (:func:`analysis.paths.expand`), as a shell would.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from analysis.paths import expand


class _Listing:
    """``python -m analysis units`` / ``years``: what the processed tables hold, one a line."""

    def __init__(self, column: str, what: str):
        self.column, self.__doc__ = column, f"list the {what} in the processed tables, one a line"

    def add_arguments(self, parser):
        parser.add_argument(
            "--processed", default="data/processed", help="folder with the processed tables (default: data/processed)"
        )

    def run(self, args) -> int:
        from pathlib import Path

        from analysis.reports.show import available

        if not (Path(args.processed) / "declarations.parquet").exists():
            print(
                f"{args.processed}/declarations.parquet not found: run `python -m analysis ingest` first",
                file=sys.stderr,
            )
            return 2
        try:
            for value in available(args.processed, self.column):
                print(value)
        except BrokenPipeError:  # `| head`
            sys.stderr.close()
        return 0


#: the options of every command that name a folder or file
PATH_OPTIONS = ("raw_dir", "raw", "out", "processed", "notebooks")

LISTINGS = {"units": _Listing("unit", "units (by pinyin)"), "years": _Listing("year", "years")}

COMMANDS = {
    "run": ("analysis.runs", "ingest, render the reports and export, for schedulers: locked, guarded, summarized"),
    "ingest": ("analysis.ingest.cli", "read declaration files into the processed tables"),
    "generate": ("analysis.synthetic.cli", "write a synthetic corpus of declarations and its answer key"),
    "reports": ("analysis.reports.batch", "render the unit and year reports to HTML"),
    "export": ("analysis.reports.export", "export the processed tables to one Excel workbook and CSV files"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or with ``only`` (a command's name) of that command alone:
    its module is all that is imported (``ingest`` starts without pandas)."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Performance-target declarations (财政项目支出绩效目标表): ingest, analysis, reports.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in {**COMMANDS, **{k: (v, v.__doc__) for k, v in LISTINGS.items()}}.items():
        if only is not None and name != only:
            continue
        module = importlib.import_module(module_name) if isinstance(module_name, str) else module_name
        p = sub.add_parser(
            name,
            help=help_text,
            description=(module.__doc__ or help_text).strip().splitlines()[0],
            epilog=getattr(module, "EPILOG", None),
        )
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    named = argv[0] if argv and argv[0] in {**COMMANDS, **LISTINGS} else None
    parser = build_parser(only=named)
    args = parser.parse_args(argv)
    for dest in PATH_OPTIONS:
        value = getattr(args, dest, None)
        if isinstance(value, str):
            setattr(args, dest, str(expand(value)))
    try:
        return int(args._module.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
