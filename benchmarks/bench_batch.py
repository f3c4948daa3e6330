"""The report batch against the kernel-start floor: the sample's reports, and the first reports of a
2,000-unit corpus projected to all of them, with the time of a report split by stage.

The floor is what N empty notebooks cost when run through papermill's API in ``jobs`` processes
(each process runs N / jobs of them one after the other): a kernel started per notebook, one
trivial cell, the notebook written.  It is measured just before and just after the batch, in
the same run, and the two are averaged.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

from benchmarks import harness
from benchmarks.harness import PYTHON, Report, Result, check, run_measured

RATIO_GOAL = 1.3
RERUN_GOAL_S = 5.0
_COUNTS = re.compile(r"(\d+) reports: (\d+) rendered, (\d+) unchanged, (\d+) failed")

#: the stages of a report, in the order of the table (see report_split)
STAGES = (
    ("kernel_start", "kernel start (once per worker)"),
    ("setup_imports", "imports (once per worker)"),
    ("setup_fonts_first_chart", "fonts, first chart (once per worker)"),
    ("prepare", "clean namespace before the report"),
    ("reading", "reading (show.load_*)"),
    ("metrics", "metrics (analysis.metrics)"),
    ("charts", "charts (plots, PNG)"),
    ("tables", "tables and text (show.show_*)"),
    ("papermill", "papermill, kernel messages, notebook written"),
    ("html", "conversion to HTML"),
)


def empty_floor(work: Path, n: int, jobs: int) -> float:
    """Wall seconds of ``n`` empty notebook runs through papermill in ``jobs`` processes at once."""
    per = [n // jobs + (1 if i < n % jobs else 0) for i in range(jobs)]
    env = harness.ENV
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(
            [PYTHON, "-m", "benchmarks.nbruns", "empty", str(work / f"empty-{i}"), str(k)],
            cwd=harness.ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i, k in enumerate(per)
        if k
    ]
    for p in procs:
        _, err = p.communicate()
        if p.returncode:
            raise RuntimeError(f"the empty notebook runs failed: {err.decode(errors='replace')[-2000:]}")
    return time.perf_counter() - t0


def reports_cmd(
    processed: Path,
    out: Path,
    jobs: int,
    units: list[str] | None = None,
    years: list[int] | None = None,
    export: bool = True,
) -> list[str]:
    cmd = [
        PYTHON,
        "-m",
        "analysis",
        "--lang",
        "en",  # the summary read by counts()
        "reports",
        "--processed",
        str(processed),
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        "--quiet",
    ]
    if units:
        cmd += ["--units", *units]
    if years:
        cmd += ["--years", *(str(y) for y in years)]
    if not export:
        cmd.append("--no-export")
    return cmd


def counts(stdout: str) -> tuple[int, int, int, int]:
    m = _COUNTS.search(stdout)
    if not m:
        raise RuntimeError(f"cannot read the batch summary from: {stdout[-500:]!r}")
    return tuple(int(x) for x in m.groups())


def stamps(out: Path) -> dict[str, list[dict]]:
    """The cache stamps of the reports rendered into ``out``, by kind (each: seconds and timings)."""
    found: dict[str, list[dict]] = {"unit": [], "year": []}
    for p in sorted((out / ".cache").glob("*.json")):
        kind = p.name.split("-", 1)[0]
        if kind in found:
            found[kind].append(json.loads(p.read_text(encoding="utf-8")))
    return found


def report_split(records: list[dict]) -> dict[str, float]:
    """Mean seconds per report of each stage (once-per-worker stages spread over the reports)."""
    n = len(records) or 1
    total = {k: 0.0 for k, _ in STAGES}
    for r in records:
        t = r.get("timings", {})
        for k, _ in STAGES:
            if k != "papermill":
                total[k] += t.get(k, 0.0)
        inside = sum(t.get(k, 0.0) for k in ("reading", "metrics", "charts", "tables"))
        total["papermill"] += max(0.0, t.get("execute", 0.0) - inside)
    split = {k: v / n for k, v in total.items()}
    split["report"] = sum(r.get("seconds", 0.0) for r in records) / n
    return split


def split_text(title: str, split: dict[str, float]) -> str:
    lines = [title]
    whole = split["report"] or 1.0
    for k, label in STAGES:
        lines.append(f"  {split[k]:7.3f} s  {100 * split[k] / whole:5.1f}%  {label}")
    lines.append(f"  {whole:7.3f} s  100.0%  a report, in its worker")
    return "\n".join(lines)


def _load(log) -> str:
    import os

    load = os.getloadavg()
    return f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}"


def run_sample(work: Path, jobs: int, report: Report, log=print) -> None:
    """The sample's reports (``generate --sample``): the whole batch against the floor."""
    raw = work / "sample-raw"
    processed = work / "sample-processed"
    shutil.rmtree(raw, ignore_errors=True)
    shutil.rmtree(processed, ignore_errors=True)
    check(
        run_measured([PYTHON, "-m", "analysis", "generate", "--out", str(raw / "synthetic"), "--sample"]),
        "generate --sample",
    )
    check(
        run_measured([PYTHON, "-m", "analysis", "ingest", str(raw), "--out", str(processed)]),
        "the ingest of the sample",
    )
    out = work / "sample-reports"
    shutil.rmtree(out, ignore_errors=True)
    from analysis.tables import read_table

    decl = read_table(processed, "declarations", columns=["unit", "year"])
    n = decl["unit"].nunique() + decl["year"].nunique()
    loads = [_load(log)]
    log(f"batch (sample): {n} empty notebook runs in {jobs} processes (the floor) ...")
    floor_before = empty_floor(work / "floor", n, jobs)
    log(f"batch (sample): the {n} reports with --jobs {jobs} (load {loads[0]}) ...")
    first = check(run_measured(reports_cmd(processed, out, jobs)), "the report batch")
    n_reports, rendered, _, failed = counts(first.stdout)
    loads.append(_load(log))
    log("batch (sample): the floor again ...")
    floor_after = empty_floor(work / "floor", n, jobs)
    loads.append(_load(log))
    log("batch (sample): an unchanged re-run ...")
    again = check(run_measured(reports_cmd(processed, out, jobs)), "the re-run")
    _, rendered_again, cached_again, _ = counts(again.stdout)
    floor = (floor_before + floor_after) / 2
    recs = stamps(out)
    split = report_split(recs["unit"] + recs["year"])
    report.details["batch_sample"] = {
        "reports": n_reports,
        "rendered": rendered,
        "failed": failed,
        "jobs": jobs,
        "floor_seconds": [round(floor_before, 2), round(floor_after, 2)],
        "batch_seconds": round(first.seconds, 2),
        "rerun_seconds": round(again.seconds, 2),
        "rerun_cached": cached_again,
        "load_avg": loads,
        "batch_peak_rss_gib": round(first.peak_rss / 1024**3, 3),
        "split": split,
    }
    report.add(
        Result(
            f"sample batch, {n_reports} reports / ({n_reports} empty papermill runs / {jobs} jobs)",
            first.seconds / floor,
            RATIO_GOAL,
            detail=f"{first.seconds:.1f} s vs floor {floor_before:.1f} s before, {floor_after:.1f} s after"
            f"; load {' / '.join(loads)}" + (f"; {failed} FAILED" if failed else ""),
        ),
        Result(
            "sample batch unchanged re-run",
            again.seconds,
            RERUN_GOAL_S,
            unit="s",
            detail=f"{cached_again} unchanged, {rendered_again} rendered again",
        ),
    )
    report.notes.append(
        split_text(f"Time per report of the sample's batch ({n_reports} reports, --jobs {jobs}):", split)
    )


def run_large(processed: Path, work: Path, jobs: int, n_units: int, k_empty: int, report: Report, log=print) -> None:
    """The first ``n_units`` unit reports and every year report of a large corpus, projected to all units."""
    from analysis.tables import read_table

    decl = read_table(processed, "declarations", columns=["unit", "year"])
    all_units = sorted(decl["unit"].dropna().unique().tolist())
    years = sorted(int(y) for y in decl["year"].dropna().unique())
    units = all_units[:n_units]
    out = work / "large-reports"
    shutil.rmtree(out, ignore_errors=True)
    loads = [_load(log)]
    log(f"batch (large): {k_empty} empty notebook runs in {jobs} processes ...")
    floor_before = empty_floor(work / "floor", k_empty, jobs)
    log(
        f"batch (large): {len(units)} of {len(all_units)} unit reports and {len(years)} year reports, --jobs {jobs} ..."
    )
    env = dict(harness.ENV or __import__("os").environ, ANALYSIS_REPORT_PROFILE="1")
    run = check(run_measured(reports_cmd(processed, out, jobs, units, years), env=env), "the large report batch")
    n_reports, rendered, _, failed = counts(run.stdout)
    loads.append(_load(log))
    floor_after = empty_floor(work / "floor", k_empty, jobs)
    loads.append(_load(log))
    per_empty = (floor_before + floor_after) / 2 * jobs / k_empty  # seconds of one empty run, one process
    recs = stamps(out)
    unit_s = sum(r["seconds"] for r in recs["unit"])
    year_s = sum(r["seconds"] for r in recs["year"])
    # the batch's wall time = fixed costs (start, plan, index, export) + the reports' worker time / jobs
    fixed = max(0.0, run.seconds - (unit_s + year_s) / jobs)
    total_reports = len(all_units) + len(years)
    projected = fixed + (unit_s / max(len(recs["unit"]), 1) * len(all_units) + year_s) / jobs
    floor_all = total_reports * per_empty / jobs
    split_u = report_split(recs["unit"])
    split_y = report_split(recs["year"])
    report.details["batch_large"] = {
        "units_measured": len(recs["unit"]),
        "years_measured": len(recs["year"]),
        "units_total": len(all_units),
        "reports": n_reports,
        "rendered": rendered,
        "failed": failed,
        "jobs": jobs,
        "batch_seconds": round(run.seconds, 1),
        "unit_worker_seconds": round(unit_s, 1),
        "year_worker_seconds": round(year_s, 1),
        "fixed_seconds": round(fixed, 1),
        "projected_seconds": round(projected, 1),
        "empty_run_seconds": round(per_empty, 3),
        "floor_seconds": [round(floor_before, 2), round(floor_after, 2)],
        "load_avg": loads,
        "peak_rss_gib": round(run.peak_rss / 1024**3, 3),
        "max_process_rss_gib": round(run.max_process_rss / 1024**3, 3),
        "split_unit": split_u,
        "split_year": split_y,
    }
    report.add(
        Result(
            f"large batch: {n_reports} reports measured / their floor",
            run.seconds / (n_reports * per_empty / jobs),
            RATIO_GOAL,
            detail=f"{run.seconds:.0f} s vs {n_reports} x {per_empty:.2f} s / {jobs}; peak RSS {run.peak_rss / 1024**3:.2f} GiB"
            f"; load {' / '.join(loads)}" + (f"; {failed} FAILED" if failed else ""),
        ),
        Result(
            f"large batch projected to {total_reports} reports / their floor",
            projected / floor_all,
            RATIO_GOAL,
            detail=f"{projected / 60:.1f} min ({fixed:.0f} s fixed + {unit_s / max(len(recs['unit']), 1):.2f} s x "
            f"{len(all_units)} units + {year_s:.0f} s of years, / {jobs}) vs {floor_all / 60:.1f} min",
        ),
    )
    report.notes.append(split_text(f"Time per unit report of the large corpus ({len(recs['unit'])} reports):", split_u))
    report.notes.append(split_text(f"Time per year report of the large corpus ({len(recs['year'])} reports):", split_y))
