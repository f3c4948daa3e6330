"""A nightly incremental ingest against a full one: 1% of the files new since the last run.

The corpus without every hundredth file is ingested once (that fills the cache); the held-out
files are then put back and the folder is ingested again, incrementally (only the new files
read), and in full (``--full``, every file read, no cache). The ratio of the two wall times is
the cost of a nightly run against a full ingest; the two sets of tables must be equal.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from benchmarks.bench_ingest import ingest_cmd, same_tables
from benchmarks.harness import Report, Result, check, run_measured

GOAL = 0.10
NEW_SHARE = 0.01


def _place(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)  # the corpus's bytes, without copying them
    except OSError:
        shutil.copy2(src, dest)


def run(corpus: Path, work: Path, jobs: int, report: Report, log=print) -> None:
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and "answer_key" not in p.parts)
    step = round(1 / NEW_SHARE)
    held = files[step - 1 :: step] or files[-1:]  # every hundredth file (one at the least)
    raw, incremental, full = work / "incremental-raw", work / "incremental-processed", work / "full-processed"
    for d in (raw, incremental, full):
        shutil.rmtree(d, ignore_errors=True)
    held_set = set(held)
    for p in files:
        if p not in held_set:
            _place(p, raw / p.relative_to(corpus))
    log(f"incremental: last night's ingest of {len(files) - len(held):,} files (fills the cache) ...")
    check(run_measured(ingest_cmd(raw, incremental, jobs)), "the first ingest")
    for p in held:
        _place(p, raw / p.relative_to(corpus))
    log(f"incremental: tonight's ingest, {len(held):,} files new ...")
    inc = check(run_measured(ingest_cmd(raw, incremental, jobs)), "the incremental ingest")
    log("incremental: a full ingest of the same folder ...")
    whole = check(run_measured([*ingest_cmd(raw, full, jobs), "--full"]), "the full ingest")
    equal, how = same_tables(incremental, full)
    if not equal:
        raise RuntimeError(f"the incremental ingest's tables differ from the full ingest's: {how}")
    ratio = inc.seconds / whole.seconds
    report.details["incremental"] = {
        "files": len(files),
        "new_files": len(held),
        "incremental_seconds": round(inc.seconds, 2),
        "full_seconds": round(whole.seconds, 2),
        "incremental_cpu_seconds": round(inc.cpu_seconds, 2),
        "full_cpu_seconds": round(whole.cpu_seconds, 2),
        "same_tables": how,
    }
    report.add(
        Result(
            "nightly ingest, 1% of the files new, against a full ingest",
            ratio,
            GOAL,
            detail=f"{inc.seconds:.1f} s against {whole.seconds:.1f} s for {len(files):,} files "
            f"({len(held):,} new); {how}",
        )
    )
