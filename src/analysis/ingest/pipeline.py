"""Ingest: read every declaration file under RAW_DIR into the processed tables (files → parts → tables).

Files are read in the order of their paths, in chunks, in parallel across worker processes
when there are many (or on a dask.distributed cluster with ``--scheduler``); each declaration
becomes a row of ``declarations`` and its indicators rows of ``indicators``; every fault in
the input becomes a row of ``problems``. Whoever reads a chunk writes its rows as a Parquet
part (:class:`~analysis.ingest.parts.PartSink`) into a staging folder; only what tells repeated declarations apart
comes back to this process. The parts are then merged (:func:`~analysis.ingest.parts.merge_parts`) into
``declarations`` and ``indicators`` ordered by year and unit (file order within them), a
batch of units at a time (memory bounded by the batch, not the table), in row groups that
never span two years, so a report that reads one unit or one year reads only the row groups
that can hold it. The tables are moved into place only when the run completes, so a failed
run leaves the previous tables intact.

The ledger: declarations found = ingested + dropped, and each dropped one is an ``error``
in ``problems`` (missing unit/year/project, a conflicting duplicate, or a repeat).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from analysis import publish
from analysis.ingest import limits as lim
from analysis.ingest.build import short
from analysis.ingest.cache import Cache, Recorder, discard, install, version_key, write_tables
from analysis.ingest.file import arrow_dicts, failed_file, read_one
from analysis.ingest.limits import Limits
from analysis.ingest.listing import list_files
from analysis.ingest.parts import _KEY, _KEY_BITS, _PARTS, PartSink, merge_parts, read_chunk
from analysis.messages import _
from analysis.paths import expand
from analysis.problems import CODES, ERROR, WARNING, Problem
from analysis.tables import DECLARATIONS_SCHEMA, INDICATORS_SCHEMA, PROBLEMS_SCHEMA

if TYPE_CHECKING:
    import pandas as pd

# ---------------------------------------------------------------------------------------------
# the whole folder


@dataclass
class IngestResult:
    out_dir: Path | None
    summary: dict
    _frames: dict = field(default_factory=dict, repr=False)

    def _table(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            self._frames[name] = pq.read_table(self._paths[name]).to_pandas()
        return self._frames[name]

    @property
    def declarations(self) -> pd.DataFrame:
        return self._table("declarations")

    @property
    def indicators(self) -> pd.DataFrame:
        return self._table("indicators")

    @property
    def problems(self) -> pd.DataFrame:
        return self._table("problems")


def _iter_results(
    files,
    jobs: int,
    chunk: int,
    limits: Limits,
    isolate: bool,
    part_dir: Path,
    scheduler: str | None = None,
    numbers: list[int] | None = None,
):
    """The result of every file, in order, its rows written to parts under ``part_dir``: in
    worker processes (``isolate``), on a Dask cluster (``scheduler``), or in this process.
    ``numbers``: each file's number among all the files of the run (default: its position)."""
    items = [(str(p), rel) for p, rel in files]
    numbers = list(range(len(items))) if numbers is None else numbers
    if scheduler:
        yield from _dask_results(items, jobs, chunk, limits, part_dir, scheduler, numbers)
        return
    if not isolate:
        sink = PartSink(part_dir)
        for s in range(0, len(items), chunk):
            yield from [sink.read(numbers[s + i], p, rel, limits) for i, (p, rel) in enumerate(items[s : s + chunk])]
            sink.end()
        return
    # pyarrow imports pandas the first time it makes an array of Python values (every worker
    # does, writing its part): imported once here, before the workers are forked, not in each
    import pandas  # noqa: F401

    from analysis.ingest.workers import run_files

    yield from run_files(
        items,
        read_one,
        limits,
        jobs,
        chunk,
        lambda rel, code, message: failed_file(rel, code, message),
        reader=PartSink(part_dir, numbers),
    )


def _dask_results(items, jobs: int, chunk: int, limits: Limits, part_dir: Path, scheduler: str, numbers: list[int]):
    """Chunks of files read on a dask.distributed cluster (``"local"``: a LocalCluster of
    ``jobs`` processes), each task writing its part where every worker can see it; the
    results in the order of the files. A task that fails (a lost worker, say) makes each of
    its files a ``parse-failed`` problem. The bounds of a file hold within a task (checked
    between rows); no task is killed at a file's hard deadline."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        chunks = [
            [(numbers[s + i], p, rel) for i, (p, rel) in enumerate(items[s : s + chunk])]
            for s in range(0, len(items), chunk)
        ]
        futures = [
            client.submit(read_chunk, c, limits, str(part_dir), pure=False, key=f"ingest-{uuid.uuid4().hex}")
            for c in chunks
        ]
        for c, fut in zip(chunks, futures):
            try:
                results = fut.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker, an unpicklable result ...
                why = f"{type(exc).__name__}: {short(str(exc), 200)}"
                results = [
                    failed_file(
                        rel,
                        "parse-failed",
                        f"the cluster task reading it failed ({why}); none of its declarations are in the tables",
                    )
                    for _i, _p, rel in c
                ]
            fut.release()
            yield from results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


_U32 = (1 << 32) - 1


def _seen_entry(digest: bytes, file_no: int, line: int | None) -> int:
    """What the de-duplication keeps of a declaration, as one integer (a million of them fit
    in about 100 MB): 64 bits of its content hash, the number of its file, its line."""
    return (int.from_bytes(digest[:8], "big") << 64) | (file_no << 32) | (_U32 if line is None else min(line, _U32 - 1))


def ingest(  # noqa: C901, PLR0915 - files → parts → tables in one pass whose running tallies (the ledger) are its locals; the steps are calls
    raw_dir: str | os.PathLike = "data/raw",
    out_dir: str | os.PathLike | None = None,
    jobs: int | None = None,
    progress: bool = False,
    limits: Limits | None = None,
    isolate: bool = True,
    scheduler: str | None = None,
    cache: str | os.PathLike | None = None,
    hash_all: bool = False,
) -> IngestResult:
    """Ingest every declaration file under ``raw_dir``.

    With ``out_dir`` the three tables are written there, published as one set
    (:mod:`analysis.publish`); without it they are written to a temporary folder and only kept
    in memory (handy in tests and notebooks). ``jobs`` processes read files in parallel
    (default: the CPUs available; the output is the same as with ``jobs=1``). ``limits``
    bounds what one file may cost (:class:`~analysis.ingest.limits.Limits`; default
    ``limits.DEFAULT``). Files are read in worker processes that are stopped past a file's
    deadline; ``isolate=False`` reads them in this process instead (the deadline is then only
    checked between rows). With ``cache`` (a folder, ``PROCESSED_DIR/.ingest.cache`` for the
    command line) a file whose bytes have not changed since the last ingest with that cache is
    not read again: its rows are taken from the cache (:mod:`analysis.ingest.cache`), and the
    tables are those of a full ingest; a file whose size, times and inode are those it had when
    last read is taken as unchanged, unless ``hash_all`` (every file's bytes hashed). Returns an :class:`IngestResult` with ``.declarations``,
    ``.indicators``, ``.problems`` and ``.summary``.
    """
    raw = expand(raw_dir)
    if not raw.is_dir():
        raise FileNotFoundError(f"{raw}: {_not_a_folder(raw)}")
    limits = limits or lim.DEFAULT
    listed_ns = time.time_ns()
    listing = list_files(raw)
    files = listing.files
    jobs = jobs or max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))

    target = expand(out_dir) if out_dir is not None else None
    store = plan = recorder = None
    run_id = publish.new_run_id()
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
        if not os.access(target, os.W_OK):
            raise PermissionError(_("folder.cannot_write", folder=target))
        recovered = publish.recover(target)
        staging = publish.new_staging(target)
    else:
        recovered = []
        staging = Path(tempfile.mkdtemp(prefix="ingest-"))
    names = ("declarations", "indicators", "problems")
    paths = {n: staging / f"{n}.parquet" for n in names}
    schemas = {
        n: publish.with_run(sch, run_id)
        for n, sch in zip(names, (DECLARATIONS_SCHEMA, INDICATORS_SCHEMA, PROBLEMS_SCHEMA))
    }
    part_dir = staging / _PARTS
    part_dir.mkdir()
    parts: dict[str, None] = {}  # the parts holding the rows of the files read
    dropped: set[int] = set()  # _key of the declarations left out (repeats, conflicts)
    kept = 0
    counts_out = {}
    problem_rows: list[dict] = [p.as_row() for p in listing.problems]
    seen: dict[int, int] = {}  # decl_id -> content hash, file number and line (_seen_entry)
    counts = Counter()
    folded = Counter()  # problems left out of the rows by folding, by code
    failed_files = Counter()
    encodings = Counter()
    t0 = time.perf_counter()
    try:
        reused = {}
        if cache is not None:  # (the cache held, so that another ingest into the folder waits)
            store = Cache(expand(cache), version_key(limits))
            plan = store.plan([(str(p), rel) for p, rel in files], listing.stats, listed_ns, hash_all)
            recorder = Recorder(plan, store)
        todo = [i for i in range(len(files)) if plan is None or i not in plan.reused]
        # chunks and workers for the files to read: a nightly run's few new files spread over
        # the workers (not one chunk sized for the whole folder), in chunks of 50 at the least
        # (each chunk is a part the merge reads a year at a time)
        chunk = max(1, min(200, max(len(todo) // (jobs * 8), 50)))
        read = _iter_results(
            [files[i] for i in todo], jobs if len(todo) >= 64 else 1, chunk, limits, isolate, part_dir, scheduler, todo
        )
        if plan is not None and plan.reused:
            if len(todo) <= _READ_FIRST:
                # the few files to read first: the ids of their declarations tell which cached
                # declarations need comparing (the others are kept as they are, counted)
                read = list(read)
                reused = store.results(plan, {row["decl_id"] for res in read for row in res.declarations})
            else:
                reused = store.results(plan)
        results = _in_order(len(files), reused, read)
        if progress:
            from tqdm import tqdm

            results = tqdm(results, total=len(files), unit="file", desc=_("ingest.progress_bar"), file=sys.stderr)
        for idx, res in results:
            if recorder is not None:
                recorder.add(idx, res)
            counts["files"] += 1
            counts["found"] += res.found
            counts["pages_without_declaration"] += res.page_without_declaration
            counts["failed"] += res.failed_declarations
            if res.found:
                counts["files_with"] += 1
            elif not res.page_without_declaration and not any(p.severity == ERROR for p in res.problems):
                counts["unexplained"] += 1  # breaks the ledger: a file gave nothing and says nothing
            if res.failed:
                failed_files[res.failed] += 1
            if res.encoding:
                encodings[res.encoding] += 1
            problem_rows.extend(p.as_row() for p in res.problems)
            if res.folded:
                folded.update(res.folded)
            if res.part is not None:
                parts[res.part] = None
            kept += res.settled
            for row, h in zip(res.declarations, res.hashes):
                did = row["decl_id"]
                number = int(did, 16)
                prev = seen.get(number)
                if prev is None:
                    seen[number] = _seen_entry(h, row[_KEY] >> _KEY_BITS, row["source_line"])
                    kept += 1
                    continue
                dropped.add(row[_KEY])
                prev = (prev >> 64, files[(prev >> 32) & _U32][1], (prev & _U32) if prev & _U32 != _U32 else None)
                h = int.from_bytes(h[:8], "big")
                here = f"{row['source_file']}, line {row['source_line']}"
                there = f"{prev[1]}, line {prev[2]}"
                what = f"{row['unit']} / {row['year']} / {row['project']}"
                if prev[0] == h:
                    counts["repeats"] += 1
                    problem_rows.append(
                        Problem(
                            row["source_file"],
                            row["source_line"],
                            "duplicate-declaration",
                            f"{here}: declaration {what} repeats the one at {there}; kept once (from {prev[1]})",
                            did,
                        ).as_row()
                    )
                else:
                    counts["conflicts"] += 1
                    problem_rows.append(
                        Problem(
                            row["source_file"],
                            row["source_line"],
                            "conflicting-declaration",
                            f"{here}: declaration {what} differs from the one at {there}; "
                            f"only that one is kept — check which is right",
                            did,
                        ).as_row()
                    )
                    problem_rows.append(
                        Problem(
                            prev[1],
                            prev[2],
                            "conflicting-declaration",
                            f"{there}: declaration {what} is contradicted by {here}; this one is kept",
                            did,
                        ).as_row()
                    )
        if store is not None:  # the cached rows of the files reused, the parts of those read
            counts_out = write_tables(store, recorder, part_dir, list(parts), dropped, paths, schemas)
        else:
            for name, size in (("declarations", 1_024), ("indicators", 16_384)):
                counts_out[name] = merge_parts(part_dir, list(parts), name, paths[name], schemas[name], dropped, size)
        if counts_out["declarations"] != kept:
            raise RuntimeError(f"the merge wrote {counts_out['declarations']} declarations where {kept} were kept")
        shutil.rmtree(part_dir)
        problems_table = _problems_table(problem_rows, schemas["problems"])
        pq.write_table(problems_table, paths["problems"], compression="zstd")
        if target is not None:
            publish.publish(
                staging,
                target,
                list(names),
                run_id,
                {
                    "declarations": counts_out["declarations"],
                    "indicators": counts_out["indicators"],
                    "problems": len(problem_rows),
                },
            )
            paths = {n: target / f"{n}.parquet" for n in paths}
    except BaseException:
        if store is not None:
            discard(store)  # the cache stays as the last complete run left it
        if not (staging / publish.MANIFEST).exists():
            shutil.rmtree(staging, ignore_errors=True)
        # else the publication had committed when it failed: the staging folder stays, and the
        # next ingest or reader completes it once this process is gone (analysis.publish.recover)
        raise
    if store is not None:  # the next run's cache, now that this run's tables are written
        install(store) if files else discard(store)  # (an empty folder, a share not mounted: it stays)
    if target is not None:
        shutil.rmtree(staging, ignore_errors=True)

    by_code = Counter(r["code"] for r in problem_rows) + folded  # findings, folded ones too
    by_sev = Counter()
    for code, n in by_code.items():
        by_sev[CODES[code][0]] += n
    dropped_missing = by_code.get("missing-field", 0)
    files_without = counts["files"] - counts["files_with"] - counts["pages_without_declaration"] + listing.faulty
    summary = {
        "raw_dir": str(raw),
        "files": counts["files"] + listing.faulty,
        "files_skipped": listing.skipped,
        "files_with_declarations": counts["files_with"],
        "files_without_declaration": files_without,
        "files_failed": dict(sorted(failed_files.items())),
        "html_without_declaration": counts["pages_without_declaration"],
        "declarations_found": counts["found"],
        "declarations": counts_out["declarations"],
        "dropped_missing_field": dropped_missing,
        "dropped_repeats": counts["repeats"],
        "dropped_conflicts": counts["conflicts"],
        "dropped_failed": counts["failed"],
        "indicators": counts_out["indicators"],
        "problems": len(problem_rows),
        "problems_folded": sum(folded.values()),
        "errors": by_sev.get(ERROR, 0),
        "warnings": by_sev.get(WARNING, 0),
        "problems_by_code": dict(sorted(by_code.items())),
        "encodings": dict(sorted(encodings.items())),
        "recovered": recovered,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    if plan is not None:
        summary.update(plan.counts())
    summary["files_unexplained"] = counts["unexplained"]
    summary["ledger_ok"] = (
        summary["declarations_found"]
        == (summary["declarations"] + dropped_missing + counts["repeats"] + counts["conflicts"] + counts["failed"])
        and counts["unexplained"] == 0
    )
    result = IngestResult(target, summary)
    result._paths = paths
    if target is None:
        for name in paths:
            result._table(name)
        shutil.rmtree(staging, ignore_errors=True)
    return result


#: files read before the cached results are gathered, at most (their results are kept meanwhile)
_READ_FIRST = 10_000


def _in_order(n: int, reused: dict, read):
    """``(number, result)`` of every file in order: from the cache (``reused``) or as read."""
    read = iter(read)
    for i in range(n):
        res = reused.pop(i, None)
        yield i, (res if res is not None else next(read))
    if next(read, None) is not None:  # (runs the reading to its end: the last part is written there)
        raise RuntimeError("more files read than listed")


def _problems_table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return arrow_dicts(rows, schema)


def _not_a_folder(raw: Path) -> str:
    return _("folder.is_a_file" if raw.exists() else "folder.missing")
