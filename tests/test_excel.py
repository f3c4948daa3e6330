"""Excel workbooks built from the seed give the same tables as the seed's text form."""

import datetime as dt
import re

from analysis.ingest.file import read_declarations

import seedkit as kit


def typed(cell: str):
    """A cell as Excel would hold it: amounts as numbers, dates as dates, the rest as text."""
    if re.fullmatch(r"\d{1,3}(,\d{3})+|\d+", cell):
        return int(cell.replace(",", ""))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell):
        return dt.datetime.strptime(cell, "%Y-%m-%d")
    return cell


def sheet_rows(*blocks):
    rows = []
    for b in blocks:
        if rows:
            rows.append([])
        rows.extend([typed(c) for c in line.split("\t")] for line in b)
    return rows


def merges_for(rows):
    """Merged ranges as a spreadsheet would have them: the title across A:D, each level1
    over its group, each level2 over its repeated rows (the text export's blanks)."""
    out = []
    table = False
    for i, row in enumerate(rows, 1):
        first = row[0] if row else ""
        if isinstance(first, str) and first.startswith("财政项目支出绩效目标表"):
            out.append(f"A{i}:D{i}")
        if row and row[0] == "一级目标":
            table, start = True, None
            continue
        if not table:
            continue
        if not row or not any(row):
            table = False
            continue
        if row[0] and len(row) >= 4 and row[3]:  # a level1 starts here
            start = i
        elif not row[0] and start is not None:
            # extend the merge of the level1 above over this blank
            if out and out[-1].startswith(f"A{start}:"):
                out[-1] = f"A{start}:A{i}"
            else:
                out.append(f"A{start}:A{i}")
    return out


def test_one_declaration_a_sheet_with_merged_cells(tmp_path, tmp_path_factory):
    ref_decls, ref_inds = kit.reference(tmp_path_factory)
    s1, s2 = sheet_rows(kit.DECL1), sheet_rows(kit.DECL2)
    m1 = merges_for(s1)
    assert "A1:D1" in m1 and "A21:A23" in m1  # the merges really are there
    data = kit.to_workbook({"热线运作": s1, "督查督办": s2}, {"热线运作": m1, "督查督办": merges_for(s2)})
    r = kit.ingest_files(tmp_path, {"seed.xlsx": data})
    assert kit.decl_records(r) == ref_decls
    assert kit.indicator_records(r) == ref_inds
    d = r.declarations.set_index("project")
    assert d.loc[kit.P1, "source_line"] == 1 and d.loc[kit.P2, "source_line"] == 1
    p = r.problems
    assert p["code"].tolist() == ["shifted-row"] and "[督查督办]" in p["message"].iloc[0]
    assert p["source_line"].tolist() == [kit.line_index(kit.DECL2, "时效") + 1]


def test_several_declarations_stacked_in_one_sheet(tmp_path, tmp_path_factory):
    ref_decls, ref_inds = kit.reference(tmp_path_factory)
    rows = [[], []] + sheet_rows(kit.DECL1, kit.DECL2)  # the same rows as the text file
    data = kit.to_workbook({"Sheet1": rows}, {"Sheet1": merges_for(rows)})
    r = kit.ingest_files(tmp_path, {"seed.xlsx": data})
    assert kit.decl_records(r) == ref_decls
    # stacked in one sheet the spreadsheet rows are the text file's lines
    assert kit.indicator_records(r, drop=()) == kit.indicator_records(
        kit.ingest_files(tmp_path / "t", {"seed.txt": kit.TEXT}), drop=()
    )


def test_workbook_cells_read_like_a_text_export(tmp_path):
    rows = sheet_rows(kit.DECL1)
    rows[kit.line_index(kit.DECL1, "项目总预算")][1] = 1406400.0  # a float cell
    rows[kit.line_index(kit.DECL1, "同名项目上年预算额")][1] = "1,296,100"  # a text cell
    p = tmp_path / "a.xlsx"
    p.write_bytes(kit.to_workbook({"S": rows}))
    res = read_declarations(p, "a.xlsx")
    assert res.found == 1 and res.encoding == "xlsx"
    d = res.declarations[0]
    assert (d["total_budget"], d["prior_budget"], d["start_date"]) == (1406400.0, 1296100.0, dt.date(2020, 1, 1))


def test_a_broken_workbook_is_a_problem_not_a_crash(tmp_path):
    good = kit.to_workbook({"S": sheet_rows(kit.DECL1)})
    r = kit.ingest_files(tmp_path, {"cut.xlsx": good[: len(good) // 2], "ok.xlsx": good})
    assert r.declarations["project"].tolist() == [kit.P1]
    bad = r.problems[r.problems["source_file"] == "cut.xlsx"]
    assert bad["code"].tolist() == ["unreadable-file"] and bad["severity"].tolist() == ["error"]


def test_an_empty_workbook_holds_no_declaration(tmp_path):
    r = kit.ingest_files(tmp_path, {"empty.xlsx": kit.to_workbook({"Sheet1": []})})
    assert r.declarations.empty and r.problems["code"].tolist() in (["empty-file"], ["no-declaration"])


def test_percent_formatted_numbers_and_uncached_formulas_read_as_printed(tmp_path):
    import io

    import openpyxl

    rows = sheet_rows(kit.DECL1)
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append([None if c == "" else c for c in row])
    first = kit.line_index(kit.DECL1, "投入与管理") + 1
    ws.cell(first, 4).value = 0.99  # =99% kept as a number shown as percent
    ws.cell(first, 4).number_format = "0%"
    # the second target stays "=99%", written as a formula by a program: no cached value
    assert ws.cell(first + 1, 4).data_type == "f"
    buf = io.BytesIO()
    wb.save(buf)
    p = tmp_path / "f.xlsx"
    p.write_bytes(buf.getvalue())
    inds = read_declarations(p, "f.xlsx").indicator_dicts()[0]
    assert [i["target_raw"] for i in inds[:2]] == ["99%", "=99%"]
    assert [(i["op"], i["value"], i["value_unit"]) for i in inds[:2]] == [("=", 99.0, "%"), ("=", 99.0, "%")]
