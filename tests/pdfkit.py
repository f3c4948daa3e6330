"""Budget-disclosure PDFs as departments publish them, made from text exports of declarations.

A disclosure (部门预算公开) prints its budget tables (收支总表, 财政拨款支出表 …) and then one
项目支出绩效目标表 per project, one after another: each as its title lines and one or more
ruled tables, running over page breaks (the table's first row printed again on the next page
where the publisher asked for it, a row cut by the break with its text on both pages), a
running header and a page number on every page. :func:`disclosure` lays the declarations of
text exports out that way; what varies is what the published PDFs vary in (page size and
orientation, where the breaks fall, one declaration a page or several, ruling lines or none,
cells' text centred in their height or at its top, full-width punctuation). The declarations read from it must be those read from the text
exports (:func:`expected`).
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from pathlib import Path

import formatkit as fk
import seedkit as kit

#: the real declarations whose layouts the PDF tests print: the shared corpus, the three test
#: folders (round two, the extra set, the other form families) and the seed
REAL = fk.real_world_dir()
FIXTURES = Path(__file__).parent / "fixtures"
LAYOUTS = (
    sorted(REAL.glob("*.txt"))
    + sorted((FIXTURES / "real-world-extra").glob("*.txt"))
    + sorted([*(FIXTURES / "real-world-more").glob("*.txt"), *(FIXTURES / "real-world-more").glob("*.csv")])
    + [kit.SEED]
)


@dataclass(frozen=True)
class Layout:
    """How a disclosure is laid out."""

    #: page width and height in points (A4 landscape by default; (595, 842) is A4 portrait)
    page: tuple[float, float] = (842.0, 595.0)
    #: the table's first rows printed again at the top of each page it continues on
    repeat: int = 1
    #: a row cut by a page break keeps its lines on both pages (0: rows are never cut)
    split_rows: bool = False
    #: each declaration starts on a new page
    per_page: bool = False
    #: points of other text printed before each declaration (moves where the breaks fall)
    offset: float = 0.0
    #: the budget tables printed before (and between) the declarations
    budget_tables: bool = True
    #: the budget tables drawn with ruling lines (``None``: as the declarations are)
    budget_ruled: bool | None = None
    #: ruling lines around the cells (False: text placed in columns, no lines)
    ruled: bool = True
    #: a cell's text at the middle of its height (False: at its top, as Word prints cells)
    middle: bool = True
    #: font size of the cells
    size: float = 7.5
    #: a running header printed at the top of every page
    header: str = "示例市2021年部门预算公开"
    #: cells merged down (as a value with blanks below it); a table whose merged cells cannot
    #: be cut at a page break is printed without them (each cell ruled, the blanks printed)
    merge_down: bool = True


def budget_tables(n: int) -> list[tuple[str, list[list[str]]]]:
    """The budget tables of a disclosure: a title and the table (no declaration in them)."""
    income = [
        ["收入", "", "支出", ""],
        ["项目", "预算数", "项目", "预算数"],
        ["一、一般公共预算拨款收入", "1,896.40", "一、一般公共服务支出", "1,204.00"],
        ["二、政府性基金预算拨款收入", "", "二、城乡社区支出", "692.40"],
        ["本年收入合计", "1,896.40", "本年支出合计", "1,896.40"],
    ]
    spending = [
        ["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
        ["201", "一般公共服务支出", "1,204.00", "904.00", "300.00"],
        ["20103", "政府办公厅（室）及相关机构事务", "1,204.00", "904.00", "300.00"],
        ["2010301", "行政运行", "904.00", "904.00", ""],
        ["合计", "", "1,204.00", "904.00", "300.00"],
    ]
    projects = [
        ["单位名称", "项目名称", "项目类别", "金额（万元）"],
        ["示例市绿化和市容管理局行政服务中心", "绿化市容环卫热线运作和受理处置工作经费", "其他一次性项目", "140.64"],
        ["示例市绿化和市容管理局行政服务中心", "全市绿化、市容、环卫、林业诉求处置督查督办", "其他一次性项目", "49.00"],
        ["合计", "", "", "189.64"],
    ]
    three = [
        ["项目", "合计", "因公出国（境）费", "公务用车购置及运行费", "公务接待费"],
        ["2021年预算数", "12.50", "0", "10.00", "2.50"],
    ]
    tables = [
        ("表一 部门收支总表", income),
        ("表二 财政拨款支出表", spending),
        ("表三 项目支出预算表", projects),
        ("表四 “三公”经费支出预算表", three),
    ]
    return [tables[i % len(tables)] for i in range(n)]


def _story_table(rows: list[list[str]], width: float, layout: Layout):
    table = fk.pdf_table(rows, width, layout.size, repeat=layout.repeat)
    if not layout.merge_down:
        from reportlab.platypus import TableStyle

        kept = [c for c in table._spanCmds if c[1][1] == c[2][1]]
        table._spanCmds = []
        table.setStyle(TableStyle(kept))
    if layout.split_rows or not layout.middle:
        from reportlab.platypus import TableStyle

        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))  # as Word prints cells
    if layout.split_rows:
        table.splitInRow = 2  # a row is cut where at least two of its lines fit on the page
    if not layout.ruled:
        from reportlab.platypus import TableStyle

        table.setStyle(
            TableStyle([("GRID", (0, 0), (-1, -1), 0, "white"), ("LINEBELOW", (0, 0), (-1, -1), 0, "white")])
        )
        table._linecmds = []  # no ruling line at all
    return table


def _budget_layout(layout: Layout) -> Layout:
    ruled = layout.ruled if layout.budget_ruled is None else layout.budget_ruled
    return Layout(ruled=ruled, middle=layout.middle)


def disclosure(grids: list[list[list[str]]], layout: Layout = Layout(), budget_every: int = 0) -> bytes:
    """A disclosure holding the declarations of ``grids`` (text exports' rows), laid out as
    ``layout`` says; the budget tables first and, with ``budget_every``, one more after every
    ``budget_every`` declarations."""
    from reportlab.platypus.doctemplate import LayoutError

    try:
        return _disclosure(grids, layout, budget_every)
    except LayoutError:
        if not layout.merge_down:
            raise
        return _disclosure(grids, dataclasses.replace(layout, merge_down=False), budget_every)


def _disclosure(grids: list[list[list[str]]], layout: Layout, budget_every: int) -> bytes:
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    _, title, text = fk._styles(layout.size)
    page = layout.page
    doc = SimpleDocTemplate(io.BytesIO(), pagesize=page, leftMargin=36, rightMargin=36, topMargin=48, bottomMargin=44)
    width = page[0] - 72
    story: list = []
    extra = iter(budget_tables(len(grids) + 8))
    if layout.budget_tables:
        story.append(Paragraph("示例市2021年部门预算", title))
        for _ in range(3):
            name, rows = next(extra)
            story.extend([Paragraph(name, text), _story_table(rows, width * 0.8, _budget_layout(layout))])
        story.append(Paragraph("五、项目支出绩效目标表", text))
        story.append(PageBreak())
    for k, grid in enumerate(grids):
        if k and layout.per_page:
            story.append(PageBreak())
        if layout.offset:
            story.append(Spacer(width, layout.offset))
        for b in fk.blocks(grid):
            for t in b.texts:
                story.append(Paragraph(fk._esc(t), title if "绩效目标" in t and "表" in t else text))
            if b.rows:
                story.append(_story_table(b.rows, width, layout))
        if budget_every and (k + 1) % budget_every == 0 and k + 1 < len(grids):
            name, rows = next(extra)
            story.extend([Paragraph(name, text), _story_table(rows, width * 0.8, _budget_layout(layout))])
    buf = io.BytesIO()
    doc.filename = buf

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont(fk._font(), 8)
        if layout.header:
            canvas.drawString(36, page[1] - 28, layout.header)
            canvas.line(36, page[1] - 32, page[0] - 36, page[1] - 32)
        canvas.drawCentredString(page[0] / 2, 22, f"第 {doc.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buf.getvalue()


def expected(paths: list[Path]) -> fk.Tables:
    """The declarations and indicators of the text exports at ``paths``, read one by one."""
    import pandas as pd

    got = [fk.read(p) for p in paths]
    return fk.Tables(
        pd.concat([g.declarations for g in got], ignore_index=True),
        pd.concat([g.indicators for g in got], ignore_index=True),
        [p for g in got for p in g.problems],
    )


def assert_same(text: fk.Tables, got: fk.Tables, where: str) -> None:
    """Every declaration and indicator of ``text`` (a text export's) found the same in ``got``,
    nothing more, and no problem the text export did not raise."""
    c = fk.compare(text, got)
    assert c["found"] == c["declarations"] == c["same"] and not c["extra"], (where, c)
    assert c["indicators_found"] == c["indicators_same"] == c["indicators"], (where, c)
    new = sorted({p.code for p in got.problems} - {p.code for p in text.problems})
    assert not new, (where, new)


def _drawn(draw):
    """A flowable filling one page with what ``draw(canvas)`` puts there."""
    from reportlab.platypus import Flowable

    class Drawn(Flowable):
        def wrap(self, w, h):
            return (w, 10)

        def draw(self):
            draw(self.canv)

    return Drawn()


def character_bomb(n: int = 1_000_000) -> list:
    """A page of ``n`` characters in one string (a few KB once compressed)."""
    from reportlab.platypus import PageBreak

    return [_drawn(lambda c: c.drawString(0, 0, "8" * n)), PageBreak()]


def stream_bomb(n: int) -> list:
    """A page whose content stream inflates to ``n`` bytes (blanks: nothing drawn)."""
    from reportlab.platypus import PageBreak

    return [_drawn(lambda c: c._code.append(" " * n)), PageBreak()]


#: a department's targets as a whole (部门整体支出绩效目标表), as a text export has it: no project
DEPARTMENT_FORM = [
    ["部门整体支出绩效目标表", "", "", "", ""],
    ["(2021年度)", "", "", "", ""],
    ["部门(单位)名称", "示例市绿化和市容管理局", "", "", ""],
    ["年度主要任务", "任务名称", "主要内容", "预算金额(万元)", ""],
    ["", "绿化养护", "全市公共绿地养护管理", "1204.00", ""],
    ["", "市容管理", "市容环境综合整治", "692.40", ""],
    ["年度总体目标", "全面完成年度绿化养护和市容管理任务", "", "", ""],
    ["年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    ["", "产出指标", "数量指标", "养护绿地面积", "≥1200公顷"],
    ["", "效益指标", "社会效益指标", "市容环境满意度", "≥90%"],
]


def radicals_share_glyphs() -> dict[str, str]:
    """Make the kit's font map each Kangxi radical to its ideograph's glyph, as office suites'
    fonts do (a PDF then carries ⽬ where 目 is printed); the ideograph -> radical map, empty
    where the font is no TrueType font."""
    import unicodedata

    from reportlab.pdfbase import pdfmetrics

    face = getattr(pdfmetrics.getFont(fk._font()), "face", None)
    if face is None or not hasattr(face, "charToGlyph"):
        return {}
    out = {}
    for cp in range(0x2F00, 0x2FD6):
        ideograph = unicodedata.normalize("NFKC", chr(cp))
        if ord(ideograph) in face.charToGlyph:
            face.charToGlyph.setdefault(cp, face.charToGlyph[ord(ideograph)])
            out[ideograph] = chr(cp)
    return out


def _widths(rows: list[list[str]], width: float) -> list[float]:
    ncol = max(len(r) for r in rows)
    rows = [r + [""] * (ncol - len(r)) for r in rows]
    longest = [max((max((len(x) for x in r[c].split("\n")), default=0) for r in rows), default=0) for c in range(ncol)]
    weights = [min(max(n, 4), 40) ** 0.7 for n in longest]  # as formatkit.pdf_table
    return [width * w / sum(weights) for w in weights]


def _table(rows: list[list[str]], widths: list[float], size: float, ruled: bool = True):
    from reportlab.platypus import Paragraph, Table, TableStyle

    cell, _, _ = fk._styles(size)
    rows = [r + [""] * (len(widths) - len(r)) for r in rows]
    data = [[Paragraph(fk._esc(t), cell) if t.strip() else "" for t in r] for r in rows]
    style = [("VALIGN", (0, 0), (-1, -1), "TOP")] + ([("GRID", (0, 0), (-1, -1), 0.5, "black")] if ruled else [])
    for line in fk.spans(rows):
        for s in line:
            if s and (s[2] > 1 or s[3] > 1):
                r, c, rs, cs = s
                style.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
    return Table(data, colWidths=widths, style=TableStyle(style))


def _fitting(text: str, width: float, size: float, lines: int) -> int:
    """How many characters of ``text`` fill ``lines`` lines of a cell ``width`` wide (CJK wrap)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    room = width - 12  # the cell's padding
    n, line, used = 0, 0, 0.0
    while n < len(text) and line < lines:
        w = stringWidth(text[n], fk._font(), size)
        if used + w > room:
            line, used = line + 1, 0.0
            continue
        used += w
        n += 1
    return n


def cut_row(
    grid: list[list[str]], row: str, lines: int = 2, size: float = 7.5, titles: bool = False, ruled: bool = True
) -> bytes:
    """A PDF of ``grid`` where a page break cuts the first table row with a cell starting with
    ``row``, as a word processor cuts a row: its cells' first ``lines`` lines at the foot of
    one page, the rest at the top of the next, under the table's first row printed again
    (``lines=0``: the break falls before the row). With ``titles`` the lines printed over the
    table are printed again over its part on the next page (a spreadsheet's print titles);
    ``ruled=False``: no ruling lines (cells' text at their top, as Word prints them)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    _, title, text = fk._styles(size)
    page = landscape(A4)
    doc = SimpleDocTemplate(io.BytesIO(), pagesize=page, leftMargin=40, rightMargin=40, topMargin=40, bottomMargin=40)
    width = page[0] - 80
    story: list = []
    for b in fk.blocks(grid):
        for t in b.texts:
            story.append(Paragraph(fk._esc(t), title if "绩效目标" in t and "表" in t else text))
        if not b.rows:
            continue
        widths = _widths(b.rows, width)
        at = next((i for i, r in enumerate(b.rows) if any(c.startswith(row) for c in r)), None)
        if at is None:
            story.append(_table(b.rows, widths, size, ruled))
            continue
        cut = b.rows[at] + [""] * (len(widths) - len(b.rows[at]))
        spans = fk.spans(b.rows)[at]
        room = [sum(widths[i : i + s[3]]) if s else widths[i] for i, s in enumerate(spans)]
        first = [c[: _fitting(c, room[i], size, lines)] for i, c in enumerate(cut)]
        rest = [c[len(first[i]) :] for i, c in enumerate(cut)]
        assert any(rest), f"row {row!r} fits in {lines} lines"
        above = b.rows[:at] + ([first] if lines else [])
        story.extend([_table(above, widths, size, ruled), PageBreak()])
        if titles:
            story.extend(Paragraph(fk._esc(t), title if "绩效目标" in t and "表" in t else text) for t in b.texts)
        story.append(_table([b.rows[0], rest] + b.rows[at + 1 :], widths, size, ruled))
    buf = io.BytesIO()
    doc.filename = buf
    doc.build(story)
    return buf.getvalue()
