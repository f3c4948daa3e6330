"""Command line: ``python -m analysis {ingest,generate,reports,export}``.

Each sub-command lives in its own module, which provides ``add_arguments(parser)`` and
``run(args) -> int``; this file only wires them together.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "ingest": ("analysis.ingest", "read declaration files into the processed tables"),
    "generate": ("analysis.synthetic", "write a synthetic corpus of declarations and its answer key"),
    "reports": ("analysis.reports.batch", "render the unit and year reports to HTML"),
    "export": ("analysis.reports.export", "export the processed tables to one Excel workbook and CSV files"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Performance-target declarations (财政项目支出绩效目标表): ingest, analysis, reports.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip().splitlines()[0])
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._module.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
