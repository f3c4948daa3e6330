"""The report batch: safe names, the content cache, parallel runs, failure isolation, dask."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from analysis import cli
from analysis.reports import batch
from analysis.reports import plan as plan_mod

from seedkit import HOSTILE_PROJECT, HOSTILE_UNITS, SEED_UNIT, UNITS, make_processed

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


# ----------------------------------------------------------------------------- fast

BIDI = "\u202e\u202d\u202a\u202b\u202c\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize(
    "name",
    [
        *HOSTILE_UNITS,
        SEED_UNIT,
        "..",
        ".",
        "a\\b局",
        "x\x00\n\t局",
        " ",
        "a" * 300,
        "\u202eexe.lmth局",
        f"a{BIDI}b局",
        "\ud800局",
        "\uffff\ufffe局",
    ],
)
def test_safe_name_never_leaves_the_folder(name, tmp_path):
    stem = batch.safe_name(name)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", stem), stem
    assert len(stem) <= 60
    assert batch.inside(tmp_path, "units", stem + ".html").parent == (tmp_path / "units").resolve()


def test_safe_name_is_stable_and_tells_names_apart():
    assert batch.safe_name("a/b局") == batch.safe_name("a/b局")
    assert batch.safe_name("a/b局") != batch.safe_name("a-b局") != batch.safe_name("a b局")
    assert batch.safe_name("../../x局").startswith("xju-")
    # a report file says whose it is: the unit's name in pinyin
    assert batch.safe_name(SEED_UNIT).startswith("shanghaishilvhuahe")


def test_safe_names_of_names_that_shared_40_bits_of_sha1_differ():
    # found by brute force (2**20 tries): under the former 10-hex-digit SHA-1 both were unit-4ecb0fffb8
    a, b = "碰撞单位468728", "碰撞单位1731274"
    assert hashlib.sha1(a.encode()).hexdigest()[:10] == hashlib.sha1(b.encode()).hexdigest()[:10]
    assert batch.safe_name(a) != batch.safe_name(b)
    assert len(batch.safe_name(a).rsplit("-", 1)[1]) == 16  # 64 bits, a shared stem disambiguated


def test_safe_name_drops_bidi_controls():
    stem = batch.safe_name("\u202egpj.exe\u202c局")
    assert not set(stem) & set(BIDI)
    assert stem.startswith("gpj-exe-")


def test_a_shared_stem_is_disambiguated_so_no_report_overwrites_another(tmp_path, monkeypatch):
    processed = make_processed(tmp_path / "p")
    out = tmp_path / "out"
    monkeypatch.setattr(plan_mod, "safe_name", lambda name, prefix="unit": "same-stem")  # a collision, forced
    tasks = batch.disambiguate(batch.plan(processed, out, NOTEBOOKS), out)
    units = [t for t in tasks if t.kind == "unit"]
    assert len(units) == 2 and len({t.stem for t in units}) == 2
    assert len({t.out_html for t in tasks}) == len(tasks) == len({t.out_ipynb for t in tasks})
    for t in units:
        assert Path(t.out_html).parent == (out / "units").resolve()


def test_the_cache_vouches_only_for_complete_outputs(tmp_path):
    t = batch.Task(
        "unit", "甲局", "stem", "nb.ipynb", {}, str(tmp_path / "a.ipynb"), str(tmp_path / "a.html"), key="k1"
    )
    Path(t.out_ipynb).write_text('{"cells": [], "metadata": {}}')
    Path(t.out_html).write_text("<html>complete</html>")
    stamp = tmp_path / "unit-stem.json"
    batch.write_stamp(stamp, t, 1.0)
    assert batch.is_cached(stamp, t)
    assert not list(tmp_path.glob("*.tmp"))
    # a run killed while it rewrote the notebook leaves it half-written: not taken as cached
    Path(t.out_ipynb).write_text('{"cells": [')
    assert not batch.is_cached(stamp, t)
    Path(t.out_ipynb).write_text('{"cells": [], "metadata": {}}')
    assert batch.is_cached(stamp, t)
    Path(t.out_html).write_text("<html>complete</html")  # same key, other bytes
    assert not batch.is_cached(stamp, t)
    Path(t.out_html).unlink()
    assert not batch.is_cached(stamp, t)
    # a stamp of the former format (key only), or of another key, vouches for nothing
    Path(t.out_html).write_text("<html>complete</html>")
    stamp.write_text(json.dumps({"key": "k1"}))
    assert not batch.is_cached(stamp, t)
    batch.write_stamp(stamp, t, 1.0)
    t.key = "k2"
    assert not batch.is_cached(stamp, t)


def test_an_export_that_fails_still_leaves_the_index_and_no_temporary_files(tmp_path, monkeypatch):
    import errno

    from analysis.reports import export as export_mod

    def disk_full(processed, out, *a, **k):
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "tables.xlsx.tmp").write_bytes(b"PK\x03\x04 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export_mod, "export_tables", disk_full)
    processed = make_processed(tmp_path / "p")
    out = tmp_path / "r"
    results = batch.run_batch(processed, out, units=[], years=[], quiet=True)
    assert "No space left on device" in results.export_error
    assert (out / "index.html").is_file()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_inside_refuses_paths_that_escape(tmp_path):
    with pytest.raises(ValueError):
        batch.inside(tmp_path, "..", "x.html")
    with pytest.raises(ValueError):
        batch.inside(tmp_path, "/etc/passwd")


def test_cache_key_follows_notebook_parameters_data_and_code(tmp_path):
    nb = tmp_path / "n.ipynb"
    nb.write_text("{}")
    base = batch.cache_key(nb, {"unit": "甲局", "processed_dir": "/a"}, {"declarations": "1"}, "c")
    # the location of the data does not matter, its content does
    assert batch.cache_key(nb, {"unit": "甲局", "processed_dir": "/b"}, {"declarations": "1"}, "c") == base
    assert batch.cache_key(nb, {"unit": "乙局", "processed_dir": "/a"}, {"declarations": "1"}, "c") != base
    assert batch.cache_key(nb, {"unit": "甲局", "processed_dir": "/a"}, {"declarations": "2"}, "c") != base
    assert batch.cache_key(nb, {"unit": "甲局", "processed_dir": "/a"}, {"declarations": "1"}, "d") != base
    nb.write_text('{"cells": []}')
    assert batch.cache_key(nb, {"unit": "甲局", "processed_dir": "/a"}, {"declarations": "1"}, "c") != base


def test_plan_has_one_report_per_unit_and_year(tmp_path):
    processed = make_processed(tmp_path / "p", hostile=True)
    tasks = batch.plan(processed, tmp_path / "out", NOTEBOOKS)
    assert sorted(t.name for t in tasks if t.kind == "unit") == sorted(
        [SEED_UNIT, "上海市水务局执法总队", *HOSTILE_UNITS]
    )
    assert [t.name for t in tasks if t.kind == "year"] == ["2019", "2020", "2021"]
    assert [t.kind for t in tasks if t.kind == "overview"] == ["overview"]  # a full run has the overview
    assert [t.out_html for t in tasks if t.kind == "library"] == [
        str((tmp_path / "out" / "overview" / "indicator-library.html").resolve())
    ]
    for t in tasks:
        assert Path(t.out_html).resolve().is_relative_to((tmp_path / "out").resolve())
    only = batch.plan(processed, tmp_path / "out", NOTEBOOKS, units=[SEED_UNIT], years=[2020])
    assert [(t.kind, t.name) for t in only] == [("unit", SEED_UNIT), ("year", "2020")]
    # only what was asked: a unit's report does not bring the year reports along, nor a year the units
    assert [(t.kind, t.name) for t in batch.plan(processed, tmp_path / "out", NOTEBOOKS, units=[SEED_UNIT])] == [
        ("unit", SEED_UNIT)
    ]
    assert [(t.kind, t.name) for t in batch.plan(processed, tmp_path / "out", NOTEBOOKS, years=[2021])] == [
        ("year", "2021")
    ]
    assert batch.plan(processed, tmp_path / "out", NOTEBOOKS, years=[]) == []


def test_unknown_units_and_years_are_refused_with_the_closest_names(tmp_path, capsys):
    processed = make_processed(tmp_path / "p")
    argv = ["reports", "--processed", str(processed), "--out", str(tmp_path / "out"), "--quiet", "--no-export"]
    assert cli.main([*argv, "--units", "上海市水务局执法", "--years", "2030"]) == 2
    err = capsys.readouterr().err
    assert "单位不存在：上海市水务局执法。您是否要找：上海市水务局执法总队？" in err
    assert "年度不存在：2030。数据中的年度：2019、2020、2021。" in err
    assert not (tmp_path / "out" / "index.html").exists()  # nothing rendered


def test_units_and_years_commands_list_what_the_data_hold(tmp_path, capsys):
    processed = make_processed(tmp_path / "p")
    assert cli.main(["units", "--processed", str(processed)]) == 0
    assert capsys.readouterr().out.splitlines() == [SEED_UNIT, "上海市水务局执法总队"]  # pinyin: lü before shui
    assert cli.main(["years", "--processed", str(processed)]) == 0
    assert capsys.readouterr().out.split() == ["2019", "2020", "2021"]
    assert cli.main(["units", "--processed", str(tmp_path / "none")]) == 2


def test_prune_removes_reports_of_units_no_longer_in_the_data_and_nothing_else(tmp_path):
    processed = make_processed(tmp_path / "p")
    out = tmp_path / "out"
    tasks = batch.plan(processed, out, NOTEBOOKS)
    current = [Path(t.out_html) for t in tasks] + [Path(t.out_ipynb) for t in tasks]
    stale = [
        out / "units" / "gone-0123456789.html",
        out / "notebooks" / "units" / "gone-0123456789.ipynb",
        out / "years" / "2010.html",
        out / ".cache" / "unit-gone-0123456789.json",
    ]
    other = [out / "units" / "notes.txt", out / "tables" / "tables.xlsx", out / "index.html"]
    for path in current + stale + other:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    removed = batch.prune(out, tasks)
    assert sorted(removed) == sorted(stale)
    assert all(p.exists() for p in current + other)


def test_reports_without_processed_tables_says_so(tmp_path, capsys):
    assert cli.main(["reports", "--processed", str(tmp_path / "none"), "--out", str(tmp_path / "r")]) == 2
    assert "ingest" in capsys.readouterr().err


# ----------------------------------------------------------------------------- slow: real runs


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".cache" not in p.parts}


@pytest.mark.slow
def test_batch_renders_hostile_names_safely_in_parallel_and_caches(tmp_path, monkeypatch):
    # the key's dependence on the code is pinned by test_cache_key_follows_...; fixed here so that
    # an edit to the package while the suite runs does not count as a change
    monkeypatch.setattr(batch, "code_hash", lambda: "fixed")
    processed = make_processed(tmp_path / "processed", hostile=True, synthetic=True)
    out = tmp_path / "reports"
    units = HOSTILE_UNITS
    results = batch.run_batch(processed, out, jobs=2, units=units, years=[2021], quiet=True)
    assert [r.status for r in results] == ["rendered"] * 4, [r.error for r in results]

    # everything written stays inside the output folder; nothing appears beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed", "reports"]
    for p in out.rglob("*"):
        assert p.resolve().is_relative_to(out.resolve())
    pages = {p: p.read_text(encoding="utf-8") for p in (out / "units").glob("*.html")}
    moved = {p for p, text in pages.items() if 'http-equiv="refresh"' in text}
    assert len(pages) - len(moved) == 3
    # a unit report's former file name (unit-<hash>.html) leads on to its page
    for p in moved:
        target = re.search(r'url=([^"]+)"', pages[p]).group(1)
        assert (out / "units" / target).is_file() and target not in {m.name for m in moved}
    assert (out / "years" / "2021.html").exists()
    assert len(list((out / "notebooks").rglob("*.ipynb"))) == 4

    # no markup from the input: names show as text, no script at all in any page
    pages = {p: p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    for path, text in pages.items():
        assert "<script" not in text.lower(), path
        assert not re.search(r"<[^>]*\bonerror\s*=", text, re.I), path
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text, re.I), path
    hostile_page = out / "units" / f"{batch.safe_name(HOSTILE_UNITS[0])}.html"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in pages[hostile_page]
    assert "&lt;img src=x onerror=" in pages[hostile_page]
    assert "data:image/png;base64," in pages[hostile_page]
    index = pages[out / "index.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in index and "../../x局" in index
    assert "合成" in index and "tables.xlsx" in index and "失败" not in index
    for href in re.findall(r'href="([^"#]+)"', index):
        assert (out / href).resolve().is_file(), href

    # an unchanged re-run renders nothing, quickly
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html") if p.name != "index.html"}
    start = time.perf_counter()
    again = batch.run_batch(processed, out, jobs=2, units=units, years=[2021], quiet=True)
    assert time.perf_counter() - start < 5
    assert [r.status for r in again] == ["cached"] * 4
    assert {p: p.stat().st_mtime_ns for p in before} == before


@pytest.mark.slow
def test_one_failing_notebook_does_not_stop_the_others(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(batch, "code_hash", lambda: "fixed")
    processed = make_processed(tmp_path / "processed")
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks)
    # one unit report raises, the year report hangs past the time limit
    nb = nbformat.read(notebooks / "unit_report.ipynb", as_version=4)
    nb.cells.insert(
        2, nbformat.v4.new_code_cell('if unit == "上海市水务局执法总队":\n    raise ValueError("故意的失败")')
    )
    nbformat.write(nb, notebooks / "unit_report.ipynb")
    nb = nbformat.read(notebooks / "year_report.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell("import time\ntime.sleep(600)"))
    nbformat.write(nb, notebooks / "year_report.ipynb")
    out = tmp_path / "reports"
    argv = [
        "reports",
        "--processed",
        str(processed),
        "--out",
        str(out),
        "--jobs",
        "2",
        "--quiet",
        "--notebooks",
        str(notebooks),
        "--units",
        *UNITS,
        "--years",
        "2020",
        "--timeout",
        "12",
        "--no-export",
    ]
    start = time.perf_counter()
    assert cli.main(argv) == 1
    assert time.perf_counter() - start < 120
    cache = {json.loads(p.read_text())["name"] for p in (out / ".cache").glob("*.json")}
    assert cache == {SEED_UNIT}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "未能生成的报告（2）" in index
    assert "上海市水务局执法总队" in index and "ValueError: 故意的失败" in index and "单元格 [" in index
    assert re.search(r"<td>年度</td><td>2020</td><td>[^<]*(timed out|Timeout)[^<]*</td>", index), index
    assert (out / "units" / f"{batch.safe_name(SEED_UNIT)}.html").exists()
    assert not (out / "units" / f"{batch.safe_name('上海市水务局执法总队')}.html").exists()
    assert "故意的失败" in capsys.readouterr().err
    # a failure is not cached: the next run tries it again, the good one is skipped
    results = batch.run_batch(processed, out, jobs=1, notebooks=notebooks, units=UNITS, export=False, quiet=True)
    assert sorted(r.status for r in results) == ["cached", "failed"]


@pytest.mark.slow
def test_dask_scheduler_gives_the_same_reports_as_the_local_pool(tmp_path):
    from dask.distributed import LocalCluster

    processed = make_processed(tmp_path / "processed", units=[SEED_UNIT, HOSTILE_UNITS[1]])
    local, remote = tmp_path / "local", tmp_path / "dask"
    kw = dict(units=[HOSTILE_UNITS[1]], years=[], export=False, quiet=True)
    assert [r.status for r in batch.run_batch(processed, local, jobs=1, **kw)] == ["rendered"]
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        results = batch.run_batch(processed, remote, scheduler=cluster.scheduler_address, **kw)
    assert [r.status for r in results] == ["rendered"], [r.error for r in results]
    assert _files(local) == _files(remote)
    cell_ids = re.compile(r'id="cell-id=[^"]*"')  # papermill gives its injected cell a random id
    for rel in _files(local):
        if rel.endswith(".html") and rel != "index.html":
            a, b = ((root / rel).read_text(encoding="utf-8") for root in (local, remote))
            assert cell_ids.sub("", a) == cell_ids.sub("", b), rel


def _with_problems(processed: Path, rows: list[tuple], keep_declarations: bool = True) -> Path:
    """``processed`` with these problems added (file, line, severity, code); without any declaration
    when ``keep_declarations`` is false (every file rejected)."""
    import pyarrow.parquet as pq

    from analysis.tables import to_table

    old = pq.read_table(processed / "problems.parquet").to_pylist()
    new = [
        dict(source_file=f, source_line=ln, severity=sev, code=code, message=f"{f}: {code}", decl_id=None)
        for f, ln, sev, code in rows
    ]
    pq.write_table(to_table(old + new, "problems"), processed / "problems.parquet")
    if not keep_declarations:
        for name in ("declarations", "indicators"):
            pq.write_table(to_table([], name), processed / f"{name}.parquet")
    return processed


def _index_with_overview(processed: Path, out: Path) -> str:
    from analysis.reports.index import write_index
    from analysis.reports.plan import OVERVIEW_HTML, Result

    page = out / OVERVIEW_HTML
    page.parent.mkdir(parents=True)
    page.write_text("<html></html>", encoding="utf-8")
    overview = Result("overview", "全部年度", "all-years", "rendered", out_html=str(page))
    write_index(out, processed, [overview], [])
    return (out / "index.html").read_text(encoding="utf-8")


def test_the_index_counts_the_errors_and_links_where_they_are_listed(tmp_path):
    from urllib.parse import quote

    from analysis.reports.show import PROBLEMS_HEADING

    processed = _with_problems(
        make_processed(tmp_path / "processed"),
        [("fake.pdf", None, "error", "unreadable-file"), ("000_2020.txt", 30, "error", "declaration-failed")],
    )
    index = _index_with_overview(processed, tmp_path / "reports")
    assert "读取输入时有 2 个错误" in index
    assert "1 个文件未能读出任何申报表" in index and "其他文件中有 1 个错误" in index
    link = f'href="overview/all-years.html#{quote(PROBLEMS_HEADING)}"'
    assert link in index and 'href="#problems"' in index
    # the overview notebook has that heading, so the link lands on its problems section
    nb = nbformat.read(NOTEBOOKS / "overview_report.ipynb", as_version=4)
    assert any(f"## {PROBLEMS_HEADING}" in c.source.splitlines() for c in nb.cells if c.cell_type == "markdown")


def test_the_index_says_why_it_is_empty_when_every_file_was_rejected(tmp_path):
    processed = _with_problems(
        make_processed(tmp_path / "processed"),
        [("fake.pdf", None, "error", "unreadable-file"), ("empty.txt", 1, "error", "empty-file")],
        keep_declarations=False,
    )
    index = _index_with_overview(processed, tmp_path / "reports")
    assert "读取输入时有 2 个错误" in index and "2 个文件未能读出任何申报表" in index
    assert "overview/all-years.html#" in index
    assert index.count("（无：数据中没有任何申报表，见上方的") == 2  # the years and the units
    assert "<table><thead><tr><th>年度</th>" not in index  # no empty year table


def test_the_index_says_when_nothing_failed(tmp_path):
    index = _index_with_overview(make_processed(tmp_path / "processed"), tmp_path / "reports")
    assert "读取输入时没有错误" in index and "读取输入时有" not in index


def test_the_index_shows_hostile_names_as_text_not_markup(tmp_path):
    """Fast: the index of a set holding units named like markup, with a failed report whose
    error quotes one, has no element or attribute that came from the data."""
    from lxml import html as lhtml

    from analysis.reports.index import write_index
    from analysis.reports.plan import Result, safe_name

    processed = make_processed(tmp_path / "p", hostile=True)
    out = tmp_path / "out"
    out.mkdir()
    results = [
        Result("unit", u, safe_name(u), "rendered", out_html=str(out / "unit" / f"{safe_name(u)}.html"))
        for u in HOSTILE_UNITS
    ]
    results.append(Result("unit", HOSTILE_PROJECT, "x", "failed", error=f"失败：{HOSTILE_PROJECT}"))
    page = write_index(out, processed, results, []).read_text(encoding="utf-8")
    doc = lhtml.fromstring(page)
    assert not doc.xpath("//img[@onerror] | //*[@*[starts-with(name(), 'on')]]")
    assert all("alert(1)" not in (s.text or "") for s in doc.xpath("//script"))
    text = doc.text_content()
    for name in [*HOSTILE_UNITS, HOSTILE_PROJECT]:
        assert name in text, f"{name!r} not shown as text"
