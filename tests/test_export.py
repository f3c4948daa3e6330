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


def test_workbook_has_the_tables_and_the_analysis_under_chinese_names(exported):
    _, out, files = exported
    assert files[0] == out / "tables.xlsx"
    wb = load_workbook(out / "tables.xlsx", read_only=True)
    assert wb.sheetnames == [
        "说明",
        "申报表",
        "指标",
        "数据问题",
        "执行率",
        "目标变化汇总",
        "目标变化",
        "预算与目标",
        "项目预算与目标",
        "目标历史",
        "目标审核",
        "项目更名",
        "指标库",
        "同类位置",
    ]
    history = list(wb["目标历史"].iter_rows(values_only=True))
    assert history[0][:4] == ("单位", "项目", "指标标识", "年度")
    assert len(history) - 1 >= len(list(wb["指标"].iter_rows(values_only=True))) - 1  # every indicator, each year
    rows = list(wb["申报表"].iter_rows(values_only=True))
    assert rows[0][:4] == ("申报表编号", "年度", "单位", "项目")
    assert len(rows) == 1 + 5 * 3 * 2
    assert {r[2] for r in rows[1:]} == {SEED_UNIT, "上海市水务局执法总队", *HOSTILE_UNITS}


def test_sheets_have_registry_headings_formats_frozen_header_filter_and_widths(exported):
    from analysis import tables

    _, out, _ = exported
    wb = load_workbook(out / "tables.xlsx")
    ws = wb["申报表"]
    header = [c.value for c in ws[1]]
    assert header == [
        c.heading + ("（元）" if c.format == "money" else "") for c in tables.TABLE_COLUMNS["declarations"]
    ]
    from openpyxl.utils import get_column_letter

    last = get_column_letter(len(tables.TABLE_COLUMNS["declarations"]))
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{last}{ws.max_row}"
    budget = ws.cell(row=2, column=header.index("当年预算（元）") + 1)
    rate = ws.cell(row=2, column=header.index("上年执行率") + 1)
    assert isinstance(budget.value, float) and budget.number_format == "#,##0"
    assert 0 < rate.value < 2 and rate.number_format == "0.0%"  # a ratio, shown as a percent
    assert ws.column_dimensions["C"].width >= 2 * len(SEED_UNIT) * 0.9  # the unit names fit
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # never a formula
    changes = wb["目标变化"]
    head = [c.value for c in changes[1]]
    assert {"原目标值", "新目标值", "变化", "文件", "行"} <= set(head)
    words = {r[head.index("变化")] for r in changes.iter_rows(min_row=2, values_only=True)}
    assert words and words <= {"收紧", "放松", "改写", "新增", "删除"}
    problems = wb["数据问题"]
    head = [c.value for c in problems[1]]
    assert problems.cell(row=2, column=head.index("问题说明") + 1).value == "文字中写明的预算与表格不一致"
    assert [c.value for c in wb["预算与目标"][1]][:3] == ["单位", "年度", "项目数"]


def test_about_sheet_describes_every_column_and_says_when_data_are_synthetic(tmp_path):
    from analysis import tables

    processed = make_processed(tmp_path / "processed", synthetic=True)
    export.export_tables(processed, tmp_path / "out")
    wb = load_workbook(tmp_path / "out" / "tables.xlsx", read_only=True)
    about = list(wb["说明"].iter_rows(values_only=True))
    assert "合成" in about[1][0]
    described = {(r[0], r[2]) for r in about if r and len(r) >= 5 and r[2]}
    for sheet in wb.sheetnames[1:]:
        head = next(wb[sheet].iter_rows(max_row=1, values_only=True))
        assert len([c for (s, c) in described if s == sheet]) == len(head), sheet
    assert ("申报表", "year_budget") in described
    real = make_processed(tmp_path / "real")
    export.export_tables(real, tmp_path / "out2")
    first = next(
        load_workbook(tmp_path / "out2" / "tables.xlsx", read_only=True)["说明"].iter_rows(
            min_row=2, max_row=2, values_only=True
        )
    )
    assert "合成" not in str(first[0])
    assert tables.heading("change") == "变化"


def test_characters_xml_cannot_hold_are_dropped_from_the_workbook(tmp_path):
    # U+FFFF, U+FFFE and control characters in a name made tables.xlsx not well-formed XML
    processed = make_processed(tmp_path / "processed", units=[SEED_UNIT, "坏\uffff名\ufffe字\x01局"])
    export.export_tables(processed, tmp_path / "out")
    wb = load_workbook(tmp_path / "out" / "tables.xlsx")  # parses: well-formed
    units = {r[2] for r in wb["申报表"].iter_rows(min_row=2, values_only=True)}
    assert units == {SEED_UNIT, "坏名字局"}
    csv = pd.read_csv(tmp_path / "out" / "declarations.csv", encoding="utf-8-sig")
    assert "坏\uffff名\ufffe字\x01局" in set(csv["unit"])  # the CSV keeps the name as published


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
    assert "指标" not in wb.sheetnames and "申报表" in wb.sheetnames
    about = {r[1]: r for r in wb["说明"].iter_rows(min_row=2, values_only=True) if r and len(r) > 3}
    assert about["indicators"][2] == n_ind and "仅 indicators.csv" in about["indicators"][3]
    assert len(pd.read_csv(tmp_path / "out" / "indicators.csv", encoding="utf-8-sig")) == n_ind


def test_workbook_has_the_review_of_every_declaration_and_rule_in_chinese(exported):
    _, out, _ = exported
    wb = load_workbook(out / "tables.xlsx", read_only=True)
    rows = list(wb["目标审核"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("单位", "年度", "项目", "审核类别")
    outcome = header.index("审核结果")
    assert body and {r[outcome] for r in body} <= {"通过", "未通过", "不适用"}
    from analysis.metrics.rules import RULES

    assert len(body) == 5 * 3 * 2 * len(RULES)  # every declaration x every rule
    assert (out / "review.csv").exists()


def test_codes_are_in_chinese_and_numbers_read_plainly(exported):
    _, out, _ = exported
    wb = load_workbook(out / "tables.xlsx")
    ws = wb["指标"]
    head = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2))

    def values(heading):
        return {r[head.index(heading)].value for r in rows} - {None}

    assert values("类型") and values("类型") <= {"定量", "定性", "时限"}
    assert values("目标期") <= {"当年", "中期"}  # the seed prints no medium-term targets
    assert values("运算符") <= {"=", ">=", "<=", ">", "<", "区间"}
    numbers = [r[head.index("数值")] for r in rows if isinstance(r[head.index("数值")].value, (int, float))]
    assert any(float(c.value).is_integer() for c in numbers)
    # a whole number (99) must not read "99." as #,##0.## shows it; General shows 99 and 95.5
    assert {c.number_format for c in numbers} == {"General"}
    review = wb["目标审核"]
    head = [c.value for c in review[1]]
    sources = {r[head.index("规则出处")] for r in review.iter_rows(min_row=2, values_only=True)}
    assert "审核惯例" in sources and "convention" not in sources


def test_the_value_words_have_one_home():
    from analysis.reports import show

    frame = pd.DataFrame(
        {
            "kind": ["quantitative"],
            "horizon": ["medium"],
            "op": ["range"],
            "source": ["convention"],
            "place_source": ["unit+folder"],
        }
    )
    shown = export._display(frame).iloc[0].to_dict()
    assert shown == {col: show.cell_text(col, frame[col].iloc[0]) for col in frame}
    assert shown == {
        "kind": "定量",
        "horizon": "中期",
        "op": "区间",
        "source": "审核惯例",
        "place_source": "单位名称、文件夹名",
    }


def test_where_the_place_was_read_is_in_chinese_in_the_workbook(tmp_path):
    import pyarrow.parquet as pq

    from analysis.tables import to_table

    processed = make_processed(tmp_path / "processed")
    decl = pd.read_parquet(processed / "declarations.parquet")
    codes = ["unit", "form", "unit+folder", None]
    decl["place_source"] = [codes[i % len(codes)] for i in range(len(decl))]
    decl = decl.astype(object).where(decl.notna(), None)
    pq.write_table(to_table(decl, "declarations"), processed / "declarations.parquet")
    export.export_tables(processed, tmp_path / "tables")
    ws = load_workbook(tmp_path / "tables" / "tables.xlsx")["申报表"]
    head = [c.value for c in ws[1]]
    shown = {r[head.index("地方来源")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert shown == {"单位名称", "表内其他栏目", "单位名称、文件夹名", None}
    csv = pd.read_csv(tmp_path / "tables" / "declarations.csv", encoding="utf-8-sig")
    assert set(csv["place_source"].dropna()) == {"unit", "form", "unit+folder"}  # the CSV keeps the codes
