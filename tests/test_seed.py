"""The real published file in data/raw: every field of both declarations, every indicator."""

import datetime as dt

import pandas as pd
import pytest

UNIT = "上海市绿化和市容管理局行政服务中心"
P1 = "绿化市容环卫热线运作和受理处置工作经费"
P2 = "全市绿化、市容、环卫、林业诉求处置督查督办"


@pytest.fixture(scope="module")
def decls(seed_result):
    return seed_result.declarations.set_index("project")


def test_summary_counts(seed_result):
    s = seed_result.summary
    assert (s["files"], s["declarations"], s["indicators"], s["errors"]) == (1, 2, 17, 0)
    assert s["ledger_ok"]


def test_first_declaration_fields(decls):
    d = decls.loc[P1]
    assert d["unit"] == UNIT and d["year"] == 2020
    assert d["category"] == "其他一次性项目" and d["perf_type"] == "其他类"
    assert not d["gov_purchase"] and d["gov_purchase"] is not None
    assert d["start_date"] == dt.date(2020, 1, 1) and d["end_date"] == dt.date(2020, 12, 31)
    assert d[["total_budget", "year_budget", "prior_budget", "prior_executed"]].tolist() == [
        1406400.0,
        1406400.0,
        1296100.0,
        1296100.0,
    ]
    assert d["prior_execution_rate"] == 1.0
    assert d["overview"] == "本项目实施内容为通过劳务派遣方式增加绿化市容热线受理岗位及行政受理岗位人员。"
    assert d["basis"].startswith("《上海市人民政府关于做好“12345”市民服务热线工作的意见》（沪府〔2012〕85号）")
    assert d["basis"].endswith("（沪委办发〔2018〕14号）")
    assert d["necessity"].startswith("为做好“12345”市民服务热线工作") and d["necessity"].endswith(
        "信访办理等方面工作。"
    )
    assert d["measures"].startswith("党政办公室负责编制项目计划") and d["measures"].endswith("的申请和款项的支付。")
    assert d["plan"] == "本项目的预算经费为140.64万元,全部来源于市财政拨款。11月30日前完成全部资金支付。"
    assert d["goals"].endswith("热线接听及诉求处理工作上台阶。")
    assert d["source_file"] == "000_bd3c41999dbba456.txt" and d["source_line"] == 3


def test_second_declaration_fields_lose_their_markup(decls):
    d = decls.loc[P2]
    assert d["unit"] == UNIT and d["year"] == 2020
    assert d[["total_budget", "year_budget", "prior_budget", "prior_executed"]].tolist() == [
        490000.0,
        490000.0,
        720000.0,
        720000.0,
    ]
    assert d["prior_execution_rate"] == 1.0
    for col in ("overview", "basis", "necessity", "measures", "plan", "goals"):
        assert "<p>" not in d[col] and "</p>" not in d[col], col
    assert d["goals"] == "推动诉求处置工作管理水平的提高，促进公众满意度的提升。"
    assert d["overview"].startswith("中共中央办公厅 国务院办公厅2016年12月印发")
    assert d["plan"] == (
        "本项目的预算经费为49万元,全部来源于市财政拨款。初步计划6月30日前申请拨款25万元，10月31日前申请拨款24万元。"
    )
    assert d["source_line"] == 32


def test_decl_ids_are_stable_and_distinct(seed_result, tmp_path):
    from analysis.ingest import ingest

    ids = seed_result.declarations["decl_id"]
    assert ids.is_unique and ids.str.fullmatch(r"[0-9a-f]{16}").all()
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    from tests.conftest import SEED

    (raw / "sub" / "renamed.txt").write_bytes(SEED.read_bytes())
    second = ingest(raw)
    assert sorted(second.declarations["decl_id"]) == sorted(ids)
    assert second.declarations["source_file"].eq("sub/renamed.txt").all()


EXPECTED = [
    # seq, level1, level2, name, target, op, value, unit, kind, line
    (1, "投入与管理", "投入管理", "预算资金到位率", "=99%", "=", 99, "%", "quantitative", 23),
    (2, "投入与管理", "财务管理", "预算执行率", "=99%", "=", 99, "%", "quantitative", 24),
    (3, "投入与管理", "实施管理", "资金使用规范性", "规范", None, None, None, "qualitative", 25),
    (4, "产出目标", "数量", "人员聘用完成率", ">=90%", ">=", 90, "%", "quantitative", 26),
    (5, "产出目标", "质量", "派遣人员合格率", ">=90%", ">=", 90, "%", "quantitative", 27),
    (6, "产出目标", "时效", "派遣人员到岗及时性", "及时", None, None, None, "qualitative", 28),
    (7, "效果目标", "社会效益", "对保障绿化市容环卫热线运行的作用", "有效保障", None, None, None, "qualitative", 29),
    (8, "影响力目标", "长效管理", "项目的可持续性", "可持续", None, None, None, "qualitative", 30),
    (1, "投入与管理", "投入管理", "预算资金到位率", ">=99%", ">=", 99, "%", "quantitative", 52),
    (2, "投入与管理", "财务管理", "预算执行率", ">=99%", ">=", 99, "%", "quantitative", 53),
    (3, "投入与管理", "实施管理", "采购规范性", "规范", None, None, None, "qualitative", 54),
    (4, "产出目标", "数量", "热线录音监听", ">=8500个", ">=", 8500, "个", "quantitative", 55),
    (5, "产出目标", "质量", "热线诉求回访率", ">=95%", ">=", 95, "%", "quantitative", 56),
    (6, "产出目标", "质量", "年度报告完成率", "=100%", "=", 100, "%", "quantitative", 57),
    (7, "产出目标", "时效", "项目完成时间", "2020年", "<=", 20201231, None, "deadline", 58),
    (8, "效果目标", "社会效益", "公众满意度", ">=80%", ">=", 80, "%", "quantitative", 59),
    (9, "影响力目标", "配套设施", "项目的可持续性", "可持续", None, None, None, "qualitative", 60),
]


def test_all_17_indicators(seed_result):
    ind = seed_result.indicators
    cols = ["seq", "level1", "level2", "name", "target_raw", "op", "value", "value_unit", "kind", "source_line"]
    got = [
        tuple(None if (isinstance(v, float) and pd.isna(v)) or v is pd.NA else v for v in row)
        for row in ind[cols].itertuples(index=False)
    ]
    assert got == [tuple(e) for e in EXPECTED]
    assert ind["project"].tolist() == [P1] * 8 + [P2] * 9
    std = dict(zip(ind["level1"], ind["level1_std"]))
    assert std == {"投入与管理": "投入管理", "产出目标": "产出", "效果目标": "效益", "影响力目标": "影响力"}


def test_shifted_row_keeps_its_level1_and_is_reported(seed_result):
    ind = seed_result.indicators
    row = ind[ind["source_line"] == 58].iloc[0]
    assert (row["level1"], row["level2"], row["name"], row["target_raw"], row["kind"]) == (
        "产出目标",
        "时效",
        "项目完成时间",
        "2020年",
        "deadline",
    )
    probs = seed_result.problems
    assert probs["code"].tolist() == ["shifted-row"]
    assert probs["source_line"].tolist() == [58] and probs["severity"].tolist() == ["warning"]


def test_exec_target_from_the_budget_execution_indicator(decls):
    assert decls.loc[P1, "exec_target"] == pytest.approx(0.99) and decls.loc[P1, "exec_target_op"] == "="
    assert decls.loc[P2, "exec_target"] == pytest.approx(0.99) and decls.loc[P2, "exec_target_op"] == ">="
