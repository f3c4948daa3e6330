"""Incremental ingest: a file whose bytes have not changed since the last run is not read again,
its rows taken from the cache; new, changed, removed and renamed files are handled; the tables are
those of a full ingest of the same folder, row for row (repeats and conflicts across files too)."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest

from analysis.ingest import ingest
from analysis.ingest import parts as parts_mod
from analysis.ingest.cache import CACHE

from seedkit import DECL1, DECL2, HEAD, join, replace

TABLES = ("declarations", "indicators", "problems")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from analysis.synthetic.corpus import Params, generate

    raw = tmp_path_factory.mktemp("incr") / "raw"
    generate(raw, Params(units=6, years=(2020, 2022), seed=7, quirks=0.3))
    (raw / "seed-a.txt").write_text(join(HEAD, DECL1), "utf-8")
    (raw / "seed-b.txt").write_text(join(HEAD, DECL2), "utf-8")
    (raw / "empty.txt").write_bytes(b"")
    return raw


def _tables(folder):
    return {n: pq.read_table(folder / f"{n}.parquet").replace_schema_metadata(None) for n in TABLES}


def _count_reads(monkeypatch) -> list[str]:
    read = []
    real = parts_mod.read_one

    def counting(path, rel, *a, **k):
        read.append(rel)
        return real(path, rel, *a, **k)

    monkeypatch.setattr(parts_mod, "read_one", counting)
    return read


def test_an_incremental_ingest_gives_the_tables_of_a_full_one(corpus, tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(corpus, raw)
    (raw / "seed-a-again.txt").write_text(join(HEAD, DECL1), "utf-8")  # repeats seed-a
    (raw / "seed-b-other.txt").write_text(join(HEAD, replace(DECL2, "490,000", "491,000")), "utf-8")  # conflicts
    out, cache = tmp_path / "out", tmp_path / "out" / CACHE
    first = ingest(raw, out, jobs=1, isolate=False, cache=cache)
    n = first.summary["files"]
    assert first.summary["files_new"] == n and first.summary["files_reused"] == 0
    assert cache.is_dir()

    # nothing changed: no file is read again, the same tables
    before = _tables(out)
    read = _count_reads(monkeypatch)
    again = ingest(raw, out, jobs=1, isolate=False, cache=cache)
    assert read == [] and again.summary["files_reused"] == n
    assert _tables(out) == before
    # the repeats and conflicts among the cached files counted again, the ledger whole
    assert first.summary["dropped_repeats"] >= 1 and first.summary["dropped_conflicts"] >= 1
    for key in ("declarations", "dropped_repeats", "dropped_conflicts", "problems", "ledger_ok"):
        assert again.summary[key] == first.summary[key], key

    # one file new, one changed, one removed, one renamed, and a repeat and a conflict across files
    files = sorted(p for p in raw.rglob("*.txt") if "synthetic" not in p.name and p.name.startswith("u"))
    changed, removed, renamed = files[0], files[1], files[2]
    changed.write_bytes(changed.read_bytes().replace(b"2020", b"2020 ", 1) + b"\n")
    removed.unlink()
    renamed.rename(renamed.with_name("renamed-" + renamed.name))
    (raw / "seed-c.txt").write_text(join(HEAD, DECL1), "utf-8")  # repeats seed-a
    (raw / "seed-d.txt").write_text(join(HEAD, replace(DECL2, "490,000", "590,000")), "utf-8")  # conflicts
    read.clear()
    inc = ingest(raw, out, jobs=1, isolate=False, cache=cache)
    s = inc.summary
    assert (s["files_new"], s["files_changed"], s["files_removed"]) == (3, 1, 2)
    assert s["files_reused"] == s["files"] - 4
    assert sorted(read) == sorted(
        [
            changed.relative_to(raw).as_posix(),
            f"{renamed.parent.relative_to(raw).as_posix()}/renamed-{renamed.name}",
            "seed-c.txt",
            "seed-d.txt",
        ]
    )
    assert s["dropped_repeats"] >= 1 and s["dropped_conflicts"] >= 1

    full = ingest(raw, tmp_path / "full", jobs=1, isolate=False)
    assert _tables(out) == _tables(tmp_path / "full")
    for key in ("declarations", "indicators", "problems", "errors", "warnings", "ledger_ok", "dropped_repeats"):
        assert s[key] == full.summary[key], key


def test_worker_processes_read_only_the_new_files_and_number_them_in_place(corpus, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(corpus, raw)
    out, cache = tmp_path / "out", tmp_path / "out" / CACHE
    ingest(raw, out, jobs=2, cache=cache)
    (raw / "0-first.txt").write_text(join(HEAD, replace(DECL1, "2020", "2019")), "utf-8")  # read first
    inc = ingest(raw, out, jobs=2, cache=cache)
    assert inc.summary["files_new"] == 1 and inc.summary["files_reused"] == inc.summary["files"] - 1
    ingest(raw, tmp_path / "full", jobs=2)
    assert _tables(out) == _tables(tmp_path / "full")


def test_another_version_of_the_reader_reads_every_file_again(corpus, tmp_path, monkeypatch):
    from analysis.ingest import pipeline

    raw = tmp_path / "raw"
    shutil.copytree(corpus, raw)
    out, cache = tmp_path / "out", tmp_path / "out" / CACHE
    ingest(raw, out, jobs=1, isolate=False, cache=cache)
    monkeypatch.setattr(pipeline, "version_key", lambda limits: "another version")
    again = ingest(raw, out, jobs=1, isolate=False, cache=cache)
    assert again.summary["files_reused"] == 0 and again.summary["files_new"] == again.summary["files"]


# ----------------------------------------------------------------------------- telling a file unchanged

DAY_AGO = 86_400


def _age(raw, seconds: int = DAY_AGO) -> None:
    """Every file of ``raw`` last modified ``seconds`` ago (as files that came in earlier)."""
    import os
    import time

    then = time.time() - seconds
    for p in raw.rglob("*"):
        if p.is_file():
            os.utime(p, (then, then))


def _count_hashes(monkeypatch) -> list[str]:
    from analysis.ingest import cache as cache_mod

    hashed = []
    real = cache_mod.digest

    def counting(path):
        hashed.append(str(path))
        return real(path)

    monkeypatch.setattr(cache_mod, "digest", counting)
    return hashed


def test_a_file_whose_size_times_and_inode_are_unchanged_is_not_hashed(corpus, tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(corpus, raw)
    _age(raw)
    out, cache = tmp_path / "out", tmp_path / "out" / CACHE
    first = ingest(raw, out, jobs=1, isolate=False, cache=cache)
    assert first.summary["files_hashed"] == first.summary["files"]  # (nothing cached yet: each one hashed)
    hashed = _count_hashes(monkeypatch)
    read = _count_reads(monkeypatch)
    again = ingest(raw, out, jobs=1, isolate=False, cache=cache)
    assert hashed == [] and read == [] and again.summary["files_hashed"] == 0
    assert again.summary["files_reused"] == first.summary["files"]

    # the bytes of a file changed, its size and modification time put back: its status change
    # time tells it, it is hashed and read again
    import os

    victim = next(p for p in sorted(raw.rglob("*.txt")) if p.name.startswith("u"))
    st = victim.stat()
    data = victim.read_bytes()
    victim.write_bytes(data.replace(b"2020", b"2019", 1) if b"2020" in data else data[::-1])
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert victim.stat().st_size == st.st_size and victim.stat().st_mtime_ns == st.st_mtime_ns
    inc = ingest(raw, out, jobs=1, isolate=False, cache=cache)
    rel = victim.relative_to(raw).as_posix()
    assert hashed == [str(victim)] and read == [rel]
    assert inc.summary["files_changed"] == 1 and inc.summary["files_hashed"] == 1
    ingest(raw, tmp_path / "full", jobs=1, isolate=False)
    assert _tables(out) == _tables(tmp_path / "full")


def test_a_file_modified_as_it_was_listed_is_hashed_on_the_next_run(corpus, tmp_path, monkeypatch):
    """A file modified within the tick of the file system's clock in which it was listed could
    be modified again with the same times: what the listing saw of it is not trusted."""
    raw = tmp_path / "raw"
    shutil.copytree(corpus, raw)
    _age(raw)
    fresh = raw / "seed-a.txt"
    fresh.write_text(join(HEAD, DECL1), "utf-8")  # modified now
    out, cache = tmp_path / "out", tmp_path / "out" / CACHE
    ingest(raw, out, jobs=1, isolate=False, cache=cache)
    hashed = _count_hashes(monkeypatch)
    again = ingest(raw, out, jobs=1, isolate=False, cache=cache)
    assert hashed == [str(fresh)] and again.summary["files_reused"] == again.summary["files"]


def test_hash_all_hashes_every_file_and_reads_one_changed_behind_its_times(corpus, tmp_path, monkeypatch):
    from analysis.ingest import listing as listing_mod

    raw = tmp_path / "raw"
    shutil.copytree(corpus, raw)
    _age(raw)
    out, cache = tmp_path / "out", tmp_path / "out" / CACHE
    first = ingest(raw, out, jobs=1, isolate=False, cache=cache)
    # a file whose bytes changed while everything the listing sees stayed (as a tool that
    # restores times can leave it): shown to the ingest with the stat it had
    victim = raw / "seed-b.txt"
    real_list = listing_mod.list_files
    before = dict(zip((rel for _p, rel in real_list(raw).files), real_list(raw).stats))

    def same_stats(folder):
        got = real_list(folder)
        got.stats = [before.get(rel, st) for (_p, rel), st in zip(got.files, got.stats)]
        return got

    monkeypatch.setattr("analysis.ingest.pipeline.list_files", same_stats)
    victim.write_text(join(HEAD, replace(DECL2, "490,000", "590,000")), "utf-8")
    trusting = ingest(raw, out, jobs=1, isolate=False, cache=cache)
    assert trusting.summary["files_hashed"] == 0  # what stat-based telling cannot see
    hashed = _count_hashes(monkeypatch)
    checked = ingest(raw, out, jobs=1, isolate=False, cache=cache, hash_all=True)
    assert len(hashed) == first.summary["files"] and checked.summary["files_changed"] == 1
    ingest(raw, tmp_path / "full", jobs=1, isolate=False)
    assert _tables(out) == _tables(tmp_path / "full")


def test_run_after_run_the_cache_adds_a_segment_and_compacts_and_the_tables_stay_those_of_a_full_ingest(
    corpus, tmp_path
):
    from analysis.ingest import cache as cache_mod

    raw = tmp_path / "raw"
    shutil.copytree(corpus, raw)
    _age(raw)
    out, cache = tmp_path / "out", tmp_path / "out" / CACHE

    def segments() -> set[str]:
        return {p.stem for p in (cache / "data" / "declarations").glob("*.parquet")}

    ingest(raw, out, jobs=1, isolate=False, cache=cache)
    assert len(segments()) == 1
    counts = []
    for night in range(cache_mod.MAX_SEGMENTS):  # a new file every night: a segment each
        (raw / f"new-{night}.txt").write_text(join(HEAD, replace(DECL1, "2020", str(2000 + night))), "utf-8")
        ingest(raw, out, jobs=1, isolate=False, cache=cache)
        counts.append(len(segments()))
        if night % 3 == 2:
            ingest(raw, tmp_path / "full", jobs=1, isolate=False)
            assert _tables(out) == _tables(tmp_path / "full"), f"night {night}"
    assert counts == [*range(2, cache_mod.MAX_SEGMENTS + 1), 1]  # beyond the most segments: one again

    # a few files changed: their old rows stay, passed over, beside those read again
    files = sorted(p for p in raw.rglob("*.txt") if p.name.startswith("u"))
    for f in files[:2]:
        f.write_bytes(f.read_bytes() + b"\n")
    ingest(raw, out, jobs=1, isolate=False, cache=cache)
    assert len(segments()) == 2
    ingest(raw, tmp_path / "full", jobs=1, isolate=False)
    assert _tables(out) == _tables(tmp_path / "full")

    # most files changed: the rows of the old segments are mostly dead; one segment again
    for f in files:
        f.write_bytes(f.read_bytes() + b"\n")
    ingest(raw, out, jobs=1, isolate=False, cache=cache)
    assert len(segments()) == 1
    ingest(raw, tmp_path / "full", jobs=1, isolate=False)
    assert _tables(out) == _tables(tmp_path / "full")
