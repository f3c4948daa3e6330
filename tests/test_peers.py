"""analysis.reports.peers: a unit report's peer positions in its target tables (同类位置) and its
lax targets among the first screen's flags, each linking to its row."""

from __future__ import annotations

import re

import pandas as pd

from analysis.metrics import summaries
from analysis.reports import history, peers, show


def _history() -> pd.DataFrame:
    """Two indicators of one project over 2022-2023: 群众满意度 (a comparable kind) and 工作台账
    (no peers)."""
    rows = []
    for year, did in ((2022, "d22"), (2023, "d23")):
        for seq, (name, raw, key) in enumerate(
            (("群众满意度", ">=60%", "kS"), ("工作台账", "规范", "kT"), ("验收合格率", ">=90%", "kQ")), start=1
        ):
            rows.append(
                {
                    "unit": "区林业局",
                    "project_key": "p1",
                    "project": "森林防火",
                    "indicator_key": key,
                    "year": year,
                    "level1": "效益指标",
                    "level2": "满意度",
                    "name": name,
                    "target_raw": raw,
                    "change": None if year == 2022 else "unchanged",
                    "from_year": None if year == 2022 else 2022,
                    "indicator_match": "exact",
                    "indicator_match_score": 100.0,
                    "op_not_printed": False,
                    "unit_not_printed": False,
                    "seq": seq,
                    "decl_id": did,
                }
            )
    return pd.DataFrame(rows)


def _positions() -> pd.DataFrame:
    """群众满意度: lax in 2023 among 48 peers, 2022's group too small; 验收合格率 in 2023 among 30."""
    return pd.DataFrame(
        {
            "decl_id": ["d22", "d23", "d23"],
            "seq": [1, 1, 3],
            "unit": "区林业局",
            "year": [2022, 2023, 2023],
            "project": "森林防火",
            "name": ["群众满意度", "群众满意度", "验收合格率"],
            "indicator_kind": ["satisfaction", "satisfaction", "quality_rate"],
            "target_raw": [">=60%", ">=60%", ">=90%"],
            "value_unit": "%",
            "n_peers": [6, 48, 30],
            "peer_median": [90.0, 95.0, 95.0],
            "peer_percentile": [None, 0.0625, 0.5],
            "lax": [False, True, False],
        }
    )


def test_each_row_of_the_target_history_shows_its_peer_position():
    hist = _history()
    pos = peers.with_keys(_positions(), hist)
    assert pos["indicator_key"].tolist() == ["kS", "kS", "kQ"]
    page = history.target_history_html(hist, positions=pos)
    assert "<th" in page and "同类位置" in page
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr id="target-(\w+)">.*?</tr>', page, re.S)}
    assert set(rows) == {"kS", "kQ"}  # 工作台账 has no peers: no position, no anchor
    assert "2023年 6%（同类 48 个）" in rows["kS"] and "明显偏松" in rows["kS"]
    assert "2022年" not in re.search(r'col-peer">(.*?)</td>', rows["kS"]).group(1)  # a group of 6: blank
    assert "2023年 50%（同类 30 个）" in rows["kQ"] and "明显偏松" not in rows["kQ"]
    wide = history.history_table(hist, pos).set_index("name")
    assert wide.loc["群众满意度", "peer"] == "2023年 6%（同类 48 个） 明显偏松"
    assert wide.loc["工作台账", "peer"] == ""
    # without positions the tables are as they were
    assert "同类位置" not in history.target_history_html(hist)


def test_a_unit_without_comparable_targets_has_no_peer_column():
    hist = _history()
    empty = peers.with_keys(_positions().iloc[0:0], hist)
    assert "同类位置" not in history.target_history_html(hist, positions=empty)


def _headline(positions: pd.DataFrame) -> str:
    decl = pd.DataFrame(
        {
            "decl_id": ["d23"],
            "unit": "区林业局",
            "year": [2023],
            "project": "森林防火",
            "year_budget": [1e6],
            "prior_budget": [9e5],
            "prior_executed": [8e5],
        }
    )
    empty = pd.DataFrame(columns=["exec_year", "below_target", "exec_target"])
    changes = pd.DataFrame(columns=["to_year", "change", "project_key", "match"])
    review = pd.DataFrame(columns=["outcome", "decl_id"])
    budget = pd.DataFrame(columns=["budget_up_targets_loosened"])
    h = summaries.report_headline(decl, empty, changes, budget, review, peers=positions)
    return show.headline_html(h)


def test_lax_targets_are_first_screen_flags_linking_to_their_rows():
    pos = peers.with_keys(_positions(), _history())
    box = _headline(pos)
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', box)
    assert links == [("target-kS", "明显偏松：2023年 森林防火：群众满意度 &gt;=60%（同类中位数 95%，同类 48 个）")]
    # the flag's row is in the history, with that id
    assert 'id="target-kS"' in history.target_history_html(_history(), positions=pos)
    assert "没有需要特别注意的事项" in _headline(pos.assign(lax=False))


def test_many_lax_targets_are_named_up_to_a_few_then_counted():
    one = peers.with_keys(_positions().iloc[[1]], _history())
    many = pd.concat([one.assign(seq=i, name=f"指标{i}满意度") for i in range(peers.LAX_SHOWN + 3)], ignore_index=True)
    box = _headline(many)
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', box)
    assert len(links) == peers.LAX_SHOWN + 1
    assert links[-1] == (show.heading_anchor(peers.PEER_HEADING), "另有 3 个明显偏松的目标（与同类目标比较）")
