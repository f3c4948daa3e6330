"""Forms other publishers print, read by their vocabulary: small declarations laid out as
county, city and provincial budget offices publish them (fields and tables as in the real
files of ../shared/real-world, names made up)."""

import pandas as pd

import seedkit as kit

T = "\t"


def form(*rows) -> str:
    return "\n".join(T.join(r) if isinstance(r, (list, tuple)) else r for r in rows) + "\n"


def one(tmp_path, text, name="f.txt"):
    r = kit.ingest_files(tmp_path, {name: text})
    return r, r.declarations.iloc[0] if len(r.declarations) else None


COUNTY = [
    "项目支出绩效目标申报表",
    "（2021年度）",
    ["项目名称", "道路保洁", "", ""],
    ["主管部门", "示例县住建局", "实施单位", "示例县环卫所"],
    ["项目资金（万元）", "年度资金总额：", "125.5", ""],
    ["", "其中：财政拨款", "125.5", ""],
    ["", "其他资金", "", ""],
    ["年度目标", "保障城区道路清洁", "", ""],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    ["", "产出指标", "数量指标", "保洁面积", "≥30万平方米"],
    ["", "", "时效指标", "完成时间", "2021年12月"],
    ["", "效益指标", "社会效益\n指标", "市民满意度", "≥90%"],
    ["", "", "生态效益指标", "", ""],
    ["", "满意度指标", "服务对象满意度指标", "指标1：", ""],
    "注：1.“其他资金”是指与财政拨款共同用于同一项目的资金。",
]


def test_county_form_department_unit_and_the_year_amount_in_wan(tmp_path):
    r, d = one(tmp_path, form(*COUNTY).replace("社会效益\n指标", '"社会效益\n指标"'))
    assert (d.unit, d.department, d.project, d.year) == ("示例县环卫所", "示例县住建局", "道路保洁", 2021)
    assert d.year_budget == 1_255_000.0 and d.total_budget != d.total_budget  # one amount: the year's
    assert d.goals == "保障城区道路清洁"
    ind = r.indicators
    # the empty template rows (a level 2 alone, 指标1： without a target) and the footer are no indicators
    assert ind.name.tolist() == ["保洁面积", "完成时间", "市民满意度"]
    assert ind.level2.tolist() == ["数量指标", "时效指标", "社会效益指标"]  # the line break folded
    assert ind.value.tolist() == [300000.0, 20211231.0, 90.0]
    assert r.problems.empty, r.problems.to_string()


def test_the_unit_row_may_come_after_the_project_row_and_beside_other_pairs(tmp_path):
    text = form(
        "项目支出绩效目标表",
        "(2022年度)",
        ["项目名称", "主体班", "项目负责人", "", "审批文号：", "示例〔2022〕1号"],
        ["项目金额", "164万元", "", "", "", ""],
        ["项目主管部门", "", "", "", "实施单位", "示例市委党校"],
        ["项目属性", "持续性项目■ 新增性项目口", "", "", "项目期", "2022年"],
        ["单位（盖章）：", "", "", "", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "培训人次", "280人次"],
    )
    r, d = one(tmp_path, text)
    assert (d.unit, d.project, d.year_budget, d.category) == ("示例市委党校", "主体班", 1_640_000.0, "持续性项目")
    assert (str(d.start_date), str(d.end_date)) == ("2022-01-01", "2022-12-31")
    assert d.department is None or d.department != d.department  # printed blank
    # the unknown label is reported; it hides neither 项目名称 before it nor anything after it
    assert r.problems.code.tolist() == ["unknown-field"] and "审批文号" in r.problems.message.iloc[0]
    assert len(r.indicators) == 1


def test_placeholders_are_no_values(tmp_path):
    text = form(
        "财政项目支出绩效目标表",
        "(2021年度)",
        "申报单位名称：XXX",
        ["实施单位", "示例区园林所"],
        ["项目名称：", "绿地养护"],
        ["项目总预算（元）：", "**", "项目当年预算（元）：", "1,000"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "养护面积", "≥5万平方米"],
    )
    r, d = one(tmp_path, text)
    assert d.unit == "示例区园林所" and d.total_budget != d.total_budget and d.year_budget == 1000.0
    assert r.problems.code.tolist() == ["missing-amount"]  # ** declares nothing: blank, and said so


def test_a_two_row_header_reads_the_targets_under_the_expected_column(tmp_path):
    text = form(
        "项目支出绩效目标批复表",
        "(2022年度)",
        ["项目名称", "主体班"],
        ["实施单位", "示例党校"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "", "指标标准或依据"],
        ["", "", "", "", "2021年实际实现值", "预期2022年实现值", ""],
        ["", "产出指标", "数量指标", "培训人次", "260人次", "280人次", "计划"],
        ["", "", "质量指标", "完成率", "", "100%", ""],
    )
    r, d = one(tmp_path, text)
    assert d.unit == "示例党校" and r.indicators.target_raw.tolist() == ["280人次", "100%"]
    assert r.indicators.basis.tolist()[0] == "计划"


def test_medium_term_and_year_column_sets(tmp_path):
    text = form(
        "项目支出绩效目标申报表",
        "( 2024 年度)",
        ["项目名称", "质检体系建设"],
        ["主管部门及代码", "[066]示例市农业农村局", "", "", "实施单位", "示例市农业农村局"],
        ["项目资金 (万元)", "中期资金总额:", "68.50", "", "年度资金总额:", "51.35"],
        ["绩 效 指 标", "一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"],
        ["", "产出指标", "数量指标", "抽检批次", "≥300组", "数量指标", "抽检批次", "≥100组"],
        ["", "", "", "仪器维护", "≥12次", "", "仪器维护", "≥4次"],
    )
    r, d = one(tmp_path, text)
    assert (d.total_budget, d.year_budget, d.department, d.n_indicators) == (685000.0, 513500.0, "示例市农业农村局", 2)
    ind = r.indicators.set_index("seq")
    assert ind.horizon.tolist() == ["year", "year", "medium", "medium"]
    assert ind.target_raw.tolist() == ["≥100组", "≥4次", "≥300组", "≥12次"]
    assert ind.level1.tolist() == ["产出指标"] * 4


def test_a_long_table_of_several_projects(tmp_path):
    text = form(
        "部门预算项目绩效目标申报表(2023年度)",
        ["金额单位:元"],
        [
            "单位名称",
            "项目名称",
            "预算数",
            "年度目标",
            "一级指标",
            "二级指标",
            "三级指标",
            "指标性质",
            "指标值",
            "度量单位",
            "权重",
        ],
        ["820-示例镇部门", "", "1,500,000.00", "", "", "", "", "", "", "", ""],
        [
            "820001-示例镇人民政府",
            "村干部报酬",
            "1,000,000.00",
            "按时发放",
            "产出指标",
            "数量指标",
            "人数",
            "≥",
            "230",
            "个",
            "10",
        ],
        ["", "", "", "", "满意度指标", "服务对象满意度指标", "群众满意度", "≥", "95", "%", "10"],
        ["", "组织活动经费", "500,000.00", "保障运转", "效益指标", "社会效益指标", "运转保障", "=", "100", "%", "20"],
    )
    r = kit.ingest_files(tmp_path, {"f.txt": text})
    d = r.declarations.set_index("project")
    assert d.unit.tolist() == ["示例镇人民政府", "示例镇人民政府"] and d.department.tolist() == ["示例镇部门"] * 2
    assert d.year_budget.tolist() == [1_000_000.0, 500_000.0] and d.year.tolist() == [2023, 2023]
    ind = r.indicators
    assert ind.groupby("project").size().to_dict() == {"村干部报酬": 2, "组织活动经费": 1}
    assert ind.target_raw.tolist() == ["≥230个", "≥95%", "=100%"] and ind.weight.tolist() == [10.0, 10.0, 20.0]
    assert r.problems.empty, r.problems.to_string()


def test_levels_as_an_indented_tree(tmp_path):
    text = form(
        "项目支出绩效目标表",
        "（2023年度）",
        ["项目名称", "图书采购"],
        ["预算单位", "示例图书馆"],
        ["项目预算", "10万元"],
        ["指标名称", "指标值"],
        ["产出指标", ""],
        ["  数量指标", ""],
        ["    采购图书", "≥2000册"],
        ["  质量指标", ""],
        ["    验收合格率", "100%"],
    )
    r, d = one(tmp_path, text)
    assert d.year_budget == 100_000.0
    got = r.indicators[["level1", "level2", "name", "target_raw"]].values.tolist()
    assert got == [["产出指标", "数量指标", "采购图书", "≥2000册"], ["产出指标", "质量指标", "验收合格率", "100%"]]


def test_split_operator_and_unit_with_an_excel_date_serial(tmp_path):
    text = form(
        "再生资源经费项目绩效目标表",
        "(2021年)",
        ["项目名称", "再生资源经费"],
        ["实施单位", "(433001)示例供销社"],
        ["投入目标 (万元)", "资金来源", "", "年初安排金额(万元)"],
        ["", "资金总额", "", "3"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "目标值", "计量单位", "分值"],
        ["", "产出指标", "时效指标", "资金到位时间", "正向", "=", "44,561", "44,561", "10"],
        ["", "产出指标", "成本指标", "出差总成本", "反向", "小于等于", "1", "万元", "4"],
    )
    r, d = one(tmp_path, text)
    assert (d.unit, d.year_budget) == ("示例供销社", 30000.0)
    ind = r.indicators
    assert ind.kind.tolist() == ["deadline", "quantitative"] and ind.value.tolist() == [20211231.0, 10000.0]
    assert ind.target_raw.tolist() == ["=44,561", "小于等于1万元"] and ind.op.tolist() == ["<=", "<="]


def test_a_year_printed_nowhere_is_taken_from_the_forms_date_with_a_warning(tmp_path):
    rows = [
        "项目绩效目标表",
        ["项目名称", "装备经费"],
        ["项目单位", "示例检察院"],
        ["预算数", "100"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "采购数量", "≥10台"],
    ]
    r, d = one(tmp_path, form(*rows, "", "填报日期：2025年2月6日"), name="nodate.txt")
    assert d.year == 2025 and r.problems.code.tolist().count("year-inferred") == 1
    assert "date printed on the form" in r.problems.message[r.problems.code == "year-inferred"].iloc[0]
    r2, d2 = one(tmp_path / "b", form(*rows), name="示例检察院_2024.txt")
    assert d2.year == 2024 and "file's name" in r2.problems.message[r2.problems.code == "year-inferred"].iloc[0]
    r3, d3 = one(tmp_path / "c", form(*rows), name="nodate.txt")
    assert d3 is None and r3.problems.code.tolist() == ["missing-field"]
    # a period within one year says the year better than the date the form was filled in
    r4, d4 = one(
        tmp_path / "d", form(*rows[:3], ["项目起止时间", "2026.1-2026.12"], *rows[3:], "", "填报日期：2025年11月6日")
    )
    assert d4.year == 2026 and "project's period (2026.1-2026.12)" in r4.problems.message.iloc[0]
    r5, d5 = one(
        tmp_path / "e", form(*rows[:3], ["项目起止时间", "2025.7-2026.6"], *rows[3:], "", "填报日期：2025年2月6日")
    )
    assert d5.year == 2025 and "date printed on the form" in r5.problems.message.iloc[0]  # two years: no guess


def test_an_amount_without_any_unit_is_reported(tmp_path):
    rows = [
        "项目支出绩效目标表",
        "(2025年度)",
        ["项目名称", "送戏下乡"],
        ["实施单位", "示例文旅局"],
        ["项目资金", "年度资金总额:", "5.00"],
        ["绩", "一级", "二级指标", "三级指标", "指标值"],
    ]
    r, d = one(tmp_path, form(*rows, ["", "产出指标", "成本指标", "项目金额", "5万元"]))
    assert d.year_budget == 50000.0  # the cost indicator gives the same figure in 万元
    assert "万元" in r.problems.message[r.problems.code == "amount-unit-assumed"].iloc[0]
    r, d = one(tmp_path / "b", form(*rows, ["", "产出指标", "数量指标", "场次", "≥70场"]))
    assert d.year_budget == 5.0 and "read as 元" in r.problems.message[r.problems.code == "amount-unit-assumed"].iloc[0]


PARTS_ONLY = [
    "项目支出绩效目标申报表",
    "(2021年度)",
    ["项目名称", "特困家庭再扶助", "", ""],
    ["预算单位", "示例区卫生健康局", "", ""],
    ["项目资金(万元)", "年度资金总额", "金额(万元)", ""],
    ["", "   (一)财政拨款小计", "6.30", ""],
    ["", "       1、一般公共预算", "6.30", ""],
    ["", "       2、政府性基金", "0.00", ""],
    ["", "   (二)自有资金小计", "1.20", ""],
    ["", "       1、事业收入", "1.20", ""],
    ["", "   (三)其他收入", "0.50", ""],
    ["年度目标", "对符合政策的家庭进行扶助", "", ""],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    ["", "产出指标", "数量指标", "扶助人数", "63人"],
]


def test_an_amount_printed_only_as_its_numbered_parts_is_their_sum(tmp_path):
    r, d = one(tmp_path, form(*PARTS_ONLY))
    assert d.year_budget == 80_000.0  # (一) 6.30 + (二) 1.20 + (三) 0.50 万元; the 1、2、 lines are inside them
    assert d.total_budget != d.total_budget
    assert r.problems.code.tolist() == ["amount-from-parts"]  # the part rows are known, none unrecognized
    message = r.problems.message.iloc[0]
    assert "(一)财政拨款小计 6.30" in message and "(三)其他收入 0.50" in message and "80,000.00 元" in message


def test_one_numbered_part_or_a_printed_amount_is_no_sum(tmp_path):
    rows = [r for r in PARTS_ONLY if not (isinstance(r, list) and r[1].strip().startswith(("(二)", "(三)", "1、事业")))]
    r, d = one(tmp_path / "a", form(*rows))
    assert d.year_budget != d.year_budget and "missing-amount" in r.problems.code.tolist()
    printed = [
        ["项目资金(万元)", "年度资金总额", "9.00", ""] if isinstance(r, list) and r[1] == "年度资金总额" else r
        for r in PARTS_ONLY
    ]
    r, d = one(tmp_path / "b", form(*printed))
    assert d.year_budget == 90_000.0 and r.problems.empty, r.problems.to_string()


def test_a_figure_in_wan_without_a_unit_is_money_under_a_cost_level(tmp_path):
    rows = PARTS_ONLY[:-1] + [
        ["", "产出指标", "成本指标", "控制在预算成本内", "250万"],
        ["", "", "数量指标", "服务人次", "250万"],
    ]
    r, _ = one(tmp_path, form(*rows))
    ind = r.indicators.set_index("name")
    assert ind.loc["控制在预算成本内", ["value", "value_unit"]].tolist() == [2_500_000.0, "元"]
    assert ind.loc["服务人次", "value"] == 2_500_000.0 and ind.loc["服务人次", "value_unit"] != "元"  # a count


AMOUNT_COLUMNS = [
    "项目支出预算绩效目标申报表",
    ["填报单位(盖章):", "", "", "单位负责人:", ""],
    ["项目基本情况", "项目名称", "项目前期工作经费", "", ""],
    ["", "主管部门", "示例区发改局", "项目起止时间", "2021.1-2021.12"],
    ["项目资金情况", "项目资金申请(万元)", "项 目", "上年度安排资金", "本年度申请资金"],
    ["", "", "合 计", "130", "300"],
    ["", "", "区级资金", "130", "300"],
    ["", "", "市级资金", "", ""],
    ["", "支出明细预算(万元)", "项 目", "上年度安排资金", "本年度申请资金", "测算依据及说明"],
    ["", "", "合 计", "131", "301"],
    ["", "", "1、办公及加班用餐费", "10", "40"],
    ["", "", "2、编制咨询费", "121", "261"],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    ["", "产出指标", "数量指标", "编制报告", "≥3份"],
]


def test_amounts_under_their_labels_in_a_column_of_amounts(tmp_path):
    """项 目 | 上年度安排资金 | 本年度申请资金 over 合 计 | 130 | 300: the total's row gives both
    amounts (in the 万元 of the group label); the parts and a second block of expenses below are
    known rows, and do not replace them."""
    r, d = one(tmp_path, form(*AMOUNT_COLUMNS))
    assert (d.prior_budget, d.year_budget) == (1_300_000.0, 3_000_000.0)
    assert d.total_budget != d.total_budget
    codes = r.problems.code.tolist()
    assert "unrecognized-row" not in codes and "unknown-field" not in codes and "bad-amount" not in codes, codes
    # without a total's row the amounts are not guessed from a part
    rows = [row for row in AMOUNT_COLUMNS if not (isinstance(row, list) and row[2:3] == ["合 计"])]
    r, d = one(tmp_path / "b", form(*rows[:8], *rows[-2:]))
    assert d.year_budget != d.year_budget and d.prior_budget != d.prior_budget
    assert "missing-amount" in r.problems.code.tolist()


def test_a_column_of_amounts_does_not_swallow_the_fields_below_it(tmp_path):
    rows = AMOUNT_COLUMNS[:6] + [["项目概况", "2021年完成三份报告", "", "", "2份"], *AMOUNT_COLUMNS[-2:]]
    r, d = one(tmp_path, form(*rows))
    assert d.year_budget == 3_000_000.0 and d.overview == "2021年完成三份报告"


def test_an_amount_label_printed_without_its_value_beside_another(tmp_path):
    rows = [
        "示例市市级预算部门(单位)项目支出绩效目标申报表",
        "2021年",
        ["项目名称", "农村公路工作经费", "", "", "", ""],
        ["主管部门及代码", "经济建设科", "", "", "实施单位", "示例市公路服务中心"],
        ["项目预算资金(万元)", "中期预算资金总额", "", "", "年度预算资金总额", "25"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", ""],
        ["", "产出指标", "数量指标", "巡查里程", "≥300公里", ""],
    ]
    r, d = one(tmp_path, form(*rows))
    assert d.year_budget == 250_000.0 and d.total_budget != d.total_budget
    assert "unrecognized-row" not in r.problems.code.tolist(), r.problems.to_string()


def test_approval_boxes_under_the_table_are_a_footer(tmp_path):
    rows = [*COUNTY[:-1], ["财政部门支出股室初审意见", "(盖章)", "", ""], ["区扶贫办审核意见", "(盖章)", "", ""]]
    r, d = one(tmp_path, form(*rows).replace("社会效益\n指标", '"社会效益\n指标"'))
    assert d.n_indicators == 3
    assert "unrecognized-row" not in r.problems.code.tolist(), r.problems.to_string()


def test_a_cost_above_the_amount_read_as_yuan_puts_it_in_wan(tmp_path):
    """资金情况 | 年度资金总额: | 500 with no unit anywhere, and a cost of ≤120万元: 500 元 could not
    pay for it, 500 万元 can."""
    rows = [
        "绩效目标申报表",
        "(2021年度)",
        ["项目名称", "果园路硬化"],
        ["主管部门", "示例县交通运输局"],
        ["资金情况", "年度资金总额:", "500"],
        ["绩", "一级指标", "二级指标", "三级指标", "指标值"],
        ["", "产出指标", "数量指标", "新建水泥路", "4km"],
    ]
    r, d = one(tmp_path, form(*rows, ["", "", "成本指标", "硬化补助标准", "≤120万元"]))
    assert d.year_budget == 5_000_000.0
    assert "硬化补助标准" in r.problems.message[r.problems.code == "amount-unit-assumed"].iloc[0]
    # a benefit above the amount says nothing of its unit; nor does a cost it could not hold in 万元
    r, d = one(tmp_path / "b", form(*rows, ["", "效益指标", "经济效益指标", "带动增收", "≥120万元"]))
    assert d.year_budget == 500.0
    r, d = one(tmp_path / "c", form(*rows, ["", "", "成本指标", "总成本", "≤600万元"]))
    assert d.year_budget == 500.0


def test_hunan_and_jiangsu_labels_of_periods_goals_and_texts(tmp_path):
    """项目支出实施期 (a period), 本年度绩效目标 (the year's goals; 实施期绩效目标 and 中长期目标 are
    known and not kept), 项目概述, 项目必要性说明, and 开始时间 / 结束时间 printed as years."""
    rows = [
        "项目支出绩效目标表",
        "(2023年度)",
        ["项目支出名称", "雾炮车降尘服务", "", ""],
        ["预算部门", "示例市城管局", "", ""],
        ["年度本级预算金额", "250万", "", ""],
        ["项目支出实施期", "2023.07-2024.01", "", ""],
        ["开始时间", "2023年", "结束时间", "2024年"],
        ["项目概述", "全市主次干道降尘", "", ""],
        ["项目必要性说明", "改善空气质量", "", ""],
        ["实施期绩效目标", "空气质量达到优良", "", ""],
        ["本年度绩效目标", "降尘天数不少于180天", "", ""],
        ["中长期目标", "持续改善", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "作业天数", "≥180天"],
    ]
    r, d = one(tmp_path, form(*rows))
    assert (str(d.start_date), str(d.end_date)) == ("2023-01-01", "2024-12-31")  # the dates printed win
    assert (d.overview, d.necessity, d.goals) == ("全市主次干道降尘", "改善空气质量", "降尘天数不少于180天")
    assert r.problems.empty, r.problems.to_string()
    r, d = one(tmp_path / "b", form(*rows[:6], *rows[7:]))
    assert (str(d.start_date), str(d.end_date)) == ("2023-07-01", "2024-01-31")  # else the period


def test_an_indicator_named_like_an_approval_box_is_an_indicator(tmp_path):
    rows = [
        "项目支出绩效目标申报表",
        "(2021年度)",
        ["项目名称", "合法性审查经费", "", "", ""],
        ["实施单位", "示例县司法局", "", "", ""],
        ["年度资金总额(万元)", "25", "", "", ""],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
        ["", "产出指标", "数量指标", "规范性文件审查件数", "≥50件"],
        ["", "", "", "出具法律审查意见", "≥30份"],
        ["", "", "质量指标", "审查意见采纳率", "≥95%"],
        ["", "效益指标", "社会效益指标", "依法行政水平", "提高"],
        ["区司法局审核意见", "(盖章)", "", "", ""],
    ]
    r, d = one(tmp_path, form(*rows))
    assert r.indicators.name.tolist() == ["规范性文件审查件数", "出具法律审查意见", "审查意见采纳率", "依法行政水平"]
    assert r.problems.empty, r.problems.to_string()


def test_a_column_of_amounts_with_its_parts_above_the_total(tmp_path):
    head = ["项目资金(万元)", "项 目", "上年度安排资金", "本年度申请资金"]
    rows = [
        *AMOUNT_COLUMNS[:4],
        head,
        ["", "区级资金", "100", "200"],
        ["", "市级资金", "", ""],
        ["", "合 计", "130", "300"],
    ]
    r, d = one(tmp_path, form(*rows, *AMOUNT_COLUMNS[-2:]))
    assert (d.prior_budget, d.year_budget) == (1_300_000.0, 3_000_000.0)  # the total's row, not the first part
    assert r.problems.code.tolist() == ["year-inferred"], r.problems.to_string()  # (from the project's period)
    # a total that is no number is reported as such
    r, d = one(tmp_path / "b", form(*AMOUNT_COLUMNS[:4], head, ["", "合 计", "130", "三百"], *AMOUNT_COLUMNS[-2:]))
    assert d.prior_budget == 1_300_000.0 and sorted(r.problems.code) == ["bad-amount", "year-inferred"]
    # a field's text beside the figures is no part of the column: read as usual
    rows = [
        *AMOUNT_COLUMNS[:4],
        ["项目资金(万元)", "项 目", "年度资金总额", ""],
        ["", "合 计", "100", "项目概况：城区保洁"],
    ]
    r, d = one(tmp_path / "c", form(*rows, *AMOUNT_COLUMNS[-2:]))
    assert d.overview == "城区保洁"


def test_a_cost_a_little_above_the_amount_says_nothing_of_its_unit(tmp_path):
    rows = [
        "绩效目标申报表",
        "(2021年度)",
        ["项目名称", "果园路硬化"],
        ["主管部门", "示例县交通运输局"],
        ["资金情况", "年度资金总额:", "5000000"],
        ["绩", "一级指标", "二级指标", "三级指标", "指标值"],
        ["", "产出指标", "成本指标", "项目总成本", "≤600万元"],  # the whole project's cost, over years
    ]
    r, d = one(tmp_path, form(*rows))
    assert d.year_budget == 5_000_000.0
    # and words beside an amount's label are its value, reported when they are no amount
    rows[4] = ["资金情况", "年度资金总额:", "详见附件"]
    r, d = one(tmp_path / "b", form(*rows))
    assert "年度资金总额 '详见附件' is no amount" in r.problems.message[r.problems.code == "bad-amount"].iloc[0]


REGIONAL = [
    "生猪调出大县奖励资金区域绩效目标表",
    "(2022年度)",
    ["资金名称", "生猪调出大县奖励资金", "", ""],
    ["中央主管部门", "财政部、农业农村部", "", ""],
    ["省级主管部门", "示例省农业农村厅", "", ""],
    ["区县财政部门", "示例县财政局", "", ""],
    ["区县主管部门", "示例县农业农村委员会", "", ""],
    ["资金情况", "年度金额(万元):", "397", ""],
    ["", "其中:中央补助(万元)", "397", ""],
    ["", "地方资金(万元)", "", ""],
    ["", "一级指标", "二级指标", "三级指标", "单位", "指标值"],
    ["绩效指标", "产出指标", "数量指标", "猪肉产量稳定率", "%", "≥95%"],
]


def test_a_regional_form_is_read_by_its_fund_and_local_department(tmp_path):
    """区域绩效目标表 name the fund, not a project, and the money's path from the centre down: the
    local 主管部门 declares; the bodies above it are known and not kept."""
    r, d = one(tmp_path, form(*REGIONAL))
    assert (d.project, d.unit, d.year, d.year_budget) == (
        "生猪调出大县奖励资金",
        "示例县农业农村委员会",
        2022,
        3_970_000,
    )
    assert not (r.problems.code == "unknown-field").any()
    assert r.indicators.target_raw.tolist() == ["≥95%"]


def test_a_blank_total_is_the_sum_of_the_parts_printed_under_it(tmp_path):
    rows = [
        "专项资金绩效目标表",
        "(2020年度)",
        ["专项(项目)名称", "农村饮水安全巩固提升工程专项", "", ""],
        ["区级主管部门", "示例区水利局", "", ""],
        ["资金情况(万元)", "资金总额", "", ""],
        ["", "其中:财政拨款", "500", ""],
        ["", "其他资金", "", ""],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
        ["", "产出指标", "质量指标", "工程验收合格率", "≥95%"],
    ]
    r, d = one(tmp_path, form(*rows))
    assert d.unit == "示例区水利局" and d.year_budget == 5_000_000
    msg = r.problems.message[r.problems.code == "amount-from-parts"].iloc[0]
    assert "printed blank" in msg and "其中:财政拨款 500" in msg
    r, d = one(tmp_path / "b", form(*[c for c in rows if "其中" not in str(c)]))
    assert pd.isna(d.year_budget) and (r.problems.code == "missing-amount").any()  # no part, no amount


def test_a_level2_label_printed_over_two_rows_is_one_label(tmp_path):
    """A Word table split at a page break prints the last level-2 cell over two rows; the second
    row holds nothing else. Joined, the label is a level 2 of the vocabulary: it is one label.
    A level 2 that is whole already is not joined to a stray cell under it."""
    rows = [
        "项目支出绩效目标表",
        "(2021年度)",
        ["项目名称", "科学技术研究与开发资金", "实施单位", "示例区科经局", ""],
        ["一级指标", "二级指标", "指标内容", "指标值", "备 注"],
        ["产出指标", "数量指标", "新增高新技术企业", "15", ""],
        ["效益指标", "社会公众或服务", "政策满意度", "≥90%", ""],
        ["", "对象满意度指标", "", "", ""],
    ]
    r, _d = one(tmp_path, form(*rows))
    assert r.indicators.level2.tolist() == ["数量指标", "社会公众或服务对象满意度指标"]
    assert not set(r.problems.code) & {"unrecognized-row", "shifted-row"}
    whole = rows[:-2] + [["效益指标", "社会效益指标", "企业竞争力", "增强", ""], ["", "指标", "", "", ""]]
    r, _d = one(tmp_path / "b", form(*whole))
    assert r.indicators.level2.tolist() == ["数量指标", "社会效益指标"]


def test_a_cover_block_over_the_form_is_its_header(tmp_path):
    """A district's 部门专项 form: a title with its year after it, a cover of one-cell lines naming
    the project (申报项目名称) and the unit (编报单位), then the form naming the project again and the
    implementer by its short name: one declaration, the unit the cover's, the year the title's."""
    rows = [
        "示例区部门预算部门专项(绩效目标)申报表2021年度",
        "申 报 项 目 名 称:科学技术研究与开发资金",
        "编报单位(印章) :示例市示例区科学技术和经济信息化局",
        "部门负责人(签字):",
        "编   报   时   间    :  2021年1月28日",
        "项目基本信息",
        ["项目名称", "科学技术研究与开发资金", "", "", ""],
        ["主管部门及编码", "区科经局", "实施单位", "区科经局", ""],
        ["项目资金", "资金总额", "936万元", "当年资金总额:", "936万元"],
        ["总体目标", "中期目标", "", "年度目标", ""],
        ["", "推进科技事业发展", "", "新增高新技术企业15家", ""],
        "绩效项目指标表",
        ["一级指标", "二级指标", "指标内容", "指标值", "备 注"],
        ["产出指标", "数量指标", "新增高新技术企业", "15", ""],
    ]
    r, d = one(tmp_path, form(*rows))
    assert len(r.declarations) == 1
    assert (d.unit, d.department, d.project, d.year) == (
        "示例市示例区科学技术和经济信息化局",
        "区科经局",
        "科学技术研究与开发资金",
        2021,
    )
    assert (d.year_budget, d.total_budget, d.goals) == (9_360_000, 9_360_000, "新增高新技术企业15家")
    assert r.problems.empty, r.problems.to_string()


def test_a_wide_form_gives_one_indicator_per_site(tmp_path):
    """One value column per village (no 指标值 header at all), an operator column before them:
    each site's cell is an indicator of its own, its site named."""
    rows = [
        "2022年省级水利专项资金绩效目标表",
        ["项目名称", "省级水利专项资金", "主管部门(单位)名称", "示例县水利局"],
        ["资金情况(万元)", "资金总额", "35", ""],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标解释", "指标方向", "甲村", "乙村"],
        ["", "产出指标", "数量指标", "开展修复工程(个)", "反映开展情况", "≥", "1", "2"],
        ["", "", "质量指标", "验收合格率", "反映质量", "≥", "100%", "95%"],
    ]
    r, d = one(tmp_path, form(*rows))
    ind = r.indicators
    assert (d.unit, d.year_budget) == ("示例县水利局", 350_000)
    assert ind.site.tolist() == ["甲村", "乙村", "甲村", "乙村"]
    assert ind.target_raw.tolist() == ["≥1", "≥2", "≥100%", "≥95%"]
    assert ind.name.tolist() == ["开展修复工程(个)"] * 2 + ["验收合格率"] * 2


def test_sites_named_in_a_second_header_row_under_their_value_column(tmp_path):
    rows = [
        "专项转移支付绩效目标表",
        "(2023年度)",
        ["部门(单位)名称", "示例市民族宗教局"],
        ["项目名称", "宗教管理经费补助"],
        ["资金情况(万元)", "资金总额:", "30"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标解释", "区域目标值", "", ""],
        ["", "", "", "", "", "甲区", "乙县", "丙县"],
        ["", "产出指标", "数量指标", "补助县数量", "反映数量", "2", "3", "1"],
    ]
    r, _d = one(tmp_path, form(*rows))
    assert r.indicators[["site", "value"]].values.tolist() == [["甲区", 2.0], ["乙县", 3.0], ["丙县", 1.0]]
    assert r.indicators.site.notna().all()
    r, _d = one(tmp_path / "b", form(*COUNTY))  # an ordinary form: no site
    assert r.indicators.site.isna().all()


TRANSPOSED = [
    "附件3",
    "2020年市级财政专项扶贫资金(第二批扶贫开发项目)绩效目标表",
    ["项目单位", "产 出 指 标", "", "", "效 益 指 标", ""],
    ["", "质量指标", "数量指标", "时效指标", "社会效益指标", ""],
    ["", "资金投向合规率", "扶持村数", "资金使用率", "指标1:改善村人居环境", "指标2:违规违纪问题"],
    ["甲镇", "100%", "2", "100%", "有效改善", "0"],
]


def test_a_declaration_naming_no_unit_is_kept_and_said_so(tmp_path):
    """A table printed across, under a title naming only the fund: the declaration is kept, its
    project the title's, its unit the folder's name where the file lies in one, else empty;
    each said in a warning; the town's row under the table's header gives its indicators."""
    r, d = one(tmp_path, form(*TRANSPOSED))
    assert (d.unit, d.project, d.year) == ("", "2020年市级财政专项扶贫资金(第二批扶贫开发项目)", 2020)
    codes = set(r.problems.code)
    assert {"unit-not-printed", "project-from-title"} <= codes and "transposed-table" not in codes
    assert "left empty" in r.problems.message[r.problems.code == "unit-not-printed"].iloc[0]
    assert not (r.problems.code == "missing-field").any()
    assert r.indicators.target_raw.tolist() == ["100%", "2", "100%", "有效改善", "0"]
    assert set(r.indicators.site) == {"甲镇"}
    r, d = one(tmp_path / "b", form(*TRANSPOSED), name="示例县农业农村局/扶贫.txt")
    assert d.unit == "示例县农业农村局"
    assert "示例县农业农村局" in r.problems.message[r.problems.code == "unit-not-printed"].iloc[0]


def test_a_title_that_names_no_project_gives_none(tmp_path):
    rows = ["项目支出绩效目标表", "(2022年度)", ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"]]
    rows.append(["", "产出指标", "数量指标", "培训人次", "≥100人次"])
    r, d = one(tmp_path, form(*rows))
    assert d is None and "missing-field" in set(r.problems.code)  # no project: not in the tables
