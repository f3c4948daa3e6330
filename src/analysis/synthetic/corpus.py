"""Write a synthetic corpus of declarations in the published format, with its answer key.

``python -m analysis generate --out DIR [--units N] [--years A-B] [--seed S] [--quirks RATE]``
writes one tab-separated file per unit and year (``DIR/2021/u007_2021.txt``), laid out like the
published 财政项目支出绩效目标表 files, and beside them the truth in ``DIR/answer_key/``:

- ``declarations.parquet``, ``indicators.parquet``: exactly the columns of the processed tables
  (see ``analysis.store``), with the values a correct ingest must produce from the corpus.
  ``source_file`` is relative to DIR; ``source_line`` is the 1-based physical line of the
  declaration's ``财政项目支出绩效目标表`` header (of the row, for an indicator).
- ``target_changes.parquet``: every indicator of a project between two consecutive declared
  years, with the direction that was applied (see ``TARGET_CHANGES_SCHEMA``).
- ``renames.parquet``: every project renamed from one year to the next.
- ``reconciliation.parquet``: every declaration whose ``prior_budget`` was made to differ from
  the ``year_budget`` the same project declared the year before.
- ``manifest.json``: the parameters and the counts.

All units belong to the fictional 示例市, so the corpus is plainly synthetic wherever it is shown.
The same parameters give the same bytes. Generation streams unit by unit: only the current
unit's projects are in memory and the key is appended in chunks, so memory stays flat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.ids import decl_id
from analysis.tables import ALL, DECLARATIONS_SCHEMA, INDICATORS_SCHEMA, PROSE

README_MARK = "# Synthetic declarations (示例市)"

# ---------------------------------------------------------------------------------------------
# parameters


@dataclass(frozen=True)
class Params:
    """What to generate. Rates are probabilities per opportunity (per project, indicator, cell)."""

    units: int = 30
    years: tuple[int, int] = (2019, 2023)
    seed: int = 0
    quirks: float = 0.05  #: rate of each format quirk at each place it can occur (0 = clean)
    hostile: bool = False  #: also a few units with names like <script>…</script>局, for report tests
    projects: int = 5  #: mean number of projects per unit in the first year
    continue_rate: float = 0.85  #: a project is declared again the next year
    new_rate: float = 0.75  #: expected new projects per unit and year
    rename_rate: float = 0.05  #: a continuing project is renamed slightly (a word added or removed)
    mismatch_rate: float = 0.08  #: a continuing project declares a prior budget unlike last year's
    switch_rate: float = 0.5  #: share of units that move from the older to the newer framework
    tighten_rate: float = 0.15  #: an indicator's target is tightened from one year to the next
    loosen_rate: float = 0.08  #: ... loosened
    add_rate: float = 0.15  #: a declaration gains an indicator
    drop_rate: float = 0.05  #: an indicator is dropped
    layouts: tuple[str, ...] = ()  #: the forms units print (see LAYOUTS); () = all of them, one per unit

    @property
    def year_list(self) -> list[int]:
        return list(range(self.years[0], self.years[1] + 1))


#: the forms a unit may print its declarations in (one form per unit, every year):
#:
#: - ``seed``: the Shanghai form of data/raw (申报单位名称, 项目总预算/项目当年预算, 上年预算额 ...);
#: - ``county``: 主管部门 / 实施单位, 项目资金（万元） with 年度资金总额, a 年度目标, the table under a
#:   leading 绩效指标 column (the form of many county and city budget offices);
#: - ``split``: the seed's fields, the table with the operator, value, unit and weight in columns
#:   of their own (指标性质 | 指标值 | 度量单位 | 权重);
#: - ``medium``: 主管部门及代码 / 实施单位, 中期资金总额 beside 年度资金总额, and the medium-term and
#:   the year's indicator column sets side by side (the year's give the declaration's indicators);
#: - ``long``: one table for all the unit's projects, one row per indicator, the project's name,
#:   unit, amount and goals merged down (项目名称 | 项目单位 | 预算数 | 年度绩效目标 | 一级指标 ...).
LAYOUTS = ("seed", "county", "split", "medium", "long")
#: the layouts whose forms print last year's budget and spending (the others print none)
PRIOR_LAYOUTS = ("seed", "split")

#: the shipped sample: ``--sample``
SAMPLE = Params(units=30, years=(2019, 2023), seed=20240601, quirks=0.1)

# ---------------------------------------------------------------------------------------------
# the vocabulary of a fictional city

CITY = "示例市"
DISTRICTS = [
    "",
    "东湖区",
    "西山区",
    "南港区",
    "北塘区",
    "临江区",
    "青石区",
    "白沙区",
    "云溪区",
    "松岭区",
    "梧桐区",
    "枫林区",
    "海滨区",
    "新河区",
    "望湖区",
    "翠屏区",
    "石门区",
]
#: bureau -> the subjects its projects are about
BUREAUS: dict[str, list[str]] = {
    "绿化和市容管理局": ["绿地", "行道树", "市容环境", "环卫设施", "林业资源"],
    "水务局": ["河道", "排水设施", "供水管网", "防汛", "水资源"],
    "交通委员会": ["公交线路", "道路设施", "交通信号", "停车管理", "公路养护"],
    "教育局": ["校舍", "教师培训", "学生资助", "教育信息化", "校园安全"],
    "卫生健康委员会": ["公共卫生", "疾病预防", "社区卫生", "健康宣传", "医疗急救"],
    "民政局": ["养老服务", "社会救助", "社区治理", "婚姻登记", "殡葬服务"],
    "文化和旅游局": ["公共文化", "非遗保护", "旅游服务", "文物保护", "群众文化活动"],
    "生态环境局": ["大气监测", "水环境监测", "固体废物", "环境执法", "噪声监测"],
    "市场监督管理局": ["食品安全抽检", "特种设备", "计量检定", "消费维权", "广告监测"],
    "人力资源和社会保障局": ["职业技能培训", "就业服务", "劳动监察", "社保经办", "人才服务"],
    "住房和城乡建设管理委员会": ["房屋安全", "建筑工地", "旧区改造", "物业管理", "燃气安全"],
    "规划和自然资源局": ["测绘成果", "土地调查", "规划编制", "不动产登记", "地质监测"],
    "农业农村委员会": ["农产品质量", "动物防疫", "农田水利", "农业技术推广", "乡村振兴"],
    "体育局": ["全民健身", "体育场馆", "青少年体育", "体育赛事", "社会体育指导"],
    "司法局": ["法律援助", "人民调解", "社区矫正", "普法宣传", "公共法律服务"],
    "应急管理局": ["安全生产", "应急救援", "危险化学品", "防灾减灾", "应急物资"],
    "统计局": ["统计调查", "经济普查", "统计数据", "统计执法", "人口抽样"],
    "商务委员会": ["商贸流通", "外贸服务", "会展服务", "电子商务", "标准化菜市场"],
    "财政局": ["政府采购", "预算管理", "国有资产", "财政信息化", "会计管理"],
    "档案局": ["档案数字化", "档案保管", "档案利用", "史志编纂", "档案安全"],
    "气象局": ["气象观测", "气象预警", "气候监测", "人工影响天气", "气象服务"],
    "数据局": ["政务数据", "电子政务外网", "数据共享", "公共数据开放", "信息安全"],
}
CENTRES = [
    "",
    "行政服务中心",
    "信息中心",
    "监督所",
    "事务中心",
    "宣传教育中心",
    "培训中心",
    "监测站",
    "执法总队",
    "档案馆",
    "研究所",
    "指导站",
    "服务中心",
]
CENTRE_SUBJECTS = ["热线受理", "业务信息系统", "办公设备", "业务档案", "诉求处置"]
PROJECT_KINDS = [
    "养护经费",
    "运行维护",
    "信息化建设",
    "专项检查",
    "宣传培训经费",
    "监测项目",
    "日常管理经费",
    "购买服务项目",
    "设备更新",
    "课题研究",
    "专项整治",
    "服务保障经费",
    "能力建设",
    "数据采集",
]
RENAME_WORDS = ["全市", "日常", "专项", "综合"]
CATEGORIES = ["其他一次性项目", "经常性项目", "跨年度项目", "其他一次性项目"]
PERF_TYPES = ["其他类", "购买服务类", "工程类", "信息化类", "其他类"]
HOSTILE_NAMES = ["<script>alert(1)</script>局", "../../x局", '示例市"引号"&<b>粗体</b>局', "..\\..\\y局"]

# ---------------------------------------------------------------------------------------------
# the indicator library
#
# An indicator belongs to a category; the category says where it sits in each framework.
# A spec says how its target is drawn: ("pct", op, lo, hi), ("cnt", op, unit, lo, hi),
# ("wan", op) a cost in 万元 drawn from the budget, ("per", op, unit, lo, hi),
# ("range", lo, hi) a percent range, ("qual", words), ("deadline",).

LIBRARY: dict[str, list[tuple[str, tuple]]] = {
    "投入": [("预算资金到位率", ("pct", "=", 99, 100))],
    "财务": [("预算执行率", ("pct", ">=", 90, 99))],
    "实施": [
        ("资金使用规范性", ("qual", ["规范", "合规"])),
        ("采购规范性", ("qual", ["规范", "合规"])),
        ("项目管理制度健全性", ("qual", ["健全", "完善"])),
    ],
    "数量": [
        ("培训人次", ("cnt", ">=", "人次", 200, 5000)),
        ("巡查次数", ("cnt", ">=", "次", 50, 2000)),
        ("服务户数", ("cnt", ">=", "户", 100, 20000)),
        ("宣传活动场次", ("cnt", ">=", "场", 5, 60)),
        ("热线录音监听", ("cnt", ">=", "个", 1000, 10000)),
        ("设备维护数量", ("cnt", ">=", "台", 20, 500)),
        ("检测样本数", ("cnt", ">=", "个", 100, 5000)),
        ("覆盖社区数", ("cnt", "=", "个", 10, 200)),
        ("发放宣传资料", ("cnt", ">=", "份", 1000, 50000)),
        ("受理诉求件数", ("cnt", ">", "件", 1000, 50000)),
        ("人员聘用完成率", ("pct", ">=", 85, 100)),
    ],
    "质量": [
        ("热线诉求回访率", ("pct", ">=", 85, 98)),
        ("验收合格率", ("pct", ">=", 90, 100)),
        ("派遣人员合格率", ("pct", ">=", 85, 98)),
        ("年度报告完成率", ("pct", "=", 100, 100)),
        ("数据准确率", ("range", 95, 100)),
        ("设施完好率", ("pct", ">=", 85, 98)),
        ("问题整改率", ("pct", ">=", 80, 98)),
        ("检测差错率", ("pct", "<=", 1, 5)),
    ],
    "时效": [
        ("项目完成时间", ("deadline",)),
        ("资金支付及时性", ("qual", ["及时", "按时"])),
        ("任务完成及时率", ("pct", ">=", 90, 100)),
        ("问题处置时限", ("cnt", "<=", "个工作日", 3, 15)),
    ],
    "成本": [
        ("项目成本控制", ("wan", "<=")),
        ("人均培训成本", ("per", "<=", "元/人", 200, 800)),
        ("单位面积养护成本", ("per", "<", "元/平方米", 5, 30)),
    ],
    "经济": [
        ("节约运行成本", ("qual", ["有效降低", "逐步降低"])),
        ("带动相关投入", ("qual", ["有所增加", "稳步增加"])),
    ],
    "社会": [
        ("对保障业务运行的作用", ("qual", ["有效保障", "持续保障"])),
        ("公众知晓率", ("pct", ">=", 60, 90)),
        ("投诉处理率", ("pct", ">=", 90, 100)),
        ("社会影响", ("qual", ["持续提升", "明显提升"])),
    ],
    "生态": [
        ("绿化覆盖率", ("pct", ">=", 30, 45)),
        ("污水处理达标率", ("pct", ">=", 90, 99)),
        ("环境质量改善", ("qual", ["有所改善", "明显改善"])),
    ],
    "可持续": [
        ("项目的可持续性", ("qual", ["可持续", "长期可持续"])),
        ("长效管理机制", ("qual", ["持续完善", "逐步完善"])),
        ("制度建设", ("qual", ["健全", "不断健全"])),
    ],
    "满意度": [("公众满意度", ("pct", ">=", 75, 92)), ("服务对象满意度", ("pct", ">=", 80, 95))],
}
CATEGORY_OF = {name: cat for cat, items in LIBRARY.items() for name, _ in items}
SPEC_OF = {name: spec for items in LIBRARY.values() for name, spec in items}

#: category -> (level1, level2) in the older framework (投入与管理/产出目标/效果目标/影响力目标)
OLD_PLACES = {
    "投入": ("投入与管理", "投入管理"),
    "财务": ("投入与管理", "财务管理"),
    "实施": ("投入与管理", "实施管理"),
    "数量": ("产出目标", "数量"),
    "质量": ("产出目标", "质量"),
    "时效": ("产出目标", "时效"),
    "成本": ("产出目标", "成本"),
    "经济": ("效果目标", "经济效益"),
    "社会": ("效果目标", "社会效益"),
    "满意度": ("效果目标", "社会效益"),
    "生态": ("效果目标", "生态效益"),
    "可持续": ("影响力目标", "长效管理"),
}
#: category -> (level1, level2) in the newer framework (产出指标/效益指标/满意度指标); 投入 and 实施
#: have no place there, and 预算执行率 moves under 产出指标/成本指标.
NEW_PLACES = {
    "数量": ("产出指标", "数量指标"),
    "质量": ("产出指标", "质量指标"),
    "时效": ("产出指标", "时效指标"),
    "财务": ("产出指标", "成本指标"),
    "成本": ("产出指标", "成本指标"),
    "经济": ("效益指标", "经济效益指标"),
    "社会": ("效益指标", "社会效益指标"),
    "生态": ("效益指标", "生态效益指标"),
    "可持续": ("效益指标", "可持续影响指标"),
    "满意度": ("满意度指标", "服务对象满意度指标"),
}
OLD_ORDER = list(dict.fromkeys(OLD_PLACES.values()))
NEW_ORDER = list(dict.fromkeys(NEW_PLACES.values()))
#: level1 as published -> level1_std (the same mapping as analysis.normalize.level1_std)
LEVEL1_STD = {
    "投入与管理": "投入管理",
    "产出目标": "产出",
    "效果目标": "效益",
    "影响力目标": "影响力",
    "产出指标": "产出",
    "效益指标": "效益",
    "满意度指标": "满意度",
}

# ---------------------------------------------------------------------------------------------
# the state of a unit while it is generated


@dataclass
class Indicator:
    """One indicator of a project, as it stands in the current year."""

    name: str
    op: str | None  #: =, >=, <=, >, <, range, or None (qualitative)
    value: float | None = None
    value_hi: float | None = None
    unit: str | None = None  #: the unit as the ingest reports it (万 applied: 万元 -> 元)
    kind: str = "quantitative"
    show: str = ""  #: how the number is printed: "", "万" (2.5万人次), "万元" (50万元)
    text: str | None = None  #: a qualitative target
    month: int = 12  #: a deadline: month and day (day 0 = the month's end, written 月底)
    day: int = 0
    form: str = "md"  #: a deadline's form: "ymd" 2021年12月31日前, "md" 12月底前, "y" 2021年
    born: int = 0  #: creation order, keeps the row order stable


@dataclass
class Project:
    name: str
    category: str
    perf_type: str
    gov: bool
    year_budget: float
    multi: float  #: total budget / year budget
    indicators: list[Indicator]
    subject: str
    last_year: int | None = None  #: the year it was last declared in the corpus
    prior_budget: float | None = None  #: last year's budget, also for projects older than the corpus
    raws: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  #: name -> (target_raw, level1_std, level2) last printed


def _round100(x: float) -> float:
    return float(max(100, int(round(x / 100.0)) * 100))


def _nice_count(x: float) -> int:
    if x >= 10000:
        return int(round(x / 1000.0)) * 1000
    if x >= 1000:
        return int(round(x / 100.0)) * 100
    if x >= 100:
        return int(round(x / 10.0)) * 10
    return max(1, int(round(x)))


def unit_names(n: int, seed: int, hostile: bool = False) -> list[str]:
    """``n`` distinct unit names of 示例市: city bureaus first, then their centres, then districts."""
    rng = random.Random(f"{seed}/units")
    tiers: list[list[str]] = []
    for district in DISTRICTS:
        for with_centre in (False, True):
            tier = [f"{CITY}{district}{b}{c}" for b in BUREAUS for c in CENTRES if bool(c) == with_centre]
            rng.shuffle(tier)
            tiers.append(tier)
    names = [name for tier in tiers for name in tier]
    if n > len(names):
        raise ValueError(f"at most {len(names)} units can be named, {n} asked")
    out = names[:n]
    if hostile:
        for k, bad in enumerate(HOSTILE_NAMES):
            i = 3 + 10 * k
            if i < n:
                out[i] = bad
    return out


def _bureau_of(unit: str) -> str:
    for b in BUREAUS:
        if b in unit:
            return b
    return "绿化和市容管理局"


# ---------------------------------------------------------------------------------------------
# indicators: drawing, evolving, printing


def _new_indicator(name: str, rng: random.Random, budget: float, born: int) -> Indicator:
    spec = SPEC_OF[name]
    kind = spec[0]
    if kind == "pct":
        _, op, lo, hi = spec
        v = float(rng.randint(lo, hi)) if rng.random() < 0.85 or hi - lo < 1 else rng.randint(lo, hi - 1) + 0.5
        return Indicator(name, op, v, unit="%", born=born)
    if kind == "range":
        _, lo, hi = spec
        a = float(rng.randint(lo, hi - 2))
        return Indicator(name, "range", a, float(hi), unit="%", born=born)
    if kind == "cnt":
        _, op, u, lo, hi = spec
        v = float(_nice_count(math.exp(rng.uniform(math.log(lo), math.log(hi)))))
        show = "万" if v >= 10000 and v % 1000 == 0 and rng.random() < 0.5 else ""
        return Indicator(name, op, v, unit=u, show=show, born=born)
    if kind == "wan":
        wan = max(1, int(round(budget * rng.uniform(0.9, 1.0) / 10000.0)))
        return Indicator(name, spec[1], float(wan * 10000), unit="元", show="万元", born=born)
    if kind == "per":
        _, op, u, lo, hi = spec
        return Indicator(name, op, float(rng.randint(lo, hi)), unit=u, born=born)
    if kind == "qual":
        return Indicator(name, None, kind="qualitative", text=rng.choice(spec[1]), born=born)
    form = rng.choice(["md", "md", "ymd", "y"])
    month = 12 if form == "y" else rng.choice([6, 9, 10, 11, 12, 12, 12])
    day = 0 if form != "ymd" else (30 if month in (6, 9, 11) else 31)
    return Indicator(name, "<=", None, kind="deadline", month=month, day=day, form=form, born=born)


def _month_end(year: int, month: int) -> int:
    return 31 if month == 12 else (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day


def truth(ind: Indicator, year: int) -> tuple:
    """``(op, value, value_hi, value_unit, kind)`` of an indicator in ``year``, as constructed.

    Deadlines are ``<=`` with the date as a yyyymmdd number (``12月底前`` in 2021 is 20211231);
    qualitative targets have no op, value or unit; 万 is applied (``50万元`` is 500000 元)."""
    if ind.kind == "qualitative":
        return None, None, None, None, "qualitative"
    if ind.kind == "deadline":
        day = ind.day or _month_end(year, ind.month)
        return "<=", float(year * 10000 + ind.month * 100 + day), None, None, "deadline"
    return ind.op, ind.value, ind.value_hi, ind.unit, "quantitative"


def _num(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.2f}".rstrip("0").rstrip(".")


#: printed forms of an operator: clean, then the quirky ones (full-width and words)
_OP_QUIRKS = {">=": ["≥", "不低于", "以上"], "<=": ["≤", "不超过", "以内"], "=": ["＝"], ">": ["＞"], "<": ["＜"]}


def render_target(ind: Indicator, year: int, quirk) -> str:
    """The target as printed; ``quirk()`` says whether to use a quirky operator form."""
    if ind.kind == "qualitative":
        return ind.text or ""
    if ind.kind == "deadline":
        if ind.form == "y":
            return f"{year}年"
        if ind.form == "ymd":
            return f"{year}年{ind.month}月{ind.day}日前"
        return f"{ind.month}月底前"
    if ind.op == "range":
        sep = "～" if quirk() else "-"
        return f"{_num(ind.value)}%{sep}{_num(ind.value_hi)}%"
    if ind.show == "万元":
        number = f"{_num(ind.value / 10000)}万元"
    elif ind.show == "万":
        number = f"{_num(ind.value / 10000)}万{ind.unit}"
    else:
        number = f"{_num(ind.value)}{ind.unit or ''}"
    if quirk():
        form = _OP_QUIRKS[ind.op][int(quirk.rng.random() * len(_OP_QUIRKS[ind.op]))]
        if form in ("以上", "以内"):
            return number + form
        if form == "不低于" and ind.unit != "%":
            form = "不少于"
        return form + number
    return ind.op + number


def _tighter(ind: Indicator, rng: random.Random, tighten: bool) -> bool:
    """Move a target one step tighter (or looser); False when it cannot move that way."""
    up = (ind.op in (">=", ">")) == tighten
    if ind.kind == "deadline":
        if ind.form == "y":
            return False
        m = ind.month + (-1 if tighten else 1)
        if not 6 <= m <= 12:
            return False
        ind.month = m
        if ind.day:
            ind.day = 30 if m in (6, 9, 11) else 31
        return True
    if ind.unit == "%":
        step = float(rng.choice([1, 1, 2, 3, 5]))
        v = ind.value + (step if up else -step)
        if v > 100 or v < 0.5 or (not up and v < 1):
            return False
        ind.value = v
        return True
    factor = rng.uniform(1.05, 1.3)
    if ind.show == "万元":
        wan = ind.value / 10000
        new = float(max(1, int(round(wan * factor if up else wan / factor))))
        if new == wan:
            new = wan + (1 if up else -1)
        if new < 1:
            return False
        ind.value = new * 10000
        return True
    new = float(_nice_count(ind.value * factor if up else ind.value / factor))
    if ind.show == "万" and new % 1000 != 0:
        ind.show = ""
    if new == ind.value:
        new = ind.value + (1 if up else -1)
    if new < 1:
        return False
    ind.value = new
    return True


def _evolve(ind: Indicator, rng: random.Random, p: Params) -> str:
    """Change an indicator for the next year; returns the true direction of the change."""
    r = rng.random()
    if r >= p.tighten_rate + p.loosen_rate:
        return "unchanged"
    tighten = r < p.tighten_rate
    if ind.kind == "qualitative":
        if rng.random() < 0.6:
            return "unchanged"  # a worded target is reworded less often than a number moves
        others = [w for w in SPEC_OF[ind.name][1] if w != ind.text]
        ind.text = rng.choice(others)
        return "changed"
    if ind.op == "=" and ind.unit == "%":
        return "unchanged"  # =100%, =99% are kept as they are
    if ind.op == "range":  # a narrower range is tighter: the lower end moves, the upper stays
        lo = ind.value + (1 if tighten else -1)
        if lo >= ind.value_hi or lo < 50:
            return "unchanged"
        ind.value = lo
        return "tightened" if tighten else "loosened"
    if ind.op == "=":
        if not _tighter(ind, rng, tighten):
            if not _tighter(ind, rng, not tighten):
                return "unchanged"
        return "changed"
    if _tighter(ind, rng, tighten):
        return "tightened" if tighten else "loosened"
    return "unchanged"


# ---------------------------------------------------------------------------------------------
# prose


_TEXTS = {
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


class _Quirk:
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
        return _num(x / 10000)
    return f"{int(x):,}" if sep else str(int(x))


def _date(d: dt.date, style: int) -> str:
    if style == 1:
        return f"{d.year}/{d.month}/{d.day}"
    if style == 2:
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


@dataclass
class _Decl:
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
    b = _bureau_of(unit)
    return unit[: unit.index(b) + len(b)] if b in unit else unit


def _key_row(d: _Decl, rel: str, line: int, printed: tuple[str, ...]) -> dict:
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
        "level1_std": LEVEL1_STD[l1],
        "target_raw": raw,
        "op": op,
        "value": value,
        "value_hi": value_hi,
        "value_unit": vunit,
        "kind": kind,
        "source_line": line,
        "horizon": horizon,
        "weight": weight,
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
        return "", f"{_num(ind.value)}-{_num(ind.value_hi)}", "%"
    if ind.show == "万元":
        value, unit = _num(ind.value / 10000), "万元"
    elif ind.show == "万":
        value, unit = f"{_num(ind.value / 10000)}万", ind.unit or ""
    else:
        value, unit = _num(ind.value), ind.unit or ""
    forms = _OP_CELL[ind.op]
    return (forms[1] if quirk() else forms[0]), value, unit


def _weights(n: int, rng: random.Random) -> list[float]:
    """Weights of ``n`` indicators (分值), summing to about 90."""
    return [float(rng.choice([5, 5, 10, 10, 7.5, 15])) for _ in range(n)]


def _render_file(
    decls: list[_Decl], year: int, rel: str, q: _Quirk, layout: str = "seed", code: int = 0
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
        if k:
            w.blank()
        if layout in ("seed", "split"):
            row, inds = _seed_form(w, d, year, rel, q, split=layout == "split")
        elif layout == "county":
            row, inds = _county_form(w, d, year, rel, q)
        else:
            row, inds = _medium_form(w, d, year, rel, q, code)
        _finish(row, inds)
        decl_rows.append(row)
        ind_rows.extend(inds)
    return w.out, decl_rows, ind_rows


def _seed_form(w: _Lines, d: _Decl, year: int, rel: str, q: _Quirk, split: bool) -> tuple[dict, list[dict]]:
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
            line = w.row([c1, c2, ind.name, op, value, unit, _num(weights[seq - 1])])
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


def _county_form(w: _Lines, d: _Decl, year: int, rel: str, q: _Quirk) -> tuple[dict, list[dict]]:
    """主管部门 / 实施单位, 项目资金（万元） with 年度资金总额, a 年度目标 and the table under a leading
    绩效指标 column."""
    row = _key_row(d, rel, w.line, ("goals",))
    wan = _num(row["year_budget"] / 10000)
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


def _medium_form(w: _Lines, d: _Decl, year: int, rel: str, q: _Quirk, code: int) -> tuple[dict, list[dict]]:
    """主管部门及代码 / 实施单位, 中期资金总额 beside 年度资金总额, and the medium-term and the year's
    column sets side by side."""
    row = _key_row(d, rel, w.line, ("goals", "total_budget"))
    total, year_b = _num(row["total_budget"] / 10000), _num(row["year_budget"] / 10000)
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
    w: _Lines, decls: list[_Decl], year: int, rel: str, q: _Quirk, decl_rows: list[dict], ind_rows: list[dict]
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
            line = w.row(fields + [c1, c2, ind.name, op, value, unit, _num(weights[seq - 1])])
            inds.append(_ind_row(row, seq, l1, l2, ind, raw, year, line, weight=weights[seq - 1]))
            prev1, prev2 = l1, l2
        _finish(row, inds)
        decl_rows.append(row)
        ind_rows.extend(inds)


def _encode(lines: list[str], q: _Quirk) -> bytes:
    """Join the rows (CRLF line ends at the quirk rate; a newline inside a quoted cell stays LF)
    and encode them: UTF-8, or at the quirk rate UTF-8 with BOM, GB18030 or UTF-16-LE with BOM."""
    text = ("\r\n" if q() else "\n").join(lines)
    if not q():
        return text.encode("utf-8")
    enc = q.rng.choice(["utf-8-sig", "gb18030", "utf-16"])
    if enc == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode(enc)


# ---------------------------------------------------------------------------------------------
# the answer key, written in chunks


def _key_schema(*names: str, **extra: pa.DataType) -> pa.Schema:
    """An answer-key table's schema: its columns as the registry defines them (same names and
    types as the frames of :mod:`analysis.metrics` it checks), plus key-only columns."""
    return pa.schema([ALL[n].field() for n in names] + [pa.field(n, t) for n, t in extra.items()])


TARGET_CHANGES_SCHEMA = _key_schema(
    "unit",
    "project",
    "level1_std",
    "level2",
    "name",
    "from_year",
    "to_year",
    "old_raw",
    "new_raw",
    "change",
    renamed=pa.bool_(),
)
RENAMES_SCHEMA = _key_schema("unit", "old_project", "new_project", "from_year", "to_year")
RECONCILIATION_SCHEMA = _key_schema(
    "unit", "project", "year", "decl_id", "prior_budget", "prev_year_budget", "difference"
)
KEY_SCHEMAS = {
    "declarations": DECLARATIONS_SCHEMA,
    "indicators": INDICATORS_SCHEMA,
    "target_changes": TARGET_CHANGES_SCHEMA,
    "renames": RENAMES_SCHEMA,
    "reconciliation": RECONCILIATION_SCHEMA,
}


class _Sink:
    """Rows appended to one Parquet file, written every ``chunk`` rows."""

    def __init__(self, path: Path, schema: pa.Schema, chunk: int = 10_000):
        self.path, self.schema, self.chunk = path, schema, chunk
        self.rows: list[dict] = []
        self.count = 0
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")

    def add(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        self.count += len(rows)
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            cols = {n: [r.get(n) for r in self.rows] for n in self.schema.names}
            self.writer.write_table(pa.table(cols, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


# ---------------------------------------------------------------------------------------------
# one unit over the years


def _pick_indicators(rng: random.Random, budget: float, framework: str, born: list[int]) -> list[Indicator]:
    cats = ["数量", "数量", "质量", "质量", "时效", "社会", "可持续"]
    if framework == "old":
        cats = ["投入", "实施"] + cats
    if rng.random() < 0.9:
        cats.insert(0, "财务")
    for cat, p in (("成本", 0.5), ("经济", 0.3), ("生态", 0.25), ("满意度", 0.6 if framework == "old" else 0.95)):
        if rng.random() < p:
            cats.append(cat)
    out: list[Indicator] = []
    used: set[str] = set()
    for cat in cats:
        choices = [n for n, _ in LIBRARY[cat] if n not in used]
        if cat == "数量" and rng.random() < 0.5:
            choices = [n for n in choices if n != "人员聘用完成率"] or choices
        if not choices:
            continue
        name = rng.choice(choices)
        used.add(name)
        born[0] += 1
        out.append(_new_indicator(name, rng, budget, born[0]))
    return out


def _place(ind: Indicator, framework: str) -> tuple[str, str] | None:
    return (OLD_PLACES if framework == "old" else NEW_PLACES).get(CATEGORY_OF[ind.name])


def _ordered(inds: list[Indicator], framework: str) -> list[tuple[str, str, Indicator]]:
    order = OLD_ORDER if framework == "old" else NEW_ORDER
    placed = [(_place(i, framework), i) for i in inds]
    placed = [(pl, i) for pl, i in placed if pl is not None]
    placed.sort(key=lambda t: (order.index(t[0]), t[1].born))
    return [(pl[0], pl[1], i) for pl, i in placed]


def _execution_rate(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.2:
        return 1.0
    if r < 0.85:
        return rng.uniform(0.85, 1.0)
    if r < 0.95:
        return rng.uniform(0.6, 0.85)
    return rng.uniform(0.1, 0.6)


def _project_name(rng: random.Random, subjects: list[str], used: set[str]) -> tuple[str, str]:
    for _ in range(200):
        subject = rng.choice(subjects)
        name = subject + rng.choice(PROJECT_KINDS)
        if name not in used:
            return name, subject
    k = len(used)
    return f"{rng.choice(subjects)}专项工作（{k}）", subjects[0]


def _renamed(name: str, rng: random.Random, used: set[str]) -> str | None:
    for w in RENAME_WORDS:
        if name.startswith(w) and name[len(w) :] not in used:
            return name[len(w) :]
    for w in rng.sample(RENAME_WORDS, len(RENAME_WORDS)):
        if w + name not in used:
            return w + name
    return None


class _UnitGen:
    """One unit's projects, carried from year to year (the only state kept while streaming)."""

    def __init__(self, index: int, unit: str, p: Params):
        self.index, self.unit, self.p = index, unit, p
        self.rng = random.Random(f"{p.seed}/content/{index}")
        self.q = _Quirk(random.Random(f"{p.seed}/quirks/{index}"), p.quirks)
        centre = any(c and unit.endswith(c) for c in CENTRES)
        self.subjects = BUREAUS[_bureau_of(unit)] + (CENTRE_SUBJECTS if centre else [])
        years = p.year_list
        self.switch_year = None
        if len(years) > 1 and self.rng.random() < p.switch_rate:
            self.switch_year = self.rng.choice(years[1:])
        self.used: set[str] = set()
        self.projects: list[Project] = []
        self.born = [0]
        # the unit's form, drawn apart from the content so that adding a layout moves nothing else
        self.layout = random.Random(f"{p.seed}/layout/{index}").choice(p.layouts or LAYOUTS)
        self.code = 100 + index % 900  #: the department's code printed in the medium form

    def framework(self, year: int) -> str:
        return "new" if self.switch_year is not None and year >= self.switch_year else "old"

    def _new_project(self, year: int, existed_before: bool) -> Project:
        rng = self.rng
        name, subject = _project_name(rng, self.subjects, self.used)
        self.used.add(name)
        budget = _round100(min(5e7, max(5e4, math.exp(rng.gauss(math.log(6e5), 0.9)))))
        multi = 1.0 if rng.random() < 0.8 else float(rng.choice([2, 3]))
        proj = Project(
            name,
            rng.choice(CATEGORIES),
            rng.choice(PERF_TYPES),
            rng.random() < 0.3,
            budget,
            multi,
            _pick_indicators(rng, budget, self.framework(year), self.born),
            subject,
        )
        if existed_before:  # declared before the corpus starts: it has last year's figures
            proj.prior_budget = _round100(budget * rng.uniform(0.8, 1.2))
        return proj

    def _evolve_indicators(self, proj: Project, year: int) -> dict[str, str]:
        rng, p = self.rng, self.p
        fw, old_fw = self.framework(year), self.framework(proj.last_year)
        directions: dict[str, str] = {}
        kept: list[Indicator] = []
        for ind in proj.indicators:
            if _place(ind, fw) is None or (ind.name != "预算执行率" and rng.random() < p.drop_rate):
                directions[ind.name] = "removed"
                continue
            directions[ind.name] = _evolve(ind, rng, p)
            kept.append(ind)
        proj.indicators = kept
        added: list[str] = []
        if rng.random() < p.add_rate:
            places = OLD_PLACES if fw == "old" else NEW_PLACES
            cat = rng.choice([c for c in LIBRARY if c in places])
            names = [n for n, _ in LIBRARY[cat] if n not in directions]
            if names:
                added.append(rng.choice(names))
        if fw == "new" and old_fw == "old" and not any(CATEGORY_OF[i.name] == "满意度" for i in proj.indicators):
            if "服务对象满意度" not in directions and "服务对象满意度" not in added:
                added.append("服务对象满意度")
        for name in added:
            self.born[0] += 1
            proj.indicators.append(_new_indicator(name, rng, proj.year_budget, self.born[0]))
            directions[name] = "added"
        return directions

    def year(self, year: int, first: bool) -> tuple[list[_Decl], list[dict], list[dict]]:
        """The declarations of one year, and the renames and budget mismatches it brings."""
        rng, p = self.rng, self.p
        renames: list[dict] = []
        mismatches: list[dict] = []
        if first:
            n = max(1, int(round(rng.uniform(0.4, 1.6) * p.projects)))
            self.projects = [self._new_project(year, rng.random() < 0.7) for _ in range(n)]
        else:
            self.projects = [proj for proj in self.projects if rng.random() < p.continue_rate]
            for _ in range(3):
                if rng.random() < p.new_rate / 3:
                    self.projects.append(self._new_project(year, False))
            if not self.projects:
                self.projects.append(self._new_project(year, False))
        fw = self.framework(year)
        decls: list[_Decl] = []
        for proj in self.projects:
            from_year = proj.last_year
            directions: dict[str, str] = {}
            renamed = mismatch = False
            prev_budget = None
            if from_year is not None:
                prev_budget = proj.year_budget
                proj.prior_budget = prev_budget
                proj.year_budget = _round100(prev_budget * math.exp(rng.gauss(0.02, 0.12)))
                if rng.random() < p.rename_rate:
                    new = _renamed(proj.name, rng, self.used)
                    if new:
                        renames.append(
                            {
                                "unit": self.unit,
                                "old_project": proj.name,
                                "new_project": new,
                                "from_year": from_year,
                                "to_year": year,
                            }
                        )
                        self.used.add(new)
                        proj.name = new
                        renamed = True
                if not renamed and rng.random() < p.mismatch_rate and self.layout in PRIOR_LAYOUTS:
                    factor = rng.uniform(0.7, 0.95) if rng.random() < 0.5 else rng.uniform(1.05, 1.4)
                    proj.prior_budget = _round100(prev_budget * factor)
                    if proj.prior_budget == prev_budget:
                        proj.prior_budget = prev_budget + 1000.0
                    mismatch = True
                directions = self._evolve_indicators(proj, year)
            proj.last_year = year
            year_budget = proj.year_budget
            pb = proj.prior_budget
            pe = None
            if pb is not None:
                pe = min(pb, _round100(pb * _execution_rate(rng)))
            if proj.multi > 1 or rng.random() < 0.1:
                start = dt.date(year, rng.choice([1, 3, 4]), 1)
                end = dt.date(year, rng.choice([10, 11, 12]), rng.choice([28, 30]))
            else:
                start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            did = decl_id(self.unit, year, proj.name)
            row = {
                "decl_id": did,
                "year": year,
                "unit": self.unit,
                "project": proj.name,
                "category": proj.category,
                "perf_type": proj.perf_type,
                "gov_purchase": proj.gov,
                "start_date": start,
                "end_date": end,
                "total_budget": _round100(year_budget * proj.multi),
                "year_budget": year_budget,
                "prior_budget": pb,
                "prior_executed": pe,
            }
            if mismatch:
                mismatches.append(
                    {
                        "unit": self.unit,
                        "project": proj.name,
                        "year": year,
                        "decl_id": did,
                        "prior_budget": pb,
                        "prev_year_budget": prev_budget,
                        "difference": pb - prev_budget,
                    }
                )
            kind = proj.name[len(proj.subject) :] if proj.name.startswith(proj.subject) else "相关工作"
            speaker = self.unit if not any(ch in self.unit for ch in "<>&") else "本单位"  # prose holds no markup
            ctx = {
                "unit": speaker,
                "project": proj.name,
                "subject": proj.subject,
                "city": CITY,
                "kind": kind,
                "y0": year - rng.randint(1, 6),
                "n": rng.randint(1, 60),
                "wan": _num(year_budget / 10000),
                "month": rng.choice([10, 11, 12]),
            }
            texts = {f: [rng.choice(_TEXTS[f]).format(**ctx)] for f in TEXT_FIELDS}
            decls.append(
                _Decl(row, _ordered(proj.indicators, fw), texts, pb is None, proj, from_year, directions, renamed)
            )
        return decls, renames, mismatches


def _changes(unit: str, d: _Decl, ind_rows: list[dict]) -> list[dict]:
    """The target changes of one declaration since the project's previous declaration."""
    proj = d.project
    now = {r["name"]: (r["target_raw"], r["level1_std"], r["level2"]) for r in ind_rows}
    out = []
    if d.from_year is not None:
        for name, change in d.directions.items():
            old, new = proj.raws.get(name), now.get(name)
            where = new or old
            out.append(
                {
                    "unit": unit,
                    "project": proj.name,
                    "level1_std": where[1],
                    "level2": where[2],
                    "name": name,
                    "from_year": d.from_year,
                    "to_year": d.row["year"],
                    "old_raw": old[0] if old else None,
                    "new_raw": new[0] if new else None,
                    "change": change,
                    "renamed": d.renamed,
                }
            )
    proj.raws = now
    return out


# ---------------------------------------------------------------------------------------------
# the whole corpus


def _clear(out: Path) -> None:
    """Make ``out`` ready: create it, or empty it when it holds an earlier generated corpus."""
    if not out.exists():
        out.mkdir(parents=True)
        return
    entries = [e for e in out.iterdir()]
    if not entries:
        return
    readme = out / "README.md"
    if not (readme.exists() and readme.read_text(encoding="utf-8").startswith(README_MARK)):
        raise FileExistsError(f"{out} is not empty and holds no generated corpus; choose another --out")
    for e in entries:
        if e.is_dir():
            shutil.rmtree(e)
        else:
            e.unlink()


def _readme(p: Params, command: str) -> str:
    return f"""{README_MARK}

Everything in this folder is **synthetic**: generated by this project's generator, not published
by any government. All units belong to the fictional city 示例市; the projects, budgets and
targets are random draws. Use it to demonstrate the reports, test the analysis and benchmark.

Made with:

    {command}

(seed {p.seed}, {p.units} units, years {p.years[0]}-{p.years[1]}, quirk rate {p.quirks}).
The same command writes the same bytes. `answer_key/` holds the truth about the corpus
(see docs/generator.md in the project).
"""


def command_line(p: Params, out: str, sample: bool = False) -> str:
    if sample:
        return f"python -m analysis generate --out {out} --sample"
    cmd = (
        f"python -m analysis generate --out {out} --units {p.units} --years {p.years[0]}-{p.years[1]} "
        f"--seed {p.seed} --quirks {p.quirks}"
    )
    if p.layouts:
        cmd += " --layouts " + ",".join(p.layouts)
    return cmd + (" --hostile" if p.hostile else "")


def generate(out_dir: str | Path, params: Params = Params(), *, sample: bool = False, progress: bool = False) -> dict:
    """Write the corpus and its answer key into ``out_dir``; returns the manifest (parameters, counts).

    ``out_dir`` must be empty, absent, or hold an earlier generated corpus (which is replaced).
    """
    out = Path(out_dir)
    _clear(out)
    (out / "README.md").write_text(_readme(params, command_line(params, str(out_dir), sample)), encoding="utf-8")
    key_dir = out / "answer_key"
    key_dir.mkdir()
    sinks = {name: _Sink(key_dir / f"{name}.parquet", schema) for name, schema in KEY_SCHEMAS.items()}
    units = unit_names(params.units, params.seed, params.hostile)
    years = params.year_list
    counts = {"files": 0, "bytes": 0, "eligible_for_mismatch": 0}
    started = time.time()
    try:
        for year in years:
            (out / str(year)).mkdir(exist_ok=True)
        for ui, unit in enumerate(units):
            gen = _UnitGen(ui, unit, params)
            for yi, year in enumerate(years):
                decls, renames, mismatches = gen.year(year, yi == 0)
                if gen.layout in PRIOR_LAYOUTS:  # the other forms print no prior budget to compare
                    counts["eligible_for_mismatch"] += sum(
                        1 for d in decls if d.from_year is not None and not d.renamed
                    )
                rel = f"{year}/u{ui + 1:04d}_{year}.txt"
                lines, decl_rows, ind_rows = _render_file(decls, year, rel, gen.q, gen.layout, gen.code)
                data = _encode(lines, gen.q)
                (out / rel).write_bytes(data)
                counts["files"] += 1
                counts["bytes"] += len(data)
                changes: list[dict] = []
                by_project: dict[str, list[dict]] = {}
                for r in ind_rows:
                    if r["horizon"] == "year":
                        by_project.setdefault(r["project"], []).append(r)
                for d in decls:
                    changes += _changes(unit, d, by_project.get(d.row["project"], []))
                sinks["declarations"].add(decl_rows)
                sinks["indicators"].add(ind_rows)
                sinks["target_changes"].add(changes)
                sinks["renames"].add(renames)
                sinks["reconciliation"].add(mismatches)
            if progress and (ui + 1) % 100 == 0:
                print(
                    f"  {ui + 1}/{len(units)} units, {sinks['declarations'].count} declarations, "
                    f"{time.time() - started:.0f} s",
                    file=sys.stderr,
                )
    finally:
        for sink in sinks.values():
            sink.close()
    manifest = {
        "synthetic": True,
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(params).items()},
        "command": command_line(params, str(out_dir), sample),
        "counts": {
            "units": len(units),
            "years": len(years),
            "files": counts["files"],
            "bytes": counts["bytes"],
            **{name: sink.count for name, sink in sinks.items()},
            "eligible_for_mismatch": counts["eligible_for_mismatch"],
        },
    }
    (key_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    if sample:
        (out / ".complete").write_text("synthetic sample complete\n", encoding="utf-8")
    return manifest


# ---------------------------------------------------------------------------------------------
# command line


def _years(text: str) -> tuple[int, int]:
    a, _, b = text.partition("-")
    try:
        lo, hi = int(a), int(b or a)
    except ValueError:
        raise argparse.ArgumentTypeError(f"years must look like 2019-2023 or 2021, not {text!r}") from None
    if not 1990 <= lo <= hi <= 2100:
        raise argparse.ArgumentTypeError(f"years must run forwards within 1990-2100, not {text!r}")
    return lo, hi


def _rate(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a rate is a number between 0 and 1, not {text!r}") from None
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"a rate is a number between 0 and 1, not {text!r}")
    return v


def _layouts(text: str) -> tuple[str, ...]:
    names = tuple(x.strip() for x in text.split(",") if x.strip())
    bad = [x for x in names if x not in LAYOUTS]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"layouts are a comma list of {', '.join(LAYOUTS)}, not {text!r}")
    return names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    d = Params()
    parser.add_argument("--out", required=True, help="folder to write the corpus into (empty, or an earlier corpus)")
    parser.add_argument("--units", type=int, default=d.units, help=f"number of units (default {d.units})")
    parser.add_argument(
        "--years",
        type=_years,
        default=d.years,
        metavar="A-B",
        help=f"years to declare (default {d.years[0]}-{d.years[1]})",
    )
    parser.add_argument("--seed", type=int, default=d.seed, help="random seed; the same seed writes the same bytes")
    parser.add_argument(
        "--quirks",
        type=_rate,
        default=d.quirks,
        metavar="RATE",
        help=f"rate of format quirks, 0 = clean files (default {d.quirks})",
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help="the shipped sample (30 units, 2019-2023, fixed seed); other options are ignored",
    )
    parser.add_argument("--hostile", action="store_true", help="also a few units with hostile names (<script>, ../)")
    parser.add_argument(
        "--layouts",
        type=_layouts,
        default=(),
        metavar="A,B",
        help=f"the forms units print, one per unit (default: a mix of all: {','.join(LAYOUTS)})",
    )
    for name in (
        "continue_rate",
        "rename_rate",
        "mismatch_rate",
        "switch_rate",
        "tighten_rate",
        "loosen_rate",
        "add_rate",
        "drop_rate",
    ):
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=_rate,
            default=getattr(d, name),
            metavar="RATE",
            help=f"(default {getattr(d, name)})",
        )


def run(args: argparse.Namespace) -> int:
    if args.sample:
        params = SAMPLE
    else:
        if args.units < 1:
            print("generate: --units must be at least 1", file=sys.stderr)
            return 2
        params = Params(
            units=args.units,
            years=tuple(args.years),
            seed=args.seed,
            quirks=args.quirks,
            hostile=args.hostile,
            layouts=tuple(args.layouts),
            **{
                k: getattr(args, k)
                for k in (
                    "continue_rate",
                    "rename_rate",
                    "mismatch_rate",
                    "switch_rate",
                    "tighten_rate",
                    "loosen_rate",
                    "add_rate",
                    "drop_rate",
                )
            },
        )
    started = time.time()
    try:
        manifest = generate(args.out, params, sample=args.sample, progress=params.units >= 500)
    except (FileExistsError, ValueError, OSError) as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    c = manifest["counts"]
    print(
        f"wrote {c['files']} files ({c['bytes'] / 1e6:.1f} MB): {c['declarations']} declarations, "
        f"{c['indicators']} indicators, {c['units']} units x {c['years']} years, into {args.out} "
        f"in {time.time() - started:.1f} s; answer key in {Path(args.out) / 'answer_key'}"
    )
    return 0
