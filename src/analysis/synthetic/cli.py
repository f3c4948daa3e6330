"""Write a synthetic corpus of declarations in the published layouts, with its answer key.

``python -m analysis generate --out DIR [--units N] [--years A-B] [--seed S] [--quirks RATE]``:
the command line of the generator (:func:`add_arguments`, :func:`run`); the work is
:func:`analysis.synthetic.corpus.generate`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from analysis.messages import _
from analysis.synthetic.corpus import generate
from analysis.synthetic.params import LAYOUTS, SAMPLE, Params

# ---------------------------------------------------------------------------------------------
# command line

#: the rates of :class:`Params` given as options (``--rename-rate``), each with its help in the catalogue
RATES = (
    "continue_rate",
    "rename_rate",
    "mismatch_rate",
    "switch_rate",
    "tighten_rate",
    "loosen_rate",
    "add_rate",
    "drop_rate",
)


def _years(text: str) -> tuple[int, int]:
    a, _dash, b = text.partition("-")
    try:
        lo, hi = int(a), int(b or a)
    except ValueError:
        raise argparse.ArgumentTypeError(_("generate.bad_years", text=text)) from None
    if not 1990 <= lo <= hi <= 2100:
        raise argparse.ArgumentTypeError(_("generate.backward_years", text=text))
    return lo, hi


def _rate(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("generate.bad_rate", text=text)) from None
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(_("generate.bad_rate", text=text))
    return v


def _layouts(text: str) -> tuple[str, ...]:
    names = tuple(x.strip() for x in text.split(",") if x.strip())
    bad = [x for x in names if x not in LAYOUTS]
    if bad or not names:
        raise argparse.ArgumentTypeError(_("generate.bad_layouts", names=",".join(LAYOUTS), text=text))
    return names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    d = Params()
    parser.add_argument("--out", required=True, metavar=_("meta.dir"), help=_("generate.out"))
    parser.add_argument("--units", type=int, default=d.units, metavar="N", help=_("generate.units", n=d.units))
    parser.add_argument(
        "--years", type=_years, default=d.years, metavar="A-B", help=_("generate.years", a=d.years[0], b=d.years[1])
    )
    parser.add_argument("--seed", type=int, default=d.seed, metavar="N", help=_("generate.seed"))
    parser.add_argument(
        "--quirks", type=_rate, default=d.quirks, metavar=_("meta.rate"), help=_("generate.quirks", n=d.quirks)
    )
    parser.add_argument("--sample", action="store_true", help=_("generate.sample"))
    parser.add_argument("--hostile", action="store_true", help=_("generate.hostile"))
    parser.add_argument(
        "--layouts",
        type=_layouts,
        default=(),
        metavar="A,B",
        help=_("generate.layouts", names=_("sep.list").join(LAYOUTS)),
    )
    for name in RATES:
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=_rate,
            default=getattr(d, name),
            metavar=_("meta.rate"),
            help=_(f"generate.{name}", n=getattr(d, name)),
        )


def run(args: argparse.Namespace) -> int:
    if args.sample:
        params = SAMPLE
    else:
        if args.units < 1:
            print(_("generate.units_at_least_1"), file=sys.stderr)
            return 2
        params = Params(
            units=args.units,
            years=tuple(args.years),
            seed=args.seed,
            quirks=args.quirks,
            hostile=args.hostile,
            layouts=tuple(args.layouts),
            **{k: getattr(args, k) for k in RATES},
        )
    started = time.time()
    try:
        manifest = generate(args.out, params, sample=args.sample, progress=params.units >= 500)
    except (FileExistsError, ValueError, OSError) as exc:
        print(_("generate.error", error=exc), file=sys.stderr)
        return 2
    c = manifest["counts"]
    print(
        _(
            "generate.wrote",
            files=c["files"],
            mb=c["bytes"] / 1e6,
            declarations=c["declarations"],
            indicators=c["indicators"],
            units=c["units"],
            years=c["years"],
            out=args.out,
            seconds=time.time() - started,
            key=Path(args.out) / "answer_key",
        )
    )
    return 0
