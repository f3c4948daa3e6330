"""The helpers the report notebooks call: filtered reads, escaping, headline figures, notices."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from analysis.reports import show as report
from seedkit import HOSTILE_PROJECT, HOSTILE_UNITS, PROJECTS, SEED_UNIT, UNITS, YEARS, make_processed  # noqa: F401

def test_load_unit_reads_only_that_unit(processed):
    data = report.load_unit(processed, SEED_UNIT)
    assert set(data.declarations["unit"]) == {SEED_UNIT}
    assert "overview" not in data.declarations and "exec_target" in data.declarations  # prose is not read
    assert set(data.indicators["unit"]) == {SEED_UNIT}
    assert len(data.declarations) == len(YEARS) * len(PROJECTS)
    # the problems of the unit's own files, none of the other units'
    assert len(data.problems) == len(YEARS)
    assert data.problems["source_file"].str.startswith("synthetic/000_").all()


def test_load_year_reads_that_year_and_the_one_before(processed):
    data = report.load_year(processed, 2020)
    assert set(data.declarations["year"]) == {2019, 2020}
    assert set(data.indicators["year"]) == {2019, 2020}


def test_resolve_processed_dir_walks_up_from_a_subfolder(processed, monkeypatch):
    sub = processed.parent / "notebooks"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert report.resolve_processed_dir("processed") == processed.resolve()
    assert report.resolve_processed_dir(str(processed)) == processed


def test_table_html_escapes_hostile_names():
    frame = pd.DataFrame({"unit": ["<script>alert(1)</script>局"], "project": [HOSTILE_PROJECT], "rate": [0.5]})
    out = report.table_html(frame)
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in out
    assert "单位" in out and "50.0%" in out


def test_say_escapes_values_but_keeps_the_sentence_markup():
    out = report.say("单位：<strong>{unit}</strong>", unit="[x](javascript:alert(1))<b>局</b>")
    assert out == "<p>单位：<strong>[x](javascript:alert(1))&lt;b&gt;局&lt;/b&gt;</strong></p>"


def test_formats():
    assert report.fmt_money(1_406_400) == "140.64 万元"
    assert report.fmt_rate(0.985) == "98.5%"
    assert report.fmt_rate(None) == "—" and report.fmt_money(float("nan")) == "—"


def test_synthetic_notice_only_for_synthetic_sources():
    real = pd.DataFrame({"source_file": ["000_bd3c41999dbba456.txt"]})
    fake = pd.DataFrame({"source_file": ["000_bd3c41999dbba456.txt", "synthetic/u001.txt"]})
    assert report.synthetic_notice_html(real) is None
    assert "合成" in report.synthetic_notice_html(fake)


def test_headline_figures_are_budget_weighted():
    decl = pd.DataFrame(
        {
            "unit": ["甲局", "甲局", "乙局"],
            "year": [2020, 2020, 2020],
            "year_budget": [100.0, 300.0, None],
            "prior_budget": [100.0, 900.0, 50.0],
            "prior_executed": [50.0, 900.0, None],
        }
    )
    per_unit = report.headline_figures(decl, "unit").set_index("unit")
    assert per_unit.loc["甲局", "rate"] == pytest.approx(950 / 1000)
    assert per_unit.loc["甲局", "year_budget"] == 400.0
    assert pd.isna(per_unit.loc["乙局", "rate"]) and pd.isna(per_unit.loc["乙局", "year_budget"])
    total = report.headline_figures(decl)
    assert total.loc[0, "n_projects"] == 3
