"""The helpers the report notebooks call: filtered reads, escaping, headline figures, notices.

``make_processed`` builds the small processed fixture that the notebook, batch, export and
browser tests share.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from analysis import report
from analysis.ids import decl_id
from analysis.store import DECLARATIONS_SCHEMA, INDICATORS_SCHEMA, PROBLEMS_SCHEMA, to_table, write_tables

SEED_UNIT = "上海市绿化和市容管理局行政服务中心"
UNITS = [SEED_UNIT, "上海市水务局执法总队"]
HOSTILE_UNITS = ["<script>alert(1)</script>局", "../../x局", "a/b局"]
HOSTILE_PROJECT = '<img src=x onerror="window.__pwned=1">项目'
YEARS = (2019, 2020, 2021)

# (project, budget in 2019, growth per year, target for 人员聘用完成率 per year)
PROJECTS = [
    ("绿化市容环卫热线运作和受理处置工作经费", 1_296_100.0, 1.085, (">=90%", ">=95%", ">=95%")),
    ("全市绿化、市容、环卫、林业诉求处置督查督办", 800_000.0, 1.0, (">=98%", ">=95%", "=100%")),
]


def _rows(units, synthetic: bool):
    decls, inds, probs = [], [], []
    for u, unit in enumerate(units):
        for y, year in enumerate(YEARS):
            source = f"{'synthetic/' if synthetic else ''}{u:03d}_{year}.txt"
            for p, (project, budget, growth, targets) in enumerate(PROJECTS):
                if unit in HOSTILE_UNITS and p == 1:
                    project = HOSTILE_PROJECT
                did = decl_id(unit, year, project)
                year_budget = round(budget * growth ** (y + 1), 2)
                prior_budget = round(budget * growth**y, 2)
                executed = round(prior_budget * (0.80 + 0.07 * ((u + y + p) % 3)), 2)
                exec_target = 0.99 if p == 0 else 0.95
                line = 1 + 40 * p
                decls.append(
                    dict(
                        decl_id=did, year=year, unit=unit, project=project, category="其他一次性项目",
                        perf_type="其他类", gov_purchase=False,
                        start_date=dt.date(year, 1, 1), end_date=dt.date(year, 12, 31),
                        total_budget=year_budget, year_budget=year_budget,
                        prior_budget=prior_budget, prior_executed=executed,
                        prior_execution_rate=executed / prior_budget,
                        overview=f"本项目由{unit}实施。<script>window.__pwned=1</script>",
                        basis="《上海市人民政府关于做好“12345”市民服务热线工作的意见》",
                        necessity="", measures="", plan="", goals="",
                        source_file=source, source_line=line, exec_target=exec_target,
                    )
                )
                exec_raw = "=99%" if p == 0 else ">=95%"
                indicator_rows = [
                    ("投入与管理", "财务管理", "预算执行率", exec_raw, "quantitative"),
                    ("产出目标", "数量", "人员聘用完成率", targets[y], "quantitative"),
                    ("产出目标", "质量", "派遣人员合格率", ">=90%", "quantitative"),
                    ("产出目标", "时效", "派遣人员到岗及时性", "及时", "qualitative"),
                    ("效果目标", "社会效益", "对保障热线运行的作用", "有效保障", "qualitative"),
                ]
                if y == 2:
                    indicator_rows.append(("影响力目标", "长效管理", "项目的可持续性", "可持续", "qualitative"))
                for seq, (l1, l2, name, raw, kind) in enumerate(indicator_rows, start=1):
                    op = value = unit_ = None
                    if kind == "quantitative":
                        op = ">=" if raw.startswith(">=") else "="
                        value = float(raw.lstrip(">=").rstrip("%"))
                        unit_ = "%"
                    inds.append(
                        dict(
                            decl_id=did, year=year, unit=unit, project=project, seq=seq, level1=l1, level2=l2,
                            name=name, level1_std={"投入与管理": "投入管理", "产出目标": "产出", "效果目标": "效益",
                                                   "影响力目标": "影响力"}[l1],
                            target_raw=raw, op=op, value=value, value_hi=None, value_unit=unit_, kind=kind,
                            source_line=line + 20 + seq,
                        )
                    )
            probs.append(
                dict(
                    source_file=source, source_line=7, severity="warning", code="budget_mismatch",
                    message=f"{source}:7: 项目当年预算与项目总预算不一致 <b>{unit}</b>", decl_id=None,
                )
            )
    return decls, inds, probs


def make_processed(path: Path, hostile: bool = False, synthetic: bool = False, units=None) -> Path:
    """Write a small processed fixture (2 units, or those given, x 3 years x 2 projects) into ``path``."""
    chosen = list(units) if units is not None else UNITS + (HOSTILE_UNITS if hostile else [])
    decls, inds, probs = _rows(chosen, synthetic)
    decl = to_table(decls, DECLARATIONS_SCHEMA)
    if "exec_target" not in decl.schema.names:
        decl = decl.append_column("exec_target", pa.array([d["exec_target"] for d in decls], pa.float64()))
    write_tables(
        {"declarations": decl, "indicators": to_table(inds, INDICATORS_SCHEMA), "problems": to_table(probs, PROBLEMS_SCHEMA)},
        path,
    )
    return Path(path)


@pytest.fixture
def processed(tmp_path):
    return make_processed(tmp_path / "processed", hostile=True, synthetic=True)


def test_load_unit_reads_only_that_unit(processed):
    data = report.load_unit(processed, SEED_UNIT)
    assert set(data.declarations["unit"]) == {SEED_UNIT}
    assert "overview" not in data.declarations and "exec_target" in data.declarations  # prose is not read
    assert set(data.indicators["unit"]) == {SEED_UNIT}
    assert len(data.declarations) == len(YEARS) * len(PROJECTS)
    # the problems of the unit's own files, none of the other units'
    assert len(data.problems) == len(YEARS)
    assert data.problems["source_file"].str.startswith("synthetic/000_").all()


def test_load_year_reads_that_year_and_the_one_before(processed):
    data = report.load_year(processed, 2020)
    assert set(data.declarations["year"]) == {2019, 2020}
    assert set(data.indicators["year"]) == {2019, 2020}


def test_resolve_processed_dir_walks_up_from_a_subfolder(processed, monkeypatch):
    sub = processed.parent / "notebooks"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert report.resolve_processed_dir("processed") == processed.resolve()
    assert report.resolve_processed_dir(str(processed)) == processed


def test_table_html_escapes_hostile_names():
    frame = pd.DataFrame({"unit": ["<script>alert(1)</script>局"], "project": [HOSTILE_PROJECT], "rate": [0.5]})
    out = report.table_html(frame)
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in out
    assert "单位" in out and "50.0%" in out


def test_say_escapes_values_but_keeps_the_sentence_markup():
    out = report.say("单位：<strong>{unit}</strong>", unit="[x](javascript:alert(1))<b>局</b>")
    assert out == "<p>单位：<strong>[x](javascript:alert(1))&lt;b&gt;局&lt;/b&gt;</strong></p>"


def test_formats():
    assert report.fmt_money(1_406_400) == "140.64 万元"
    assert report.fmt_rate(0.985) == "98.5%"
    assert report.fmt_rate(None) == "—" and report.fmt_money(float("nan")) == "—"


def test_synthetic_notice_only_for_synthetic_sources():
    real = pd.DataFrame({"source_file": ["000_bd3c41999dbba456.txt"]})
    fake = pd.DataFrame({"source_file": ["000_bd3c41999dbba456.txt", "synthetic/u001.txt"]})
    assert report.synthetic_notice_html(real) is None
    assert "合成" in report.synthetic_notice_html(fake)


def test_headline_figures_are_budget_weighted():
    decl = pd.DataFrame(
        {
            "unit": ["甲局", "甲局", "乙局"],
            "year": [2020, 2020, 2020],
            "year_budget": [100.0, 300.0, None],
            "prior_budget": [100.0, 900.0, 50.0],
            "prior_executed": [50.0, 900.0, None],
        }
    )
    per_unit = report.headline_figures(decl, "unit").set_index("unit")
    assert per_unit.loc["甲局", "rate"] == pytest.approx(950 / 1000)
    assert per_unit.loc["甲局", "year_budget"] == 400.0
    assert pd.isna(per_unit.loc["乙局", "rate"]) and pd.isna(per_unit.loc["乙局", "year_budget"])
    total = report.headline_figures(decl)
    assert total.loc[0, "n_projects"] == 3
