"""Score project links, indicator pairs and target directions against a key of year pairs.

A folder of year pairs holds declaration files of two consecutive years and ``expected.json``
(see ``tests/fixtures/year-pairs/README.md``): one entry per pair of declarations, with
``old_file``/``old_declaration`` and ``new_file``/``new_declaration`` (the n-th declaration of
the file, in file order), ``linked`` (whether the two are the same project) and, for linked
pairs, ``indicators``: every indicator of both declarations once, as ``old`` and ``new`` names
(null on the side where it does not exist), the expected ``change`` and, where the key says so,
``op_not_printed`` / ``unit_not_printed``. Used by ``tests/test_yearpairs.py``; run it on any
such folder with

    python tests/yearpairs.py FOLDER          # prints the scores and every miss

How it scores:

- **Project links**: a linked pair counts when both declarations carry the same
  ``project_key`` (:func:`analysis.identity.link`), a pair that must not be linked when they
  carry different ones.
- **Indicator pairs**: each key entry counts when :func:`analysis.metrics.target_changes` has
  the row the key says: the two indicators on one row, or the indicator alone as ``added`` /
  ``removed``. Indicators are found by name (NFKC, white space removed) within their
  declaration, in table order where a name repeats.
- **Directions**: an entry whose pair counts also counts for its direction when ``change`` (as
  the reports read it: :func:`analysis.metrics.refine_changes`) is the key's, and the flags the
  key sets are set.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from realworld import norm


@dataclass
class PairScore:
    links_expected: int = 0
    links_ok: int = 0
    negatives_expected: int = 0
    negatives_ok: int = 0
    indicator_pairs: int = 0
    indicator_pairs_ok: int = 0
    directions_ok: int = 0
    misses: list[str] = field(default_factory=list)
    per_pair: dict[str, dict] = field(default_factory=dict)

    @property
    def links(self) -> float:
        return self.links_ok / self.links_expected if self.links_expected else 1.0

    @property
    def negatives(self) -> float:
        return self.negatives_ok / self.negatives_expected if self.negatives_expected else 1.0

    @property
    def pairs(self) -> float:
        return self.indicator_pairs_ok / self.indicator_pairs if self.indicator_pairs else 1.0

    @property
    def directions(self) -> float:
        return self.directions_ok / self.indicator_pairs if self.indicator_pairs else 1.0

    def summary(self) -> str:
        return (
            f"project links {self.links_ok}/{self.links_expected} ({self.links:.1%}), "
            f"not linked {self.negatives_ok}/{self.negatives_expected} ({self.negatives:.1%}), "
            f"indicator pairs {self.indicator_pairs_ok}/{self.indicator_pairs} ({self.pairs:.1%}), "
            f"directions {self.directions_ok}/{self.indicator_pairs} ({self.directions:.1%})"
        )


def load_key(folder: Path) -> dict:
    return json.loads((Path(folder) / "expected.json").read_text(encoding="utf-8"))


def _declaration(decls, file: str, n: int) -> dict | None:
    rows = decls[decls["source_file"] == file].sort_values("source_line")
    return rows.iloc[n - 1].to_dict() if 0 < n <= len(rows) else None


def _finder(indicators):
    """decl_id -> list of (normalized name, seq), in table order."""
    out: dict[str, list[tuple[str, int]]] = {}
    for did, g in indicators.groupby("decl_id", sort=False):
        out[did] = [(norm(n), int(s)) for n, s in zip(g.sort_values("seq")["name"], g.sort_values("seq")["seq"])]
    return out


def _seq_of(found: dict, decl_id: str, name: str | None, used: set) -> int | None:
    if name is None:
        return None
    for n, seq in found.get(decl_id, []):
        if n == norm(name) and (decl_id, seq) not in used:
            used.add((decl_id, seq))
            return seq
    return -1  # named by the key but not read


def _same(a, b) -> bool:
    a, b = _val(a), _val(b)
    return a == b


def _val(v):
    try:
        return None if v is None or v != v else int(v)
    except (TypeError, ValueError):
        return None


def score(folder: Path, result=None) -> PairScore:  # noqa: PLR0915 - the scorer walks the key once, tallying links, pairs and directions
    """Ingest ``folder`` (unless ``result``, an :class:`IngestResult` of it, is given) and score
    the links, pairs and directions against ``folder/expected.json``."""
    from analysis import identity, metrics

    if result is None:
        from analysis.ingest import ingest

        result = ingest(folder, jobs=1)
    key = load_key(folder)
    decls = identity.link(result.declarations)
    inds = metrics.year_targets(result.indicators)
    changes = metrics.refine_changes(metrics.target_changes(inds, decls), inds)
    found = _finder(inds)
    s = PairScore()
    for p in key["pairs"]:
        tally = s.per_pair.setdefault(p["id"], {"linked": p["linked"], "link_ok": False, "pairs": 0, "ok": 0, "dir": 0})
        old = _declaration(decls, p["old_file"], p.get("old_declaration", 1))
        new = _declaration(decls, p["new_file"], p.get("new_declaration", 1))
        linked = old is not None and new is not None and old["project_key"] == new["project_key"]
        if p["linked"]:
            s.links_expected += 1
            s.links_ok += linked
            if not linked:
                s.misses.append(f"{p['id']}: {p['old_project']} -> {p['new_project']} not linked")
        else:
            s.negatives_expected += 1
            s.negatives_ok += not linked
            if linked:
                s.misses.append(f"{p['id']}: {p['old_project']} -> {p['new_project']} linked but must not be")
        tally["link_ok"] = linked == p["linked"]
        entries = p.get("indicators", [])
        s.indicator_pairs += len(entries)
        tally["pairs"] += len(entries)
        if not entries:
            continue
        if not linked:
            s.misses.extend(f"{p['id']}: {e['old']} -> {e['new']}: project not linked" for e in entries)
            continue
        rows = changes[(changes["old_decl_id"] == old["decl_id"]) & (changes["new_decl_id"] == new["decl_id"])]
        rows = rows.assign(_o=[_val(v) for v in rows["old_seq"]], _n=[_val(v) for v in rows["new_seq"]])
        records = rows.to_dict("records")
        by_old = {_val(r["_o"]): r for r in records if _val(r["_o"]) is not None}
        by_new = {_val(r["_n"]): r for r in records if _val(r["_n"]) is not None}
        used: set = set()
        for e in entries:
            so = _seq_of(found, old["decl_id"], e["old"], used)
            sn = _seq_of(found, new["decl_id"], e["new"], used)
            what = f"{p['id']}: {e['old']} -> {e['new']}"
            if so == -1 or sn == -1:
                s.misses.append(f"{what}: indicator not read")
                continue
            row = by_old.get(so) if so is not None else by_new.get(sn)
            if row is None or not (_same(row["_o"], so) and _same(row["_n"], sn)):
                got = "nothing" if row is None else f"old seq {row['_o']}, new seq {row['_n']} ({row['change']})"
                s.misses.append(f"{what}: paired with {got}")
                continue
            s.indicator_pairs_ok += 1
            tally["ok"] += 1
            flags_ok = all(bool(row.get(f)) for f in ("op_not_printed", "unit_not_printed") if e.get(f))
            if row["change"] == e["change"] and flags_ok:
                s.directions_ok += 1
                tally["dir"] += 1
            else:
                flags = [f for f in ("op_not_printed", "unit_not_printed") if row.get(f)]
                s.misses.append(f"{what}: {row['change']} {flags} (key: {e['change']}; {e['why']})")
    return s


def markdown_table(s: PairScore) -> str:
    """One line per pair: linked as the key says, indicator pairs and directions."""
    lines = ["| pair | link as the key says | indicator pairs | directions |", "|---|---|---|---|"]
    for pid, t in s.per_pair.items():
        link = ("yes" if t["link_ok"] else "**no**") + ("" if t["linked"] else " (must not link)")
        lines.append(f"| {pid} | {link} | {t['ok']}/{t['pairs']} | {t['dir']}/{t['pairs']} |")
    lines.append(
        f"| **all** | **{s.links_ok + s.negatives_ok}/{s.links_expected + s.negatives_expected}** | "
        f"**{s.indicator_pairs_ok}/{s.indicator_pairs}** ({s.pairs:.1%}) | "
        f"**{s.directions_ok}/{s.indicator_pairs}** ({s.directions:.1%}) |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sc = score(Path(sys.argv[1]))
    for m in sc.misses:
        print(m)
    print(markdown_table(sc))
    print(sc.summary())
