"""The report batch under faults: an ingest publishing meanwhile, an export that fails, a full
disk, a kernel killed or failing to start, an output folder that cannot be written, numbers
on the command line that are no bound.

Fast: the batch's own steps with the rendering replaced (no kernel). Slow: real kernels.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import cli
from analysis.reports import batch, export, index, render
from analysis.reports.plan import Result
from analysis.tables import read_table

from seedkit import SEED_UNIT, UNITS, make_processed

OTHER = "另一批次的单位"


def _fake_render(seen: dict, before=None):
    """A ``run_local`` that renders nothing: it records which tables each report would read
    (and runs ``before`` first, as a fault while the batch runs)."""

    def run_local(todo, jobs, timeout, kernel, on_done, quiet=True):
        if before is not None:
            before()
        for t in todo:
            units = set(read_table(t.parameters["processed_dir"], "declarations")["unit"])
            seen[t.name] = t.name in units if t.kind == "unit" else bool(units)
            on_done(Result(t.kind, t.name, t.stem, "rendered", out_html=t.out_html, out_ipynb=t.out_ipynb))

    return run_local


def test_a_batch_reads_one_set_of_tables_while_an_ingest_replaces_them(tmp_path, monkeypatch):
    processed = make_processed(tmp_path / "processed", units=UNITS)
    newer = make_processed(tmp_path / "newer", units=[OTHER])

    def ingest_publishes():  # as an ingest does: each table replaced whole (os.replace)
        for f in newer.iterdir():
            os.replace(f, processed / f.name)

    seen: dict = {}
    monkeypatch.setattr(batch, "run_local", _fake_render(seen, ingest_publishes))
    out = tmp_path / "reports"
    results = batch.run_batch(processed, out, jobs=1, export=True, quiet=True)
    assert set(read_table(processed, "declarations")["unit"]) == {OTHER}  # the ingest did publish
    assert {r.name for r in results if r.kind == "unit"} == set(UNITS)
    assert seen and all(seen.values()), seen  # every report found its unit in the tables it read
    page = (out / "index.html").read_text("utf-8")
    assert SEED_UNIT in page and OTHER not in page
    assert not results.export_error
    assert "declarations" in {p.stem for p in (out / "tables").iterdir()}


def test_a_failed_export_leaves_an_index_that_says_so(tmp_path, monkeypatch):
    processed = make_processed(tmp_path / "processed", units=UNITS)
    out = tmp_path / "reports"
    out.mkdir()
    (out / "tables").write_text("a file where the export's folder goes")
    monkeypatch.setattr(batch, "run_local", _fake_render({}))
    results = batch.run_batch(processed, out, jobs=1, quiet=True)
    assert results.export_error
    page = (out / "index.html").read_text("utf-8")
    assert "数据表导出失败" in page
    assert not list(out.rglob("*.tmp"))


def test_a_full_disk_during_the_export_leaves_an_index_and_no_tmp(tmp_path, monkeypatch):
    processed = make_processed(tmp_path / "processed", units=UNITS)
    out = tmp_path / "reports"

    def full_disk(processed, out_dir, *a, **k):
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "tables.xlsx.tmp").write_bytes(b"\0" * 1000)  # what the disk could take
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "export_tables", full_disk)
    monkeypatch.setattr(batch, "run_local", _fake_render({}))
    results = batch.run_batch(processed, out, jobs=1, quiet=True)
    assert "No space left" in results.export_error
    assert "No space left on device" in (out / "index.html").read_text("utf-8")
    assert not list(out.rglob("*.tmp"))

    # the index itself cannot be written: an error, and no index.html.tmp left behind
    monkeypatch.setattr(index.os, "replace", _raise(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(OSError):
        batch.run_batch(processed, out, jobs=1, quiet=True, export=False)
    assert not list(out.rglob("*.tmp"))


def _raise(exc):
    def f(*_a, **_k):
        raise exc

    return f


@pytest.mark.parametrize("where", ["under-a-file", "read-only"])
def test_an_output_folder_that_cannot_be_written_gives_one_line(tmp_path, monkeypatch, capsys, where):
    processed = make_processed(tmp_path / "processed", units=UNITS)
    if where == "under-a-file":
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "reports"
    else:
        out = tmp_path / "ro"
        monkeypatch.setattr(Path, "mkdir", _raise(PermissionError(errno.EACCES, "Permission denied", str(out))))
    code = cli.main(["reports", "--processed", str(processed), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith(f"错误：无法把报告写入 {out}"), err
    code = cli.main(["--lang", "en", "export", "--processed", str(processed), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "cannot write the tables" in err[0], err


@pytest.mark.parametrize(
    "argv, says, zh",
    [
        (["ingest", "--file-timeout", "inf"], "no finite number", "不是有限的数"),
        (["ingest", "--file-timeout", "nan"], "no finite number", "不是有限的数"),
        (["ingest", "--file-timeout", "-1"], "above 0, or 0 (no bound)", "大于 0 的数（秒数），或 0（不设上限）"),
        (["ingest", "--max-file-mb", "1e400"], "no finite number", "不是有限的数"),
        (["ingest", "--max-rows", "1.5"], "not a whole number", "不是整数（行数）"),
        (["ingest", "--jobs", "0"], "above 0", "大于 0 的整数（进程数）"),
        (["reports", "--timeout", "inf"], "no finite number", "不是有限的数"),
        (["reports", "--timeout", "1e9"], "at most 604,800", "最大 604,800"),
        (["export", "--max-workbook-rows", "2000000"], "at most 1,048,575", "最大 1,048,575"),
    ],
)
def test_numbers_on_the_command_line_are_checked(argv, says, zh, capsys):
    for lang, expected in (("en", says), ("zh", zh)):
        with pytest.raises(SystemExit) as exit_:
            cli.main(["--lang", lang, *argv])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err, err


def test_a_bound_of_zero_still_switches_it_off():
    from analysis.ingest.cli import limits_from_args

    args = cli.build_parser("ingest").parse_args(["ingest", "--file-timeout", "0", "--max-file-mb", "0"])
    lim = limits_from_args(args)
    assert lim.seconds is None and lim.max_bytes is None


# ----------------------------------------------------------------------------- real kernels


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('unit = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _task(notebook: Path, out: Path, name: str) -> batch.Task:
    stem = batch.safe_name(name)
    return batch.Task(
        "unit",
        name,
        stem,
        str(notebook),
        {"unit": name},
        str(out / "notebooks" / f"{stem}.ipynb"),
        str(out / "units" / f"{stem}.html"),
    )


@pytest.mark.slow
def test_a_killed_kernel_is_restarted_and_its_report_tried_again(tmp_path):
    marker = tmp_path / "killed"
    nb = _notebook(
        tmp_path / "kill.ipynb",
        "import json, os, signal\n"
        f"if not os.path.exists({str(marker)!r}):\n"
        f"    open({str(marker)!r}, 'w').close()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "print('survived')",
    )
    r = render.Renderer(timeout=60)
    try:
        result = r.render(_task(nb, tmp_path / "out", "甲"))
        assert result.status == "rendered", result.error
        assert "DeadKernel" in result.extra["retried"] or "died" in result.extra["retried"].lower()
        assert r.kernels_started == 2
        assert r.kernel.km.transport == "ipc"  # local kernels on Unix sockets: no TCP port to race for
    finally:
        r.close()


@pytest.mark.slow
def test_a_kernel_that_fails_to_start_is_started_again(tmp_path, monkeypatch):
    import zmq

    from analysis.reports import kernels

    real = kernels.WarmKernel.start
    calls = []

    def flaky(self):
        calls.append(1)
        if len(calls) == 1:
            raise zmq.ZMQError(errno.EADDRINUSE, "Address already in use")
        return real(self)

    monkeypatch.setattr(kernels.WarmKernel, "start", flaky)
    nb = _notebook(tmp_path / "ok.ipynb", "print('ok')")
    r = render.Renderer(timeout=60)
    try:
        result = r.render(_task(nb, tmp_path / "out", "乙"))
        assert result.status == "rendered", result.error
        assert "Address already in use" in result.extra["retried"]
        assert len(calls) == 2
    finally:
        r.close()


@pytest.mark.slow
def test_a_batch_during_an_ingest_renders_every_report_from_one_set(tmp_path):
    """Real reports: an ingest publishes a new set (other units) while the batch runs."""
    import subprocess

    processed = make_processed(tmp_path / "processed", units=UNITS)
    newer = make_processed(tmp_path / "newer", units=[OTHER])
    out = tmp_path / "reports"
    code = (
        "import os, sys, threading, time\n"
        "from pathlib import Path\n"
        "from analysis.reports import batch, runners\n"
        "real = runners.run_local\n"
        "def run_local(todo, *a, **k):\n"
        "    def publish():\n"
        "        time.sleep(3)\n"
        f"        for f in Path({str(newer)!r}).iterdir(): os.replace(f, Path({str(processed)!r}) / f.name)\n"
        "    threading.Thread(target=publish).start()\n"
        "    return real(todo, *a, **k)\n"
        "batch.run_local = run_local\n"
        f"r = batch.run_batch({str(processed)!r}, {str(out)!r}, jobs=2, years=[2021], units={UNITS!r}, "
        "export=False, quiet=True)\n"
        "print([(x.name, x.status, x.error) for x in r])\n"
        "sys.exit(any(x.status != 'rendered' for x in r))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(read_table(processed, "declarations")["unit"]) == {OTHER}


@pytest.mark.slow
def test_the_overview_of_every_hostile_file_stays_small(tmp_path):
    """The overview of a folder of every hostile file (half a million findings, folded) renders
    in bounded time and is a page of less than 5 MB."""
    import shutil
    import time

    import hostile

    from analysis.ingest import ingest
    from analysis.reports.plan import plan

    import seedkit as kit

    raw = tmp_path / "raw"
    shutil.copytree(hostile.HERE, raw)
    kit.write(raw, {"seed.txt": kit.SEED.read_bytes()})
    hostile.make_big(raw)
    hostile.make_round_two(raw / "round-two")
    processed = tmp_path / "processed"
    ingest(raw, processed)
    out = tmp_path / "reports"
    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    task = next(t for t in plan(processed, out, notebooks, units=[], years=[], overview=True) if t.kind == "overview")
    r = render.Renderer(timeout=300)
    try:
        start = time.perf_counter()
        result = r.render(task)
        seconds = time.perf_counter() - start
    finally:
        r.close()
    assert result.status == "rendered", result.error
    size = Path(task.out_html).stat().st_size
    print(f"overview of every hostile file: {seconds:.1f} s, {size / 1e6:.2f} MB")
    assert size < 5e6 and seconds < 300
    page = Path(task.out_html).read_text("utf-8")
    assert "399,980" in page, "the folded count of the 400,000 missing fields is not on the page"


def test_a_folded_problem_row_keeps_its_count_in_chinese():
    """Fast: the row standing for 399,980 folded problems says so in the reports' Chinese."""
    from analysis.problems import chinese_message

    said = chinese_message(
        "missing-field",
        "x.txt: and 399,980 more missing-field error(s) in this file, the first at line 3 "
        "(x.txt, line 3: declaration without 项目名称; it is not in the tables); only the first 20 are listed one by one",
        "x.txt",
    )
    assert "399,980" in said and "前 20 条" in said and "第 3 行" in said
    assert not __import__("re").search(r"[A-Za-z]{3,}", said)
