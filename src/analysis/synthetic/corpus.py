"""Write a synthetic corpus of declarations in the published format, with its answer key.

``python -m analysis generate --out DIR [--units N] [--years A-B] [--seed S] [--quirks RATE]``
writes one tab-separated file per unit and year (``DIR/2021/u007_2021.txt``), laid out like the
published 财政项目支出绩效目标表 files, and beside them the truth in ``DIR/answer_key/``:

- ``declarations.parquet``, ``indicators.parquet``: exactly the columns of the processed tables
  (see ``analysis.store``), with the values a correct ingest must produce from the corpus.
  ``source_file`` is relative to DIR; ``source_line`` is the 1-based physical line of the
  declaration's ``财政项目支出绩效目标表`` header (of the row, for an indicator).
- ``target_changes.parquet``: every indicator of a project between two consecutive declared
  years, with the direction that was applied (see ``TARGET_CHANGES_SCHEMA``).
- ``renames.parquet``: every project renamed from one year to the next.
- ``reconciliation.parquet``: every declaration whose ``prior_budget`` was made to differ from
  the ``year_budget`` the same project declared the year before.
- ``manifest.json``: the parameters and the counts.

All units belong to the fictional 示例市, so the corpus is plainly synthetic wherever it is shown.
The same parameters give the same bytes. Generation streams unit by unit: only the current
unit's projects are in memory and the key is appended in chunks, so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.ids import decl_id
from analysis.messages import _
from analysis.synthetic.forms import TEXT_FIELDS, TEXTS, Decl, Quirk, encode, render_file
from analysis.synthetic.library import (
    BUREAUS,
    CATEGORIES,
    CATEGORY_OF,
    CENTRE_SUBJECTS,
    CENTRES,
    CITY,
    LIBRARY,
    NEW_ORDER,
    NEW_PLACES,
    OLD_ORDER,
    OLD_PLACES,
    PERF_TYPES,
    PROJECT_KINDS,
    RENAME_WORDS,
    Indicator,
    Project,
    bureau_of,
    evolve,
    fmt_num,
    new_indicator,
    round100,
    unit_names,
)
from analysis.synthetic.params import DEFAULT, LAYOUTS, PRIOR_LAYOUTS, Params
from analysis.tables import ALL, DECLARATIONS_SCHEMA, INDICATORS_SCHEMA

README_MARK = "# Synthetic declarations (示例市)"


# ---------------------------------------------------------------------------------------------
# the answer key, written in chunks


def _key_schema(*names: str, **extra: pa.DataType) -> pa.Schema:
    """An answer-key table's schema: its columns as the registry defines them (same names and
    types as the frames of :mod:`analysis.metrics` it checks), plus key-only columns."""
    return pa.schema([ALL[n].field() for n in names] + [pa.field(n, t) for n, t in extra.items()])


TARGET_CHANGES_SCHEMA = _key_schema(
    "unit",
    "project",
    "level1_std",
    "level2",
    "name",
    "from_year",
    "to_year",
    "old_raw",
    "new_raw",
    "change",
    renamed=pa.bool_(),
)
RENAMES_SCHEMA = _key_schema("unit", "old_project", "new_project", "from_year", "to_year")
RECONCILIATION_SCHEMA = _key_schema(
    "unit", "project", "year", "decl_id", "prior_budget", "prev_year_budget", "difference"
)
KEY_SCHEMAS = {
    "declarations": DECLARATIONS_SCHEMA,
    "indicators": INDICATORS_SCHEMA,
    "target_changes": TARGET_CHANGES_SCHEMA,
    "renames": RENAMES_SCHEMA,
    "reconciliation": RECONCILIATION_SCHEMA,
}


class _Sink:
    """Rows appended to one Parquet file, written every ``chunk`` rows."""

    def __init__(self, path: Path, schema: pa.Schema, chunk: int = 10_000):
        self.path, self.schema, self.chunk = path, schema, chunk
        self.rows: list[dict] = []
        self.count = 0
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")

    def add(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        self.count += len(rows)
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            cols = {n: [r.get(n) for r in self.rows] for n in self.schema.names}
            self.writer.write_table(pa.table(cols, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


# ---------------------------------------------------------------------------------------------
# one unit over the years


def _pick_indicators(rng: random.Random, budget: float, framework: str, born: list[int]) -> list[Indicator]:
    cats = ["数量", "数量", "质量", "质量", "时效", "社会", "可持续"]
    if framework == "old":
        cats = ["投入", "实施"] + cats
    if rng.random() < 0.9:
        cats.insert(0, "财务")
    for cat, p in (("成本", 0.5), ("经济", 0.3), ("生态", 0.25), ("满意度", 0.6 if framework == "old" else 0.95)):
        if rng.random() < p:
            cats.append(cat)
    out: list[Indicator] = []
    used: set[str] = set()
    for cat in cats:
        choices = [n for n, _ in LIBRARY[cat] if n not in used]
        if cat == "数量" and rng.random() < 0.5:
            choices = [n for n in choices if n != "人员聘用完成率"] or choices
        if not choices:
            continue
        name = rng.choice(choices)
        used.add(name)
        born[0] += 1
        out.append(new_indicator(name, rng, budget, born[0]))
    return out


def _place(ind: Indicator, framework: str) -> tuple[str, str] | None:
    return (OLD_PLACES if framework == "old" else NEW_PLACES).get(CATEGORY_OF[ind.name])


def _ordered(inds: list[Indicator], framework: str) -> list[tuple[str, str, Indicator]]:
    order = OLD_ORDER if framework == "old" else NEW_ORDER
    placed = [(_place(i, framework), i) for i in inds]
    placed = [(pl, i) for pl, i in placed if pl is not None]
    placed.sort(key=lambda t: (order.index(t[0]), t[1].born))
    return [(pl[0], pl[1], i) for pl, i in placed]


def _execution_rate(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.2:
        return 1.0
    if r < 0.85:
        return rng.uniform(0.85, 1.0)
    if r < 0.95:
        return rng.uniform(0.6, 0.85)
    return rng.uniform(0.1, 0.6)


def _project_name(rng: random.Random, subjects: list[str], used: set[str]) -> tuple[str, str]:
    for _attempt in range(200):
        subject = rng.choice(subjects)
        name = subject + rng.choice(PROJECT_KINDS)
        if name not in used:
            return name, subject
    k = len(used)
    return f"{rng.choice(subjects)}专项工作（{k}）", subjects[0]


def _renamed(name: str, rng: random.Random, used: set[str]) -> str | None:
    for w in RENAME_WORDS:
        if name.startswith(w) and name[len(w) :] not in used:
            return name[len(w) :]
    for w in rng.sample(RENAME_WORDS, len(RENAME_WORDS)):
        if w + name not in used:
            return w + name
    return None


class _UnitGen:
    """One unit's projects, carried from year to year (the only state kept while streaming)."""

    def __init__(self, index: int, unit: str, p: Params):
        self.index, self.unit, self.p = index, unit, p
        self.rng = random.Random(f"{p.seed}/content/{index}")
        self.q = Quirk(random.Random(f"{p.seed}/quirks/{index}"), p.quirks)
        centre = any(c and unit.endswith(c) for c in CENTRES)
        self.subjects = BUREAUS[bureau_of(unit)] + (CENTRE_SUBJECTS if centre else [])
        years = p.year_list
        self.switch_year = None
        if len(years) > 1 and self.rng.random() < p.switch_rate:
            self.switch_year = self.rng.choice(years[1:])
        self.used: set[str] = set()
        self.projects: list[Project] = []
        self.born = [0]
        # the unit's form, drawn apart from the content so that adding a layout moves nothing else
        self.layout = random.Random(f"{p.seed}/layout/{index}").choice(p.layouts or LAYOUTS)
        self.code = 100 + index % 900  #: the department's code printed in the medium form

    def framework(self, year: int) -> str:
        return "new" if self.switch_year is not None and year >= self.switch_year else "old"

    def _new_project(self, year: int, existed_before: bool) -> Project:
        rng = self.rng
        name, subject = _project_name(rng, self.subjects, self.used)
        self.used.add(name)
        budget = round100(min(5e7, max(5e4, math.exp(rng.gauss(math.log(6e5), 0.9)))))
        multi = 1.0 if rng.random() < 0.8 else float(rng.choice([2, 3]))
        proj = Project(
            name,
            rng.choice(CATEGORIES),
            rng.choice(PERF_TYPES),
            rng.random() < 0.3,
            budget,
            multi,
            _pick_indicators(rng, budget, self.framework(year), self.born),
            subject,
        )
        if existed_before:  # declared before the corpus starts: it has last year's figures
            proj.prior_budget = round100(budget * rng.uniform(0.8, 1.2))
        return proj

    def _evolve_indicators(self, proj: Project, year: int) -> dict[str, str]:
        rng, p = self.rng, self.p
        fw, old_fw = self.framework(year), self.framework(proj.last_year)
        directions: dict[str, str] = {}
        kept: list[Indicator] = []
        for ind in proj.indicators:
            if _place(ind, fw) is None or (ind.name != "预算执行率" and rng.random() < p.drop_rate):
                directions[ind.name] = "removed"
                continue
            directions[ind.name] = evolve(ind, rng, p)
            kept.append(ind)
        proj.indicators = kept
        added: list[str] = []
        if rng.random() < p.add_rate:
            places = OLD_PLACES if fw == "old" else NEW_PLACES
            cat = rng.choice([c for c in LIBRARY if c in places])
            names = [n for n, _ in LIBRARY[cat] if n not in directions]
            if names:
                added.append(rng.choice(names))
        if fw == "new" and old_fw == "old" and not any(CATEGORY_OF[i.name] == "满意度" for i in proj.indicators):
            if "服务对象满意度" not in directions and "服务对象满意度" not in added:
                added.append("服务对象满意度")
        for name in added:
            self.born[0] += 1
            proj.indicators.append(new_indicator(name, rng, proj.year_budget, self.born[0]))
            directions[name] = "added"
        return directions

    def year(self, year: int, first: bool) -> tuple[list[Decl], list[dict], list[dict]]:  # noqa: PLR0915 - one year of a unit's projects drawn in a fixed order, which the seed's determinism depends on
        """The declarations of one year, and the renames and budget mismatches it brings."""
        rng, p = self.rng, self.p
        renames: list[dict] = []
        mismatches: list[dict] = []
        if first:
            n = max(1, int(round(rng.uniform(0.4, 1.6) * p.projects)))
            self.projects = [self._new_project(year, rng.random() < 0.7) for _ in range(n)]
        else:
            self.projects = [proj for proj in self.projects if rng.random() < p.continue_rate]
            for _ in range(3):
                if rng.random() < p.new_rate / 3:
                    self.projects.append(self._new_project(year, False))
            if not self.projects:
                self.projects.append(self._new_project(year, False))
        fw = self.framework(year)
        decls: list[Decl] = []
        for proj in self.projects:
            from_year = proj.last_year
            directions: dict[str, str] = {}
            renamed = mismatch = False
            prev_budget = None
            if from_year is not None:
                prev_budget = proj.year_budget
                proj.prior_budget = prev_budget
                proj.year_budget = round100(prev_budget * math.exp(rng.gauss(0.02, 0.12)))
                if rng.random() < p.rename_rate:
                    new = _renamed(proj.name, rng, self.used)
                    if new:
                        renames.append(
                            {
                                "unit": self.unit,
                                "old_project": proj.name,
                                "new_project": new,
                                "from_year": from_year,
                                "to_year": year,
                            }
                        )
                        self.used.add(new)
                        proj.name = new
                        renamed = True
                if not renamed and rng.random() < p.mismatch_rate and self.layout in PRIOR_LAYOUTS:
                    factor = rng.uniform(0.7, 0.95) if rng.random() < 0.5 else rng.uniform(1.05, 1.4)
                    proj.prior_budget = round100(prev_budget * factor)
                    if proj.prior_budget == prev_budget:
                        proj.prior_budget = prev_budget + 1000.0
                    mismatch = True
                directions = self._evolve_indicators(proj, year)
            proj.last_year = year
            year_budget = proj.year_budget
            pb = proj.prior_budget
            pe = None
            if pb is not None:
                pe = min(pb, round100(pb * _execution_rate(rng)))
            if proj.multi > 1 or rng.random() < 0.1:
                start = dt.date(year, rng.choice([1, 3, 4]), 1)
                end = dt.date(year, rng.choice([10, 11, 12]), rng.choice([28, 30]))
            else:
                start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            did = decl_id(self.unit, year, proj.name)
            row = {
                "decl_id": did,
                "year": year,
                "unit": self.unit,
                "project": proj.name,
                "category": proj.category,
                "perf_type": proj.perf_type,
                "gov_purchase": proj.gov,
                "start_date": start,
                "end_date": end,
                "total_budget": round100(year_budget * proj.multi),
                "year_budget": year_budget,
                "prior_budget": pb,
                "prior_executed": pe,
            }
            if mismatch:
                mismatches.append(
                    {
                        "unit": self.unit,
                        "project": proj.name,
                        "year": year,
                        "decl_id": did,
                        "prior_budget": pb,
                        "prev_year_budget": prev_budget,
                        "difference": pb - prev_budget,
                    }
                )
            kind = proj.name[len(proj.subject) :] if proj.name.startswith(proj.subject) else "相关工作"
            speaker = self.unit if not any(ch in self.unit for ch in "<>&") else "本单位"  # prose holds no markup
            ctx = {
                "unit": speaker,
                "project": proj.name,
                "subject": proj.subject,
                "city": CITY,
                "kind": kind,
                "y0": year - rng.randint(1, 6),
                "n": rng.randint(1, 60),
                "wan": fmt_num(year_budget / 10000),
                "month": rng.choice([10, 11, 12]),
            }
            texts = {f: [rng.choice(TEXTS[f]).format(**ctx)] for f in TEXT_FIELDS}
            decls.append(
                Decl(row, _ordered(proj.indicators, fw), texts, pb is None, proj, from_year, directions, renamed)
            )
        return decls, renames, mismatches


def _changes(unit: str, d: Decl, ind_rows: list[dict]) -> list[dict]:
    """The target changes of one declaration since the project's previous declaration."""
    proj = d.project
    now = {r["name"]: (r["target_raw"], r["level1_std"], r["level2"]) for r in ind_rows}
    out = []
    if d.from_year is not None:
        for name, change in d.directions.items():
            old, new = proj.raws.get(name), now.get(name)
            where = new or old
            out.append(
                {
                    "unit": unit,
                    "project": proj.name,
                    "level1_std": where[1],
                    "level2": where[2],
                    "name": name,
                    "from_year": d.from_year,
                    "to_year": d.row["year"],
                    "old_raw": old[0] if old else None,
                    "new_raw": new[0] if new else None,
                    "change": change,
                    "renamed": d.renamed,
                }
            )
    proj.raws = now
    return out


# ---------------------------------------------------------------------------------------------
# the whole corpus


def _clear(out: Path) -> None:
    """Make ``out`` ready: create it, or empty it when it holds an earlier generated corpus."""
    if not out.exists():
        out.mkdir(parents=True)
        return
    entries = [e for e in out.iterdir()]
    if not entries:
        return
    readme = out / "README.md"
    if not (readme.exists() and readme.read_text(encoding="utf-8").startswith(README_MARK)):
        raise FileExistsError(_("generate.not_empty", out=out))
    for e in entries:
        if e.is_dir():
            shutil.rmtree(e)
        else:
            e.unlink()


def _readme(p: Params, command: str) -> str:
    return f"""{README_MARK}

Everything in this folder is **synthetic**: generated by this project's generator, not published
by any government. All units belong to the fictional city 示例市; the projects, budgets and
targets are random draws. Use it to demonstrate the reports, test the analysis and benchmark.

Made with:

    {command}

(seed {p.seed}, {p.units} units, years {p.years[0]}-{p.years[1]}, quirk rate {p.quirks}).
The same command writes the same bytes. `answer_key/` holds the truth about the corpus
(see docs/generator.md in the project).
"""


def command_line(p: Params, out: str, sample: bool = False) -> str:
    if sample:
        return f"python -m analysis generate --out {out} --sample"
    cmd = (
        f"python -m analysis generate --out {out} --units {p.units} --years {p.years[0]}-{p.years[1]} "
        f"--seed {p.seed} --quirks {p.quirks}"
    )
    if p.layouts:
        cmd += " --layouts " + ",".join(p.layouts)
    return cmd + (" --hostile" if p.hostile else "")


def generate(out_dir: str | Path, params: Params = DEFAULT, *, sample: bool = False, progress: bool = False) -> dict:
    """Write the corpus and its answer key into ``out_dir``; returns the manifest (parameters, counts).

    ``out_dir`` must be empty, absent, or hold an earlier generated corpus (which is replaced).
    """
    out = Path(out_dir)
    _clear(out)
    (out / "README.md").write_text(_readme(params, command_line(params, str(out_dir), sample)), encoding="utf-8")
    key_dir = out / "answer_key"
    key_dir.mkdir()
    sinks = {name: _Sink(key_dir / f"{name}.parquet", schema) for name, schema in KEY_SCHEMAS.items()}
    units = unit_names(params.units, params.seed, params.hostile)
    years = params.year_list
    counts = {"files": 0, "bytes": 0, "eligible_for_mismatch": 0}
    started = time.time()
    try:
        for year in years:
            (out / str(year)).mkdir(exist_ok=True)
        for ui, unit in enumerate(units):
            gen = _UnitGen(ui, unit, params)
            for yi, year in enumerate(years):
                decls, renames, mismatches = gen.year(year, yi == 0)
                if gen.layout in PRIOR_LAYOUTS:  # the other forms print no prior budget to compare
                    counts["eligible_for_mismatch"] += sum(
                        1 for d in decls if d.from_year is not None and not d.renamed
                    )
                rel = f"{year}/u{ui + 1:04d}_{year}.txt"
                lines, decl_rows, ind_rows = render_file(decls, year, rel, gen.q, gen.layout, gen.code)
                data = encode(lines, gen.q)
                (out / rel).write_bytes(data)
                counts["files"] += 1
                counts["bytes"] += len(data)
                changes: list[dict] = []
                by_project: dict[str, list[dict]] = {}
                for r in ind_rows:
                    if r["horizon"] == "year":
                        by_project.setdefault(r["project"], []).append(r)
                for d in decls:
                    changes += _changes(unit, d, by_project.get(d.row["project"], []))
                sinks["declarations"].add(decl_rows)
                sinks["indicators"].add(ind_rows)
                sinks["target_changes"].add(changes)
                sinks["renames"].add(renames)
                sinks["reconciliation"].add(mismatches)
            if progress and (ui + 1) % 100 == 0:
                print(
                    _(
                        "generate.progress",
                        done=ui + 1,
                        units=len(units),
                        declarations=sinks["declarations"].count,
                        seconds=time.time() - started,
                    ),
                    file=sys.stderr,
                )
    finally:
        for sink in sinks.values():
            sink.close()
    manifest = {
        "synthetic": True,
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(params).items()},
        "command": command_line(params, str(out_dir), sample),
        "counts": {
            "units": len(units),
            "years": len(years),
            "files": counts["files"],
            "bytes": counts["bytes"],
            **{name: sink.count for name, sink in sinks.items()},
            "eligible_for_mismatch": counts["eligible_for_mismatch"],
        },
    }
    (key_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    if sample:
        (out / ".complete").write_text("synthetic sample complete\n", encoding="utf-8")
    return manifest
