"""A CJK font for the charts, found and registered once.

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs: labels would render as
empty boxes and matplotlib would warn ``Glyph ... missing from font(s) DejaVu Sans``.
:func:`setup` looks for a freely licensed CJK font (WenQuanYi Micro Hei, installed by
``scripts/setup-system.sh``; Noto/Source Han Sans CJK also work), registers it with
matplotlib and puts it first in ``font.sans-serif``.  :func:`missing_glyphs` collects the
missing-glyph warnings raised while drawing, so a test can fail on them.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

from analysis.errors import AnalysisError

# Families tried in order; the first one matplotlib can find wins.
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)

# Files tried when the family is not yet known to matplotlib's font cache.
CJK_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyh.ttc",
)

_family: str | None = None


class FontNotFound(AnalysisError, RuntimeError):
    """No CJK font is installed; see scripts/setup-system.sh."""


def find_cjk_font() -> str | None:
    """Name of an installed CJK font family known to matplotlib, registering its file if needed."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    extra = os.environ.get("ANALYSIS_CJK_FONT")
    for path in ([extra] if extra else []) + list(CJK_FILES):
        if path and Path(path).is_file():
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return None


def setup(required: bool = False) -> str | None:
    """Make matplotlib draw Chinese text with a CJK font; returns the family (or None).

    Safe to call many times; the lookup happens once per process.  With ``required=True``
    a missing font raises :class:`FontNotFound` instead of leaving the default font.
    """
    global _family
    import matplotlib as mpl

    if _family is None:
        _family = find_cjk_font()
    if _family is None:
        if required:
            raise FontNotFound(
                "no CJK font found for matplotlib: install fonts-wqy-microhei "
                "(bash scripts/setup-system.sh) or set ANALYSIS_CJK_FONT to a .ttf/.ttc file"
            )
        return None
    sans = [f for f in mpl.rcParams["font.sans-serif"] if f != _family]
    mpl.rcParams["font.sans-serif"] = [_family, *sans]
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["axes.unicode_minus"] = False  # the CJK font has no U+2212 minus sign
    return _family


@contextlib.contextmanager
def missing_glyphs():
    """Collect matplotlib's "Glyph ... missing from font" warnings raised inside the block.

    Yields a list that holds the warning messages once the block has run::

        with missing_glyphs() as missing:
            fig.savefig(buf)
        assert not missing
    """
    found: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield found
    for w in caught:
        text = str(w.message)
        if "missing from font" in text or ("Glyph" in text and "missing" in text):
            found.append(text)
