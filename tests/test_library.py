"""The indicator kinds, the indicator library and each target's position among its peers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import kinds, load, metrics
from analysis.ingest.pipeline import ingest
from analysis.metrics.library import LAX_PERCENTILE, MIN_PEERS

ROOT = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("ANALYSIS_REAL_WORLD") or ROOT.parent.parent / "shared" / "real-world")
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the real declarations are not at {SHARED} (set ANALYSIS_REAL_WORLD)"
)
REAL = {
    "rw": SHARED,
    "extra": ROOT / "fixtures" / "real-world-extra",
    "more": ROOT / "fixtures" / "real-world-more",
}


def test_every_kind_is_documented_with_a_direction_and_a_unit():
    table = kinds.table()
    assert len(table) >= 10
    docs = (ROOT.parent / "docs" / "analysis.md").read_text(encoding="utf-8")
    for k in table:
        assert k.meaning and k.name and k.stricter in kinds.DIRECTIONS
        assert f"`{k.id}`" in docs, f"docs/analysis.md does not document the kind {k.id}"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("市民满意度", "satisfaction"),
        ("服务对象满意度(≥**%)", "satisfaction"),
        ("群众满意率", "satisfaction"),
        ("任务完成率", "completion_rate"),
        ("项目完成率", "completion_rate"),
        ("资金到位及时率", "timeliness_rate"),
        ("验收合格率", "quality_rate"),
        ("覆盖率", "coverage_rate"),
        ("政策知晓率", "coverage_rate"),
        ("预算执行率", "execution_rate"),
        ("出差单位成本", "unit_cost"),
        ("培训学员人数", "people"),
        ("指标1:项目总成本(≤**万元)", "cost"),
        ("项目完成时间", "deadline"),
        ("雾炮车风炮射程", None),  # nothing says what it measures: no kind, never guessed
        ("本项目不适用此指标", None),
        (None, None),
    ],
)
def test_an_indicator_gets_its_kind_from_its_name(name, kind):
    assert kinds.kind_of(name) == kind


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    for name, src in REAL.items():
        shutil.copytree(src, raw / name, ignore=shutil.ignore_patterns("*.json", "*.md"))
    out = tmp_path_factory.mktemp("processed")
    ingest(raw, out, jobs=1)
    return load(out)


@needs_shared
def test_the_kinds_cover_most_real_indicators(real):
    ind = real.indicators[real.indicators.horizon == "year"]
    share = ind.indicator_kind.notna().mean()
    print(f"kinds cover {share:.1%} of {len(ind)} real indicators")
    assert share >= 0.80
    assert set(ind.indicator_kind.dropna()) <= {k.id for k in kinds.table()}


def _frame(values, kind="satisfaction", unit="%", year=2023, province="湖北省"):
    n = len(values)
    ind = pd.DataFrame(
        {
            "decl_id": [f"d{i}" for i in range(n)],
            "seq": 1,
            "unit": [f"单位{i}" for i in range(n)],
            "year": year,
            "project": "项目",
            "name": {"satisfaction": "群众满意度", "error_rate": "投诉率"}[kind],
            "target_raw": [f">={v}%" for v in values],
            "op": ">=",
            "value": [float(v) for v in values],
            "value_unit": unit,
            "kind": "quantitative",
            "horizon": "year",
            "indicator_kind": kind,
        }
    )
    decl = pd.DataFrame({"decl_id": ind.decl_id, "province": province, "adcode": "420000"})
    return ind, decl


def test_a_lax_target_is_flagged_among_enough_peers():
    ind, decl = _frame([60, 90, 90, 92, 95, 95, 95, 96, 98, 100])
    pp = metrics.peer_position(ind, decl).set_index("decl_id")
    assert pp.n_peers.eq(10).all() and pp.peer_percentile.notna().all()
    assert pp.loc["d0", "lax"] and pp.loc["d0", "peer_percentile"] <= LAX_PERCENTILE
    assert pp.loc["d0", "peer_median"] == 95
    assert not pp.drop("d0").lax.any()
    assert pp.loc["d9", "peer_percentile"] == 1.0


def test_no_position_and_no_flag_from_a_group_too_small():
    ind, decl = _frame([60, 90, 90, 92, 95, 95, 95, 96, 98][: MIN_PEERS - 1])
    pp = metrics.peer_position(ind, decl)
    assert len(pp) == MIN_PEERS - 1 and pp.peer_percentile.isna().all() and not pp.lax.any()


def test_lower_is_stricter_for_an_error_rate():
    ind, decl = _frame([1, 1, 1, 2, 2, 2, 2, 3, 3, 20], kind="error_rate")
    pp = metrics.peer_position(ind, decl).set_index("decl_id")
    assert pp.loc["d9", "lax"] and pp.loc["d0", "peer_percentile"] == 1.0


def test_peers_within_the_province():
    a, da = _frame([60] + [95] * 9, province="湖北省")
    b, db = _frame([50] * 10, province="安徽省")
    b = b.assign(decl_id="b" + b.decl_id)
    db = db.assign(decl_id="b" + db.decl_id)
    ind, decl = pd.concat([a, b]), pd.concat([da, db])
    national = metrics.peer_position(ind, decl).set_index("decl_id")
    local = metrics.peer_position(ind, decl, within_province=True).set_index("decl_id")
    assert national.n_peers.eq(20).all() and local.n_peers.eq(10).all()
    assert local.loc["d0", "lax"] and not local.loc["bd0", "lax"]
    assert set(local.peer_scope) == {"province"}


def test_a_kind_set_under_two_level2_headings_gets_a_row_for_each():
    a, da = _frame([90, 90, 92, 95, 95, 95, 96, 98, 100, 100])
    b, db = _frame([70, 75, 75, 80, 80, 80, 85, 85, 90, 90])
    b = b.assign(decl_id="b" + b.decl_id, level2="社会效益指标")
    db = db.assign(decl_id="b" + db.decl_id)
    few, dfew = _frame([50, 60])
    few = few.assign(decl_id="f" + few.decl_id, level2="可持续影响")
    dfew = dfew.assign(decl_id="f" + dfew.decl_id)
    ind = pd.concat([a.assign(level2="服务对象满意度指标"), b, few], ignore_index=True)
    lib = metrics.indicator_library(ind, pd.concat([da, db, dfew]))
    sat = lib[lib.indicator_kind == "satisfaction"]
    assert pd.isna(sat.level2_class.iloc[0]) and sat.n_indicators.iloc[0] == 22  # the kind's row, kept
    rows = sat[sat.level2_class.notna()].set_index("level2_class")
    assert list(rows.index) == ["满意度", "社会效益"]  # 服务对象满意度指标 is of the class 满意度; 2 targets: no row
    assert rows.loc["满意度", "q50"] == 95 and rows.loc["社会效益", "q50"] == 80
    assert rows.n_indicators.tolist() == [10, 10] and (rows.value_unit == "%").all()
    # one heading only: no row per heading
    alone = metrics.indicator_library(a.assign(level2="满意度指标"), da)
    assert alone[alone.indicator_kind == "satisfaction"].level2_class.isna().all()


@needs_shared
def test_the_library_and_peer_positions_of_the_real_corpora(real):
    lib = metrics.indicator_library(real.indicators, real.declarations)
    whole = lib[lib.level2_class.isna()]
    assert list(whole.indicator_kind) == [k.id for k in kinds.table()]
    sat = whole.set_index("indicator_kind").loc["satisfaction"]
    assert sat.n_indicators >= 10 and sat.value_unit == "%" and 80 <= sat.q50 <= 100
    assert "满意度" in sat.wordings
    pp = metrics.peer_position(real.indicators, real.declarations)
    # few real targets of one kind share a year: their groups are too small to judge
    assert len(pp) and pp[pp.n_peers < MIN_PEERS].peer_percentile.isna().all() and not pp.lax.any()


def test_every_target_of_a_large_enough_peer_group_has_its_position(tmp_path):
    import argparse

    from analysis.synthetic import cli as gen_cli

    parser = argparse.ArgumentParser()
    gen_cli.add_arguments(parser)
    assert gen_cli.run(parser.parse_args(["--out", str(tmp_path / "raw" / "synthetic"), "--sample"])) == 0
    ingest(tmp_path / "raw", tmp_path / "out", jobs=1)
    ds = load(tmp_path / "out")
    pp = metrics.peer_position(ds.indicators, ds.declarations)
    big = pp[pp.n_peers >= MIN_PEERS]
    print(f"{len(big)} of {len(pp)} comparable targets in groups of {MIN_PEERS} or more; {int(pp.lax.sum())} lax")
    assert len(big) > len(pp) / 2 and big.peer_percentile.notna().all()
    assert pp[pp.n_peers < MIN_PEERS].peer_percentile.isna().all()
    assert 0 < pp.lax.sum() < len(pp) * LAX_PERCENTILE
    lib = metrics.indicator_library(ds.indicators, ds.declarations)
    whole = lib[lib.level2_class.isna()]
    assert whole.n_indicators.sum() == ds.indicators[ds.indicators.horizon == "year"].indicator_kind.notna().sum()
    # the sample sets 满意度 under 社会效益 and under 满意度, 覆盖率 under 社会效益 and 生态效益: a row each
    by_level2 = lib[lib.level2_class.notna()].set_index(["indicator_kind", "level2_class"])
    assert {("satisfaction", "社会效益"), ("satisfaction", "满意度")} <= set(by_level2.index)
    assert by_level2.n_quantitative.ge(MIN_PEERS).all()
    cover = by_level2.loc["coverage_rate"]
    assert cover.loc["生态效益", "q50"] < cover.loc["社会效益", "q50"]  # targets that differ by heading
