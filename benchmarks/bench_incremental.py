"""A nightly incremental ingest against a full one: 1% of the files new since the last run.

The corpus without every hundredth file is ingested once (that fills the cache); the held-out
files are then put back and the folder is ingested again, incrementally (only the new files
read; the others told unchanged by their size, times and inode), incrementally with
``--hash-all`` (every file's bytes hashed to tell, from the same cache), and in full
(``--full``, every file read, no cache). The ratio of the wall times of an incremental and the
full ingest is the cost of a nightly run against a full ingest; the tables must be equal.

Its size is the corpus's: 20,000 files at the full scale (``python -m benchmarks --only
incremental``), 1,000 with ``--quick``, or any folder with ``--corpus DIR``.
"""

from __future__ import annotations

import os
import re
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


def _files(corpus: Path) -> list[Path]:
    """The files of ``corpus`` the ingest reads (not its answer key, README or hidden marker)."""
    from analysis.ingest.readers import is_candidate

    return sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file() and "answer_key" not in p.parts and is_candidate(p.relative_to(corpus))
    )


def _ingest(raw: Path, out: Path, jobs: int, *options: str) -> list[str]:
    cmd = ingest_cmd(raw, out, jobs)
    at = cmd.index("analysis") + 1
    return [*cmd[:at], "--lang", "en", *cmd[at:], *options]  # (the summary read by _hashed())


def _measured(cmd: list[str], what: str):
    """``cmd`` measured, the disk's writes of what ran before flushed first (the copies made
    here, the tables of the run before): a run's own flushes of its tables are its cost, those
    of the others are not."""
    os.sync()
    return check(run_measured(cmd), what)


def _hashed(stdout: str) -> int | None:
    """How many files an incremental ingest hashed to tell whether they changed (its summary)."""
    m = re.search(r"not read again(?: \(([\d,]+) files? hashed to tell\))?", stdout)
    if m is None:
        return None
    return int(m.group(1).replace(",", "")) if m.group(1) else 0


def run(corpus: Path, work: Path, jobs: int, report: Report, log=print) -> None:
    files = _files(corpus)
    step = round(1 / NEW_SHARE)
    held = files[step - 1 :: step] or files[-1:]  # every hundredth file (one at the least)
    raw, incremental, full = work / "incremental-raw", work / "incremental-processed", work / "full-processed"
    hashing = work / "incremental-hash-all"
    for d in (raw, incremental, full, hashing):
        shutil.rmtree(d, ignore_errors=True)
    held_set = set(held)
    for p in files:
        if p not in held_set:
            _place(p, raw / p.relative_to(corpus))
    log(f"incremental: last night's ingest of {len(files) - len(held):,} files (fills the cache) ...")
    check(run_measured(_ingest(raw, incremental, jobs)), "the first ingest")
    shutil.copytree(incremental, hashing, symlinks=True)  # the same cache, for the --hash-all run
    for p in held:
        _place(p, raw / p.relative_to(corpus))
    log(f"incremental: tonight's ingest, {len(held):,} files new ...")
    inc = _measured(_ingest(raw, incremental, jobs), "the incremental ingest")
    log("incremental: tonight's ingest again, every file hashed (--hash-all) ...")
    inc_all = _measured(_ingest(raw, hashing, jobs, "--hash-all"), "the incremental ingest --hash-all")
    log("incremental: a full ingest of the same folder ...")
    whole = _measured(_ingest(raw, full, jobs, "--full"), "the full ingest")
    for folder in (incremental, hashing):
        equal, how = same_tables(folder, full)
        if not equal:
            raise RuntimeError(f"the incremental ingest's tables ({folder.name}) differ from the full ingest's: {how}")
    ratio, ratio_all = inc.seconds / whole.seconds, inc_all.seconds / whole.seconds
    report.details["incremental"] = {
        "files": len(files),
        "new_files": len(held),
        "incremental_seconds": round(inc.seconds, 2),
        "incremental_hash_all_seconds": round(inc_all.seconds, 2),
        "full_seconds": round(whole.seconds, 2),
        "incremental_cpu_seconds": round(inc.cpu_seconds, 2),
        "incremental_hash_all_cpu_seconds": round(inc_all.cpu_seconds, 2),
        "full_cpu_seconds": round(whole.cpu_seconds, 2),
        "files_hashed": _hashed(inc.stdout),
        "files_hashed_hash_all": _hashed(inc_all.stdout),
        "same_tables": how,
    }
    report.add(
        Result(
            "nightly ingest, 1% of the files new, against a full ingest",
            ratio,
            GOAL,
            detail=f"{inc.seconds:.1f} s against {whole.seconds:.1f} s for {len(files):,} files "
            f"({len(held):,} new, {_hashed(inc.stdout)} hashed); {how}",
        ),
        Result(
            "the same, every file hashed (--hash-all)",
            ratio_all,
            GOAL,
            detail=f"{inc_all.seconds:.1f} s ({_hashed(inc_all.stdout):,} files hashed)",
        ),
    )
