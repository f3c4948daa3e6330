"""Command line: ``python -m analysis [--lang zh|en] {run,ingest,generate,reports,export,units,years}``.

Each sub-command lives in its own module, which provides ``add_arguments(parser)`` and
``run(args) -> int``; this file only wires them together, chooses the language of every message
(:mod:`analysis.messages`: Chinese, or English with ``--lang en``, ``ANALYSIS_LANG=en`` or an
English locale), and expands ``~`` and environment variables in every folder given
(:func:`analysis.paths.expand`), as a shell would.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import unicodedata

from analysis.errors import AnalysisError
from analysis.messages import LANGUAGES, _, install_argparse, normalize, set_language
from analysis.paths import expand


def _columns(text: str) -> int:
    """How many columns ``text`` takes on a terminal (a Chinese character two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


#: a Chinese character or a run of other characters (with the punctuation that opens before it and
#: closes after it), or spaces
_TOKENS = re.compile(r"[（「“]*(?:[\u2e80-\uffef]|[^\s\u2e80-\uffef]+)[，。；：、）」”？！]*|\s+")


class HelpFormatter(argparse.HelpFormatter):
    """argparse's layout measured in columns, not characters, so that Chinese help lines up and
    wraps within the terminal (between any two Chinese characters, never before a closing
    punctuation mark); a heading ends with a full-width colon when it is Chinese."""

    def add_argument(self, action):
        if action.help is not argparse.SUPPRESS:
            invocations = [self._format_action_invocation(action)]
            invocations += [self._format_action_invocation(s) for s in self._iter_indented_subactions(action)]
            length = max(map(_columns, invocations)) + self._current_indent
            self._action_max_length = max(self._action_max_length, length)
            self._add_item(self._format_action, [action])

    def _format_action(self, action):
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        if not action.help:
            parts = [f"{indent}{header}\n"]
            first = 0
        elif _columns(header) <= action_width:
            parts = [f"{indent}{header}{' ' * (action_width - _columns(header))}  "]
            first = 0
        else:
            parts = [f"{indent}{header}\n"]
            first = help_position
        help_text = self._expand_help(action) if action.help and action.help.strip() else ""
        if help_text:
            lines = self._split_lines(help_text, help_width)
            parts.append(" " * first + lines[0] + "\n")
            parts += [" " * help_position + line + "\n" for line in lines[1:]]
        elif not parts[0].endswith("\n"):
            parts.append("\n")
        parts += [self._format_action(s) for s in self._iter_indented_subactions(action)]
        return self._join_parts(parts)

    def _split_lines(self, text, width):
        lines, line, used = [], "", 0
        for token in _TOKENS.findall(self._whitespace_matcher.sub(" ", text).strip()):
            if token.isspace():
                if line:
                    line, used = line + " ", used + 1
                continue
            if line.strip() and used + _columns(token) > width:
                lines.append(line.rstrip())
                line, used = "", 0
            line, used = line + token, used + _columns(token)
        return [*lines, line.rstrip()] if line.strip() else lines or [""]

    def _format_usage(self, usage, actions, groups, prefix):
        # argparse wraps the usage by characters: narrowed until it fits in columns
        width = self._width
        try:
            for _attempt in range(4):
                text = super()._format_usage(usage, actions, groups, prefix)
                over = max(_columns(line) for line in text.splitlines()) - width
                if over <= 0 or self._width <= 40:
                    return text
                self._width -= over
            return text
        finally:
            self._width = width

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))

    def format_help(self):
        return re.sub(r"^(\S[^\n]*[\u2e80-\uffef]):$", r"\1：", super().format_help(), flags=re.M)


class _Listing:
    """``python -m analysis units`` / ``years``: what the processed tables hold, one a line."""

    def __init__(self, column: str):
        self.column = column

    def add_arguments(self, parser):
        parser.add_argument("--processed", default="data/processed", metavar=_("meta.dir"), help=_("opt.processed"))

    def run(self, args) -> int:
        from pathlib import Path

        from analysis.reports.show import available

        if not (Path(args.processed) / "declarations.parquet").exists():
            print(_("error.no_tables", processed=args.processed), file=sys.stderr)
            return 2
        try:
            for value in available(args.processed, self.column):
                print(value)
        except BrokenPipeError:  # `| head`
            sys.stderr.close()
        return 0


#: the options of every command that name a folder or file
PATH_OPTIONS = ("raw_dir", "raw", "out", "processed", "notebooks")

LISTINGS = {"units": _Listing("unit"), "years": _Listing("year")}

#: command -> its module (its one-line help is the catalogue's ``cli.command.NAME``)
COMMANDS = {
    "run": "analysis.runs",
    "ingest": "analysis.ingest.cli",
    "generate": "analysis.synthetic.cli",
    "reports": "analysis.reports.batch",
    "export": "analysis.reports.export",
}


def _add_lang(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument(
        "--lang", type=_language, choices=LANGUAGES, default=default, metavar="{zh,en}", help=_("cli.lang")
    )


def _language(text: str) -> str:
    return normalize(text) or text  # en_US and zh_CN are taken too; anything else fails the choices


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or with ``only`` (a command's name) of that command alone:
    its module is all that is imported (``ingest`` starts without pandas). Its words are in the
    language in use (:func:`analysis.messages.language`)."""
    install_argparse()
    parser = argparse.ArgumentParser(
        prog="python -m analysis", description=_("cli.description"), formatter_class=HelpFormatter
    )
    _add_lang(parser, None)
    sub = parser.add_subparsers(dest="command", metavar=_("meta.command"), required=True)
    for name, module_name in {**COMMANDS, **LISTINGS}.items():
        if only is not None and name != only:
            continue
        module = importlib.import_module(module_name) if isinstance(module_name, str) else module_name
        help_text = _(f"cli.command.{name}")
        epilog = getattr(module, "epilog", None)
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=epilog() if epilog else None,
            formatter_class=HelpFormatter,
        )
        module.add_arguments(p)
        _add_lang(p, argparse.SUPPRESS)  # also after the command: `python -m analysis ingest --lang en`
        p.set_defaults(_module=module)
    return parser


def _chosen_language(argv: list[str]) -> str | None:
    """The ``--lang`` given anywhere before ``--`` (the parser is built in that language)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return normalize(argv[i + 1])
        if arg.startswith("--lang="):
            return normalize(arg.split("=", 1)[1])
    return None


def _command(argv: list[str]) -> str | None:
    """The command named (the first word that is no option nor ``--lang``'s value), if known."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif not arg.startswith("-"):
            return arg if arg in {**COMMANDS, **LISTINGS} else None
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    previous = set_language(_chosen_language(argv))
    try:
        parser = build_parser(only=_command(argv))
        args = parser.parse_args(argv)
        for dest in PATH_OPTIONS:
            value = getattr(args, dest, None)
            if isinstance(value, str):
                setattr(args, dest, str(expand(value)))
        try:
            return int(args._module.run(args) or 0)
        except KeyboardInterrupt:
            print(_("cli.interrupted"), file=sys.stderr)
            return 130
        except AnalysisError as exc:  # the package's own errors say what is wrong: one line, no traceback
            print(_("error.line", error=exc), file=sys.stderr)
            return 2
    finally:
        set_language(previous)
