"""Writing one file: a unit's declarations of one year in the published layouts (the seed's
form, the county's, the split columns, medium-term beside the year, the long table, the 专项 and
wide per-site forms of a fund notice, the 批复表, a town's 一般性项目 forms, a table printed across),
with their prose, quirks and encodings, and the rows of the answer key they make.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from analysis import kinds
from analysis.synthetic.library import LEVEL1_STD, Indicator, Project, bureau_of, fmt_num, render_target, truth
from analysis.tables import PROSE

# ---------------------------------------------------------------------------------------------
# prose


TEXTS = {
    "overview": [
        "本项目实施内容为{subject}相关工作，由{unit}组织实施，保障{subject}工作正常开展。",
        "项目主要用于{subject}的日常运行和管理，包括人员、设备及相关服务的采购。",
        "本项目为{project}，围绕{subject}开展工作，覆盖本市相关区域和服务对象。",
    ],
    "basis": [
        "《{city}人民政府关于加强{subject}工作的实施意见》（示府发〔{y0}〕{n}号）。",
        "《{city}{subject}管理办法》及{unit}年度工作计划。",
        "根据《{city}“十四五”规划纲要》和上级部门关于{subject}工作的部署。",
    ],
    "necessity": [
        "为落实{subject}工作要求，提升服务水平和管理效能，有必要设立本项目。",
        "{subject}工作涉及面广、任务重，需要稳定的经费保障，确保各项任务按期完成。",
        "通过本项目进一步规范{subject}管理，回应市民诉求，提高公共服务质量。",
    ],
    "measures": [
        "{unit}负责编制项目计划，经批准后实施，并对项目执行情况进行跟踪管理。",
        "建立项目管理制度，明确责任分工，财务科负责资金支付的审核和拨付。",
        "按照政府采购相关规定选择服务单位，定期检查服务质量并组织验收。",
    ],
    "plan": [
        "本项目的预算经费为{wan}万元,全部来源于市财政拨款。{month}月底前完成全部资金支付。",
        "本项目预算{wan}万元，上半年完成采购，下半年组织实施并于年底前完成验收。",
    ],
    "goals": [
        "推动{subject}工作管理水平的提高，促进公众满意度的提升。",
        "按期完成{subject}各项任务，保障相关工作稳定有序运行。",
        "进一步提高{subject}服务质量和效率，形成长效管理机制。",
    ],
}
TEXT_FIELDS = list(PROSE)
TEXT_LABELS = {
    "overview": "项目概况：",
    "basis": "立项依据：",
    "necessity": "项目设立的必要性：",
    "measures": "保证项目实施的制度、措施：",
    "plan": "项目实施计划：",
    "goals": "总目标及阶段性目标：",
}
_SECOND = [
    "落实“一网通办”相关要求，做好数据对接。",
    "加强与各区及有关单位的协调配合。",
    "定期开展绩效自评，及时发现并整改问题。",
]
_SECOND_QUOTED = ['落实"一网通办"相关要求，做好数据对接。', '按照"谁主管、谁负责"的原则落实责任。']

# ---------------------------------------------------------------------------------------------
# writing one file


class Quirk:
    """A biased coin: ``quirk()`` is True with probability ``rate``."""

    def __init__(self, rng: random.Random, rate: float):
        self.rng, self.rate = rng, rate

    def __call__(self) -> bool:
        return self.rate > 0 and self.rng.random() < self.rate


def _cell(text: str) -> str:
    """A cell as Excel writes it to tab-separated text: quoted when it holds a quote or newline."""
    if '"' in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _amount(x: float | None, wan: bool, sep: bool) -> str:
    if x is None:
        return ""
    if wan:
        return fmt_num(x / 10000)
    return f"{int(x):,}" if sep else str(int(x))


def _date(d: dt.date, style: int) -> str:
    if style == 1:
        return f"{d.year}/{d.month}/{d.day}"
    if style == 2:
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


@dataclass
class Decl:
    """A declaration ready to be printed, with its truth."""

    row: dict
    indicators: list[tuple[str, str, Indicator]]  #: (level1, level2, indicator)
    texts: dict[str, list[str]]  #: field -> paragraphs
    new_prior: bool  #: a project new this year: its prior figures may be printed as blank, - or /
    project: Project | None = None
    from_year: int | None = None  #: the year it was declared before (None: new in the corpus)
    directions: dict[str, str] = field(default_factory=dict)  #: indicator name -> true change since from_year
    renamed: bool = False


class _Lines:
    """The rows of a file as they are written, with the number of the next physical line."""

    def __init__(self):
        self.out: list[str] = ["", ""]
        self.line = 3

    def blank(self) -> None:
        self.out.append("")
        self.line += 1

    def row(self, cells: list[str]) -> int:
        """Write a row; returns its line."""
        text = "\t".join(_cell(c) for c in cells)
        at = self.line
        self.out.append(text)
        self.line += 1 + text.count("\n")
        return at


def _department(unit: str) -> str:
    """The department (主管部门) a unit belongs to: its bureau (示例市东湖区水务局 for 示例市东湖区水务局监测站)."""
    b = bureau_of(unit)
    return unit[: unit.index(b) + len(b)] if b in unit else unit


def _key_row(d: Decl, rel: str, line: int, printed: tuple[str, ...]) -> dict:
    """The declaration's key row for a form that prints only the fields ``printed`` (besides unit,
    year and project): the others are null, as the ingest finds them."""
    row = dict(d.row)
    row["source_file"], row["source_line"] = rel, line
    for f in (
        "category",
        "perf_type",
        "gov_purchase",
        "start_date",
        "end_date",
        "total_budget",
        "prior_budget",
        "prior_executed",
        *TEXT_FIELDS,
    ):
        if f not in printed:
            row[f] = None
    row["prior_execution_rate"] = None
    row["goals"] = d.texts["goals"][0] if "goals" in printed else None
    return row


def _ind_row(
    row: dict,
    seq: int,
    l1: str,
    l2: str,
    ind: Indicator,
    raw: str,
    year: int,
    line: int,
    horizon: str = "year",
    weight: float | None = None,
    site: str | None = None,
) -> dict:
    op, value, value_hi, vunit, kind = truth(ind, year)
    return {
        "decl_id": row["decl_id"],
        "year": year,
        "unit": row["unit"],
        "project": row["project"],
        "seq": seq,
        "level1": l1,
        "level2": l2,
        "name": ind.name,
        "level1_std": LEVEL1_STD[l1] if l1 else None,
        "target_raw": raw,
        "op": op,
        "value": value,
        "value_hi": value_hi,
        "value_unit": vunit,
        "kind": kind,
        "source_line": line,
        "horizon": horizon,
        "weight": weight,
        "site": site,
        "indicator_kind": kinds.kind_of(ind.name),
    }


def _finish(row: dict, ind_rows: list[dict]) -> None:
    """The declaration's own 预算执行率 target and its number of (year) indicators."""
    for r in ind_rows:
        if (
            r["horizon"] == "year"
            and r["name"] == "预算执行率"
            and r["kind"] == "quantitative"
            and r["value_unit"] == "%"
        ):
            row["exec_target"] = (r["value_hi"] if r["op"] == "range" else r["value"]) / 100.0
            row["exec_target_op"] = r["op"]
            break
    row.setdefault("exec_target", None)
    row["n_indicators"] = sum(1 for r in ind_rows if r["horizon"] == "year")


#: printed forms of an operator in a column of its own
_OP_CELL = {
    ">=": ["≥", "大于等于"],
    "<=": ["≤", "小于等于"],
    "=": ["=", "等于"],
    ">": [">", "大于"],
    "<": ["<", "小于"],
}


def split_target(ind: Indicator, year: int, quirk) -> tuple[str, str, str]:
    """The target as three cells: operator (≥, 大于等于; 定性 for a worded target), value, unit.
    The ingest joins them as operator + value + unit."""
    if ind.kind == "qualitative":
        return "定性", ind.text or "", ""
    if ind.kind == "deadline":
        return "", render_target(ind, year, lambda: False), ""
    if ind.op == "range":
        return "", f"{fmt_num(ind.value)}-{fmt_num(ind.value_hi)}", "%"
    if ind.show == "万元":
        value, unit = fmt_num(ind.value / 10000), "万元"
    elif ind.show == "万":
        value, unit = f"{fmt_num(ind.value / 10000)}万", ind.unit or ""
    else:
        value, unit = fmt_num(ind.value), ind.unit or ""
    forms = _OP_CELL[ind.op]
    return (forms[1] if quirk() else forms[0]), value, unit


def _weights(n: int, rng: random.Random) -> list[float]:
    """Weights of ``n`` indicators (分值), summing to about 90."""
    return [float(rng.choice([5, 5, 10, 10, 7.5, 15])) for _ in range(n)]


def render_file(
    decls: list[Decl], year: int, rel: str, q: Quirk, layout: str = "seed", code: int = 0
) -> tuple[list[str], list[dict], list[dict]]:
    """The rows of one file (a row may span lines inside a quoted cell) and the key rows of its
    declarations and indicators, in the unit's ``layout`` (see :data:`LAYOUTS`)."""
    w = _Lines()
    decl_rows: list[dict] = []
    ind_rows: list[dict] = []
    if layout == "long":
        _long_table(w, decls, year, rel, q, decl_rows, ind_rows)
        return w.out, decl_rows, ind_rows
    for k, d in enumerate(decls):
        if k and layout != "general":  # a town prints its small projects' forms one after the other
            w.blank()
        if layout in ("seed", "split"):
            row, inds = _seed_form(w, d, year, rel, q, split=layout == "split")
        elif layout == "county":
            row, inds = _county_form(w, d, year, rel, q)
        elif layout == "special":
            row, inds = _special_form(w, d, year, rel, q)
        elif layout in _OTHER_FORMS:
            row, inds = _OTHER_FORMS[layout](w, d, year, rel, q, code)
        else:
            row, inds = _medium_form(w, d, year, rel, q, code)
        _finish(row, inds)
        decl_rows.append(row)
        ind_rows.extend(inds)
    return w.out, decl_rows, ind_rows


def _seed_form(w: _Lines, d: Decl, year: int, rel: str, q: Quirk, split: bool) -> tuple[dict, list[dict]]:  # noqa: PLR0915 - the seed's form written line by line in its printed order
    """The Shanghai form of the seed file; with ``split`` its table prints the operator, value,
    unit and weight in columns of their own."""
    row = dict(d.row)
    row["source_file"] = rel
    row["source_line"] = w.line
    paren = ("（", "）") if q() else ("(", ")")
    wan, nosep = q(), q()
    date_style = q.rng.choice([1, 2]) if q() else 0
    lines = [
        ["财政项目支出绩效目标表", "", "", ""],
        [f"{paren[0]}{year}年度{paren[1]}", "", "", ""],
        [f"申报单位名称：{row['unit']}", "", "", ""],
        ["项目名称：", row["project"], "项目类别：", row["category"]],
        ["计划开始日期：", _date(row["start_date"], date_style), "计划完成日期：", _date(row["end_date"], date_style)],
        ["是否含有政府购买服务：", "是" if row["gov_purchase"] else "否", "绩效类型：", row["perf_type"]],
    ]
    for f in TEXT_FIELDS:
        paras = d.texts[f]
        multi = q()
        if multi:
            paras = paras + [q.rng.choice(_SECOND_QUOTED if q() else _SECOND)]
        text = "\n".join(paras)
        row[f] = text
        printed = "<p>" + text + "</p>" if q() else text
        lines.append([TEXT_LABELS[f], printed if multi else printed.replace("\n", ""), "", ""])
        if not multi:
            row[f] = text.replace("\n", "")
    unit_label = "万元" if wan else "元"
    prior_b, prior_e = row["prior_budget"], row["prior_executed"]
    pb = _amount(prior_b, wan, not nosep)
    pe = _amount(prior_e, wan, not nosep)
    if d.new_prior:
        if q():
            blank = q.rng.choice(["", "-", "/"])
            pb = pe = blank
            row["prior_budget"] = row["prior_executed"] = None
        else:
            pb = pe = "0"
            row["prior_budget"] = row["prior_executed"] = 0.0
    pb_, pe_ = row["prior_budget"], row["prior_executed"]
    row["prior_execution_rate"] = pe_ / pb_ if pb_ and pe_ is not None else None
    header = (
        ["一级指标", "二级指标", "三级指标", "指标值"] if q() else ["一级目标", "二级目标", "三级目标", "指标目标值"]
    )
    if split:
        header = header[:3] + ["指标性质", "指标值", "度量单位", "权重"]
    lines += [
        None,
        ["本项目上年度市级财政资金使用情况", "", "", ""],
        [
            f"项目总预算（{unit_label}）：",
            _amount(row["total_budget"], wan, not nosep),
            f"项目当年预算（{unit_label}）：",
            _amount(row["year_budget"], wan, not nosep),
        ],
        [f"同名项目上年预算额（{unit_label}）：", pb, f"同名项目上年预算执行数（{unit_label}）：", pe],
        None,
        [("年度绩效目标" if q() else f"{year}年绩效目标")],
        None,
        header,
    ]
    for cells in lines:
        if cells is None:
            w.blank()
        else:
            w.row(cells)
    inds: list[dict] = []
    weights = _weights(len(d.indicators), q.rng) if split else []
    prev1 = prev2 = None
    for seq, (l1, l2, ind) in enumerate(d.indicators, start=1):
        c1 = "" if l1 == prev1 else l1
        c2 = "" if (l1 == prev1 and l2 == prev2) else l2
        if split:
            op, value, unit = split_target(ind, year, q)
            raw = _joined(op, value, unit)
            line = w.row([c1, c2, ind.name, op, value, unit, fmt_num(weights[seq - 1])])
            inds.append(_ind_row(row, seq, l1, l2, ind, raw, year, line, weight=weights[seq - 1]))
        else:
            raw = render_target(ind, year, q)
            if c1 == "" and c2 != "" and q():
                cells = [c2, ind.name, raw, ""]  # the merged first cell dropped: the row shifts left
            else:
                cells = [c1, c2, ind.name, raw]
            line = w.row(cells)
            inds.append(_ind_row(row, seq, l1, l2, ind, raw, year, line))
        prev1, prev2 = l1, l2
    return row, inds


def _joined(op: str, value: str, unit: str) -> str:
    """The target the ingest reads from split cells: 定性 adds nothing, the unit follows the value."""
    return ("" if op == "定性" else op) + value + (unit if unit and not value.endswith(unit) else "")


def _county_form(w: _Lines, d: Decl, year: int, rel: str, q: Quirk) -> tuple[dict, list[dict]]:
    """主管部门 / 实施单位, 项目资金（万元） with 年度资金总额, a 年度目标 and the table under a leading
    绩效指标 column."""
    row = _key_row(d, rel, w.line, ("goals",))
    wan = fmt_num(row["year_budget"] / 10000)
    paren = ("（", "）") if q() else ("(", ")")
    for cells in (
        ["项目支出绩效目标表", "", "", "", ""],
        [f"{paren[0]}{year}年度{paren[1]}", "", "", "", ""],
        ["项目名称", row["project"], "", "", ""],
        ["主管部门", _department(row["unit"]), "", "实施单位", row["unit"]],
        ["项目资金（万元）", "年度资金总额：", wan, "", ""],
        ["", "其中：财政拨款", wan, "", ""],
        ["", "其他资金", "0", "", ""],
        ["年度目标", row["goals"], "", "", ""],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    ):
        w.row(cells)
    row["department"] = _department(row["unit"])
    inds: list[dict] = []
    prev1 = prev2 = None
    for seq, (l1, l2, ind) in enumerate(d.indicators, start=1):
        raw = render_target(ind, year, q)
        c1 = "" if l1 == prev1 else l1
        c2 = "" if (l1 == prev1 and l2 == prev2) else l2
        line = w.row(["", c1, c2, ind.name, raw])
        inds.append(_ind_row(row, seq, l1, l2, ind, raw, year, line))
        prev1, prev2 = l1, l2
    return row, inds


def _special_form(w: _Lines, d: Decl, year: int, rel: str, q: Quirk) -> tuple[dict, list[dict]]:
    """The 专项/区域 form of a fund notice: 资金名称, 区县财政部门 / 区县主管部门 (the unit), 年度金额
    over 其中：中央补助 and 地方资金 (the total left blank at times: its part is the amount), 年度目标,
    and the header row one cell right of the 绩效指标 label that starts the first indicator row."""
    row = _key_row(d, rel, w.line, ("goals",))
    wan = fmt_num(row["year_budget"] / 10000)
    blank_total = q()
    paren = ("（", "）") if q() else ("(", ")")
    title = "专项资金绩效目标表" if q() else "专项资金区域绩效目标表"
    for cells in (
        [title, "", "", "", "", ""],
        [f"{paren[0]}{year}年度{paren[1]}", "", "", "", "", ""],
        ["资金名称", row["project"], "", "", "", ""],
        ["区县财政部门", "示例市财政局", "", "", "", ""],
        ["区县主管部门", row["unit"], "", "", "", ""],
        ["资金情况", f"年度金额{paren[0]}万元{paren[1]}：", "" if blank_total else wan, "", "", ""],
        ["", f"其中：中央补助{paren[0]}万元{paren[1]}", wan, "", "", ""],
        ["", f"地方资金{paren[0]}万元{paren[1]}", "", "", "", ""],
        ["年度目标", row["goals"], "", "", "", ""],
        ["", "一级指标", "二级指标", "三级指标", "指标值", ""],
    ):
        w.row(cells)
    row["department"] = row["unit"]
    inds: list[dict] = []
    prev1 = prev2 = None
    for seq, (l1, l2, ind) in enumerate(d.indicators, start=1):
        raw = render_target(ind, year, q)
        c1 = "" if l1 == prev1 else l1
        c2 = "" if (l1 == prev1 and l2 == prev2) else l2
        line = w.row(["绩效指标" if seq == 1 else "", c1, c2, ind.name, raw, ""])
        inds.append(_ind_row(row, seq, l1, l2, ind, raw, year, line))
        prev1, prev2 = l1, l2
    return row, inds


def _medium_form(w: _Lines, d: Decl, year: int, rel: str, q: Quirk, code: int) -> tuple[dict, list[dict]]:
    """主管部门及代码 / 实施单位, 中期资金总额 beside 年度资金总额, and the medium-term and the year's
    column sets side by side."""
    row = _key_row(d, rel, w.line, ("goals", "total_budget"))
    total, year_b = fmt_num(row["total_budget"] / 10000), fmt_num(row["year_budget"] / 10000)
    dept = _department(row["unit"])
    for cells in (
        ["项目支出绩效目标申报表", "", "", "", "", "", ""],
        [f"( {year} 年度)", "", "", "", "", "", ""],
        ["项目名称", row["project"], "", "", "", "", ""],
        ["主管部门及代码", f"[{code:03d}]{dept}", "", "", "实施单位", row["unit"], ""],
        ["项目资金（万元）", "中期资金总额：", total, "", "年度资金总额：", year_b, ""],
        ["", "其中：财政拨款", total, "", "其中：财政拨款", year_b, ""],
        ["", "其他资金", "0.00", "", "其他资金", "0.00", ""],
        ["年度目标", row["goals"], "", "", "", "", ""],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"],
    ):
        w.row(cells)
    row["department"] = dept
    year_inds: list[dict] = []
    medium: list[tuple] = []
    prev1 = prev2 = None
    n = len(d.indicators)
    for seq, (l1, l2, ind) in enumerate(d.indicators, start=1):
        raw = render_target(ind, year, q)
        c1 = "" if l1 == prev1 else l1
        c2 = "" if (l1 == prev1 and l2 == prev2) else l2
        line = w.row(["", c1, c2, ind.name, raw, c2, ind.name, raw])
        year_inds.append(_ind_row(row, seq, l1, l2, ind, raw, year, line))
        medium.append((l1, l2, ind, raw, line))
        prev1, prev2 = l1, l2
    medium_rows = [
        _ind_row(row, n + k, l1, l2, ind, raw, year, line, horizon="medium")
        for k, (l1, l2, ind, raw, line) in enumerate(medium, start=1)
    ]
    return row, year_inds + medium_rows


def _long_table(
    w: _Lines, decls: list[Decl], year: int, rel: str, q: Quirk, decl_rows: list[dict], ind_rows: list[dict]
) -> None:
    """All the unit's projects in one table, one row per indicator; the project's name, unit,
    amount (元, thousands separators) and goals printed on its first row only."""
    title = w.row(["项目绩效目标表"] + [""] * 10)
    w.row([f"（{year}年度）"] + [""] * 10)
    w.row([""] * 10 + ["单位：元"])
    w.row(
        [
            "项目名称",
            "项目单位",
            "预算数",
            "年度绩效目标",
            "一级指标",
            "二级指标",
            "三级指标",
            "指标性质",
            "指标值",
            "计量单位",
            "分值",
        ]
    )
    for k, d in enumerate(decls):
        row = _key_row(d, rel, title if k == 0 else w.line, ("goals",))
        weights = _weights(len(d.indicators), q.rng)
        inds: list[dict] = []
        if not d.indicators:  # a project without indicators still has its row
            w.row([row["project"], row["unit"], f"{row['year_budget']:,.2f}", row["goals"]] + [""] * 7)
        prev1 = prev2 = None
        for seq, (l1, l2, ind) in enumerate(d.indicators, start=1):
            first = seq == 1
            op, value, unit = split_target(ind, year, q)
            raw = _joined(op, value, unit)
            c1 = "" if l1 == prev1 else l1
            c2 = "" if (l1 == prev1 and l2 == prev2) else l2
            fields = [row["project"], row["unit"], f"{row['year_budget']:,.2f}", row["goals"]] if first else [""] * 4
            line = w.row(fields + [c1, c2, ind.name, op, value, unit, fmt_num(weights[seq - 1])])
            inds.append(_ind_row(row, seq, l1, l2, ind, raw, year, line, weight=weights[seq - 1]))
            prev1, prev2 = l1, l2
        _finish(row, inds)
        decl_rows.append(row)
        ind_rows.extend(inds)


def _levels(indicators) -> list[tuple[str, str]]:
    """Each indicator's level cells as a form with merged cells prints them: blank where the level
    repeats the one above (a level 2 only within its level 1)."""
    out, prev1, prev2 = [], None, None
    for l1, l2, _ind in indicators:
        out.append(("" if l1 == prev1 else l1, "" if (l1 == prev1 and l2 == prev2) else l2))
        prev1, prev2 = l1, l2
    return out


def _approved_form(w: _Lines, d: Decl, year: int, rel: str, q: Quirk, code: int) -> tuple[dict, list[dict]]:
    """The 批复表 a finance bureau returns (项目支出绩效目标批复表): 项目金额 in 万元 with 其中：当年市级财政
    资金, 项目主管部门 / 实施单位, 年度绩效目标（文字）, and a value column split in a second header row
    into last year's actual value (the project's target of last year, where it was declared) and the
    year's expected value, beside an empty 指标标准或依据 column; the approval boxes under it."""
    row = _key_row(d, rel, w.line, ("goals",))
    wan = fmt_num(row["year_budget"] / 10000)
    dept = _department(row["unit"])
    paren = ("（", "）") if q() else ("(", ")")
    last = d.project.raws if d.project is not None and d.from_year == year - 1 else {}
    for cells in (
        ["项目支出绩效目标批复表", "", "", "", "", "", ""],
        [f"{paren[0]}{year}年度{paren[1]}", "", "", "", "", "", ""],
        ["项目名称", row["project"], "", "", "项目负责人", "", ""],
        ["项目金额", f"{wan}万元", "", "", "其中：当年市级财政资金", f"{wan}万元", ""],
        ["项目主管部门", dept, "", "", "实施单位", row["unit"], ""],
        [f"年度绩效目标{paren[0]}文字{paren[1]}", row["goals"], "", "", "", "", ""],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "", "指标标准或依据"],
        ["", "", "", "", f"{year - 1}年实际实现值", f"预期{year}年实现值", ""],
    ):
        w.row(cells)
    row["department"] = dept
    inds: list[dict] = []
    for seq, ((l1, l2, ind), (c1, c2)) in enumerate(zip(d.indicators, _levels(d.indicators)), start=1):
        raw = render_target(ind, year, q)
        actual = last.get(ind.name, ("",))[0]
        line = w.row(["", c1, c2, ind.name, actual, raw, ""])
        inds.append(_ind_row(row, seq, l1, l2, ind, raw, year, line))
    w.row(["财政资金管理科室（盖章） 年 月 日", "", "", "", "财政绩效管理科室（盖章） 年 月 日", "", ""])
    return row, inds


def _general_form(w: _Lines, d: Decl, year: int, rel: str, q: Quirk, code: int) -> tuple[dict, list[dict]]:
    """A town's 一般性项目绩效目标表, several small projects' forms one after the other: 编制单位 and
    业务主管部门 with the budget code before the name, 专项资金名称, 当年预算 (万元), 项目概况, 立项依据,
    当年绩效目标, and a flat list of indicators (no levels) with 指标权重, 计量单位, 指标性质 and 指标值."""
    w.row(["表十二", "", "", "", "", ""])  # the table's number in the budget book, over its title
    row = _key_row(d, rel, w.line, ("goals",))
    row["overview"], row["basis"] = d.texts["overview"][0], d.texts["basis"][0]
    dept = _department(row["unit"])
    for cells in (
        [f"{year}年一般性项目绩效目标表（一级项目）", "", "", "", "", ""],
        ["编制单位：", f"{code}-{row['unit']}", "", "", "", "单位：万元"],
        ["专项资金名称", row["project"], "", "", "", ""],
        ["业务主管部门", f"{code}-{dept}", "", "", "", ""],
        ["当年预算", fmt_num(row["year_budget"] / 10000), "", "", "", ""],
        ["项目概况", row["overview"], "", "", "", ""],
        ["立项依据", row["basis"], "", "", "", ""],
        ["当年绩效目标", row["goals"], "", "", "", ""],
        ["绩效指标", "指标", "指标权重", "计量单位", "指标性质", "指标值"],
    ):
        w.row(cells)
    row["department"] = dept
    inds: list[dict] = []
    weights = _weights(len(d.indicators), q.rng)
    for seq, (_l1, _l2, ind) in enumerate(d.indicators, start=1):
        op, value, unit = split_target(ind, year, q)
        raw = _joined(op, value, unit)
        line = w.row(["", ind.name, fmt_num(weights[seq - 1]), unit, op, value])
        inds.append(_ind_row(row, seq, None, None, ind, raw, year, line, weight=weights[seq - 1]))
    return row, inds


#: the villages, towns and streets of the fictional city a wide form prints a value column for
SITES = ["东湖街道", "临江镇", "北山乡", "南坪镇", "西河乡", "青石镇", "白沙镇", "柳岸街道"]


def _wide_form(w: _Lines, d: Decl, year: int, rel: str, q: Quirk, code: int) -> tuple[dict, list[dict]]:
    """The 专项 form of a fund shared among towns: 项目名称 and 主管部门（单位）名称 (the unit), 资金情况（万元）
    in one row, and one value column per town after 指标解释 and 指标方向 (the operator, for every
    town): each town's cell is an indicator of its own (``site``), row by row and town by town."""
    row = _key_row(d, rel, w.line, ())
    sites = [SITES[(code + k) % len(SITES)] for k in range(2 + code % 3)]
    wan = fmt_num(row["year_budget"] / 10000)
    pad = [""] * len(sites)
    title = f"{year}年省级专项资金绩效目标表" if q() else f"{year}年市级专项资金绩效目标表"
    for cells in (
        [title, "", "", "", "", "", *pad],
        ["项目名称", row["project"], "", "主管部门（单位）名称", row["unit"], "", *pad],
        ["资金情况（万元）", "资金总额", wan, "其中：财政拨款", wan, "", *pad],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标解释", "指标方向", *sites],
    ):
        w.row(cells)
    row["department"] = row["unit"]
    inds: list[dict] = []
    seq = 0
    for (l1, l2, ind), (c1, c2) in zip(d.indicators, _levels(d.indicators)):
        op, value, unit = split_target(ind, year, q)
        cell = value + (unit if unit and not value.endswith(unit) else "")
        raw = _joined(op, value, unit)
        line = w.row(["", c1, c2, ind.name, f"反映{ind.name}情况", op, *([cell] * len(sites))])
        for site in sites:
            seq += 1
            inds.append(_ind_row(row, seq, l1, l2, ind, raw, year, line, site=site))
    return row, inds


def _across_form(w: _Lines, d: Decl, year: int, rel: str, q: Quirk, code: int) -> tuple[dict, list[dict]]:
    """The county's form with its indicator table printed across: 一级指标, 二级指标, 三级指标 and 指标值
    down a column of roles after a leading 绩效指标 label, one column an indicator (a level printed
    once over the columns it spans, as merged cells leave it)."""
    row = _key_row(d, rel, w.line, ("goals",))
    n = len(d.indicators)
    pad = [""] * max(n - 3, 0)
    dept = _department(row["unit"])
    paren = ("（", "）") if q() else ("(", ")")
    for cells in (
        ["项目支出绩效目标表", "", "", "", *pad],
        [f"{paren[0]}{year}年度{paren[1]}", "", "", "", *pad],
        ["项目名称", row["project"], "", "", *pad],
        ["主管部门", dept, "实施单位", row["unit"], *pad],
        [f"项目资金{paren[0]}万元{paren[1]}", "年度资金总额：", fmt_num(row["year_budget"] / 10000), "", *pad],
        ["年度目标", row["goals"], "", "", *pad],
    ):
        w.row(cells)
    row["department"] = dept
    levels = _levels(d.indicators)
    targets = [render_target(ind, year, q) for _l1, _l2, ind in d.indicators]
    w.row(["绩效指标", "一级指标", *(c1 for c1, _c2 in levels)])
    w.row(["", "二级指标", *(c2 for _c1, c2 in levels)])
    w.row(["", "三级指标", *(ind.name for _l1, _l2, ind in d.indicators)])
    line = w.row(["", "指标值", *targets])
    inds = [
        _ind_row(row, seq, l1, l2, ind, raw, year, line)
        for seq, ((l1, l2, ind), raw) in enumerate(zip(d.indicators, targets), start=1)
    ]
    return row, inds


#: the forms written by one function each, taking the department's code
_OTHER_FORMS = {"approved": _approved_form, "general": _general_form, "wide": _wide_form, "across": _across_form}


def encode(lines: list[str], q: Quirk) -> bytes:
    """Join the rows (CRLF line ends at the quirk rate; a newline inside a quoted cell stays LF)
    and encode them: UTF-8, or at the quirk rate UTF-8 with BOM, GB18030 or UTF-16-LE with BOM."""
    text = ("\r\n" if q() else "\n").join(lines)
    if not q():
        return text.encode("utf-8")
    enc = q.rng.choice(["utf-8-sig", "gb18030", "utf-16"])
    if enc == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode(enc)
