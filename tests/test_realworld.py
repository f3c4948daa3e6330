"""Real published declarations, checked against their answer keys (``expected.json``).

Three folders: the shared set (``ANALYSIS_REAL_WORLD``, else ``<repo>/../shared/real-world``;
skipped with a reason where it is absent) and the two sets kept in the repository,
``tests/fixtures/real-world-extra`` and ``tests/fixtures/real-world-more`` (the 专项, 区域 and
批复 forms, wide forms). Every declaration, field and indicator of the key is
scored by :mod:`realworld`; docs/formats.md prints the scores, and the tests below keep that
table true.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import realworld

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ANALYSIS_REAL_WORLD") or ROOT.parent / "shared" / "real-world")
EXTRA = ROOT / "tests" / "fixtures" / "real-world-extra"
MORE = ROOT / "tests" / "fixtures" / "real-world-more"
DOC = ROOT / "docs" / "formats.md"


def _folder(path: Path) -> Path:
    if not (path / "expected.json").exists():
        pytest.skip(f"no real-world declarations at {path} (set ANALYSIS_REAL_WORLD to the folder)")
    return path


@pytest.fixture(scope="module")
def shared():
    from analysis.ingest import ingest

    folder = _folder(SHARED)
    result = ingest(folder, jobs=1)
    return folder, result, realworld.score(folder, result)


@pytest.fixture(scope="module")
def extra():
    from analysis.ingest import ingest

    folder = _folder(EXTRA)
    result = ingest(folder, jobs=1)
    return folder, realworld.score(folder, result), result


@pytest.fixture(scope="module")
def more():
    from analysis.ingest import ingest

    folder = _folder(MORE)
    result = ingest(folder, jobs=1)
    return folder, realworld.score(folder, result), result


def _doc_table(name: str) -> str:
    m = re.search(rf"<!-- scores:{name} -->\n(.*?)\n<!-- /scores -->", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert m, f"docs/formats.md has no scores:{name} block"
    return m.group(1)


def test_every_declaration_is_found(shared):
    _, _, s = shared
    assert s.declarations_found == s.declarations_expected == 20, [m for m in s.misses if "not found" in m]


def test_fields_and_indicators_as_in_the_key(shared):
    _, _, s = shared
    assert s.fields >= 0.95, "\n".join(m for m in s.misses if ": field " in m)
    assert s.indicators >= 0.95 and s.indicator_fields >= 0.95, "\n".join(m for m in s.misses if "indicator" in m)


def test_the_ledger_reconciles_and_nothing_is_an_error(shared):
    _, result, _ = shared
    assert result.summary["ledger_ok"]
    errors = result.problems[result.problems.severity == "error"]
    assert errors.empty, errors.to_string()


def test_what_the_key_asks_to_be_reported_is_reported(shared):
    """The key's notes: d03 prints no money unit, d07 no year, d14's period contradicts its
    year, d16 is cut off before its indicators, d04's second table ends at its header row."""
    _, result, _ = shared
    p = result.problems
    said = {(f.split("_")[0], c) for f, c in zip(p.source_file, p.code)}
    assert {
        ("d03", "amount-unit-assumed"),
        ("d07", "year-inferred"),
        ("d14", "dates-outside-year"),
        ("d16", "no-indicators"),
        ("d04", "no-indicators"),
    } <= said


def test_medium_term_targets_are_kept_apart(shared):
    _, result, _ = shared
    ind = result.indicators
    files = result.declarations.set_index("decl_id").source_file
    d10 = ind[ind.decl_id.map(files).str.startswith("d10")]
    assert sorted(set(d10.horizon)) == ["medium", "year"]
    assert (d10.horizon == "year").sum() == (d10.horizon == "medium").sum() == 7
    assert d10[d10.horizon == "year"].seq.max() < d10[d10.horizon == "medium"].seq.min()


def test_the_docs_table_is_the_score(shared):
    _, _, s = shared
    assert _doc_table("real-world") == realworld.markdown_table(s)


def test_the_extra_set_is_scored_and_the_docs_table_is_its_score(extra):
    _, s, _ = extra
    assert s.declarations_expected > 0
    assert _doc_table("real-world-extra") == realworld.markdown_table(s)


def test_the_second_round_is_scored_and_the_docs_table_is_its_score(more):
    """The 专项/区域/批复 forms, wide forms and cut-off notices of real-world-more."""
    _, s, _ = more
    assert s.declarations_expected == 15
    assert _doc_table("real-world-more") == realworld.markdown_table(s)


@pytest.mark.parametrize("which", ["shared", "extra", "more"])
def test_every_declaration_found_and_nothing_invented(which, request):
    s = request.getfixturevalue(which)[2 if which == "shared" else 1]
    assert s.declarations_found == s.declarations_expected, [m for m in s.misses if "not found" in m]
    assert s.declarations_extra == 0 and s.indicators_extra == 0, [m for m in s.misses if "does not list" in m]


def test_the_extra_set_reads_as_well_as_the_shared_set(extra):
    _, s, result = extra
    assert s.fields >= 0.95, "\n".join(m for m in s.misses if ": field " in m)
    assert s.indicators >= 0.95 and s.indicator_fields >= 0.95, "\n".join(m for m in s.misses if "indicator" in m)
    assert result.summary["ledger_ok"]


def test_the_scorer_counts_invented_rows_against_the_score(extra):
    """An ingest that invents an indicator, or a declaration, does not score 100%."""
    import pandas as pd

    folder, honest, result = extra
    ind = result.indicators
    first = ind.iloc[[0]].assign(name="凭空多出的指标", seq=ind["seq"].max() + 1)
    invented = type("R", (), {"declarations": result.declarations, "indicators": pd.concat([ind, first])})()
    s = realworld.score(folder, invented)
    assert s.indicators_extra == honest.indicators_extra + 1
    assert s.indicators < honest.indicators or honest.indicators_ok == 0
    decl = result.declarations
    ghost = decl.iloc[[0]].assign(decl_id="ghost", project="凭空多出的项目", source_line=10**6)
    more = type("R", (), {"declarations": pd.concat([decl, ghost]), "indicators": ind})()
    assert realworld.score(folder, more).declarations_extra == honest.declarations_extra + 1


def test_every_declaration_of_the_second_round_is_found_and_read(more):
    """All found; every indicator right (wide forms give one per site). Of the fields, the amounts
    of g07 and g14 are the misses allowed: their forms print no money unit anywhere (万元 only in
    the notice around g07, in the same district's other forms for g14), so 50.29 and 936 are read
    as 元, each with an ``amount-unit-assumed`` warning."""
    _, s, result = more
    assert s.declarations_found == s.declarations_expected, [m for m in s.misses if "not found" in m]
    assert s.indicators == 1.0 and s.indicator_fields == 1.0, "\n".join(m for m in s.misses if "indicator" in m)
    missed = {(m.split("_")[0], m.split(": field ")[1].split(":")[0]) for m in s.misses if ": field " in m}
    assert missed <= {(g, f) for g in ("g07", "g14") for f in ("total_budget", "year_budget")}, missed
    p = result.problems
    assert {"g07", "g14"} <= {f.split("_")[0] for f in p.source_file[p.code == "amount-unit-assumed"]}
    assert result.summary["ledger_ok"]


def test_nothing_in_the_second_round_is_an_error(more):
    """The lists a notice prints before its form (g03's 安排表, g12's 任务清单) start no declaration
    of their own: no declaration is dropped for a missing field."""
    _, _, result = more
    errors = result.problems[result.problems.severity == "error"]
    assert errors.empty, errors.to_string()


def test_the_grown_corpus_reads_at_98_percent(shared, extra, more):
    """The three sets together (50 declarations from some 38 publishers in 16 provinces)."""
    scores = [shared[2], extra[1], more[1]]
    found = sum(x.declarations_found for x in scores)
    assert found == sum(x.declarations_expected for x in scores) >= 50
    assert sum(x.field_ok for x in scores) / sum(x.field_checks for x in scores) >= 0.98
    assert sum(x.indicators_ok for x in scores) / sum(x.indicators_expected for x in scores) >= 0.98
