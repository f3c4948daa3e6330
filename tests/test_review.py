"""The review of declarations against the rules (analysis.review): every rule passing and
failing on hand-made declarations, the seed checked by hand, the real declarations."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import metrics
from analysis.ids import decl_id
from analysis.ingest.normalize import LEVEL1_STD
from analysis.metrics import rules as rv
from analysis.metrics import summaries

ROOT = Path(__file__).resolve().parents[1]
UNIT = "示例市园林绿化局"
PROJECT = "道路绿化养护经费"


# ----------------------------------------------------------------------------- builders


def ind(level1, level2, name, raw, op=None, value=None, unit=None, kind="quantitative"):
    return {
        "level1": level1,
        "level2": level2,
        "name": name,
        "target_raw": raw,
        "op": op,
        "value": value,
        "value_unit": unit,
        "kind": kind,
    }


OUTPUT = [
    ind("产出指标", "数量指标", "养护面积", ">=500万平方米", ">=", 5e6, "平方米"),
    ind("产出指标", "质量指标", "养护合格率", ">=95%", ">=", 95, "%"),
    ind("产出指标", "时效指标", "完成时间", "12月31日前", "<=", None, None, "deadline"),
]
COST = [ind("成本指标", "经济成本指标", "项目成本", "<=300万元", "<=", 3e6, "元")]
EFFECT = [ind("效益指标", "社会效益指标", "绿化覆盖率", ">=40%", ">=", 40, "%")]
SATISFACTION = [ind("满意度指标", "服务对象满意度指标", "市民满意度", ">=90%", ">=", 90, "%")]
GOOD = OUTPUT + COST + EFFECT + SATISFACTION


def replaced(rows, which, **changes):
    """``rows`` with the indicator called ``which`` changed (or dropped when changes is empty)."""
    assert any(r["name"] == which for r in rows), which
    if not changes:
        return [r for r in rows if r["name"] != which]
    return [{**r, **changes} if r["name"] == which else r for r in rows]


def declaration(year=2022, rows=GOOD, project=PROJECT, **fields):
    """One declaration (a dict of the declarations table) and its indicators (list of dicts)."""
    did = decl_id(UNIT, year, project)
    row = {
        "decl_id": did,
        "year": year,
        "unit": UNIT,
        "project": project,
        "year_budget": 3e6,
        "total_budget": 3e6,
        "prior_budget": 2e6,
        "prior_executed": 1.9e6,
        "exec_target": 0.9,
        "exec_target_op": ">=",
        "plan": "本项目预算为300万元，年底前支付完毕。",
        "overview": None,
        "goals": None,
    }
    row.update(fields)
    if row["prior_budget"] and row["prior_executed"] is not None:
        row["prior_execution_rate"] = row["prior_executed"] / row["prior_budget"]
    else:
        row["prior_execution_rate"] = None
    inds = []
    for seq, r in enumerate(rows, 1):
        std = LEVEL1_STD.get(r["level1"], "其他")
        value = r["value"]
        if r["kind"] == "deadline" and value is None:
            value = year * 10000 + 1231
        inds.append(
            {
                "decl_id": did,
                "year": year,
                "unit": UNIT,
                "project": project,
                "seq": seq,
                **r,
                "value": value,
                "value_hi": None,
                "level1_std": std,
                "horizon": "year",
            }
        )
    return row, inds


def frames(*decls, problems=()):
    d = pd.DataFrame([row for row, _ in decls])
    d = d.astype(
        {
            c: float
            for c in (
                "year_budget",
                "total_budget",
                "prior_budget",
                "prior_executed",
                "prior_execution_rate",
                "exec_target",
            )
        }
    )
    i = pd.DataFrame(
        [x for _, rows in decls for x in rows],
        columns=[
            "decl_id",
            "year",
            "unit",
            "project",
            "seq",
            "level1",
            "level2",
            "name",
            "target_raw",
            "op",
            "value",
            "value_unit",
            "kind",
            "value_hi",
            "level1_std",
            "horizon",
        ],
    )
    i = i.astype({"value": float, "value_hi": float})
    p = pd.DataFrame(list(problems), columns=["source_file", "source_line", "severity", "code", "message", "decl_id"])
    return d, i, p


def problem(code, did, message="x"):
    return {
        "source_file": "a.txt",
        "source_line": 1,
        "severity": "warning",
        "code": code,
        "message": message,
        "decl_id": did,
    }


def outcome_of(result, rule, year=None):
    """Outcome and evidence of ``rule`` for the declaration of ``year`` (the latest by default)."""
    year = result["year"].max() if year is None else year
    row = result.loc[(result["rule"] == rule) & (result["year"] == year)]
    assert len(row) == 1, row
    return row.iloc[0]["outcome"], row.iloc[0]["evidence"]


# ----------------------------------------------------------------------------- the cases

ONE_GOOD = declaration()
RAISED = [
    ind("产出指标", "数量指标", "养护面积", ">=600万平方米", ">=", 6e6, "平方米"),
    ind("产出指标", "质量指标", "养护合格率", ">=97%", ">=", 97, "%"),
    OUTPUT[2],
    EFFECT[0] | {"target_raw": ">=42%", "value": 42},
    SATISFACTION[0] | {"target_raw": ">=92%", "value": 92},
]
PREV_ROWS = OUTPUT + EFFECT + SATISFACTION  # 2020 and 2021 pairs: no cost row, so no budget-driven cost target


def two_years(
    prev_rows=PREV_ROWS, rows=PREV_ROWS, prev_budget=2e6, budget=3e6, prior_budget=None, prev_target=0.9, target=0.9
):
    prior_budget = prev_budget if prior_budget is None else prior_budget
    prev = declaration(
        2021, prev_rows, year_budget=prev_budget, total_budget=prev_budget, exec_target=prev_target, plan=None
    )
    cur = declaration(
        2022,
        rows,
        year_budget=budget,
        total_budget=budget,
        prior_budget=prior_budget,
        prior_executed=0.95 * prior_budget,
        exec_target=target,
        plan=None,
    )
    return prev, cur


CASES = [
    # 完整性
    pytest.param("complete.output_effect", [ONE_GOOD], (), "pass", "产出", id="output_effect-pass"),
    pytest.param(
        "complete.output_effect",
        [declaration(rows=replaced(GOOD, "绿化覆盖率"))],
        (),
        "fail",
        "缺效益",
        id="output_effect-fail-no-effect",
    ),
    pytest.param(
        "complete.output_effect", [declaration(rows=[])], (), "fail", "没有指标", id="output_effect-fail-empty"
    ),
    pytest.param("complete.output_dims", [ONE_GOOD], (), "pass", "数量、质量、时效", id="output_dims-pass"),
    pytest.param(
        "complete.output_dims",
        [declaration(rows=replaced(GOOD, "完成时间"))],
        (),
        "fail",
        "缺时效",
        id="output_dims-fail",
    ),
    pytest.param("complete.cost", [ONE_GOOD], (), "pass", "项目成本", id="cost-pass"),
    pytest.param("complete.cost", [declaration(rows=replaced(GOOD, "项目成本"))], (), "fail", "成本", id="cost-fail"),
    pytest.param(
        "complete.cost",
        [declaration(rows=replaced(GOOD, "项目成本"), year=2021)],
        (),
        "n/a",
        "2022",
        id="cost-na-before-2022",
    ),
    pytest.param(
        "complete.cost",
        [
            declaration(
                rows=[ind("产出指标", "成本指标", "单位成本", "<=10元/平方米", "<=", 10, "元/平方米")]
                + replaced(GOOD, "项目成本")
            )
        ],
        (),
        "pass",
        "单位成本",
        id="cost-pass-under-output",
    ),
    pytest.param("complete.satisfaction", [ONE_GOOD], (), "pass", "市民满意度", id="satisfaction-pass"),
    pytest.param(
        "complete.satisfaction",
        [declaration(rows=replaced(GOOD, "市民满意度"))],
        (),
        "fail",
        "没有满意度",
        id="satisfaction-fail",
    ),
    # 量化
    pytest.param("quant.share", [ONE_GOOD], (), "pass", "6/6", id="quant_share-pass"),
    pytest.param(
        "quant.share",
        [
            declaration(
                rows=[
                    *replaced(
                        replaced(
                            replaced(
                                GOOD,
                                "养护面积",
                                target_raw="全面养护",
                                op=None,
                                value=None,
                                unit=None,
                                kind="qualitative",
                            ),
                            "绿化覆盖率",
                            target_raw="稳步提升",
                            op=None,
                            value=None,
                            kind="qualitative",
                        ),
                        "养护合格率",
                        target_raw="合格",
                        op=None,
                        value=None,
                        kind="qualitative",
                    ),
                    ind("效益指标", "可持续影响指标", "长效机制", "长期", kind="qualitative"),
                ]
            )
        ],
        (),
        "fail",
        "3/7",
        id="quant_share-fail",
    ),
    pytest.param(
        "quant.share",
        [declaration(rows=GOOD + [ind("成本指标", "社会成本指标", None, None, kind=None)] * 7)],
        (),
        "pass",
        "6/6",
        id="quant_share-pass-blank-rows-left-out",
    ),
    pytest.param("quant.vague", [ONE_GOOD], (), "pass", "没有模糊", id="vague-pass"),
    pytest.param(
        "quant.vague",
        [
            declaration(
                rows=replaced(
                    GOOD, "绿化覆盖率", target_raw="明显改善", op=None, value=None, unit=None, kind="qualitative"
                )
            )
        ],
        (),
        "fail",
        "绿化覆盖率：明显改善",
        id="vague-fail",
    ),
    # 可比
    pytest.param(
        "compare.repeat_budget_up", list(two_years(rows=RAISED)), (), "pass", "增长 50.0%", id="repeat-pass-raised"
    ),
    pytest.param(
        "compare.repeat_budget_up",
        list(two_years()),
        (),
        "fail",
        "养护面积：>=500万平方米 → >=500万平方米",
        id="repeat-fail",
    ),
    pytest.param(
        "compare.repeat_budget_up",
        list(two_years(budget=2.1e6)),
        (),
        "n/a",
        "未超过 10.0%",
        id="repeat-na-small-growth",
    ),
    pytest.param("compare.repeat_budget_up", [ONE_GOOD], (), "n/a", "没有上一年度", id="repeat-na-first-year"),
    pytest.param(
        "compare.loosened_budget_up", list(two_years(rows=RAISED)), (), "pass", "没有比上年放松", id="loosened-pass"
    ),
    pytest.param(
        "compare.loosened_budget_up",
        list(two_years(rows=replaced(PREV_ROWS, "养护合格率", target_raw=">=90%", value=90))),
        (),
        "fail",
        "养护合格率：>=95% → >=90%",
        id="loosened-fail",
    ),
    pytest.param(
        "compare.loosened_budget_up",
        list(two_years(rows=replaced(PREV_ROWS, "养护合格率", target_raw=">=90%", value=90), budget=1.5e6)),
        (),
        "n/a",
        "规则不适用",
        id="loosened-na-budget-down",
    ),
    # 执行
    pytest.param("exec.prior_rate", [ONE_GOOD], (), "pass", "95.0%", id="prior_rate-pass"),
    pytest.param("exec.prior_rate", [declaration(prior_executed=1.6e6)], (), "fail", "80.0%", id="prior_rate-fail"),
    pytest.param(
        "exec.prior_rate",
        [declaration(prior_budget=None, prior_executed=None)],
        (),
        "n/a",
        "未填报",
        id="prior_rate-na",
    ),
    # the first year of a project's data has no target set for the year executed: 不适用, not 未通过
    pytest.param("exec.own_target", [ONE_GOOD], (), "n/a", "项目数据的第一年", id="own_target-first-year"),
    pytest.param(
        "exec.own_target",
        [declaration(exec_target=0.99)],
        (),
        "n/a",
        "项目数据的第一年",
        id="own_target-first-year-high",
    ),
    pytest.param(
        "exec.own_target",
        list(two_years(prev_target=0.9, target=0.99)),
        (),
        "pass",
        "上年申报表的执行率目标 90.0%",
        id="own_target-pass-last-years-target",
    ),
    pytest.param(
        "exec.own_target",
        list(two_years(prev_target=0.99, target=0.9)),
        (),
        "fail",
        "上年申报表的执行率目标 99.0%",
        id="own_target-fail-last-years-target",
    ),
    pytest.param(
        "exec.own_target", list(two_years(prev_target=None)), (), "n/a", "没有可比", id="own_target-na-no-target"
    ),
    # 一致
    pytest.param("consist.year_over_total", [ONE_GOOD], (), "pass", "≤", id="year_over_total-pass"),
    pytest.param(
        "consist.year_over_total",
        [declaration(year_budget=4e6)],
        [problem("year-over-total", ONE_GOOD[0]["decl_id"], "项目当年预算 4,000,000.00 is above 项目总预算")],
        "fail",
        "is above",
        id="year_over_total-fail",
    ),
    pytest.param(
        "consist.year_over_total", [declaration(total_budget=None)], (), "n/a", "未填报", id="year_over_total-na"
    ),
    pytest.param("consist.text_budget", [ONE_GOOD], (), "pass", "预算为300万元", id="text_budget-pass"),
    pytest.param(
        "consist.text_budget",
        [declaration(plan="本项目预算为400万元。")],
        [problem("text-budget-mismatch", ONE_GOOD[0]["decl_id"], "the text says the budget is '预算为400万元'")],
        "fail",
        "预算为400万元",
        id="text_budget-fail",
    ),
    pytest.param(
        "consist.text_budget", [declaration(plan="年底前支付完毕。")], (), "n/a", "没有写明", id="text_budget-na"
    ),
    pytest.param("consist.prior_budget", list(two_years()), (), "pass", "200.00 万元", id="prior_budget-pass"),
    pytest.param(
        "consist.prior_budget",
        list(two_years(prior_budget=2.5e6)),
        (),
        "fail",
        "相差 50.00 万元",
        id="prior_budget-fail",
    ),
    pytest.param("consist.prior_budget", [ONE_GOOD], (), "n/a", "没有上一年度", id="prior_budget-na"),
    # 合理
    pytest.param("reason.percent_over_100", [ONE_GOOD], (), "pass", "3项百分比目标", id="percent-pass"),
    pytest.param(
        "reason.percent_over_100",
        [declaration(rows=replaced(GOOD, "养护合格率", target_raw=">=120%", value=120))],
        (),
        "fail",
        ">=120%",
        id="percent-fail",
    ),
    pytest.param(
        "reason.satisfaction_floor", [ONE_GOOD], (), "pass", "市民满意度：>=90%", id="satisfaction_floor-pass"
    ),
    pytest.param(
        "reason.satisfaction_floor",
        [declaration(rows=replaced(GOOD, "市民满意度", target_raw=">=70%", value=70))],
        (),
        "fail",
        ">=70%",
        id="satisfaction_floor-fail",
    ),
    pytest.param(
        "reason.satisfaction_floor",
        [declaration(rows=replaced(GOOD, "市民满意度"))],
        (),
        "n/a",
        "没有定量的满意度",
        id="satisfaction_floor-na",
    ),
    pytest.param("reason.placeholder", [ONE_GOOD], (), "pass", "没有占位符", id="placeholder-pass"),
    pytest.param(
        "reason.placeholder",
        [declaration(rows=replaced(GOOD, "市民满意度", name="小区居民满意度（≥**%）"))],
        (),
        "fail",
        "小区居民满意度(≥**%)",
        id="placeholder-fail-stars",
    ),
    pytest.param(
        "reason.placeholder",
        [declaration(rows=GOOD + [ind("成本指标", "社会成本指标", None, None, kind=None)])],
        (),
        "fail",
        "社会成本指标：空白模板行",
        id="placeholder-fail-empty-row",
    ),
    pytest.param(
        "reason.placeholder",
        [declaration(rows=replaced(GOOD, "项目成本", name="0", target_raw="0.00%", value=0, unit="%"))],
        (),
        "fail",
        "0：0.00%",
        id="placeholder-fail-zero-row",
    ),
    pytest.param(
        "reason.placeholder",
        [declaration(rows=replaced(GOOD, "养护面积", level2="数量指标（必填）"))],
        (),
        "fail",
        "必填",
        id="placeholder-fail-form-hint",
    ),
    pytest.param("reason.score_column", [ONE_GOOD], (), "pass", "6/6", id="score_column-pass"),
    pytest.param(
        "reason.score_column",
        [
            declaration(
                rows=[
                    {**r, "target_raw": s, "op": "=", "value": float(s), "value_unit": None, "kind": "quantitative"}
                    for r, s in zip(GOOD, ("20", "10", "10", "20", "30", "10"))
                ]
            )
        ],
        (),
        "fail",
        "全部 6 项",
        id="score_column-fail",
    ),
    pytest.param("reason.score_column", [declaration(rows=OUTPUT[:2])], (), "n/a", "少于 3 项", id="score_column-na"),
]


@pytest.mark.parametrize("rule, decls, problems, expected, evidence", CASES)
def test_rule(rule, decls, problems, expected, evidence):
    d, i, p = frames(*decls, problems=problems)
    result = rv.review(d, i, problems=p)
    outcome, text = outcome_of(result, rule)
    assert (outcome, rule) == (expected, rule), text
    assert evidence.replace("（", "(").replace("）", ")") in text.replace("（", "(").replace("）", ")"), text


def test_every_rule_has_a_passing_and_a_failing_case():
    seen = {(c.values[0], c.values[3]) for c in CASES}
    for rule in rv.RULE_IDS:
        assert (rule, "pass") in seen and (rule, "fail") in seen, rule


def test_the_good_declaration_passes_every_rule_that_applies():
    d, i, p = frames(ONE_GOOD)
    result = rv.review(d, i, problems=p)
    assert set(result["outcome"]) == {"pass", "n/a"}
    na = set(result.loc[result["outcome"] == "n/a", "rule"])
    # the rules that need a previous year: 不适用 in the first year of the project's data
    assert na == {"compare.repeat_budget_up", "compare.loosened_budget_up", "consist.prior_budget", "exec.own_target"}


def test_older_framework_is_judged_by_its_own_tree():
    rows = [
        ind("投入与管理", "财务管理", "预算执行率", ">=99%", ">=", 99, "%"),
        ind("产出目标", "数量", "热线录音监听", ">=8500个", ">=", 8500, "个"),
        ind("产出目标", "质量", "热线诉求回访率", ">=95%", ">=", 95, "%"),
        ind("产出目标", "时效", "项目完成时间", "12月31日前", "<=", None, None, "deadline"),
        ind("效果目标", "社会效益", "公众满意度", ">=80%", ">=", 80, "%"),
        ind("影响力目标", "长效管理", "项目的可持续性", "可持续", kind="qualitative"),
    ]
    d, i, p = frames(declaration(2023, rows))
    result = rv.review(d, i, problems=p).set_index("rule")
    assert result.loc["complete.output_effect", "outcome"] == "pass"
    assert result.loc["complete.output_dims", "outcome"] == "pass"
    # neither 成本 nor 满意度 is a level of the older tree, even in 2023
    assert result.loc["complete.cost", "outcome"] == "n/a"
    assert result.loc["complete.satisfaction", "outcome"] == "n/a"
    assert "公众满意度" in result.loc["complete.satisfaction", "evidence"]
    assert result.loc["reason.satisfaction_floor", "outcome"] == "pass"


def test_thresholds_change_the_outcome():
    d, i, p = frames(declaration(prior_executed=1.7e6))  # 85%
    assert outcome_of(rv.review(d, i, problems=p), "exec.prior_rate")[0] == "fail"
    assert outcome_of(rv.review(d, i, problems=p, min_exec_rate=0.8), "exec.prior_rate")[0] == "pass"
    d, i, p = frames(declaration(rows=replaced(GOOD, "市民满意度", target_raw=">=85%", value=85)))
    assert outcome_of(rv.review(d, i, problems=p), "reason.satisfaction_floor")[0] == "pass"
    assert outcome_of(rv.review(d, i, problems=p, min_satisfaction=90), "reason.satisfaction_floor")[0] == "fail"
    d, i, p = frames(declaration(rows=replaced(GOOD, "项目成本"), year=2021))
    assert outcome_of(rv.review(d, i, problems=p, cost_from_year=2021), "complete.cost", 2021)[0] == "fail"


def test_without_problems_the_rules_that_reuse_them_are_not_applicable():
    d, i, _ = frames(ONE_GOOD)
    result = rv.review(d, i).set_index("rule")
    for rule in ("consist.year_over_total", "consist.text_budget"):
        assert result.loc[rule, "outcome"] == "n/a"
        assert "problems" in result.loc[rule, "evidence"]


def test_every_declaration_gets_every_rule_and_the_ruleset():
    d, i, p = frames(*two_years(), declaration(2022, GOOD, project="另一个项目"), declaration(2022, [], project="空表"))
    result = rv.review(d, i, problems=p)
    assert list(result.columns) == rv.REVIEW_COLUMNS
    assert len(result) == len(d) * len(rv.RULES)
    assert result.groupby("decl_id")["rule"].apply(lambda r: tuple(r) == rv.RULE_IDS).all()
    assert set(result["outcome"]) <= set(rv.OUTCOMES) and result["evidence"].notna().all()
    assert (result["ruleset"] == rv.RULESET_VERSION).all() and result.attrs["ruleset"] == rv.RULESET_VERSION
    assert result.attrs["thresholds"]["min_exec_rate"] == 0.9
    assert set(result["group"]) == set(rv.GROUPS)
    assert metrics.review is rv.review and metrics.review_summary is summaries.review_summary


def test_inputs_are_left_untouched_and_an_empty_input_gives_an_empty_review():
    d, i, p = frames(*two_years())
    before = (d.copy(), i.copy())
    rv.review(d, i, problems=p)
    pd.testing.assert_frame_equal(d, before[0])
    pd.testing.assert_frame_equal(i, before[1])
    empty = rv.review(d.iloc[:0], i.iloc[:0], problems=p.iloc[:0])
    assert empty.empty and list(empty.columns) == rv.REVIEW_COLUMNS


def test_summary_pass_rates_per_group_and_the_rules_failed_most():
    fail_vague = declaration(
        rows=replaced(GOOD, "绿化覆盖率", target_raw="明显改善", op=None, value=None, unit=None, kind="qualitative"),
        project="模糊项目",
        prior_executed=1.6e6,
    )
    d, i, p = frames(ONE_GOOD, fail_vague)
    result = rv.review(d, i, problems=p)
    summary = metrics.review_summary(result, by=("unit", "year"))
    assert list(summary["group"]) == [*rv.GROUPS, "合计"]
    by_group = summary.set_index("group")
    # 量化: the good one passes both, the vague one passes quant.share and fails quant.vague
    assert by_group.loc["量化", ["n_pass", "n_fail", "n_na"]].tolist() == [3, 1, 0]
    assert by_group.loc["量化", "pass_rate"] == pytest.approx(0.75)
    # 执行: 95% and 80% against the 90% threshold; no earlier declaration, so no own target compared
    assert by_group.loc["执行", ["n_pass", "n_fail", "n_na"]].tolist() == [1, 1, 2]
    assert np.isnan(by_group.loc["可比", "pass_rate"])  # nothing to compare: all n/a, no rate
    total = by_group.loc["合计"]
    assert total["n_pass"] + total["n_fail"] + total["n_na"] == len(result)
    assert total["n_projects"] == 2 and (summary["ruleset"] == rv.RULESET_VERSION).all()
    rules = metrics.review_summary(result, by=(), per="rule")
    assert len(rules) == len(rv.RULES)
    assert rules["n_fail"].is_monotonic_decreasing
    assert set(rules.loc[rules["n_fail"] > 0, "rule"]) == {"quant.vague", "exec.prior_rate"}
    with pytest.raises(ValueError):
        metrics.review_summary(result, per="unit")


def test_review_columns_are_in_the_registry():
    from analysis import tables

    d, i, p = frames(ONE_GOOD)
    result = rv.review(d, i, problems=p)
    cols = (
        set(result.columns)
        | set(metrics.review_summary(result).columns)
        | set(metrics.review_summary(result, per="rule").columns)
    )
    assert not cols - set(tables.ALL), cols - set(tables.ALL)


# ----------------------------------------------------------------------------- the seed


SEED_EXPECTED = {
    # 绿化市容环卫热线运作和受理处置工作经费: older framework, 8 indicators
    "绿化市容环卫热线运作和受理处置工作经费": {
        "complete.output_effect": "pass",  # 产出目标 3, 效果目标 1
        "complete.output_dims": "pass",  # 数量 人员聘用完成率, 质量 派遣人员合格率, 时效 派遣人员到岗及时性
        "complete.cost": "n/a",  # older tree: no 成本 level (and 2020 < 2022)
        "complete.satisfaction": "n/a",  # older tree: no 满意度 level
        "quant.share": "pass",  # 4 of 8 quantitative = 50%, at the threshold
        "quant.vague": "fail",  # 规范, 及时, 有效保障, 可持续
        "compare.repeat_budget_up": "n/a",  # no 2019 declaration in the seed
        "compare.loosened_budget_up": "n/a",
        "exec.prior_rate": "pass",  # 1,296,100 / 1,296,100 = 100%
        "exec.own_target": "n/a",  # the first year of the project's data: no 2019 target to compare with
        "consist.year_over_total": "pass",  # 1,406,400 = 1,406,400
        "consist.text_budget": "pass",  # 项目实施计划: 预算经费为140.64万元
        "consist.prior_budget": "n/a",  # no 2019 declaration
        "reason.percent_over_100": "pass",  # 99, 99, 90, 90
        "reason.satisfaction_floor": "n/a",  # no 满意度 target
        "reason.placeholder": "pass",
        "reason.score_column": "pass",
    },
    # 全市绿化、市容、环卫、林业诉求处置督查督办: older framework, 9 indicators (one row shifted left)
    "全市绿化、市容、环卫、林业诉求处置督查督办": {
        "complete.output_effect": "pass",
        "complete.output_dims": "pass",  # 时效 项目完成时间 from the shifted row (line 58)
        "complete.cost": "n/a",
        "complete.satisfaction": "n/a",  # 公众满意度 sits under 效果目标/社会效益
        "quant.share": "pass",  # 6 quantitative + 1 deadline of 9
        "quant.vague": "fail",  # 规范, 可持续
        "compare.repeat_budget_up": "n/a",
        "compare.loosened_budget_up": "n/a",
        "exec.prior_rate": "pass",  # 720,000 / 720,000 = 100%
        "exec.own_target": "n/a",  # no 2019 declaration: its own >=99% is for the year to come
        "consist.year_over_total": "pass",  # 490,000 = 490,000
        "consist.text_budget": "pass",  # 预算经费为49万元
        "consist.prior_budget": "n/a",
        "reason.percent_over_100": "pass",  # 年度报告完成率 =100% is not above 100
        "reason.satisfaction_floor": "pass",  # 公众满意度 >=80%, at the floor
        "reason.placeholder": "pass",
        "reason.score_column": "pass",
    },
}


def test_seed_review_checked_by_hand(seed_result):
    result = rv.review(seed_result.declarations, seed_result.indicators, problems=seed_result.problems)
    assert len(result) == 2 * len(rv.RULES)
    got = {p: dict(zip(g["rule"], g["outcome"])) for p, g in result.groupby("project")}
    assert got == SEED_EXPECTED
    ev = result.set_index(["project", "rule"])["evidence"]
    assert ev["绿化市容环卫热线运作和受理处置工作经费", "quant.share"].startswith("可量化目标 4/8 = 50.0%")
    assert "派遣人员到岗及时性：及时" in ev["绿化市容环卫热线运作和受理处置工作经费", "quant.vague"]
    assert "采购规范性：规范" in ev["全市绿化、市容、环卫、林业诉求处置督查督办", "quant.vague"]
    # a stricter share threshold fails the first (4/8) and not the second (7/9)
    strict = rv.review(
        seed_result.declarations, seed_result.indicators, problems=seed_result.problems, min_quant_share=0.6
    )
    strict = dict(zip(strict["project"] + strict["rule"], strict["outcome"]))
    assert strict["绿化市容环卫热线运作和受理处置工作经费quant.share"] == "fail"
    assert strict["全市绿化、市容、环卫、林业诉求处置督查督办quant.share"] == "pass"


# ----------------------------------------------------------------------------- real declarations


def _real_world() -> Path:
    env = os.environ.get("ANALYSIS_REAL_WORLD")
    return Path(env) if env else ROOT.parent / "shared" / "real-world"


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    folder = _real_world()
    if not (folder / "expected.json").exists():
        pytest.skip(f"the real declarations are not at {folder} (set ANALYSIS_REAL_WORLD)")
    from analysis.ingest import ingest

    return ingest(folder, tmp_path_factory.mktemp("real-processed"), jobs=1)


def test_real_declarations_are_reviewed_whole(real):
    d, i, p = real.declarations, real.indicators, real.problems
    assert len(d) > 0
    result = rv.review(d, i, problems=p)
    assert len(result) == len(d) * len(rv.RULES)
    assert set(result["decl_id"]) == set(d["decl_id"])
    assert result.groupby("decl_id")["rule"].apply(lambda r: tuple(r) == rv.RULE_IDS).all()
    assert result["evidence"].map(lambda e: isinstance(e, str) and e != "").all()
    summary = metrics.review_summary(result, by=("unit", "year"))
    assert summary.groupby(["unit", "year"]).size().eq(len(rv.GROUPS) + 1).all()


def _by_project(result, project):
    rows = result.loc[result["project"] == project]
    if rows.empty:
        pytest.fail(f"{project!r} was not read from the real declarations")
    return dict(zip(rows["rule"], rows["outcome"])), dict(zip(rows["rule"], rows["evidence"]))


def test_real_rongchang_greening_checked_by_reading_the_file(real):
    # d11: 产出 only (绿化美化公路 =3500米, 购买发放李子苗 =15000株, 树木成活率 ≥85%); the copy ends before 时效
    result = rv.review(real.declarations, real.indicators, problems=real.problems)
    out, ev = _by_project(result, "古昌镇大青冈村乡村振兴绿化美化项目")
    assert out["complete.output_effect"] == "fail" and "效益" in ev["complete.output_effect"]
    assert out["complete.output_dims"] == "fail" and "缺时效" in ev["complete.output_dims"]
    assert out["complete.cost"] == "fail"  # 2022, newer tree, no 成本
    assert out["complete.satisfaction"] == "fail"
    assert out["quant.share"] == "pass" and "3/3" in ev["quant.share"]
    assert out["quant.vague"] == "pass"
    assert out["reason.percent_over_100"] == "pass"
    assert out["reason.placeholder"] == "pass"
    assert out["exec.prior_rate"] == "n/a"  # no 上年 figures in this form
    assert out["compare.repeat_budget_up"] == "n/a"


def test_real_fengjie_reward_checked_by_reading_the_file(real):
    # d14: three 成本 rows printed as 三级 `0` / `0.00%` (the template's placeholders), one 产出 row
    result = rv.review(real.declarations, real.indicators, problems=real.problems)
    out, ev = _by_project(result, "12350安全生产举报奖及安全生产专项督查等工作经费")
    assert out["reason.placeholder"] == "fail"
    assert ev["reason.placeholder"].startswith("占位符、填表提示或空白行 3项")
    assert out["complete.output_effect"] == "fail"  # no 效益 row in the copy
    assert out["complete.satisfaction"] == "fail"
    assert out["quant.vague"] == "pass"


def test_real_fengjie_processing_park_checked_by_reading_the_file(real):
    # d13: 成本指标 block with 项目建设成本 ≤65万元 and two empty template rows (社会/生态环境成本指标), truncated;
    # the ingest does not read empty template rows as indicators, so no placeholder is left to find
    result = rv.review(real.declarations, real.indicators, problems=real.problems)
    out, ev = _by_project(result, "2023年云雾土家族乡加工园配套设施建设项目")
    assert out["reason.placeholder"] == "pass"
    assert out["complete.output_effect"] == "fail"  # the copy breaks off after the 成本 block
    assert out["quant.share"] == "pass" and ev["quant.share"].startswith("可量化目标 1/1")  # blank rows left out


# ----------------------------------------------------------------------------- failures read as findings


FAILING = [pytest.param(c, id=c.id) for c in CASES if c.values[3] == "fail"]


@pytest.mark.parametrize("case", FAILING)
def test_every_failure_row_reads_as_a_finding(case):
    """A failed row says what was found (缺少成本指标), never the rule's pass condition; the
    reports show it under 审核发现."""
    from analysis.reports import show

    rule, decls_, probs, _, _ = case.values
    d, i, p = frames(*decls_, problems=probs)
    result = rv.review(d, i, problems=p)
    failed = result[result["outcome"] == "fail"]
    assert rule in set(failed["rule"])
    by_id = {r.id: r for r in rv.RULES}
    for rec in failed.to_dict("records"):
        assert rec["finding"] == by_id[rec["rule"]].finding and rec["finding"] != rec["description"]
    assert result.loc[result["outcome"] != "fail", "finding"].isna().all()
    html = show.table_html(failed, columns=["project", "group", "finding", "evidence"])
    assert "审核发现" in html and by_id[rule].finding in html and by_id[rule].description not in html


def test_rules_that_need_a_previous_year_give_not_applicable_in_a_projects_first_year():
    """A first year that would fail every comparison (budget up 50%, last year's execution 95%
    below its own 99% target) gives 不适用 for the rules that need a previous year, and the same
    project's next year is judged."""
    first = declaration(2021, exec_target=0.99, prior_budget=2e6, prior_executed=1.9e6)
    d, i, p = frames(first)
    result = rv.review(d, i, problems=p).set_index("rule")
    need_prev = ["compare.repeat_budget_up", "compare.loosened_budget_up", "exec.own_target", "consist.prior_budget"]
    assert (result.loc[need_prev, "outcome"] == "n/a").all()
    assert "第一年" in result.loc["exec.own_target", "evidence"]
    prev, cur = two_years(prev_target=0.99, target=0.9)
    d, i, p = frames(prev, cur)
    result = rv.review(d, i, problems=p)
    second = result[(result["year"] == 2022) & (result["rule"] == "exec.own_target")].iloc[0]
    assert second["outcome"] == "fail" and second["finding"] == "上年预算执行率未达到上年申报的预算执行率目标"
