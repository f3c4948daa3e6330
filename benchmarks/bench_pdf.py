"""A department's budget disclosure of some 300 pages read as one file: time against the
per-file limit, peak memory against 1 GiB, every declaration laid into it found.

The disclosure is made by the tests' PDF kit (``tests/pdfkit.py``): the real published
layouts that print their year (``shared/real-world``, the extra set and the other form
families, the seed), each copy's project names numbered so that no two declarations are the
same, one after another on A4 landscape pages with the budget tables first and one after every
fourth declaration, tables running over page breaks, a running header and page numbers (300
pages at least, some 430 declarations). Two are read: tables with ruling lines, and the same
printed without them (text placed in columns, read from where it is printed). Each is read
the way an ingest worker reads a file (``read_declarations`` under the default bounds, the
per-file clock running) in a process of its own, whose peak RSS is sampled; its CPU seconds
are printed beside the wall time (on a loaded machine the wall time is mostly waiting).

``python -m benchmarks.bench_pdf read FILE`` is that process: it prints one JSON line
(``read FILE whole``: without the per-file time limit, to see what reading it all costs).
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

from benchmarks.harness import PYTHON, ROOT, Report, Result, check, run_measured

#: the per-file bound the reading is measured against (GiB)
MEMORY_GOAL_GIB = 1.0


def _kit():
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    import formatkit
    import pdfkit

    return formatkit, pdfkit


#: the disclosures read: their names and how the kit lays them out
VARIANTS = {"ruled": {}, "without ruling lines": {"ruled": False, "middle": False}}


def make(path: Path, pages: int, log=print, **layout) -> dict:
    """Write a disclosure of about ``pages`` pages (at least one copy of the layouts) to ``path``,
    laid out as ``layout`` (the kit's :class:`Layout` fields) says."""
    import pdfplumber

    fk, pk = _kit()
    per_copy: list[tuple[list[list[str]], list[str]]] = []
    for p in pk.LAYOUTS:
        read = fk.read(p)
        if any(x.code == "year-inferred" for x in read.problems):
            continue  # its year comes from its file's name, which a disclosure does not have
        per_copy.append((fk.text_grid(p), [str(x) for x in read.declarations["project"]]))
    pages_per_copy = 32  # A4 landscape, measured on the layouts above
    copies = max(1, math.ceil(pages / pages_per_copy))
    grids = []
    for k in range(copies):
        for grid, projects in per_copy:
            if k:
                suffix = f"（第{k + 1}批）"
                grid = [[_numbered(c, projects, suffix) for c in row] for row in grid]
            grids.append(grid)
    expected = copies * sum(len(p) for _, p in per_copy)
    log(f"pdf: laying out {expected} declarations ({copies} copies of {len(per_copy)} layouts) ...")
    started = time.perf_counter()
    path.write_bytes(pk.disclosure(grids, pk.Layout(**layout), budget_every=4))
    with pdfplumber.open(path) as pdf:
        n = len(pdf.pages)
    return {
        "pages": n,
        "declarations": expected,
        "bytes": path.stat().st_size,
        "seconds_to_make": round(time.perf_counter() - started, 1),
    }


def _numbered(cell: str, projects: list[str], suffix: str) -> str:
    for p in projects:
        if p and p in cell:
            return cell.replace(p, p + suffix)
    return cell


def read(path: Path, whole: bool = False) -> dict:
    """Read one file as an ingest worker does (default bounds, the clock running; ``whole``:
    without the time limit)."""
    import dataclasses

    from analysis.ingest import limits as lim
    from analysis.ingest.file import read_declarations

    bounds = dataclasses.replace(lim.DEFAULT, seconds=None) if whole else lim.DEFAULT
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        with lim.budget(bounds, path.name):
            res = read_declarations(path, path.name)
        found = {
            "declarations": len(res.declarations),
            "indicators": sum(len(i) for i in res.indicators),
            "problems": sorted(
                {f"{p.code}: {p.message}" if p.code == "pages-not-read" else p.code for p in res.problems}
            ),
        }
    except lim.LimitExceeded as exc:
        found = {"declarations": 0, "indicators": 0, "problems": [f"{exc.code}: {exc}"]}
    return {"seconds": round(time.perf_counter() - t0, 2), "cpu_seconds": round(time.process_time() - c0, 2), **found}


def run(work: Path, pages: int, report: Report, log=print) -> None:
    from analysis.ingest.limits import DEFAULT

    work.mkdir(parents=True, exist_ok=True)
    for variant, layout in VARIANTS.items():
        pdf = work / f"部门预算公开（{variant}）.pdf"
        made = make(pdf, pages, log, **layout)
        log(f"pdf: reading the {made['pages']}-page disclosure, {variant} ({made['bytes'] / 1e6:.1f} MB) ...")
        r = check(run_measured([PYTHON, "-m", "benchmarks.bench_pdf", "read", str(pdf)]), "reading the disclosure")
        got = json.loads(r.stdout.strip().splitlines()[-1])
        limit = DEFAULT.seconds
        n = made["pages"]
        key = "pdf" if variant == "ruled" else "pdf_unruled"
        report.details[key] = {**made, **got, "peak_rss_gib": round(r.peak_rss / 2**30, 3), "limit_seconds": limit}
        report.add(
            Result(
                f"pdf: {n}-page disclosure, {variant}, read / per-file limit ({limit:g} s)",
                got["seconds"] / limit,
                1.0,
                detail=f"{got['seconds']:.1f} s ({got['cpu_seconds']:.1f} s CPU), {1000 * got['seconds'] / n:.0f} ms a page",
            ),
            Result(
                f"pdf: {n}-page disclosure, {variant}, peak RSS",
                r.peak_rss / 2**30,
                MEMORY_GOAL_GIB,
                unit="GiB",
                detail=f"{r.peak_rss / 2**20:.0f} MiB",
            ),
            Result(
                f"pdf: {variant}, declarations found == laid out ({made['declarations']})",
                float(got["declarations"] == made["declarations"]),
                1.0,
                unit="same",
                detail=f"{got['declarations']} found, {got['indicators']} indicators; problems {got['problems']}",
                higher_is_better=True,
            ),
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["read"]:
        print(json.dumps(read(Path(sys.argv[2]), whole=sys.argv[3:4] == ["whole"])))
    else:
        print(__doc__)
