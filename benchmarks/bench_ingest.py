"""Ingest against its floor; parallel against serial (same tables); peak memory."""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks.harness import PYTHON, Report, Result, check, gib, run_measured

TABLES = ("declarations", "indicators", "problems")
RATIO_GOAL = 3.0
SPEEDUP_GOAL = 1.7
MEMORY_GOAL_GIB = 1.0


def ingest_cmd(raw: Path, out: Path, jobs: int) -> list[str]:
    return [PYTHON, "-m", "analysis", "ingest", str(raw), "--out", str(out), "--jobs", str(jobs)]


def same_tables(a: Path, b: Path) -> tuple[bool, str]:
    """Whether the three tables in ``a`` and ``b`` are equal, row for row and type for type."""
    import pyarrow.parquet as pq

    for name in TABLES:
        ta, tb = pq.read_table(a / f"{name}.parquet"), pq.read_table(b / f"{name}.parquet")
        if ta.schema != tb.schema:
            return False, f"{name}: the schemas differ"
        if ta.num_rows != tb.num_rows:
            return False, f"{name}: {ta.num_rows} rows against {tb.num_rows}"
        if not ta.equals(tb):
            return False, f"{name}: same rows count ({ta.num_rows}), different content"
    return True, "declarations, indicators and problems equal"


def run(raw: Path, work: Path, jobs: int, report: Report, log=print) -> Path:
    """Measure the ingest of ``raw``; returns the folder of the tables of the parallel run."""
    floor_cmd = [PYTHON, "-m", "benchmarks.floor", str(raw)]
    log("ingest: floor (warming the page cache) ...")
    check(run_measured(floor_cmd), "the floor")
    parallel, serial = work / "processed-parallel", work / "processed-serial"
    for d in (parallel, serial):
        shutil.rmtree(d, ignore_errors=True)
    log("ingest: floor ...")
    f1 = check(run_measured(floor_cmd), "the floor")
    log(f"ingest: --jobs {jobs} ...")
    par = check(run_measured(ingest_cmd(raw, parallel, jobs)), "the parallel ingest")
    log("ingest: --jobs 1 ...")
    ser = check(run_measured(ingest_cmd(raw, serial, 1)), "the serial ingest")
    log("ingest: the Python frame ...")
    fr = check(run_measured([PYTHON, "-m", "benchmarks.frame", str(raw), str(parallel)]), "the frame")
    log("ingest: floor again ...")
    f2 = check(run_measured(floor_cmd), "the floor")
    floor_s = (f1.seconds + f2.seconds) / 2
    floor_cpu = max((f1.cpu_seconds + f2.cpu_seconds) / 2, 1e-3)
    files, lines, size = (int(x) for x in f1.stdout.split())
    equal, how = same_tables(parallel, serial)
    summary = par.stdout.strip().splitlines()[0] if par.stdout.strip() else ""
    *frame_counts, frame_s, frame_cpu = (float(x) for x in fr.stdout.split())

    report.details["ingest"] = {
        "files": files,
        "lines": lines,
        "bytes": size,
        "summary": summary,
        "floor_seconds": [round(f1.seconds, 2), round(f2.seconds, 2)],
        "parallel_seconds": round(par.seconds, 2),
        "serial_seconds": round(ser.seconds, 2),
        "floor_cpu_seconds": [round(f1.cpu_seconds, 2), round(f2.cpu_seconds, 2)],
        "parallel_cpu_seconds": round(par.cpu_seconds, 2),
        "serial_cpu_seconds": round(ser.cpu_seconds, 2),
        "parallel_peak_rss_gib": round(gib(par.peak_rss), 3),
        "serial_peak_rss_gib": round(gib(ser.peak_rss), 3),
        "parallel_max_process_rss_gib": round(gib(par.max_process_rss), 3),
        "serial_max_process_rss_gib": round(gib(ser.max_process_rss), 3),
        "frame": dict(zip(("files", "rows", "declarations", "indicators"), map(int, frame_counts))),
        "frame_seconds": frame_s,
        "frame_cpu_seconds": frame_cpu,
        "identical_tables": equal,
        "comparison": how,
    }
    n = f"{files:,} files, {size / 1e6:.0f} MB"
    report.add(
        Result(
            f"ingest --jobs {jobs} / floor",
            par.seconds / floor_s,
            RATIO_GOAL,
            detail=f"{par.seconds:.1f} s vs floor {floor_s:.1f} s ({n})",
        ),
        Result(
            "ingest --jobs 1 / floor",
            ser.seconds / floor_s,
            None,
            detail=f"{ser.seconds:.1f} s vs floor {floor_s:.1f} s",
        ),
        Result(
            f"ingest speed-up --jobs {jobs} vs 1",
            ser.seconds / par.seconds,
            SPEEDUP_GOAL,
            detail=f"serial {ser.seconds:.1f} s, parallel {par.seconds:.1f} s",
            higher_is_better=True,
        ),
        Result(
            "ingest CPU / floor CPU",
            ser.cpu_seconds / floor_cpu,
            None,
            detail=f"--jobs 1: {ser.cpu_seconds:.1f} s of CPU, --jobs {jobs}: {par.cpu_seconds:.1f} s "
            f"(all processes), floor {floor_cpu:.1f} s; less sensitive to other jobs than the wall times",
        ),
        Result(
            "Python frame (one core) / floor",
            frame_s / floor_s,
            None,
            detail=f"{frame_s:.1f} s: rows read, one lookup per row, the output rows built and written, no "
            f"parsing (benchmarks.frame); a lower bound for a reader in Python, at best halved by 2 jobs",
        ),
        Result(
            f"ingest --jobs {jobs} peak RSS (all processes)",
            gib(par.peak_rss),
            MEMORY_GOAL_GIB,
            unit="GiB",
            detail=f"largest one process {gib(par.max_process_rss):.2f} GiB",
        ),
        Result("ingest --jobs 1 peak RSS", gib(ser.peak_rss), MEMORY_GOAL_GIB, unit="GiB"),
        Result(
            f"ingest --jobs {jobs} tables == --jobs 1",
            1.0 if equal else 0.0,
            1.0,
            unit="same",
            detail=how,
            higher_is_better=True,
        ),
    )
    shutil.rmtree(serial, ignore_errors=True)
    return parallel
