"""Project identity across years: exact names first, renames linked by similarity and marked."""

from __future__ import annotations

import pandas as pd

from analysis.ids import decl_id
from analysis.metrics import identity

XUHUI = "上海市徐汇区绿化和市容管理局"
MINHANG = "上海市闵行区绿化和市容管理局"


def frame(*rows):
    return pd.DataFrame([{"decl_id": decl_id(u, y, p), "unit": u, "project": p, "year": y} for u, p, y in rows])


def keys_by_row(ids):
    return dict(zip(zip(ids["project"], ids["year"]), ids["project_key"]))


def test_same_normalized_name_is_one_project_and_exact():
    ids = identity.project_ids(
        frame(
            (XUHUI, "行道树修剪经费", 2019),
            (XUHUI, "行道树 修剪经费", 2020),
            (XUHUI, "行道树修剪经费", 2021),
        )
    )
    assert ids["project_key"].nunique() == 1
    assert set(ids["match"]) == {"exact"} and set(ids["match_score"]) == {100.0}
    assert not ids["renamed"].any()


def test_same_name_in_two_units_is_two_projects():
    ids = identity.project_ids(frame((XUHUI, "行道树修剪经费", 2019), (MINHANG, "行道树修剪经费", 2019)))
    assert ids["project_key"].nunique() == 2


def test_rename_between_consecutive_years_is_linked_and_marked():
    d = frame(
        (XUHUI, "道路绿化养护经费", 2019),
        (XUHUI, "道路绿化日常养护经费", 2020),
        (XUHUI, "道路绿化日常养护经费", 2021),
        (XUHUI, "古树名木保护", 2019),
        (XUHUI, "垃圾分类宣传", 2020),
    )
    ids = identity.project_ids(d)
    k = keys_by_row(ids)
    assert k[("道路绿化养护经费", 2019)] == k[("道路绿化日常养护经费", 2020)] == k[("道路绿化日常养护经费", 2021)]
    assert k[("古树名木保护", 2019)] != k[("垃圾分类宣传", 2020)]
    marked = ids.set_index(["project", "year"])
    assert marked.loc[("道路绿化日常养护经费", 2020), "match"] == "fuzzy"
    assert 80 <= marked.loc[("道路绿化日常养护经费", 2020), "match_score"] < 100
    assert marked.loc[("道路绿化日常养护经费", 2021), "match"] == "exact"
    assert marked.loc[("道路绿化日常养护经费", 2021), "renamed"]
    r = identity.renames(d)
    assert r[["unit", "old_project", "new_project", "from_year", "to_year"]].values.tolist() == [
        [XUHUI, "道路绿化养护经费", "道路绿化日常养护经费", 2019, 2020],
    ]


def test_no_link_when_the_old_project_continues():
    ids = identity.project_ids(
        frame(
            (XUHUI, "道路绿化养护经费", 2019),
            (XUHUI, "道路绿化养护经费", 2020),
            (XUHUI, "道路绿化日常养护经费", 2020),
        )
    )
    assert ids["project_key"].nunique() == 2 and set(ids["match"]) == {"exact"}


def test_renames_pair_one_to_one_by_best_score():
    d = frame(
        (XUHUI, "公园绿地养护经费", 2019),
        (XUHUI, "公园绿地设施维修经费", 2019),
        (XUHUI, "行道树修剪经费", 2019),
        (XUHUI, "公园绿地日常养护经费", 2020),
        (XUHUI, "公园绿地设施维修改造经费", 2020),
        (XUHUI, "行道树修剪经费", 2020),
    )
    r = identity.renames(d)
    assert sorted(zip(r["old_project"], r["new_project"])) == [
        ("公园绿地养护经费", "公园绿地日常养护经费"),
        ("公园绿地设施维修经费", "公园绿地设施维修改造经费"),
    ]


def test_year_in_the_name_does_not_break_identity_but_is_marked():
    ids = identity.project_ids(
        frame(
            (XUHUI, "2020年度市容环境质量测评", 2020),
            (XUHUI, "2021年度市容环境质量测评", 2021),
            (XUHUI, "其他项目", 2020),
            (XUHUI, "其他项目", 2021),
        )
    )
    k = keys_by_row(ids)
    assert k[("2020年度市容环境质量测评", 2020)] == k[("2021年度市容环境质量测评", 2021)]
    row = ids.loc[ids["project"] == "2021年度市容环境质量测评"].iloc[0]
    assert row["match"] == "fuzzy" and row["match_score"] == 100.0


def test_threshold_controls_linking():
    d = frame((XUHUI, "道路绿化养护经费", 2019), (XUHUI, "道路绿化日常养护经费", 2020))
    assert identity.project_ids(d, threshold=99)["project_key"].nunique() == 2
    assert identity.project_ids(d, threshold=50)["project_key"].nunique() == 1


def test_keys_do_not_depend_on_row_order():
    d = frame(
        (XUHUI, "道路绿化养护经费", 2019),
        (XUHUI, "道路绿化日常养护经费", 2020),
        (MINHANG, "古树名木保护", 2020),
    )
    a = identity.project_ids(d)
    b = identity.project_ids(d.iloc[::-1])
    pd.testing.assert_frame_equal(a, b.loc[a.index])


def test_rename_chain_over_three_names_keeps_one_key():
    ids = identity.project_ids(
        frame(
            (XUHUI, "道路绿化养护经费", 2019),
            (XUHUI, "道路绿化日常养护经费", 2020),
            (XUHUI, "道路绿化日常养护专项经费", 2021),
        )
    )
    assert ids["project_key"].nunique() == 1
    assert ids.sort_values("year")["match"].tolist() == ["exact", "fuzzy", "fuzzy"]


def test_names_that_differ_only_by_a_number_are_not_linked():
    ids = identity.project_ids(
        frame(
            (XUHUI, "第一批公园绿地改造工程", 2019),
            (XUHUI, "第二批公园绿地改造工程", 2020),
            (XUHUI, "轨道交通3号线沿线绿化养护", 2019),
            (XUHUI, "轨道交通4号线沿线绿化养护", 2020),
            (XUHUI, "其他项目", 2019),
            (XUHUI, "其他项目", 2020),
        )
    )
    assert ids["project_key"].nunique() == 5 and set(ids["match"]) == {"exact"}


def test_link_adds_the_identity_columns_to_the_declarations_as_they_are():
    d = frame(
        (XUHUI, "徐汇区道路绿化养护经费", 2019),
        (XUHUI, "徐汇区道路绿化日常养护经费", 2020),
        (XUHUI, "行道树修剪经费", 2019),
        (XUHUI, "行道树修剪经费", 2020),
    )
    d = d.assign(year_budget=[1.0, 2.0, 3.0, 4.0]).set_index(pd.Index([7, 3, 9, 1]))
    linked = identity.link(d)
    assert list(linked.columns) == [*d.columns, "project_key", "match", "match_score"]
    assert linked.index.equals(d.index)
    pd.testing.assert_frame_equal(linked[d.columns], d)  # the rest untouched, and the input not changed
    assert "project_key" not in d
    ids = identity.project_ids(d)
    for col in identity.LINK_COLUMNS:
        assert linked[col].tolist() == ids[col].tolist()
    assert linked["match"].tolist() == ["exact", "fuzzy", "exact", "exact"]
    assert identity.is_linked(linked) and not identity.is_linked(d)
    # the threshold is where linking happens
    assert identity.link(d, threshold=99)["project_key"].nunique() == 3
    assert identity.link(d, threshold=50)["project_key"].nunique() == 2


def test_links_never_cross_units_so_one_unit_links_as_in_the_whole_table():
    rows = []
    for unit in (XUHUI, MINHANG):
        rows += [
            (unit, "道路绿化养护经费", 2019),
            (unit, "道路绿化日常养护经费", 2020),
            (unit, "行道树修剪经费", 2019),
            (unit, "行道树修剪经费", 2020),
            (unit, "古树名木保护", 2020),
        ]
    rows.append((MINHANG, "道路绿化养护经费", 2020))  # only Minhang's old name continues: no rename there
    d = frame(*rows)
    whole = identity.link(d)
    assert set(whole.loc[whole["match"] == "fuzzy", "unit"]) == {XUHUI}
    for unit in (XUHUI, MINHANG):
        alone = identity.link(d[d["unit"] == unit])
        pd.testing.assert_frame_equal(alone, whole[whole["unit"] == unit])


def test_renames_uses_the_links_it_is_given():
    d = frame((XUHUI, "道路绿化养护经费", 2019), (XUHUI, "道路绿化日常养护经费", 2020))
    pd.testing.assert_frame_equal(identity.renames(identity.link(d)), identity.renames(d))
    assert len(identity.renames(d)) == 1
    # links made at another threshold are kept, not made again
    assert identity.renames(identity.link(d, threshold=99)).empty


def test_a_name_with_its_words_swapped_is_the_same_project():
    """A real rename (湘潭, 2023 and 2024): the same characters in another order."""
    d = frame((XUHUI, "雾炮车降尘抑尘服务", 2023), (XUHUI, "雾炮车抑尘降尘服务", 2024), (XUHUI, "降尘车辆购置", 2024))
    ids = identity.project_ids(d).set_index(["project", "year"])
    assert ids.loc[("雾炮车降尘抑尘服务", 2023), "project_key"] == ids.loc[("雾炮车抑尘降尘服务", 2024), "project_key"]
    assert ids.loc[("雾炮车抑尘降尘服务", 2024), "match"] == "fuzzy"
    assert identity.renames(d)[["old_project", "new_project", "score"]].values.tolist() == [
        ["雾炮车降尘抑尘服务", "雾炮车抑尘降尘服务", 100.0]
    ]
    # the same characters with their numbers in another order are still two projects
    d = frame((XUHUI, "1号线2号线养护", 2023), (XUHUI, "2号线1号线养护", 2024))
    assert identity.project_ids(d)["project_key"].nunique() == 2


def test_only_two_neighbouring_words_swapped_score_as_the_same_name():
    assert identity._similarity("雾炮车降尘抑尘服务", "雾炮车抑尘降尘服务") == 100.0
    # the same characters shuffled are scored as usual
    assert identity._similarity("甲乙丙丁戊己", "己戊丁丙乙甲") < 80
