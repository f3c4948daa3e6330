"""The ingest's memory of its last run: a file whose bytes have not changed is not read again.

The cache (``PROCESSED_DIR/.ingest.cache/`` for the command line) holds what the last ingests
read of each file:

- ``files.parquet``: one row per file: its name (as the tables show it), the SHA-256 of its
  bytes, what the listing saw of it (size, modification and status change times, inode), the
  segment holding its rows, what reading it gave besides rows (declarations found, declarations
  that failed, the encoding, a web page without a declaration) and the content hash of each
  declaration (what tells a repeat from a conflict);
- ``problems.parquet``: the problems of each file;
- ``declarations/<segment>.parquet`` and ``indicators/<segment>.parquet``: the rows of the files
  one ingest read, ordered by year and unit (row groups never span two years), with the file
  (``_file``) and the declaration's number in it (``_k``). Each run adds one segment holding the
  rows of the files it read and keeps the others as they are (hard links); a segment's rows of a
  file read again since, or gone, are passed over, and once they are a quarter of the rows (or
  there are more than :data:`MAX_SEGMENTS` segments) the live rows are written again as one;
- ``version.json``: the version the cache was written by (:func:`version_key`).

A file is reused when its name is that of a cached file, its bytes are those the cache read and
the version is the same: the package's ingest code, its vocabulary, the registries of columns and
problems, the versions of the libraries that read files, and the bounds per file. Whether its
bytes are the same is told, as ``make`` and ``git`` tell it, by its size, modification and status
change times and inode being those the listing saw when it was last read (a file changed at the
time it was listed or just before is hashed on the next run), or else by the SHA-256 of its
bytes; ``hash_all`` hashes every file (a copy that kept the times of files whose bytes were
edited). Only the other files are read. Everything that depends on more than one file (repeats,
conflicts, the order of the rows) is done again over all of them, so the tables are those of a
full ingest (the same row groups too), written a year at a time (:func:`write_tables`) from the
cached rows of the year and the new ones in their place. A file whose reading failed (a time
limit, a crash) is never cached: it is read again on the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.ingest.file import FileResult
from analysis.ingest.parts import _KEY, _KEY_BITS, _LIGHT, _SORT
from analysis.problems import Problem
from analysis.tables import PROBLEMS_SCHEMA

#: the cache's folder in PROCESSED_DIR (not ``.ingest-*``: those are staging folders)
CACHE = ".ingest.cache"
FORMAT = 2
#: the libraries whose versions can change what a file reads as
READERS = ("openpyxl", "xlrd", "python-docx", "pdfplumber", "pdfminer.six", "lxml", "charset-normalizer", "pyarrow")
#: segments kept at most (the live rows written again as one beyond)
MAX_SEGMENTS = 8
#: share of a cache's rows that may belong to files read again since, or gone
MAX_DEAD = 0.25
#: a file modified this close to its listing (or after it) may be modified again within the same
#: tick of the file system's clock, its times unchanged: it is hashed on the next run (a file
#: modified longer before shows a later time when modified after the listing)
RACY_NS = 2_000_000_000
_MASK = (1 << _KEY_BITS) - 1
_FILE, _K = "_file", "_k"
_PROBLEM_FIELDS = ("source_file", "source_line", "code", "message", "decl_id")
_ROW_GROUPS = {"declarations": 1_024, "indicators": 16_384}
#: a segment's rows of one year are one row group (read whole, a year at a time)
_SEGMENT_ROW_GROUP = 1 << 24
_TABLES = ("declarations", "indicators")
_STAT = ("size", "mtime_ns", "ctime_ns", "ino")

FILES_SCHEMA = pa.schema(
    [
        ("rel", pa.string()),
        ("sha256", pa.string()),
        *[(name, pa.int64()) for name in _STAT],
        ("segment", pa.string()),
        ("found", pa.int64()),
        ("failed_declarations", pa.int64()),
        ("encoding", pa.string()),
        ("page_without_declaration", pa.bool_()),
        ("hashes", pa.list_(pa.binary())),
    ]
)
CACHED_PROBLEMS = pa.schema([("rel", pa.string()), *[PROBLEMS_SCHEMA.field(n) for n in PROBLEMS_SCHEMA.names]])


def version_key(limits) -> str:
    """What the cached rows of a file depend on besides its bytes (see the module's text)."""
    from importlib import metadata

    import analysis

    root = Path(analysis.__file__).resolve().parent
    h = hashlib.sha256(f"{FORMAT}|{analysis.__version__}|{limits!r}".encode())
    sources = sorted(p for p in (root / "ingest").rglob("*") if p.suffix in (".py", ".toml"))
    sources += [root / "problems.py", root / "tables.py", root / "ids.py"]
    for p in sources:
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    for name in READERS:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-".encode())
    return h.hexdigest()


def digest(path: str | os.PathLike) -> str | None:
    """The SHA-256 of a file's bytes (None when it cannot be read: it is then read, and reported)."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


@dataclass
class Plan:
    """Which files of this run are taken from the cache."""

    rels: list[str] = field(default_factory=list)  # every file of this run, by its number
    digests: list[str | None] = field(default_factory=list)
    reused: set[int] = field(default_factory=set)  # numbers of the files taken from the cache
    new: int = 0
    changed: int = 0
    removed: int = 0
    hashed: int = 0  # files whose bytes were hashed (the others told unchanged by what the listing saw)
    #: what the listing saw of each file (:attr:`analysis.ingest.listing.Listing.stats`), or None
    stats: list[tuple[int, int, int, int]] | None = None
    listed_ns: int = 0  # when the listing began (time.time_ns())

    def counts(self) -> dict:
        return {
            "files_new": self.new,
            "files_changed": self.changed,
            "files_removed": self.removed,
            "files_reused": len(self.reused),
            "files_hashed": self.hashed,
        }

    def stat_row(self, idx: int) -> dict:
        """The stat of file ``idx`` to keep, or nulls when it cannot be trusted next time (modified
        at or just before the listing: it may be modified again within the same tick)."""
        st = self.stats[idx] if self.stats is not None else None
        if st is None or st[1] >= self.listed_ns - RACY_NS:
            return dict.fromkeys(_STAT)
        return dict(zip(_STAT, st))


class Cache:
    """The cache in ``folder`` as the last run left it (empty when absent, of another version,
    or unreadable)."""

    def __init__(self, folder: str | os.PathLike, version: str):
        self.folder = Path(folder) / "data"  # (replaced whole by each run; the lock stays beside it)
        self.version = version
        self.files: dict[str, dict] = {}
        self.problems: pa.Table | None = None
        #: per segment of declarations: (rows in it, rows of the files reused from it), by :meth:`results`
        self.segment_rows: dict[str, tuple[int, int]] = {}
        self._lock = _lock(self.folder)
        try:
            meta = json.loads((self.folder / "version.json").read_text("utf-8"))
            if meta.get("version") != version or meta.get("format") != FORMAT:
                return
            rows = pq.ParquetFile(self.folder / "files.parquet").read().to_pylist()
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            return
        self.files = {r["rel"]: r for r in rows}

    def plan(
        self,
        files: list[tuple[str, str]],
        stats: list[tuple[int, int, int, int]] | None = None,
        listed_ns: int = 0,
        hash_all: bool = False,
    ) -> Plan:
        """Match every file of this run against the cache (a name shown twice is read): a file
        whose ``stats`` (what the listing saw, taken at ``listed_ns``) are those kept is taken
        as unchanged; any other is hashed (every one with ``hash_all``)."""
        plan = Plan(rels=[rel for _p, rel in files], stats=stats, listed_ns=listed_ns)
        twice = {r for r in plan.rels if plan.rels.count(r) > 1} if len(set(plan.rels)) < len(plan.rels) else set()
        for i, (path, rel) in enumerate(files):
            cached = self.files.get(rel)
            if cached is not None and not hash_all and stats is not None and rel not in twice:
                if cached["size"] is not None and tuple(cached[k] for k in _STAT) == tuple(stats[i]):
                    plan.digests.append(cached["sha256"])
                    plan.reused.add(i)
                    continue
            d = digest(path)
            plan.hashed += 1
            plan.digests.append(d)
            if cached is None:
                plan.new += 1
            elif d is not None and cached["sha256"] == d and rel not in twice:
                plan.reused.add(i)
            else:
                plan.changed += 1
        plan.removed = len(set(self.files) - set(plan.rels))
        return plan

    def segments(self, table: str) -> dict[str, Path]:
        """The segments of ``table`` the cache holds, by name."""
        folder = self.folder / table
        if not self.files or not folder.is_dir():
            return {}
        return {p.stem: p for p in folder.glob("*.parquet")}

    def live(self, plan: Plan) -> dict[str, pa.Array]:
        """Per segment, the names of the reused files whose rows it holds."""
        by_segment: dict[str, list[str]] = {}
        for i in plan.reused:
            r = self.files[plan.rels[i]]
            if r["segment"] is not None:
                by_segment.setdefault(r["segment"], []).append(r["rel"])
        return {seg: pa.array(sorted(rels), pa.string()) for seg, rels in by_segment.items()}

    def results(self, plan: Plan, others: set[str] | None = None) -> dict[int, FileResult]:
        """The results of the reused files as a worker would have given them (their rows reduced
        to what the de-duplication needs; the rows themselves stay in the cache). ``others``: the
        ids of the declarations of the files read, when known: a cached declaration whose id
        neither they nor another cached one have is counted as settled, not handed over."""
        if not plan.reused:
            return {}
        rels = pa.array(plan.rels, pa.string())
        live = self.live(plan)
        tables = []
        for seg, path in self.segments("declarations").items():
            t = pq.ParquetFile(path).read(columns=[*_LIGHT, _FILE, _K])
            total = t.num_rows
            if seg not in live:
                self.segment_rows[seg] = (total, 0)
                continue
            t = t.filter(pc.is_in(t.column(_FILE), value_set=live[seg]))
            self.segment_rows[seg] = (total, t.num_rows)
            tables.append(t)
        settled: dict[str, int] = {}
        if others is not None and tables:
            ids = pa.chunked_array([t.column("decl_id") for t in tables])
            counts = pc.value_counts(ids)
            twice = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
            contested = pa.concat_arrays([twice.cast(pa.string()), pa.array(sorted(others), pa.string())])
            for n, t in enumerate(tables):
                compared = pc.is_in(t.column("decl_id"), value_set=contested)
                alone = pc.value_counts(t.column(_FILE).filter(pc.invert(compared)))
                for rel, count in zip(alone.field("values").to_pylist(), alone.field("counts").to_pylist()):
                    settled[rel] = settled.get(rel, 0) + count
                tables[n] = t.filter(compared)
        light: dict[int, list[dict]] = {}
        names = (*_LIGHT, _KEY)
        for t in tables:
            index = pc.index_in(t.column(_FILE), value_set=rels).cast(pa.int64())
            key = pc.bit_wise_or(pc.shift_left(index, _KEY_BITS), t.column(_K).cast(pa.int64()))
            order = pc.sort_indices(key)
            columns = [t.column(n).take(order).to_pylist() for n in _LIGHT] + [key.take(order).to_pylist()]
            for values in zip(*columns):
                light.setdefault(values[-1] >> _KEY_BITS, []).append(dict(zip(names, values)))
        self.problems = _read_problems(self.folder / "problems.parquet")
        problems: dict[int, list[Problem]] = {}
        if self.problems is not None:
            number = {plan.rels[i]: i for i in plan.reused}
            for r in self.problems.to_pylist():
                i = number.get(r["rel"])
                if i is not None:
                    problems.setdefault(i, []).append(Problem(*(r[k] for k in _PROBLEM_FIELDS)))
        results = {}
        for i in plan.reused:
            r = self.files[plan.rels[i]]
            rows = light.get(i, [])
            results[i] = FileResult(
                r["rel"],
                declarations=rows,
                # (the hash of each declaration handed over, by its number in the file)
                hashes=[r["hashes"][row[_KEY] & _MASK] for row in rows] if others is not None else list(r["hashes"]),
                problems=problems.get(i, []),
                found=r["found"],
                encoding=r["encoding"],
                failed_declarations=r["failed_declarations"],
                page_without_declaration=r["page_without_declaration"],
                settled=settled.get(r["rel"], 0),
            )
        return results

    def kept(self) -> set[str]:
        """The segments that still hold rows of reused files (known once :meth:`results` ran)."""
        return {seg for seg, (_total, alive) in self.segment_rows.items() if alive}

    def compact(self) -> bool:
        """Whether the next cache writes every live row again as one segment: too many
        segments, or too many rows of files read again since or gone."""
        kept = self.kept()
        total = sum(self.segment_rows[seg][0] for seg in kept)
        dead = sum(self.segment_rows[seg][0] - self.segment_rows[seg][1] for seg in kept)
        return len(kept) + 1 > MAX_SEGMENTS or dead > MAX_DEAD * total


def _read_problems(path: Path) -> pa.Table | None:
    try:
        return pq.ParquetFile(path).read()
    except (OSError, pa.ArrowException):
        return None


class Recorder:
    """What this run read of each file, kept to be written as the next run's cache."""

    def __init__(self, plan: Plan, store: Cache | None = None):
        self.plan = plan
        self.store = store
        self.files: list[dict] = []
        self.problems: list[dict] = []  # those of the files read (the reused ones' stay in the cache)

    def add(self, idx: int, res: FileResult) -> None:
        digest_ = self.plan.digests[idx]
        if res.failed or digest_ is None:
            return  # read again next time
        reused = idx in self.plan.reused and self.store is not None
        self.files.append(
            {
                "rel": res.rel,
                "sha256": digest_,
                **self.plan.stat_row(idx),
                "segment": self.store.files[res.rel]["segment"] if reused else None,
                "found": res.found,
                "failed_declarations": res.failed_declarations,
                "encoding": res.encoding,
                "page_without_declaration": bool(res.page_without_declaration),
                # (a reused file's result holds the hashes of its compared declarations only)
                "hashes": list(self.store.files[res.rel]["hashes"] if reused else res.hashes),
            }
        )
        if not reused:
            for p in res.problems:
                self.problems.append({"rel": res.rel, **p.as_row()})


def write_tables(
    store: Cache,
    recorder: Recorder,
    part_dir: Path,
    parts: list[str],
    dropped: set[int],
    paths: dict[str, Path],
    schemas: dict[str, pa.Schema],
) -> dict[str, int]:
    """Write ``declarations`` and ``indicators`` to ``paths`` from the cached rows of the reused
    files and the parts of the files read, a year at a time, as :func:`~analysis.ingest.parts.merge_parts`
    would have; and the next cache beside the current one: the segments that still hold rows of
    reused files, and one more with the rows read (all the live rows when :meth:`Cache.compact`).
    The next year's rows are gathered and ordered while a year is written (in a thread: Arrow
    does both without Python's lock). Returns the rows written per table."""
    plan = recorder.plan
    compact, kept_segments = store.compact(), store.kept()
    segment = uuid.uuid4().hex[:16]
    new = store.folder.with_name(store.folder.name + ".new")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    merge = _Merge(
        rels=pa.array(plan.rels, pa.string()),
        live=store.live(plan),
        drop=pa.array(sorted(dropped), pa.int64()),
        compact=compact,
    )
    counts = {}
    for name in _TABLES:
        (new / name).mkdir()
        cached = {seg: _Parts([p]) for seg, p in store.segments(name).items() if seg in kept_segments}
        fresh = _Parts([part_dir / f"{name}-{p}.parquet" for p in parts])
        common = pa.schema(
            [*schemas[name], pa.field(_FILE, pa.string()), pa.field(_K, pa.int32()), pa.field(_KEY, pa.int64())]
        )
        kept = _Segment(new / name / f"{segment}.parquet", common.remove(common.get_field_index(_KEY)))
        count = 0
        with pq.ParquetWriter(paths[name], schemas[name], compression="zstd") as writer, kept:
            for out, to_keep in _ahead(merge.years(name, cached, fresh, common, schemas[name])):
                if to_keep is not None and to_keep.num_rows:
                    kept.write_table(to_keep, row_group_size=_SEGMENT_ROW_GROUP)
                if out.num_rows:
                    writer.write_table(out, row_group_size=_ROW_GROUPS[name])
                    count += out.num_rows
        if not compact:
            for seg, p in store.segments(name).items():
                if seg in kept_segments:
                    target = new / name / p.name
                    os.link(p, target) if _same_fs(p, new) else shutil.copy2(p, target)
        counts[name] = count
    files = recorder.files
    for row in files:
        if compact or row["segment"] is None:
            row["segment"] = segment
    pq.write_table(pa.Table.from_pylist(files, schema=FILES_SCHEMA), new / "files.parquet")
    problems = pa.Table.from_pylist(recorder.problems, schema=CACHED_PROBLEMS)
    if store.problems is not None and plan.reused:
        reused_rels = pa.array(sorted({plan.rels[i] for i in plan.reused}), pa.string())
        old = store.problems.filter(pc.is_in(store.problems.column("rel"), value_set=reused_rels))
        problems = pa.concat_tables([old.cast(CACHED_PROBLEMS), problems])
    pq.write_table(problems, new / "problems.parquet")
    (new / "version.json").write_text(json.dumps({"format": FORMAT, "version": store.version}), "utf-8")
    return counts


@dataclass
class _Merge:
    """The cached rows of the reused files and the rows of the files read, a year at a time."""

    rels: pa.Array  # every file of this run, by its number
    live: dict[str, pa.Array]  # per segment, the reused files whose rows it holds
    drop: pa.Array  # _key of the declarations left out (repeats, conflicts)
    compact: bool  # the next cache keeps every row (else the rows read)

    def years(self, name: str, cached: dict[str, _Parts], fresh: _Parts, common: pa.Schema, schema: pa.Schema):
        """``(rows of the table, rows for the next cache or None)`` for each year in order. The
        rows are put in order and the rows of files read again, gone or left out are passed
        over by the positions of the rows kept, taken as slices of the year's rows (a nightly
        run's few new rows fall between long runs of cached ones), not copied one by one."""
        sort = _SORT[name][1:]
        for year in sorted(fresh.years().union(*(c.years() for c in cached.values()))):
            pieces, masks = [], []
            for seg, part in cached.items():
                old = part.year(year)
                if old is None or not old.num_rows:
                    continue
                live = pc.is_in(old.column(_FILE), value_set=self.live[seg])
                index = pc.index_in(old.column(_FILE), value_set=self.rels).cast(pa.int64())
                key = pc.bit_wise_or(pc.shift_left(index, _KEY_BITS), old.column(_K).cast(pa.int64()))
                pieces.append(_aligned(old.append_column(_KEY, key), common))
                masks.append(None if pc.all(live).as_py() else live)
            t = fresh.year(year)
            read = None
            if t is not None and t.num_rows:
                key = t.column(_KEY)
                t = t.append_column(_FILE, self.rels.take(pc.shift_right(key, _KEY_BITS)))
                t = t.append_column(_K, pc.bit_wise_and(key, _MASK).cast(pa.int32()))
                read = _aligned(t, common)
                read = read.take(pc.sort_indices(read, sort_keys=sort))
                pieces.append(read)
                masks.append(None)
            if not pieces:
                continue
            table = pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]
            # (the rows of one segment, or of the files read, are in order already)
            order = pc.sort_indices(table, sort_keys=sort) if len(pieces) > 1 else None
            live = None
            if any(m is not None for m in masks):
                live = pa.chunked_array(
                    [pa.array(np.ones(len(p), bool)) if m is None else m for p, m in zip(pieces, masks)], pa.bool_()
                )
            to_keep = _rows(table, order, live) if self.compact else read
            kept = live
            if len(self.drop):
                kept = pc.invert(pc.is_in(table.column(_KEY), value_set=self.drop))
                kept = kept if live is None else pc.and_(kept, live)
            yield (
                _rows(table, order, kept).select(schema.names).cast(schema),
                None if to_keep is None else to_keep.drop_columns([_KEY]),
            )


def _rows(table: pa.Table, order: pa.Array | None, kept: pa.ChunkedArray | None) -> pa.Table:
    """The rows of ``table`` at the positions ``order`` (None: as they stand) where ``kept`` is
    true (None: all), as slices of ``table`` where the positions run on (a copy, one row at a
    time, only when they do not)."""
    if order is None and kept is None:
        return table
    positions = np.arange(table.num_rows) if order is None else order.to_numpy()
    if kept is not None:
        keep = kept.to_numpy(zero_copy_only=False)
        positions = positions[keep[positions]]
    if not len(positions):
        return table.slice(0, 0)
    starts = np.flatnonzero(np.diff(positions) != 1) + 1
    if len(starts) > max(64, len(positions) // 16):
        return table.take(pa.array(positions))
    bounds = [0, *starts.tolist(), len(positions)]
    return pa.concat_tables([table.slice(int(positions[a]), b - a) for a, b in zip(bounds[:-1], bounds[1:])])


def _ahead(items):
    """``items`` (an iterator), each made in a thread while the one before is used."""
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def make():
        try:
            for item in items:
                if stop.is_set():
                    return
                q.put((item, None))
            q.put((done, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            q.put((None, exc))

    worker = threading.Thread(target=make, name="ingest-merge", daemon=True)
    worker.start()
    try:
        while True:
            item, exc = q.get()
            if exc is not None:
                raise exc
            if item is done:
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # (let a producer blocked on a full queue finish)
            try:
                q.get_nowait()
            except queue.Empty:
                worker.join(0.05)


class _Segment:
    """The segment a run adds to the cache: written a year at a time, created with its first rows."""

    def __init__(self, path: Path, schema: pa.Schema):
        self.path, self.schema, self.writer = path, schema, None

    def write_table(self, table: pa.Table, row_group_size: int) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="lz4")
        self.writer.write_table(table, row_group_size=row_group_size)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.writer is not None:
            self.writer.close()


def _aligned(t: pa.Table, schema: pa.Schema) -> pa.Table:
    """``t`` with the columns and types of ``schema`` (cached rows and new rows alike)."""
    return pa.Table.from_arrays([t.column(f.name).cast(f.type) for f in schema], schema=schema)


class _Parts:
    """The parts of the files read this run, a year's rows at a time (each part is sorted by year:
    only the row groups that can hold the year are read; no dataset machinery, which would
    import pandas)."""

    def __init__(self, paths: list[Path]):
        self.files = [pq.ParquetFile(p) for p in paths]
        self.ranges = []
        for f in self.files:
            col = f.schema_arrow.get_field_index("year")
            groups = []
            for g in range(f.metadata.num_row_groups):
                st = f.metadata.row_group(g).column(col).statistics
                groups.append((st.min, st.max) if st is not None and st.has_min_max else (None, None))
            self.ranges.append(groups)

    def years(self) -> set[int]:
        out: set[int] = set()
        for f, groups in zip(self.files, self.ranges):
            if any(lo is None for lo, _hi in groups):
                out |= set(pc.unique(f.read(columns=["year"]).column("year")).drop_null().to_pylist())
            else:
                out |= {y for lo, hi in groups for y in range(lo, hi + 1)}
        return out

    def year(self, year: int) -> pa.Table | None:
        pieces = []
        for f, groups in zip(self.files, self.ranges):
            wanted = [g for g, (lo, hi) in enumerate(groups) if lo is None or lo <= year <= hi]
            if wanted:
                t = f.read_row_groups(wanted)
                if any(groups[g] != (year, year) for g in wanted):  # (a group of this year alone: all of it)
                    t = t.filter(pc.equal(t.column("year"), year))
                pieces.append(t)
        return pa.concat_tables(pieces) if pieces else None


def _same_fs(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


def _lock(folder: Path) -> int | None:
    """Hold the cache of ``folder`` for this ingest: another ingest into the same folder waits
    until this one has installed its cache or given up (:func:`install`, :func:`discard`)."""
    import fcntl

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder.with_name(folder.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None  # a folder we may only read: nothing will be written there either
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        pass  # a file system without flock: one ingest at a time is then the user's care
    return fd


def _release(store: Cache) -> None:
    if store._lock is not None:
        os.close(store._lock)
        store._lock = None


def discard(store: Cache) -> None:
    """Remove a cache :func:`write_tables` began (a run that failed, or read no file) and let go."""
    shutil.rmtree(store.folder.with_name(store.folder.name + ".new"), ignore_errors=True)
    if not store.folder.exists():  # no cache before this run: leave no trace of it
        store.folder.with_name(store.folder.name + ".lock").unlink(missing_ok=True)
        try:
            store.folder.parent.rmdir()
        except OSError:
            pass
    _release(store)


def install(store: Cache) -> None:
    """Put the cache written by :func:`write_tables` in place of the old one."""
    folder = store.folder
    new, old = folder.with_name(folder.name + ".new"), folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(new, folder)
    shutil.rmtree(old, ignore_errors=True)
    _release(store)
