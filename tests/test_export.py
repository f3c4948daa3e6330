"""The Excel workbook and CSV files: every table, Chinese intact, text never read as a formula."""
from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import cli
from analysis.reports import export
from seedkit import HOSTILE_UNITS, SEED_UNIT, make_processed


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    base = tmp_path_factory.mktemp("export")
    processed = make_processed(base / "processed", hostile=True)
    out = base / "tables"
    files = export.export_tables(processed, out)
    return processed, out, files


def test_workbook_has_the_tables_and_the_summaries(exported):
    _, out, files = exported
    assert files[0] == out / "tables.xlsx"
    wb = load_workbook(out / "tables.xlsx", read_only=True)
    assert wb.sheetnames == ["说明", "declarations", "indicators", "problems", "execution_rates", "change_summary"]
    rows = list(wb["declarations"].iter_rows(values_only=True))
    assert rows[0][:4] == ("decl_id", "year", "unit", "project")
    assert len(rows) == 1 + 5 * 3 * 2
    assert {r[2] for r in rows[1:]} == {SEED_UNIT, "上海市水务局执法总队", *HOSTILE_UNITS}


def test_targets_that_start_with_equals_stay_text(exported):
    _, out, _ = exported
    wb = load_workbook(out / "tables.xlsx")
    ws = wb["indicators"]
    header = [c.value for c in ws[1]]
    col = header.index("target_raw") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)]
    eq = [c for c in cells if str(c.value).startswith("=")]
    assert eq, "the fixture has =99% targets"
    assert all(c.data_type == "s" and c.value in ("=99%", "=100%") for c in eq)


def test_csv_files_are_utf8_with_bom_and_defuse_formulas(exported):
    _, out, _ = exported
    for name in ("declarations", "indicators", "problems", "execution_rates", "change_summary"):
        raw = (out / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
    ind = pd.read_csv(out / "indicators.csv", encoding="utf-8-sig")
    assert "'=99%" in set(ind["target_raw"]) and ">=90%" in set(ind["target_raw"])
    decl = pd.read_csv(out / "declarations.csv", encoding="utf-8-sig")
    assert SEED_UNIT in set(decl["unit"])


def test_export_command(tmp_path, capsys):
    processed = make_processed(tmp_path / "processed", units=[SEED_UNIT])
    assert cli.main(["export", "--processed", str(processed), "--out", str(tmp_path / "t")]) == 0
    assert (tmp_path / "t" / "tables.xlsx").exists()
    assert "tables.xlsx" in capsys.readouterr().out
    assert cli.main(["export", "--processed", str(tmp_path / "missing"), "--out", str(tmp_path / "t")]) == 2


def test_export_cached_skips_an_unchanged_export(tmp_path):
    processed = make_processed(tmp_path / "processed", units=[SEED_UNIT])
    first = export.export_cached(processed, tmp_path / "t", key="k1")
    stamp = first[0].stat().st_mtime_ns
    again = export.export_cached(processed, tmp_path / "t", key="k1")
    assert again == first and first[0].stat().st_mtime_ns == stamp
    export.export_cached(processed, tmp_path / "t", key="k2")
    assert first[0].stat().st_mtime_ns != stamp


def test_a_table_too_long_for_the_workbook_goes_to_csv_only(tmp_path):
    processed = make_processed(tmp_path / "processed")
    n_ind = len(pd.read_parquet(processed / "indicators.parquet"))
    n_decl = len(pd.read_parquet(processed / "declarations.parquet"))
    assert n_decl < n_ind
    export.export_tables(processed, tmp_path / "out", max_workbook_rows=n_ind - 1)
    wb = load_workbook(tmp_path / "out" / "tables.xlsx", read_only=True)
    assert "indicators" not in wb.sheetnames and "declarations" in wb.sheetnames
    about = {r[0]: r for r in wb["说明"].iter_rows(min_row=2, values_only=True)}
    assert about["indicators"][1] == n_ind and "仅 indicators.csv" in about["indicators"][2]
    assert len(pd.read_csv(tmp_path / "out" / "indicators.csv", encoding="utf-8-sig")) == n_ind
