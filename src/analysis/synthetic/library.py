"""The fictional city and its indicators: the names of units, subjects and projects, the
indicator library of each framework, the state of a unit's projects and indicators, and how
an indicator's target is drawn, evolves from year to year and is printed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from analysis.synthetic.params import Params

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


def round100(x: float) -> float:
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


def bureau_of(unit: str) -> str:
    for b in BUREAUS:
        if b in unit:
            return b
    return "绿化和市容管理局"


# ---------------------------------------------------------------------------------------------
# indicators: drawing, evolving, printing


def new_indicator(name: str, rng: random.Random, budget: float, born: int) -> Indicator:
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


def fmt_num(x: float) -> str:
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
        return f"{fmt_num(ind.value)}%{sep}{fmt_num(ind.value_hi)}%"
    if ind.show == "万元":
        number = f"{fmt_num(ind.value / 10000)}万元"
    elif ind.show == "万":
        number = f"{fmt_num(ind.value / 10000)}万{ind.unit}"
    else:
        number = f"{fmt_num(ind.value)}{ind.unit or ''}"
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


def evolve(ind: Indicator, rng: random.Random, p: Params) -> str:
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
