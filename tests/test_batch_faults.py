"""The warm report workers: isolation between reports, the same reports as the cold path, faults.

Fast: the kernel's table cache gives the tables' rows, a process dies with its parent, the
fractional time limit.  Slow (real kernels): a clean namespace between two reports in one
kernel, a failing or timed-out report does not touch the next one, reports byte-identical to
papermill's own run, a killed worker costs only its report, killing the batch leaves no worker
or kernel running, a half-written executed notebook is not taken as cached, the dask path
keeps its kernels warm too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import tables
from analysis.reports import batch, tablecache
from analysis.reports.render import Renderer, cell_timeout, render_one

from seedkit import HOSTILE_UNITS, SEED_UNIT, UNITS, make_processed

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PY = sys.executable


def _notebook(path: Path, *cells: str, parameters: str = 'unit = ""') -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _task(notebook: Path, out: Path, name: str, **parameters) -> batch.Task:
    stem = batch.safe_name(name)
    return batch.Task(
        "unit",
        name,
        stem,
        str(notebook),
        {"unit": name, **parameters},
        str(out / "notebooks" / f"{stem}.ipynb"),
        str(out / "units" / f"{stem}.html"),
    )


def _outputs(result) -> list[str]:
    """The text of every output of the executed notebook, in order."""
    nb = nbformat.read(result.out_ipynb, as_version=4)
    texts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            texts.append(o.get("text") or o.get("data", {}).get("text/plain", ""))
    return texts


# ----------------------------------------------------------------------------- fast


def test_the_kernels_table_cache_gives_the_same_frames_as_a_filtered_read(tmp_path):
    processed = make_processed(tmp_path / "p", hostile=True, synthetic=True)
    assert not tablecache._on[0]  # outside a warm kernel: plain reads
    tablecache.read_table(processed, "declarations")
    assert not tablecache._tables
    tablecache.cache_tables(True)
    try:
        _check_cache(processed)
    finally:
        tablecache.cache_tables(False)


def _check_cache(processed):
    decl = tables.read_table(processed, "declarations")
    for unit in [*decl["unit"].unique(), "没有这个单位"]:
        for name in ("declarations", "indicators", "problems"):
            f = (
                [("unit", "==", unit)]
                if name != "problems"
                else [[("source_file", "in", ["x.txt"])], [("decl_id", "in", decl["decl_id"].tolist()[:3])]]
            )
            pd.testing.assert_frame_equal(
                tablecache.read_table(processed, name, filters=f), tables.read_table(processed, name, filters=f)
            )
    cols = ["unit", "year", "year_budget"]
    both = [("year", "in", [2020, 2021])]
    pd.testing.assert_frame_equal(
        tablecache.read_table(processed, "declarations", columns=cols, filters=both),
        tables.read_table(processed, "declarations", columns=cols, filters=both),
    )
    # a new ingest (a new file in the same place) is seen at once
    make_processed(processed, units=[SEED_UNIT])
    assert set(tablecache.read_table(processed, "declarations")["unit"]) == {SEED_UNIT}
    shutil.rmtree(processed)
    with pytest.raises(FileNotFoundError):
        tablecache.read_table(processed, "declarations")


def test_a_process_ends_with_its_parent(tmp_path):
    psutil = pytest.importorskip("psutil")
    pidfile = tmp_path / "grandchild.pid"
    # the child starts a grandchild that calls die_with_parent, then the child is killed
    grandchild = (
        f"import os, time; from analysis.processes import die_with_parent; die_with_parent(); "
        f"open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    child = f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {grandchild!r}]); time.sleep(60)"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([PY, "-c", child], env=env)
    deadline = time.monotonic() + 30
    while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int(pidfile.read_text())
    assert psutil.pid_exists(pid)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the grandchild outlived its parent")


def test_a_fractional_time_limit_is_accepted():
    from analysis.reports.kernels import _Client

    assert cell_timeout(0.5) == 1 and cell_timeout(2.2) == 3 and cell_timeout(0) is None and cell_timeout(None) is None
    assert _Client.class_traits()["timeout"].validate(None, 0.5) == 0.5


# ----------------------------------------------------------------------------- slow: real kernels


@pytest.mark.slow
def test_one_kernel_serves_many_reports_each_with_a_clean_namespace(tmp_path):
    leak = _notebook(
        tmp_path / "leak.ipynb",
        "import os, warnings, matplotlib\nleaked = unit\nmatplotlib.rcParams['font.size'] = 31\n"
        "warnings.simplefilter('error')\nos.environ['LEAKED'] = '1'\nos.chdir('/')\nprint(os.getpid())",
    )
    look = _notebook(
        tmp_path / "look.ipynb",
        "import os, warnings, matplotlib\nprint(os.getpid())",
        "print('leaked' in globals(), matplotlib.rcParams['font.size'], os.environ.get('LEAKED'), "
        "any(f[0] == 'error' and f[2] is Warning for f in warnings.filters), os.getcwd())",
        "1 / 0 if unit == 'boom' else None\nleaked = unit",
        "import time\ntime.sleep(30 if unit == 'slow' else 0)",
    )
    out = tmp_path / "out"
    r = Renderer(timeout=5)
    try:
        first = r.render(_task(leak, out, "甲"))
        assert first.status == "rendered", first.extra.get("traceback")
        second = r.render(_task(look, out, "乙"))
        assert second.status == "rendered", second.extra.get("traceback")
        pid1, pid2 = _outputs(first)[0].strip(), _outputs(second)[0].strip()
        assert pid1 == pid2  # the same (warm) kernel ran both
        assert _outputs(second)[1].strip() == f"False 10.0 None False {tmp_path}"
        nb = nbformat.read(second.out_ipynb, as_version=4)
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))  # as in a fresh kernel
        tags = [c.metadata.get("tags", []) for c in nb.cells]
        assert ["parameters"] in tags and ["injected-parameters"] in tags  # papermill's cells, kept

        # a failing report: reported, and the next one runs in a fresh kernel that knows nothing of it
        boom = r.render(_task(look, out, "boom"))
        assert boom.status == "failed" and "ZeroDivisionError" in boom.error
        after = r.render(_task(look, out, "丙"))
        assert after.status == "rendered"
        assert _outputs(after)[0].strip() != pid2
        assert _outputs(after)[1].startswith("False 10.0 None False")

        # a fractional time limit (a cell hangs): a time-out, not a TraitError; the next report is fine
        r.timeout = 0.5
        start = time.perf_counter()
        slow = r.render(_task(look, out, "slow"))
        assert slow.status == "failed" and "TraitError" not in slow.error
        assert re.search(r"time", slow.error, re.I), slow.error
        assert time.perf_counter() - start < 20
        r.timeout = 5
        assert r.render(_task(look, out, "丁")).status == "rendered"
    finally:
        r.close()


def _normalized_html(path: Path) -> str:
    return re.sub(r'id="cell-id=[^"]*"', "", Path(path).read_text(encoding="utf-8"))


_VOLATILE = ("start_time", "end_time", "duration", "execution", "input_path", "output_path")


def _normalized_ipynb(path: Path) -> dict:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))

    def clean(meta: dict) -> dict:
        meta = dict(meta)
        for k in _VOLATILE:
            meta.pop(k, None)
        if "papermill" in meta:
            meta["papermill"] = clean(meta["papermill"])
        return meta

    nb["metadata"] = clean(nb["metadata"])
    for cell in nb["cells"]:
        cell.pop("id", None)
        cell["metadata"] = clean(cell["metadata"])
    return nb


@pytest.mark.slow
def test_warm_reports_are_the_same_as_papermills_own_run(tmp_path):
    processed = make_processed(tmp_path / "processed", hostile=True, synthetic=True)
    tasks = {t.name: t for t in batch.plan(processed, tmp_path / "x", NOTEBOOKS)}
    chosen = [tasks[HOSTILE_UNITS[0]], tasks[SEED_UNIT], tasks["2021"]]
    r = Renderer(timeout=300)
    try:
        for t in chosen:
            cold = batch.Task(
                **{
                    **t.__dict__,
                    "out_ipynb": t.out_ipynb.replace("/x/", "/cold/"),
                    "out_html": t.out_html.replace("/x/", "/cold/"),
                }
            )
            warm_t = batch.Task(
                **{
                    **t.__dict__,
                    "out_ipynb": t.out_ipynb.replace("/x/", "/warm/"),
                    "out_html": t.out_html.replace("/x/", "/warm/"),
                }
            )
            a = render_one(cold, timeout=300)
            b = r.render(warm_t)
            assert a.status == b.status == "rendered", (a.error, b.error)
            assert _normalized_html(a.out_html) == _normalized_html(b.out_html), t.name
            assert _normalized_ipynb(a.out_ipynb) == _normalized_ipynb(b.out_ipynb), t.name
        assert r.kernels_started == 1
    finally:
        r.close()


@pytest.mark.slow
def test_a_killed_worker_costs_only_its_own_report(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "code_hash", lambda: "fixed")
    processed = make_processed(tmp_path / "processed", hostile=True)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks)
    victim = "上海市水务局执法总队"
    tries = tmp_path / "tries.txt"
    nb = nbformat.read(notebooks / "unit_report.ipynb", as_version=4)
    nb.cells.insert(
        2,
        nbformat.v4.new_code_cell(
            f"import os, signal\nif unit == {victim!r}:\n    open({str(tries)!r}, 'a').write('x')\n"
            "    os.kill(os.getppid(), signal.SIGKILL)  # the worker that runs this kernel"
        ),
    )
    nbformat.write(nb, notebooks / "unit_report.ipynb")
    out = tmp_path / "reports"
    results = batch.run_batch(
        processed, out, jobs=2, notebooks=notebooks, units=UNITS + HOSTILE_UNITS, years=[2021], export=False, quiet=True
    )
    status = {r.name: r.status for r in results}
    assert status.pop(victim) == "failed"
    assert set(status.values()) == {"rendered"}, [(r.name, r.error) for r in results if r.status == "failed"]
    assert len(status) == len(UNITS) + len(HOSTILE_UNITS) - 1 + 1
    assert tries.read_text() == "xx"  # tried once more in a fresh worker, then given up
    failed = next(r for r in results if r.name == victim)
    assert "WorkerDied" in failed.error and "SIGKILL" in failed.error
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "WorkerDied" in index

    # a report's notebook half-written by a kill is not taken as cached: it is rendered again
    good = next(r for r in results if r.status == "rendered" and r.kind == "unit")
    text = Path(good.out_ipynb).read_text(encoding="utf-8")
    Path(good.out_ipynb).write_text(text[: len(text) // 2], encoding="utf-8")
    again = batch.run_batch(
        processed, out, jobs=1, notebooks=notebooks, units=[good.name], years=[], export=False, quiet=True
    )
    assert [r.status for r in again] == ["rendered"]
    nbformat.read(good.out_ipynb, as_version=4)  # complete again
    assert [
        r.status
        for r in batch.run_batch(
            processed, out, jobs=1, notebooks=notebooks, units=[good.name], years=[], export=False, quiet=True
        )
    ] == ["cached"]


@pytest.mark.slow
def test_killing_the_batch_leaves_no_worker_or_kernel_running(tmp_path):
    psutil = pytest.importorskip("psutil")
    processed = make_processed(tmp_path / "processed")
    notebooks = tmp_path / "notebooks"
    _notebook(
        notebooks / "unit_report.ipynb", "import time\ntime.sleep(120)", parameters='unit = ""\nprocessed_dir = ""'
    )
    _notebook(
        notebooks / "year_report.ipynb", "import time\ntime.sleep(120)", parameters='year = 0\nprocessed_dir = ""'
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    cmd = [
        PY,
        "-m",
        "analysis",
        "reports",
        "--processed",
        str(processed),
        "--out",
        str(tmp_path / "out"),
        "--jobs",
        "2",
        "--quiet",
        "--no-export",
        "--notebooks",
        str(notebooks),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 90
    kernels = []
    while time.monotonic() < deadline:
        family = parent.children(recursive=True)
        kernels = [p for p in family if "ipykernel" in " ".join(p.cmdline())]
        if len(kernels) >= 2:
            break
        time.sleep(0.2)
    family = parent.children(recursive=True)
    assert len(kernels) >= 2, [p.cmdline() for p in family]
    proc.kill()
    proc.wait()
    gone, alive = psutil.wait_procs(family, timeout=15)
    for p in alive:
        p.kill()
    assert not alive, [p.cmdline() for p in alive]


@pytest.mark.slow
def test_the_dask_path_keeps_its_kernel_warm(tmp_path):
    from dask.distributed import LocalCluster

    processed = make_processed(tmp_path / "processed")
    notebooks = tmp_path / "notebooks"
    _notebook(
        notebooks / "unit_report.ipynb",
        "import os\nprint(os.getpid())",
        "print('x' in globals())\nx = 1",
        parameters='unit = ""\nprocessed_dir = ""',
    )
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        results = batch.run_batch(
            processed,
            tmp_path / "out",
            scheduler=cluster.scheduler_address,
            notebooks=notebooks,
            units=UNITS,
            export=False,
            quiet=True,
        )
    assert [r.status for r in results] == ["rendered"] * 2, [r.error for r in results]
    pids = {_outputs(r)[0] for r in results}
    assert len(pids) == 1  # both reports ran in the one kernel of the worker
    assert all(_outputs(r)[1].strip() == "False" for r in results)


def test_papermill_finds_the_warm_engine_through_its_entry_point():
    """Registered by the package's metadata, not as a side effect of importing a module: a fresh
    interpreter that imports papermill alone knows the engine, whichever module comes first."""
    for first in ("import papermill", "import analysis.reports.kernels", "import analysis.reports.engine"):
        code = f"{first}; from papermill.engines import papermill_engines as e; print(e.get_engine('analysis-warm'))"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0 and "WarmEngine" in out.stdout, (first, out.stderr[-2000:])
