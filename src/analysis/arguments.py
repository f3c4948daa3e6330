"""Numbers given on the command line, checked as argparse reads them.

``float("inf")``, ``float("nan")`` and ``1e400`` (which is ``inf``) are numbers to Python and
nonsense as a bound: each option says what it takes (finite, not negative, within a sane
maximum) and argparse ends with that message (exit status 2), never a traceback later nor a
limit silently switched off.
"""

from __future__ import annotations

import argparse
import math


def number(what: str, maximum: float, integer: bool = False, zero: str | None = None):
    """An argparse ``type``: a finite number above 0 (a whole one with ``integer``) up to
    ``maximum``; ``what`` names its unit in the messages; ``zero`` says what 0 means where 0 is
    allowed (``None``: it is not)."""

    def parse(text: str):
        kind = "a whole number" if integer else "a number"
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind} of {what}") from None
        allowed = f"{kind} of {what} above 0" + (f", or 0 ({zero})" if zero else "") + f", at most {maximum:,.0f}"
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is no finite number: give {allowed}")
        if value == 0 and zero is not None:
            return value
        if value <= 0 or value > maximum:
            raise argparse.ArgumentTypeError(f"{text!r}: give {allowed}")
        return value

    parse.__name__ = what  # argparse names the type in its own messages
    return parse
