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
