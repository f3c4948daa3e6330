"""Decoding and splitting: every encoding and line end gives the seed's own tables."""

import codecs
import os
import random

import pytest

from analysis.ingest.encoding import decode
from analysis.ingest.readers import is_candidate, read_file, split_rows

import seedkit as kit

ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-bom": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "gb18030": lambda t: t.encode("gb18030"),
    "gbk": lambda t: t.encode("gbk"),
    "utf-16-le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-16-le-no-bom": lambda t: t.encode("utf-16-le"),
}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_every_encoding_and_line_end_gives_the_seed_tables(tmp_path, tmp_path_factory, encoding, newline):
    ref_decls, ref_inds = kit.reference(tmp_path_factory)
    data = ENCODINGS[encoding](kit.TEXT.replace("\n", newline))
    r = kit.ingest_files(tmp_path, {"seed.txt": data})
    assert kit.decl_records(r) == ref_decls
    assert kit.indicator_records(r) == ref_inds
    # line numbers count the same lines whatever the line end
    assert r.indicators["source_line"].tolist()[-1] == 60
    assert r.problems["code"].tolist() == ["shifted-row"]


def test_decode_names_the_encoding_it_found():
    t = "\n".join(kit.DECL1)
    assert decode(t.encode("utf-8"), "f")[1] == "utf-8"
    assert decode(codecs.BOM_UTF8 + t.encode("utf-8"), "f")[1] == "utf-8-sig"
    assert decode(t.encode("gbk"), "f")[1] == "gb18030"
    assert decode(codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "f")[1] == "utf-16"
    assert decode(t.encode("utf-16-be"), "f")[1] == "utf-16-be"
    for enc in ("utf-8", "gbk", "utf-16-le"):
        assert decode(t.encode(enc) if enc != "utf-16-le" else codecs.BOM_UTF16_LE + t.encode(enc), "f")[0] == t


def test_excel_quoted_cells_come_out_whole():
    # Excel's text export wraps a cell holding a newline, a tab or a quote in "..." with "" escapes
    text = (
        '项目概况：\t"本项目实施内容为：\n1. 增加热线受理岗位；\n2. 增加""行政受理""岗位\t人员。"\t\t\n'
        "项目名称：\t绿化市容环卫热线运作和受理处置工作经费\n"
    )
    rows, problems = split_rows(text)
    assert problems == []
    assert [r.line for r in rows] == [1, 4]
    assert rows[0].cells == [
        "项目概况：",
        '本项目实施内容为：\n1. 增加热线受理岗位；\n2. 增加"行政受理"岗位\t人员。',
        "",
        "",
    ]
    assert rows[1].cells[1] == kit.P1


def test_quotes_inside_unquoted_cells_stay_as_published():
    # the seed's prose quotes “12345” with curly quotes, but ASCII quotes inside a cell are kept too
    rows, problems = split_rows('立项依据：\t关于做好"12345"热线工作的意见\t\n')
    assert rows[0].cells == ["立项依据：", '关于做好"12345"热线工作的意见', ""] and problems == []


def test_a_quote_that_never_closes_is_kept_and_reported():
    rows, problems = split_rows('项目概况：\t"本项目\n项目名称：\tX\n', "f.txt")
    assert rows[0].cells == ["项目概况：", '"本项目'] and rows[1].cells == ["项目名称：", "X"]
    assert [p.code for p in problems] == ["unclosed-quote"] and problems[0].source_line == 1


def test_multiline_quoted_prose_in_a_declaration(tmp_path):
    block = list(kit.DECL1)
    i = kit.line_index(block, "项目概况：")
    block[i] = '项目概况：\t"本项目实施内容为通过劳务派遣方式\n增加绿化市容热线受理岗位及""行政受理""岗位人员。"\t\t'
    r = kit.ingest_files(tmp_path, {"q.txt": kit.join(block, kit.DECL2)})
    d = r.declarations.set_index("project")
    assert (
        d.loc[kit.P1, "overview"] == '本项目实施内容为通过劳务派遣方式\n增加绿化市容热线受理岗位及"行政受理"岗位人员。'
    )
    # the row after the quoted cell keeps counting physical lines
    ind = r.indicators[r.indicators["project"] == kit.P1]
    assert ind["source_line"].tolist()[0] == 1 + kit.line_index(kit.DECL1, "投入与管理") + 1
    assert d.loc[kit.P1, "n_indicators"] == 8


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_are_reported_as_undecodable(tmp_path, seed):
    data = random.Random(seed).randbytes(3000)
    p = tmp_path / "x.txt"
    p.write_bytes(data)
    sheets = read_file(p, "x.txt")
    assert sheets[0].rows == [] and [pr.code for pr in sheets[0].problems] == ["undecodable"]


def test_binary_files_of_known_kinds():
    assert decode(b"\x00\x01\x02\x03" * 500, "f")[0] is None
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(2000)
    assert decode(png, "f")[0] is None


def test_candidates_skip_hidden_and_known_non_declaration_files():
    from pathlib import Path

    assert is_candidate(Path("2021/unit.txt")) and is_candidate(Path("a.xlsx")) and is_candidate(Path("a.csv"))
    assert not is_candidate(Path("README.md")) and not is_candidate(Path(".hidden/a.txt"))
    assert not is_candidate(Path("answer_key/truth.json")) and not is_candidate(Path("x.parquet"))


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_few_damaged_bytes_spoil_only_their_line(tmp_path, tmp_path_factory, encoding):
    ref_decls, _ = kit.reference(tmp_path_factory)
    data = bytearray(kit.TEXT.encode(encoding))
    at = data.index("派遣人员合格率".encode(encoding))  # line 27, an indicator name
    data[at : at + 1] = b"\xff\x00\x07"
    r = kit.ingest_files(tmp_path, {"d.txt": bytes(data)})
    p = r.problems.set_index("code")
    assert p.loc["bad-bytes", "source_line"] == 27 and p.loc["bad-bytes", "severity"] == "warning"
    d = kit.decl_records(r)
    assert d[0]["project"] == kit.P2 and d[0] == ref_decls[0]  # the other declaration untouched
    name = r.indicators.set_index("source_line").loc[27, "name"]
    assert "\ufffd" in name and "\x00" not in name and "\x07" not in name
    if encoding == "utf-8":  # UTF-8 resynchronizes at the next character, GB18030 at the next tab
        assert name.endswith("人员合格率")
    ref = kit.reference(tmp_path_factory)[1]
    got = kit.indicator_records(r)
    assert len(got) == 17 and [g for g in got if g["name"] != name] == [x for x in ref if x["name"] != "派遣人员合格率"]


def test_a_utf16_mark_followed_by_a_nul_is_not_utf32():
    data = codecs.BOM_UTF16_LE + ("\x00" + kit.TEXT).encode("utf-16-le")
    text, enc, problems = decode(data, "f")
    assert enc == "utf-16" and text == kit.TEXT  # the NUL removed, and reported
    assert [p.code for p in problems] == ["bad-bytes"]
    assert decode(codecs.BOM_UTF32_LE + kit.TEXT.encode("utf-32-le"), "f")[:2] == (kit.TEXT, "utf-32")


def test_comma_separated_export_gives_the_seed_tables(tmp_path, tmp_path_factory):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for line in kit.TEXT.splitlines():
        w.writerow(line.split("\t"))
    text = buf.getvalue()
    assert '"1,406,400"' in text  # the amounts' commas are quoted
    ref_decls, ref_inds = kit.reference(tmp_path_factory)
    r = kit.ingest_files(tmp_path, {"seed.csv": codecs.BOM_UTF8 + text.encode("utf-8")})
    assert kit.decl_records(r) == ref_decls
    assert kit.indicator_records(r, drop=()) == kit.indicator_records(
        kit.ingest_files(tmp_path / "t", {"seed.txt": kit.TEXT}), drop=()
    )


@pytest.mark.parametrize("name", ["seed.xls", "seed.xlsx"])
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16-le-bom"])
def test_a_text_export_saved_under_a_workbooks_name_is_read_as_text(tmp_path, tmp_path_factory, name, encoding):
    """Sites serve tab-separated exports as .xls: they give the seed's tables, with no error."""
    ref_decls, ref_inds = kit.reference(tmp_path_factory)
    r = kit.ingest_files(tmp_path, {name: ENCODINGS[encoding](kit.TEXT)})
    assert kit.decl_records(r) == ref_decls and kit.indicator_records(r) == ref_inds
    assert (r.problems.severity != "error").all(), r.problems.to_string()


def test_a_workbook_name_on_bytes_that_are_no_workbook_says_so(tmp_path):
    junk = random.Random(7).randbytes(3000)
    r = kit.ingest_files(tmp_path, {"a.xlsx": junk, "b.xls": junk, "c.doc": junk})
    got = dict(zip(r.problems.source_file, r.problems.message))
    assert got["a.xlsx"] == "a.xlsx: not a readable .xlsx workbook (its first bytes are no .xlsx workbook)"
    assert got["b.xls"] == "b.xls: not a readable .xls workbook (its first bytes are no .xls workbook)"
    assert got["c.doc"] == "c.doc: not a readable .doc Word file (its first bytes are no .doc Word file)"
    assert set(r.problems.code) == {"unreadable-file"}


def test_a_web_page_saved_under_a_workbooks_name_is_read_as_a_page(tmp_path, tmp_path_factory):
    import formatkit as fk

    page = fk.to_html(fk.text_grid(kit.SEED))
    as_page = kit.ingest_files(tmp_path / "a", {"seed.html": page})
    r = kit.ingest_files(tmp_path / "b", {"seed.xlsx": page})
    assert len(r.declarations) == 2 and kit.decl_records(r) == kit.decl_records(as_page)
