"""Project identity across years: which declarations are the same project.

A project keeps its identity from one year to the next when the unit and the normalized
project name (NFKC, white space removed, see :func:`analysis.ids.norm_name`) are the same:
such a link is ``match="exact"``.

Projects are sometimes renamed. After the exact pass, a project of a unit whose last
declared year is Y may be linked to a project of the same unit whose first declared year
is Y+1 when their names are similar enough (``rapidfuzz.fuzz.ratio`` on the normalized
names with four-digit years such as ``2020年度`` removed, and the declaration's own year where it
is printed bare, as in ``2025金安国际网球公开赛``, at least ``threshold``; a name made of
two neighbouring words swapped, as in 雾炮车降尘抑尘服务 and 雾炮车抑尘降尘服务, scores 100) and carry the
same numbers (digits and Chinese numerals, in order: ``第一批`` is never linked to ``第二批``,
nor ``3号线`` to ``4号线``, however similar the rest of the name). Such a
link is never silent: the first declaration under the new name is marked
``match="fuzzy"`` with its ``match_score``, and :func:`renames` lists every such link.
Candidates are paired one to one, best score first (ties broken by name order, so the
result does not depend on the row order of the input).

:func:`link` adds ``project_key``, ``match`` and ``match_score`` to the declarations;
``analysis.load`` and the report loaders call it once, and :mod:`analysis.metrics` uses the
columns it finds.

Before projects, units: two units printing the same short name in different places
(区林业局 of two districts) are two units. :func:`unit_names` says which declarations' unit
must be shown with its place (``区林业局（北京市海淀区）``) and :func:`tell_units_apart` renames
them in a frame; the loaders do it before linking, so every metric grouping by ``unit`` and
every report keeps the two apart.
"""

from __future__ import annotations

import hashlib
import os
import re

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from analysis import ids

DEFAULT_THRESHOLD = 80.0
"""Lowest ``fuzz.ratio`` (0-100) at which a project that ends is linked to one that starts."""

_YEAR_IN_NAME = re.compile(r"(?:19|20)\d\d年度?")
_NOT_NUMERAL = re.compile(r"[^0-9〇零一二三四五六七八九十百千万两]")


def norm_text(values: pd.Series) -> pd.Series:
    """:func:`analysis.ids.norm_name` over a column: NFKC, all white space removed, null -> ''.

    Normalizes each distinct value once, so it stays fast on long columns with few names.
    """
    codes, uniques = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=True)
    normed = np.array([ids.norm_name(u) for u in uniques], dtype=object)
    out = np.where(codes >= 0, normed[np.clip(codes, 0, None)] if len(normed) else "", "")
    return pd.Series(out, index=getattr(values, "index", None), dtype=object)


def _stable_key(unit_n: pd.Series, project_n: pd.Series) -> pd.Series:
    """A 16-hex-digit key: sha1 of the normalized unit and project name (stable across runs).

    Hashes each distinct (unit, name) once.
    """
    pair = unit_n.astype(object) + "|" + project_n.astype(object)
    codes, uniques = pd.factorize(pair)
    keys = np.array([hashlib.sha1(k.encode("utf-8")).hexdigest()[:16] for k in uniques], dtype=object)
    return pd.Series(keys[codes] if len(keys) else np.array([], dtype=object), index=unit_n.index, dtype=object)


def _chains(declarations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows with their exact chain id, and one row per chain (unit, name, first and last year)."""
    rows = pd.DataFrame(
        {
            "unit": declarations["unit"],
            "project": declarations["project"],
            "year": pd.to_numeric(declarations["year"]).astype("Int64"),
            "decl_id": declarations["decl_id"],
        }
    )
    rows = rows.assign(unit_n=norm_text(rows["unit"]), project_n=norm_text(rows["project"]))
    rows = rows.assign(chain=_stable_key(rows["unit_n"], rows["project_n"]))
    chains = (
        rows.groupby("chain", sort=False)
        .agg(
            unit_n=("unit_n", "first"),
            project_n=("project_n", "first"),
            first_year=("year", "min"),
            last_year=("year", "max"),
        )
        .reset_index()
    )
    return rows, chains


def _similarity(a: str, b: str) -> float:
    """``fuzz.ratio`` of two names; 100 where one is the other with two neighbouring runs of
    characters swapped (雾炮车[降尘][抑尘]服务 and 雾炮车[抑尘][降尘]服务)."""
    if a != b and len(a) == len(b) and sorted(a) == sorted(b):
        n = len(a)
        start = len(os.path.commonprefix([a, b]))
        end = len(os.path.commonprefix([a[::-1], b[::-1]]))
        for i in range(start + 1):  # the swapped runs may begin or end like what is around them
            for k in range(max(i + 2, n - end), n + 1):
                if b[i:k] in a[i:k] + a[i:k]:  # a rotation of a[i:k]: its two parts swapped
                    return 100.0
    return fuzz.ratio(a, b)


def _without_years(names: pd.Series, years: pd.Series) -> pd.Series:
    """Names without four-digit years followed by 年 (``2020年度``), and without the declaration's
    own year printed bare (``2025金安国际网球公开赛`` declared for 2025)."""
    out = names.str.replace(_YEAR_IN_NAME, "", regex=True)
    return pd.Series(
        [
            re.sub(rf"(?<!\d){int(y)}(?!\d)", "", s) if pd.notna(y) else s
            for s, y in zip(out.to_numpy(dtype=object), years.to_numpy(dtype=object))
        ],
        index=names.index,
        dtype=object,
    )


def _fuzzy_links(chains: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """One-to-one links from chains ending in Y to chains starting in Y+1 within a unit.

    Columns: old_chain, new_chain, score.
    """
    unit_first = chains.groupby("unit_n")["first_year"].transform("min")
    unit_last = chains.groupby("unit_n")["last_year"].transform("max")
    ends = (chains["last_year"] < unit_last).fillna(False).astype(bool)
    starts = (chains["first_year"] > unit_first).fillna(False).astype(bool)
    ending = chains.loc[ends, ["chain", "unit_n", "project_n", "last_year"]]
    starting = chains.loc[starts, ["chain", "unit_n", "project_n", "first_year"]]
    ending = ending.assign(year=ending["last_year"] + 1)
    starting = starting.assign(year=starting["first_year"])
    pairs = ending.merge(starting, on=["unit_n", "year"], suffixes=("_old", "_new"))
    empty = pd.DataFrame(
        {"old_chain": pd.Series(dtype=object), "new_chain": pd.Series(dtype=object), "score": pd.Series(dtype=float)}
    )
    if pairs.empty:
        return empty
    old_s = _without_years(pairs["project_n_old"], pairs["last_year"])
    new_s = _without_years(pairs["project_n_new"], pairs["first_year"])
    scores = np.fromiter(
        (_similarity(a, b) for a, b in zip(old_s.to_numpy(), new_s.to_numpy())), dtype=float, count=len(pairs)
    )
    numerals_old = old_s.str.replace(_NOT_NUMERAL, "", regex=True)
    numerals_new = new_s.str.replace(_NOT_NUMERAL, "", regex=True)
    pairs = pairs.assign(score=scores)
    pairs = pairs.loc[(pairs["score"] >= threshold) & (numerals_old == numerals_new).to_numpy()].sort_values(
        ["score", "project_n_old", "project_n_new"], ascending=[False, True, True], kind="stable"
    )
    chosen = [pairs.iloc[:0]]
    while not pairs.empty:
        best_for_old = ~pairs.duplicated("chain_old", keep="first")
        best_for_new = ~pairs.duplicated("chain_new", keep="first")
        mutual = pairs.loc[best_for_old & best_for_new]
        chosen.append(mutual)
        pairs = pairs.loc[~pairs["chain_old"].isin(mutual["chain_old"]) & ~pairs["chain_new"].isin(mutual["chain_new"])]
    links = pd.concat(chosen, ignore_index=True)
    return links.rename(columns={"chain_old": "old_chain", "chain_new": "new_chain"})[
        ["old_chain", "new_chain", "score"]
    ]


def _roots(chains: pd.Series, links: pd.DataFrame) -> pd.Series:
    """For each chain, the first chain of its rename sequence (follows fuzzy links backwards)."""
    parent = pd.Series(links["old_chain"].to_numpy(), index=links["new_chain"].to_numpy())
    root = pd.Series(chains.to_numpy(), index=chains.to_numpy())
    while True:
        step = root.map(parent)
        moved = step.notna()
        if not moved.any():
            return root
        root = root.where(~moved, step)


def project_ids(declarations: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Assign one ``project_key`` to every declaration of the same project across years.

    ``declarations`` needs ``unit``, ``project``, ``year`` and ``decl_id``.
    Returns a new frame, one row per input row, in the input order, with:

    - ``unit``, ``project``, ``year``, ``decl_id``: as in the input;
    - ``project_key`` (str): the same for every declaration of one project, across renames;
      derived from the normalized unit and the first name the project had, so it is stable
      across runs;
    - ``match`` (str): how this declaration is linked to the project's earlier history:
      ``"fuzzy"`` for the first declaration under a new name linked by similarity to a
      project that ended the year before, ``"exact"`` otherwise (same unit and normalized
      name as before, or the project's first appearance);
    - ``match_score`` (float): 100.0 for exact rows, the ``fuzz.ratio`` score for fuzzy ones;
    - ``renamed`` (bool): the project's history contains at least one fuzzy link.
    """
    rows, chains = _chains(declarations)
    links = _fuzzy_links(chains, threshold)
    root = _roots(chains["chain"], links)
    key_of_chain = root.to_dict()
    root_of_row = rows["chain"].map(key_of_chain)
    score = rows["chain"].map(pd.Series(links["score"].to_numpy(), index=links["new_chain"].to_numpy()))
    chain_first = rows["chain"].map(chains.set_index("chain")["first_year"])
    fuzzy = score.notna() & (rows["year"] == chain_first).fillna(False).astype(bool)
    renamed_keys = set(root.loc[links["new_chain"]].tolist()) if len(links) else set()
    return pd.DataFrame(
        {
            "unit": rows["unit"],
            "project": rows["project"],
            "year": rows["year"],
            "decl_id": rows["decl_id"],
            "project_key": root_of_row,
            "match": np.where(fuzzy, "fuzzy", "exact"),
            "match_score": np.where(fuzzy, score, 100.0).astype(float),
            "renamed": root_of_row.isin(renamed_keys),
        },
        index=declarations.index,
    )


# ----------------------------------------------------------------------------- units


#: the columns of a declaration's place (``analysis.places``)
PLACE_COLUMNS = ("province", "city", "county")


def unit_names(declarations: pd.DataFrame) -> pd.Series:
    """The name a declaration's unit goes by where its printed name is not enough: ``decl_id`` ->
    ``区林业局（北京市海淀区）``.

    A unit is who :func:`analysis.places.unit_key` says (its printed name; with its place where
    the name names none, as declaration ids are made). Where one printed name (white space aside)
    stands for several units, each of them that has a place is shown with it; a unit of that name
    whose place is not known keeps the bare name. A declaration whose form prints no unit goes by
    :data:`NO_UNIT` with its place where known (``未印单位（湖北省武汉市）``), so that reports and the
    command line name it. Only the declarations so renamed are in the result: it is empty when
    every unit is named and no two share a name, or when ``declarations`` carry no place. Judged
    over the declarations given: pass every declaration (``unit_names`` of the whole table) to
    name a unit the same way in every report."""
    from analysis import places

    need = ("decl_id", "unit", *PLACE_COLUMNS)
    empty = pd.Series(dtype=object, name="unit")
    if declarations.empty or not all(c in declarations for c in need):
        return empty
    d = declarations[list(need)].drop_duplicates("decl_id")
    d = d.assign(unit=d["unit"].where(d["unit"].notna(), "").astype(object))
    combos = d[["unit", *PLACE_COLUMNS]].drop_duplicates()
    rows = list(combos.itertuples(index=False, name=None))
    labels = [places.label_of(p, c, k) for _, p, c, k in rows]
    keys = [ids.norm_name(places.unit_key(str(u), lab)) for (u, *_), lab in zip(rows, labels)]
    by_name: dict[str, set[str]] = {}
    for (u, *_), key in zip(rows, keys):
        by_name.setdefault(ids.norm_name(u), set()).add(key)
    shown = [_shown_name(str(u), lab, len(by_name[ids.norm_name(u)]) > 1) for (u, *_), lab in zip(rows, labels)]
    combos = combos.assign(_shown=shown)
    combos = combos[combos["_shown"] != combos["unit"]]
    if combos.empty:
        return empty
    hit = d.merge(combos, on=["unit", *PLACE_COLUMNS], how="inner")
    return pd.Series(hit["_shown"].to_numpy(dtype=object), index=hit["decl_id"].to_numpy(), name="unit")


#: what a declaration whose form prints no unit (``unit-not-printed``) goes by in reports
NO_UNIT = "未印单位"


def _shown_name(unit: str, label: str | None, shared: bool) -> str:
    from analysis import places

    if not unit.strip():  # a form naming no unit: a name a reader can see and choose, with its place
        return places.unit_with_place(NO_UNIT, label)
    return places.unit_with_place(unit, label) if shared and label else unit


def tell_units_apart(frame: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """``frame`` (declarations, indicators, or any rows with ``decl_id`` and ``unit``) with the
    ``unit`` of the declarations :func:`unit_names` renamed (``names``); the frame itself when
    there are none to rename."""
    if names is None or names.empty or frame.empty or "decl_id" not in frame or "unit" not in frame:
        return frame
    new = frame["decl_id"].map(names)
    if not new.notna().any():
        return frame
    return frame.assign(unit=new.where(new.notna(), frame["unit"]).astype(object))


def named_units(declarations: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Every declaration's ``decl_id``, ``unit`` as reports name it, ``printed`` (the unit as
    printed) and ``year`` (where given); with :func:`unit_names` of the declarations."""
    names = unit_names(declarations)
    named = tell_units_apart(declarations, names)
    frame = pd.DataFrame({"decl_id": declarations["decl_id"], "unit": named["unit"], "printed": declarations["unit"]})
    if "year" in declarations:
        frame["year"] = declarations["year"]
    return frame, names


# ----------------------------------------------------------------------------- projects

LINK_COLUMNS = ("project_key", "match", "match_score")
"""The columns :func:`link` adds to the declarations."""


def is_linked(declarations: pd.DataFrame) -> bool:
    """Whether ``declarations`` already carry the columns of :func:`link`."""
    return all(c in declarations for c in LINK_COLUMNS)


def link(declarations: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The declarations with ``project_key``, ``match`` and ``match_score`` added (see :func:`project_ids`).

    One row per input row, in the input order, all other columns unchanged. The metrics of
    :mod:`analysis.metrics` use these columns when present, so link once and pass the result
    to every metric (``analysis.load`` and the report loaders do); they link a frame without
    them themselves, at the default ``threshold``.

    Links never cross units (projects are compared within a unit only), so linking one unit's
    declarations gives the same result for them as linking the whole table.
    """
    found = project_ids(declarations, threshold)
    return declarations.assign(**{c: found[c] for c in LINK_COLUMNS})


def ensure_linked(declarations: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """``declarations`` as given when they carry the columns of :func:`link` (a load linked them
    once), else linked here at ``threshold``: the one place a metric links for itself."""
    return declarations if is_linked(declarations) else link(declarations, threshold)


def renames(declarations: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The fuzzy links between a project that ends in one year and one that starts the next.

    One row per link, sorted by unit, from_year, old_project:

    - ``unit``: the unit (as published in the new project's first declaration);
    - ``old_project``: the name in the last declaration before the rename (year ``from_year``);
    - ``new_project``: the name in the first declaration after it (year ``to_year``);
    - ``from_year``, ``to_year`` (int): ``to_year = from_year + 1``;
    - ``score`` (float): ``fuzz.ratio`` of the normalized names without years, 0-100;
    - ``project_key``: the key both declarations share in :func:`project_ids`.

    ``declarations`` already linked (see :func:`link`) are used as they are; others are linked
    here with ``threshold``.
    """
    linked = ensure_linked(declarations, threshold)
    linked = linked.assign(year=pd.to_numeric(linked["year"]).astype("Int64"))
    cols = ["unit", "old_project", "new_project", "from_year", "to_year", "score", "project_key"]
    new = linked.loc[linked["match"] == "fuzzy", ["unit", "project", "year", "project_key", "match_score"]]
    if new.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols}).astype(
            {"from_year": "Int64", "to_year": "Int64", "score": float}
        )
    old = linked.loc[:, ["project", "year", "project_key"]].rename(
        columns={"project": "old_project", "year": "from_year"}
    )
    new = new.rename(columns={"project": "new_project", "year": "to_year", "match_score": "score"})
    new = new.assign(from_year=new["to_year"] - 1)
    out = new.merge(old.drop_duplicates(["project_key", "from_year"]), on=["project_key", "from_year"], how="left")
    return out[cols].sort_values(["unit", "from_year", "old_project"], kind="stable").reset_index(drop=True)
