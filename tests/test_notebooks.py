"""The report notebooks run as they stand (nbval --nbval-lax) with their default parameters.

The notebooks are copied beside a small processed fixture laid out like the repository
(``notebooks/`` next to ``data/processed/``), so the default ``processed_dir = "data/processed"``
is found the same way as when an analyst opens them in JupyterLab from ``notebooks/``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from seedkit import SEED_UNIT, make_processed, with_kinds

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
REPORTS = ("unit_report.ipynb", "year_report.ipynb", "overview_report.ipynb", "library_report.ipynb")


@pytest.mark.parametrize("name", REPORTS)
def test_notebook_is_committed_clean_with_a_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "commit notebooks without outputs"
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert "processed_dir" in tagged[0].source
    assert {"unit": "unit = ", "year": "year = "}.get(name.split("_")[0], "processed_dir") in tagged[0].source
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("name", REPORTS)
def test_report_text_sends_no_reader_to_a_file_of_the_repository(name):
    # the rendered report travels alone: its reader has no docs/ or src/ to open
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert not re.findall(r"(?:docs|src|notebooks)/[\w./-]+", text)


def test_default_unit_is_the_published_one():
    nb = nbformat.read(NOTEBOOKS / "unit_report.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert f'unit = "{SEED_UNIT}"' in params.source


@pytest.mark.slow
def test_notebooks_run_under_nbval_on_a_fixture(tmp_path):
    make_processed(tmp_path / "data" / "processed")
    (tmp_path / "notebooks").mkdir()
    for name in REPORTS:
        shutil.copy(NOTEBOOKS / name, tmp_path / "notebooks" / name)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "notebooks"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    tail = proc.stdout[-3000:] + proc.stderr[-2000:]
    assert proc.returncode == 0, tail
    n_code = sum(
        c["cell_type"] == "code" for name in REPORTS for c in json.loads((NOTEBOOKS / name).read_text())["cells"]
    )
    assert f"{n_code} passed" in proc.stdout, tail


@pytest.mark.slow
def test_a_unit_that_does_not_exist_stops_the_notebook_with_the_closest_names(tmp_path):
    import papermill as pm

    processed = make_processed(tmp_path / "processed", units=["示例市财政局", "示例市民政局", SEED_UNIT])
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(
            str(NOTEBOOKS / "unit_report.ipynb"),
            str(tmp_path / "out.ipynb"),
            kernel_name="python3",
            parameters={"unit": "示例市财政", "processed_dir": str(processed)},
            progress_bar=False,
        )
    assert "单位不存在：示例市财政。您是否要找：示例市财政局？" in str(err.value)
    # the executed notebook shows the message where it stopped, and no report follows
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any(o.get("output_type") == "error" and "示例市财政局" in o.get("evalue", "") for o in shown)
    assert not any("没有发现" in str(o.get("data", "")) for o in shown)


def _run_in_process(name: str, workdir: Path, **params) -> list:
    """The notebook's code cells executed in this process, its parameters set after the
    parameters cell as papermill sets them; returns what the cells displayed (as HTML strings)."""
    import matplotlib

    matplotlib.use("Agg")
    import IPython.display

    shown: list = []

    def capture(*objs, **_):
        shown.extend(getattr(o, "data", o) for o in objs)

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    old_display = IPython.display.display
    IPython.display.display = capture
    cwd = Path.cwd()
    try:
        import os

        os.chdir(workdir)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
            exec(compile(source, f"<{name}>", "exec"), namespace)
            if "parameters" in cell.metadata.get("tags", []):
                namespace.update(params)
    finally:
        os.chdir(cwd)
        IPython.display.display = old_display
    return shown


def test_the_overview_notebook_runs_and_escapes_what_it_shows(tmp_path):
    """The overview notebook's code on the hostile fixture, without a kernel: it runs to the
    end, shows every unit, and shows no unit name as markup."""
    from seedkit import HOSTILE_UNITS

    processed = make_processed(tmp_path / "data" / "processed", hostile=True)
    (tmp_path / "notebooks").mkdir()
    shown = _run_in_process("overview_report.ipynb", tmp_path / "notebooks", processed_dir=str(processed))
    page = "\n".join(s for s in shown if isinstance(s, str))
    assert page, "the overview displayed nothing"
    for unit in HOSTILE_UNITS:
        if "<" in unit:
            assert unit not in page, f"{unit!r} shown as markup"
            import html as html_mod

            assert html_mod.escape(unit, quote=False) in page or html_mod.escape(unit) in page


def test_the_library_notebook_shows_every_kind_found_with_its_chart(tmp_path):
    """The 指标库 notebook's code on the small fixture, kinds read from the indicators' names:
    each kind present has its heading, its chart and its tables; names shown escaped."""
    import pandas as pd
    import pyarrow.parquet as pq

    from analysis import kinds
    from analysis.tables import to_table

    processed = make_processed(tmp_path / "data" / "processed", hostile=True)
    ind = pd.read_parquet(processed / "indicators.parquet")
    ind["indicator_kind"] = ind["name"].map(kinds.kind_of)
    ind = ind.astype(object).where(ind.notna(), None)
    pq.write_table(to_table(ind, "indicators"), processed / "indicators.parquet")
    (tmp_path / "notebooks").mkdir()
    shown = _run_in_process("library_report.ipynb", tmp_path / "notebooks", processed_dir=str(processed))
    page = "\n".join(s for s in shown if isinstance(s, str))
    present = [k for k in kinds.table() if k.id in set(ind["indicator_kind"].dropna())]
    assert present, "the fixture's indicators have no kind"
    for k in present:
        assert f"<h3>{k.name}</h3>" in page
        assert f"{k.name}：按省份" in page and f"{k.name}：按年度" in page
        assert f'alt="图表：{k.name}：各年度目标值"' in page or f"{k.name}：各年度目标值：无数据" in page
    assert page.count('<img class="chart"') >= 1


def test_the_unit_notebook_shows_peer_positions_in_its_targets_and_lax_ones_first(tmp_path):
    """The unit notebook's code on twelve units of the small fixture: the target history has the
    column 同类位置, and the lax target is a flag of the first screen linking to its row there."""
    import re

    units = [SEED_UNIT] + [f"示例市第{i}局" for i in range(1, 12)]
    processed = make_processed(tmp_path / "data" / "processed", units=units)
    with_kinds(processed, lax_unit=SEED_UNIT)
    (tmp_path / "notebooks").mkdir()
    shown = _run_in_process("unit_report.ipynb", tmp_path / "notebooks", processed_dir=str(processed))
    page = "\n".join(s for s in shown if isinstance(s, str))
    box = next(s for s in shown if isinstance(s, str) and 'class="headline"' in s)
    flags = re.findall(r'<a href="#(target-\w+)">明显偏松：(\d+)年 ([^：]+)：人员聘用完成率 &gt;=60%', box)
    assert len(flags) >= 1 and {int(y) for _, y, _ in flags} <= {2019, 2020, 2021}
    for anchor, _, _ in flags:
        row = re.search(rf'<tr id="{anchor}">.*?</tr>', page, re.S)
        assert row and "人员聘用完成率" in row.group(0) and "明显偏松" in row.group(0)
    assert "同类位置" in page and re.search(r"\d+%（同类 24 个）", page)


@pytest.mark.parametrize(
    "name, params", [("year_report.ipynb", {"year": 2021}), ("overview_report.ipynb", {})], ids=["year", "overview"]
)
def test_the_year_and_overview_reports_open_with_their_headline_figures_and_flags(tmp_path, name, params):
    """The notebook's code on the small fixture: after the sentence that names the year or the
    data, the first screen (figures, then 需要注意 with links to sections of the same page),
    before any chart."""
    from analysis.reports.show import heading_anchor

    processed = make_processed(tmp_path / "data" / "processed", synthetic=True)
    (tmp_path / "notebooks").mkdir()
    shown = _run_in_process(name, tmp_path / "notebooks", processed_dir=str(processed), **params)
    page = "\n".join(s for s in shown if isinstance(s, str))
    at = page.index('<section class="headline"')
    assert at < page.index('<img class="chart"') and page.index("数据中共有" if not params else "年共有") < at
    first = page[at : page.index("</section>", at)]
    assert first.count('class="figure"') == 5 and "审核通过率" in first and "需要注意" in first
    headings = {
        heading_anchor(line[3:].strip())
        for c in nbformat.read(NOTEBOOKS / name, as_version=4).cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("## ")
    }
    links = re.findall(r'<a href="#([^"]+)">', first)
    assert links and set(links) <= headings, (links, headings)


def test_the_library_notebook_shows_a_kind_by_level2_where_its_targets_are_set_under_several(tmp_path):
    import pandas as pd
    import pyarrow.parquet as pq

    from analysis.tables import to_table

    units = [f"示例市第{i}局" for i in range(12)]
    processed = make_processed(tmp_path / "data" / "processed", units=units)
    with_kinds(processed)
    ind = pd.read_parquet(processed / "indicators.parquet")
    half = ind["unit"].isin(units[:6]) & (ind["name"] == "派遣人员合格率")
    ind.loc[half, "level2"] = "生态效益"  # 合格率 set under 质量 by six units, under 生态效益 by the others
    ind = ind.astype(object).where(ind.notna(), None)
    pq.write_table(to_table(ind, "indicators"), processed / "indicators.parquet")
    (tmp_path / "notebooks").mkdir()
    shown = _run_in_process("library_report.ipynb", tmp_path / "notebooks", processed_dir=str(processed))
    page = "\n".join(s for s in shown if isinstance(s, str))
    assert "<h4>合格率：按二级指标</h4>" in page and "<h4>完成率：按二级指标</h4>" not in page
    table = page[page.index("<h4>合格率：按二级指标</h4>") :]
    table = table[: table.index("</table>")]
    assert "二级指标（归类）" in table and ">质量<" in table and ">生态效益<" in table
