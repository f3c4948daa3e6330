"""The ingest under hostile files and faults: no crash, no hang, no silent loss, no mixed tables.

Each test makes the fault it is about (crafted files from ``tests/hostile.py`` and
``tests/fixtures/hostile/``, kills with signals, a full disk simulated by an ``OSError``,
concurrent runs) and checks the promise of ``docs/reliability.md`` that holds against it.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import hostile
import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis import publish
from analysis.ingest import cli as ingest_cli
from analysis.ingest import file as ing
from analysis.ingest import limits as lim
from analysis.ingest import listing
from analysis.ingest.limits import Limits
from analysis.ingest.pipeline import ingest
from analysis.tables import TablesInFlux, load, read_table

import seedkit as kit

SRC = kit.ROOT / "src"
TESTS = kit.ROOT / "tests"


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(SRC), str(TESTS), e.get("PYTHONPATH", "")])
    return e


def codes(result, name: str | None = None) -> list[str]:
    p = result.problems
    if name is not None:
        p = p[p["source_file"] == name]
    return p["code"].tolist()


def good(tmp: Path, n: int = 2) -> dict[str, str]:
    """``n`` ordinary files, one declaration each (distinct years)."""
    return {f"good{i}.txt": kit.join(kit.with_year(kit.DECL1, 2001 + i)) for i in range(n)}


# ---------------------------------------------------------------------------------------------
# the small hostile corpus, file by file


@pytest.mark.parametrize("name", sorted(hostile.EXPECTED))
def test_each_small_hostile_file(tmp_path, name):
    data = (hostile.HERE / name).read_bytes()
    r = kit.ingest_files(tmp_path, {name: data}, limits=Limits(seconds=30))
    n, must, must_not = hostile.EXPECTED[name]
    assert len(r.declarations) == n
    assert must <= set(codes(r)), codes(r)
    assert not must_not & set(codes(r)), codes(r)
    assert r.summary["ledger_ok"]


def test_the_kept_fixtures_are_what_the_generator_makes():
    """A fixture edited by hand would test something nobody can make again."""
    made = hostile.small_files()
    for name, data in made.items():
        if name.endswith(".txt"):
            assert (hostile.HERE / name).read_bytes() == data, name
    assert sorted(p.name for p in hostile.HERE.iterdir()) == sorted(made)


# ---------------------------------------------------------------------------------------------
# 1. a file name of GBK bytes


def test_a_file_name_that_is_no_utf8_is_shown_escaped_and_read(tmp_path):
    raw = tmp_path / "raw"
    shown = hostile.make_special(raw)
    for name in ("pipe.txt", "dangling.txt"):
        os.unlink(raw / name)
    r = ingest(raw, tmp_path / "out")
    name = "\\xb2\\xe2\\xca\\xd4.txt"
    assert name in shown
    assert r.declarations["source_file"].tolist() == [name]
    row = r.problems.set_index("code").loc["bad-file-name"]
    assert row["source_file"] == name and row["severity"] == "warning" and "测试" in row["message"]
    assert pd.read_parquet(tmp_path / "out" / "declarations.parquet")["source_file"].tolist() == [name]


# ---------------------------------------------------------------------------------------------
# 2. the dimension trick and zip bombs


def test_a_sheet_that_claims_a_million_rows_reads_only_its_cells(tmp_path):
    r = kit.ingest_files(tmp_path, {"d.xlsx": hostile.dimension_workbook()}, limits=Limits(seconds=30))
    assert r.declarations["project"].tolist() == [kit.P1]
    assert "file-timeout" not in codes(r) and "file-too-large" not in codes(r)
    # the stray cell of row 1,048,576 is reported where it is
    assert 1_048_576 in r.problems["source_line"].tolist()


def test_a_zip_bomb_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    opened = []
    from analysis.ingest import excel

    real = excel._open
    monkeypatch.setattr(excel, "_open", lambda *a, **k: opened.append(1) or real(*a, **k))
    r = kit.ingest_files(tmp_path, {"bomb.xlsx": hostile.bomb_workbook(200), **good(tmp_path, 1)}, isolate=False)
    row = r.problems.set_index("source_file").loc["bomb.xlsx"]
    assert row["code"] == "file-too-large" and "MiB" in row["message"]
    assert len(r.declarations) == 1 and opened == []  # the good file read; the bomb never opened
    assert r.summary["files_failed"] == {"file-too-large": 1} and r.summary["ledger_ok"]


def test_a_zip_that_lies_about_its_sizes_gives_no_more_than_it_declares(tmp_path):
    r = kit.ingest_files(tmp_path, {"f.xlsx": hostile.forged_size_workbook()})
    assert codes(r) == ["unreadable-file"]


# ---------------------------------------------------------------------------------------------
# 3. a bad cell, a failing declaration, a failing file


def test_a_date_in_year_zero_is_a_bad_cell_not_a_lost_file(tmp_path):
    r = kit.ingest_files(tmp_path, {"y.txt": (hostile.HERE / "year-zero.txt").read_bytes()})
    assert sorted(r.declarations["project"]) == sorted([kit.P1, kit.P2])
    assert pd.isna(r.declarations.set_index("project").loc[kit.P1, "start_date"])
    assert {"bad-date", "bad-target"} <= set(codes(r))


def test_a_declaration_that_fails_costs_only_itself(tmp_path, monkeypatch):
    real = ing.build_declaration  # what reads a declaration's rows, inside read_declarations

    def fragile(raw):
        if (raw.get("project") or "") == kit.P2:
            raise ValueError("year 0 is out of range")
        return real(raw)

    monkeypatch.setattr(ing, "build_declaration", fragile)
    r = kit.ingest_files(tmp_path, {"two.txt": kit.join(kit.DECL1, kit.DECL2)}, isolate=False)
    assert r.declarations["project"].tolist() == [kit.P1]
    row = r.problems.set_index("code").loc["declaration-failed"]
    assert row["severity"] == "error" and row["source_line"] == len(kit.DECL1) + 2 and "ValueError" in row["message"]
    s = r.summary
    assert s["declarations_found"] == 2 and s["dropped_failed"] == 1 and s["ledger_ok"]
    assert "失败 1" in ingest_cli.format_summary(s)


def test_a_file_that_fails_is_counted_in_the_ledger(tmp_path, monkeypatch):
    def broken(rows, rel, sheet=None):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(ing, "split_declarations", broken)
    r = kit.ingest_files(tmp_path, {"a.txt": kit.join(kit.DECL1)})
    s = r.summary
    assert s["files"] == 1 and s["files_without_declaration"] == 1 and s["files_failed"] == {"parse-failed": 1}
    assert s["ledger_ok"] and "1 parse-failed" in ingest_cli.format_summary(s)


# ---------------------------------------------------------------------------------------------
# 4. junk: bounded rows, folded warnings, bounded memory


def test_millions_of_junk_lines_are_cut_at_the_row_bound_and_the_declaration_kept(tmp_path):
    data = hostile.junk_text(2_000_000)
    r = kit.ingest_files(tmp_path, {"junk.txt": data, **good(tmp_path, 1)})
    junk = r.problems[r.problems["source_file"] == "junk.txt"]
    cut = junk[junk["code"] == "truncated-file"]["message"].tolist()
    lines = data.count(b"\n")
    assert len(cut) == 1 and "more than 50,000 rows" in cut[0] and f"{lines - 50_000:,} rows passed over" in cut[0]
    assert {"truncated-file", "unrecognized-row"} <= set(junk["code"]) and len(junk) <= 23  # folded
    assert "file-too-large" not in set(junk["code"])
    assert len(r.declarations) == 2  # the junk file's declaration and the good one


def test_repeated_warnings_of_one_code_are_folded_into_one_row(tmp_path):
    r = kit.ingest_files(tmp_path, {"j.txt": hostile.junk_text(5_000)}, limits=Limits(repeat_warnings=20))
    stray = r.problems[r.problems["code"] == "unrecognized-row"]
    # every junk line is a stray row: 20 listed one by one, the rest counted in one row
    assert len(stray) == 21
    assert f"{5_000 - 20:,} more unrecognized-row warning(s)" in stray["message"].iloc[-1]
    assert len(r.declarations) == 1 and len(r.indicators) == 9  # the seed's second declaration, whole


def _measured(args: list[str], timeout: float = 120) -> dict:
    """Run a command; its exit status, output, and the peak RSS of its largest process (itself
    or a worker), in MiB."""
    code = (
        "import json, resource, subprocess, sys, time; t = time.perf_counter(); "
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr, 'seconds': time.perf_counter() - t, "
        "'rss_mib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout, env=env(), check=False
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("kind", ["junk", "dense"])
def test_a_hostile_4mb_file_costs_under_300mb(tmp_path, kind):
    """Two million lines of junk (refused by the row bound), and the worst within the bounds:
    as many real indicator rows as the bound allows."""
    data = hostile.junk_text(2_000_000) if kind == "junk" else hostile.dense_text()
    assert 3.5e6 < len(data) < 5e6
    raw = kit.write(tmp_path / "raw", {f"{kind}.txt": data})
    m = _measured([sys.executable, "-m", "analysis", "ingest", str(raw), "--out", str(tmp_path / "out")])
    print(f"4 MB file ({kind}): {m['seconds']:.1f} s, peak RSS {m['rss_mib']:.0f} MiB")
    assert m["rc"] == 0 and ("truncated-file" in m["out"]) == (kind == "junk")
    if kind == "dense":
        assert len(load(tmp_path / "out").indicators) > 49_000  # all read
    assert m["rss_mib"] < 300


# ---------------------------------------------------------------------------------------------
# 7. an amount of 400 nines; 16. negative amounts and unsafe characters


def test_an_overlong_amount_is_a_bad_amount_not_infinity(tmp_path):
    r = kit.ingest_files(tmp_path, {"n.txt": (hostile.HERE / "nines.txt").read_bytes()})
    d = r.declarations.iloc[0]
    assert pd.isna(d["total_budget"]) and "bad-amount" in codes(r)
    assert not r.indicators["value"].dropna().map(lambda v: v == float("inf")).any()
    assert "too large" in r.problems.set_index("code").loc["bad-target", "message"]


def test_negative_amounts_are_reported_and_not_compared(tmp_path):
    r = kit.ingest_files(tmp_path, {"n.txt": (hostile.HERE / "negative.txt").read_bytes()})
    d = r.declarations.iloc[0]
    assert d["total_budget"] == -1_406_400 and d["prior_executed"] == -1_296_100  # as published
    assert pd.isna(d["prior_execution_rate"])
    assert codes(r).count("negative-amount") == 2
    assert "year-over-total" not in codes(r) and "executed-over-budget" not in codes(r)


def test_bidi_controls_and_xml_forbidden_characters_are_kept_and_reported(tmp_path):
    r = kit.ingest_files(tmp_path, {"b.txt": (hostile.HERE / "bidi.txt").read_bytes()})
    d = r.declarations.iloc[0]
    assert d["unit"] == "\u202e" + kit.UNIT and d["project"] == kit.P1 + "\uffff"  # kept as published
    msgs = r.problems[r.problems["code"] == "unsafe-characters"]["message"].tolist()
    assert any("U+202E" in m for m in msgs) and any("U+FFFF" in m for m in msgs)
    assert not any("\u202e" in m or "\uffff" in m for m in msgs)  # the messages show them escaped


# ---------------------------------------------------------------------------------------------
# bounds and the deadline per file; dead workers


def test_a_file_over_the_size_bound_is_one_problem_and_the_run_goes_on(tmp_path):
    files = {"big.txt": kit.join(*[kit.with_year(kit.DECL1, 1900 + i) for i in range(40)]), **good(tmp_path)}
    r = kit.ingest_files(tmp_path, files, limits=Limits(max_bytes=50_000))
    assert codes(r, "big.txt") == ["file-too-large"] and len(r.declarations) == 2
    r = kit.ingest_files(tmp_path / "b", files, limits=Limits(max_rows=500))
    # over the row bound: the declarations complete before it are kept, the one it cuts is not
    assert codes(r, "big.txt") == ["truncated-file"] and "500 rows" in r.problems["message"].iloc[0]
    assert (r.declarations["source_file"] == "big.txt").sum() == 500 // 29


def test_the_bounds_are_options_of_the_command(tmp_path, capsys):
    from analysis import cli

    raw = kit.write(tmp_path / "raw", {"big.txt": kit.join(kit.DECL1, kit.DECL2), **good(tmp_path)})
    assert cli.main(["ingest", str(raw), "--out", str(tmp_path / "o"), "--max-rows", "40"]) == 0
    out = capsys.readouterr().out
    assert "truncated-file" in out
    decl = load(tmp_path / "o").declarations
    assert (decl["source_file"] == "big.txt").sum() == 1  # the first declaration, complete before row 40
    args = cli.build_parser().parse_args(["ingest", "--max-file-mb", "0", "--file-timeout", "2.5"])
    limits = ingest_cli.limits_from_args(args)
    assert limits.max_bytes is None and limits.seconds == 2.5 and limits.max_rows == lim.DEFAULT.max_rows


def test_a_runaway_parse_is_stopped_at_its_deadline(tmp_path, monkeypatch):
    """A file stuck where no check runs (a sleep stands for a C library that never returns)."""
    real = ing.read_file

    def stuck(path, rel):
        if rel == "stuck.txt":
            time.sleep(120)
        return real(path, rel)

    monkeypatch.setattr(ing, "read_file", stuck)
    files = {"stuck.txt": kit.join(kit.DECL2), **good(tmp_path, 3)}
    t = time.perf_counter()
    r = kit.ingest_files(tmp_path, files, limits=Limits(seconds=0.5))
    assert time.perf_counter() - t < 20
    assert codes(r, "stuck.txt") == ["file-timeout"] and len(r.declarations) == 3
    assert r.summary["files_failed"] == {"file-timeout": 1} and r.summary["ledger_ok"]


def test_a_slow_parse_stops_itself_at_its_deadline_in_process(tmp_path):
    many = kit.join(*[kit.with_year(kit.DECL1, 1000 + i) for i in range(400)])
    r = kit.ingest_files(tmp_path, {"many.txt": many, **good(tmp_path)}, limits=Limits(seconds=0.01), isolate=False)
    assert codes(r, "many.txt") == ["file-timeout"]


def test_a_dead_worker_costs_only_its_own_file(tmp_path, monkeypatch):
    marker = tmp_path / "died-once"
    real = ing.read_file

    def deadly(path, rel):
        if rel == "always.txt":
            os.kill(os.getpid(), signal.SIGKILL)
        if rel == "once.txt" and not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, rel)

    monkeypatch.setattr(ing, "read_file", deadly)
    files = {
        "always.txt": kit.join(kit.DECL2),
        "once.txt": kit.join(kit.with_year(kit.DECL2, 2030)),
        **good(tmp_path, 3),
    }
    r = kit.ingest_files(tmp_path, files)
    assert codes(r, "always.txt") == ["parse-failed"]
    assert "died twice" in r.problems.iloc[0]["message"] and "SIGKILL" in r.problems.iloc[0]["message"]
    assert marker.exists() and "parse-failed" not in codes(r, "once.txt")  # died once, retried in a fresh worker
    assert len(r.declarations) == 4
    assert r.summary["ledger_ok"]


# ---------------------------------------------------------------------------------------------
# 12. workers die with their parent


def _children(pid: int) -> set[int]:
    out = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(x) for x in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_killing_the_ingest_kills_its_workers(tmp_path):
    raw = kit.write(tmp_path / "raw", {"stuck.txt": kit.join(kit.DECL1)})
    script = textwrap.dedent(f"""
        import time, sys
        import analysis.ingest.file as ing
        from analysis.ingest import ingest
        real = ing.read_file
        def stuck(path, rel):
            time.sleep(300)
        ing.read_file = stuck
        print("start", flush=True)
        ingest({str(raw)!r}, {str(tmp_path / "out")!r})
    """)
    p = subprocess.Popen([sys.executable, "-c", script], env=env(), stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "start"
        deadline = time.monotonic() + 30
        workers: set[int] = set()
        while not workers and time.monotonic() < deadline:
            time.sleep(0.1)
            workers = _children(p.pid)
        assert workers, "no worker started"
        p.kill()
        p.wait()
        deadline = time.monotonic() + 10
        while (
            any(Path(f"/proc/{w}").exists() and "Z" not in _state(w) for w in workers) and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        assert not [w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in _state(w)]
    finally:
        if p.poll() is None:
            p.kill()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


# ---------------------------------------------------------------------------------------------
# 10. the tables as one set; 13. stale staging folders


def _consistent(out: Path) -> str:
    """Load the tables and check they are one run's: every indicator's declaration is there."""
    ds = load(out)
    assert set(ds.indicators["decl_id"]) <= set(ds.declarations["decl_id"])
    runs = {n: publish.run_of(pq.read_schema(out / f"{n}.parquet")) for n in ("declarations", "indicators", "problems")}
    assert len(set(runs.values())) == 1 and publish.current_run(out) == runs["declarations"]
    return runs["declarations"]


def test_a_kill_between_the_renames_never_leaves_a_mix(tmp_path):
    old_raw = kit.write(tmp_path / "old", {f"o{i}.txt": kit.join(kit.with_year(kit.DECL1, 1990 + i)) for i in range(3)})
    new_raw = kit.write(tmp_path / "new", {f"n{i}.txt": kit.join(kit.with_year(kit.DECL2, 2030 + i)) for i in range(3)})
    out = tmp_path / "out"
    ingest(old_raw, out)
    old_run = _consistent(out)
    script = textwrap.dedent(f"""
        import os, signal
        import analysis.publish as pub
        real = os.replace
        def replace(src, dst):
            real(src, dst)
            if str(dst) == {str(out / "declarations.parquet")!r}:
                os.kill(os.getpid(), signal.SIGKILL)  # between the first rename and the others
        pub.os.replace = replace
        from analysis.ingest import ingest
        ingest({str(new_raw)!r}, {str(out)!r})
    """)
    p = subprocess.run([sys.executable, "-c", script], env=env(), timeout=120, check=False)
    assert p.returncode == -signal.SIGKILL
    # on disk: new declarations, old indicators, the old manifest; the staging folder has the commit record
    assert publish.run_of(pq.read_schema(out / "declarations.parquet")) != old_run
    assert publish.current_run(out) == old_run
    # a reader completes the publication the dead run committed, and sees the new set
    new_run = _consistent(out)
    assert new_run != old_run
    assert sorted(load(out).declarations["year"]) == [2030, 2031, 2032]
    assert not list(out.glob(".ingest-*"))
    # plain pandas reads the same files
    assert len(pd.read_parquet(out / "indicators.parquet")) == len(load(out).indicators)


def test_a_mix_that_cannot_be_completed_is_refused_not_read(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    ingest(kit.write(tmp_path / "ra", {"x.txt": kit.join(kit.DECL1)}), a)
    ingest(kit.write(tmp_path / "rb", {"y.txt": kit.join(kit.DECL2)}), b)
    shutil.copy(b / "indicators.parquet", a / "indicators.parquet")  # another run's table, nothing to complete
    with pytest.raises(TablesInFlux):
        load(a)
    with pytest.raises(TablesInFlux):
        read_table(a, "indicators")
    assert len(read_table(a, "declarations")) == 1


def test_readers_never_see_a_mix_while_ingests_run_concurrently(tmp_path):
    raws = [
        kit.write(
            tmp_path / f"raw{k}", {f"f{i}.txt": kit.join(kit.with_year(blk, 1950 + 10 * k + i)) for i in range(8)}
        )
        for k, blk in enumerate((kit.DECL1, kit.DECL2))
    ]
    out = tmp_path / "out"
    ingest(raws[0], out)
    # (through the Python API: the command line holds the run lock of the folder, so that its
    # ingests into one folder never overlap; see test_runs.py)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", f"from analysis.ingest import ingest; ingest({str(raws[i % 2])!r}, {str(out)!r})"],
            env=env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(4)
    ]
    loads = 0
    while any(p.poll() is None for p in procs):
        ds = load(out)
        assert set(ds.indicators["decl_id"]) <= set(ds.declarations["decl_id"])
        years = set(ds.declarations["year"])
        assert years <= set(range(1950, 1958)) or years <= set(range(1960, 1968))
        assert set(ds.problems["source_file"]) <= {f"f{i}.txt" for i in range(8)}
        loads += 1
    assert all(p.wait() == 0 for p in procs)
    _consistent(out)
    assert loads > 0 and not list(out.glob(".ingest-*"))


def test_stale_staging_folders_are_removed_and_live_ones_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = out / ".ingest-dead"
    stale.mkdir()
    (stale / "declarations.parquet").write_bytes(b"half")
    (stale / publish.OWNER).write_text(json.dumps({"pid": dead.pid, "start": "1", "host": os.uname().nodename}))
    live = publish.new_staging(out)  # ours: this process is alive
    old = out / ".ingest-oldversion"  # an older version's folder, no owner record, untouched for a day
    old.mkdir()
    os.utime(old, (time.time() - 86400, time.time() - 86400))
    r = ingest(kit.write(tmp_path / "raw", good(tmp_path, 1)), out)
    assert not stale.exists() and not old.exists() and live.exists()
    assert any("已删除被中止的导入留下的 .ingest-dead" in line for line in r.summary["recovered"])
    shutil.rmtree(live)


# ---------------------------------------------------------------------------------------------
# disk full


def test_disk_full_while_publishing_leaves_the_previous_set(tmp_path, monkeypatch, capsys):
    from analysis import cli

    raw = kit.write(tmp_path / "raw", good(tmp_path, 2))
    out = tmp_path / "out"
    ingest(raw, out)
    # (the command leaves its run lock behind, empty: let go of; see test_runs.py)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != ".run.lock"}

    def full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish, "fsync_file", full)
    assert cli.main(["ingest", str(raw), "--out", str(out)]) == 2
    assert "No space left" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != ".run.lock"} == before
    assert (out / ".run.lock").read_text() == ""
    assert not list(out.glob(".ingest-*"))
    _consistent(out)


def test_a_failure_in_the_middle_of_the_renames_is_completed_later(tmp_path, monkeypatch):
    out = tmp_path / "out"
    ingest(kit.write(tmp_path / "r1", {"a.txt": kit.join(kit.DECL1)}), out)
    real = os.replace
    calls = []

    def flaky(src, dst):
        if Path(dst).parent == out and str(dst).endswith(".parquet"):
            calls.append(dst)
        if len(calls) == 2 and str(dst).endswith("indicators.parquet"):
            raise OSError(errno.EIO, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(publish.os, "replace", flaky)
    with pytest.raises(OSError):
        ingest(kit.write(tmp_path / "r2", {"b.txt": kit.join(kit.DECL2)}), out)
    monkeypatch.setattr(publish.os, "replace", real)
    staged = list(out.glob(".ingest-*"))
    assert len(staged) == 1 and (staged[0] / publish.MANIFEST).exists()  # kept: it holds the commit record
    with pytest.raises(TablesInFlux):  # its owner (this process) lives: not completed behind its back
        load(out)
    monkeypatch.setattr(publish, "owner_alive", lambda staging: False)  # as after this process ended
    assert load(out).declarations["project"].tolist() == [kit.P2]
    _consistent(out)


# ---------------------------------------------------------------------------------------------
# 14. entries that are no readable file


def test_a_fifo_and_a_dangling_link_are_reported_never_opened(tmp_path):
    raw = kit.write(tmp_path / "raw", good(tmp_path, 1))
    os.mkfifo(raw / "pipe.txt")
    os.symlink(raw / "gone.txt", raw / "link.txt")
    p = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(raw), "--out", str(tmp_path / "out")],
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert p.returncode == 0, p.stderr
    ds = load(tmp_path / "out")
    rows = ds.problems.set_index("source_file")
    assert rows.loc["pipe.txt", "code"] == "unreadable-file" and "FIFO" in rows.loc["pipe.txt", "message"]
    assert rows.loc["link.txt", "code"] == "unreadable-file" and "gone.txt" in rows.loc["link.txt", "message"]
    assert len(ds.declarations) == 1
    assert "文件：3 = 1 个有申报表 + 2 个没有" in p.stdout


def test_a_folder_that_cannot_be_listed_is_reported(tmp_path, monkeypatch):
    raw = kit.write(tmp_path / "raw", {**good(tmp_path, 1), "locked/inner.txt": kit.join(kit.DECL2)})
    real = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(listing.os, "scandir", scandir)
    r = ingest(raw)
    row = r.problems.set_index("source_file").loc["locked"]
    assert row["code"] == "unreadable-file" and "cannot be listed" in row["message"]
    assert r.summary["files"] == 2 and r.summary["files_without_declaration"] == 1 and r.summary["ledger_ok"]


# ---------------------------------------------------------------------------------------------
# done when: every hostile file in one folder


def test_a_folder_of_every_hostile_file(tmp_path):
    """Every hostile file of both rounds beside good declarations: the ingest ends in bounded
    time and memory, keeps every good declaration, names every hostile file in a problem row
    and writes at most 1,000 of them."""
    raw = tmp_path / "raw"
    shutil.copytree(hostile.HERE, raw)
    kit.write(raw, {"seed.txt": kit.SEED.read_bytes()})
    big = hostile.make_big(raw)
    special = hostile.make_special(raw)
    round_two = hostile.make_round_two(raw / "round-two")
    links = hostile.make_links(raw, tmp_path / "outside")
    m = _measured([sys.executable, "-m", "analysis", "ingest", str(raw), "--out", str(tmp_path / "out")], timeout=300)
    print(f"every hostile file: {m['seconds']:.1f} s, peak RSS {m['rss_mib']:.0f} MiB (largest process)")
    assert m["rc"] == 0, m["err"]
    assert m["seconds"] < 60 and m["rss_mib"] < 1024
    ds = load(tmp_path / "out")
    assert len(ds.problems) <= 1000
    errors = ds.problems[ds.problems["severity"] == "error"]
    bad = {
        **big,
        **{k: v for k, v in special.items() if v != "bad-file-name"},
        "forged-size.xlsx": "unreadable-file",
        **{f"round-two/{k}": v for k, v in round_two.items()},
        **{k: v for k, v in links.items() if v},
    }
    for name, code in bad.items():  # each bad file named by an error row of its code
        assert code in errors[errors["source_file"] == name]["code"].tolist(), name
    for name in ("round-two/fields.txt", "junk-4mb.txt", "round-two/junk-tail.txt"):
        assert (ds.problems["source_file"] == name).sum() <= 25, name  # folded
    # the good declarations are all there: the seed's two, one per small hostile text, the
    # GBK-named file's, the junk-tailed files' (before the row bound) and the two links read
    expected = 2 + sum(n for n, _, _ in hostile.EXPECTED.values()) + 1 + 2 + 2
    assert len(ds.declarations) == expected
    assert not {2041, 2044} & set(ds.declarations["year"])  # behind links out that are not followed
    assert "DOES NOT RECONCILE" not in m["out"] and "WITHOUT AN ERROR ROW" not in m["out"]


def test_a_slow_first_file_holds_results_back_without_stalling_the_pool(tmp_path):
    """The first file is slow, then dies once, while the other worker finishes everything else:
    results wait in a bounded window, and the retried file goes out although the window is full."""
    files = {f"f{i:03d}.txt": kit.join(kit.with_year(kit.DECL1, 1800 + i)) for i in range(150)}
    raw = kit.write(tmp_path / "raw", files)
    marker = tmp_path / "died"
    script = textwrap.dedent(f"""
        import os, signal, time
        from pathlib import Path
        import analysis.ingest.file as ing
        from analysis.ingest import ingest
        real = ing.read_file
        def slow(path, rel):
            if rel == "f000.txt" and not Path({str(marker)!r}).exists():
                time.sleep(3)
                Path({str(marker)!r}).touch()
                os.kill(os.getpid(), signal.SIGKILL)
            return real(path, rel)
        ing.read_file = slow
        r = ingest({str(raw)!r}, jobs=2)
        print(len(r.declarations), r.summary["ledger_ok"], len(r.problems))
    """)
    p = subprocess.run(
        [sys.executable, "-c", script], env=env(), capture_output=True, text=True, timeout=120, check=False
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["150", "True", "0"] and marker.exists()  # f000 retried and read


# ---------------------------------------------------------------------------------------------
# round two: links out of the input, rows beyond the bound, problems folded


def test_a_link_out_of_the_input_folder_is_followed_only_to_a_declaration_file(tmp_path):
    raw = tmp_path / "raw"
    made = hostile.make_links(raw, tmp_path / "elsewhere")
    kit.write(raw, good(tmp_path, 1))
    r = ingest(raw, tmp_path / "out")
    for name, code in made.items():
        if code is not None:
            rows = r.problems[r.problems["source_file"] == name]
            assert rows["code"].tolist() == [code], name
            assert "outside the input folder" in rows["message"].iloc[0]
    years = set(r.declarations["year"])
    assert not {2041, 2044} & years  # behind a folder link out, and a link out to a file of no format read
    assert {2042, 2043} <= years  # a link inside, and a link out to a declaration file
    assert set(r.declarations["source_file"]) == {"kept-link.txt", "elsewhere.txt", "good0.txt"}
    assert r.summary["ledger_ok"] and r.summary["files"] == 5


def test_a_folder_of_links_to_declarations_kept_elsewhere_is_read(tmp_path):
    """Analysts gather files from a share by linking them into one folder: each link is read
    under its own name, as the file itself would be."""
    store = kit.write(tmp_path / "share", good(tmp_path, 3))
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in sorted(store.iterdir()):
        os.symlink(f, raw / f.name)
    r = ingest(raw, tmp_path / "out")
    assert r.problems.empty and len(r.declarations) == 3
    assert set(r.declarations["source_file"]) == {f.name for f in store.iterdir()}


def test_a_junk_tail_past_the_row_bound_keeps_the_declaration_before_it(tmp_path):
    r = kit.ingest_files(tmp_path, {"tail.txt": hostile.junk_tail(300_000), **good(tmp_path, 1)})
    assert set(r.declarations["source_file"]) == {"tail.txt", "good0.txt"}
    assert len(r.indicators[r.indicators["decl_id"].isin(r.declarations["decl_id"])]) == len(r.indicators)
    msg = r.problems[r.problems["code"] == "truncated-file"]["message"].tolist()
    assert len(msg) == 1 and "50,000 rows" in msg[0] and "rows passed over" in msg[0]


def test_a_declaration_the_row_bound_cuts_is_left_out_and_said(tmp_path):
    text = kit.join(kit.with_year(kit.DECL1, 2031), kit.with_year(kit.DECL2, 2032))
    r = kit.ingest_files(tmp_path, {"two.txt": text}, limits=Limits(max_rows=45))
    assert r.declarations["year"].tolist() == [2031]
    msg = r.problems[r.problems["code"] == "truncated-file"]["message"].iloc[0]
    assert "the declaration at line 30, which runs up to the limit, is left out" in msg


def test_errors_of_one_code_are_folded_and_still_counted(tmp_path):
    r = kit.ingest_files(tmp_path, {"f.txt": hostile.many_fields(50_000), **good(tmp_path, 1)})
    missing = r.problems[r.problems["code"] == "missing-field"]
    assert len(missing) == 21
    assert "and 49,980 more missing-field error(s)" in missing["message"].iloc[-1]
    assert r.summary["problems_by_code"]["missing-field"] == 50_000  # the ledger counts every one
    assert r.summary["ledger_ok"] and len(r.declarations) == 1


def test_an_xlsx_over_the_row_bound_keeps_its_first_rows(tmp_path):
    rows = [line.split("\t") for line in kit.with_year(kit.DECL1, 2033)] + [["x"]] * 200
    r = kit.ingest_files(tmp_path, {"w.xlsx": kit.to_workbook({"Sheet1": rows})}, limits=Limits(max_rows=100))
    assert r.declarations["year"].tolist() == [2033]
    msg = r.problems[r.problems["code"] == "truncated-file"]["message"].iloc[0]
    assert "more than 100 rows" in msg and "128 rows passed over" in msg


def test_names_equal_once_normalised_are_told_apart(tmp_path):
    nfc, nfd = "caf\u00e9.txt", "cafe\u0301.txt"
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / nfc).write_text(kit.join(kit.with_year(kit.DECL1, 2034)), "utf-8")
    (raw / nfd).write_text(kit.join(kit.with_year(kit.DECL1, 2034)), "utf-8")  # the same declaration
    r = ingest(raw, tmp_path / "out")
    assert set(r.declarations["source_file"]) <= {nfc, "cafe\\u0301.txt"}
    dup = r.problems[r.problems["code"] == "duplicate-declaration"]["message"].iloc[0]
    assert "cafe\\u0301.txt" in dup and nfc in dup  # both names, each recognisable
    look = r.problems[r.problems["code"] == "lookalike-name"]
    assert look["source_file"].tolist() == ["cafe\\u0301.txt"]
