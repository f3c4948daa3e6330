"""Budget-disclosure PDFs as departments publish them (tests/pdfkit.py): the real declarations'
layouts across page breaks, several declarations a file, a long disclosure among budget tables,
and what a damaged or hostile page costs. Every declaration must come out as from the text
export of the same declarations."""

from pathlib import Path

import pytest

import formatkit as fk
import pdfkit as pk
import seedkit as kit

REAL = pk.REAL
LAYOUTS = pk.LAYOUTS
needs_real = pytest.mark.skipif(not (REAL / "d01_huangshi_dangxiao_zhutiban_2022.txt").exists(), reason="no real set")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


#: short landscape pages (every table of a real layout runs over one or more breaks, its first
#: row printed again on each page) with the breaks moved by a heading's height; A4 portrait
#: without a repeated row
BREAKS = {
    "short pages": pk.Layout(page=(842.0, 420.0)),
    "short pages, breaks moved": pk.Layout(page=(842.0, 420.0), offset=60.0),
    "portrait, nothing repeated": pk.Layout(page=(595.0, 842.0), repeat=0, offset=200.0),
}


@needs_real
@pytest.mark.parametrize(
    "layout", [pytest.param(k, marks=[] if k == "short pages, breaks moved" else [pytest.mark.slow]) for k in BREAKS]
)
def test_every_real_layout_read_whole_across_page_breaks(layout, tmp_path):
    """Each real declaration's own layout, in a disclosure (budget tables first, a running
    header with a year and page numbers on every page), its tables cut by page breaks."""
    for path in LAYOUTS:
        pdf = _write(tmp_path, f"{path.stem}.pdf", pk.disclosure([fk.text_grid(path)], BREAKS[layout]))
        pk.assert_same(fk.read(path), fk.read(pdf), f"{path.name} ({layout})")


def _with_printed_year() -> list[Path]:
    """The layouts that print their year (the others take it from their file's name)."""
    return [p for p in LAYOUTS if not any(x.code == "year-inferred" for x in fk.read(p).problems)]


@needs_real
@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(pk.Layout(), marks=pytest.mark.slow, id="several a page"),
        pytest.param(pk.Layout(page=(595.0, 842.0), per_page=True), marks=pytest.mark.slow, id="one a page"),
        pytest.param(pk.Layout(page=(842.0, 420.0), offset=40.0), id="each over pages"),
    ],
)
def test_a_long_disclosure_gives_each_of_its_declarations(layout, tmp_path):
    """30+ declarations of 25+ publishers' layouts one after another, a budget table after
    every fourth, as one disclosure: each found with its own fields and indicators."""
    paths = _with_printed_year()
    text = pk.expected(paths)
    assert len(text.declarations) >= 30 and len(text.indicators) >= 200
    pdf = _write(tmp_path, "2021年部门预算公开.pdf", pk.disclosure([fk.text_grid(p) for p in paths], layout, 4))
    got = fk.read(pdf)
    pk.assert_same(text, got, "disclosure")
    assert got.declarations["source_page"].is_monotonic_increasing
    assert got.declarations["source_page"].min() >= 2  # after the budget tables


def test_a_row_taken_again_below_is_a_row_not_a_repeated_header(tmp_path):
    """Only the table's own first rows printed again at a page's top are dropped: the column
    header of a later declaration in the same table, at the top of a page, stays."""
    from analysis.ingest.pdf import _drop_repeated, _Part

    head = [["表十二", ""], ["编制单位", "x"]]
    part = _Part(1, 0, 0, [0.0], 1.0, head + [["绩效指标", "指标值"], ["a", "1"], ["表十二", ""], ["编制单位", "y"]])
    rows = [["表十二", ""], ["绩效指标", "指标值"], ["b", "2"]]
    assert _drop_repeated(part, rows) == (rows[1:], 1)


# ---------------------------------------------------------------------------------------------
# bounds: what a page may cost, and the file's clock


@pytest.fixture(scope="module")
def seed_text():
    return fk.read(kit.SEED)


def _seed_after(before: list) -> bytes:
    return fk.to_pdf(fk.text_grid(kit.SEED), before=before)


def test_a_page_of_a_million_characters_costs_that_page(seed_text, tmp_path):
    """A few KB that lay out a million characters: refused as they are counted, the
    declarations on the other pages read."""
    data = _seed_after(pk.character_bomb())
    assert len(data) < 100_000
    got = fk.read(_write(tmp_path, "bomb.pdf", data))
    c = fk.compare(seed_text, got)
    assert (c["found"], c["same"], c["indicators_same"]) == (2, 2, 17)
    bad = [p for p in got.problems if p.code == "pages-not-read"]
    assert len(bad) == 1 and "page(s) 1 (more than 200,000 characters and lines on the page)" in bad[0].message


def test_a_page_whose_content_inflates_past_its_bound_is_not_decoded(seed_text, tmp_path, monkeypatch):
    from analysis.ingest import pdf

    monkeypatch.setattr(pdf, "MAX_PAGE_CONTENT", 1 << 20)
    data = _seed_after(pk.stream_bomb(8 << 20))
    assert len(data) < 200_000
    got = fk.read(_write(tmp_path, "stream.pdf", data))
    c = fk.compare(seed_text, got)
    assert (c["found"], c["same"], c["indicators_same"]) == (2, 2, 17)
    bad = [p for p in got.problems if p.code == "pages-not-read"]
    assert len(bad) == 1 and "page(s) 1 (its content inflates to more than 1 MiB)" in bad[0].message


def test_the_pages_contents_are_charged_against_the_files_bound(tmp_path):
    from analysis.ingest import limits as lim
    from analysis.ingest.pdf import read_pdf

    data = _seed_after(pk.stream_bomb(3 << 20))
    with lim.budget(lim.Limits(max_unzipped=2 << 20), "f.pdf"), pytest.raises(lim.LimitExceeded, match="2 MiB"):
        read_pdf(data, "f.pdf")


def test_a_page_that_fails_costs_only_that_page(seed_text, tmp_path, monkeypatch):
    from analysis.ingest import pdf

    real = pdf._table_rows

    def damaged(table, chars):
        if table.page.page_number == 1:
            raise KeyError("Widths")
        return real(table, chars)

    monkeypatch.setattr(pdf, "_table_rows", damaged)
    from reportlab.platypus import PageBreak

    front = pk.budget_tables(1)[0][1]
    got = fk.read(_write(tmp_path, "damaged.pdf", _seed_after([fk.pdf_table(front, 500), PageBreak()])))
    c = fk.compare(seed_text, got)
    assert (c["found"], c["same"], c["indicators_same"]) == (2, 2, 17)
    bad = [p for p in got.problems if p.code == "pages-not-read"]
    assert len(bad) == 1 and bad[0].message.endswith("page(s) 1 (KeyError) could not be read")


def test_a_long_pdf_stops_at_the_files_time_limit(tmp_path):
    """The clock is checked between pages and while a page is laid out: a file stops at its
    limit, by the reader's own check, not at the worker's hard kill."""
    from analysis.ingest import limits as lim

    grids = [fk.text_grid(kit.SEED)] * 30  # some 50 pages: read whole, longer than the hard kill (2.45 s)
    # the other file's unit differs, so what the PDF gave before its limit cannot make it a repeat
    other = kit.TEXT.replace(kit.SEED_UNIT, "上海市水务局执法总队").encode("utf-8")
    r = kit.ingest_files(
        tmp_path, {"long.pdf": pk.disclosure(grids), "seed.txt": other}, limits=lim.Limits(seconds=0.3)
    )
    mine = r.problems[r.problems["source_file"] == "long.pdf"]
    assert set(mine["code"]) & {"file-timeout", "pages-not-read"}, mine
    assert not mine["message"].str.contains("was stopped").any()  # (the kill's message)
    assert (r.declarations["source_file"] == "seed.txt").sum() == 2


def test_the_pages_left_at_the_time_limit_are_named_and_the_rest_kept(seed_text, monkeypatch):
    """Reading stops once the pages have taken three quarters of the file's time: the
    declarations of the pages read are kept, the pages left named."""
    import types

    from analysis.ingest import limits as lim
    from analysis.ingest import pdf

    ticks = iter(range(0, 10_000, 10))  # every look at the reader's clock: 10 s later
    monkeypatch.setattr(pdf, "time", types.SimpleNamespace(monotonic=lambda: next(ticks)))
    data = pk.disclosure([fk.text_grid(kit.SEED)] * 4, pk.Layout(per_page=True))
    with lim.budget(lim.Limits(seconds=60), "long.pdf"):
        sheets = pdf.read_pdf(data, "long.pdf")
    left = [p for p in sheets[0].problems if p.code == "pages-not-read"]
    assert len(left) == 1 and "page(s) 6-" in left[0].message and "(60 s)" in left[0].message
    assert {r.page for s in sheets for r in s.rows} == {1, 2, 3, 4, 5}


# ---------------------------------------------------------------------------------------------
# forms not analysed


def test_a_department_wide_form_is_passed_over_and_named_once(seed_text, tmp_path):
    """Two 部门整体支出绩效目标表 (no project) beside the seed's declarations, one of them over a
    page break: the declarations as from the text export, one form-not-analysed row naming the
    pages, no other new problem."""
    seed = fk.text_grid(kit.SEED)
    grids = [pk.DEPARTMENT_FORM, seed, pk.DEPARTMENT_FORM]
    got = fk.read(_write(tmp_path, "整体.pdf", pk.disclosure(grids, pk.Layout(page=(842.0, 420.0)))))
    c = fk.compare(seed_text, got)
    assert (c["found"], c["same"], c["indicators_same"], c["extra"]) == (2, 2, 17, 0)
    aside = [p for p in got.problems if p.code == "form-not-analysed"]
    assert len(aside) == 1 and "2 部门整体支出绩效目标表" in aside[0].message and "page(s) 2" in aside[0].message
    assert sorted(p.code for p in got.problems if p.code != "form-not-analysed") == ["shifted-row"]


def test_the_vocabulary_names_the_forms_not_analysed():
    from analysis.ingest.vocabulary import names_form_not_analysed

    assert names_form_not_analysed("2021年部门整体支出绩效目标表")
    assert names_form_not_analysed("单位整体支出绩效目标申报表")
    assert not names_form_not_analysed("项目支出绩效目标表")
    assert not names_form_not_analysed("区域绩效目标表")  # a transfer fund's: read as its fund's declaration


# ---------------------------------------------------------------------------------------------
# characters as PDFs carry them


def test_kangxi_radicals_read_as_the_ideographs(seed_text, tmp_path):
    """Office suites' PDFs often map 目, 金, 人 … to Kangxi radicals (⽬, ⾦, ⼈): read as the
    ideographs the text export holds."""
    radical = pk.radicals_share_glyphs()
    if not radical:
        pytest.skip("the kit's font is no TrueType font")
    grid = [["".join(radical.get(ch, ch) for ch in c) for c in r] for r in fk.text_grid(kit.SEED)]
    assert sum(ch in radical.values() for r in grid for c in r for ch in c) > 100
    got = fk.read(_write(tmp_path, "radicals.pdf", pk.disclosure([grid])))
    pk.assert_same(seed_text, got, "radicals.pdf")


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "without ruling lines"])
def test_full_width_punctuation_as_pdfs_carry_it(ruled, tmp_path):
    """The real layouts with their punctuation full-width (the stored copies folded it to ASCII),
    as a text export and as a PDF: the same declarations."""
    import csv
    import io

    wide = str.maketrans({":": "：", "(": "（", ")": "）", ",": "，", ";": "；"})
    for path in LAYOUTS[::4]:
        grid = [[c.translate(wide) for c in r] for r in fk.text_grid(path)]
        buf = io.StringIO()
        csv.writer(buf, delimiter="\t", lineterminator="\n").writerows(grid)
        text = _write(tmp_path, f"{path.stem}.txt", buf.getvalue().encode("utf-8"))
        layout = pk.Layout(page=(842.0, 420.0), ruled=ruled, middle=ruled)
        pdf = _write(tmp_path, f"{path.stem}.pdf", pk.disclosure([grid], layout))
        pk.assert_same(fk.read(text), fk.read(pdf), path.name)


# ---------------------------------------------------------------------------------------------
# a row cut by a page break


CUT_ROWS = {
    "a field's prose": ("seed", "立项依据", 2),
    "a goal": ("seed", "为做好“12345”", 2),
    "an indicator's name": ("d02_jinzhai_kaifaqu_wuye_2021.txt", "指标1:完成开发区工委", 1),
}


@pytest.mark.parametrize("case", list(CUT_ROWS))
def test_a_row_cut_by_a_page_break_is_read_as_one(case, tmp_path):
    """Its lines on two pages (the table's first row printed again over the rest): one row, its
    text whole, as in the text export."""
    name, row, lines = CUT_ROWS[case]
    path = kit.SEED if name == "seed" else REAL / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    got = fk.read(_write(tmp_path, "cut.pdf", pk.cut_row(fk.text_grid(path), row, lines)))
    pk.assert_same(fk.read(path), got, case)


@pytest.mark.parametrize(
    "case",
    [("seed", "派遣人员合格率"), ("d02_jinzhai_kaifaqu_wuye_2021.txt", "指标1:完成开发区工委")],
    ids=["an indicator table under its heading", "a form under its title"],
)
def test_title_lines_printed_again_over_a_continued_table(case, tmp_path):
    """A spreadsheet printed with print titles repeats the title lines over the table's part on
    each page: the table still goes on (and a new form under the same title, starting as the
    last did, is still a new form: the long disclosure's tests)."""
    name, row = case
    path = kit.SEED if name == "seed" else REAL / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    got = fk.read(_write(tmp_path, "titles.pdf", pk.cut_row(fk.text_grid(path), row, lines=0, titles=True)))
    pk.assert_same(fk.read(path), got, name)
