"""Score an ingest of a folder of real declarations against its answer key (``expected.json``).

The answer key's schema and conventions are those of ``../shared/real-world/README.md``: one
entry per declaration (``file``, ``declaration_in_file``, ``unit``, ``unit_alt``, ``project``,
``year``, ``total_budget_yuan``, ``year_budget_yuan``, ``prior_budget_yuan``,
``prior_executed_yuan``, ``single_amount``, ``truncated``, ``indicators``). Used by
``tests/test_realworld.py``; run it on any folder with

    python tests/realworld.py FOLDER          # prints the scores and every miss

How it scores:

- **Declarations.** An expected declaration is *found* when the tables hold a declaration from
  its file whose project matches (white space and full-width forms aside); failing that, the
  file's n-th declaration, in order, for the key's n-th. Truncated declarations count as found
  with what they hold.
- **Fields** of a found declaration (7 checks): ``unit`` (the key's ``unit`` or any of its
  ``unit_alt``), ``project``, ``year``, the two amounts and the two prior-year figures. Where the
  key says ``single_amount``, the one amount may sit in either ``year_budget`` or
  ``total_budget`` (both checks pass when the non-null amounts are exactly that amount).
  Amounts match to 0.5 元.
- **Indicators** of a found declaration: the key's indicators are aligned with the year-horizon
  indicators read (in order, by name), and each aligned pair is checked on ``level1``,
  ``level2``, ``name``, the target (``target_raw``, or ``target_combined`` for split-column
  layouts), ``kind`` and, for quantitative targets, ``op``, ``value`` and ``value_unit``; for
  deadlines the date where the key decodes one (``decoded_date``). An expected indicator with no
  counterpart fails all its checks. Texts are compared after NFKC and with white space removed
  (the key prints some names with the spaces of the page, the ingest folds line breaks).
  An indicator *counts* when all its checks pass.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

_WS = re.compile(r"\s+")


def norm(text) -> str:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _WS.sub("", unicodedata.normalize("NFKC", str(text)))


def _num(v):
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _same_number(a, b, tol=0.5) -> bool:
    a, b = _num(a), _num(b)
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(tol, 1e-9 * abs(b))


@dataclass
class Score:
    declarations_expected: int = 0
    declarations_found: int = 0
    field_checks: int = 0
    field_ok: int = 0
    indicator_checks: int = 0
    indicator_checks_ok: int = 0
    indicators_expected: int = 0
    indicators_ok: int = 0
    #: indicators read that the key does not list (invented rows): counted against the score
    indicators_extra: int = 0
    #: declarations read from the key's files that match no declaration of the key
    declarations_extra: int = 0
    misses: list[str] = field(default_factory=list)
    per_file: dict[str, dict] = field(default_factory=dict)

    @property
    def fields(self) -> float:
        return self.field_ok / self.field_checks if self.field_checks else 1.0

    @property
    def indicators(self) -> float:
        """Indicators right over those the key lists plus those read that it does not list."""
        total = self.indicators_expected + self.indicators_extra
        return self.indicators_ok / total if total else 1.0

    @property
    def indicator_fields(self) -> float:
        return self.indicator_checks_ok / self.indicator_checks if self.indicator_checks else 1.0

    def summary(self) -> str:
        return (
            f"declarations {self.declarations_found}/{self.declarations_expected}, "
            f"fields {self.field_ok}/{self.field_checks} ({self.fields:.1%}), "
            f"indicators {self.indicators_ok}/{self.indicators_expected}"
            + (f" + {self.indicators_extra} not in the key" if self.indicators_extra else "")
            + f" ({self.indicators:.1%}; "
            f"indicator fields {self.indicator_checks_ok}/{self.indicator_checks}, {self.indicator_fields:.1%})"
        )


def load_key(folder: Path) -> dict:
    return json.loads((Path(folder) / "expected.json").read_text(encoding="utf-8"))


def _file_tally(score: Score, file: str) -> dict:
    return score.per_file.setdefault(
        file, {"declarations": 0, "found": 0, "fields": 0, "fields_ok": 0, "indicators": 0, "indicators_ok": 0}
    )


def _match_declarations(expected: list[dict], got) -> dict[int, dict]:
    """Key entry index -> the declaration row read for it."""
    out: dict[int, dict] = {}
    by_file: dict[str, list[dict]] = {}
    for row in got.to_dict("records"):
        by_file.setdefault(row["source_file"], []).append(row)
    for rows in by_file.values():
        rows.sort(key=lambda r: r["source_line"])
    used: set[str] = set()
    for i, e in enumerate(expected):
        rows = by_file.get(e["file"], [])
        hit = next((r for r in rows if r["decl_id"] not in used and norm(r["project"]) == norm(e["project"])), None)
        if hit is None:
            n = e.get("declaration_in_file", 1) - 1
            if 0 <= n < len(rows) and rows[n]["decl_id"] not in used:
                hit = rows[n]
        if hit is not None:
            used.add(hit["decl_id"])
            out[i] = hit
    return out


def _field_checks(e: dict, d: dict) -> list[tuple[str, bool, str]]:
    checks = []
    units = [e["unit"], *e.get("unit_alt", [])]
    checks.append(("unit", any(norm(d.get("unit")) == norm(u) for u in units), f"{d.get('unit')!r} not in {units}"))
    checks.append(
        ("project", norm(d.get("project")) == norm(e["project"]), f"{d.get('project')!r} != {e['project']!r}")
    )
    checks.append(("year", _num(d.get("year")) == _num(e["year"]), f"{d.get('year')} != {e['year']}"))
    tb, yb = _num(d.get("total_budget")), _num(d.get("year_budget"))
    if e.get("single_amount"):
        amount = e["year_budget_yuan"] if e["year_budget_yuan"] is not None else e["total_budget_yuan"]
        present = [v for v in (tb, yb) if v is not None]
        ok = bool(present) and all(_same_number(v, amount) for v in present) if amount is not None else not present
        msg = f"total {tb}, year {yb}; expected the single amount {amount}"
        checks += [("total_budget", ok, msg), ("year_budget", ok, msg)]
    else:
        checks.append(("total_budget", _same_number(tb, e["total_budget_yuan"]), f"{tb} != {e['total_budget_yuan']}"))
        checks.append(("year_budget", _same_number(yb, e["year_budget_yuan"]), f"{yb} != {e['year_budget_yuan']}"))
    for name, key in (("prior_budget", "prior_budget_yuan"), ("prior_executed", "prior_executed_yuan")):
        checks.append((name, _same_number(d.get(name), e[key]), f"{d.get(name)} != {e[key]}"))
    return checks


def _target_ok(ei: dict, gi: dict) -> bool:
    got = norm(gi.get("target_raw"))
    wanted = {norm(ei.get("target_raw"))}
    if "target_combined" in ei:
        wanted.add(norm(ei["target_combined"]))
    return got in wanted


def _indicator_checks(ei: dict, gi: dict) -> list[tuple[str, bool, str]]:
    checks = [
        ("level1", norm(gi.get("level1")) == norm(ei["level1"]), f"{gi.get('level1')!r} != {ei['level1']!r}"),
        ("level2", norm(gi.get("level2")) == norm(ei["level2"]), f"{gi.get('level2')!r} != {ei['level2']!r}"),
        ("name", norm(gi.get("name")) == norm(ei["name"]), f"{gi.get('name')!r} != {ei['name']!r}"),
        ("target", _target_ok(ei, gi), f"{gi.get('target_raw')!r} != {ei.get('target_combined', ei['target_raw'])!r}"),
    ]
    if norm(ei.get("target_raw")):
        checks.append(("kind", gi.get("kind") == ei["kind"], f"{gi.get('kind')} != {ei['kind']}"))
    else:  # no target printed (target_missing): no kind to speak of
        checks.append(("kind", gi.get("kind") in (None, ei["kind"]), f"{gi.get('kind')} for a missing target"))
    if ei["kind"] == "quantitative":
        checks.append(("op", gi.get("op") == ei["op"], f"{gi.get('op')} != {ei['op']}"))
        checks.append(
            ("value", _same_number(gi.get("value"), ei["value"], 1e-6), f"{gi.get('value')} != {ei['value']}")
        )
        checks.append(
            (
                "value_unit",
                norm(gi.get("value_unit")) == norm(ei["value_unit"]),
                f"{gi.get('value_unit')!r} != {ei['value_unit']!r}",
            )
        )
    elif ei["kind"] == "deadline" and ei.get("decoded_date"):
        want = float(ei["decoded_date"].replace("-", ""))
        checks.append(("value", _same_number(gi.get("value"), want, 1e-6), f"{gi.get('value')} != {want}"))
    return checks


def _align(expected: list[dict], got: list[dict]) -> list[tuple[dict, dict | None]]:
    """Pair the key's indicators with those read: in order, by name (a missing or an extra
    row does not shift the others)."""
    a = [norm(x["name"]) for x in expected]
    b = [norm(x.get("name")) for x in got]
    pairs: list[tuple[dict, dict | None]] = []
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            pairs += [(expected[i1 + k], got[j1 + k]) for k in range(i2 - i1)]
        elif tag == "replace":
            for k in range(i2 - i1):  # same place, other name: compare position by position
                pairs.append((expected[i1 + k], got[j1 + k] if j1 + k < j2 else None))
        elif tag == "delete":
            pairs += [(expected[i], None) for i in range(i1, i2)]
    return pairs


def score(folder: Path, result=None) -> Score:  # noqa: PLR0915 - the scorer walks the key once, tallying per file and in all
    """Ingest ``folder`` (unless ``result``, an :class:`IngestResult` of it, is given) and score
    it against ``folder/expected.json``."""
    if result is None:
        from analysis.ingest import ingest

        result = ingest(folder, jobs=1)
    key = load_key(folder)
    expected = key["declarations"]
    decls, inds = result.declarations, result.indicators
    if "horizon" in inds:
        inds = inds[inds["horizon"].fillna("year") == "year"]
    inds = inds.astype(object).where(inds.notna(), None)
    by_decl = {did: g.sort_values("seq").to_dict("records") for did, g in inds.groupby("decl_id", sort=False)}
    matched = _match_declarations(expected, decls)
    s = Score(declarations_expected=len(expected))
    for i, e in enumerate(expected):
        tally = _file_tally(s, e["file"])
        tally["declarations"] += 1
        where = f"{e['file']} #{e.get('declaration_in_file', 1)}"
        d = matched.get(i)
        n_fields = 7
        s.indicators_expected += len(e["indicators"])
        tally["indicators"] += len(e["indicators"])
        tally["fields"] += n_fields
        s.field_checks += n_fields
        if d is None:
            s.misses.append(f"{where}: declaration not found")
            s.indicator_checks += sum(len(_indicator_checks(ei, {})) for ei in e["indicators"])
            continue
        s.declarations_found += 1
        tally["found"] += 1
        for name, ok, msg in _field_checks(e, d):
            if ok:
                s.field_ok += 1
                tally["fields_ok"] += 1
            else:
                s.misses.append(f"{where}: field {name}: {msg}")
        got = by_decl.get(d["decl_id"], [])
        for ei, gi in _align(e["indicators"], got):
            checks = _indicator_checks(ei, gi or {})
            s.indicator_checks += len(checks)
            good = sum(ok for _, ok, _ in checks)
            s.indicator_checks_ok += good if gi is not None else 0
            if gi is not None and good == len(checks):
                s.indicators_ok += 1
                tally["indicators_ok"] += 1
            elif gi is None:
                s.misses.append(f"{where}: indicator {ei['name']!r} not read")
            else:
                bad = "; ".join(f"{n}: {m}" for n, ok, m in checks if not ok)
                s.misses.append(f"{where}: indicator {ei['name']!r}: {bad}")
        extra = len(got) - sum(1 for _, gi in _align(e["indicators"], got) if gi is not None)
        if extra > 0:
            s.indicators_extra += extra
            tally["indicators"] += extra
            s.misses.append(f"{where}: {extra} indicator(s) read that the key does not list")
    files = {e["file"] for e in expected}
    seen = {d["decl_id"] for d in matched.values()}
    for row in decls.to_dict("records"):
        if row["source_file"] in files and row["decl_id"] not in seen:
            s.declarations_extra += 1
            s.misses.append(f"{row['source_file']}:{row['source_line']}: declaration read that the key does not list")
    return s


def markdown_table(s: Score) -> str:
    """The per-file table of docs/formats.md."""
    lines = ["| file | declarations found | fields | indicators |", "|---|---|---|---|"]
    for f, t in sorted(s.per_file.items()):
        lines.append(
            f"| {f} | {t['found']}/{t['declarations']} | {t['fields_ok']}/{t['fields']} | "
            f"{t['indicators_ok']}/{t['indicators']} |"
        )
    lines.append(
        f"| **all** | **{s.declarations_found}/{s.declarations_expected}** | "
        f"**{s.field_ok}/{s.field_checks}** ({s.fields:.1%}) | "
        f"**{s.indicators_ok}/{s.indicators_expected}** ({s.indicators:.1%}) |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    sc = score(folder)
    for m in sc.misses:
        print(m)
    print(markdown_table(sc))
    print(sc.summary())
