"""Numbers given on the command line, checked as argparse reads them.

``float("inf")``, ``float("nan")`` and ``1e400`` (which is ``inf``) are numbers to Python and
nonsense as a bound: each option says what it takes (finite, not negative, within a sane
maximum) and argparse ends with that message (exit status 2), never a traceback later nor a
limit silently switched off.
"""

from __future__ import annotations

import argparse
import math

from analysis.messages import _


def number(what: str, maximum: float, integer: bool = False, zero: str | None = None):
    """An argparse ``type``: a finite number above 0 (a whole one with ``integer``) up to
    ``maximum``; ``what`` (a key of the catalogue, ``number.seconds``) names its unit in the
    messages; ``zero`` (a key too) says what 0 means where 0 is allowed (``None``: it is not).
    The messages are said in the language in use when the option is read."""

    def parse(text: str):
        kind = _("number.whole" if integer else "number.any")
        unit = _(what)
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(_("number.not", text=text, kind=kind, what=unit)) from None
        allowed = (
            _("number.allowed", kind=kind, what=unit)
            + (_("number.or_zero", zero=_(zero)) if zero else "")
            + _("number.at_most", maximum=maximum)
        )
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(_("number.not_finite", text=text, allowed=allowed))
        if value == 0 and zero is not None:
            return value
        if value <= 0 or value > maximum:
            raise argparse.ArgumentTypeError(_("number.out_of_range", text=text, allowed=allowed))
        return value

    parse.__name__ = what  # argparse names the type in its own messages
    return parse
