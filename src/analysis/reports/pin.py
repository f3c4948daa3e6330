"""One published set of tables for the whole report batch.

A batch takes minutes; an ingest may publish a new set of tables meanwhile (a scheduler's
run). Reports read at different moments would then mix two sets (a unit of the old set looked
up in the new one: "单位不存在"). So the batch pins the set published when it starts
(:func:`pin`): hard links to its files (copies where links cannot be made) in a folder of the
output's cache named by the set's run id, taken as one set (every table of the run the
manifest names; a set being published is waited for). Every report, the index and the export
read the pinned folder; the ingest replaces its files with new ones (``os.replace``) and so
never changes what a link points to.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from analysis import publish
from analysis.messages import _
from analysis.reports.cache import TABLES

PREFIX = "tables-"


def _files(processed: Path) -> list[Path]:
    return sorted(
        p for p in processed.iterdir() if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".tmp")
    )


def _take(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(src, dst)


def _runs(folder: Path) -> dict[str, str | None]:
    import pyarrow.parquet as pq

    return {
        name: publish.run_of(pq.read_schema(folder / f"{name}.parquet"))
        for name in TABLES
        if (folder / f"{name}.parquet").exists()
    }


def pin(processed: Path, cache_dir: Path, attempts: int = 8) -> Path:
    """The folder of the pinned set (see the module doc); raises
    :class:`~analysis.publish.TablesInFlux` when no whole set can be taken."""
    processed, cache_dir = Path(processed), Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for attempt in range(attempts):
        manifest = publish.read_manifest(processed)
        run = (manifest or {}).get("run") or "unversioned"
        target = cache_dir / (PREFIX + re.sub(r"[^0-9A-Za-z_.-]", "_", run))
        if manifest and manifest.get("run") and publish.read_manifest(target) == manifest:
            os.utime(target)  # pinned by an earlier batch of the same run: a run's tables never change
            return target
        work = Path(tempfile.mkdtemp(prefix=".pinning-", dir=cache_dir))
        try:
            for src in _files(processed):
                try:
                    _take(src, work / src.name)
                except FileNotFoundError:
                    pass  # replaced this moment: the check below tells
            pinned_manifest = publish.read_manifest(work)
            if publish.consistent(_runs(work), pinned_manifest) and (pinned_manifest or {}).get("run") == (
                manifest or {}
            ).get("run"):
                _drop_old(cache_dir, keep=target)
                if not _same(target, work):
                    shutil.rmtree(target, ignore_errors=True)
                    os.replace(work, target)
                os.utime(target)
                return target
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
        publish.wait_and_recover(processed, attempt)
    raise publish.TablesInFlux(_("publish.pin", folder=processed))


def _same(target: Path, work: Path) -> bool:
    """Whether ``target`` already holds the files just taken (a batch of the same set before)."""
    try:
        return (
            sorted(p.name for p in target.iterdir()) == sorted(p.name for p in work.iterdir())
            and all((target / p.name).stat().st_size == p.stat().st_size for p in work.iterdir())
            and publish.read_manifest(target) == publish.read_manifest(work)
        )
    except OSError:
        return False


#: a set pinned by another batch is removed this long after that batch began
KEEP_SECONDS = 6 * 3600


def _drop_old(cache_dir: Path, keep: Path) -> None:
    """Remove sets pinned by earlier batches (those of the last hours may still be in use)."""
    import time

    for old in cache_dir.glob(PREFIX + "*"):
        try:
            stale = time.time() - old.stat().st_mtime > KEEP_SECONDS
        except OSError:
            continue
        if old != keep and old.is_dir() and stale:
            shutil.rmtree(old, ignore_errors=True)
