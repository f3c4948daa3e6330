"""Tables drawn without ruling lines (tests/pdfkit.py with ``ruled=False``): text placed in
columns, read from where it is printed (analysis.ingest.pdftext). Every declaration must come
out as from the text export of the same declaration, as with ruling lines: the real layouts on
landscape and portrait pages, across page breaks, cells wrapped over several lines, merged cells,
a row cut by a page break, a long disclosure, a page holding a ruled table beside them."""

from pathlib import Path

import pytest

import formatkit as fk
import pdfkit as pk
import seedkit as kit

needs_real = pytest.mark.skipif(
    not (pk.REAL / "d01_huangshi_dangxiao_zhutiban_2022.txt").exists(), reason="no real set"
)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


#: cells' text at the top of their height, as Word prints a table whose borders are off: A4
#: landscape; short landscape pages (every table of a layout over page breaks, its first row
#: printed again on each page); A4 portrait (narrow columns, most cells wrapped) with the
#: breaks moved and nothing printed again
UNRULED = {
    "landscape": pk.Layout(ruled=False, middle=False),
    "short pages": pk.Layout(page=(842.0, 420.0), ruled=False, middle=False),
    "portrait, nothing repeated": pk.Layout(page=(595.0, 842.0), repeat=0, offset=200.0, ruled=False, middle=False),
}


@needs_real
@pytest.mark.parametrize(
    "layout", [pytest.param(k, marks=[] if k == "short pages" else [pytest.mark.slow]) for k in UNRULED]
)
def test_every_real_layout_read_without_ruling_lines(layout, tmp_path):
    """Each real layout printed without ruling lines in a disclosure (its budget tables without
    lines too, a running header and page numbers): the declarations of its text export."""
    for path in pk.LAYOUTS:
        pdf = _write(tmp_path, f"{path.stem}.pdf", pk.disclosure([fk.text_grid(path)], UNRULED[layout]))
        pk.assert_same(fk.read(path), fk.read(pdf), f"{path.name} ({layout})")


#: layouts whose cells merged down, centred on the rows they span, are centred on rows that
#: cells of their own would sit on as well (three rows: the middle one), where nothing in the
#: page tells which: read from a PDF without lines, a level lands a row or two off
CENTRED_AMBIGUOUS = {
    "d01_huangshi_dangxiao_zhutiban_2022",
    "d07_zhalaite_jianchayuan_2025",
    "d09_jingyan_matazhen_cunzu_2023",
    "e03_xiangtan_huanwei_wupaoche_2024",
    "e04_wuhan_qingshan_jiaoyu_boruoxuexiao_2020",
    "f02_nanyue_nanyuezhen_lvyoufupin_2018",
}


@needs_real
def test_cells_centred_in_their_height_without_ruling_lines(tmp_path):
    """Cells centred in their height, as a spreadsheet prints them (a cell of one line at the
    middle of a wrapped neighbour, a merged cell's text at the middle of the rows it spans: in
    a row of its own between two, or beside the middle one): the merged cell's text goes to its
    first row, as a text export has it. For the seed and the real layouts but those above."""
    layouts = [p for p in pk.LAYOUTS if p.stem not in CENTRED_AMBIGUOUS]
    assert len(layouts) >= 35
    for path in layouts:
        pdf = _write(tmp_path, f"{path.stem}.pdf", pk.disclosure([fk.text_grid(path)], pk.Layout(ruled=False)))
        pk.assert_same(fk.read(path), fk.read(pdf), path.name)


@pytest.mark.parametrize("middle", [True, False], ids=["centred", "at the top"])
def test_the_seed_without_ruling_lines_gives_its_rows(middle, tmp_path):
    """Below the parser: every row of two cells or more of the seed's text export is a row read
    from the PDF, its cells whole (a cell of prose wrapped over eight lines is one cell; a merged
    cell's text in its first row, blanks under it), over page breaks too; no new problem row."""
    for page in [(842.0, 595.0), (842.0, 420.0)]:
        layout = pk.Layout(page=page, ruled=False, middle=middle, budget_tables=False)
        path = _write(tmp_path, "seed.pdf", pk.disclosure([fk.text_grid(kit.SEED)], layout))
        assert {p.code for p in fk.read(path).problems} <= {p.code for p in fk.read(kit.SEED).problems}
        table = [r for r in fk.text_grid(kit.SEED) if sum(bool(c.strip()) for c in r) >= 2]
        assert fk.missing_rows(table, fk.document_rows(path), filled_only=True) == []


@pytest.mark.parametrize(
    "case",
    [
        ("seed", "立项依据", 2),
        ("seed", "为做好“12345”", 2),
        ("d02_jinzhai_kaifaqu_wuye_2021.txt", "指标1:完成开发区工委", 1),
    ],
    ids=["a field's prose", "a goal", "an indicator's name"],
)
def test_a_row_cut_by_a_page_break_without_ruling_lines(case, tmp_path):
    """A row cut by a page break (its first lines at the foot of a page, the rest under the
    table's first row printed again): one row, its text whole."""
    name, row, lines = case
    path = kit.SEED if name == "seed" else pk.REAL / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    got = fk.read(_write(tmp_path, "cut.pdf", pk.cut_row(fk.text_grid(path), row, lines, ruled=False)))
    pk.assert_same(fk.read(path), got, case)


def _with_printed_year() -> list[Path]:
    """The layouts that print their year (the others take it from their file's name)."""
    return [p for p in pk.LAYOUTS if not any(x.code == "year-inferred" for x in fk.read(p).problems)]


@needs_real
def test_a_long_disclosure_without_ruling_lines(tmp_path):
    """30+ declarations of the real layouts without ruling lines, each over page breaks, a budget
    table after every fourth: each found with its own fields and indicators."""
    paths = _with_printed_year()
    text = pk.expected(paths)
    assert len(text.declarations) >= 30
    layout = pk.Layout(page=(842.0, 420.0), offset=40.0, ruled=False, middle=False)
    got = fk.read(
        _write(tmp_path, "2021年部门预算公开.pdf", pk.disclosure([fk.text_grid(p) for p in paths], layout, 4))
    )
    pk.assert_same(text, got, "disclosure")
    assert got.declarations["source_page"].is_monotonic_increasing


@needs_real
def test_a_page_with_a_ruled_table_beside_a_form_without_lines(tmp_path):
    """Ruled budget tables between declarations printed without lines, on the same pages: the
    ruled tables read by their lines, the text beside them as tables without lines."""
    import pdfplumber

    paths = _with_printed_year()[::5]
    layout = pk.Layout(ruled=False, middle=False, budget_ruled=True)
    pdf = _write(tmp_path, "mixed.pdf", pk.disclosure([fk.text_grid(p) for p in paths], layout, 1))
    got = fk.read(pdf)
    pk.assert_same(pk.expected(paths), got, "mixed.pdf")
    with pdfplumber.open(pdf) as doc:
        ruled = {p.page_number for p in doc.pages if p.find_tables()}
    assert ruled & set(got.declarations["source_page"]) or ruled & set(got.indicators["source_page"])


def test_a_line_with_a_wide_gap_beside_ruled_tables_stays_a_line():
    """On a page that holds a ruled table, text outside it is read as a table only where it
    is one beyond doubt."""
    from analysis.ingest.pdf import _columnar

    assert not _columnar([["编制单位：示例市绿化和市容管理局", "", "单位：万元"]])
    assert not _columnar([["编制单位：示例市", "单位：万元"], ["财政项目支出绩效目标表", ""]])
    assert _columnar([["一级指标", "二级指标", "三级指标", "指标值"]])
    assert _columnar([["项目名称", "x"], ["项目类别", "y"], ["主管部门", "z"]])
