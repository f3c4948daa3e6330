"""Targets over time on the edits real declarations make from one year to the next.

``tests/fixtures/year-pairs``: real declarations with a next-year version edited by hand the way
units edit theirs, and the real pair 雾炮车降尘抑尘服务 (2023) / 雾炮车抑尘降尘服务 (2024); the key
says which declarations are the same project and every indicator's pair and direction
(see the folder's README). Scored by :mod:`yearpairs`; docs/analysis.md prints the score.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yearpairs

from analysis import identity, metrics

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "fixtures" / "year-pairs"
DOC = ROOT / "docs" / "analysis.md"


@pytest.fixture(scope="module")
def ingested():
    from analysis.ingest import ingest

    return ingest(PAIRS, jobs=1)


@pytest.fixture(scope="module")
def scored(ingested):
    return yearpairs.score(PAIRS, ingested)


def test_the_set_is_as_large_as_promised():
    key = yearpairs.load_key(PAIRS)
    linked = [p for p in key["pairs"] if p["linked"]]
    assert sum(p["edited"] for p in linked) >= 12 and any(not p["edited"] for p in linked)
    assert sum(not p["linked"] for p in key["pairs"]) >= 3
    for p in key["pairs"]:
        assert (PAIRS / p["old_file"]).exists() and (PAIRS / p["new_file"]).exists(), p["id"]


def test_every_pair_linked_as_the_key_says(scored):
    assert scored.links == 1.0 and scored.negatives == 1.0, [m for m in scored.misses if "link" in m]


def test_indicator_pairs_and_directions_as_the_key_says(scored):
    assert scored.pairs >= 0.95, "\n".join(scored.misses)
    assert scored.directions >= 0.95, "\n".join(scored.misses)


def test_the_three_real_misses_are_right(ingested):
    decls = identity.link(ingested.declarations)
    wupao = decls[decls["source_file"].str.startswith(("e02", "e03"))]
    assert wupao["project_key"].nunique() == 1
    ch = metrics.refine_changes(metrics.target_changes(ingested.indicators, wupao), ingested.indicators)
    row = {n: r for n, r in zip(ch["name"], ch.to_dict("records"))}
    cars = row["雾炮车抑尘降尘服务配备车辆数"]
    assert (cars["old_raw"], cars["new_raw"], cars["change"]) == ("10辆", "10", "unchanged")
    assert cars["indicator_match"] == "project-name" and cars["unit_not_printed"]
    reach = row["雾炮车风炮射程"]
    assert (reach["old_raw"], reach["new_raw"], reach["change"]) == ("≥80M", "80M", "unchanged")
    assert reach["op_not_printed"]
    sat = row["满意度"]
    assert (sat["old_raw"], sat["new_raw"], sat["change"], sat["indicator_match"]) == (
        "≥90%",
        "90%",
        "unchanged",
        "fuzzy",
    )
    assert not ch["change"].isin(["added", "removed"]).any()


def test_the_docs_table_is_the_score(scored):
    m = re.search(r"<!-- scores:year-pairs -->\n(.*?)\n<!-- /scores -->", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert m, "docs/analysis.md has no scores:year-pairs block"
    assert m.group(1) == yearpairs.markdown_table(scored)


def test_an_indicator_is_followed_over_the_years_of_its_project(ingested):
    decls = identity.link(ingested.declarations)
    f02 = decls[decls["source_file"].str.startswith("f02")]
    hist = metrics.target_history(ingested.indicators, decls, project_key=f02["project_key"].iloc[0])
    assert set(hist["year"]) == {2018, 2019}
    # 16 indicators in 2018: 14 followed into 2019, 2 dropped (a row saying so); 1 new in 2019
    assert hist.groupby("indicator_key")["year"].nunique().value_counts().to_dict() == {2: 16, 1: 1}
    moves = hist.loc[hist["year"] == 2019, "change"]
    assert moves.eq("removed").sum() == 2 and moves.eq("added").sum() == 1 and len(moves) == 17
    new = hist[hist["year"] == 2019].set_index("name")
    assert new.loc["贫困群众满意度(≥**%)", "indicator_match"] == "fuzzy"
    assert new.loc["旅游基础设施持续发挥效益年限", "change"] == "added"
    assert hist.loc[hist["year"] == 2018, "change"].isna().all()


# ----------------------------------------------------------------------------- the rules, one by one


def _pair(old_rows, new_rows, old_project="道路保洁经费", new_project=None):
    """Indicators of one project in 2021 and 2022: rows (level1, level2, name, raw, op, value, unit, kind)."""
    decl = pd.DataFrame(
        {
            "decl_id": ["a", "b"],
            "unit": ["某区环卫所", "某区环卫所"],
            "year": [2021, 2022],
            "project": [old_project, new_project or old_project],
        }
    )
    rows = []
    for did, year, project, items in (("a", 2021, old_project, old_rows), ("b", 2022, new_project, new_rows)):
        for seq, (l1, l2, name, raw, op, value, unit, kind) in enumerate(items, 1):
            rows.append(
                dict(
                    decl_id=did,
                    year=year,
                    unit="某区环卫所",
                    project=project or old_project,
                    seq=seq,
                    level1=l1,
                    level2=l2,
                    name=name,
                    level1_std={"产出指标": "产出", "效益指标": "效益", "满意度指标": "满意度"}[l1],
                    target_raw=raw,
                    op=op,
                    value=value,
                    value_hi=None,
                    value_unit=unit,
                    kind=kind,
                )
            )
    ind = pd.DataFrame(rows)
    return metrics.refine_changes(metrics.target_changes(ind, decl), ind)


def _q(name, raw, op, value, unit, l2="数量指标", l1="产出指标"):
    return (l1, l2, name, raw, op, value, unit, "quantitative")


@pytest.mark.parametrize("word", ["≥", ">=", "大于等于", "不低于", "不少于"])
def test_operator_words_compare_equal(word):
    ch = _pair(
        [_q("清扫面积", "≥50万平方米", ">=", 500000.0, "平方米")],
        [_q("清扫面积", f"{word}50万平方米", ">=", 500000.0, "平方米")],
    )
    assert ch["change"].tolist() == ["unchanged"] and not ch["op_not_printed"].any()


def test_an_operator_not_printed_takes_the_other_years_and_is_flagged():
    ch = _pair(
        [_q("清扫面积", "50万平方米", "=", 500000.0, "平方米"), _q("作业车辆", "≥12辆", ">=", 12.0, "辆")],
        [_q("清扫面积", "≥55万平方米", ">=", 550000.0, "平方米"), _q("作业车辆", "12辆", "=", 12.0, "辆")],
    )
    assert ch["change"].tolist() == ["tightened", "unchanged"] and ch["op_not_printed"].all()


def test_the_same_quantity_in_another_unit_is_converted():
    ch = _pair(
        [
            _q("项目成本", "≤50万元", "<=", 500000.0, "元", l2="成本指标"),
            _q("清运量", "≥3500公斤", ">=", 3500.0, "公斤"),
            _q("保洁周期", "≤1年", "<=", 1.0, "年", l2="时效指标"),
            _q("作业面积", "≥60亩", ">=", 60.0, "亩"),
        ],
        [
            _q("项目成本", "≤500000元", "<=", 500000.0, "元", l2="成本指标"),
            _q("清运量", "≥4吨", ">=", 4.0, "吨"),
            _q("保洁周期", "≤12个月", "<=", 12.0, "个月", l2="时效指标"),
            _q("作业面积", "≥3公顷", ">=", 3.0, "公顷"),
        ],
    )
    assert ch["change"].tolist() == ["unchanged", "tightened", "unchanged", "loosened"]


def test_days_and_working_days_are_not_converted():
    ch = _pair(
        [_q("处置时限", "≤5天", "<=", 5.0, "天", l2="时效指标")],
        [_q("处置时限", "≤5个工作日", "<=", 5.0, "个工作日", l2="时效指标")],
    )
    assert ch["change"].tolist() == ["changed"]


def test_names_embedding_the_renamed_project_meet():
    ch = _pair(
        [_q("道路保洁经费覆盖道路数", "20条", "=", 20.0, "条")],
        [_q("道路清扫保洁经费覆盖道路数", "20条", "=", 20.0, "条")],
        new_project="道路清扫保洁经费",
    )
    assert ch["indicator_match"].tolist() == ["project-name"] and ch["change"].tolist() == ["unchanged"]


def test_renamed_level2_headings_and_near_names_meet():
    sat = ("满意度指标", "社会公众或服务对象满意度指标", "市民满意度", "≥90%", ">=", 90.0, "%", "quantitative")
    sat2 = ("满意度指标", "满意度指标", "市民满意度", "≥92%", ">=", 92.0, "%", "quantitative")
    ch = _pair(
        [sat, _q("道路清扫保洁面积", "≥50万平方米", ">=", 5e5, "平方米")],
        [sat2, _q("道路清扫面积", "≥50万平方米", ">=", 5e5, "平方米")],
    )
    got = dict(zip(ch["name"], zip(ch["indicator_match"], ch["change"])))
    assert got == {"市民满意度": ("level2-renamed", "tightened"), "道路清扫面积": ("fuzzy", "unchanged")}


def test_near_names_are_guarded():
    ch = _pair(
        [
            _q("第一批道路清扫面积", "≥50万平方米", ">=", 5e5, "平方米"),  # another number: never paired
            _q("垃圾清运", "≥30吨", ">=", 30.0, "吨"),  # another, unconvertible unit: never paired
            _q("资金到位率", "≥95%", ">=", 95.0, "%"),  # another word in a short name: not near
            _q("质量", "优", None, None, None, l2="质量指标"),  # too short to pair by similarity
        ],
        [
            _q("第二批道路清扫面积", "≥50万平方米", ">=", 5e5, "平方米"),
            _q("垃圾清运车次", "≥30车次", ">=", 30.0, "车次"),
            _q("资金使用率", "≥95%", ">=", 95.0, "%"),
            _q("质量好", "优", None, None, None, l2="质量指标"),
        ],
    )
    assert sorted(ch["change"]) == ["added"] * 4 + ["removed"] * 4


def test_pairs_are_one_to_one_best_first():
    ch = _pair(
        [_q("市民满意度", "≥90%", ">=", 90.0, "%", l2="满意度指标", l1="满意度指标")],
        [
            _q("满意度", "≥90%", ">=", 90.0, "%", l2="满意度指标", l1="满意度指标"),
            _q("沿街市民满意度", "≥90%", ">=", 90.0, "%", l2="满意度指标", l1="满意度指标"),
        ],
    )
    paired = ch.loc[ch["indicator_match"].notna(), "name"].tolist()
    assert paired == ["沿街市民满意度"] and ch["change"].value_counts().to_dict() == {"unchanged": 1, "added": 1}


def test_the_report_shows_one_row_per_indicator_and_a_column_per_year(ingested):
    from analysis.reports import history

    decls = identity.link(ingested.declarations)
    wupao = decls[decls["source_file"].str.startswith(("e02", "e03"))]
    hist = metrics.target_history(ingested.indicators, wupao)
    wide = history.history_table(hist).set_index("name")
    assert list(wide.columns) == ["indicator_key", "level1", "level2", "2023", "2024", "note"]
    assert len(wide) == 7
    cars = wide.loc["雾炮车抑尘降尘服务配备车辆数"]
    assert (cars["2023"], cars["2024"]) == ("10辆", "10（不变）")
    assert "去除项目名后相同" in cars["note"] and "原名“雾炮车降尘抑尘服务配备车辆数”" in cars["note"]
    assert "一年未印单位" in cars["note"]
    assert "相近名称 88" in wide.loc["满意度", "note"] and wide.loc["服务周期", "note"] == ""
    markup = history.target_history_html(hist)
    assert markup.count("<tr>") == 8 and "曾用名 雾炮车降尘抑尘服务" in markup and "<details" not in markup
    assert "<details" in history.target_history_html(hist, collapse_at=5)
