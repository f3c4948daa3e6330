"""Publishing the processed tables as one set, and reading them back as one.

The ingest writes its tables into a staging folder beside the output (``.ingest-<pid>-…``).
Publishing them (:func:`publish`):

1. every staged file is flushed to disk (``fsync``) and hashed;
2. under an exclusive lock on the output folder (``.ingest.lock``: one publisher at a time),
   a commit record (``manifest.json`` in the staging folder: the run id, a generation number
   one above the published one, each table's rows, bytes and SHA-256) is written and flushed:
   from here on the new set is decided;
3. each table is moved into place (``os.replace``: a reader opening a file sees either the
   old or the new one, whole), then the manifest itself, and the folder is flushed.

Each table file carries its run id in its Parquet metadata (``analysis:run``), so a reader can
tell which run a file it opened comes from without hashing it. :func:`analysis.tables.read_table`
and :func:`analysis.tables.load` compare it with ``manifest.json``: a table from another run is
a set in the middle of being published (they wait and read again) or one left half-published
by a killed ingest. A killed ingest leaves its staging folder with its commit record; the next
ingest, or a reader that finds the mix, completes the publication when the process that owned
the folder is gone (:func:`recover`), so the set on disk is the old one or the new one, never a
mix for long. Staging folders of killed runs without a commit record are removed.

Plain ``pd.read_parquet(PROCESSED_DIR / "declarations.parquet")`` still works: the files are
where they always were.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import time
import uuid
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.messages import _

MANIFEST = "manifest.json"
LOCK = ".ingest.lock"
OWNER = "owner.json"
STAGING_PREFIX = ".ingest-"
RUN_KEY = b"analysis:run"
#: a staging folder without an owner record (an older version's) is removed after this long
ORPHAN_SECONDS = 3600


class TablesInFlux(AnalysisError, RuntimeError):
    """The processed tables on disk are from different ingest runs."""


# ----------------------------------------------------------------------------- small helpers


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:12]


def run_of(schema) -> str | None:
    """The ingest run a Parquet file's Arrow schema says it was written by, if any."""
    meta = schema.metadata or {}
    value = meta.get(RUN_KEY)
    return value.decode() if value else None


def with_run(schema, run: str):
    return schema.with_metadata({**(schema.metadata or {}), RUN_KEY: run.encode()})


def fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder
    finally:
        os.close(fd)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def content_sha256(path: Path) -> str:
    """The SHA-256 of what a Parquet file holds, not of when it was written: its column types
    and names, and its data (every byte before the footer, where the run id and the writer's
    name are kept). Two ingests of the same files give the same content hash."""
    import struct

    import pyarrow.parquet as pq

    h = hashlib.sha256(pq.read_schema(path).remove_metadata().to_string().encode())
    with open(path, "rb") as f:
        f.seek(-8, os.SEEK_END)
        footer, magic = struct.unpack("<I4s", f.read(8))
        if magic != b"PAR1":
            raise ValueError(f"{path}: not a Parquet file")
        left = f.tell() - 8 - footer
        f.seek(0)
        while left > 0:
            block = f.read(min(left, 1 << 20))
            if not block:
                break
            h.update(block)
            left -= len(block)
    return h.hexdigest()


def read_manifest(folder: str | os.PathLike) -> dict | None:
    p = Path(folder) / MANIFEST
    try:
        return json.loads(p.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def current_run(folder: str | os.PathLike) -> str | None:
    m = read_manifest(folder)
    return m.get("run") if m else None


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def locked(folder: Path):
    """An exclusive lock on ``folder`` (released when the process ends, however it ends)."""
    import fcntl

    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------- staging folders


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # field 22: start time since boot


def new_staging(target: Path) -> Path:
    """A fresh staging folder in ``target``, recording the process that owns it."""
    staging = target / f"{STAGING_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    _write_json(staging / OWNER, {"pid": os.getpid(), "start": _start_time(os.getpid()), "host": socket.gethostname()})
    return staging


def owner_alive(staging: Path) -> bool:
    """Whether the process that made ``staging`` may still be running (when unsure: yes)."""
    try:
        owner = json.loads((staging / OWNER).read_text("utf-8"))
    except (OSError, ValueError):
        try:
            age = time.time() - staging.stat().st_mtime
        except OSError:
            return False
        return age < ORPHAN_SECONDS
    if owner.get("host") != socket.gethostname():
        return True  # another machine's run on a shared folder: not ours to judge
    pid = int(owner.get("pid", 0))
    if pid <= 0:
        return False
    if Path("/proc").is_dir():
        start = _start_time(pid)
        return start is not None and (owner.get("start") is None or start == owner.get("start"))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(target: str | os.PathLike, lock: bool = True) -> list[str]:
    """Deal with the staging folders of ingests that were killed: complete a publication
    that had committed (its commit record's generation follows the published one), remove
    the rest. Folders of running ingests are left alone. Returns what was done, one line each."""
    target = Path(target)
    if not target.is_dir():
        return []
    stale = [p for p in sorted(target.glob(STAGING_PREFIX + "*")) if p.is_dir() and not owner_alive(p)]
    if not stale:
        return []
    ctx = locked(target) if lock else contextlib.nullcontext()
    done: list[str] = []
    with ctx:
        for staging in stale:
            record = read_manifest(staging)
            current = read_manifest(target)
            gen = (current or {}).get("generation", 0)
            if record and record.get("generation") == gen + 1 and _complete(staging, target, record):
                _install(staging, target, record)
                done.append(_("publish.completed", run=record["run"]))
            else:
                done.append(_("publish.removed", name=staging.name))
            shutil.rmtree(staging, ignore_errors=True)
    return done


def _complete(staging: Path, target: Path, record: dict) -> bool:
    """Whether every table of ``record`` is either still staged or already in place."""
    for entry in record["tables"].values():
        if (staging / entry["file"]).exists():
            continue
        placed = target / entry["file"]
        if not placed.exists() or placed.stat().st_size != entry["bytes"] or sha256(placed) != entry["sha256"]:
            return False
    return True


def _install(staging: Path, target: Path, record: dict) -> None:
    for entry in record["tables"].values():
        src = staging / entry["file"]
        if src.exists():
            os.replace(src, target / entry["file"])
    os.replace(staging / MANIFEST, target / MANIFEST)
    fsync_dir(target)


# ----------------------------------------------------------------------------- publishing


def publish(staging: Path, target: Path, names: list[str], run: str, rows: dict[str, int]) -> dict:
    """Move the tables ``names`` (``<name>.parquet`` in ``staging``) into ``target`` as one set
    (see the module's text). Returns the manifest."""
    tables = {}
    for name in names:
        p = staging / f"{name}.parquet"
        fsync_file(p)
        tables[name] = {"file": p.name, "rows": rows.get(name), "bytes": p.stat().st_size, "sha256": sha256(p)}
    fsync_dir(staging)
    with locked(target):
        recover(target, lock=False)
        gen = (read_manifest(target) or {}).get("generation", 0) + 1
        record = {
            "format": 1,
            "run": run,
            "generation": gen,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "tables": tables,
        }
        _write_json(staging / MANIFEST, record)  # the commit record
        fsync_dir(staging)
        _install(staging, target, record)
    return record


def consistent(runs: dict[str, str | None], manifest: dict | None) -> bool:
    """Whether tables carrying ``runs`` (name -> run id or None) form one published set.
    With a manifest: every table that names a run names the manifest's (a file without one
    was written by an older version or by hand, and is taken as it is). Without: all alike."""
    if manifest and manifest.get("run"):
        return all(r is None or r == manifest["run"] for r in runs.values())
    return len(set(runs.values())) <= 1


def wait_and_recover(folder: Path, attempt: int) -> None:
    """Between attempts at reading a mixed set: wait for a publication under way, then try to
    complete one a killed ingest left."""
    if attempt == 0:
        time.sleep(0.05)
        return
    try:
        recover(folder)
    except OSError:
        pass  # a folder we may only read
    time.sleep(min(0.1 * attempt, 0.5))
