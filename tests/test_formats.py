"""Declarations published as web pages, Word files, old Excel workbooks and PDFs give the same
tables as their text exports: the seed and the real published declarations rendered in every
format (tests/formatkit.py), a disclosure-shaped PDF, a scan, an old .doc and damaged files."""

import io
import itertools
import zipfile

import pytest

from analysis.ingest import format_summary

import formatkit as fk
import seedkit as kit

FORMATS = list(fk.RENDER)
REAL = fk.real_world_dir()
REAL_FILES = sorted(REAL.glob("*.txt")) if REAL.is_dir() else []
needs_real = pytest.mark.skipif(
    not REAL_FILES, reason=f"the real published declarations are not at {REAL} (set ANALYSIS_REAL_WORLD)"
)


@pytest.fixture(scope="module")
def seed_grid():
    return fk.text_grid(kit.SEED)


@pytest.fixture(scope="module")
def seed_text():
    return fk.read(kit.SEED)


def _write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return p


# ---------------------------------------------------------------------------------------------
# the fixtures really are what they claim


def test_the_fixtures_hold_merged_cells_and_a_page_break(seed_grid, tmp_path):
    page = fk.to_html(seed_grid).decode()
    assert "rowspan=" in page and "colspan=" in page and "<p>" in page and "&lt;p&gt;" in page
    with zipfile.ZipFile(io.BytesIO(fk.to_docx(seed_grid))) as z:
        body = z.read("word/document.xml").decode()
    assert "w:gridSpan" in body and "w:vMerge" in body
    import xlrd

    book = xlrd.open_workbook(file_contents=fk.to_xls(seed_grid), formatting_info=True)
    assert book.sheet_by_index(0).merged_cells
    import pdfplumber

    with pdfplumber.open(io.BytesIO(fk.to_pdf(seed_grid))) as pdf:
        pages_with_targets = [i for i, p in enumerate(pdf.pages, 1) if "三级目标" in (p.extract_text() or "")]
    # the first indicator table runs over a page break and repeats its header row there
    assert any(b == a + 1 for a, b in itertools.pairwise(pages_with_targets))


# ---------------------------------------------------------------------------------------------
# the seed


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_seed_in_every_format_gives_the_text_exports_tables(fmt, seed_grid, seed_text, tmp_path):
    got = fk.read(_write(tmp_path, f"seed.{fmt}", fk.rendered(kit.SEED, fmt)))
    source = ["source_file", "source_line", "source_page", "source_table"]

    def records(t, table, keys):
        frame = t.drop(columns=source if table == "d" else ["source_line", "source_page"]).sort_values(keys)
        return [{k: kit._plain(v) for k, v in r.items()} for r in frame.to_dict("records")]

    # every column but where it was found, exactly (prose, names and targets included)
    assert records(got.declarations, "d", ["project"]) == records(seed_text.declarations, "d", ["project"])
    assert records(got.indicators, "i", ["project", "seq"]) == records(seed_text.indicators, "i", ["project", "seq"])
    assert sorted(p.code for p in got.problems) == sorted(p.code for p in seed_text.problems) == ["shifted-row"]
    d = got.declarations
    if fmt == "xls":  # a workbook: rows are the sheet's, no table or page
        assert d["source_table"].isna().all() and d["source_page"].isna().all()
    else:
        assert d["source_table"].notna().all() and d["source_table"].is_unique
        assert d["source_page"].notna().all() == (fmt == "pdf")
        assert d["source_page"].isna().all() == (fmt != "pdf")
    if fmt == "pdf":  # the first declaration's indicators run onto the next page
        inds = got.indicators[got.indicators["project"] == kit.P1]
        assert inds["source_page"].nunique() == 2 and inds["source_page"].is_monotonic_increasing


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_row_of_the_seed_is_read_back_in_order(fmt, seed_grid, tmp_path):
    """Below the parser: the rows a reader gives are the text export's rows (the page's other
    rows around them); a PDF cannot show a column no cell starts at, so there the filled cells."""
    path = _write(tmp_path, f"seed.{fmt}", fk.rendered(kit.SEED, fmt))
    missing = fk.missing_rows(seed_grid, fk.document_rows(path), filled_only=(fmt == "pdf"))
    assert not missing


# ---------------------------------------------------------------------------------------------
# the real published declarations


@needs_real
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_real_declarations_in_every_format_give_the_text_exports_tables(fmt, tmp_path):
    totals = {"declarations": 0, "same": 0, "indicators": 0, "indicators_same": 0}
    for path in REAL_FILES:
        text = fk.read(path)
        got = fk.read(_write(tmp_path, f"{path.stem}.{fmt}", fk.rendered(path, fmt)))
        c = fk.compare(text, got)
        assert c["found"] == c["declarations"] == c["same"] and not c["extra"], (path.name, c)
        assert c["indicators_found"] == c["indicators"], (path.name, c)
        for k in totals:
            totals[k] += c[k]
    assert totals["indicators_same"] >= 0.95 * totals["indicators"], totals


@needs_real
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_parser_finds_the_same_in_every_format(fmt, tmp_path):
    """Below the typed tables: every declaration the parser finds in the text export (also those
    it cannot complete yet), with the same fields and indicator cells, in every format."""
    n = same = inds = inds_same = 0
    for path in REAL_FILES:
        text = fk.raw_declarations(path)
        got = fk.raw_declarations(_write(tmp_path, f"{path.stem}.{fmt}", fk.rendered(path, fmt)))
        assert len(got) == len(text), path.name
        n += len(text)
        same += sum(a[:2] == b[:2] for a, b in zip(text, got))  # year and fields
        for a, b in zip(text, got):
            inds += len(a[2])
            inds_same += sum(x == y for x, y in zip(a[2], b[2]))
    assert same == n and n >= len(REAL_FILES)
    assert inds_same >= 0.95 * inds and inds >= 100


@needs_real
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_row_of_the_real_declarations_is_read_back(fmt, tmp_path):
    for path in REAL_FILES:
        grid = fk.text_grid(path)
        doc = _write(tmp_path, f"{path.stem}.{fmt}", fk.rendered(path, fmt))
        assert not fk.missing_rows(grid, fk.document_rows(doc), filled_only=(fmt == "pdf")), path.name


# ---------------------------------------------------------------------------------------------
# a department's disclosure, a scan, an old Word file, damaged files, pages beside the data


def test_a_disclosure_pdf_gives_exactly_its_declarations(seed_grid, seed_text, tmp_path):
    """Budget tables first (one with 单位名称/项目名称 columns), then the declarations, the first
    one running across a page break with its header row repeated."""
    got = fk.read(_write(tmp_path, "2020年部门预算公开.pdf", fk.to_pdf(seed_grid, before=fk.disclosure_front())))
    c = fk.compare(seed_text, got)
    assert (c["found"], c["same"], c["indicators_found"], c["indicators_same"]) == (2, 2, 17, 17)
    assert [p.code for p in got.problems] == ["shifted-row"]
    d = got.declarations.set_index("project")
    assert d.loc[kit.P1, "source_page"] == 2 and d.loc[kit.P2, "source_page"] > 2
    assert d.loc[kit.P1, "source_table"] == 3  # after the two budget tables
    pages = got.indicators[got.indicators["project"] == kit.P1]["source_page"]
    assert sorted(pages.unique()) == [3, 4]


def test_a_scanned_pdf_and_an_old_doc_give_one_clear_problem_each(tmp_path):
    r = kit.ingest_files(tmp_path, {"scan.pdf": fk.scanned_pdf(), "old.doc": fk.OLD_DOC})
    p = r.problems.set_index("source_file")
    assert len(r.problems) == 2 and len(r.declarations) == 0
    assert p.loc["scan.pdf", "code"] == "no-text-layer" and "text layer" in p.loc["scan.pdf", "message"]
    assert p.loc["old.doc", "code"] == "unsupported-format"
    assert "soffice --headless --convert-to docx" in p.loc["old.doc", "message"]


def test_a_pdf_partly_scanned_names_its_pages(seed_grid, tmp_path):
    got = fk.read(_write(tmp_path, "mixed.pdf", fk.to_pdf(seed_grid, scanned_pages=2)))
    assert len(got.declarations) == 2
    scan = [p for p in got.problems if p.code == "no-text-layer"]
    import pdfplumber

    with pdfplumber.open(tmp_path / "mixed.pdf") as pdf:
        n = len(pdf.pages)
    assert len(scan) == 1 and f"page(s) {n - 1}-{n} of {n}" in scan[0].message, scan


def test_damaged_files_give_one_problem_row_each(seed_grid, tmp_path):
    docx, pdf, xls = fk.to_docx(seed_grid), fk.to_pdf(seed_grid), fk.to_xls(seed_grid)
    files = {
        "cut.docx": docx[: len(docx) // 2],
        "cut.pdf": pdf[: len(pdf) // 3],
        "cut.xls": xls[: len(xls) // 2],
        "not-a.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 8,
        "empty-zip.docx": b"PK\x05\x06" + bytes(18),
        "named.pdf": "项目名称：这不是PDF".encode(),
    }
    r = kit.ingest_files(tmp_path, files)
    assert r.summary["ledger_ok"] and len(r.declarations) == 0
    assert sorted(r.problems["source_file"]) == sorted(files)  # one row each
    assert set(r.problems["code"]) == {"unreadable-file"}


def test_web_pages_without_a_declaration_are_passed_over_quietly(seed_grid, tmp_path):
    files = {
        "README.html": "<html><body><h1>说明</h1><p>本目录收录各单位的绩效目标表。</p>"
        "<table><tr><td>文件</td><td>说明</td></tr><tr><td>a.txt</td><td>2020年</td></tr></table></body></html>",
        "index.htm": fk.NAV.encode(),
        "2020/seed.shtml": fk.to_html(seed_grid, charset="utf-8"),
    }
    r = kit.ingest_files(tmp_path, files)
    assert r.summary["html_without_declaration"] == 2 and r.summary["files_without_declaration"] == 0
    assert len(r.declarations) == 2 and r.problems["code"].tolist() == ["shifted-row"]
    assert "2 个网页没有申报表，已跳过" in format_summary(r.summary)


def test_a_page_saved_as_xls_and_an_mhtml_page_are_read(seed_grid, seed_text, tmp_path):
    """Sites often serve an HTML table as ``.xls``; browsers save pages as ``.mhtml``."""
    import email.mime.multipart
    import email.mime.text

    msg = email.mime.multipart.MIMEMultipart("related")
    part = email.mime.text.MIMEText(fk.to_html(seed_grid, charset="utf-8").decode(), "html", "utf-8")
    msg.attach(part)
    for name, data in (("export.xls", fk.to_html(seed_grid, charset="gbk")), ("page.mhtml", msg.as_bytes())):
        got = fk.read(_write(tmp_path, name, data))
        c = fk.compare(seed_text, got)
        assert (c["found"], c["same"], c["indicators_same"]) == (2, 2, 17), name


def test_the_charset_of_a_page(tmp_path):
    from analysis.ingest.html import decode_page

    text = "<html><head><meta charset='gb2312'></head><body><p>王堃 ≥95%</p></body></html>"  # 堃 is not GB2312
    assert decode_page(text.encode("gb18030"), "p.html")[:2] == (text, "gb18030")
    http = '<meta http-equiv="Content-Type" content="text/html; charset=GBK">项目'
    assert decode_page(http.encode("gbk"), "p.html")[0] == http
    # a page that says UTF-8 and is GB18030: detected
    wrong = "<meta charset=utf-8><p>项目名称：热线</p>"
    assert decode_page(wrong.encode("gb18030"), "p.html")[:2] == (wrong, "gb18030")
    # no declaration: UTF-16 with BOM, or detection
    assert decode_page("\ufeff<p>项目</p>".encode("utf-16-le"), "p.html")[0] == "<p>项目</p>"


def test_cell_markup_spans_and_nested_tables():
    import lxml.html

    from analysis.ingest.html import read_html

    page = (
        "<html><body><table><tr><td>layout<table id=inner>"
        "<tr><td rowspan=2>产出指标</td><td colspan=2><p>数量</p><p>指标</p></td></tr>"
        "<tr><td>人数&nbsp;&nbsp; <b>合计</b></td><td>≥<span>5</span><br>人</td></tr>"
        "<tr><td></td><td colspan=2>x</td></tr></table></td></tr></table></body></html>"
    )
    sheets = read_html(page.encode(), "t.html")
    inner = [s for s in sheets if any(r.cells[0] == "产出指标" for r in s.rows)]
    assert len(sheets) == 2 and len(inner) == 1
    assert [r.cells for r in inner[0].rows] == [
        ["产出指标", "数量\n指标", ""],
        ["", "人数\u00a0\u00a0 合计", "≥5\n人"],
        ["", "x", ""],
    ]
    assert [r.cells for r in sheets[0].rows] == [["layout"]]  # the layout cell without the table in it
    assert lxml.html  # parsed by lxml, not by patterns


def test_only_the_first_pages_of_a_long_pdf_are_read(seed_grid, tmp_path, monkeypatch):
    from analysis.ingest import pdf

    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    got = fk.read(_write(tmp_path, "long.pdf", fk.to_pdf(seed_grid)))
    codes = [p.code for p in got.problems]
    assert "pages-not-read" in codes
    assert next(p for p in got.problems if p.code == "pages-not-read").message.endswith("only the first 2 are read")


def test_xls_cells_read_as_the_text_export_prints_them(tmp_path):
    import xlrd

    from analysis.ingest.xls import read_xls

    rows = [
        ["指标", "目标值", "完成日期", "金额"],
        ["满意度", "95%", "2021-12-31", "1406400"],
        ["合并单元格", "", "", ""],
    ]
    data = fk.to_xls(rows)
    sheet = xlrd.open_workbook(file_contents=data, formatting_info=True).sheet_by_index(0)
    # typed in the workbook: a number with a percent format, a date, a number; the last row merged
    assert [sheet.cell(1, c).ctype for c in range(1, 4)] == [
        xlrd.XL_CELL_NUMBER,
        xlrd.XL_CELL_DATE,
        xlrd.XL_CELL_NUMBER,
    ]
    assert (2, 3, 0, 4) in sheet.merged_cells
    got = [r.cells for r in read_xls(data, "t.xls")[0].rows]
    assert got == [rows[0], rows[1], ["合并单元格"]]
