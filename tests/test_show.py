"""analysis.reports.show: what the report notebooks call — filtered reads, escaping, headline figures, notices."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.reports import show as report

from seedkit import HOSTILE_PROJECT, HOSTILE_UNITS, PROJECTS, SEED_UNIT, UNITS, YEARS, make_processed  # noqa: F401


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


# ----------------------------------------------------------------------------- failing loudly


def test_an_unknown_unit_stops_with_the_closest_names(tmp_path):
    processed = make_processed(tmp_path / "p", units=["示例市财政局", "示例市民政局", SEED_UNIT])
    with pytest.raises(report.NotInData) as err:
        report.load_unit(processed, "示例市财政")
    assert str(err.value) == "单位不存在：示例市财政。您是否要找：示例市财政局？"
    with pytest.raises(report.NotInData, match="数据中共有 3 个单位"):
        report.load_unit(processed, "完全不同的名字")
    with pytest.raises(report.NotInData, match="年度不存在：2030。数据中的年度：2019、2020、2021。"):
        report.load_year(processed, 2030)
    assert len(report.load_unit(processed, "示例市财政局").declarations) == 6


def test_names_sort_by_pinyin():
    assert report.sort_names(["示例市财政局", "示例市档案局", "示例市教育局", "上海市水务局"]) == [
        "上海市水务局",
        "示例市财政局",
        "示例市档案局",
        "示例市教育局",
    ]


# ----------------------------------------------------------------------------- tables that read well


def test_table_html_aligns_formats_and_folds_long_tables():
    frame = pd.DataFrame(
        {
            "project": [f"项目{i}" for i in range(20)],
            "year_budget": [1_406_400.0] * 20,
            "rate": [0.9278381153077214] * 20,
            "change": ["loosened"] * 20,
        }
    )
    out = report.table_html(frame, title="项目")
    assert '<th class="num" scope="col">当年预算（万元）</th>' in out
    assert '<td class="num col-year_budget">140.64</td>' in out and ">92.8%<" in out
    assert '<td class="text col-project">项目0</td>' in out and ">放松<" in out
    assert out.startswith("<details><summary>项目：共 20 行")
    assert not report.table_html(frame.head(3)).startswith("<details")


def _changes(tmp_path):
    from analysis import metrics  # noqa: F401

    processed = make_processed(tmp_path / "p", units=[SEED_UNIT])
    data = report.load_unit(processed, SEED_UNIT)
    return report.changes_for_report(data.indicators, data.declarations)


def test_changes_are_grouped_by_project_with_budget_change_file_and_line(tmp_path):
    changes = _changes(tmp_path)
    assert changes["source_file"].notna().all() and changes["source_line"].notna().all()
    out = report.changes_by_project_html(changes)
    assert "<h3>2020 年与 2019 年相比</h3>" in out and "<h3>2021 年与 2020 年相比</h3>" in out
    assert out.count('<details class="group">') == 4  # 2 projects x 2 compared years
    # the hotline project's budget grew 8.5 % a year: 140.63 -> 152.58 万元 in 2021
    assert "当年预算 140.63 → 152.58 万元（+11.95 万元）" in out
    assert '<th class="text" scope="col">文件</th>' in out and "000_2021.txt" in out
    # >=90% -> >=95% for 人员聘用完成率 in 2020 is tightened (收紧), not 提高
    assert "收紧" in out and "提高" not in out and "降低" not in out


def test_change_counts_put_framework_changes_apart():
    changes = pd.DataFrame(
        {
            "unit": ["甲局"] * 4,
            "to_year": [2021] * 4,
            "change": ["removed", "removed", "added", "tightened"],
            "framework_change": [True, False, True, False],
        }
    )
    counts = report.change_counts(changes, "unit").iloc[0]
    assert (counts["removed"], counts["added"], counts["tightened"], counts["framework_changes"]) == (1, 0, 1, 2)


def test_problems_are_counted_by_code_in_chinese_with_examples():
    problems = pd.DataFrame(
        {
            "source_file": ["a.txt", "a.txt", "b.txt", "b.txt", "c.txt"],
            "source_line": [3, 9, 1, 4, 2],
            "severity": ["warning"] * 4 + ["error"],
            "code": ["shifted-row"] * 4 + ["empty-file"],
            "message": ["x"] * 5,
            "decl_id": [None] * 5,
        }
    )
    summary = report.problem_summary(problems)
    first = summary.iloc[0]
    assert (first["code"], first["n"]) == ("shifted-row", 4)
    assert first["description"].startswith("指标行左移") and first["example"] == "a.txt:3，a.txt:9，b.txt:1……"
    html = report.table_html(summary)
    assert "警告" in html and "错误" in html and "问题说明" in html


def test_a_chart_carries_its_title_as_alt_text():
    from analysis.reports import plots

    out = report.figure_html(plots.projects_per_year(pd.DataFrame({"year": [2020, 2021]})))
    assert 'alt="图表：每年申报的项目数"' in out and out.startswith('<img class="chart" src="data:image/png;base64,')


def test_links_between_reports():
    from analysis.reports.plan import safe_name

    assert report.report_href("unit", SEED_UNIT) == f"../units/{safe_name(SEED_UNIT)}.html"
    assert report.report_href("year", 2021) == "../years/2021.html"
    assert report.report_href("overview") == "../overview/all-years.html"
