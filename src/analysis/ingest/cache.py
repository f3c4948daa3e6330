"""The ingest's memory of its last run: a file whose bytes have not changed is not read again.

The cache (``PROCESSED_DIR/.ingest.cache/`` for the command line) holds what the last ingest
read of each file:

- ``files.parquet``: one row per file: its name (as the tables show it), the SHA-256 of its
  bytes, what reading it gave besides rows (declarations found, declarations that failed, the
  encoding, a web page without a declaration) and the content hash of each declaration (what
  tells a repeat from a conflict);
- ``problems.parquet``: the problems of each file, in order;
- ``declarations/<year>.parquet`` and ``indicators/<year>.parquet``: every row the files gave
  for that year (those left out as repeats or conflicts too), in the order of the tables, with
  the file (``_file``) and the declaration's number in it (``_k``);
- ``version.json``: the version the cache was written by (:func:`version_key`).

A file is reused when its name and the SHA-256 of its bytes are those of a cached file and the
version is the same: the package's ingest code, its vocabulary, the registries of columns and
problems, the versions of the libraries that read files, and the bounds per file. Only the other
files are read. Everything that depends on more than one file (repeats, conflicts, the order of
the rows) is done again over all of them, so the tables are those of a full ingest (the same
row groups too). The tables are written a year at a time (:func:`write_tables`): the cached
rows of the year, the new ones put in their place; a year whose files did not change keeps its
cache file. A file whose reading failed (a time limit, a crash) is never cached: it is read
again on the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.ingest.file import FileResult
from analysis.ingest.parts import _KEY, _KEY_BITS, _LIGHT, _SORT
from analysis.problems import Problem
from analysis.tables import PROBLEMS_SCHEMA

#: the cache's folder in PROCESSED_DIR (not ``.ingest-*``: those are staging folders)
CACHE = ".ingest.cache"
FORMAT = 1
#: the libraries whose versions can change what a file reads as
READERS = ("openpyxl", "xlrd", "python-docx", "pdfplumber", "pdfminer.six", "lxml", "charset-normalizer", "pyarrow")
_MASK = (1 << _KEY_BITS) - 1
_FILE, _K = "_file", "_k"
_PROBLEM_FIELDS = ("source_file", "source_line", "code", "message", "decl_id")
_ROW_GROUPS = {"declarations": 1_024, "indicators": 16_384}

FILES_SCHEMA = pa.schema(
    [
        ("rel", pa.string()),
        ("sha256", pa.string()),
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

    def counts(self) -> dict:
        return {
            "files_new": self.new,
            "files_changed": self.changed,
            "files_removed": self.removed,
            "files_reused": len(self.reused),
        }


class Cache:
    """The cache in ``folder`` as the last run left it (empty when absent, of another version,
    or unreadable)."""

    def __init__(self, folder: str | os.PathLike, version: str):
        self.folder = Path(folder) / "data"  # (replaced whole by each run; the lock stays beside it)
        self.version = version
        self.files: dict[str, dict] = {}
        self._lock = _lock(self.folder)
        try:
            meta = json.loads((self.folder / "version.json").read_text("utf-8"))
            if meta.get("version") != version or meta.get("format") != FORMAT:
                return
            rows = pq.ParquetFile(self.folder / "files.parquet").read().to_pylist()
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            return
        self.files = {r["rel"]: r for r in rows}

    def plan(self, files: list[tuple[str, str]]) -> Plan:
        """Hash every file of this run and match it against the cache (a name shown twice is read)."""
        plan = Plan(rels=[rel for _p, rel in files])
        twice = {r for r in plan.rels if plan.rels.count(r) > 1} if len(set(plan.rels)) < len(plan.rels) else set()
        for i, (path, rel) in enumerate(files):
            d = digest(path)
            plan.digests.append(d)
            cached = self.files.get(rel)
            if cached is None:
                plan.new += 1
            elif d is not None and cached["sha256"] == d and rel not in twice:
                plan.reused.add(i)
            else:
                plan.changed += 1
        plan.removed = len(set(self.files) - set(plan.rels))
        return plan

    def _year_files(self, table: str) -> dict[int, Path]:
        folder = self.folder / table
        if not self.files or not folder.is_dir():
            return {}
        return {int(p.stem): p for p in folder.glob("*.parquet") if p.stem.lstrip("-").isdigit()}

    def results(self, plan: Plan) -> dict[int, FileResult]:
        """The results of the reused files as a worker would have given them (their rows reduced
        to what the de-duplication needs; the rows themselves stay in the cache)."""
        if not plan.reused:
            return {}
        number = {plan.rels[i]: i for i in plan.reused}
        light: dict[int, list[dict]] = {}
        for path in self._year_files("declarations").values():
            t = pq.ParquetFile(path).read(columns=[*_LIGHT, _FILE, _K])
            for row in t.to_pylist():
                i = number.get(row.pop(_FILE))
                if i is not None:
                    row[_KEY] = (i << _KEY_BITS) | row.pop(_K)
                    light.setdefault(i, []).append(row)
        problems: dict[int, list[Problem]] = {}
        try:
            cached = pq.ParquetFile(self.folder / "problems.parquet").read().to_pylist()
        except (OSError, pa.ArrowException):
            cached = []
        for r in cached:
            i = number.get(r["rel"])
            if i is not None:
                problems.setdefault(i, []).append(Problem(*(r[k] for k in _PROBLEM_FIELDS)))
        results = {}
        for i in plan.reused:
            r = self.files[plan.rels[i]]
            res = FileResult(
                r["rel"],
                declarations=sorted(light.get(i, []), key=lambda row: row[_KEY]),
                hashes=list(r["hashes"]),
                problems=problems.get(i, []),
                found=r["found"],
                encoding=r["encoding"],
                failed_declarations=r["failed_declarations"],
                page_without_declaration=r["page_without_declaration"],
            )
            results[i] = res
        return results


class Recorder:
    """What this run read of each file, kept to be written as the next run's cache."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.files: list[dict] = []
        self.problems: list[dict] = []
        self.cached: set[str] = set()  # the files whose rows go into the cache

    def add(self, idx: int, res: FileResult) -> None:
        digest_ = self.plan.digests[idx]
        if res.failed or digest_ is None:
            return  # read again next time
        self.cached.add(res.rel)
        self.files.append(
            {
                "rel": res.rel,
                "sha256": digest_,
                "found": res.found,
                "failed_declarations": res.failed_declarations,
                "encoding": res.encoding,
                "page_without_declaration": bool(res.page_without_declaration),
                "hashes": list(res.hashes),
            }
        )
        for p in res.problems:
            self.problems.append({"rel": res.rel, **p.as_row()})


def write_tables(  # noqa: PLR0915 - the merge of cached and new rows per year is one loop whose state is its locals
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
    would have; and the next cache beside the current one. Returns the rows written per table."""
    plan = recorder.plan
    rels = pa.array(plan.rels, pa.string())
    reused_rels = pa.array(sorted({plan.rels[i] for i in plan.reused}), pa.string())
    new = store.folder.with_name(store.folder.name + ".new")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    drop = pa.array(sorted(dropped), pa.int64())
    counts = {}
    for name in ("declarations", "indicators"):
        (new / name).mkdir()
        cached = store._year_files(name)
        fresh = _Parts([part_dir / f"{name}-{p}.parquet" for p in parts])
        years = set(cached) | fresh.years()
        count = 0
        keep_cols = list(schemas[name].names)
        common = pa.schema(
            [*schemas[name], pa.field(_FILE, pa.string()), pa.field(_K, pa.int32()), pa.field(_KEY, pa.int64())]
        )

        with pq.ParquetWriter(paths[name], schemas[name], compression="zstd") as writer:
            for year in sorted(years):
                pieces = []
                unchanged = year in cached
                if year in cached:
                    old = pq.ParquetFile(cached[year]).read()
                    keep = pc.is_in(old.column(_FILE), value_set=reused_rels)
                    if not pc.all(keep).as_py():
                        old = old.filter(keep)
                        unchanged = False
                    index = pc.index_in(old.column(_FILE), value_set=rels).cast(pa.int64())
                    key = pc.bit_wise_or(pc.shift_left(index, _KEY_BITS), old.column(_K).cast(pa.int64()))
                    pieces.append(_aligned(old.append_column(_KEY, key), common))
                t = fresh.year(year)
                if t is not None and t.num_rows:
                    unchanged = False
                    key = t.column(_KEY)
                    t = t.append_column(_FILE, rels.take(pc.shift_right(key, _KEY_BITS)))
                    t = t.append_column(_K, pc.bit_wise_and(key, _MASK).cast(pa.int32()))
                    pieces.append(_aligned(t, common))
                if not pieces:
                    continue
                table = pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]
                if not unchanged or len(pieces) > 1:  # (cached rows alone are in order already)
                    table = table.take(pc.sort_indices(table, sort_keys=_SORT[name][1:]))
                target = new / name / f"{year}.parquet"
                if unchanged:
                    os.link(cached[year], target) if _same_fs(cached[year], new) else shutil.copy2(cached[year], target)
                else:
                    pq.write_table(table.drop_columns([_KEY]), target, compression="lz4")
                if len(drop):
                    table = table.filter(pc.invert(pc.is_in(table.column(_KEY), value_set=drop)))
                out = table.select(keep_cols).cast(schemas[name])
                if out.num_rows:
                    writer.write_table(out, row_group_size=_ROW_GROUPS[name])
                    count += out.num_rows
        counts[name] = count
    pq.write_table(pa.Table.from_pylist(recorder.files, schema=FILES_SCHEMA), new / "files.parquet")
    pq.write_table(pa.Table.from_pylist(recorder.problems, schema=CACHED_PROBLEMS), new / "problems.parquet")
    (new / "version.json").write_text(json.dumps({"format": FORMAT, "version": store.version}), "utf-8")
    return counts


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
                pieces.append(t.filter(pc.equal(t.column("year"), year)))
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
