"""The first screen of the year and overview reports (metrics.year_headline / overview_headline,
reports.headline): figures recomputed here from the synthetic sample's tables, flags that link
to sections their notebooks have."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis import metrics
from analysis.reports import headline, show

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
YEAR = 2022


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The shipped synthetic sample, ingested: its tables and the frames the notebooks compute."""
    from analysis.ingest import ingest
    from analysis.synthetic.corpus import generate
    from analysis.synthetic.params import SAMPLE

    base = tmp_path_factory.mktemp("sample")
    generate(base / "raw", SAMPLE)
    ingest(base / "raw", base / "processed")
    data = show.load_all(base / "processed")
    decl, ind = data.declarations, data.indicators
    changes = metrics.changes_for_report(ind, decl)
    return {
        "processed": base / "processed",
        "data": data,
        "execution": metrics.project_execution(decl),
        "changes": changes,
        "project_budget": metrics.project_budget_vs_targets(decl, changes),
        "review": metrics.review_for_report(decl, ind, changes=changes, problems=data.problems),
    }


def _year(sample, year=YEAR) -> dict:
    """The year report's first screen as its notebook computes it (from load_year's two years)."""
    data = show.load_year(sample["processed"], year)
    execution = metrics.project_execution(data.declarations)
    execution = execution[(execution["exec_year"] == year - 1) & execution["realized_decl_id"].notna()]
    changes = metrics.changes_for_report(data.indicators, data.declarations)
    project_budget = metrics.project_budget_vs_targets(data.declarations, changes)
    review = metrics.review_for_report(data.declarations, data.indicators, changes=changes, problems=data.problems)
    review = review[review["year"] == year]
    return metrics.year_headline(data.declarations, year, execution, changes, project_budget, review, data.problems)


def test_the_year_figures_are_the_year_against_the_one_before(sample):
    h = _year(sample)
    d = sample["data"].declarations
    this, before = d[d["year"] == YEAR], d[d["year"] == YEAR - 1]
    assert h["year"] == YEAR and h["exec_year"] == YEAR - 1
    assert (h["n_units"], h["n_projects"]) == (this["unit"].nunique(), len(this))
    assert (h["prev_n_units"], h["prev_n_projects"]) == (before["unit"].nunique(), len(before))
    assert h["year_budget"] == pytest.approx(this["year_budget"].sum())
    assert h["budget_change"] == pytest.approx(this["year_budget"].sum() - before["year_budget"].sum())
    assert h["budget_change_rel"] == pytest.approx(h["budget_change"] / before["year_budget"].sum())
    # last year's execution as this year's declarations report it, weighted by budget
    both = this[this["prior_budget"].gt(0) & this["prior_executed"].notna()]
    assert h["rate"] == pytest.approx(both["prior_executed"].sum() / both["prior_budget"].sum())
    ch = sample["changes"][sample["changes"]["to_year"] == YEAR]
    assert (h["tightened"], h["loosened"]) == ((ch["change"] == "tightened").sum(), (ch["change"] == "loosened").sum())
    assert h["tightened"] + h["loosened"] > 0
    assert h["n_compared"] == (~ch["change"].isin(["added", "removed"]) & ~ch["framework_change"]).sum()
    rv = sample["review"][sample["review"]["year"] == YEAR]
    judged = rv[rv["outcome"].isin(["pass", "fail"])]
    assert h["pass_rate"] == pytest.approx((judged["outcome"] == "pass").mean())
    assert h["n_fail_projects"] == judged.loc[judged["outcome"] == "fail", "decl_id"].nunique()


def test_the_year_flags_count_projects_of_that_year_only(sample):
    h = _year(sample)
    pb = sample["project_budget"]
    flagged = pb[(pb["year"] == YEAR) & pb["budget_up_targets_loosened"].astype(bool)]
    assert h["n_flagged_projects"] == len(flagged) > 0
    assert h["n_flagged_units"] == flagged["unit"].nunique()
    # the unit whose total grew only through a new project has no project flagged (issue 25)
    assert "示例市市场监督管理局" not in set(flagged["unit"])
    ex = sample["execution"]
    below = ex[(ex["exec_year"] == YEAR - 1) & ex["realized_decl_id"].notna() & ex["below_target"].fillna(False)]
    assert h["n_below_target"] == h["n_below_target_all"] == len(below)
    page = headline.year_headline_html(h)
    assert f"{h['n_flagged_projects']} 个项目当年预算增加而目标放松（涉及 {h['n_flagged_units']} 个单位）" in page
    assert f'<a href="#{show.heading_anchor("预算与目标")}">' in page


def test_the_overview_figures_are_the_same_across_years(sample):
    data = sample["data"]
    d = data.declarations
    h = metrics.overview_headline(
        d, sample["execution"], sample["changes"], sample["project_budget"], sample["review"], data.problems
    )
    years = sorted(d["year"].unique())
    assert (h["first_year"], h["year"], h["n_years"]) == (years[0], years[-1], len(years))
    assert (h["n_units"], h["n_declarations"]) == (d["unit"].nunique(), len(d))
    assert h["total_budget"] == pytest.approx(d["year_budget"].sum())
    assert h["year_budget"] == pytest.approx(d.loc[d["year"] == years[-1], "year_budget"].sum())
    ch = sample["changes"]
    assert h["loosened_all"] == (ch["change"] == "loosened").sum() > h["loosened"]
    pb = sample["project_budget"]
    assert h["n_flagged_projects"] == pb["budget_up_targets_loosened"].astype(bool).sum()
    judged = sample["review"][sample["review"]["outcome"].isin(["pass", "fail"])]
    assert h["pass_rate"] == pytest.approx((judged["outcome"] == "pass").mean())
    page = headline.overview_headline_html(h)
    assert f"{h['n_units']} 个单位，{years[0]}–{years[-1]} 年（{len(years)} 个年度）" in page
    assert f"收紧 {h['tightened_all']} · 放松 {h['loosened_all']}" in page


def _headings(notebook: str) -> set[str]:
    cells = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return set(re.findall(r"^## (.+?)\s*$", text, re.M))


@pytest.mark.parametrize(
    "flags, notebook",
    [(headline.YEAR_FLAGS, "year_report.ipynb"), (headline.OVERVIEW_FLAGS, "overview_report.ipynb")],
    ids=["year", "overview"],
)
def test_every_flag_links_to_a_section_its_report_has(flags, notebook):
    missing = [section for _key, _sentence, section in flags if section not in _headings(notebook)]
    assert not missing, f"{notebook} has no section {missing}"


def test_only_the_flags_that_count_are_listed_and_none_is_said_in_words():
    h = {
        "year": 2021,
        "n_units": 3,
        "n_projects": 7,
        "prev_n_units": 0,
        "prev_n_projects": 0,
        "year_budget": 1_000_000.0,
        "budget_change": float("nan"),
        "budget_change_rel": float("nan"),
        "exec_year": 2020,
        "rate": float("nan"),
        "exec_target": float("nan"),
        "n_below_target": 0,
        "tightened": 0,
        "loosened": 0,
        "n_compared": 0,
        "pass_rate": 1.0,
        "n_fail": 0,
        "n_fail_projects": 0,
        "n_errors": 2,
    }
    page = headline.year_headline_html(h)
    assert "数据中没有上年的申报" in page and "上年无可比预算" in page and "没有可比的执行率目标" in page
    assert page.count("<li>") == 1 and "2 条读取错误" in page
    assert page.index('class="figures"') < page.index("需要注意")
    quiet = headline.year_headline_html({**h, "n_errors": 0})
    assert "没有需要特别注意的事项。" in quiet and "<li>" not in quiet
    assert not re.search(r">[^<]*[A-Za-z]{3,}[^<]*<", quiet)  # no English on the page
    assert headline.year_headline_html({"year": None}) == ""


def test_a_year_the_data_do_not_hold_has_no_first_screen(sample):
    empty = pd.DataFrame(columns=sample["review"].columns)
    h = metrics.year_headline(
        sample["data"].declarations, 2030, sample["execution"], sample["changes"], sample["project_budget"], empty
    )
    assert h == {"year": None} and headline.year_headline_html(h) == ""
