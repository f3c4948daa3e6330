"""analysis.reports.show: what the report notebooks call — filtered reads, escaping, headline figures, notices."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import problems as problems_mod
from analysis.metrics import summaries
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
    per_unit = summaries.headline_figures(decl, "unit").set_index("unit")
    assert per_unit.loc["甲局", "rate"] == pytest.approx(950 / 1000)
    assert per_unit.loc["甲局", "year_budget"] == 400.0
    assert pd.isna(per_unit.loc["乙局", "rate"]) and pd.isna(per_unit.loc["乙局", "year_budget"])
    total = summaries.headline_figures(decl)
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
    return summaries.changes_for_report(data.indicators, data.declarations)


def test_changes_are_grouped_by_project_with_budget_change_file_and_line(tmp_path):
    changes = _changes(tmp_path)
    assert changes["source_file"].notna().all() and changes["source_line"].notna().all()
    out = report.changes_by_project_html(changes)
    assert "<h3>2020 年与 2019 年相比</h3>" in out and "<h3>2021 年与 2020 年相比</h3>" in out
    assert out.count('<details class="group">') == 4  # 2 projects x 2 compared years
    # the hotline project's budget grew 8.5 % a year: 140.63 -> 152.58 万元 in 2021
    assert "当年预算 140.63 → 152.58 万元（+11.95 万元）" in out
    assert '<th class="text short" scope="col">文件</th>' in out and "000_2021.txt" in out
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
    counts = summaries.change_counts(changes, "unit").iloc[0]
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
    second = summary.iloc[1]
    assert (second["code"], second["n"]) == ("shifted-row", 4)
    assert second["code_meaning"].startswith("指标行左移") and second["example"] == "a.txt:3，a.txt:9，b.txt:1……"
    html = report.table_html(summary)
    assert "警告" in html and "错误" in html and "问题说明" in html


def _problem_rows(rows):
    return pd.DataFrame(
        [
            dict(source_file=f, source_line=ln, severity=sev, code=code, message="m", decl_id=None)
            for f, ln, sev, code in rows
        ]
    ).astype({"source_line": "Int64"})


def test_problems_list_errors_before_warnings_then_by_count():
    problems = _problem_rows(
        [("a.txt", i, "warning", "shifted-row") for i in range(1, 6)]
        + [("b.txt", 1, "warning", "bad-date")] * 3
        + [
            ("fake.pdf", None, "error", "unreadable-file"),
            ("e.txt", 1, "error", "empty-file"),
            ("f.txt", 1, "error", "empty-file"),
        ]
    )
    summary = report.problem_summary(problems)
    assert list(zip(summary["severity"], summary["code"], summary["n"])) == [
        ("error", "empty-file", 2),
        ("error", "unreadable-file", 1),
        ("warning", "shifted-row", 5),
        ("warning", "bad-date", 3),
    ]


def test_a_problem_without_a_line_is_shown_the_same_way_everywhere(monkeypatch):
    problems = _problem_rows([("fake.pdf", None, "error", "unreadable-file"), ("a.txt", 7, "warning", "bad-date")])
    summary = report.problem_summary(problems)
    assert summary.set_index("code")["example"].to_dict() == {"unreadable-file": "fake.pdf", "bad-date": "a.txt:7"}
    assert report.problem_place(None, None) == "—"
    shown = []
    monkeypatch.setattr(report, "_display_html", shown.append)
    report.show_problems(problems)
    page = "".join(shown)
    assert "?" not in page.replace("？", "")
    assert '<td class="text col-source_file">fake.pdf</td><td class="num col-source_line">—</td>' in page
    # errors first in the folded list too; codes said in Chinese, never as slugs
    assert page.index(problems_mod.chinese("unreadable-file")) < page.index(problems_mod.chinese("bad-date"))
    assert "unreadable-file" not in page and "bad-date" not in page


def test_codes_are_shown_in_chinese_from_one_table():
    assert report.cell_text("source", "convention") == "审核惯例"
    assert report.cell_text("source", "财预〔2021〕101号") == "财预〔2021〕101号"
    assert [report.cell_text("kind", k) for k in ("quantitative", "qualitative", "deadline")] == [
        "定量",
        "定性",
        "时限",
    ]
    assert [report.cell_text("horizon", h) for h in ("year", "medium")] == ["当年", "中期"]
    assert report.cell_text("op", "range") == "区间" and report.cell_text("op", ">=") == ">="
    assert report.cell_text("match", "exact") == "精确" and report.cell_text("severity", "warning") == "警告"


def test_short_headings_stay_on_one_line():
    out = report.table_html(pd.DataFrame({"n": [3], "description": ["x"]}), labels={"n": "条数"})
    assert '<th class="num short" scope="col">条数</th>' in out
    long = report.table_html(pd.DataFrame({"prev_year_budget": [1.0]}))
    assert 'class="num" scope="col">上一年申报的当年预算（万元）<' in long


def test_a_missing_rate_is_said_in_words_not_as_a_dash(monkeypatch):
    shown = []
    monkeypatch.setattr(report, "_display_html", shown.append)
    decl = pd.DataFrame(
        {
            "unit": ["甲局"] * 2,
            "year": [2023, 2023],
            "year_budget": [10000.0, 20000.0],
            "prior_budget": [None, None],
            "prior_executed": [None, None],
        }
    )
    report.show_unit_summary("甲局", decl)
    report.show_year_summary(2023, decl)
    text = "".join(shown)
    assert "—" not in text and "年度 2023。" in text
    assert text.count("申报表未印上年预算额和上年执行数，无法计算上年（2022 年）的预算执行率。") == 2
    assert (
        report.rate_sentence(decl.assign(prior_budget=5.0), 2022)
        == "申报表未印上年执行数，无法计算上年（2022 年）的预算执行率。"
    )
    assert report.rate_sentence(decl, 2022, 0.9) == "报告的上年（2022 年）预算执行率为 90.0%。"
    shown.clear()
    report.show_overview_summary(decl.iloc[0:0])
    assert "—" not in shown[0] and "没有任何申报表" in shown[0]


def test_budget_against_targets_of_a_unit_in_the_order_of_the_years(monkeypatch):
    shown = []
    monkeypatch.setattr(report, "_display_html", shown.append)
    bt = pd.DataFrame(
        {
            "unit": ["甲局"] * 4,
            "year": [2023, 2020, 2021, 2022],
            "n_projects": [2] * 4,
            "prev_year_budget": [1.0, 2.0, 3.0, 4.0],
            "year_budget": [1.5, 2.5, 2.0, 4.5],
            "budget_change": [0.5, 0.5, -1.0, 0.5],
            "budget_change_rel": [0.5, 0.25, -0.3, 0.1],
            "tightened": [0, 1, 2, 3],
            "loosened": [0, 0, 0, 0],
            "net_tightening": [0, 1, 2, 3],
            "budget_up_targets_loosened": [False] * 4,
        }
    )
    report.show_budget_vs_targets(bt, by="year", projects=bt.iloc[:0].assign(project=pd.Series(dtype=object)))
    import re

    assert re.findall(r'col-year">(\d+)<', shown[-1]) == ["2020", "2021", "2022", "2023"]
    assert any("没有当年预算比上一年增加" in s for s in shown)
    assert "单位合计" in shown[-2] and "单位预算合计（万元）" in shown[-1]
    shown.clear()
    report.show_budget_vs_targets(bt.assign(budget_up_targets_loosened=[False, False, True, False]), by="year")
    assert re.findall(r'col-year">(\d+)<', shown[-1]) == ["2020", "2021", "2022", "2023"]
    assert '<tr class="flag">' in shown[-1]


def test_a_chart_carries_its_title_as_alt_text():
    from analysis.reports import plots

    out = report.figure_html(plots.projects_per_year(pd.DataFrame({"year": [2020, 2021]})))
    assert 'alt="图表：每年申报的项目数"' in out and out.startswith('<img class="chart" src="data:image/png;base64,')


def test_a_chart_without_data_is_one_line_of_text():
    from analysis.reports import plots

    out = report.figure_html(plots.budget_per_year(pd.DataFrame({"year": [], "year_budget": []})))
    assert out == '<p class="note chart-empty">每年的当年预算合计：无数据。</p>'


def test_links_between_reports():
    from analysis.reports.plan import safe_name

    assert report.report_href("unit", SEED_UNIT) == f"../units/{safe_name(SEED_UNIT)}.html"
    assert report.report_href("year", 2021) == "../years/2021.html"
    assert report.report_href("overview") == "../overview/all-years.html"


def test_a_unit_asked_with_white_space_around_it_is_the_unit(tmp_path):
    from seedkit import make_processed

    processed = make_processed(tmp_path / "p")
    assert report.check_unit(processed, f" {SEED_UNIT}\u3000") == SEED_UNIT
    data = report.load_unit(processed, f"{SEED_UNIT} ")
    assert len(data.declarations) and set(data.declarations["unit"]) == {SEED_UNIT}
    with pytest.raises(report.NotInData):
        report.check_unit(processed, "不存在的单位")


def test_a_report_is_named_by_its_unit_and_years_on_screen_and_in_print():
    import nbformat

    from analysis.reports.plan import report_title
    from analysis.reports.render import titled

    title = report_title("unit", '甲局"</style><script>', [2021, 2019, 2020])
    assert title == '甲局"</style><script> 绩效目标报告（2019—2021年）'
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 单位绩效目标报告\n\n说明")])
    nb = titled(nb, title)
    assert nb.metadata["title"] == title
    assert nb.cells[0].source.startswith('<h1 class="report-title">甲局&quot;&lt;/style&gt;&lt;script&gt; 绩效目标报告')
    header = nb.metadata["print_header"]  # a CSS string: nothing in it can end the style element
    assert header.startswith('"甲局\\22 \\3c /style\\3e \\3c script\\3e  绩效目标报告') and "<" not in header
