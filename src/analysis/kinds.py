"""Kinds of indicator: what an indicator measures (满意度, 完成率, 成本 …), read from its name
through the table of kinds kept as data in ``kinds.toml`` (each kind: its name patterns, the
value unit its targets are expected in, and which direction of target asks more).

Both the ingest (the indicators' ``indicator_kind`` column) and the analysis (the indicator
library and peer positions, :mod:`analysis.metrics.library`) read it from here. A name that no
kind's pattern matches has no kind: it is left empty, never guessed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import tomllib

from analysis.errors import AnalysisError

PATH = Path(__file__).with_name("kinds.toml")
DIRECTIONS = ("higher", "lower", "none")


class KindsError(AnalysisError, ValueError):
    """The table of kinds is malformed (a missing key, an unknown direction, a bad pattern)."""


@dataclass(frozen=True)
class Kind:
    id: str
    name: str
    patterns: tuple[re.Pattern, ...]
    unit: str
    stricter: str
    compare: bool
    meaning: str


@functools.cache
def table() -> tuple[Kind, ...]:
    """The kinds, in the order they are tried."""
    data = tomllib.loads(PATH.read_text(encoding="utf-8"))
    out: list[Kind] = []
    for entry in data.get("kind", []):
        try:
            kind = Kind(
                entry["id"],
                entry["name"],
                tuple(re.compile(p) for p in entry["patterns"]),
                entry.get("unit", ""),
                entry["stricter"],
                bool(entry.get("compare", False)),
                entry["meaning"],
            )
        except (KeyError, re.error) as e:
            raise KindsError(f"{PATH.name}: kind {entry.get('id')!r}: {e}") from e
        if kind.stricter not in DIRECTIONS:
            raise KindsError(f"{PATH.name}: kind {kind.id!r}: stricter must be one of {DIRECTIONS}")
        if any(k.id == kind.id for k in out):
            raise KindsError(f"{PATH.name}: kind {kind.id!r} is defined twice")
        out.append(kind)
    return tuple(out)


def by_id() -> dict[str, Kind]:
    return {k.id: k for k in table()}


_PREFIX = re.compile(r"^(?:指标\s*\d+\s*[:：.、]|\d+\s*[.、]|[（(]\d+[)）]|\*)\s*")
_HINT = re.compile(r"[（(][^)）]*[*＊][^)）]*[)）]?$")


def _clean(name: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    text = _PREFIX.sub("", text)
    return _HINT.sub("", text)  # a template's hint: 苗木成活率(≥**%)


@functools.lru_cache(maxsize=65536)
def kind_of(name: str | None) -> str | None:
    """The kind of an indicator named ``name`` (its ``id``), or None when no kind matches."""
    if not name:
        return None
    text = _clean(name)
    for kind in table():
        if any(p.search(text) for p in kind.patterns):
            return kind.id
    return None
