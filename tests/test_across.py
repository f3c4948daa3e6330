"""Tables printed sideways, read by their structure and words in every container: an indicator
table printed across (the levels as rows and the indicators as columns, or one row per town
under level headers, as a county finance bureau attaches it to its notice), a block of field
labels with their values in the row below, and a list of the year's tasks printed in or before
a form (任务清单, 年度主要任务). Layouts as published (tests/fixtures/real-world-more, g12), names
made up."""

import pytest

import formatkit as fk
import seedkit as kit

#: one row per town under the level-1, level-2 and name rows (a fund's 绩效目标表 attached to a notice)
TOWNS = [
    ["附件3", "", "", "", "", ""],
    ["2021年市级财政专项扶贫资金(第二批扶贫开发项目)绩效目标表", "", "", "", "", ""],
    ["项目单位", "产 出 指 标", "", "", "效 益 指 标", ""],
    ["", "质量指标", "数量指标", "时效指标", "社会效益指标", ""],
    [
        "",
        "资金投向合规率",
        "扶持村数",
        "资金使用率",
        "指标1:改善村人居环境、改善基础设施",
        "指标2:资金使用重大违规违纪问题",
    ],
    ["甲镇", "100%", "2", "100%", "有效改善", "0"],
    ["乙乡", "100%", "1", "100%", "有效改善", "0"],
]

#: a county form whose table prints one row per level, the roles down a column of their own
LEVELS = [
    ["项目支出绩效目标表", "", "", "", "", ""],
    ["(2022年度)", "", "", "", "", ""],
    ["项目名称", "农村生活垃圾收运", "", "", "", ""],
    ["主管部门", "示例县住房和城乡建设局", "", "实施单位", "示例县环境卫生管理所", ""],
    ["项目资金(万元)", "年度资金总额:", "86", "", "", ""],
    ["年度目标", "完成全县农村生活垃圾收运处置", "", "", "", ""],
    ["绩效指标", "一级指标", "产出指标", "", "效益指标", "满意度指标"],
    ["", "二级指标", "数量指标", "时效指标", "社会效益指标", "服务对象满意度指标"],
    ["", "三级指标", "垃圾收运量", "完成时间", "村庄环境", "群众满意度"],
    ["", "指标性质", "≥", "", "定性", "≥"],
    ["", "指标值", "1.2", "2022年12月", "明显改善", "90"],
    ["", "计量单位", "万吨", "", "", "%"],
]

TOWN_TARGETS = ["100%", "2", "100%", "有效改善", "0", "100%", "1", "100%", "有效改善", "0"]
LEVEL_TARGETS = ["≥1.2万吨", "2022年12月", "明显改善", "≥90%"]


def _text(grid: list[list[str]]) -> str:
    return "".join("\t".join(r) + "\n" for r in grid)


def _typed(cell: str):
    return int(cell) if cell.isdigit() else cell


def _container(grid: list[list[str]], fmt: str) -> bytes | str:
    if fmt == "txt":
        return _text(grid)
    if fmt == "xlsx":
        return kit.to_workbook({"Sheet1": [[_typed(c) for c in r] for r in grid]})
    if fmt == "html":
        return fk.to_html(grid, charset="gb2312", layout=True)
    return fk.RENDER[fmt](grid)


FORMATS = ["txt", "xlsx", "xls", "html", "docx"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_row_per_town_gives_each_town_its_indicators(tmp_path, fmt):
    """Each town's row is read under the level and name rows above it: one indicator a cell,
    its site the town, the level-1 heading spread over the columns its merge covers and the
    level 2 over those of its level 1; the form names no unit, so the folder's name is taken."""
    r = kit.ingest_files(tmp_path, {f"示例县农业农村局/扶贫.{fmt}": _container(TOWNS, fmt)})
    d = r.declarations.iloc[0]
    assert (d.unit, d.project, d.year) == ("示例县农业农村局", "2021年市级财政专项扶贫资金(第二批扶贫开发项目)", 2021)
    ind = r.indicators
    assert ind.site.tolist() == ["甲镇"] * 5 + ["乙乡"] * 5
    assert ind.target_raw.tolist() == TOWN_TARGETS
    assert ind.level1.tolist()[:5] == ["产出指标"] * 3 + ["效益指标"] * 2
    assert ind.level2.tolist()[:5] == ["质量指标", "数量指标", "时效指标", "社会效益指标", "社会效益指标"]
    assert ind.name.tolist()[:2] == ["资金投向合规率", "扶持村数"]
    assert ind.level1_std.tolist()[:5] == ["产出"] * 3 + ["效益"] * 2
    assert ind.value.tolist()[5:7] == [100.0, 1.0]
    assert "transposed-table" not in set(r.problems.code)
    assert not (r.problems.severity == "error").any(), r.problems.to_string()


@pytest.mark.parametrize("fmt", FORMATS)
def test_levels_printed_as_rows_read_as_the_columns_they_head(tmp_path, fmt):
    """一级指标 / 二级指标 / 三级指标 / 指标值 down a column, the indicators across: each column is
    an indicator; the operator and unit rows are joined to its value as in a split-column table."""
    r = kit.ingest_files(tmp_path, {f"f.{fmt}": _container(LEVELS, fmt)})
    d = r.declarations.iloc[0]
    assert (d.unit, d.department, d.project, d.year_budget) == (
        "示例县环境卫生管理所",
        "示例县住房和城乡建设局",
        "农村生活垃圾收运",
        860_000.0,
    )
    ind = r.indicators
    assert ind.name.tolist() == ["垃圾收运量", "完成时间", "村庄环境", "群众满意度"]
    assert ind.level1.tolist() == ["产出指标", "产出指标", "效益指标", "满意度指标"]
    assert ind.level2.tolist() == ["数量指标", "时效指标", "社会效益指标", "服务对象满意度指标"]
    assert ind.target_raw.tolist() == LEVEL_TARGETS
    assert ind.kind.tolist() == ["quantitative", "deadline", "qualitative", "quantitative"]
    assert ind.value.tolist()[0] == 12_000.0 and ind.op.tolist()[0] == ">="
    assert ind.site.isna().all()
    assert r.problems.empty, r.problems.to_string()


def test_a_header_with_no_row_of_targets_is_kept_and_said_so(tmp_path):
    """A copy cut after the names row: the declaration is kept, no indicator invented, and the
    table printed across is named in a warning."""
    r = kit.ingest_files(tmp_path, {"f.txt": _text(TOWNS[:5])})
    assert len(r.declarations) == 1 and r.indicators.empty
    assert "no row of targets" in r.problems.message[r.problems.code == "transposed-table"].iloc[0]


def test_a_total_row_is_no_town(tmp_path):
    r = kit.ingest_files(tmp_path, {"f.txt": _text([*TOWNS, ["合计", "", "3", "", "", ""]])})
    assert set(r.indicators.site) == {"甲镇", "乙乡"}


def test_rows_after_the_table_are_read_as_usual(tmp_path):
    """A field label or a footer ends the table: the rows after it are not targets."""
    after = [["注:指标值由各乡镇据实填报", "", "", "", "", ""], ["丙镇", "100%", "3", "100%", "有效改善", "0"]]
    r = kit.ingest_files(tmp_path, {"f.txt": _text([*TOWNS, *after])})
    assert set(r.indicators.site) == {"甲镇", "乙乡"}


def test_an_ordinary_table_is_not_read_across(tmp_path):
    """A table of the usual shape (levels as columns) keeps its reading: a row naming two level-1
    categories is not taken for a header when its first cell is a level itself."""
    rows = LEVELS[:6] + [
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", ""],
        ["", "产出指标", "数量指标", "垃圾收运量", "≥1.2万吨", ""],
        ["", "效益指标", "社会效益指标", "村庄环境", "明显改善", ""],
    ]
    r = kit.ingest_files(tmp_path, {"f.txt": _text(rows)})
    assert r.indicators.name.tolist() == ["垃圾收运量", "村庄环境"] and r.indicators.site.isna().all()


# ---------------------------------------------------------------------------------------------
# field labels laid out sideways


SIDEWAYS = [
    ["项目支出绩效目标表", "", "", "", ""],
    ["(2022年度)", "", "", "", ""],
    ["项目名称", "主管部门", "实施单位", "年度资金总额(万元)", ""],
    ["农村生活垃圾收运", "示例县住房和城乡建设局", "示例县环境卫生管理所", "86", ""],
    ["年度目标", "完成全县农村生活垃圾收运处置", "", "", ""],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    ["", "产出指标", "数量指标", "垃圾收运量", "≥1.2万吨"],
]


@pytest.mark.parametrize("fmt", ["txt", "xlsx", "html"])
def test_labels_over_their_values_are_read_column_by_column(tmp_path, fmt):
    """项目名称 | 主管部门 | 实施单位 | 年度资金总额(万元) over the values: each value is its label's,
    the money unit from the label's brackets."""
    r = kit.ingest_files(tmp_path, {f"f.{fmt}": _container(SIDEWAYS, fmt)})
    d = r.declarations.iloc[0]
    assert (d.project, d.department, d.unit, d.year_budget, d.goals) == (
        "农村生活垃圾收运",
        "示例县住房和城乡建设局",
        "示例县环境卫生管理所",
        860_000.0,
        "完成全县农村生活垃圾收运处置",
    )
    assert len(r.declarations) == 1 and r.indicators.name.tolist() == ["垃圾收运量"]
    assert r.problems.empty, r.problems.to_string()


def test_labels_with_their_values_left_blank_stay_blank(tmp_path):
    """A template's row of labels whose values are not printed under them: the row below (more
    labels) is read as usual, nothing moves up."""
    rows = SIDEWAYS[:3] + [["项目负责人", "", "", "", ""]] + SIDEWAYS[4:]
    r = kit.ingest_files(tmp_path, {"f.txt": _text(rows)})
    assert r.declarations.empty and "missing-field" in set(r.problems.code)


# ---------------------------------------------------------------------------------------------
# the year's tasks


TASKS_IN_FORM = [
    ["项目支出绩效目标表", "", "", "", ""],
    ["(2023年度)", "", "", "", ""],
    ["项目名称", "城区绿化养护", "", "", ""],
    ["主管部门", "示例市城市管理局", "实施单位", "示例市园林绿化所", ""],
    ["项目资金(万元)", "年度资金总额:", "120", "", ""],
    ["任务清单", "项目名称", "实施单位", "资金总额", ""],
    ["", "公共绿地养护", "示例市园林绿化一所", "100", ""],
    ["", "行道树补植", "示例市园林绿化二所", "20", ""],
    ["年度目标", "完成全年绿化养护任务", "", "", ""],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    ["", "产出指标", "数量指标", "养护面积", "≥1200公顷"],
]


@pytest.mark.parametrize("fmt", ["txt", "xlsx", "html"])
def test_a_list_of_tasks_in_the_form_is_no_declaration(tmp_path, fmt):
    """任务清单 | 项目名称 | 实施单位 | 资金总额 over the tasks: the list's labels and rows are the
    tasks', not the form's; the form keeps its project, unit, amount and table."""
    r = kit.ingest_files(tmp_path, {f"f.{fmt}": _container(TASKS_IN_FORM, fmt)})
    assert len(r.declarations) == 1
    d = r.declarations.iloc[0]
    assert (d.project, d.unit, d.year_budget, d.goals) == (
        "城区绿化养护",
        "示例市园林绿化所",
        1_200_000.0,
        "完成全年绿化养护任务",
    )
    assert r.indicators.name.tolist() == ["养护面积"]
    assert r.problems.empty, r.problems.to_string()


def test_a_list_of_tasks_before_the_form_is_passed_over(tmp_path):
    """A notice's 任务清单 (a heading line over 项目单位 | 约束性任务 | 备注 and a row per town) before
    its 绩效目标表: no declaration without a project, no stray rows; the form after it is read."""
    tasks = [
        ["附件2", "", "", "", "", ""],
        ["2021年市级财政专项扶贫资金(第二批扶贫开发项目)任务清单", "", "", "", "", ""],
        ["项目单位", "约束性任务", "备注", "", "", ""],
        ["甲镇", "扶持2个村", "", "", "", ""],
        ["乙乡", "扶持1个村", "", "", "", ""],
    ]
    r = kit.ingest_files(tmp_path, {"f.txt": _text(tasks + TOWNS)})
    assert len(r.declarations) == 1 and len(r.indicators) == 10
    assert not set(r.problems.code) & {"missing-field", "unrecognized-row"}, r.problems.to_string()


def test_a_task_heading_over_a_field_row_does_not_hide_it(tmp_path):
    """A 任务清单 line followed by the form's own fields (no list's header under it): the fields
    are read."""
    rows = TASKS_IN_FORM[:2] + [["任务清单", "", "", "", ""]] + TASKS_IN_FORM[2:5] + TASKS_IN_FORM[8:]
    r = kit.ingest_files(tmp_path, {"f.txt": _text(rows)})
    d = r.declarations.iloc[0]
    assert (d.project, d.unit) == ("城区绿化养护", "示例市园林绿化所")


def test_a_numbered_allocation_list_before_the_form_is_passed_over(tmp_path):
    """A notice's 安排表 before its form: 序号 | 乡镇名称 | 项目名称 | 金额 over numbered rows and a
    合计: its 项目名称 is a column heading, not the form's project; the form after it is read whole."""
    allocation = [
        ["附件1", "", "", "", "", ""],
        ["2022年省级水利专项资金安排表", "", "", "", "", ""],
        ["单位:万元", "", "", "", "", ""],
        ["序号", "乡镇名称", "项 目 名 称", "金额", "备注", ""],
        ["1", "甲镇", "甲村排洪排水工程建设", "20", "", ""],
        ["2", "乙乡", "乙村水圳修复", "15", "", ""],
        ["合计", "", "", "35", "", ""],
        ["附件2", "", "", "", "", ""],
    ]
    r = kit.ingest_files(tmp_path, {"f.txt": _text(allocation + LEVELS)})
    assert len(r.declarations) == 1 and r.declarations.project.iloc[0] == "农村生活垃圾收运"
    assert len(r.indicators) == 4
    assert not set(r.problems.code) & {"missing-field", "unrecognized-row"}, r.problems.to_string()
