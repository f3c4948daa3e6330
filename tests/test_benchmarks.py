"""The benchmark harness still runs (at a tiny scale); no timing is asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is a package at the repository root, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks.__main__ import main  # noqa: E402


def test_harness_runs_ingest_and_profile_at_tiny_scale(tmp_path, capsys):
    out = tmp_path / "results.json"
    argv = [
        "--scale",
        "tiny",
        "--only",
        "ingest",
        "profile",
        "--corpus-dir",
        str(tmp_path / "corpus"),
        "--work",
        str(tmp_path / "work"),
        "--json",
        str(out),
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "ingest --jobs 2 / floor" in printed and "Profile:" in printed

    results = json.loads(out.read_text(encoding="utf-8"))
    names = [r["benchmark"] for r in results["results"]]
    assert any(n.startswith("ingest --jobs 2 / floor") for n in names)
    assert any("peak RSS" in n for n in names)
    same = next(r for r in results["results"] if "tables ==" in r["benchmark"])
    assert same["ok"] is True, same["detail"]  # serial and parallel ingest give the same tables
    ingest = results["details"]["ingest"]
    assert ingest["files"] == results["details"]["corpus"]["files"]
    # the frame reads the same files and rebuilds every output row of the ingest
    assert ingest["frame"]["files"] == ingest["files"] and ingest["frame"]["rows"] > 0
    assert ingest["frame"]["declarations"] == results["details"]["corpus"]["declarations"]
    assert any(n.startswith("Python frame") for n in names)
    assert results["details"]["profile"]["by_tottime"]
    assert results["machine"]["nproc"] >= 1

    # the corpus is generated once and reused
    assert main(argv) == 0
    assert "reusing" in capsys.readouterr().err


def test_the_pdf_benchmark_reads_its_disclosure_at_tiny_scale(tmp_path, capsys):
    """A disclosure of one copy of the layouts (some 33 pages), with ruling lines and without:
    every declaration laid into each found; the time and memory are printed against their
    goals (not asserted)."""
    out = tmp_path / "results.json"
    argv = ["--scale", "tiny", "--only", "pdf", "--corpus-dir", str(tmp_path / "corpus")]
    argv += ["--work", str(tmp_path / "work"), "--json", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "ruled, read / per-file limit (60 s)" in printed and "peak RSS" in printed
    assert "without ruling lines, read / per-file limit (60 s)" in printed
    results = json.loads(out.read_text(encoding="utf-8"))
    same = [r for r in results["results"] if "declarations found == laid out" in r["benchmark"]]
    assert len(same) == 2 and all(r["ok"] for r in same), [r["detail"] for r in same]
    import pdfkit as pk

    # one copy of every layout: the shared corpus's 20 where it is beside the repository, else the
    # repository's own sets and the seed (26 declarations on some 21 pages)
    least = 30 if pk.REAL.is_dir() else 25
    for key in ("pdf", "pdf_unruled"):
        pdf = results["details"][key]
        assert pdf["pages"] >= 20 and pdf["declarations"] >= least
    assert not (tmp_path / "corpus").exists()  # no corpus generated for it


def test_harness_runs_the_incremental_ingest_at_tiny_scale(tmp_path, capsys):
    out = tmp_path / "results.json"
    argv = ["--scale", "tiny", "--only", "incremental", "--corpus-dir", str(tmp_path / "corpus")]
    assert main([*argv, "--work", str(tmp_path / "work"), "--json", str(out)]) == 0
    assert "nightly ingest, 1% of the files new" in capsys.readouterr().out
    details = json.loads(out.read_text(encoding="utf-8"))["details"]["incremental"]
    assert details["new_files"] >= 1 and details["same_tables"] == "declarations, indicators and problems equal"
    # the files counted are those the ingest reads (not the corpus's README or marker); with
    # --hash-all every one is hashed, without it at most as many
    assert details["files_hashed_hash_all"] == details["files"] >= details["files_hashed"] >= details["new_files"]
