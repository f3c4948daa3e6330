"""Values as published in declarations: amounts, dates, names, frameworks and targets."""

import datetime as dt
import math

import pytest

from analysis import ids
from analysis.ingest import normalize as nz

import seedkit as kit

# ---------------------------------------------------------------------------------------------
# amounts


@pytest.mark.parametrize(
    "text,unit,expected",
    [
        ("1,406,400", "元", 1406400.0),  # the seed's form
        ("1406400", "元", 1406400.0),
        ("1,406,400.50", "元", 1406400.5),
        ("１，４０６，４００", "元", 1406400.0),  # full-width digits and comma
        ("1 406 400", "元", 1406400.0),
        ("140.64", "万元", 1406400.0),  # 项目总预算（万元）
        ("140.64万元", "元", 1406400.0),  # the unit written in the cell wins
        ("49", "万元", 490000.0),
        ("0.5亿元", "元", 50_000_000.0),
        ("0", "元", 0.0),
        ("0.00", "万元", 0.0),
    ],
)
def test_amounts(text, unit, expected):
    assert nz.parse_amount(text, unit) == (expected, True)


@pytest.mark.parametrize("text", [None, "", " ", "-", "--", "—", "/", "无", "　"])
def test_nothing_declared_is_null_not_zero(text):
    assert nz.parse_amount(text, "元") == (None, True)


@pytest.mark.parametrize("text", ["一百万", "1,406,400元整?", "见附件"])
def test_text_that_is_no_amount(text):
    assert nz.parse_amount(text) == (None, False)


def test_label_units():
    assert nz.label_unit("项目总预算（元）") == "元"
    assert nz.label_unit("项目总预算（万元）") == "万元"
    assert nz.label_unit("项目总预算(万元)") == "万元"


@pytest.mark.parametrize("prior", ["", "0", "-", "/"])
def test_a_new_projects_prior_figures(tmp_path, prior):
    block = kit.replace(
        kit.DECL1,
        "同名项目上年预算额（元）：\t1,296,100\t同名项目上年预算执行数（元）：\t1,296,100",
        f"同名项目上年预算额（元）：\t{prior}\t同名项目上年预算执行数（元）：\t{prior}",
    )
    r = kit.ingest_files(tmp_path, {"new.txt": kit.join(block)})
    d = r.declarations.iloc[0]
    if prior == "0":
        assert d["prior_budget"] == 0.0 and d["prior_executed"] == 0.0
    else:
        assert math.isnan(d["prior_budget"]) and math.isnan(d["prior_executed"])
    assert math.isnan(d["prior_execution_rate"])  # no rate of nothing
    assert r.problems.empty


def test_amounts_in_wan_yuan_labels(tmp_path, tmp_path_factory):
    block = kit.replace(
        kit.DECL1,
        "项目总预算（元）：\t1,406,400\t项目当年预算（元）：\t1,406,400",
        "项目总预算（万元）：\t140.64\t项目当年预算（万元）：\t140.64",
    )
    block = kit.replace(
        block,
        "同名项目上年预算额（元）：\t1,296,100\t同名项目上年预算执行数（元）：\t1,296,100",
        "同名项目上年预算额（万元）：\t129.61\t同名项目上年预算执行数（万元）：\t129.61",
    )
    r = kit.ingest_files(tmp_path, {"wan.txt": kit.join(block)})
    ref = [d for d in kit.reference(tmp_path_factory)[0] if d["project"] == kit.P1][0]
    assert kit.decl_records(r)[0] == ref
    assert r.problems.empty  # 140.64万元 in the plan agrees with the table


# ---------------------------------------------------------------------------------------------
# dates and booleans


@pytest.mark.parametrize(
    "text",
    [
        "2020-01-01",
        "2020/1/1",
        "2020年1月1日",
        "2020.1.1",
        "20200101",
        "2020-01-01 00:00:00",
        "２０２０年１月１日",
        "2020 年 1 月 1 日",
    ],
)
def test_date_formats(text):
    assert nz.parse_date(text) == (dt.date(2020, 1, 1), True)


@pytest.mark.parametrize("text", ["2020-13-01", "2020年2月30日", "明年", "2020"])
def test_bad_dates(text):
    assert nz.parse_date(text) == (None, False)


def test_booleans():
    assert nz.parse_bool("否") == (False, True) and nz.parse_bool("是") == (True, True)
    assert nz.parse_bool("") == (None, True) and nz.parse_bool("部分") == (None, False)


# ---------------------------------------------------------------------------------------------
# white space and names

SPACED = {
    "full-width space": "全市绿化、市容、环卫、林业诉求处置\u3000督查督办",
    "no-break space": "全市绿化、市容、环卫、林业诉求处置\u00a0督查督办",
    "a run of spaces": "全市绿化、市容、环卫、林业诉求处置   督查督办",
    "zero-width space": "全市绿化、市容、环卫、林业诉求处置\u200b督查督办",
    "padded": "  全市绿化、市容、环卫、林业诉求处置督查督办\u3000",
}


@pytest.mark.parametrize("kind", list(SPACED))
def test_the_same_project_spelled_with_other_spaces_gets_the_same_id(tmp_path, kind):
    spaced = SPACED[kind]
    block = kit.replace(kit.DECL2, kit.P2, spaced)
    r = kit.ingest_files(tmp_path, {"a.txt": kit.join(kit.DECL2), "b.txt": kit.join(block)})
    assert len(r.declarations) == 1  # kept once
    probs = r.problems[r.problems["code"] != "shifted-row"]
    assert probs["code"].tolist() == ["duplicate-declaration"]
    shown = nz.clean_name(spaced)
    assert (
        r.declarations["decl_id"].tolist()
        == [ids.decl_id(kit.UNIT, 2020, shown)]
        == [ids.decl_id(kit.UNIT, 2020, kit.P2)]
    )
    assert shown == shown.strip() and "  " not in shown and "\u3000" not in shown and "\u200b" not in shown


def test_clean_name_keeps_a_readable_form():
    assert nz.clean_name("上海市\u3000绿化  和\u00a0市容") == "上海市 绿化 和 市容"
    assert nz.clean_name("  \u3000 ") is None
    assert nz.clean_text("<p>第一段</p><p>第二段&amp;附件</p>") == "第一段\n第二段&附件"


# ---------------------------------------------------------------------------------------------
# frameworks


@pytest.mark.parametrize(
    "level1,std",
    [
        ("投入与管理", "投入管理"),
        ("产出目标", "产出"),
        ("效果目标", "效益"),
        ("影响力目标", "影响力"),
        ("产出指标", "产出"),
        ("效益指标", "效益"),
        ("满意度指标", "满意度"),
        ("成本指标", "成本"),
        ("产出 指标", "产出"),
        ("满意度目标", "满意度"),
        ("其他目标", "其他"),
        ("", None),
        (None, None),
    ],
)
def test_level1_std_maps_both_frameworks(level1, std):
    assert nz.level1_std(level1) == std


def test_every_mapping_is_documented():
    doc = (kit.ROOT / "docs" / "formats.md").read_text("utf-8")
    for published, std in nz.LEVEL1_STD.items():
        assert f"| {published} | {std} |" in doc, published


# ---------------------------------------------------------------------------------------------
# targets

TARGETS = [
    # published, (op, value, value_hi, unit, kind)
    (">=90%", (">=", 90, None, "%", "quantitative")),
    ("≥90%", (">=", 90, None, "%", "quantitative")),
    ("≥９０％", (">=", 90, None, "%", "quantitative")),
    ("＞90%", (">", 90, None, "%", "quantitative")),
    ("≤5%", ("<=", 5, None, "%", "quantitative")),
    ("＜5%", ("<", 5, None, "%", "quantitative")),
    ("＝100%", ("=", 100, None, "%", "quantitative")),
    ("=99%", ("=", 99, None, "%", "quantitative")),
    ("大于等于95%", (">=", 95, None, "%", "quantitative")),
    ("不低于95%", (">=", 95, None, "%", "quantitative")),
    ("不少于8500个", (">=", 8500, None, "个", "quantitative")),
    ("95%以上", (">=", 95, None, "%", "quantitative")),
    ("不高于5%", ("<=", 5, None, "%", "quantitative")),
    ("不超过30天", ("<=", 30, None, "天", "quantitative")),
    ("30天以内", ("<=", 30, None, "天", "quantitative")),
    ("20个工作日内", ("<=", 20, None, "个工作日", "quantitative")),
    ("达到100%", (">=", 100, None, "%", "quantitative")),
    ("95%", ("=", 95, None, "%", "quantitative")),
    ("8500", ("=", 8500, None, None, "quantitative")),
    (">= 95 %", (">=", 95, None, "%", "quantitative")),
    ("≥ 8500 个", (">=", 8500, None, "个", "quantitative")),
    ("90%-95%", ("range", 90, 95, "%", "quantitative")),
    ("90%～95%", ("range", 90, 95, "%", "quantitative")),
    ("90-95%", ("range", 90, 95, "%", "quantitative")),
    ("3至5次", ("range", 3, 5, "次", "quantitative")),
    (">=50万次", (">=", 500000, None, "次", "quantitative")),
    ("1.2亿元", ("=", 120000000, None, "元", "quantitative")),
    ("≤5.2万元/人", ("<=", 52000, None, "元/人", "quantitative")),
    ("<=140.64万元", ("<=", 1406400, None, "元", "quantitative")),
    (">=1000人次", (">=", 1000, None, "人次", "quantitative")),
    (">=2万人次", (">=", 20000, None, "人次", "quantitative")),
    (">=200户次", (">=", 200, None, "户次", "quantitative")),
    ("2021年12月31日前", ("<=", 20211231, None, None, "deadline")),
    ("12月底前", ("<=", 20211231, None, None, "deadline")),
    ("6月30日前", ("<=", 20210630, None, None, "deadline")),
    ("2021年6月底前", ("<=", 20210630, None, None, "deadline")),
    ("2021年", ("<=", 20211231, None, None, "deadline")),
    ("2021年底", ("<=", 20211231, None, None, "deadline")),
    ("2021-06-30前", ("<=", 20210630, None, None, "deadline")),
    ("年底前完成", ("<=", 20211231, None, None, "deadline")),
    ("规范", (None, None, None, None, "qualitative")),
    ("及时", (None, None, None, None, "qualitative")),
    ("有效保障", (None, None, None, None, "qualitative")),
    ("持续完善", (None, None, None, None, "qualitative")),
    ("健全", (None, None, None, None, "qualitative")),
    ("不低于上年", (None, None, None, None, "qualitative")),
    (">=", (">=", None, None, None, "qualitative")),  # an operator with no number: reported by ingest
    ("≥%", (">=", None, None, None, "qualitative")),
    ("", (None, None, None, None, None)),
]


@pytest.mark.parametrize("text,expected", TARGETS, ids=[t for t, _ in TARGETS])
def test_target_notations(text, expected):
    got = nz.parse_target(text, 2021)
    assert got[0] == expected[0] and got[3:] == expected[3:]
    for g, e in zip(got[1:3], expected[1:3]):
        assert (g is None and e is None) or g == pytest.approx(e)


def test_deadline_without_a_year_to_take():
    assert nz.parse_target("12月底前", None) == ("<=", None, None, None, "deadline")


def test_target_problems_in_a_declaration(tmp_path):
    block = kit.replace(kit.DECL1, "人员聘用完成率\t>=90%", "人员聘用完成率\t>=")
    block = kit.replace(block, "派遣人员合格率\t>=90%", "派遣人员合格率\t>=190%")
    block = kit.replace(block, "派遣人员到岗及时性\t及时", "派遣人员到岗及时性\t")
    r = kit.ingest_files(tmp_path, {"t.txt": kit.join(block)})
    p = r.problems.set_index("code")
    assert sorted(p.index) == ["bad-target", "missing-target", "percent-over-100"]
    first = kit.line_index(block, "产出目标") + 1
    assert p.loc["bad-target", "source_line"] == first and "'>='" in p.loc["bad-target", "message"]
    assert p.loc["percent-over-100", "source_line"] == first + 1
    assert p.loc["missing-target", "source_line"] == first + 2
    assert "t.txt, line" in p.loc["missing-target", "message"]
    assert len(r.indicators) == 8  # each still a row


def test_more_published_forms():
    assert nz.parse_date("43831") == (dt.date(2020, 1, 1), True)  # Excel's serial for 2020-01-01
    assert nz.parse_date("44561") == (dt.date(2021, 12, 31), True)
    assert nz.parse_amount("140.64（万元）") == (1406400.0, True)
    assert nz.parse_target("90%以上（含90%）")[:4] == (">=", 90.0, None, "%")
    assert nz.parse_target("≥95%（含）")[:4] == (">=", 95.0, None, "%")


def test_a_month_alone_and_words_for_nothing_declared():
    assert nz.parse_date("2020年1月") == (dt.date(2020, 1, 1), True)
    assert nz.parse_date("2020年2月", end=True) == (dt.date(2020, 2, 29), True)
    assert nz.parse_date("2020-12", end=True) == (dt.date(2020, 12, 31), True)
    assert nz.parse_date("2020年13月") == (None, False)
    assert nz.parse_amount("不适用") == (None, True) and nz.parse_amount("新增项目") == (None, True)
