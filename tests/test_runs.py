"""``python -m analysis run``, the command for schedulers: the lock, the shrink guard, the summary
and the digest, paths as people write them. Fast: the reports stage left out (``reports=False``)
or the lock held by a process of the test's own; the runs with real notebooks are marked slow."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis import publish
from analysis.cli import main
from analysis.messages import in_language
from analysis.runs import REFUSED, USAGE, lock, nightly
from analysis.runs.digest import format_digest

from seedkit import DECL1, DECL2, HEAD, P1, join, replace

ROOT = Path(__file__).resolve().parents[1]


def _raw(folder: Path) -> Path:
    """The seed's two declarations, one a file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(join(HEAD, DECL1), "utf-8")
    (folder / "b.txt").write_text(join(HEAD, DECL2), "utf-8")
    return folder


def _run(tmp_path: Path, raw: Path, **kw) -> int:
    return nightly(raw, tmp_path / "processed", tmp_path / "reports", jobs=1, reports=False, **kw)


def _record(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "reports" / "run.json").read_text("utf-8"))


def _hold_lock(folders: list[Path]) -> subprocess.Popen:
    """A process holding the run lock of ``folders`` until killed (it says ``held`` once it has it)."""
    code = (
        "import sys, time\n"
        "from analysis.runs import lock\n"
        "with lock.hold(sys.argv[1:]):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(120)\n"
    )
    p = subprocess.Popen([sys.executable, "-c", code, *map(str, folders)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


def test_a_run_publishes_the_tables_and_writes_its_summary_and_digest(tmp_path):
    raw = _raw(tmp_path / "raw")
    assert _run(tmp_path, raw) == 0
    rec = _record(tmp_path)
    assert rec["status"] == 0 and rec["status_text"] == "全部完成"
    assert rec["ingest"]["files"] == 2 and rec["ingest"]["declarations"] == 2
    assert set(rec["seconds"]) >= {"ingest", "compare", "publish", "total"}
    assert rec["changes"]["first"] is True
    assert publish.read_manifest(tmp_path / "processed")["tables"]["declarations"]["rows"] == 2
    assert not (tmp_path / "processed" / ".run-next").exists()
    digest = (tmp_path / "reports" / "run.txt").read_text("utf-8")
    assert "首次运行" in digest and "退出状态 0（全部完成）" in digest
    log = (tmp_path / "reports" / "run.log").read_text("utf-8")
    assert "导入：2 个文件，申报表 2 份" in log
    assert log.splitlines()[0][:4].isdigit()  # time stamped
    assert (tmp_path / "processed" / lock.LOCK).read_text() == ""  # let go


def test_a_second_run_while_one_holds_the_lock_stops_at_once_with_status_3(tmp_path, capsys):
    raw = _raw(tmp_path / "raw")
    assert _run(tmp_path, raw) == 0
    manifest = publish.read_manifest(tmp_path / "processed")
    summary = (tmp_path / "reports" / "run.json").read_bytes()
    holder = _hold_lock([tmp_path / "processed", tmp_path / "reports"])
    try:
        (raw / "a.txt").unlink()  # whatever it would do, it does nothing
        started = time.monotonic()
        folders = ["--processed", str(tmp_path / "processed"), "--out", str(tmp_path / "reports")]
        status = main(["run", "--raw", str(raw), *folders])
        assert status == REFUSED
        assert f"运行 {holder.pid}" in capsys.readouterr().err
        status = main(["--lang", "en", "run", "--raw", str(raw), *folders])
        assert time.monotonic() - started < 30
    finally:
        holder.kill()
        holder.wait()
    assert status == REFUSED
    err = capsys.readouterr().err
    assert f"is locked by run {holder.pid} on" in err and "another run is going" in err
    assert publish.read_manifest(tmp_path / "processed") == manifest
    assert (tmp_path / "reports" / "run.json").read_bytes() == summary


def test_a_lock_left_by_a_killed_run_is_taken_over_and_said_in_the_log(tmp_path, caplog):
    raw = _raw(tmp_path / "raw")
    holder = _hold_lock([tmp_path / "processed", tmp_path / "reports"])
    holder.send_signal(signal.SIGKILL)  # no chance to let go: its record stays in the lock files
    holder.wait()
    assert json.loads((tmp_path / "processed" / lock.LOCK).read_text())["pid"] == holder.pid
    with caplog.at_level("INFO", logger="analysis.run"):
        assert _run(tmp_path, raw) == 0
    stale = [r.getMessage() for r in caplog.records if "此锁已失效" in r.getMessage()]
    assert len(stale) == 2 and all(f"上的运行 {holder.pid}" in m and "已接管" in m for m in stale)
    assert _record(tmp_path)["ingest"]["declarations"] == 2


def test_an_ingest_or_reports_started_while_a_run_holds_the_lock_stop_at_once_with_status_3(tmp_path, capsys):
    raw = _raw(tmp_path / "raw")
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    assert _run(tmp_path, raw) == 0
    manifest = publish.read_manifest(processed)
    holder = _hold_lock([processed, reports])  # a scheduled run going
    try:
        (raw / "a.txt").unlink()  # whatever they would do, they do nothing
        started = time.monotonic()
        ingest_status = main(["ingest", str(raw), "--out", str(processed), "--jobs", "1"])
        assert f"错误：{processed} 已被" in capsys.readouterr().err
        ingest_status = main(["--lang", "en", "ingest", str(raw), "--out", str(processed), "--jobs", "1"])
        ingest_err = capsys.readouterr().err
        argv = ["reports", "--processed", str(processed), "--out", str(reports), "--quiet"]
        reports_status = main(["--lang", "en", *argv])
        reports_err = capsys.readouterr().err
        assert time.monotonic() - started < 30
    finally:
        holder.kill()
        holder.wait()
    assert ingest_status == REFUSED == lock.BUSY and reports_status == REFUSED
    for err, folder in ((ingest_err, processed), (reports_err, reports)):
        assert err.strip().splitlines() == [
            f"error: {folder} is locked by run {holder.pid} on {__import__('socket').gethostname()} "
            f"(since {json.loads((folder / lock.LOCK).read_text())['since']}): another run is going; this one stops"
        ]
    assert publish.read_manifest(processed) == manifest
    assert not (reports / "index.html").exists()


def test_a_run_started_while_an_ingest_command_goes_stops_with_status_3(tmp_path, caplog):
    """The ingest command holds the lock a scheduled run takes: the run stops, naming it."""
    raw = _raw(tmp_path / "raw")
    processed = tmp_path / "processed"
    code = (
        "import sys, time\n"
        "import analysis.ingest.file as f\n"
        "real = f.read_file\n"
        "def slow(path, rel):\n"
        "    print('reading', flush=True)\n"
        "    time.sleep(60)\n"
        "    return real(path, rel)\n"
        "f.read_file = slow\n"
        "from analysis.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    cmd = [sys.executable, "-c", code, "ingest", str(raw), "--out", str(processed), "--jobs", "1"]
    ingesting = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert ingesting.stdout.readline().strip() == "reading"
        with caplog.at_level("INFO", logger="analysis.run"):
            assert _run(tmp_path, raw) == REFUSED
    finally:
        ingesting.kill()
        ingesting.wait()
    said = [r.getMessage() for r in caplog.records]
    assert any(f"{processed} 已被" in m and f"上的运行 {ingesting.pid}（" in m for m in said), said


def test_a_lock_left_by_a_killed_ingest_is_taken_over_by_the_next_ingest_and_reports(tmp_path, capsys, monkeypatch):
    from analysis.reports import batch

    raw = _raw(tmp_path / "raw")
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    holder = _hold_lock([processed, reports])
    holder.send_signal(signal.SIGKILL)  # its record stays in the lock files
    holder.wait()
    assert main(["--lang", "en", "ingest", str(raw), "--out", str(processed), "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert f"note: {processed / lock.LOCK}: the lock left by run {holder.pid} on" in err and "taken over" in err
    assert publish.read_manifest(processed)["tables"]["declarations"]["rows"] == 2
    assert (processed / lock.LOCK).read_text() == ""  # let go

    monkeypatch.setattr(batch, "run_batch", lambda *a, **k: batch.Results())  # (no notebook run)
    assert main(["reports", "--processed", str(processed), "--out", str(reports), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"注：{reports / lock.LOCK}：" in err and f"上的运行 {holder.pid}" in err and "此锁已失效，已接管" in err
    assert (reports / lock.LOCK).read_text() == ""


def test_without_flock_a_record_of_a_live_run_still_locks(tmp_path, monkeypatch):
    """On a file system without flock the record decides: this process's parent is alive."""
    import fcntl

    def no_flock(fd, op):
        raise OSError(38, "Function not implemented")

    folder = tmp_path / "processed"
    folder.mkdir()
    record = {"pid": os.getppid(), "host": __import__("socket").gethostname(), "start": None, "since": "then"}
    (folder / lock.LOCK).write_text(json.dumps(record))
    monkeypatch.setattr(fcntl, "flock", no_flock)
    with pytest.raises(lock.Busy, match=f"运行 {os.getppid()}"):
        with lock.hold([folder]):
            pass
    record["pid"] = 2**22 + 1  # beyond pid_max: gone
    (folder / lock.LOCK).write_text(json.dumps(record))
    notes = []
    with lock.hold([folder], on_note=notes.append):
        pass
    assert len(notes) == 1 and "此锁已失效" in notes[0]


def test_an_empty_input_folder_keeps_the_tables_and_reports_and_exits_3(tmp_path, english):
    raw = _raw(tmp_path / "raw")
    assert _run(tmp_path, raw) == 0
    processed = tmp_path / "processed"
    before = {p.name: p.read_bytes() for p in processed.glob("*") if p.is_file() and p.name != lock.LOCK}
    report = tmp_path / "reports" / "units" / "a.html"
    report.parent.mkdir()
    report.write_text("a report of the last run")
    for f in raw.iterdir():
        f.unlink()  # a share that did not mount
    assert _run(tmp_path, raw) == REFUSED
    after = {p.name: p.read_bytes() for p in processed.glob("*") if p.is_file() and p.name != lock.LOCK}
    assert after == before
    assert report.read_text() == "a report of the last run"
    assert not (processed / ".run-next").exists()
    rec = _record(tmp_path)
    assert rec["status"] == 3 and "reports" not in rec
    assert any("0 declarations where the tables hold 2" in w and "is empty" in w for w in rec["why"])
    digest = (tmp_path / "reports" / "run.txt").read_text("utf-8")
    assert "REFUSED" in digest and "--allow-shrink" in digest

    # --allow-shrink replaces them
    assert _run(tmp_path, raw, allow_shrink=True) == 0
    assert publish.read_manifest(processed)["tables"]["declarations"]["rows"] == 0


def test_a_missing_input_folder_is_bad_usage(tmp_path):
    assert _run(tmp_path, tmp_path / "nowhere") == USAGE
    assert not (tmp_path / "reports" / "run.json").exists()


def test_the_digest_after_a_second_run_names_the_new_and_the_changed_declarations(tmp_path):
    raw = _raw(tmp_path / "raw")
    assert _run(tmp_path, raw) == 0
    # one file new (a third project), one changed (a target and the budget of the second)
    (raw / "c.txt").write_text(join(HEAD, replace(DECL1, P1, "绿化市容热线回访经费")), "utf-8")
    changed = list(DECL2)
    line = next(i for i, x in enumerate(changed) if "项目当年预算" in x)
    cells = changed[line].split("\t")
    cells[next(i for i, c in enumerate(cells) if "项目当年预算" in c) + 1] = "999,999"
    changed[line] = "\t".join(cells)
    (raw / "b.txt").write_text(join(HEAD, changed), "utf-8")
    assert _run(tmp_path, raw) == 0
    rec = _record(tmp_path)
    d = rec["changes"]["declarations"]
    assert d["counts"] == {"new": 1, "changed": 1, "removed": 0}
    assert d["new"][0]["what"].endswith("/ 2020 / 绿化市容热线回访经费") and d["new"][0]["file"] == "c.txt"
    assert d["changed"][0]["file"] == "b.txt" and "year_budget" in d["changed"][0]["fields"]
    digest = (tmp_path / "reports" / "run.txt").read_text("utf-8")
    assert "申报表新增 1 份、改动 1 份、删除 0 份" in digest
    assert "绿化市容热线回访经费（c.txt）" in digest
    assert "：当年预算（b.txt）" in digest  # the column that changed, by its heading
    # a new problem, said as the reports say it: the year's budget above the total
    assert "year-over-total：b.txt：项目当年预算 999,999.00 元超过项目总预算" in digest
    assert "当年预算超过项目总预算（consist.year_over_total）" in digest  # a new failure of the review, in its words
    assert digest == format_digest(rec)
    with in_language("en"):
        english = format_digest(rec)
    assert "1 new, 1 changed, 0 removed declarations" in english and "绿化市容热线回访经费  (c.txt)" in english
    assert "warning year-over-total: b.txt, line" in english and "新增的申报表" not in english


def test_paths_with_a_tilde_or_a_variable_are_expanded(tmp_path, monkeypatch):
    raw = _raw(tmp_path / "raw")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RAWX", str(raw))
    monkeypatch.chdir(tmp_path)
    from analysis.runs import run as run_command

    monkeypatch.setattr("analysis.runs.nightly", lambda *a, **k: nightly(*a, **{**k, "reports": False}))
    assert main(["run", "--raw", "$RAWX", "--processed", "~/p", "--out", "${HOME}/r", "--jobs", "1"]) == 0
    assert (tmp_path / "home" / "p" / "declarations.parquet").exists()
    assert (tmp_path / "home" / "r" / "run.json").exists()
    assert not (tmp_path / "~").exists() and not (tmp_path / "$HOME").exists()
    assert run_command  # the command's entry point


def test_the_run_command_is_listed_with_its_exit_statuses():
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "run", "--help"], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    assert "--allow-shrink" in out and "--raw" in out and "--scheduler" in out


@pytest.mark.parametrize("given", [2020, "2020", " 2020\n", 2020.0, "2020.0"])
def test_a_year_given_as_text_is_taken_as_the_year(given):
    from analysis.reports.show import as_year

    assert as_year(given) == 2020 and isinstance(as_year(given), int)


@pytest.mark.parametrize("given", ["二〇二〇", "2020.5", None, True])
def test_what_is_no_year_is_left_for_the_report_to_name(given):
    from analysis.reports.show import as_year

    assert as_year(given) is given


# ----------------------------------------------------------------------------- slow: real reports

SECOND = "上海市绿化和市容管理局监督所"


def _notebooks_failing_for(unit: str, dest: Path) -> Path:
    """The project's notebooks, the unit report failing for ``unit`` (a cell after the parameters)."""
    import nbformat

    shutil.copytree(ROOT / "notebooks", dest)
    path = dest / "unit_report.ipynb"
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(f"assert unit != {unit!r}, 'a report that fails'"))
    nbformat.write(nb, path)
    return dest


def _pages(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}


@pytest.mark.slow
def test_real_runs_a_failing_report_then_what_changed_then_an_empty_input(tmp_path):
    from seedkit import UNIT

    raw = _raw(tmp_path / "raw")
    (raw / "b.txt").write_text(join(HEAD, replace(DECL2, UNIT, SECOND)), "utf-8")
    notebooks = _notebooks_failing_for(SECOND, tmp_path / "notebooks")
    processed, out = tmp_path / "processed", tmp_path / "reports"

    def run() -> int:
        return nightly(raw, processed, out, jobs=1, notebooks=notebooks, progress=False)

    # a report fails: status 1, the rest rendered, the index and the export written
    assert run() == 1
    rec = _record(tmp_path)
    assert rec["reports"]["failed"] == 1 and rec["reports"]["rendered"] == rec["reports"]["total"] - 1 >= 3
    assert [f["name"] for f in rec["reports"]["failed_reports"]] == [SECOND]
    assert "a report that fails" in rec["reports"]["failed_reports"][0]["error"]
    assert (out / "index.html").exists() and (out / "tables" / "tables.xlsx").exists()
    digest = (out / "run.txt").read_text("utf-8")
    assert "退出状态 1" in digest and f"失败的报告（1）：\n  单位 {SECOND}" in digest

    # a new declaration of the first unit: its report changes, the failing one still fails
    (raw / "c.txt").write_text(join(HEAD, replace(DECL1, P1, "绿化市容热线回访经费")), "utf-8")
    assert run() == 1
    rec = _record(tmp_path)
    assert rec["changes"]["declarations"]["counts"] == {"new": 1, "changed": 0, "removed": 0}
    changed_units = [e["name"] for e in rec["report_changes"]["changed"] if e["kind"] == "unit"]
    assert changed_units == [UNIT]
    digest = (out / "run.txt").read_text("utf-8")
    assert f"报告有变化的单位（1）：\n  {UNIT}" in digest

    # the input folder empty: refused, every table and page as it was
    pages = _pages(out)
    tables = {p.name: p.read_bytes() for p in processed.glob("*.parquet")}
    for f in raw.iterdir():
        f.unlink()
    assert run() == REFUSED
    assert _pages(out) == pages
    assert {p.name: p.read_bytes() for p in processed.glob("*.parquet")} == tables


@pytest.mark.slow
def test_the_dask_path_shows_no_kernel_transport_warning(tmp_path):
    from seedkit import make_processed

    processed = make_processed(tmp_path / "processed")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "reports",
            "--processed",
            str(processed),
            "--out",
            str(tmp_path / "reports"),
            "--scheduler",
            "local",
            "--jobs",
            "1",
            "--no-export",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "without encryption" not in r.stderr and "TCP" not in r.stderr
