"""Stable identifiers and the name normalization used for matching.

``decl_id`` depends only on the unit, the year and the project name, each normalized
(NFKC, all white space removed), so the same declaration gets the same id in every run,
whatever file it came from and however its names were spaced.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

#: white space, the one pattern of the project: any Unicode space (full-width U+3000, no-break
#: U+00A0, the U+2000 range), line breaks, and zero-width spaces, joiners and byte-order marks
SPACE_PATTERN = r"[\s\u200b-\u200d\u2060\ufeff]+"
SPACE = re.compile(SPACE_PATTERN)
_SPACE = SPACE


def norm_name(text: str | None) -> str:
    """Normalize a name for matching: NFKC (full-width to half-width), no white space at all
    (zero-width spaces and joiners included)."""
    if text is None:
        return ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text)))


def decl_id(unit: str | None, year: int | None, project: str | None) -> str:
    """A stable 16-hex-digit id for one declaration (one project of one unit in one year)."""
    key = f"{norm_name(unit)}|{year if year is not None else ''}|{norm_name(project)}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
