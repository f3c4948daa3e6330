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

from analysis.synthetic.corpus import generate
from analysis.synthetic.params import LAYOUTS, SAMPLE, Params

# ---------------------------------------------------------------------------------------------
# command line


def _years(text: str) -> tuple[int, int]:
    a, _, b = text.partition("-")
    try:
        lo, hi = int(a), int(b or a)
    except ValueError:
        raise argparse.ArgumentTypeError(f"years must look like 2019-2023 or 2021, not {text!r}") from None
    if not 1990 <= lo <= hi <= 2100:
        raise argparse.ArgumentTypeError(f"years must run forwards within 1990-2100, not {text!r}")
    return lo, hi


def _rate(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a rate is a number between 0 and 1, not {text!r}") from None
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"a rate is a number between 0 and 1, not {text!r}")
    return v


def _layouts(text: str) -> tuple[str, ...]:
    names = tuple(x.strip() for x in text.split(",") if x.strip())
    bad = [x for x in names if x not in LAYOUTS]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"layouts are a comma list of {', '.join(LAYOUTS)}, not {text!r}")
    return names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    d = Params()
    parser.add_argument("--out", required=True, help="folder to write the corpus into (empty, or an earlier corpus)")
    parser.add_argument("--units", type=int, default=d.units, help=f"number of units (default {d.units})")
    parser.add_argument(
        "--years",
        type=_years,
        default=d.years,
        metavar="A-B",
        help=f"years to declare (default {d.years[0]}-{d.years[1]})",
    )
    parser.add_argument("--seed", type=int, default=d.seed, help="random seed; the same seed writes the same bytes")
    parser.add_argument(
        "--quirks",
        type=_rate,
        default=d.quirks,
        metavar="RATE",
        help=f"rate of format quirks, 0 = clean files (default {d.quirks})",
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help="the shipped sample (30 units, 2019-2023, fixed seed); other options are ignored",
    )
    parser.add_argument("--hostile", action="store_true", help="also a few units with hostile names (<script>, ../)")
    parser.add_argument(
        "--layouts",
        type=_layouts,
        default=(),
        metavar="A,B",
        help=f"the forms units print, one per unit (default: a mix of all: {','.join(LAYOUTS)})",
    )
    for name in (
        "continue_rate",
        "rename_rate",
        "mismatch_rate",
        "switch_rate",
        "tighten_rate",
        "loosen_rate",
        "add_rate",
        "drop_rate",
    ):
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=_rate,
            default=getattr(d, name),
            metavar="RATE",
            help=f"(default {getattr(d, name)})",
        )


def run(args: argparse.Namespace) -> int:
    if args.sample:
        params = SAMPLE
    else:
        if args.units < 1:
            print("generate: --units must be at least 1", file=sys.stderr)
            return 2
        params = Params(
            units=args.units,
            years=tuple(args.years),
            seed=args.seed,
            quirks=args.quirks,
            hostile=args.hostile,
            layouts=tuple(args.layouts),
            **{
                k: getattr(args, k)
                for k in (
                    "continue_rate",
                    "rename_rate",
                    "mismatch_rate",
                    "switch_rate",
                    "tighten_rate",
                    "loosen_rate",
                    "add_rate",
                    "drop_rate",
                )
            },
        )
    started = time.time()
    try:
        manifest = generate(args.out, params, sample=args.sample, progress=params.units >= 500)
    except (FileExistsError, ValueError, OSError) as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    c = manifest["counts"]
    print(
        f"wrote {c['files']} files ({c['bytes'] / 1e6:.1f} MB): {c['declarations']} declarations, "
        f"{c['indicators']} indicators, {c['units']} units x {c['years']} years, into {args.out} "
        f"in {time.time() - started:.1f} s; answer key in {Path(args.out) / 'answer_key'}"
    )
    return 0
