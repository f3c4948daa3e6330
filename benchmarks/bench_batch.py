"""The report batch against the kernel-start floor; an unchanged re-run."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from benchmarks.harness import PYTHON, Report, Result, check, median, run_measured

RATIO_GOAL = 1.3
RERUN_GOAL_S = 5.0
_COUNTS = re.compile(r"(\d+) reports: (\d+) rendered, (\d+) unchanged, (\d+) failed")


def empty_floor(work: Path, k: int) -> list[float]:
    """Seconds of ``k`` empty notebook runs through papermill, one after the other in one process."""
    r = check(run_measured([PYTHON, "-m", "benchmarks.nbruns", "empty", str(work / "empty"), str(k)]), "the empty notebook runs")
    return json.loads(r.stdout.strip().splitlines()[-1])["seconds"]


def reports_cmd(processed: Path, out: Path, jobs: int, units: list[str] | None, years: list[int] | None) -> list[str]:
    cmd = [PYTHON, "-m", "analysis", "reports", "--processed", str(processed), "--out", str(out),
           "--jobs", str(jobs), "--quiet"]
    if units:
        cmd += ["--units", *units]
    if years:
        cmd += ["--years", *(str(y) for y in years)]
    return cmd


def counts(stdout: str) -> tuple[int, int, int, int]:
    m = _COUNTS.search(stdout)
    if not m:
        raise RuntimeError(f"cannot read the batch summary from: {stdout[-500:]!r}")
    return tuple(int(x) for x in m.groups())


def run(processed: Path, work: Path, jobs: int, n_units: int | None, n_years: int | None, k_empty: int,
        report: Report, log=print) -> None:
    from analysis.tables import read_table

    decl = read_table(processed, "declarations", columns=["unit", "year"])
    units = sorted(decl["unit"].dropna().unique().tolist())
    years = sorted(int(y) for y in decl["year"].dropna().unique())
    units = units[:n_units] if n_units else None
    years = years[-n_years:] if n_years else None

    out = work / "reports"
    shutil.rmtree(out, ignore_errors=True)
    log(f"batch: {k_empty} empty notebook runs (the kernel-start floor) ...")
    empty = empty_floor(work, k_empty)
    # the first run in a process also pays the imports of papermill; the batch's workers pay them too
    t_empty = median(empty)
    log(f"batch: the reports with --jobs {jobs} ...")
    first = check(run_measured(reports_cmd(processed, out, jobs, units, years)), "the report batch")
    n, rendered, _, failed = counts(first.stdout)
    log("batch: an unchanged re-run ...")
    again = check(run_measured(reports_cmd(processed, out, jobs, units, years)), "the re-run")
    _, rendered_again, cached_again, _ = counts(again.stdout)
    log("batch: empty notebook runs again ...")
    empty += empty_floor(work, k_empty)
    t_empty = median(empty)
    floor = n * t_empty / jobs
    report.details["batch"] = {
        "reports": n, "rendered": rendered, "failed": failed, "jobs": jobs,
        "empty_run_seconds": [round(x, 2) for x in empty], "batch_seconds": round(first.seconds, 2),
        "rerun_seconds": round(again.seconds, 2), "rerun_rendered": rendered_again, "rerun_cached": cached_again,
        "batch_peak_rss_gib": round(first.peak_rss / 1024 ** 3, 3),
    }
    report.add(
        Result(f"batch of {n} reports / ({n} empty runs / {jobs} jobs)", first.seconds / floor, RATIO_GOAL,
               detail=f"{first.seconds:.1f} s vs {n} x {t_empty:.2f} s / {jobs} = {floor:.1f} s"
                      + (f"; {failed} FAILED" if failed else "")),
        Result("batch unchanged re-run", again.seconds, RERUN_GOAL_S, unit="s",
               detail=f"{cached_again} unchanged, {rendered_again} rendered again"),
    )
