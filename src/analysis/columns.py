"""The column registry: every column the project writes, shows or exports, defined once.

Each :class:`Column` has its name, Arrow type, meaning, Chinese heading and display format.
From it follow the Arrow schemas of the processed tables (``SCHEMAS``, read and written by
:mod:`analysis.tables`), the headings and number formats of the reports
(:mod:`analysis.reports.show`), the export's headers and its ``说明`` sheet
(:mod:`analysis.reports.export`) and the README's table lists (a test keeps them equal). The
order of the computed frames and the workbook's sheets is in :mod:`analysis.frames`.

Formats: ``money`` (元 in the data; 万元 with two decimals in reports), ``rate`` (a ratio,
shown as a percent), ``prose`` (long text, not read by the reports), ``date``, ``int``,
``year``, ``number``, ``text``, ``flag`` (a boolean, 是/否).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pyarrow as pa

from analysis.errors import AnalysisError

FORMATS = ("money", "rate", "prose", "date", "int", "year", "number", "text", "flag")


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    heading: str
    description: str
    format: str = "text"

    def field(self) -> pa.Field:
        return pa.field(self.name, self.type)


class RegistryError(AnalysisError):
    """The column registry was given something it cannot hold (a name twice, an unknown format)."""


def _c(name, type_, heading, description, fmt="text") -> Column:
    if fmt not in FORMATS:
        raise RegistryError(f"column {name!r}: unknown display format {fmt!r} (known: {', '.join(FORMATS)})")
    return Column(name, type_, heading, description, fmt)


def _registry(entries, what: str) -> dict:
    """``{entry.name: entry}``, refusing a name defined twice (the second would silently win)."""
    out: dict = {}
    for entry in entries:
        if entry.name in out:
            raise RegistryError(f"{what} {entry.name!r} is defined twice in the registry")
        out[entry.name] = entry
    return out


S, I32, F64, B, D = pa.string(), pa.int32(), pa.float64(), pa.bool_(), pa.date32()

#: every column, by name (a column of the same name means the same thing in every table,
#: except where a table overrides its description below)
COLUMNS: dict[str, Column] = _registry(
    [
        # --- identity and provenance
        _c(
            "decl_id",
            S,
            "申报表编号",
            "Stable id: a hash of the normalized unit, year and project (the same in every run, whatever file it came from).",
        ),
        _c("year", I32, "年度", "The budget year the declaration is for (年度 of the table).", "year"),
        _c(
            "unit",
            S,
            "单位",
            "The declaring unit (申报单位/实施单位/预算单位; the department where no other is printed).",
        ),
        _c(
            "department",
            S,
            "主管部门",
            "The supervising department (主管部门) where the form prints one beside the unit.",
        ),
        _c("project", S, "项目", "Project name (项目名称), any code in brackets removed."),
        _c("project_code", S, "项目编码", "The project's code where printed with its name or in a field of its own."),
        _c("source_file", S, "文件", "Path of the input file, relative to RAW_DIR."),
        _c(
            "source_line",
            I32,
            "行",
            "1-based line (spreadsheet row, or row of a web page, Word or PDF table) where the declaration, indicator or problem starts; for a whole-file fault the first text line, or 1; null only when the file cannot be opened.",
            "int",
        ),
        _c(
            "source_page",
            I32,
            "页",
            "Page of a PDF (1-based) where the declaration starts; null for other formats.",
            "int",
        ),
        _c(
            "source_table",
            I32,
            "表",
            "Table number within a web page, Word file or PDF (1-based); null for text and workbooks.",
            "int",
        ),
        # --- declaration fields
        _c("category", S, "项目类别", "Project category (项目类别) as published."),
        _c("perf_type", S, "绩效类型", "Performance type (绩效类型) as published."),
        _c(
            "gov_purchase",
            B,
            "政府购买服务",
            "Whether the project includes government-purchased services (是否含有政府购买服务).",
            "flag",
        ),
        _c("start_date", D, "计划开始日期", "Planned start (计划开始日期).", "date"),
        _c("end_date", D, "计划完成日期", "Planned end (计划完成日期).", "date"),
        _c(
            "total_budget", F64, "项目总预算", "Total or medium-term budget (项目总预算, 中期资金总额), in 元.", "money"
        ),
        _c(
            "year_budget",
            F64,
            "当年预算",
            "The year's budget (项目当年预算, 年度资金总额; a single undifferentiated amount), in 元.",
            "money",
        ),
        _c(
            "prior_budget",
            F64,
            "上年预算",
            "Last year's budget of the same project (同名项目上年预算额), in 元; null when not declared (blank, `-`, `/`).",
            "money",
        ),
        _c(
            "prior_executed",
            F64,
            "上年执行数",
            "Last year's spending of the same project (同名项目上年预算执行数), in 元.",
            "money",
        ),
        _c(
            "prior_execution_rate",
            F64,
            "上年执行率",
            "prior_executed / prior_budget; null when either is missing or prior_budget is 0.",
            "rate",
        ),
        _c("overview", S, "项目概况", "项目概况, plain text.", "prose"),
        _c("basis", S, "立项依据", "立项依据, plain text.", "prose"),
        _c("necessity", S, "必要性", "项目设立的必要性, plain text.", "prose"),
        _c("measures", S, "制度措施", "保证项目实施的制度、措施, plain text.", "prose"),
        _c("plan", S, "实施计划", "项目实施计划, plain text.", "prose"),
        _c("goals", S, "总目标", "总目标及阶段性目标 (or 年度目标), plain text.", "prose"),
        _c(
            "exec_target",
            F64,
            "执行率目标",
            "The declaration's own 预算执行率 target as a ratio (`>=99%` gives 0.99); null when it has none or it is qualitative.",
            "rate",
        ),
        _c("exec_target_op", S, "执行率目标运算符", "Operator of that target (>=, =, ...)."),
        _c("n_indicators", I32, "指标数", "Indicators of the declaration (year horizon).", "int"),
        _c(
            "province",
            S,
            "省",
            "Province (省级) of the declaring unit, as the gazetteer spells it; null when nothing names it.",
        ),
        _c(
            "city", S, "市", "Prefecture-level city (地级; a municipality's own name) of the unit; null when not known."
        ),
        _c("county", S, "县区", "County-level division (县/区/旗/县级市) of the unit; null when not known."),
        _c(
            "adcode",
            S,
            "行政区划代码",
            "6-digit administrative division code of the deepest division known (420200: 黄石市).",
        ),
        _c(
            "place_source",
            S,
            "地方来源",
            "Where the place was read, in order of trust: `unit` (the unit's name), `form` (主管部门/实施单位, the title, the sheet), `folder` (the file's folder names), `file` (its name), several joined by `+`; null when none names a place.",
        ),
        # --- indicator fields
        _c("seq", I32, "序号", "Order of the indicator within its declaration.", "int"),
        _c(
            "horizon",
            S,
            "目标期",
            "`year` for the year's targets, `medium` for medium-term (中期/实施期) targets printed beside them.",
        ),
        _c("level1", S, "一级指标", "一级目标/一级指标 as published (merged-cell blanks filled in)."),
        _c("level2", S, "二级指标", "二级目标/二级指标 as published."),
        _c("name", S, "三级指标", "三级目标/三级指标 (the indicator's name) as published, line breaks removed."),
        _c(
            "level1_std",
            S,
            "一级类别",
            "Canonical level-1 category shared by the frameworks (产出, 效益, 满意度, 成本, 投入管理, 影响力, 其他).",
        ),
        _c("target_raw", S, "目标值", "The target exactly as published (operator and unit columns joined in)."),
        _c(
            "op",
            S,
            "运算符",
            "`=`, `>=`, `<=`, `>`, `<`, `range`, or null for a qualitative target; a bare number is `=`; a deadline is `<=`.",
        ),
        _c(
            "value",
            F64,
            "数值",
            "The number, multipliers applied (`>=50万次` gives 500000; `万元` gives 元 ×10000); percents stay in percent (`>=95%` gives 95); a deadline as yyyymmdd (`2021年12月31日前` gives 20211231).",
            "number",
        ),
        _c("value_hi", F64, "上限", "The upper end of a range (`90%-95%`: value 90, value_hi 95).", "number"),
        _c("value_unit", S, "计量单位", "Unit of the value: %, 次, 元/人 ..."),
        _c("kind", S, "类型", "quantitative, qualitative or deadline."),
        _c(
            "indicator_kind",
            S,
            "指标种类",
            "What the indicator measures (satisfaction, completion_rate, cost, ...), read from its name through the table of kinds (src/analysis/kinds.toml; docs/analysis.md); null when no kind matches.",
        ),
        _c("weight", F64, "权重", "Weight or score (权重/分值) printed for the indicator.", "number"),
        _c(
            "site",
            S,
            "地点",
            "A wide form's site: the village, town, school or county heading the value column the target is "
            "printed in (the form prints one per site, the table one row per site); null for the other forms.",
        ),
        # --- problems
        _c("severity", S, "级别", "error: something could not be read; warning: read but suspicious."),
        _c("code", S, "问题代码", "A stable slug; see the README's list of problem codes."),
        _c("message", S, "详细信息", "What is wrong and where (English, with the file and line)."),
    ],
    "column",
)

#: columns of the processed tables, in order; (name, description override) where a column
#: means something narrower in one table
_TABLES: dict[str, list] = {
    "declarations": [
        "decl_id",
        "year",
        "unit",
        "project",
        "category",
        "perf_type",
        "gov_purchase",
        "start_date",
        "end_date",
        "total_budget",
        "year_budget",
        "prior_budget",
        "prior_executed",
        "prior_execution_rate",
        "overview",
        "basis",
        "necessity",
        "measures",
        "plan",
        "goals",
        "source_file",
        "source_line",
        "exec_target",
        "exec_target_op",
        "n_indicators",
        "department",
        "project_code",
        "source_page",
        "source_table",
        "province",
        "city",
        "county",
        "adcode",
        "place_source",
    ],
    "indicators": [
        "decl_id",
        "year",
        "unit",
        "project",
        "seq",
        "level1",
        "level2",
        "name",
        "level1_std",
        "target_raw",
        "op",
        "value",
        "value_hi",
        "value_unit",
        "kind",
        "source_line",
        "horizon",
        "weight",
        (
            "basis",
            "指标值依据",
            "Basis or standard printed for the target (绩效标准, 取值依据, 指标值设定依据).",
            "text",
        ),
        "site",
        (
            "source_page",
            "页",
            "Page of a PDF (1-based) where the indicator's row is printed; null for other formats.",
            "int",
        ),
        "indicator_kind",
    ],
    "problems": ["source_file", "source_line", "severity", "code", "message", "decl_id"],
}


def _resolve(entry) -> Column:
    if isinstance(entry, str):
        return COLUMNS[entry]
    name, heading, description, fmt = entry
    return replace(COLUMNS[name], heading=heading, description=description, format=fmt)


TABLE_COLUMNS: dict[str, list[Column]] = {t: [_resolve(e) for e in cols] for t, cols in _TABLES.items()}
SCHEMAS: dict[str, pa.Schema] = {t: pa.schema([c.field() for c in cols]) for t, cols in TABLE_COLUMNS.items()}
DECLARATIONS_SCHEMA = SCHEMAS["declarations"]
INDICATORS_SCHEMA = SCHEMAS["indicators"]
PROBLEMS_SCHEMA = SCHEMAS["problems"]
TABLE_NAMES = tuple(SCHEMAS)

#: prose columns: long, and no report shows them
PROSE = tuple(c.name for c in TABLE_COLUMNS["declarations"] if c.format == "prose")

#: columns of the frames computed by :mod:`analysis.metrics` and the reports (not stored)
DERIVED: dict[str, Column] = _registry(
    [
        _c("exec_year", I32, "执行年度", "The year whose money was spent: declaration year minus one.", "year"),
        _c("from_year", I32, "原年度", "The earlier of two compared years.", "year"),
        _c("to_year", I32, "新年度", "The later of two compared years.", "year"),
        _c("n_projects", I32, "项目数", "Declarations (projects) in the group.", "int"),
        _c(
            "n_reported",
            I32,
            "有上年数的项目数",
            "Declarations with a known execution rate (上年预算额 and 上年执行数 both printed, budget above 0).",
            "int",
        ),
        _c(
            "prev_year_budget",
            F64,
            "上一年申报的当年预算",
            "The year_budget the same project declared the year before.",
            "money",
        ),
        _c("difference", F64, "差额", "prior_budget minus prev_year_budget.", "money"),
        _c("realized_rate", F64, "实际执行率", "The execution rate realized, reported a year later.", "rate"),
        _c("realized_decl_id", S, "报告执行率的申报表", "The declaration that reported the realized rate."),
        _c("rate", F64, "执行率（按预算加权）", "Sum executed / sum budget.", "rate"),
        _c("mean_rate", F64, "执行率（项目平均）", "Unweighted mean of project rates.", "rate"),
        _c(
            "n_below_target",
            I32,
            "低于目标的项目数",
            "Projects whose realized rate fell below their own target.",
            "int",
        ),
        _c("below_target", B, "低于目标", "Whether the realized rate fell below the target.", "flag"),
        _c("old_raw", S, "原目标值", "The target in the earlier year."),
        _c("new_raw", S, "新目标值", "The target in the later year."),
        _c(
            "change",
            S,
            "变化",
            "tightened (收紧: stricter), loosened (放松: looser), unchanged (不变), changed (改写: comparable in neither direction), added (新增), removed (删除).",
        ),
        _c(
            "gap_years",
            I32,
            "间隔年数",
            "Years the project was not declared between the two compared years (0 for consecutive years).",
            "int",
        ),
        *[
            _c(f"{side}_{col}", typ, f"{word}{heading}", f"{meaning} in the {when} year.", fmt)
            for side, word, when in (("old", "原", "earlier"), ("new", "新", "later"))
            for col, typ, heading, meaning, fmt in (
                ("decl_id", S, "申报表编号", "The declaration compared", "text"),
                ("seq", I32, "序号", "The indicator's order within its declaration", "int"),
                ("kind", S, "类型", "The target's kind (quantitative, qualitative, deadline)", "text"),
                ("op", S, "运算符", "The target's operator", "text"),
                ("value", F64, "数值", "The target's number", "number"),
                ("value_hi", F64, "上限", "The upper end of a range target", "number"),
                ("unit", S, "计量单位", "The target's unit of value", "text"),
            )
        ],
        _c("tightened", I32, "收紧", "Targets made stricter.", "int"),
        _c("loosened", I32, "放松", "Targets made looser.", "int"),
        _c("unchanged", I32, "不变", "Targets repeated.", "int"),
        _c("changed", I32, "改写", "Targets rewritten, comparable in neither direction.", "int"),
        _c("added", I32, "新增", "Indicators new in the later year.", "int"),
        _c("removed", I32, "删除", "Indicators dropped in the later year.", "int"),
        _c("net_tightening", I32, "净收紧", "tightened minus loosened.", "int"),
        _c("share_quantitative", F64, "定量指标占比", "Share of quantitative targets.", "rate"),
        _c("share_qualitative", F64, "定性指标占比", "Share of qualitative targets.", "rate"),
        _c("share_deadline", F64, "时限指标占比", "Share of deadline targets.", "rate"),
        _c("share_vague", F64, "模糊指标占比", "Share of vague targets (有效, 及时 ... without a number).", "rate"),
        _c(
            "share_repeated", F64, "与上年重复占比", "Share of targets repeated unchanged from the year before.", "rate"
        ),
        _c("n", I32, "次数", "Count.", "int"),
        # --- project identity, added to the declarations by analysis.metrics.identity.link (at load)
        _c(
            "project_key",
            S,
            "项目标识",
            "The same for every declaration of one project across years, renames included: a hash of the normalized unit and the project's first name.",
        ),
        _c(
            "match",
            S,
            "匹配方式",
            "How the declaration is linked to the project's earlier years: `exact` (same normalized name, or first appearance) or `fuzzy` (renamed, linked by similarity).",
        ),
        _c(
            "match_score",
            F64,
            "匹配分数",
            "100 for an exact link, the name similarity (fuzz.ratio, 0-100) for a fuzzy one.",
            "number",
        ),
        # --- indicator identity across years (metrics.target_changes, link_indicators, target_history)
        _c(
            "indicator_key",
            S,
            "指标标识",
            "The same for one indicator of a project in every declared year it is followed through (renamed, moved to a renamed level2 or reworded included): a hash of the project, its first year, level2 class and name.",
        ),
        _c(
            "indicator_match",
            S,
            "指标匹配方式",
            "How the indicator is paired with the project's previous declared year: `exact`, `level2-renamed` (same name, equivalent level2 heading), `project-name` (same name once the project's own name is taken out) or `fuzzy` (near name); null where it has no counterpart.",
        ),
        _c(
            "indicator_match_score",
            F64,
            "指标匹配分数",
            "100 for exact, level2-renamed and project-name pairs; the name similarity (0-100) for fuzzy ones.",
            "number",
        ),
        _c(
            "op_not_printed",
            B,
            "运算符一年未印",
            "One year prints no operator (`80M` after `≥80M`): the other year's is taken for the comparison.",
            "flag",
        ),
        _c(
            "unit_not_printed",
            B,
            "单位一年未印",
            "One year prints no value unit (`10` after `10辆`): the other year's is taken for the comparison.",
            "flag",
        ),
        # --- the review (analysis.metrics.rules; rules in docs/review.md)
        _c(
            "rule", S, "审核规则", "Id of a review rule (complete.output_effect, quant.vague, ...; see docs/review.md)."
        ),
        _c(
            "group",
            S,
            "审核类别",
            "Group of the rule: 完整性, 量化, 可比, 执行, 一致 or 合理; 合计 for all rules in a summary.",
        ),
        _c("description", S, "规则说明", "What the rule checks, in short Chinese."),
        _c(
            "outcome",
            S,
            "审核结果",
            "pass, fail, or n/a (the rule does not apply or cannot be judged; evidence says why).",
        ),
        _c(
            "finding",
            S,
            "审核发现",
            "On a failed row, the failure said as a finding (有无数字的模糊定性目标); empty otherwise.",
        ),
        _c("evidence", S, "依据", "The indicators or figures behind the outcome, or why the rule does not apply."),
        _c(
            "source",
            S,
            "规则出处",
            "Document the rule comes from (e.g. 财预〔2021〕101号), or convention for a rule that is review practice rather than a written requirement.",
        ),
        _c("ruleset", S, "规则版本", "Version of the rule set applied (analysis.metrics.rules.RULESET_VERSION)."),
        _c("n_pass", I32, "通过", "Review rows that passed.", "int"),
        _c("n_fail", I32, "未通过", "Review rows that failed.", "int"),
        _c("n_na", I32, "不适用", "Review rows where the rule did not apply.", "int"),
        _c("pass_rate", F64, "通过率", "n_pass / (n_pass + n_fail); null when no rule applied.", "rate"),
        # --- budget against targets (metrics.budget_vs_targets)
        _c(
            "budget_change",
            F64,
            "预算增减",
            "year_budget minus prev_year_budget (a project's, or the unit's sums in a per-unit view).",
            "money",
        ),
        _c("budget_change_rel", F64, "预算增减幅度", "budget_change / prev_year_budget.", "rate"),
        _c(
            "budget_up_targets_loosened",
            B,
            "预算增加且目标放松",
            "A project whose own budget grew while more of its targets were loosened than tightened (per unit: at least one such project).",
            "flag",
        ),
        _c(
            "n_flagged_projects",
            I32,
            "预算增加且目标放松的项目",
            "Projects whose own budget grew while more of their targets were loosened than tightened.",
            "int",
        ),
        # --- renames (identity.renames) and how changes are read (metrics.refine_changes)
        _c("old_project", S, "原项目名称", "The project's name in the earlier year."),
        _c("new_project", S, "新项目名称", "The project's name in the later year."),
        _c("score", F64, "名称相似度", "Similarity of the two names (0-100) that linked a renamed project.", "number"),
        _c(
            "by_nature",
            B,
            "按指标性质判断",
            "A fixed (=) target whose direction follows from the indicator's nature (数量: more is stricter; 时效, 成本: less).",
            "flag",
        ),
        _c(
            "framework_switch",
            B,
            "指标框架切换",
            "The project moved between the older and the newer indicator framework between the two years.",
            "flag",
        ),
        _c(
            "framework_change",
            B,
            "属于框架调整",
            "An indicator added or removed only because the framework changed (its category does not exist on the other side).",
            "flag",
        ),
        _c(
            "framework_changes",
            I32,
            "框架调整",
            "Indicators added or removed by a framework switch (not counted as 新增/删除).",
            "int",
        ),
        _c("share_tightened", F64, "收紧占比", "Tightened / indicators compared in both years.", "rate"),
        _c("share_loosened", F64, "放松占比", "Loosened / indicators compared in both years.", "rate"),
        _c(
            "n_compared",
            I32,
            "可比指标数",
            "Indicators present in both years (not added, removed or framework changes).",
            "int",
        ),
        _c("n_units", I32, "单位数", "Units in the group.", "int"),
        _c("n_years", I32, "申报年数", "Years the unit declared.", "int"),
        _c("n_flagged_years", I32, "预算增加且目标放松的年数", "Years flagged by budget_up_targets_loosened.", "int"),
        # --- the indicator library and peer positions (metrics.indicator_library, metrics.peer_position)
        _c(
            "kind_name",
            S,
            "指标种类名称",
            "The kind's Chinese name (满意度, 完成率, 成本 ...; src/analysis/kinds.toml).",
        ),
        _c(
            "stricter",
            S,
            "从严方向",
            "Which target of the kind asks more: `higher`, `lower`, or `none` (not ordered).",
        ),
        _c(
            "level2_class",
            S,
            "二级指标（归类）",
            "The level-2 heading the row is about, as its class of equivalent headings (服务对象满意度指标 and "
            "满意度指标 are 满意度; the vocabulary's [level2_equivalent]); null on the row of the whole kind.",
        ),
        _c("n_places", I32, "地方数", "Distinct places (adcode) of the units in the group.", "int"),
        _c("n_quantitative", I32, "定量目标数", "Quantitative targets in the kind's most common value unit.", "int"),
        *[
            _c(f"q{p}", F64, f"{p}分位", f"The {p}th percentile of those targets' values.", "number")
            for p in (10, 25, 50, 75, 90)
        ],
        _c("share_ge", F64, "≥占比", "Share of the quantitative targets stated with >= or >.", "rate"),
        _c("share_le", F64, "≤占比", "Share stated with <= or <.", "rate"),
        _c("share_eq", F64, "=占比", "Share stated as one number (=).", "rate"),
        _c("share_range", F64, "区间占比", "Share stated as a range.", "rate"),
        _c("wordings", S, "常见表述", "The most common names of the kind's indicators, with their counts."),
        _c(
            "peer_scope",
            S,
            "同类范围",
            "The peer group: `year` (same kind, year and value unit, every place) or `province` (also the same province).",
        ),
        _c("n_peers", I32, "同类目标数", "Targets in the peer group, this one included.", "int"),
        _c("peer_median", F64, "同类中位数", "The peer group's median target.", "number"),
        _c(
            "peer_percentile",
            F64,
            "同类位置",
            "Share of the peer group's targets this target asks at least as much as (1: the strictest); null where the group has fewer than 10.",
            "rate",
        ),
        _c(
            "lax",
            B,
            "明显偏松",
            "In the laxest 10% of a peer group of at least 10 and below its median.",
            "flag",
        ),
        # --- problems as the reports show them
        _c("code_meaning", S, "问题说明", "The problem code's meaning in Chinese (analysis.problems.CHINESE)."),
        _c("example", S, "示例（文件:行）", "Where the first few problems of that code are, as file:line."),
    ],
    "column",
)

_shared = sorted(set(DERIVED) & set(COLUMNS))
if _shared:
    raise RegistryError(f"derived columns {_shared} are already columns of the processed tables")

#: every column known, for display: the processed tables' and the derived frames'
ALL: dict[str, Column] = {**COLUMNS, **DERIVED}


#: column -> its meaning in Chinese: what the workbook's 说明 sheet says (the English
#: ``description`` stays for the README and the code)
MEANINGS: dict[str, str] = {
    "added": "后一年度新增的指标数。",
    "basis": "立项依据，纯文本。",
    "budget_change": "当年预算减去上一年的当年预算（项目的；按单位汇总时为单位合计）。",
    "budget_change_rel": "预算增减 ÷ 上一年申报的当年预算。",
    "budget_up_targets_loosened": "项目自身的当年预算增加，而放松的指标多于收紧的指标（按单位汇总时：至少有一个这样的项目）。",
    "by_nature": "固定值（=）目标按指标性质判断宽严（数量：越多越严；时效、成本：越少越严）。",
    "category": "项目类别，按原表。",
    "change": "收紧（更严格）、放松（更宽松）、不变、改写（无法判断宽严）、新增、删除。",
    "changed": "改写的指标数（无法判断宽严）。",
    "code": "问题代码：稳定的英文短代码，便于筛选；含义见“问题说明”。",
    "code_meaning": "问题代码的中文说明。",
    "decl_id": "申报表编号：由规范化的单位、年度和项目计算的稳定编号（每次运行相同，与来源文件无关）。",
    "department": "主管部门（表上与单位并列印出时）。",
    "description": "规则检查的内容（通过的条件）。",
    "end_date": "计划完成日期。",
    "evidence": "判断所依据的指标或数字，或规则不适用的原因。",
    "exec_target": "本申报表的预算执行率目标，以小数表示（≥99% 记为 0.99）；没有或为定性目标时为空。",
    "exec_target_op": "执行率目标的运算符（≥、＝ 等）。",
    "exec_year": "资金使用的年度：申报年度减一。",
    "finding": "未通过时的审核发现（如“有无数字的模糊定性目标”）；其他行为空。",
    "framework_change": "仅因指标框架切换而新增或删除的指标（其类别在另一年度的框架中不存在）。",
    "framework_changes": "因指标框架切换而新增或删除的指标数（不计入新增、删除）。",
    "framework_switch": "该项目在两个年度之间从旧指标框架切换到新框架（或相反）。",
    "from_year": "比较的两个年度中较早的一年。",
    "goals": "总目标及阶段性目标（或年度目标），纯文本。",
    "gov_purchase": "是否含有政府购买服务。",
    "group": "规则类别：完整性、量化、可比、执行、一致或合理；汇总中“合计”为全部规则。",
    "horizon": "目标期：当年目标，或与之并列印出的中期（实施期）目标。",
    "kind": "目标类型：定量、定性或时限。",
    "level1": "一级目标／一级指标，按原表（合并单元格的空白已补齐）。",
    "level1_std": "两种指标框架共用的一级类别（产出、效益、满意度、成本、投入管理、影响力、其他）。",
    "level2": "二级目标／二级指标，按原表。",
    "loosened": "放松（更宽松）的指标数。",
    "match": "申报表与该项目往年申报的对应方式：精确（规范化名称相同，或首次出现）或模糊匹配（更名，按名称相似度对应）。",
    "mean_rate": "各项目执行率的简单平均（不加权）。",
    "measures": "保证项目实施的制度、措施，纯文本。",
    "message": "问题的具体情况和位置。",
    "n": "次数。",
    "n_below_target": "实际执行率低于其执行率目标的项目数。",
    "n_flagged_projects": "当年预算增加、而放松的指标多于收紧的项目数。",
    "n_indicators": "申报表的指标数（当年目标）。",
    "n_projects": "该组的申报表（项目）数。",
    "n_reported": "能计算执行率的项目数（上年预算额和上年执行数均已填报，且预算额大于 0）。",
    "name": "三级目标／三级指标（指标名称），按原表，已去掉换行。",
    "necessity": "项目设立的必要性，纯文本。",
    "net_tightening": "收紧数减去放松数。",
    "new_project": "后一年度的项目名称。",
    "new_raw": "后一年度的目标值。",
    "old_project": "前一年度的项目名称。",
    "old_raw": "前一年度的目标值。",
    "op": "运算符：＝、≥、≤、＞、＜、区间；定性目标为空；只有数字的视为＝，时限视为≤。",
    "outcome": "审核结果：通过、未通过或不适用（规则不适用或无法判断，原因见“依据”）。",
    "overview": "项目概况，纯文本。",
    "perf_type": "绩效类型，按原表。",
    "plan": "项目实施计划，纯文本。",
    "prev_year_budget": "同一项目上一年申报的当年预算（按单位汇总时为单位合计）。",
    "prior_budget": "同名项目上年预算额，单位元；未填报（空白、-、/）时为空。",
    "prior_executed": "同名项目上年预算执行数，单位元。",
    "prior_execution_rate": "上年执行数 ÷ 上年预算额；任一项缺失或预算额为 0 时为空。",
    "project": "项目名称（已去掉括号中的编码）。",
    "project_code": "项目编码（与名称一起或单独印出时）。",
    "rate": "执行数合计 ÷ 预算额合计（按预算加权）。",
    "removed": "后一年度删除的指标数。",
    "rule": "审核规则的编号（如 quant.vague；规则见报告中的“审核规则”附录）。",
    "ruleset": "所用审核规则的版本。",
    "score": "认定更名项目的两个名称的相似度（0–100，保留一位小数）。",
    "seq": "指标在申报表中的顺序。",
    "severity": "级别：错误（有内容未能读入）或警告（已读入，但有疑点）。",
    "source": "规则出处：文件文号（如 财预〔2021〕101号），或“审核惯例”（审核实践中的做法，而非成文要求）。",
    "source_file": "输入文件的路径（相对于原始数据目录）。",
    "source_line": "申报表、指标或问题开始的行（从 1 起：表格行，或网页、Word、PDF 表格中的行）；整个文件的问题为空。",
    "source_page": "PDF 中申报表开始的页（从 1 起）；其他格式为空。",
    "source_table": "网页、Word 或 PDF 中的表格序号（从 1 起）；文本和工作簿为空。",
    "start_date": "计划开始日期。",
    "target_raw": "目标值，与原表完全一致（运算符列和单位列已并入）。",
    "tightened": "收紧（更严格）的指标数。",
    "to_year": "比较的两个年度中较晚的一年。",
    "total_budget": "项目总预算或中期资金总额，单位元。",
    "unchanged": "不变的指标数。",
    "unit": "申报单位（申报单位／实施单位／预算单位；未印出时为主管部门）。",
    "value": "数值，已换算倍数（≥50万次 记为 500000；万元 换算为元）；百分比保持百分数（≥95% 记为 95）；时限记为 yyyymmdd。",
    "value_hi": "区间的上限（90%-95%：数值 90，上限 95）。",
    "value_unit": "数值的计量单位：%、次、元/人 等。",
    "weight": "指标的权重或分值（按原表）。",
    "year": "申报表的预算年度。",
    "year_budget": "项目当年预算（年度资金总额），单位元。",
}


def meaning(name: str) -> str:
    """A column's meaning in Chinese (:data:`MEANINGS`), else its heading."""
    return MEANINGS.get(name) or heading(name)


def heading(name: str) -> str:
    c = ALL.get(name)
    return c.heading if c else str(name)


def columns_of_format(fmt: str) -> frozenset[str]:
    return frozenset(n for n, c in ALL.items() if c.format == fmt)
