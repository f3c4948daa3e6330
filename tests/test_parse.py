"""Layouts: how declarations are split, their fields found and their indicator tables read."""

import pytest

from analysis.ingest.parse import match_label, split_declarations
from analysis.ingest.readers import split_rows

import seedkit as kit

TITLE, YEAR, UNIT_ROW = kit.DECL1[0], kit.DECL1[1], kit.DECL1[2]
BODY1 = kit.DECL1[3:]  # from 项目名称 to the last indicator
BODY2 = kit.DECL2[3:]


def raws(text: str, rel: str = "f.txt"):
    rows, _ = split_rows(text, rel)
    return split_declarations(rows, rel)


def same_as_seed(tmp_path, tmp_path_factory, text: str, name: str = "v.txt"):
    ref_decls, ref_inds = kit.reference(tmp_path_factory)
    r = kit.ingest_files(tmp_path, {name: text})
    assert kit.decl_records(r) == ref_decls
    assert kit.indicator_records(r) == ref_inds
    return r


def test_header_printed_once_for_several_declarations(tmp_path, tmp_path_factory):
    text = kit.join([TITLE, YEAR, UNIT_ROW] + BODY1, BODY2)
    r = same_as_seed(tmp_path, tmp_path_factory, text)
    d = r.declarations.set_index("project")
    # the second declaration starts at its 项目名称 row
    assert d.loc[kit.P2, "source_line"] == 3 + len(BODY1) + 2


def test_header_repeated_before_each_declaration_is_the_seed_itself(tmp_path, tmp_path_factory):
    r = same_as_seed(tmp_path, tmp_path_factory, kit.join(kit.DECL1, kit.DECL2))
    assert sorted(r.declarations["source_line"]) == [1, len(kit.DECL1) + 2]


def test_full_width_year_row_and_other_table_words(tmp_path):
    blocks = []
    for block in (kit.DECL1, kit.DECL2):
        b = kit.replace(block, "(2020年度)", "（2021年度）")
        b = kit.replace(b, "2020年绩效目标", "年度绩效目标")
        b = kit.replace(b, "一级目标\t二级目标\t三级目标\t指标目标值", "一级指标\t二级指标\t三级指标\t指标值")
        b = [line.replace("2020-", "2021-") for line in b]
        blocks.append(b)
    r = kit.ingest_files(tmp_path, {"v.txt": kit.join(*blocks)})
    assert r.declarations["year"].tolist() == [2021, 2021]
    assert len(r.indicators) == 17 and r.indicators["year"].eq(2021).all()
    # the deadline 2020年 in a 2021 declaration is read as published, not moved
    assert r.indicators.loc[r.indicators["kind"] == "deadline", "value"].tolist() == [20201231.0]
    assert r.problems["code"].tolist() == ["shifted-row"]


@pytest.mark.parametrize(
    "heading",
    ["2020年绩效目标", "年度绩效目标", "2020年度绩效目标", "项目绩效目标", "绩效目标", "2020年度项目绩效目标："],
)
def test_target_headings(heading):
    text = kit.join(kit.replace(kit.DECL1, "2020年绩效目标", heading))
    (d,), orphans = raws(text)
    assert len(d.indicators) == 8 and not orphans and not d.problems
    assert d.heading_year == (2020 if heading.startswith("2020") else None)


def test_heading_year_that_disagrees_is_reported(tmp_path):
    text = kit.join(kit.replace(kit.DECL1, "2020年绩效目标", "2019年绩效目标"))
    r = kit.ingest_files(tmp_path, {"v.txt": text})
    assert r.declarations["year"].tolist() == [2020]
    assert r.problems["code"].tolist() == ["year-mismatch"] and r.problems["source_line"].tolist() == [2]


def test_year_printed_in_the_title(tmp_path, tmp_path_factory):
    blocks = [["2020年度财政项目支出绩效目标表"] + b[2:] for b in (kit.DECL1, kit.DECL2)]
    r = kit.ingest_files(tmp_path, {"v.txt": kit.join(*blocks)})
    assert r.declarations["year"].tolist() == [2020, 2020] and len(r.indicators) == 17
    blocks = [["财政项目支出绩效目标表（2020年度）"] + b[2:] for b in (kit.DECL1, kit.DECL2)]
    assert (
        kit.decl_records(kit.ingest_files(tmp_path / "b", {"v.txt": kit.join(*blocks)}))
        == kit.reference(tmp_path_factory)[0]
    )


def test_no_title_only_year_and_fields(tmp_path, tmp_path_factory):
    # some exports drop the title row; the 申报单位名称/项目名称 rows still start the declarations
    text = kit.join(kit.DECL1[1:], kit.DECL2[1:])
    same_as_seed(tmp_path, tmp_path_factory, text)


def test_prose_value_with_a_colon_stays_in_its_field(tmp_path):
    block = kit.replace(
        kit.DECL1, "总目标及阶段性目标：\t通过劳务派遣方式", "总目标及阶段性目标：\t总目标：通过劳务派遣方式"
    )
    block = kit.replace(block, "项目概况：\t", "项目概况：\t实施内容：")
    r = kit.ingest_files(tmp_path, {"v.txt": kit.join(block)})
    d = r.declarations.iloc[0]
    assert d["goals"].startswith("总目标：通过劳务派遣方式") and d["goals"].endswith("上台阶。")
    assert d["overview"] == "实施内容：本项目实施内容为通过劳务派遣方式增加绿化市容热线受理岗位及行政受理岗位人员。"
    assert r.problems.empty


def test_match_label_forms():
    assert match_label("项目名称：").field == "project"
    assert match_label("项目总预算（元）：").label == "项目总预算(元)"
    assert match_label("项目总预算（万元）:").field == "total_budget"
    assert match_label("申报单位名称：上海市绿化和市容管理局行政服务中心").inline == kit.UNIT
    assert match_label("项 目 名 称：").field == "project"
    assert match_label("审批文号：").field is None  # an unknown label
    assert match_label("本项目实施内容为：通过劳务派遣方式增加岗位") is None  # prose with a colon
    assert match_label("2020年") is None and match_label("") is None


def test_continuation_lines_of_prose_at_the_row_start(tmp_path):
    # a cell's line breaks exported without quotes: the rest of the text starts a new row
    i = kit.line_index(kit.DECL1, "项目实施计划：")
    block = list(kit.DECL1)
    block[i : i + 1] = [
        "项目实施计划：\t本项目的预算经费为140.64万元,全部来源于市财政拨款。",
        "11月30日前完成全部资金支付。",
    ]
    r = kit.ingest_files(tmp_path, {"v.txt": kit.join(block)})
    assert (
        r.declarations.iloc[0]["plan"]
        == "本项目的预算经费为140.64万元,全部来源于市财政拨款。\n11月30日前完成全部资金支付。"
    )
    assert r.problems.empty
    # indented continuation (the label column left blank) is joined too
    block[i + 1] = "\t11月30日前完成全部资金支付。"
    r = kit.ingest_files(tmp_path / "b", {"v.txt": kit.join(block)})
    assert r.declarations.iloc[0]["plan"].endswith("\n11月30日前完成全部资金支付。")


def test_section_heading_right_after_prose_is_not_prose(tmp_path, tmp_path_factory):
    blocks = [[line for line in b if line != ""] for b in (kit.DECL1, kit.DECL2)]  # no blank lines
    r = same_as_seed(tmp_path, tmp_path_factory, kit.join(*blocks))
    assert r.problems["code"].tolist() == ["shifted-row"]


def test_a_leading_empty_column_changes_nothing(tmp_path, tmp_path_factory):
    text = kit.join(*[["\t" + line for line in b] for b in (kit.DECL1, kit.DECL2)])
    r = same_as_seed(tmp_path, tmp_path_factory, text)
    assert r.problems["code"].tolist() == ["shifted-row"]


def test_row_shifted_by_two_cells(tmp_path):
    # both merged cells dropped: only name and target are left, at the row start
    block = kit.replace(kit.DECL2, "\t\t年度报告完成率\t=100%", "年度报告完成率\t=100%")
    (d,), _ = raws(kit.join(block))
    ind = d.indicators[5]
    assert (ind.level1, ind.level2, ind.name, ind.target, ind.shifted) == (
        "产出目标",
        "质量",
        "年度报告完成率",
        "=100%",
        True,
    )


def test_the_new_framework_table(tmp_path):
    rows = [
        "一级指标\t二级指标\t三级指标\t指标值",
        "产出指标\t数量指标\t人员聘用完成率\t≥90%",
        "\t质量指标\t派遣人员合格率\t≥90%",
        "\t时效指标\t派遣人员到岗及时性\t及时",
        "\t成本指标\t人均派遣成本\t≤5.2万元/人",
        "效益指标\t社会效益指标\t对保障绿化市容环卫热线运行的作用\t有效保障",
        "\t可持续影响指标\t项目的可持续性\t可持续",
        "满意度指标\t服务对象满意度指标\t公众满意度\t≥80%",
    ]
    i = kit.line_index(kit.DECL1, "一级目标")
    block = kit.DECL1[:i] + rows
    r = kit.ingest_files(tmp_path, {"v.txt": kit.join(block)})
    ind = r.indicators
    assert ind["level1"].tolist() == ["产出指标"] * 4 + ["效益指标"] * 2 + ["满意度指标"]
    assert ind["level1_std"].tolist() == ["产出"] * 4 + ["效益"] * 2 + ["满意度"]
    assert ind["level2"].tolist()[3] == "成本指标"
    cost = ind.iloc[3]
    assert (cost["op"], cost["value"], cost["value_unit"]) == ("<=", 52000.0, "元/人")
    assert r.problems.empty


def test_money_unit_printed_above_the_amounts(tmp_path):
    # 单位：万元 printed once above amount labels that carry no unit
    block = list(kit.DECL1)
    i = kit.line_index(block, "项目总预算")
    block[i - 1 : i + 2] = [
        "本项目上年度市级财政资金使用情况\t\t单位：万元",
        "项目总预算：\t140.64\t项目当年预算：\t140.64",
        "同名项目上年预算额：\t129.61\t同名项目上年预算执行数：\t129.61",
    ]
    r = kit.ingest_files(tmp_path, {"v.txt": kit.join(block)})
    d = r.declarations.iloc[0]
    assert (d["total_budget"], d["year_budget"], d["prior_budget"], d["prior_executed"]) == (
        1406400.0,
        1406400.0,
        1296100.0,
        1296100.0,
    )
    assert r.problems.empty


def test_text_before_the_first_declaration_is_reported_once(tmp_path):
    text = "附件2\n单位绩效目标汇总\t说明：以下为本单位申报的项目，共两个，均为其他一次性项目。\n" + kit.join(kit.DECL1)
    r = kit.ingest_files(tmp_path, {"v.txt": text})
    assert len(r.declarations) == 1
    assert r.problems["code"].tolist() == ["unrecognized-row"] and r.problems["source_line"].tolist() == [2]


def test_a_shifted_row_whose_level2_is_also_a_level1_word():
    # 成本指标 is a level2 under 产出指标 here (and a level1 in the 2021 framework)
    rows = [
        "一级指标\t二级指标\t三级指标\t指标值",
        "产出指标\t数量指标\t人员聘用完成率\t≥90%",
        "成本指标\t人均派遣成本\t≤5.2万元/人\t",
        "满意度指标\t服务对象满意度指标\t公众满意度\t≥80%",
        "\t\t热线诉求回访率\t≥95%",
    ]
    i = kit.line_index(kit.DECL1, "一级目标")
    (d,), _ = raws(kit.join(kit.DECL1[:i] + rows))
    got = [(x.level1, x.level2, x.name, x.target, x.shifted) for x in d.indicators]
    assert got == [
        ("产出指标", "数量指标", "人员聘用完成率", "≥90%", False),
        ("产出指标", "成本指标", "人均派遣成本", "≤5.2万元/人", True),
        ("满意度指标", "服务对象满意度指标", "公众满意度", "≥80%", False),
        ("满意度指标", "服务对象满意度指标", "热线诉求回访率", "≥95%", False),
    ]
    assert [p.code for p in d.problems] == ["shifted-row"]


def test_rows_after_a_finished_declaration_never_change_it(tmp_path, tmp_path_factory):
    # the second declaration lost its title, unit and project rows: its fields and table
    # must not overwrite the first one (they form a declaration without a project, reported)
    i = kit.line_index(kit.DECL2, "计划开始日期")
    text = kit.join(kit.DECL1, kit.DECL2[i:])
    r = kit.ingest_files(tmp_path, {"v.txt": text})
    ref = [d for d in kit.reference(tmp_path_factory)[0] if d["project"] == kit.P1]
    assert kit.decl_records(r) == ref and len(r.indicators) == 8
    assert sorted(r.problems["code"]) == ["missing-field", "shifted-row"]
    assert r.summary["declarations_found"] == 2 and r.summary["ledger_ok"]


def test_indicator_rows_after_a_blank_line_join_no_table(tmp_path):
    j = kit.line_index(kit.DECL2, "投入与管理")
    text = kit.join(kit.DECL1, kit.DECL2[j : j + 3])
    r = kit.ingest_files(tmp_path, {"v.txt": text})
    assert len(r.indicators) == 8
    assert set(r.problems["code"]) == {"unrecognized-row"}


def test_year_and_money_unit_on_one_row_and_a_year_label(tmp_path, tmp_path_factory):
    ref = kit.reference(tmp_path_factory)[0]
    b1 = kit.replace(kit.DECL1, "(2020年度)\t\t\t", "(2020年度)\t\t单位：\t万元")
    b1 = kit.replace(
        b1,
        "项目总预算（元）：\t1,406,400\t项目当年预算（元）：\t1,406,400",
        "项目总预算：\t140.64\t项目当年预算：\t140.64",
    )
    b1 = kit.replace(
        b1,
        "同名项目上年预算额（元）：\t1,296,100\t同名项目上年预算执行数（元）：\t1,296,100",
        "同名项目上年预算额：\t129.61\t同名项目上年预算执行数：\t129.61",
    )
    b2 = [line for line in kit.DECL2 if not line.startswith("(2020年度)")]
    b2 = kit.replace(b2, "申报单位名称：", "预算年度：2020年\t\t申报单位名称：")
    r = kit.ingest_files(tmp_path, {"v.txt": kit.join(b1, b2)})
    assert kit.decl_records(r) == ref
    assert r.problems["code"].tolist() == ["shifted-row"]


def test_an_indicator_named_like_a_label_stays_in_the_table():
    block = kit.replace(kit.DECL1, "\t实施管理\t资金使用规范性\t规范", "\t实施管理\t实施计划\t规范")
    block = kit.replace(block, "\t派遣人员到岗及时性\t及时", "\t必要性\t及时")
    (d,), _ = raws(kit.join(block))
    assert [(i.level2, i.name) for i in d.indicators][2:6:3] == [("实施管理", "实施计划"), ("时效", "必要性")]
    assert len(d.indicators) == 8 and not d.problems
    assert d.get("plan").startswith("本项目的预算经费")


def test_operator_and_unit_printed_in_columns_of_their_own(tmp_path, tmp_path_factory):
    # 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位, the seed's indicators re-laid out
    import re

    def relayout(block):
        out = []
        for line in block:
            cells = line.split("\t")
            if cells[0] == "一级目标":
                out.append("一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位")
                continue
            if len(cells) == 4 and cells[3] and line in block[kit.line_index(block, "一级目标") + 1 :]:
                m = re.fullmatch(r"(>=|=)?(\d+)(%|个)?", cells[3])
                op, value, unit = (m.group(1) or "", m.group(2), m.group(3) or "") if m else ("定性", cells[3], "")
                out.append("\t".join(cells[:3] + [op, value, unit]))
                continue
            out.append(line)
        return out

    blocks = [relayout(kit.DECL1), relayout(kit.DECL2)]
    assert "投入与管理\t投入管理\t预算资金到位率\t=\t99\t%" in blocks[0]
    r = kit.ingest_files(tmp_path, {"v.txt": kit.join(*blocks)})
    ref = kit.reference(tmp_path_factory)[1]
    got = kit.indicator_records(r)
    assert got == ref  # the shifted row (line 58, kept as published) included
    assert r.problems["code"].tolist() == ["shifted-row"]


def test_money_unit_beside_the_title(tmp_path):
    block = ["财政项目支出绩效目标表\t\t单位：\t万元"] + kit.DECL1[1:]
    block = kit.replace(
        block,
        "项目总预算（元）：\t1,406,400\t项目当年预算（元）：\t1,406,400",
        "项目预算总额：\t140.64\t当年预算数：\t140.64",
    )
    r = kit.ingest_files(tmp_path, {"v.txt": kit.join(block)})
    d = r.declarations.iloc[0]
    assert (d["total_budget"], d["year_budget"], d["source_line"]) == (1406400.0, 1406400.0, 1)
    # the labels that print their own unit keep it: 同名项目上年预算额（元）
    assert d["prior_budget"] == 1296100.0 and r.problems.empty


def test_numbered_labels_and_headings(tmp_path, tmp_path_factory):
    ref = kit.reference(tmp_path_factory)[0]
    blocks = []
    for b in (kit.DECL1, kit.DECL2):
        b = kit.replace(b, "项目概况：", "1.项目概况：")
        b = kit.replace(b, "立项依据：", "（二）立项依据：")
        b = kit.replace(b, "项目设立的必要性：", "三、项目设立的必要性：")
        b = kit.replace(b, "2020年绩效目标", "四、2020年绩效目标")
        blocks.append(b)
    r = kit.ingest_files(tmp_path, {"v.txt": kit.join(*blocks)})
    assert kit.decl_records(r) == ref
    assert r.problems["code"].tolist() == ["shifted-row"]
    (d1, _), _ = raws(kit.join(*blocks))
    assert d1.heading_year == 2020


def test_a_table_without_its_header_row(tmp_path, tmp_path_factory):
    blocks = [[line for line in b if not line.startswith("一级目标")] for b in (kit.DECL1, kit.DECL2)]
    same_as_seed(tmp_path, tmp_path_factory, kit.join(*blocks))


def test_year_printed_after_the_unit_on_its_row(tmp_path, tmp_path_factory):
    blocks = []
    for b in (kit.DECL1, kit.DECL2):
        b = [line for line in b if not line.startswith("(2020年度)")]
        blocks.append(kit.replace(b, f"申报单位名称：{kit.UNIT}", f"申报单位名称：{kit.UNIT}\t\t\t（2020年度）"))
    same_as_seed(tmp_path, tmp_path_factory, kit.join(*blocks))


def test_short_text_inside_a_declaration_is_reported_not_dropped(tmp_path):
    block = (
        kit.DECL1[: kit.line_index(kit.DECL1, "2020年绩效目标")]
        + ["以上数据经单位负责人审核", ""]
        + kit.DECL1[kit.line_index(kit.DECL1, "2020年绩效目标") :]
    )
    r = kit.ingest_files(tmp_path, {"a.txt": kit.join(block)})
    p = r.problems
    assert p["code"].tolist() == ["unrecognized-row"] and "以上数据经单位负责人审核" in p["message"].iloc[0]
    assert len(r.indicators) == 8
