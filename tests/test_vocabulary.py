"""The vocabulary (src/analysis/ingest/vocabulary.toml), one published spelling a case.

Adding a synonym to the TOML is one line; add its case here too.
"""

import pytest

from analysis.ingest import normalize as nz
from analysis.ingest import vocabulary as vocab
from analysis.ingest.parse import match_label, read_header

P = pytest.param

# ---------------------------------------------------------------------------------------------
# field labels


@pytest.mark.parametrize(
    "label,field",
    [
        P("申报单位名称：", "unit", id="申报单位名称"),
        P("申报单位", "unit", id="申报单位"),
        P("填报单位：", "unit", id="填报单位"),
        P("编制单位", "unit", id="编制单位"),
        P("绩效编制单位:", "unit", id="绩效编制单位"),
        P("编报单位(印章) :", "unit", id="编报单位"),
        P("申 报 项 目 名 称:", "project", id="申报项目名称"),
        P("编   报   时   间    :", "page_date", id="编报时间"),
        P("部门负责人(签字):", "ignore", id="部门负责人"),
        P("预算单位:", "unit", id="预算单位"),
        P("预算部门", "unit", id="预算部门"),
        P("主管部门", "department", id="主管部门"),
        P("主管预算部门", "department", id="主管预算部门"),
        P("项目主管部门", "department", id="项目主管部门"),
        P("业务主管部门", "department", id="业务主管部门"),
        P("主管部门及代码", "department", id="主管部门及代码"),
        P("主管部门及编码", "department", id="主管部门及编码"),
        P("实施单位", "implementer", id="实施单位"),
        P("项目实施单位", "implementer", id="项目实施单位"),
        P("项目执行单位", "implementer", id="项目执行单位"),
        P("项目单位", "implementer", id="项目单位"),
        P("具体实施单位", "implementer", id="具体实施单位"),
        P("项目名称：", "project", id="项目名称"),
        P("项目支出名称", "project", id="项目支出名称"),
        P("项目名称（全称）", "project", id="项目名称(全称)"),
        P("项目(专项)名称", "project", id="项目(专项)名称"),
        P("项目总预算（元）：", "total_budget", id="项目总预算"),
        P("中期资金总额:", "total_budget", id="中期资金总额"),
        P("年度资金总额：", "year_budget", id="年度资金总额"),
        P("当年年度预算", "year_budget", id="当年年度预算"),
        P("年度本级预算金额", "year_budget", id="年度本级预算金额"),
        P("本年度申请专项资金", "year_budget", id="本年度申请…资金"),
        P("资金总额:", "amount", id="资金总额"),
        P("项目预算金额", "amount", id="项目预算金额"),
        P("绩效金额", "amount", id="绩效金额"),
        P("项目金额", "amount", id="项目金额"),
        P("预算数", "amount", id="预算数"),
        P("其中：财政拨款", vocab.IGNORE, id="其中财政拨款"),
        P("其中:财政资金", vocab.IGNORE, id="其中财政资金"),
        P("其他资金", vocab.IGNORE, id="其他资金"),
        P("2.市级资金", vocab.IGNORE, id="市级资金"),
        P("上年结转", vocab.IGNORE, id="上年结转"),
        P("单位（盖章）：", vocab.IGNORE, id="单位盖章"),
        P("项目责任人(签字):", vocab.IGNORE, id="责任人签字"),
        P("资金情况 (单位:万元)", vocab.GROUP, id="资金情况-单位万元"),
        P("项目期", "period", id="项目期"),
        P("建设周期", "period", id="建设周期"),
        P("项目属性", "category", id="项目属性"),
        P("项目分类", "category", id="项目分类"),
        P("年度预算执行率", "exec_rate", id="年度预算执行率"),
        P("年度绩效目标(文字)", "goals", id="年度绩效目标文字"),
        P("年度主要目标     和成果", "goals", id="年度主要目标和成果"),
        P("填报日期：", "page_date", id="填报日期"),
        P("( 2024 年度)", None, id="year-row-is-no-label"),
        P("资金名称", "project", id="资金名称"),
        P("专项(项目)名称", "project", id="专项(项目)名称"),
        P("下达地方或单位", "implementer", id="下达地方或单位"),
        P("区县主管部门", "department", id="区县主管部门"),
        P("区级主管部门", "department", id="区级主管部门"),
        P("主管部门(单位)名称及\n部门预算编码", "department", id="主管部门名称及部门预算编码"),
        P("省级主管部门", vocab.IGNORE, id="省级主管部门"),
        P("区县财政部门", vocab.IGNORE, id="区县财政部门"),
        P("年度金额(万元):", "year_budget", id="年度金额"),
        P("下达中央预算内投资(万元)", "year_budget", id="下达中央预算内投资"),
        P("中期市财政预算(万元)", "total_budget", id="中期市财政预算"),
        P("其中:中央补助(万元)", vocab.IGNORE, id="其中中央补助"),
        P("地方资金(万元)", vocab.IGNORE, id="地方资金"),
        P("资金金额", vocab.GROUP, id="资金金额"),
    ],
)
def test_field_labels(label, field):
    lab = match_label(label)
    assert (lab.field if lab else None) == field


def test_a_label_has_one_home():
    with pytest.raises(ValueError, match="listed under both"):
        vocab._index({"unit": ["申报单位"], "project": ["申报单位"]}, "label")


def test_an_amount_inside_the_label_cell():
    assert match_label("年度资金总额：16") == match_label("年度资金总额：16")
    assert match_label("年度资金总额：16").inline == "16"


# ---------------------------------------------------------------------------------------------
# indicator-table headers


@pytest.mark.parametrize(
    "cell,role",
    [
        P("一级指标", "level1", id="一级指标"),
        P("一级\n指标", "level1", id="一级-line-break"),
        P("一级", "level1", id="一级"),
        P("一级目标", "level1", id="一级目标"),
        P("二级指标", "level2", id="二级指标"),
        P("三级指标", "name", id="三级指标"),
        P("指标内容", "name", id="指标内容"),
        P("指标名称", "name", id="指标名称"),
        P("绩效指标描述", "name", id="绩效指标描述"),
        P("指标值", "target", id="指标值"),
        P("目标值", "target", id="目标值"),
        P("指标目标值", "target", id="指标目标值"),
        P("年度指标值", "target", id="年度指标值"),
        P("全年目标值", "target", id="全年目标值"),
        P("预期2022年实现值", "target", id="预期…实现值"),
        P("指标值及单位", "target", id="指标值及单位"),
        P("年度数值", "target", id="年度数值"),
        P("中期指标值", "target", id="中期指标值"),
        P("实施周期指标值", "target", id="实施周期指标值"),
        P("当年度指标值", "target", id="当年度指标值"),
        P("计划指标值(或计划水平)", "target", id="计划指标值"),
        P("指标性质", "op", id="指标性质"),
        P("指标方向", "op", id="指标方向"),
        P("计算符号", "op", id="计算符号"),
        P("计量单位", "unit", id="计量单位"),
        P("度量单位", "unit", id="度量单位"),
        P("权重", "weight", id="权重"),
        P("分值", "weight", id="分值"),
        P("绩效标准", "basis", id="绩效标准"),
        P("取值依据", "basis", id="取值依据"),
        P("指标标准或依据", "basis", id="指标标准或依据"),
        P("备注", "remark", id="备注"),
        P("指标解释", "remark", id="指标解释"),
        P("绩效指标", None, id="leading-label-column"),
        P("2021年实际实现值", None, id="actual-value"),
    ],
)
def test_header_roles(cell, role):
    assert vocab.column_role(cell) == role


def test_every_value_header_holds_the_quick_test_mark():
    words = vocab.RAW["columns"]["target"] + [p for p in vocab.RAW["column_patterns"]["target"]]
    assert all(vocab.TARGET_MARK in w for w in words)


@pytest.mark.parametrize(
    "cells,expected",
    [
        P(["一级指标", "二级指标", "三级指标", "指标值"], [("year", 0, 1, 2, 3, (), None, None, None)], id="plain"),
        P(
            ["绩\n效\n指\n标", "一级\n指标", "二级指标", "三级指标", "指标值"],
            [("year", 1, 2, 3, 4, (), None, None, None)],
            id="vertical-label-column",
        ),
        P(
            ["一级指标", "二级指标", "三级指标", "计量单位", "指标性质", "指标值"],
            [("year", 0, 1, 2, 5, (4,), 3, None, None)],
            id="unit-before-operator",
        ),
        P(
            ["一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "目标值", "计量单位", "分值", "备注"],
            [("year", 0, 1, 2, 5, (3, 4), 6, 7, None)],
            id="nature-and-direction",
        ),
        P(
            ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"],
            [("year", 0, 1, 2, 4, (), None, None, None)],
            id="description-beside-the-name",
        ),
        P(
            ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"],
            [("medium", 1, 2, 3, 4, (), None, None, None), ("year", 1, 5, 6, 7, (), None, None, None)],
            id="medium-and-year",
        ),
        P(["一级指标", "二级指标", "三级指标", "年度指标值", "中期指标值"], None, id="one-set-two-values-is-no-split"),
        P(["指标名称", "指标值"], [("year", None, None, 0, 1, (), None, None, None)], id="tree"),
        P(["项目名称：", "X", "项目类别：", "Y"], None, id="fields-row"),
    ],
)
def test_table_headers(cells, expected):
    layout = read_header(cells)
    if expected is None:
        assert layout is None or len(layout.sets) == 1
        return
    got = [
        (s.horizon, s.level1, s.level2, s.name, s.target, s.op, s.unit, s.column("weight"), s.column("basis"))
        for s in layout.sets
    ]
    assert got == expected


def test_a_long_tables_header_names_its_field_columns():
    layout = read_header(
        [
            "项目名称",
            "项目单位",
            "项目类别",
            "预算数",
            "年度绩效目标",
            "一级指标",
            "二级指标",
            "三级指标",
            "指标性质",
            "指标方向",
            "目标值",
            "计量单位",
            "分值",
        ]
    )
    assert layout.long and layout.fields == {"project": 0, "implementer": 1, "category": 2, "amount": 3, "goals": 4}


# ---------------------------------------------------------------------------------------------
# levels


@pytest.mark.parametrize(
    "level1,level2,std",
    [
        P("项目完成指标", None, "产出", id="项目完成指标"),
        P("项目效益指标", None, "效益", id="项目效益指标"),
        P("预期产出指标", None, "产出", id="预期产出指标"),
        P("效果指标", None, "效益", id="效果指标"),
        P("产出值", None, "产出", id="产出值"),
        P("效益值", None, "效益", id="效益值"),
        P("产出指标(50分)", None, "产出", id="score-in-brackets"),
        P("成本指标(0-20)分", None, "成本", id="score-range"),
        P("产出指标 (40-50)分", None, "产出", id="score-with-space"),
        P("效益指标", "满意度指标", "满意度", id="满意度-under-效益"),
        P("效益指标", "服务对象满意度指标", "满意度", id="服务对象满意度-under-效益"),
        P("效果目标", "社会效益", "效益", id="older-framework-unchanged"),
        P("产出指标", "满意度", "产出", id="only-under-效益"),
    ],
)
def test_level1_std(level1, level2, std):
    assert nz.level1_std(level1, level2) == std


@pytest.mark.parametrize(
    "text",
    [
        P("数量值", id="数量值"),
        P("经济效益 指标 (选填)", id="with-hint"),
        P("服务对象满意度", id="服务对象满意度"),
        P("经济成本指标", id="经济成本指标"),
        P("生态环境成本指标", id="生态环境成本指标"),
        P("质量指标 (必填)", id="必填"),
        P("社会公众或服务对象满意度指标", id="社会公众或服务对象满意度"),
    ],
)
def test_level2_words(text):
    assert nz.is_level2(text)


# ---------------------------------------------------------------------------------------------
# placeholders, footers, nulls, checkboxes, titles


@pytest.mark.parametrize(
    "text,expected",
    [
        P("（盖章）", True, id="盖章"),
        P("XXX", True, id="XXX"),
        P("**", True, id="stars"),
        P("……", True, id="ellipsis"),
        P("0", False, id="zero"),
        P("区林业局", False, id="a-name"),
        P("", False, id="empty"),
    ],
)
def test_placeholders(text, expected):
    assert vocab.is_placeholder(text) is expected


@pytest.mark.parametrize(
    "text,expected",
    [
        P("财政部门审核意见", True, id="审核意见"),
        P("填表人：", True, id="填表人"),
        P("填报说明：1.", True, id="填报说明"),
        P("备注：其他资金是指…", True, id="备注"),
        P("注: 1.“其他资金”是指", True, id="注"),
        P("财政资金管理科室(盖章) 年 月 日", True, id="seal-and-date"),
        P("产出指标", False, id="level1"),
        P("指标1:安置小区物业费", False, id="template-name"),
    ],
)
def test_footers(text, expected):
    assert vocab.is_footer(text) is expected


@pytest.mark.parametrize("text", [P(w, id=w or "blank") for w in ("", "-", "—", "/", "无", "不适用", "新增项目")])
def test_words_that_declare_no_amount(text):
    assert nz.parse_amount(text, "元") == (None, True)


@pytest.mark.parametrize(
    "text,choice",
    [
        P("新增项目□ 延续项目√", "延续项目", id="mark-after"),
        P("☑新增 □延续", "新增", id="mark-before"),
        P("持续性项目■ 新增性项目口", "持续性项目", id="口-as-a-box"),
        P("延续项目", None, id="no-box"),
        P("人口数量", None, id="口-in-a-word"),
        P("新增□ 延续□", None, id="none-checked"),
    ],
)
def test_checkboxes(text, choice):
    assert vocab.checked_choice(text) == choice


@pytest.mark.parametrize(
    "text,title",
    [
        P("财政项目支出绩效目标表", True, id="shanghai"),
        P("项目支出绩效目标批复表", True, id="批复表"),
        P("黄石市2020年项目绩效目标批复表", True, id="year-inside"),
        P("项目支出目标申报表", True, id="no-绩效"),
        P("财政项目支出绩效目标审批表", True, id="审批表"),
        P("部门预算项目绩效目标申报表(2023年度)", True, id="year-after"),
        P("2023年云雾土家族乡加工园配套设施建设项目支出绩效目标审批表", True, id="long-prefix"),
        P("青山区部门预算部门专项(绩效目标)申报表2021年度", True, id="bracketed-绩效目标-year-after"),
        P("根据要求，本单位填写了绩效目标表", False, id="a-sentence"),
        P("单位绩效目标汇总", False, id="no-表"),
    ],
)
def test_titles(text, title):
    assert bool(vocab.TITLE.match(vocab.squeeze(text))) is title


@pytest.mark.parametrize(
    "first,filled,heads",
    [
        P("任务清单", 4, True, id="任务清单"),
        P("年度主要任务", 4, True, id="年度主要任务"),
        P("主要任务", 2, True, id="主要任务"),
        P("年度主要工作任务", 3, True, id="年度主要工作任务"),
        P("重点任务", 3, True, id="重点任务"),
        P("2020年市级财政专项扶贫资金(第二批扶贫开发项目)任务清单", 1, True, id="a-heading-line"),
        P("2020年市级财政专项扶贫资金任务清单", 3, False, id="not-alone"),
        P("任务完成率", 2, False, id="an-indicator"),
        P("年度目标", 2, False, id="a-field"),
    ],
)
def test_task_headings(first, filled, heads):
    assert vocab.is_task_heading(first, filled) is heads


# ---------------------------------------------------------------------------------------------
# names and codes


@pytest.mark.parametrize(
    "text,unit",
    [
        P("[077]淮北市文化旅游体育局", "淮北市文化旅游体育局", id="square-brackets"),
        P("776001-扎赉特旗人民检察院", "扎赉特旗人民检察院", id="dash"),
        P("(433001)乌海市供销合作社联合社", "乌海市供销合作社联合社", id="round-brackets"),
        P("207101天津市河北区人民法院", "天津市河北区人民法院", id="glued-six-digits"),
        P("12345热线服务中心", "12345热线服务中心", id="a-number-in-the-name"),
    ],
)
def test_unit_codes_are_stripped(text, unit):
    assert nz.strip_unit_code(text) == unit


@pytest.mark.parametrize(
    "text,name,code",
    [
        P("（2023001）绿化养护项目", "绿化养护项目", "2023001", id="code-first"),
        P("绿化养护项目[XM20230012]", "绿化养护项目", "XM20230012", id="code-last"),
        P("2025金安国际网球公开赛(国际系列赛事)", "2025金安国际网球公开赛(国际系列赛事)", None, id="words-in-brackets"),
        P("热线专项工作（12）", "热线专项工作（12）", None, id="a-counter"),
    ],
)
def test_project_codes(text, name, code):
    assert nz.split_project_code(text) == (name, code)


@pytest.mark.parametrize(
    "text,clean",
    [
        P("经济效益\n指标", "经济效益指标", id="line-break"),
        P("打造金安国际网球\n公开赛", "打造金安国际网球公开赛", id="name"),
        P("绩 效 指 标", "绩效指标", id="spaced"),
        P("GDP\ngrowth", "GDP growth", id="latin-keeps-a-space"),
    ],
)
def test_names_fold_their_line_breaks(text, clean):
    assert nz.clean_label(text) == clean


# ---------------------------------------------------------------------------------------------
# targets


@pytest.mark.parametrize(
    "text,expected",
    [
        P("2020.1.1-2020.12.31", ("<=", 20201231, None, None, "deadline"), id="dotted-period"),
        P("2021年1月-12月", ("<=", 20211231, None, None, "deadline"), id="month-period"),
        P("2023.07-2024.01", ("<=", 20240131, None, None, "deadline"), id="month-period-across-years"),
        P("12月底前100%到位", ("<=", 20211231, None, None, "deadline"), id="deadline-then-text"),
        P("2021年全年", ("<=", 20211231, None, None, "deadline"), id="全年"),
        P("2025年年底前", ("<=", 20251231, None, None, "deadline"), id="年底前"),
        P("11月底之前", ("<=", 20211130, None, None, "deadline"), id="之前"),
        P("±3%以内", ("range", -3, 3, "%", "quantitative"), id="tolerance"),
        P("≧95%", (">=", 95, None, "%", "quantitative"), id="≧"),
        P("≦5%", ("<=", 5, None, "%", "quantitative"), id="≦"),
        P("‹=5", ("<=", 5, None, None, "quantitative"), id="‹="),
        P("›=5", (">=", 5, None, None, "quantitative"), id="›="),
        P("≥98百分比", (">=", 98, None, "%", "quantitative"), id="百分比"),
        P("1,000人", ("=", 1000, None, "人", "quantitative"), id="thousands"),
        P("≥1,234.5万元", (">=", 12345000, None, "元", "quantitative"), id="thousands-and-万元"),
        P("大于等于98%", (">=", 98, None, "%", "quantitative"), id="words"),
        P("<=6962人", ("<=", 6962, None, "人", "quantitative"), id="ascii-glued"),
        P("780元/生/年", ("=", 780, None, "元/生/年", "quantitative"), id="compound-unit"),
        P("房屋设备、设施的管理到位,环境卫生整洁,车辆停放有序", (None, None, None, None, "qualitative"), id="sentence"),
        P("8个小区，环境整洁", (None, None, None, None, "qualitative"), id="number-then-sentence"),
    ],
)
def test_targets(text, expected):
    got = nz.parse_target(text, 2021)
    assert got == expected
    assert (got.op, got.value, got.value_hi, got.value_unit, got.kind) == tuple(got)  # a NamedTuple


def test_a_date_serial_where_a_date_is_asked():
    assert nz.date_serial("44,561") == 20211231.0 and nz.date_serial("44561") == 20211231.0
    assert nz.date_serial("98") is None and nz.date_serial("2021") is None


@pytest.mark.parametrize(
    "text,amount",
    [
        P("854万（其中财政资金500万）", 8_540_000.0, id="leading-amount"),
        P("164万元", 1_640_000.0, id="万元-in-the-cell"),
        P("140.64（万元）", 1_406_400.0, id="unit-in-brackets"),
        P("1,030,700.00", 1_030_700.0, id="separators"),
    ],
)
def test_amounts_as_published(text, amount):
    assert nz.parse_amount(text, "万元" if text == "140.64（万元）" else "元") == (amount, True)


@pytest.mark.parametrize(
    "text,start,end",
    [
        P("2022年3月-2023年11月", "2022-03-01", "2023-11-30", id="months"),
        P("2025年1月1日-2025年12月31日", "2025-01-01", "2025-12-31", id="days"),
        P("2021.1-2021.12", "2021-01-01", "2021-12-31", id="dotted"),
        P("2022年", "2022-01-01", "2022-12-31", id="a-year"),
        P("3年", None, None, id="a-duration"),
    ],
)
def test_periods(text, start, end):
    s, e = nz.parse_period(text)
    assert (s and s.isoformat(), e and e.isoformat()) == (start, end)
