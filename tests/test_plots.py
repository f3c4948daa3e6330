"""Every chart renders with real CJK glyphs: a missing-glyph warning fails the test."""

from __future__ import annotations

import io

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis import metrics
from analysis.reports import fonts, plots
from analysis.tables import load

from seedkit import HOSTILE_UNITS, SEED_UNIT, make_processed


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return load(make_processed(tmp_path_factory.mktemp("plots") / "processed", hostile=True))


def _charts(ds):
    decl, ind = ds.declarations, ds.indicators
    unit_decl = decl[decl["unit"] == SEED_UNIT]
    execution = metrics.project_execution(decl)
    changes = metrics.target_changes(ind, decl)
    summary = metrics.change_summary(changes, by=("unit", "to_year"))
    quality = metrics.target_quality(ind, by=("unit", "year"), changes=changes)
    y2020 = decl[decl["year"] == 2020]
    from analysis.metrics.summaries import change_shares, unit_ranking

    ranking = unit_ranking(y2020, metrics.execution_rates(y2020, by=("unit", "year")))
    return {
        "projects_per_year": plots.projects_per_year(unit_decl),
        "budget_per_year": plots.budget_per_year(unit_decl),
        "execution_vs_target": plots.execution_vs_target(execution[execution["unit"] == SEED_UNIT]),
        "units_by_budget": plots.units_by_budget(ranking),
        "units_by_rate": plots.units_by_rate(ranking),
        "rate_distribution": plots.rate_distribution(execution),
        "change_counts_year": plots.change_counts(summary[summary["unit"] == SEED_UNIT], by="to_year"),
        "change_counts_unit": plots.change_counts(summary[summary["to_year"] == 2021], by="unit"),
        "target_quality_year": plots.target_quality(quality[quality["unit"] == SEED_UNIT], by="year"),
        "target_quality_unit": plots.target_quality(quality[quality["year"] == 2021], by="unit"),
        "change_shares": plots.change_shares(change_shares(changes)),
    }


def test_a_cjk_font_is_installed_and_set():
    family = fonts.setup(required=True)
    assert family
    assert matplotlib.rcParams["font.sans-serif"][0] == family


def test_every_chart_renders_without_missing_glyphs(ds):
    with fonts.missing_glyphs() as missing:
        charts = _charts(ds)
        for name, fig in charts.items():
            assert isinstance(fig, Figure), name
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
            assert buf.tell() > 1000, name
    assert missing == []


def test_missing_glyphs_does_catch_a_missing_glyph():
    """The check above can fail: a font without Chinese glyphs does warn."""
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_title("预算执行率", fontfamily="DejaVu Sans")
    with fonts.missing_glyphs() as missing:
        fig.savefig(io.BytesIO(), format="png")
    assert missing and "missing from font" in missing[0]


def test_a_chart_without_data_is_a_one_line_strip(ds):
    empty = ds.declarations.iloc[0:0]
    fig = plots.projects_per_year(empty)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["每年申报的项目数：", "无数据"]
    assert fig.get_figheight() < 1 and plots.is_empty(fig) == "每年申报的项目数"
    assert plots.is_empty(plots.projects_per_year(ds.declarations)) is None
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.tell() > 0


def _ranking(n_units: int, n_rated: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": [f"单位{i:02d}" for i in range(n_units)],
            "year_budget": [1e6 * (i + 1) for i in range(n_units)],
            "rate": [0.5 + i / 100 if i < n_rated else None for i in range(n_units)],
        }
    )


def _bars(fig) -> int:
    return len(fig.axes[0].patches)


def test_ranked_charts_say_what_they_show():
    fig = plots.units_by_rate(_ranking(30, 15))  # 15 units with a rate: all of them shown, not "the lowest 25"
    assert fig.axes[0].get_title() == "各单位上年预算执行率（有数据的 15 个单位，另 15 个无数据）" and _bars(fig) == 15
    fig = plots.units_by_rate(_ranking(30, 15), top=10)
    assert fig.axes[0].get_title() == "各单位上年预算执行率（最低的 10 个单位，共 15 个）" and _bars(fig) == 10
    fig = plots.units_by_rate(_ranking(8, 8))
    assert fig.axes[0].get_title() == "各单位上年预算执行率" and _bars(fig) == 8
    fig = plots.units_by_budget(_ranking(30, 0))
    assert fig.axes[0].get_title() == "各单位当年预算（最高的 25 个单位，共 30 个）" and _bars(fig) == 25


def test_counts_have_whole_number_ticks():
    execution = pd.DataFrame({"realized_rate": [0.9, 0.95, 0.95, 0.97, 1.0, 1.0, 1.0]})
    fig = plots.rate_distribution(execution)
    fig.canvas.draw()
    ticks = [t for t in fig.axes[0].get_yticks() if t >= 0]
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks


def test_hostile_names_are_plain_labels():
    assert plots.label("a$x^2$局") == r"a\$x^2\$局"
    assert plots.label("上海市绿化和市容管理局行政服务中心", width=10) == "上海市绿化和市容管…"
    assert "\n" not in plots.label("甲\n乙")
    assert plots.label(HOSTILE_UNITS[0], width=40) == "<script>alert(1)</script>局"


def test_change_words_are_the_registrys():
    from analysis import tables

    labels = {name: text for name, (_, text) in plots.CHANGE_COLORS.items()}
    assert labels["tightened"] == tables.heading("tightened") == "收紧"
    assert labels["loosened"] == "放松" and labels["framework_changes"] == "框架调整"
