"""Analysis functions on small hand-written frames that look like the published declarations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import metrics
from analysis.ids import decl_id
from analysis.ingest.normalize import LEVEL1_STD

UNIT = "上海市绿化和市容管理局行政服务中心"
OTHER = "上海市徐汇区绿化和市容管理局"
HOTLINE = "绿化市容环卫热线运作和受理处置工作经费"
SUPERVISION = "全市绿化、市容、环卫、林业诉求处置督查督办"


def decl(
    unit, project, year, year_budget=None, prior_budget=None, prior_executed=None, exec_target=None, exec_target_op=None
):
    rate = prior_executed / prior_budget if prior_budget and prior_executed is not None else None
    return {
        "decl_id": decl_id(unit, year, project),
        "year": year,
        "unit": unit,
        "project": project,
        "year_budget": year_budget,
        "total_budget": year_budget,
        "prior_budget": prior_budget,
        "prior_executed": prior_executed,
        "prior_execution_rate": rate,
        "exec_target": exec_target,
        "exec_target_op": exec_target_op,
    }


def decls(*rows):
    frame = pd.DataFrame(list(rows))
    return frame.astype(
        {
            "year_budget": float,
            "total_budget": float,
            "prior_budget": float,
            "prior_executed": float,
            "prior_execution_rate": float,
            "exec_target": float,
        }
    )


def ind(
    unit,
    project,
    year,
    level1,
    level2,
    name,
    raw,
    op=None,
    value=None,
    unit_=None,
    kind="quantitative",
    value_hi=None,
    seq=None,
    level1_std=None,
):
    std = level1_std or LEVEL1_STD.get(level1, level1)
    return {
        "decl_id": decl_id(unit, year, project),
        "year": year,
        "unit": unit,
        "project": project,
        "seq": seq,
        "level1": level1,
        "level2": level2,
        "name": name,
        "level1_std": std,
        "target_raw": raw,
        "op": op,
        "value": value,
        "value_hi": value_hi,
        "value_unit": unit_,
        "kind": kind,
    }


def inds(*rows):
    frame = pd.DataFrame(list(rows))
    frame = frame.assign(seq=frame.groupby("decl_id").cumcount() + 1)
    return frame.astype({"value": float, "value_hi": float})


def pair(
    old,
    new,
    level1="产出目标",
    level2="数量",
    name="绿化养护面积",
    project="道路绿化养护经费",
    years=(2019, 2020),
    new_level1=None,
    new_level2=None,
):
    """Two declarations of one project with one indicator each; old/new are dicts of ind() fields."""
    a = ind(OTHER, project, years[0], level1, level2, name, **old)
    b = ind(OTHER, project, years[1], new_level1 or level1, new_level2 or level2, name, **new)
    return inds(a, b)


def change_of(indicators):
    out = metrics.target_changes(indicators)
    assert len(out) == 1, out
    return out["change"].iloc[0]


# --------------------------------------------------------------------------- operators


@pytest.mark.parametrize(
    "old, new, expected",
    [
        # lower bounds: higher is tighter
        (dict(raw=">=95%", op=">=", value=95, unit_="%"), dict(raw=">=98%", op=">=", value=98, unit_="%"), "tightened"),
        (dict(raw=">=95%", op=">=", value=95, unit_="%"), dict(raw=">=90%", op=">=", value=90, unit_="%"), "loosened"),
        (dict(raw=">=95%", op=">=", value=95, unit_="%"), dict(raw="≥95%", op=">=", value=95, unit_="%"), "unchanged"),
        (dict(raw=">90%", op=">", value=90, unit_="%"), dict(raw=">92%", op=">", value=92, unit_="%"), "tightened"),
        # tie on the value, the operator decides
        (dict(raw=">=90%", op=">=", value=90, unit_="%"), dict(raw=">90%", op=">", value=90, unit_="%"), "tightened"),
        (dict(raw=">90%", op=">", value=90, unit_="%"), dict(raw=">=90%", op=">=", value=90, unit_="%"), "loosened"),
        (dict(raw=">=90%", op=">=", value=90, unit_="%"), dict(raw=">85%", op=">", value=85, unit_="%"), "loosened"),
        # upper bounds: lower is tighter
        (dict(raw="<=5%", op="<=", value=5, unit_="%"), dict(raw="<=3%", op="<=", value=3, unit_="%"), "tightened"),
        (dict(raw="<=5%", op="<=", value=5, unit_="%"), dict(raw="<=8%", op="<=", value=8, unit_="%"), "loosened"),
        (dict(raw="<10起", op="<", value=10, unit_="起"), dict(raw="<12起", op="<", value=12, unit_="起"), "loosened"),
        (
            dict(raw="<=10起", op="<=", value=10, unit_="起"),
            dict(raw="<10起", op="<", value=10, unit_="起"),
            "tightened",
        ),
        (dict(raw="<=5%", op="<=", value=5, unit_="%"), dict(raw="<=5%", op="<=", value=5, unit_="%"), "unchanged"),
        # equality: any move is a change without direction
        (dict(raw="=100%", op="=", value=100, unit_="%"), dict(raw="=99%", op="=", value=99, unit_="%"), "changed"),
        (dict(raw="=12次", op="=", value=12, unit_="次"), dict(raw="=12次", op="=", value=12, unit_="次"), "unchanged"),
        # operator moved between families
        (dict(raw="=100%", op="=", value=100, unit_="%"), dict(raw=">=95%", op=">=", value=95, unit_="%"), "changed"),
        (dict(raw=">=5天", op=">=", value=5, unit_="天"), dict(raw="<=5天", op="<=", value=5, unit_="天"), "changed"),
        # unit changed: not comparable even though the number grew
        (
            dict(raw=">=50万次", op=">=", value=500000, unit_="次"),
            dict(raw=">=60万人次", op=">=", value=600000, unit_="人次"),
            "changed",
        ),
        # ranges: narrower is tighter, wider looser, shifted changed
        (
            dict(raw="80%-90%", op="range", value=80, value_hi=90, unit_="%"),
            dict(raw="82%-88%", op="range", value=82, value_hi=88, unit_="%"),
            "tightened",
        ),
        (
            dict(raw="80%-90%", op="range", value=80, value_hi=90, unit_="%"),
            dict(raw="80%-95%", op="range", value=80, value_hi=95, unit_="%"),
            "loosened",
        ),
        (
            dict(raw="80%-90%", op="range", value=80, value_hi=90, unit_="%"),
            dict(raw="85%-95%", op="range", value=85, value_hi=95, unit_="%"),
            "changed",
        ),
        (
            dict(raw="80%-90%", op="range", value=80, value_hi=90, unit_="%"),
            dict(raw="80%~90%", op="range", value=80, value_hi=90, unit_="%"),
            "unchanged",
        ),
        # deadlines: later is looser
        # deadlines: later is looser, counted from the declaration year (2019 -> 2020)
        (
            dict(raw="2019年6月30日前", op="<=", value=20190630, kind="deadline"),
            dict(raw="2020年9月30日前", op="<=", value=20200930, kind="deadline"),
            "loosened",
        ),
        (
            dict(raw="12月底前", op="<=", value=20191231, kind="deadline"),
            dict(raw="2021年3月31日前", op="<=", value=20210331, kind="deadline"),
            "loosened",
        ),
        (
            dict(raw="2019年12月底前", op="<=", value=20191231, kind="deadline"),
            dict(raw="2020年11月30日前", op="<=", value=20201130, kind="deadline"),
            "tightened",
        ),
        (
            dict(raw="12月底前", op="<=", value=20191231, kind="deadline"),
            dict(raw="12月底前", op="<=", value=20201231, kind="deadline"),
            "unchanged",
        ),
        (
            dict(raw="2019年", op="<=", value=20191231, kind="deadline"),
            dict(raw="2020年12月31日前", op="<=", value=20201231, kind="deadline"),
            "unchanged",
        ),
        # qualitative: same normalized text is unchanged, otherwise changed
        (dict(raw="规范", kind="qualitative"), dict(raw=" 规范 ", kind="qualitative"), "unchanged"),
        (dict(raw="有效保障", kind="qualitative"), dict(raw="明显提升", kind="qualitative"), "changed"),
        # kind changed: a vague target became a number
        (dict(raw="及时", kind="qualitative"), dict(raw=">=95%", op=">=", value=95, unit_="%"), "changed"),
    ],
)
def test_change_direction_follows_operator_and_kind(old, new, expected):
    assert change_of(pair(old, new)) == expected


def test_added_and_removed_within_a_project_declared_both_years():
    a = ind(OTHER, "道路绿化养护经费", 2019, "产出目标", "数量", "绿化养护面积", ">=120万平方米", ">=", 1.2e6, "平方米")
    b = ind(OTHER, "道路绿化养护经费", 2019, "产出目标", "质量", "养护质量达标率", ">=90%", ">=", 90, "%")
    c = ind(OTHER, "道路绿化养护经费", 2020, "产出目标", "数量", "绿化养护面积", ">=120万平方米", ">=", 1.2e6, "平方米")
    d = ind(OTHER, "道路绿化养护经费", 2020, "产出目标", "时效", "养护完成及时率", "=100%", "=", 100, "%")
    out = metrics.target_changes(inds(a, b, c, d)).set_index("name")
    assert out.loc["绿化养护面积", "change"] == "unchanged"
    assert out.loc["养护质量达标率", "change"] == "removed"
    assert pd.isna(out.loc["养护质量达标率", "new_raw"]) and out.loc["养护质量达标率", "old_raw"] == ">=90%"
    assert out.loc["养护完成及时率", "change"] == "added"
    assert list(out["from_year"].unique()) == [2019] and list(out["to_year"].unique()) == [2020]


def test_new_framework_matches_old_through_level1_std_and_level2():
    old = ind(
        OTHER, "道路绿化养护经费", 2020, "产出目标", "数量", "绿化养护面积", ">=120万平方米", ">=", 1.2e6, "平方米"
    )
    eff = ind(OTHER, "道路绿化养护经费", 2020, "效果目标", "社会效益", "市民满意度", ">=85%", ">=", 85, "%")
    new = ind(
        OTHER, "道路绿化养护经费", 2021, "产出指标", "数量指标", "绿化养护面积", ">=130万平方米", ">=", 1.3e6, "平方米"
    )
    ben = ind(OTHER, "道路绿化养护经费", 2021, "效益指标", "社会效益指标", "市民满意度", ">=85%", ">=", 85, "%")
    out = metrics.target_changes(inds(old, eff, new, ben)).set_index("name")
    assert out.loc["绿化养护面积", "change"] == "tightened"
    assert out.loc["绿化养护面积", "level1"] == "产出指标" and out.loc["绿化养护面积", "level1_std"] == "产出"
    assert out.loc["市民满意度", "change"] == "unchanged"
    assert set(out["change"]) == {"tightened", "unchanged"}


def test_duplicate_names_in_a_declaration_are_matched_in_order():
    rows = [
        ind(OTHER, "道路绿化养护经费", 2019, "产出目标", "质量", "检查合格率", ">=90%", ">=", 90, "%"),
        ind(OTHER, "道路绿化养护经费", 2019, "产出目标", "质量", "检查合格率", ">=80%", ">=", 80, "%"),
        ind(OTHER, "道路绿化养护经费", 2020, "产出目标", "质量", "检查合格率", ">=95%", ">=", 95, "%"),
        ind(OTHER, "道路绿化养护经费", 2020, "产出目标", "质量", "检查合格率", ">=75%", ">=", 75, "%"),
    ]
    out = metrics.target_changes(inds(*rows))
    assert list(zip(out["old_raw"], out["new_raw"], out["change"])) == [
        (">=90%", ">=95%", "tightened"),
        (">=80%", ">=75%", "loosened"),
    ]


def test_indicator_moved_to_another_level2_is_matched_by_name():
    a = ind(OTHER, "道路绿化养护经费", 2019, "产出目标", "质量", "养护完成率", ">=95%", ">=", 95, "%")
    b = ind(OTHER, "道路绿化养护经费", 2020, "产出目标", "数量", "养护完成率", ">=98%", ">=", 98, "%")
    out = metrics.target_changes(inds(a, b))
    assert list(out["change"]) == ["tightened"]


def test_missing_year_compares_across_the_gap_and_says_so():
    rows = [
        ind(OTHER, "道路绿化养护经费", 2019, "产出目标", "质量", "养护质量达标率", ">=90%", ">=", 90, "%"),
        ind(OTHER, "道路绿化养护经费", 2021, "产出指标", "质量指标", "养护质量达标率", ">=85%", ">=", 85, "%"),
        # another project of the unit declared every year, so 2020 exists for the unit
        ind(OTHER, "行道树修剪", 2019, "产出目标", "数量", "修剪株数", ">=3000株", ">=", 3000, "株"),
        ind(OTHER, "行道树修剪", 2020, "产出目标", "数量", "修剪株数", ">=3000株", ">=", 3000, "株"),
        ind(OTHER, "行道树修剪", 2021, "产出指标", "数量指标", "修剪株数", ">=3000株", ">=", 3000, "株"),
    ]
    out = metrics.target_changes(inds(*rows))
    gap = out.loc[out["project"] == "道路绿化养护经费"]
    assert len(gap) == 1
    assert gap.iloc[0][["from_year", "to_year", "gap_years", "change"]].tolist() == [2019, 2021, 1, "loosened"]
    assert set(out.loc[out["project"] == "行道树修剪", "gap_years"]) == {0}
    assert not out["change"].isin(["added", "removed"]).any()
    events = metrics.project_changes(
        decls(*[decl(r["unit"], r["project"], r["year"]) for r in rows]).drop_duplicates("decl_id")
    )
    assert events[["project", "year", "event", "gap_years"]].values.tolist() == [
        ["道路绿化养护经费", 2021, "resumed", 1],
    ]


def test_projects_that_start_or_end_give_no_indicator_rows():
    rows = [
        ind(OTHER, "行道树修剪", 2019, "产出目标", "数量", "修剪株数", ">=3000株", ">=", 3000, "株"),
        ind(OTHER, "行道树修剪", 2020, "产出目标", "数量", "修剪株数", ">=3500株", ">=", 3500, "株"),
        ind(OTHER, "古树名木保护", 2019, "产出目标", "数量", "古树复壮株数", ">=20株", ">=", 20, "株"),
        ind(OTHER, "垃圾分类宣传", 2020, "产出目标", "数量", "宣传场次", ">=50场", ">=", 50, "场"),
    ]
    ind_frame = inds(*rows)
    out = metrics.target_changes(ind_frame)
    assert out[["project", "change"]].values.tolist() == [["行道树修剪", "tightened"]]
    events = metrics.project_changes(ind_frame[["decl_id", "unit", "project", "year"]].drop_duplicates())
    assert sorted(events[["project", "event"]].values.tolist()) == [
        ["古树名木保护", "ended"],
        ["垃圾分类宣传", "started"],
    ]


def test_renamed_project_is_followed_and_marked_fuzzy():
    rows = [
        ind(
            OTHER,
            "徐汇区道路绿化养护经费",
            2019,
            "产出目标",
            "数量",
            "绿化养护面积",
            ">=120万平方米",
            ">=",
            1.2e6,
            "平方米",
        ),
        ind(
            OTHER,
            "徐汇区道路绿化日常养护经费",
            2020,
            "产出目标",
            "数量",
            "绿化养护面积",
            ">=110万平方米",
            ">=",
            1.1e6,
            "平方米",
        ),
    ]
    out = metrics.target_changes(inds(*rows))
    assert out[["old_project", "project", "change", "match"]].values.tolist() == [
        ["徐汇区道路绿化养护经费", "徐汇区道路绿化日常养护经费", "loosened", "fuzzy"],
    ]
    assert 80 <= out["match_score"].iloc[0] < 100


def test_target_changes_has_the_contract_columns_first():
    out = metrics.target_changes(pair(dict(raw="规范", kind="qualitative"), dict(raw="规范", kind="qualitative")))
    assert list(out.columns[:10]) == [
        "unit",
        "project",
        "level1",
        "level2",
        "name",
        "from_year",
        "to_year",
        "old_raw",
        "new_raw",
        "change",
    ]


# --------------------------------------------------------------------------- summaries


def _three_changes():
    rows = [
        ind(OTHER, "行道树修剪", 2019, "产出目标", "数量", "修剪株数", ">=3000株", ">=", 3000, "株"),
        ind(OTHER, "行道树修剪", 2019, "产出目标", "质量", "修剪合格率", ">=95%", ">=", 95, "%"),
        ind(OTHER, "行道树修剪", 2019, "效果目标", "社会效益", "投诉率", "<=2%", "<=", 2, "%"),
        ind(OTHER, "行道树修剪", 2020, "产出目标", "数量", "修剪株数", ">=2500株", ">=", 2500, "株"),
        ind(OTHER, "行道树修剪", 2020, "产出目标", "质量", "修剪合格率", ">=90%", ">=", 90, "%"),
        ind(OTHER, "行道树修剪", 2020, "效果目标", "社会效益", "投诉率", "<=1%", "<=", 1, "%"),
        ind(OTHER, "行道树修剪", 2020, "效果目标", "社会效益", "市民满意度", ">=90%", ">=", 90, "%"),
    ]
    return inds(*rows)


def test_change_summary_counts_and_net_tightening():
    s = metrics.change_summary(metrics.target_changes(_three_changes()))
    row = s.iloc[0]
    assert (row["unit"], row["to_year"]) == (OTHER, 2020)
    assert row[
        ["tightened", "loosened", "unchanged", "changed", "added", "removed", "n", "net_tightening"]
    ].tolist() == [
        1,
        2,
        0,
        0,
        1,
        0,
        4,
        -1,
    ]


def test_budget_vs_targets_flags_budget_up_with_loosened_targets():
    d = decls(
        decl(OTHER, "行道树修剪", 2019, year_budget=800000.0), decl(OTHER, "行道树修剪", 2020, year_budget=950000.0)
    )
    out = metrics.budget_vs_targets(d, metrics.target_changes(_three_changes(), d))
    y2020 = out.loc[out["year"] == 2020].iloc[0]
    assert y2020["budget_change"] == 150000.0
    assert y2020[["tightened", "loosened"]].tolist() == [1, 2]
    assert bool(y2020["budget_up_targets_loosened"])
    y2019 = out.loc[out["year"] == 2019].iloc[0]
    assert pd.isna(y2019["prev_year_budget"]) and not bool(y2019["budget_up_targets_loosened"])


def test_budget_vs_targets_is_judged_per_project_not_on_the_unit_total():
    """The unit's total grew only because a project was added; the one project that loosened its
    targets lost budget: nothing is flagged (the unit totals stay as context)."""
    new = "新增绿地养护"
    d = decls(
        decl(OTHER, "行道树修剪", 2019, year_budget=800000.0),
        decl(OTHER, "行道树修剪", 2020, year_budget=700000.0),
        decl(OTHER, new, 2020, year_budget=500000.0),
    )
    changes = metrics.target_changes(_three_changes(), d)
    projects = metrics.project_budget_vs_targets(d, changes)
    row = projects.iloc[0]
    assert (row["project"], row["from_year"], row["year"]) == ("行道树修剪", 2019, 2020)
    assert row["budget_change"] == -100000.0 and row[["tightened", "loosened"]].tolist() == [1, 2]
    assert not bool(row["budget_up_targets_loosened"])
    unit = metrics.budget_vs_targets(d, changes).set_index("year").loc[2020]
    assert unit["budget_change"] == 400000.0 and unit["loosened"] > unit["tightened"]  # the totals say up, loosened
    assert unit["n_flagged_projects"] == 0 and not bool(unit["budget_up_targets_loosened"])


def test_budget_vs_targets_flags_a_unit_with_a_project_whose_budget_grew_while_its_targets_loosened():
    """The unit's total fell (a project ended), but one project grew and loosened: flagged."""
    d = decls(
        decl(OTHER, "行道树修剪", 2019, year_budget=800000.0),
        decl(OTHER, "已结束项目", 2019, year_budget=900000.0),
        decl(OTHER, "行道树修剪", 2020, year_budget=950000.0),
    )
    changes = metrics.target_changes(_three_changes(), d)
    projects = metrics.project_budget_vs_targets(d, changes)
    assert projects["budget_up_targets_loosened"].tolist() == [True]
    unit = metrics.budget_vs_targets(d, changes).set_index("year").loc[2020]
    assert unit["budget_change"] < 0
    assert unit["n_flagged_projects"] == 1 and bool(unit["budget_up_targets_loosened"])


def test_target_quality_shares_and_repeated():
    rows = [
        ind(OTHER, "行道树修剪", 2019, "投入与管理", "实施管理", "资金使用规范性", "规范", kind="qualitative"),
        ind(OTHER, "行道树修剪", 2019, "产出目标", "数量", "修剪株数", ">=3000株", ">=", 3000, "株"),
        ind(OTHER, "行道树修剪", 2020, "投入与管理", "实施管理", "资金使用规范性", "规范", kind="qualitative"),
        ind(OTHER, "行道树修剪", 2020, "产出目标", "数量", "修剪株数", ">=3500株", ">=", 3500, "株"),
        ind(
            OTHER, "行道树修剪", 2020, "产出目标", "时效", "完成时间", "2020年11月底前", "<=", 20201130, kind="deadline"
        ),
        ind(OTHER, "行道树修剪", 2020, "影响力目标", "长效管理", "管理制度", "建立3项管理制度", kind="qualitative"),
    ]
    q = metrics.target_quality(inds(*rows)).set_index("year")
    assert q.loc[2019, "n_indicators"] == 2 and q.loc[2020, "n_indicators"] == 4
    assert q.loc[2020, "share_quantitative"] == 0.25
    assert q.loc[2020, "share_qualitative"] == 0.5
    assert q.loc[2020, "share_deadline"] == 0.25
    assert q.loc[2020, "share_vague"] == 0.25  # 规范 is vague, 建立3项管理制度 names a number
    assert pd.isna(q.loc[2019, "share_repeated"]) and q.loc[2019, "n_comparable"] == 0
    assert q.loc[2020, "n_repeated"] == 1 and q.loc[2020, "share_repeated"] == 0.25


# --------------------------------------------------------------------------- execution


def seed_declarations():
    """The seed file's two 2020 declarations, with their prior-year figures."""
    return decls(
        decl(
            UNIT,
            HOTLINE,
            2020,
            year_budget=1406400.0,
            prior_budget=1296100.0,
            prior_executed=1296100.0,
            exec_target=0.99,
            exec_target_op="=",
        ),
        decl(
            UNIT,
            SUPERVISION,
            2020,
            year_budget=490000.0,
            prior_budget=720000.0,
            prior_executed=720000.0,
            exec_target=0.99,
            exec_target_op=">=",
        ),
    )


def test_seed_projects_realized_full_execution():
    pe = metrics.project_execution(seed_declarations())
    realized = pe.dropna(subset=["realized_decl_id"]).set_index("project")
    assert realized.loc[HOTLINE, "realized_rate"] == 1.0
    assert realized.loc[SUPERVISION, "realized_rate"] == 1.0
    assert (realized["exec_year"] == 2019).all()
    rates = metrics.execution_rates(seed_declarations())
    row = rates.iloc[0]
    assert (row["unit"], row["year"], row["exec_year"]) == (UNIT, 2020, 2019)
    assert row["n_projects"] == 2 and row["prior_budget"] == 2016100.0 and row["prior_executed"] == 2016100.0
    assert row["rate"] == 1.0 and row["mean_rate"] == 1.0
    assert row["n_target_known"] == 0 and pd.isna(row["n_below_target"])  # no 2019 declarations to hold targets


def test_weighted_rate_differs_from_unweighted_mean():
    d = decls(
        decl(OTHER, "行道树修剪", 2021, prior_budget=9_000_000.0, prior_executed=8_100_000.0),  # 0.9
        decl(OTHER, "古树名木保护", 2021, prior_budget=1_000_000.0, prior_executed=500_000.0),  # 0.5
        decl(OTHER, "垃圾分类宣传", 2021, prior_budget=0.0, prior_executed=0.0),  # no rate
        decl(OTHER, "绿地调查", 2021),  # nothing reported
    )
    row = metrics.execution_rates(d).iloc[0]
    assert row["n_projects"] == 4 and row["n_reported"] == 2
    assert row["rate"] == pytest.approx(8_600_000 / 10_000_000)
    assert row["mean_rate"] == pytest.approx(0.7)


def test_n_below_target_uses_the_previous_declarations_target():
    d = decls(
        decl(OTHER, "行道树修剪", 2020, exec_target=0.95, exec_target_op=">="),
        decl(OTHER, "行道树修剪", 2021, prior_budget=1_000_000.0, prior_executed=900_000.0),  # 0.90 < 0.95
        decl(OTHER, "古树名木保护", 2020, exec_target=0.90, exec_target_op=">="),
        decl(OTHER, "古树名木保护", 2021, prior_budget=500_000.0, prior_executed=460_000.0),  # 0.92 >= 0.90
        decl(OTHER, "垃圾分类宣传", 2020),  # no target
        decl(OTHER, "垃圾分类宣传", 2021, prior_budget=200_000.0, prior_executed=100_000.0),
        decl(OTHER, "绿地调查", 2021, prior_budget=300_000.0, prior_executed=300_000.0),  # new project
    )
    rates = metrics.execution_rates(d).set_index("year")
    assert rates.loc[2021, "n_projects"] == 4
    assert rates.loc[2021, "n_target_known"] == 2 and rates.loc[2021, "n_below_target"] == 1
    assert pd.isna(rates.loc[2020, "n_below_target"]) and rates.loc[2020, "exec_year"] == 2019
    pe = metrics.project_execution(d).set_index(["project", "exec_year"])
    assert pe.loc[("行道树修剪", 2020), "below_target"] == True  # noqa: E712
    assert pe.loc[("古树名木保护", 2020), "below_target"] == False  # noqa: E712
    assert pd.isna(pe.loc[("垃圾分类宣传", 2020), "below_target"])
    assert pe.loc[("行道树修剪", 2020), "exec_target"] == 0.95
    assert pe.loc[("行道树修剪", 2020), "realized_rate"] == pytest.approx(0.9)


def test_execution_rates_accepts_any_grouping():
    d = pd.concat(
        [
            seed_declarations(),
            decls(
                decl(OTHER, "行道树修剪", 2020, prior_budget=1_000_000.0, prior_executed=800_000.0),
                decl(OTHER, "行道树修剪", 2021, prior_budget=1_000_000.0, prior_executed=1_000_000.0),
            ),
        ],
        ignore_index=True,
    )
    by_unit = metrics.execution_rates(d, by="unit").set_index("unit")
    assert by_unit.loc[OTHER, "n_projects"] == 2 and by_unit.loc[OTHER, "rate"] == pytest.approx(0.9)
    assert pd.isna(by_unit.loc[OTHER, "exec_year"])
    assert (by_unit.loc[OTHER, "exec_year_from"], by_unit.loc[OTHER, "exec_year_to"]) == (2019, 2020)
    assert by_unit.loc[UNIT, "exec_year"] == 2019
    by_year = metrics.execution_rates(d, by=["year"]).set_index("year")
    assert list(by_year.columns[:1]) == ["exec_year"]
    assert by_year.loc[2020, "n_projects"] == 3
    assert by_year.loc[2020, "rate"] == pytest.approx((2016100 + 800000) / (2016100 + 1000000))
    overall = metrics.execution_rates(d, by=())
    assert len(overall) == 1 and overall["n_projects"].iloc[0] == 4
    by_exec = metrics.execution_rates(d, by=("exec_year",))
    assert by_exec["exec_year"].tolist() == [2019, 2020]


def test_functions_do_not_mutate_their_input():
    d = seed_declarations()
    i = _three_changes()
    d0, i0 = d.copy(), i.copy()
    metrics.execution_rates(d)
    metrics.budget_reconciliation(d)
    metrics.target_quality(i)
    metrics.target_changes(i)
    pd.testing.assert_frame_equal(d, d0)
    pd.testing.assert_frame_equal(i, i0)


# --------------------------------------------------------------------------- reconciliation


def test_budget_reconciliation_reports_only_differences():
    d = decls(
        decl(OTHER, "行道树修剪", 2019, year_budget=1_000_000.0),
        decl(OTHER, "行道树修剪", 2020, year_budget=1_100_000.0, prior_budget=950_000.0, prior_executed=950_000.0),
        decl(OTHER, "古树名木保护", 2019, year_budget=490_000.0),
        decl(OTHER, "古树名木保护", 2020, year_budget=500_000.0, prior_budget=490_000.0, prior_executed=480_000.0),
        decl(OTHER, "绿地调查", 2020, year_budget=300_000.0, prior_budget=250_000.0, prior_executed=250_000.0),
    )
    out = metrics.budget_reconciliation(d)
    assert out[["project", "year", "prior_budget", "prev_year_budget", "difference"]].values.tolist() == [
        ["行道树修剪", 2020, 950_000.0, 1_000_000.0, -50_000.0],
    ]
    assert out["relative_difference"].iloc[0] == pytest.approx(-0.05)
    assert out["match"].iloc[0] == "exact"


def test_budget_reconciliation_follows_renames():
    d = decls(
        decl(OTHER, "徐汇区道路绿化养护经费", 2019, year_budget=1_000_000.0),
        decl(OTHER, "徐汇区道路绿化日常养护经费", 2020, year_budget=1_000_000.0, prior_budget=1_200_000.0),
    )
    out = metrics.budget_reconciliation(d)
    assert out[["prev_project", "project", "difference", "match"]].values.tolist() == [
        ["徐汇区道路绿化养护经费", "徐汇区道路绿化日常养护经费", 200_000.0, "fuzzy"],
    ]


def test_empty_inputs_give_empty_frames():
    empty_i = inds(ind(OTHER, "行道树修剪", 2019, "产出目标", "数量", "修剪株数", ">=3000株", ">=", 3000, "株")).iloc[
        :0
    ]
    out = metrics.target_changes(empty_i)
    assert out.empty and "change" in out
    assert metrics.change_summary(out).empty


# --------------------------------------------------------------------------- real pipeline


def _ingest():
    from analysis.ingest import ingest

    return ingest


def test_seed_file_through_ingest_realizes_full_execution(tmp_path):
    import shutil

    from seedkit import SEED as seed

    shutil.copy(seed, tmp_path / seed.name)
    result = _ingest()(tmp_path)
    pe = metrics.project_execution(result.declarations).dropna(subset=["realized_decl_id"])
    assert sorted(pe["project"]) == sorted([HOTLINE, SUPERVISION])
    assert pe["realized_rate"].tolist() == [1.0, 1.0] and set(pe["exec_year"]) == {2019}
    row = metrics.execution_rates(result.declarations).iloc[0]
    assert row["rate"] == 1.0 and row["prior_budget"] == 1296100.0 + 720000.0


def _generated(tmp_path, seed, quirks):
    from analysis.synthetic import corpus as gen

    if not hasattr(gen, "generate"):
        pytest.skip("analysis.synthetic.corpus.generate is not there")
    params = gen.Params(units=8, years=(2019, 2022), seed=seed, quirks=quirks, rename_rate=0.25)
    gen.generate(tmp_path / "corpus", params)
    key = {
        n: pd.read_parquet(tmp_path / "corpus" / "answer_key" / f"{n}.parquet")
        for n in ("target_changes", "renames", "reconciliation")
    }
    return tmp_path / "corpus", key


@pytest.mark.parametrize("seed, quirks", [(11, 0.0), (12, 0.05), (13, 0.1)])
def test_generated_corpus_changes_match_the_answer_key(tmp_path, seed, quirks):
    corpus, key = _generated(tmp_path, seed, quirks)
    result = _ingest()(corpus)
    ours = metrics.target_changes(result.indicators, result.declarations)
    truth = key["target_changes"]
    m = truth.merge(ours, on=["unit", "project", "to_year", "name"], how="outer", suffixes=("_key", ""), indicator=True)
    # every true change is found, with the right direction
    missing = m.loc[m["_merge"] == "left_only"]
    assert missing.empty, missing[["project", "name", "to_year", "change_key"]]
    found = m.loc[m["_merge"] == "both"]
    agree = found["change_key"] == found["change"]
    assert agree.all(), found.loc[~agree, ["project", "name", "old_raw", "new_raw", "change_key", "change"]]
    assert {"tightened", "loosened", "unchanged", "changed", "added", "removed"} <= set(found["change"])
    # no change reported that the key does not have
    extra = m.loc[m["_merge"] == "right_only"]
    assert extra.empty, extra[["project", "name", "to_year", "change"]]
    assert (found["from_year_key"] == found["from_year"]).all()
    # renamed projects are matched and marked
    renamed_truth = key["renames"]
    assert len(renamed_truth) > 0
    found_renames = metrics.renames(result.declarations)
    pairs_truth = set(
        map(tuple, renamed_truth[["unit", "old_project", "new_project", "from_year", "to_year"]].values.tolist())
    )
    pairs_ours = set(
        map(tuple, found_renames[["unit", "old_project", "new_project", "from_year", "to_year"]].values.tolist())
    )
    assert pairs_ours == pairs_truth
    assert set(found.loc[found["renamed"].astype(bool), "match"]) <= {"fuzzy"}
    assert set(found.loc[~found["renamed"].astype(bool), "match"]) == {"exact"}
    # reconciliation finds exactly the planted mismatches
    rec = metrics.budget_reconciliation(result.declarations)
    assert set(rec["decl_id"]) == set(key["reconciliation"]["decl_id"])
    merged = rec.merge(key["reconciliation"], on="decl_id", suffixes=("", "_truth"))
    assert np.allclose(merged["difference"], merged["difference_truth"])


def test_below_target_follows_a_renamed_project():
    d = decls(
        decl(OTHER, "徐汇区道路绿化养护经费", 2020, exec_target=0.98, exec_target_op=">="),
        decl(OTHER, "徐汇区道路绿化日常养护经费", 2021, prior_budget=1_000_000.0, prior_executed=950_000.0),
    )
    pe = metrics.project_execution(d)
    pe = pe.loc[pe["exec_year"] == 2020]
    assert pe[["exec_year", "exec_target", "realized_rate", "below_target", "match"]].values.tolist() == [
        [2020, 0.98, 0.95, True, "fuzzy"],
    ]
    assert metrics.execution_rates(d).set_index("year").loc[2021, "n_below_target"] == 1


def test_target_quality_per_declaration():
    rows = [
        ind(OTHER, "行道树修剪", 2020, "产出目标", "数量", "修剪株数", ">=3000株", ">=", 3000, "株"),
        ind(OTHER, "行道树修剪", 2020, "产出目标", "时效", "修剪及时性", "及时", kind="qualitative"),
        ind(OTHER, "古树名木保护", 2020, "产出目标", "数量", "古树复壮株数", ">=20株", ">=", 20, "株"),
    ]
    frame = inds(*rows)
    q = metrics.target_quality(frame, by="decl_id").set_index("decl_id")
    assert q.loc[decl_id(OTHER, 2020, "行道树修剪"), "share_vague"] == 0.5
    assert q.loc[decl_id(OTHER, 2020, "古树名木保护"), "share_quantitative"] == 1.0


# --------------------------------------------------------------------------- projects linked once

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generated_processed(tmp_path_factory):
    """A generated corpus with renames (8 units, 2019-2022), ingested into a processed folder."""
    from analysis.synthetic import corpus as gen

    tmp = tmp_path_factory.mktemp("linked")
    gen.generate(tmp / "corpus", gen.Params(units=8, years=(2019, 2022), seed=12, quirks=0.05, rename_rate=0.25))
    _ingest()(tmp / "corpus", tmp / "processed")
    return tmp / "processed"


def _notebook_code(name: str, **parameters) -> list[str]:
    """The code cells of a report notebook, its parameters set as papermill sets them."""
    import json

    cells = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return [code[0], "\n".join(f"{k} = {v!r}" for k, v in parameters.items()), *code[1:]]


def test_each_report_links_projects_once(generated_processed, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.metrics import identity
    from analysis.reports import show

    calls = []
    real = identity.project_ids
    monkeypatch.setattr(identity, "project_ids", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(show, "_display_html", lambda markup: None)
    monkeypatch.setattr(show, "show_figure", lambda fig: plt.close(fig))
    decl = pd.read_parquet(generated_processed / "declarations.parquet", columns=["unit", "year"])
    reports = [("unit_report.ipynb", {"unit": u}) for u in sorted(decl["unit"].unique())[:3]]
    reports += [("year_report.ipynb", {"year": int(y)}) for y in sorted(decl["year"].unique())[-2:]]
    for notebook, params in reports:
        calls.clear()
        ns: dict = {}
        for cell in _notebook_code(notebook, processed_dir=str(generated_processed), **params):
            exec(compile(cell, notebook, "exec"), ns)  # noqa: S102  (our own notebook, as papermill runs it)
        assert len(ns["changes"]) > 0, (notebook, params)  # the metrics ran on real rows
        assert len(calls) == 1, (notebook, params, len(calls))


def test_metrics_on_linked_frames_equal_metrics_that_link_themselves(generated_processed):
    import analysis
    from analysis.reports import show

    def raw(frame):
        return frame.drop(columns=["project_key", "match", "match_score"])

    ds = analysis.load(generated_processed)
    pairs = [(ds.declarations, ds.indicators)]
    fuzzy = ds.declarations["match"] == "fuzzy"
    assert fuzzy.any()
    renamed = sorted(ds.declarations.loc[fuzzy, "unit"].unique())
    units = renamed[:2] + [u for u in sorted(ds.declarations["unit"].unique()) if u not in renamed][:1]
    for unit in units:
        data = show.load_unit(generated_processed, unit)
        pairs.append((data.declarations, data.indicators))
    data = show.load_year(generated_processed, 2021)
    pairs.append((data.declarations, data.indicators))
    for linked, ind in pairs:
        for f in (
            metrics.project_execution,
            metrics.execution_rates,
            metrics.project_changes,
            metrics.budget_reconciliation,
            metrics.renames,
        ):
            pd.testing.assert_frame_equal(f(linked), f(raw(linked)), obj=f.__name__)
        pd.testing.assert_frame_equal(metrics.target_changes(ind, linked), metrics.target_changes(ind, raw(linked)))


# --------------------------------------------------------------------------- refine_changes


def _refined(indicators):
    return metrics.refine_changes(metrics.target_changes(indicators), indicators)


@pytest.mark.parametrize(
    "level2, unit_, old, new, expected",
    [
        ("数量", "个", 40, 33, "loosened"),  # fewer communities covered: looser
        ("数量指标", "个", 140, 160, "tightened"),
        ("时效", "个工作日", 10, 13, "loosened"),  # a longer fixed time: looser
        ("成本", "万元", 50, 45, "tightened"),  # a lower fixed cost: stricter
        ("质量", "%", 95, 90, "changed"),  # nature not clear from the form: stays changed
        ("成本", "元/人", 400, 450, "changed"),  # a unit cost per person: not read by nature
    ],
)
def test_a_fixed_quantity_is_classified_by_the_indicators_nature(level2, unit_, old, new, expected):
    frame = pair(
        {"raw": f"={old}{unit_}", "op": "=", "value": old, "unit_": unit_},
        {"raw": f"={new}{unit_}", "op": "=", "value": new, "unit_": unit_},
        level2=level2,
    )
    assert change_of(frame) == "changed"  # target_changes itself does not guess
    out = _refined(frame)
    assert out["change"].tolist() == [expected]
    assert out["by_nature"].tolist() == [expected != "changed"]


def test_upper_bounds_of_money_per_person_are_loosened_when_raised():
    # 不超过415元/人 → <=450元/人: loosened (the change words speak of the target, not the number)
    frame = pair(
        {"raw": "不超过415元/人", "op": "<=", "value": 415, "unit_": "元/人"},
        {"raw": "<=450元/人", "op": "<=", "value": 450, "unit_": "元/人"},
        level2="成本",
    )
    assert _refined(frame)["change"].tolist() == ["loosened"]


def test_framework_switch_marks_removed_categories_the_new_form_lacks():
    p = "道路绿化养护经费"
    old = [
        ind(OTHER, p, 2020, "投入与管理", "资金投入", "预算执行率", ">=95%", ">=", 95, "%"),
        ind(OTHER, p, 2020, "产出目标", "数量", "养护面积", ">=10万平方米", ">=", 100000, "平方米"),
        ind(OTHER, p, 2020, "产出目标", "数量", "巡查次数", ">=12次", ">=", 12, "次"),
        ind(OTHER, p, 2020, "效果目标", "社会效益", "市容改善", "明显", kind="qualitative"),
    ]
    new = [
        ind(OTHER, p, 2021, "产出指标", "数量指标", "养护面积", ">=11万平方米", ">=", 110000, "平方米"),
        ind(OTHER, p, 2021, "效益指标", "社会效益指标", "市容改善", "明显", kind="qualitative"),
        ind(OTHER, p, 2021, "满意度指标", "服务对象满意度指标", "市民满意度", ">=90%", ">=", 90, "%"),
    ]
    other = inds(
        ind(OTHER, "另一个项目", 2020, "产出目标", "数量", "x", "=1个", "=", 1, "个"),
        ind(OTHER, "另一个项目", 2021, "产出目标", "数量", "x", "=1个", "=", 1, "个"),
    )
    frame = pd.concat([inds(*old, *new), other], ignore_index=True)
    out = _refined(frame).set_index("name")
    assert metrics.declaration_frameworks(frame).value_counts().to_dict() == {"old": 3, "new": 1}
    assert out.loc["养护面积", "change"] == "tightened" and out.loc["养护面积", "framework_switch"]
    assert out.loc["预算执行率", "framework_change"]  # 投入管理: the new form has none
    assert out.loc["市民满意度", "framework_change"]  # 满意度: the old form had none
    assert not out.loc["巡查次数", "framework_change"]  # 产出 exists in both: a real removal
    assert not out.loc["x", "framework_switch"]  # the same framework both years


@pytest.mark.slow
def test_budget_vs_targets_on_the_sample_flags_no_unit_on_its_totals_alone(tmp_path):
    """The two units of the sample whose totals grew while one loosened target sat in a project
    whose budget fell are not flagged; every flagged unit has a project that grew and loosened."""
    from analysis.ingest import ingest
    from analysis.metrics.summaries import changes_for_report
    from analysis.synthetic.corpus import generate
    from analysis.synthetic.params import SAMPLE
    from analysis.tables import read_table

    generate(tmp_path / "raw", SAMPLE)
    ingest(tmp_path / "raw", tmp_path / "processed")
    d = metrics.link(read_table(tmp_path / "processed", "declarations"))
    changes = changes_for_report(read_table(tmp_path / "processed", "indicators"), d)
    units = metrics.budget_vs_targets(d, changes).set_index(["unit", "year"])
    for case in (("示例市市场监督管理局", 2022), ("示例市生态环境局", 2021)):
        row = units.loc[case]
        assert row["budget_change"] > 0 and row["loosened"] > row["tightened"]  # what misled before
        assert not bool(row["budget_up_targets_loosened"]) and row["n_flagged_projects"] == 0
    projects = metrics.project_budget_vs_targets(d, changes)
    flagged = projects[projects["budget_up_targets_loosened"]]
    assert len(flagged) and (flagged["budget_change"] > 0).all() and (flagged["loosened"] > flagged["tightened"]).all()
    counted = flagged.groupby(["unit", "year"]).size()
    assert units.loc[units["budget_up_targets_loosened"], "n_flagged_projects"].sort_index().tolist() == [
        counted[k] for k in sorted(counted.index)
    ]


def test_a_short_unit_name_under_several_sources_is_flagged_as_ambiguous():
    d = pd.DataFrame(
        {
            "unit": ["区林业局", "区林业局", "区林业局", "示例市教育局", OTHER, OTHER],
            "department": [None, None, None, None, "甲", "乙"],
            "source_file": [
                "xuhui/2021/a.html",
                "minhang/2021/b.html",
                "xuhui/2022/c.html",
                "synthetic/2019/x.txt",
                "p/2020/y.txt",
                "q/2021/z.txt",
            ],
        }
    )
    out = metrics.ambiguous_units(d)
    # 示例市教育局: one source (its year folders aside); OTHER names its district: not short
    assert out["unit"].tolist() == ["区林业局"]
    assert out.iloc[0]["folders"] == "minhang、xuhui" and out.iloc[0]["n_folders"] == 2


def test_lowest_rates_leave_out_projects_that_reported_no_money():
    d = decls(
        decl(OTHER, "行道树修剪", 2021, prior_budget=1_000_000.0, prior_executed=900_000.0),  # 0.90
        decl(OTHER, "古树名木保护", 2021, prior_budget=500_000.0, prior_executed=200_000.0),  # 0.40
        decl(OTHER, "绿地调查", 2021),  # nothing reported
        decl(OTHER, "垃圾分类宣传", 2021, prior_budget=0.0, prior_executed=0.0),  # no rate
    )
    pe = metrics.project_execution(d)
    lowest = metrics.lowest_rates(pe, 3)
    assert lowest["project"].tolist() == ["古树名木保护", "行道树修剪"]
    assert lowest["realized_rate"].tolist() == pytest.approx([0.4, 0.9])
    nothing = metrics.lowest_rates(pe[pe["project"].isin(["绿地调查", "垃圾分类宣传"])], 15)
    assert nothing.empty
