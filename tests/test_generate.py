"""The synthetic corpus generator: determinism, the published layout, the answer key's own
consistency, and the round trip (ingesting a generated corpus gives back its answer key)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.synthetic import cli as gen_cli
from analysis.synthetic import corpus as gen
from analysis.synthetic.corpus import Params, generate


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _key(root: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(root / "answer_key" / f"{name}.parquet")


@pytest.fixture(scope="module")
def churn(tmp_path_factory) -> Path:
    """A corpus with high change rates, so that every kind of change occurs."""
    out = tmp_path_factory.mktemp("churn")
    generate(
        out,
        Params(
            units=12,
            years=(2018, 2023),
            seed=7,
            quirks=0.2,
            rename_rate=0.3,
            mismatch_rate=0.3,
            tighten_rate=0.3,
            loosen_rate=0.2,
            add_rate=0.5,
            drop_rate=0.1,
        ),
    )
    return out


# ---------------------------------------------------------------------------------------------
# determinism


def test_same_seed_writes_the_same_bytes(tmp_path):
    p = Params(units=4, years=(2020, 2022), seed=11, quirks=0.5)
    generate(tmp_path / "a", p)
    a = _files(tmp_path / "a")
    generate(tmp_path / "a", p)  # the same command again, over the earlier corpus
    b = _files(tmp_path / "a")
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []
    generate(tmp_path / "b", p)  # elsewhere: only the command line in README and manifest differs
    c = _files(tmp_path / "b")
    assert [n for n in a if a[n] != c[n]] == ["README.md", "answer_key/manifest.json"]
    assert any(name.endswith(".txt") for name in a) and "answer_key/indicators.parquet" in a


def test_another_seed_writes_another_corpus(tmp_path):
    generate(tmp_path / "a", Params(units=4, years=(2020, 2022), seed=11))
    generate(tmp_path / "b", Params(units=4, years=(2020, 2022), seed=12))
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    same = [n for n in a if n.endswith(".txt") and a.get(n) == b.get(n)]
    assert same == []


# ---------------------------------------------------------------------------------------------
# the published layout


def _shape(line: str) -> str:
    """A line reduced to its layout: which cells are filled, with labels kept and values masked."""
    cells = line.split("\t")
    if line == "":
        return "blank"
    out = []
    for c in cells:
        if c == "":
            out.append("_")
        elif c.endswith("：") or c in (
            "财政项目支出绩效目标表",
            "本项目上年度市级财政资金使用情况",
            "一级目标",
            "二级目标",
            "三级目标",
            "指标目标值",
        ):
            out.append(c)
        elif c.startswith("申报单位名称："):
            out.append("申报单位名称：X")
        elif c.endswith("年度)") and c.startswith("("):
            out.append("(YYYY年度)")
        elif c.endswith("年绩效目标"):
            out.append("YYYY年绩效目标")
        else:
            out.append("v")
    return "|".join(out)


def _declaration_shapes(text: str) -> list[list[str]]:
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("财政项目支出绩效目标表")]
    blocks = []
    for k, s in enumerate(starts):
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(lines)
        blocks.append([_shape(line) for line in lines[s:end]])
    return blocks


def test_clean_file_has_the_layout_of_the_published_file(tmp_path, seed_path):
    generate(tmp_path, Params(units=3, years=(2020, 2021), seed=3, quirks=0.0, layouts=("seed",)))
    seed = seed_path.read_text(encoding="utf-8")
    seed_blocks = _declaration_shapes(seed)
    header = seed_blocks[0][:20]  # everything down to the indicator header row
    for path in sorted(tmp_path.glob("*/*.txt")):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
        text = raw.decode("utf-8")
        assert text.startswith("\n\n财政项目支出绩效目标表\t\t\t\n") and not text.endswith("\n")
        blocks = _declaration_shapes(text)
        assert blocks, path
        for block in blocks:
            assert block[:20] == header
            rows = block[20:]
            assert rows and all(r.count("|") == 3 for r in rows)  # indicator rows: 4 cells
            assert rows[0].startswith("v|v|v|v")  # the first row shows its level1 and level2
            # a blank first cell only under a shown level1; the cells are never shifted when clean
            assert all(r.split("|")[2:] == ["v", "v"] for r in rows)
        # between declarations: exactly one blank line, as in the published file
        assert text.count("\n\n财政项目支出绩效目标表") == len(blocks)


def test_merged_cells_are_blank_where_the_level_repeats(tmp_path):
    generate(tmp_path, Params(units=2, years=(2021, 2021), seed=5, quirks=0.0, layouts=("seed",)))
    key = _key(tmp_path, "indicators").sort_values(["decl_id", "seq"])
    lines = {}
    for path in tmp_path.glob("*/*.txt"):
        lines[str(path.relative_to(tmp_path))] = path.read_text(encoding="utf-8").split("\n")
    decls = _key(tmp_path, "declarations").set_index("decl_id")
    for did, g in key.groupby("decl_id", sort=False):
        text = lines[decls.loc[did, "source_file"]]
        prev = (None, None)
        for r in g.itertuples():
            cells = text[r.source_line - 1].split("\t")
            assert cells[2:] == [r.name, r.target_raw]
            assert cells[0] == ("" if r.level1 == prev[0] else r.level1)
            assert cells[1] == ("" if (r.level1, r.level2) == prev else r.level2)
            prev = (r.level1, r.level2)


def test_quirks_show_up_at_rate_one(tmp_path):
    generate(tmp_path, Params(units=6, years=(2020, 2021), seed=2, quirks=1.0, layouts=("seed",)))
    raws = [p.read_bytes() for p in tmp_path.glob("*/*.txt")]
    boms = {r[:2] == b"\xff\xfe" or r[:3] == b"\xef\xbb\xbf" for r in raws}
    assert True in boms
    texts = []
    for r in raws:
        if r[:2] == b"\xff\xfe":
            texts.append(r[2:].decode("utf-16-le"))
        elif r[:3] == b"\xef\xbb\xbf":
            texts.append(r[3:].decode("utf-8"))
        else:
            texts.append(r.decode("gb18030"))
    joined = "".join(texts)
    assert all("\r\n" in t for t in texts)
    for marker in (
        "（20",
        "一级指标\t二级指标\t三级指标\t指标值",
        "年度绩效目标",
        "项目总预算（万元）：",
        "<p>",
        '"<p>',
        '""',
        "/1/1",
        "年1月1日",
    ):
        assert marker in joined, marker
    assert any(w in joined for w in ("≥", "不低于", "不少于", "以上"))
    assert any(w in joined for w in ("≤", "不超过", "以内"))
    # shifted rows: an indicator row that starts with a level2 word and ends with an empty cell
    assert "\n质量\t" in joined.replace("\r\n", "\n") or "\n数量指标\t" in joined.replace("\r\n", "\n")


def test_units_are_plainly_synthetic_unless_hostile_is_asked(tmp_path):
    names = gen.unit_names(300, seed=1)
    assert len(set(names)) == 300 and all(n.startswith("示例市") for n in names)
    hostile = gen.unit_names(40, seed=1, hostile=True)
    assert "<script>alert(1)</script>局" in hostile and "../../x局" in hostile
    generate(tmp_path, Params(units=25, years=(2021, 2021), seed=1, quirks=0.0, hostile=True))
    units = set(_key(tmp_path, "declarations").unit)
    assert "<script>alert(1)</script>局" in units
    assert all(p.name.isascii() for p in tmp_path.rglob("*"))
    from analysis.ingest import ingest

    result = ingest(tmp_path)  # hostile names are data: read back exactly, nothing lost
    key_d, key_i = _key(tmp_path, "declarations"), _key(tmp_path, "indicators")
    assert _compare(key_d, result.declarations[key_d.columns], ["decl_id"]) == []
    assert _compare(key_i, result.indicators[key_i.columns], ["decl_id", "seq"]) == []


# ---------------------------------------------------------------------------------------------
# the answer key


def test_key_has_the_contract_columns(churn):
    import pyarrow.parquet as pq

    from analysis.tables import DECLARATIONS_SCHEMA, INDICATORS_SCHEMA

    assert pq.read_schema(churn / "answer_key" / "declarations.parquet").names == DECLARATIONS_SCHEMA.names
    assert pq.read_schema(churn / "answer_key" / "indicators.parquet").names == INDICATORS_SCHEMA.names
    manifest = json.loads((churn / "answer_key" / "manifest.json").read_text(encoding="utf-8"))
    d = _key(churn, "declarations")
    assert manifest["counts"]["declarations"] == len(d) and manifest["synthetic"] is True
    assert d.decl_id.is_unique
    assert d.decl_id.tolist() == [gen.decl_id(u, y, p) for u, y, p in zip(d.unit, d.year, d.project)]
    assert ((d.prior_executed <= d.prior_budget) | d.prior_budget.isna()).all()
    assert ((d.year_budget <= d.total_budget) | d.total_budget.isna()).all()  # forms with one amount print no total
    assert d.total_budget.notna().any() and d.total_budget.isna().any()
    rates = d.prior_execution_rate.dropna()
    assert 0.85 < rates.median() <= 1.0 and (rates < 0.7).any()
    assert "README.md" in {p.name for p in churn.iterdir()}
    assert "synthetic" in (churn / "README.md").read_text(encoding="utf-8")


def test_every_change_direction_agrees_with_the_targets(churn):
    ind = _key(churn, "indicators")
    ch = _key(churn, "target_changes")
    renames = _key(churn, "renames")
    assert set(ch.change) == {"tightened", "loosened", "unchanged", "changed", "added", "removed"}
    back = {(r.unit, r.new_project, r.to_year): r.old_project for r in renames.itertuples()}
    by = {(r.unit, r.project, r.year, r.name): r for r in ind.itertuples()}
    for c in ch.itertuples():
        old_project = back.get((c.unit, c.project, c.to_year), c.project)
        o = by.get((c.unit, old_project, c.from_year, c.name))
        n = by.get((c.unit, c.project, c.to_year, c.name))
        if c.change == "added":
            assert o is None and n is not None and pd.isna(c.old_raw)
            continue
        if c.change == "removed":
            assert n is None and o is not None and pd.isna(c.new_raw)
            continue
        assert o is not None and n is not None
        assert (o.target_raw, n.target_raw) == (c.old_raw, c.new_raw)
        if o.kind == "deadline":
            ov, nv = o.value % 10000, n.value % 10000  # the date within its own year
        else:
            ov, nv = o.value, n.value
        same = all(
            x == y or (pd.isna(x) and pd.isna(y))
            for x, y in [
                (o.op, n.op),
                (o.kind, n.kind),
                (o.value_unit, n.value_unit),
                (o.value_hi, n.value_hi),
                (ov, nv),
            ]
        )
        if c.change == "unchanged":
            assert same and (o.kind != "qualitative" or o.target_raw == n.target_raw), c
        elif c.change == "changed":
            assert not same or o.target_raw != n.target_raw, c
        else:
            assert o.op == n.op and o.kind == n.kind, c
            if o.op == "range":  # narrower is tighter
                assert (n.value_hi - nv < o.value_hi - ov) == (c.change == "tightened"), c
                continue
            higher = nv > ov
            up_is_tighter = o.op in (">=", ">")
            assert nv != ov, c
            assert higher == (up_is_tighter == (c.change == "tightened")), c
    # completeness: every indicator of a project declared in two consecutive years has one row
    pairs = ch.groupby(["unit", "project", "from_year", "to_year"]).name.apply(set)
    for (unit, project, fy, ty), names in pairs.items():
        old_project = back.get((unit, project, ty), project)
        olds = set(ind[(ind.unit == unit) & (ind.project == old_project) & (ind.year == fy)].name)
        news = set(ind[(ind.unit == unit) & (ind.project == project) & (ind.year == ty)].name)
        assert names == olds | news


def test_renames_are_in_the_key_and_in_the_corpus(churn):
    renames = _key(churn, "renames")
    d = _key(churn, "declarations")
    assert len(renames) >= 3
    declared = set(zip(d.unit, d.project, d.year))
    for r in renames.itertuples():
        assert (r.unit, r.old_project, r.from_year) in declared
        assert (r.unit, r.new_project, r.to_year) in declared
        assert (r.unit, r.old_project, r.to_year) not in declared
        longer, shorter = sorted([r.old_project, r.new_project], key=len, reverse=True)
        assert longer != shorter and any(longer == w + shorter for w in gen.RENAME_WORDS)
        ch = _key(churn, "target_changes")
        assert ch[(ch.unit == r.unit) & (ch.project == r.new_project) & (ch.to_year == r.to_year)].renamed.all()


def test_budget_mismatches_are_injected_at_the_requested_rate(churn):
    d = _key(churn, "declarations")
    rec = _key(churn, "reconciliation")
    renames = _key(churn, "renames")
    renamed = set(zip(renames.unit, renames.new_project, renames.to_year))
    prev = d.set_index(["unit", "project", "year"]).year_budget
    prior_units = set(d[d.prior_budget.notna()].unit)  # units whose form prints last year's budget
    assert prior_units and prior_units != set(d.unit)
    eligible = mism = 0
    injected = set(zip(rec.unit, rec.project, rec.year))
    for r in d.itertuples():
        before = prev.get((r.unit, r.project, r.year - 1))
        if before is None or (r.unit, r.project, r.year) in renamed or r.unit not in prior_units:
            continue
        eligible += 1
        if (r.unit, r.project, r.year) in injected:
            mism += 1
            row = rec[(rec.unit == r.unit) & (rec.project == r.project) & (rec.year == r.year)].iloc[0]
            assert row.prior_budget == r.prior_budget and row.prev_year_budget == before
            assert row.difference == r.prior_budget - before != 0
        else:
            assert r.prior_budget == before, r
    assert mism == len(rec)
    manifest = json.loads((churn / "answer_key" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["eligible_for_mismatch"] == eligible
    sd = math.sqrt(eligible * 0.3 * 0.7)
    assert abs(mism - 0.3 * eligible) < 4 * sd


def test_some_units_switch_framework_once(churn):
    ind = _key(churn, "indicators")
    new = {"产出指标", "效益指标", "满意度指标"}
    per_unit = ind.assign(new=ind.level1.isin(new)).groupby(["unit", "year"]).new.agg(["all", "any"])
    assert (per_unit["all"] == per_unit["any"]).all()  # one framework per unit and year
    switched = per_unit.reset_index().groupby("unit")["all"].agg(lambda s: s.is_monotonic_increasing)
    assert switched.all()
    assert per_unit["all"].any() and not per_unit["all"].all()


# ---------------------------------------------------------------------------------------------
# command line and sample


def _args(**kw) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    gen_cli.add_arguments(parser)
    argv = []
    for k, v in kw.items():
        flag = "--" + k.replace("_", "-")
        argv += [flag] if v is True else [flag, str(v)]
    return parser.parse_args(argv)


def test_sample_is_deterministic_and_marked_complete_last(tmp_path):
    out = tmp_path / "synthetic"
    assert gen_cli.run(_args(out=out, sample=True)) == 0
    manifest = json.loads((out / "answer_key" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"]["units"] == 30 and manifest["params"]["years"] == [2019, 2023]
    assert not manifest["params"]["hostile"]
    assert (out / ".complete").exists()
    assert (out / ".complete").stat().st_mtime_ns >= (out / "answer_key" / "manifest.json").stat().st_mtime_ns
    assert "--sample" in (out / "README.md").read_text(encoding="utf-8")
    first = _files(out)
    assert gen_cli.run(_args(out=out, sample=True)) == 0  # an earlier corpus is replaced
    assert _files(out) == first


def test_refuses_a_folder_that_holds_other_files(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert gen_cli.run(_args(out=tmp_path, units=2)) == 2
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert "不是空文件夹" in capsys.readouterr().err


def test_years_and_rates_are_checked():
    with pytest.raises(SystemExit):
        _args(out="x", years="2023-2019")
    with pytest.raises(SystemExit):
        _args(out="x", quirks="1.5")
    assert _args(out="x", years="2021").years == (2021, 2021)


# ---------------------------------------------------------------------------------------------
# the round trip: the ingest gives back the answer key


def _compare(key: pd.DataFrame, got: pd.DataFrame, on: list[str]) -> list[str]:
    """Differences between the key and the ingest's table, as readable lines."""
    m = key.merge(got, on=on, how="outer", suffixes=("_key", "_got"), indicator=True)
    out = [
        f"{r} only in {side}"
        for side, r in [("key", (m._merge == "left_only").sum()), ("ingest", (m._merge == "right_only").sum())]
        if r
    ]
    m = m[m._merge == "both"]
    for col in key.columns:
        if col in on:
            continue
        a, b = m[col + "_key"], m[col + "_got"]
        eq = (a == b) | (a.isna() & b.isna())
        if a.dtype.kind == "f":
            eq |= np.isclose(a.astype(float), b.astype(float), rtol=1e-12, equal_nan=True)
        for r in m[~eq].head(3).itertuples():
            out.append(
                f"{col}: key {getattr(r, col + '_key')!r} ingest {getattr(r, col + '_got')!r} "
                f"({getattr(r, 'source_file', '') or ''} line {getattr(r, 'source_line_key', '')})"
            )
    return out


@pytest.mark.parametrize("seed,quirks", [(1, 0.0), (2, 0.0), (1, 0.3), (3, 0.3), (1, 1.0), (4, 1.0)])
def test_ingest_reproduces_the_answer_key(tmp_path, seed, quirks):
    from analysis.ingest import ingest

    generate(tmp_path, Params(units=5, years=(2019, 2021), seed=seed, quirks=quirks))
    result = ingest(tmp_path)
    key_d, key_i = _key(tmp_path, "declarations"), _key(tmp_path, "indicators")
    errors = result.problems[result.problems.severity == "error"]
    assert errors.empty, errors.head().to_string()
    assert _compare(key_d, result.declarations[key_d.columns], ["decl_id"]) == []
    assert _compare(key_i, result.indicators[key_i.columns], ["decl_id", "seq"]) == []
    # the declaration's own 预算执行率 target, as a ratio
    exec_target = key_i[key_i.name == "预算执行率"].set_index("decl_id").value / 100
    got = result.declarations.set_index("decl_id").exec_target
    assert np.allclose(got.reindex(exec_target.index), exec_target)
    assert got.drop(exec_target.index).isna().all()


def test_ingest_keeps_the_level1_of_a_shifted_cost_row(tmp_path):
    """A row under 产出目标 whose merged level1 cell was dropped and whose level2 is 成本
    (or 成本指标 in the newer framework) arrives as ``成本\\t项目成本控制\\t<=50万元\\t``; it belongs
    to the 产出 level1 above it, and its target is the third cell."""
    from analysis.ingest import ingest

    generate(tmp_path, Params(units=6, years=(2020, 2021), seed=4, quirks=1.0))
    result = ingest(tmp_path)
    key = _key(tmp_path, "indicators")
    cost = key[key.level2.isin(["成本", "成本指标"])]
    assert len(cost) > 0
    got = result.indicators.merge(cost[["decl_id", "seq"]], on=["decl_id", "seq"])
    assert _compare(cost, got[cost.columns], ["decl_id", "seq"]) == []


def test_the_analysis_finds_the_changes_that_were_made(churn):
    """The key's target changes and budget mismatches are what ``analysis.metrics`` reports
    from the key's own declarations and indicators (renamed projects followed by name)."""
    from analysis import metrics

    d, ind = _key(churn, "declarations"), _key(churn, "indicators")
    truth = _key(churn, "target_changes")
    found = metrics.target_changes(ind, d)
    on = ["unit", "project", "name", "from_year", "to_year"]
    m = truth.merge(
        found[on + ["change"]].astype({"from_year": "int32", "to_year": "int32"}),
        on=on,
        how="outer",
        suffixes=("", "_found"),
        indicator=True,
    )
    assert (m._merge == "both").all(), m[m._merge != "both"].head().to_string()
    wrong = m[m.change != m.change_found]
    assert wrong.empty, wrong[on + ["old_raw", "new_raw", "change", "change_found"]].head().to_string()
    rec = _key(churn, "reconciliation")
    got = metrics.budget_reconciliation(d)
    assert sorted(got.decl_id) == sorted(rec.decl_id)


# ---------------------------------------------------------------------------------------------
# layouts: the forms other publishers print


#: the table header row every file of the layout holds
LAYOUT_MARKS = {
    "seed": r"^一级(目标|指标)\t二级\1\t三级\1\t指标(目标)?值$",
    "county": r"^绩效指标\t一级指标\t二级指标\t三级指标\t指标值$",
    "split": r"^一级(目标|指标)\t二级\1\t三级\1\t指标性质\t指标值\t度量单位\t权重$",
    "medium": r"^绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t二级指标\t三级指标\t指标值$",
    "long": r"^项目名称\t项目单位\t预算数\t年度绩效目标\t一级指标\t二级指标\t三级指标\t指标性质\t指标值\t计量单位\t分值$",
    "special": r"^\t一级指标\t二级指标\t三级指标\t指标值\t$",
    "approved": r"^绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t\t指标标准或依据$",
    "general": r"^绩效指标\t指标\t指标权重\t计量单位\t指标性质\t指标值$",
    "wide": r"^绩效指标\t一级指标\t二级指标\t三级指标\t指标解释\t指标方向(\t[^\t]+){2,}$",
    "across": r"^\t三级指标(\t[^\t]+)+$",
}


def _has(layout: str, text: str) -> bool:
    import re

    return re.search(LAYOUT_MARKS[layout], text, flags=re.M) is not None


def _texts(root: Path) -> dict[str, str]:
    from analysis.ingest.encoding import decode

    return {
        p.name: decode(p.read_bytes(), p.name)[0].replace("\r\n", "\n").replace('"', "")
        for p in sorted(root.glob("*/*.txt"))
    }


def test_the_default_mix_prints_every_layout_one_per_unit(tmp_path):
    generate(tmp_path, Params(units=20, years=(2020, 2021), seed=8, quirks=0.0))
    texts = _texts(tmp_path)
    seen = {}
    for name, text in texts.items():
        marks = [k for k in LAYOUT_MARKS if _has(k, text)]
        assert len(marks) == 1, (name, marks)
        seen.setdefault(name.split("_")[0], set()).add(marks[0])
    assert all(len(v) == 1 for v in seen.values())  # a unit keeps its form from year to year
    assert set().union(*seen.values()) == set(gen.LAYOUTS)


@pytest.mark.parametrize("layout", gen.LAYOUTS)
@pytest.mark.parametrize("quirks", [0.0, 1.0])
def test_every_layout_round_trips_exactly(tmp_path, layout, quirks):
    from analysis.ingest import ingest

    generate(tmp_path, Params(units=4, years=(2020, 2021), seed=6, quirks=quirks, layouts=(layout,)))
    assert all(_has(layout, t) for t in _texts(tmp_path).values())
    result = ingest(tmp_path)
    key_d, key_i = _key(tmp_path, "declarations"), _key(tmp_path, "indicators")
    # a 专项 form's total left blank is read from its part, and said so
    expected = {"shifted-row", "amount-from-parts"} if layout == "special" else {"shifted-row"}
    assert result.problems[~result.problems.code.isin(expected)].empty, result.problems.head().to_string()
    assert _compare(key_d, result.declarations[key_d.columns], ["decl_id"]) == []
    assert _compare(key_i, result.indicators[key_i.columns], ["decl_id", "seq"]) == []
    if layout in ("county", "medium", "special"):
        assert key_d.department.notna().all() and key_d.prior_budget.isna().all()
    if layout == "special" and quirks:
        assert (result.problems.code == "amount-from-parts").sum() > 0
    if layout in ("split", "long", "general"):
        assert key_i.weight.notna().all()
    if layout == "wide":  # one indicator a town's cell, the town in site
        assert key_i.site.notna().all() and key_i.site.nunique() >= 2
        assert (key_i.groupby(["decl_id", "name"]).site.nunique() >= 2).all()
    else:
        assert key_i.site.isna().all()
    if layout == "general":  # a flat list: no levels
        assert key_i.level1.isna().all() and key_i.level1_std.isna().all()
    if layout == "approved":  # last year's actual values printed beside the targets are not read
        rows = [line.split("\t") for text in _texts(tmp_path).values() for line in text.split("\n")]
        actual = [r for r in rows if len(r) == 7 and not r[0] and r[3] and r[4] and r[5]]
        assert actual and key_d.department.notna().all()
    if layout == "medium":
        assert set(key_i.horizon) == {"year", "medium"} and key_d.total_budget.notna().all()
        assert (key_i.horizon == "year").sum() == key_d.n_indicators.sum()
    else:
        assert set(key_i.horizon) == {"year"}


def test_medium_term_targets_stay_out_of_the_changes(tmp_path):
    from analysis import metrics

    generate(tmp_path, Params(units=4, years=(2020, 2022), seed=9, layouts=("medium",), tighten_rate=0.4))
    d, ind = _key(tmp_path, "declarations"), _key(tmp_path, "indicators")
    truth = _key(tmp_path, "target_changes")
    found = metrics.target_changes(ind, d)
    assert len(found) == len(truth) and found.new_seq.dropna().le(d.n_indicators.max()).all()
    quality = metrics.target_quality(ind, by=("decl_id",), declarations=d)
    assert quality.set_index("decl_id").n_indicators.to_dict() == d.set_index("decl_id").n_indicators.to_dict()


def test_layouts_option(tmp_path):
    assert _args(out="x", layouts="county,long").layouts == ("county", "long")
    with pytest.raises(SystemExit):
        _args(out="x", layouts="county,shanghai")
    assert gen_cli.run(_args(out=tmp_path, units=3, years="2021", layouts="split")) == 0
    manifest = json.loads((tmp_path / "answer_key" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"]["layouts"] == ["split"] and "--layouts split" in manifest["command"]


def test_every_units_changes_are_computed_as_its_report_computes_them(churn):
    """The unit report computes changes from one unit's rows only: where a unit's indicators are
    all paired before the pass that takes the project's name out, that pass must still run on
    nothing (it once failed on the empty pairs' untyped text)."""
    from analysis import metrics

    decl = metrics.link(_key(churn, "declarations"))
    ind = _key(churn, "indicators")
    for unit, rows in decl.groupby("unit"):
        changes = metrics.changes_for_report(ind[ind["decl_id"].isin(rows["decl_id"])], rows)
        assert set(changes["unit"].dropna()) <= {unit}
