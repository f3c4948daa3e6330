"""Fixture builders for the published formats: a grid of cells (a text export's rows) rendered as
a web page, a Word file, an old Excel workbook and a PDF, with merged cells where the text export
has the blanks a merge leaves; and the documents around them (navigation, footers, a disclosure's
budget tables, a scan, damaged files).

The grid is split the way a published page is laid out: a blank row ends a table; the
single-cell rows before a table's first labelled row (the title, ``（2020年度）``, a heading) are
printed as text above it, not in it. Merges: a value with blanks below it in a table column (the
level1 of an indicator group) spans those rows; a value with blanks after it in its row spans
them. Expanding the merges gives back the grid exactly; the readers must do that.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def real_world_dir() -> Path:
    """The real published declarations (text exports): ``$ANALYSIS_REAL_WORLD``, else
    ``shared/real-world`` beside the checkout (or beside the folder of worktrees it is in)."""
    if os.environ.get("ANALYSIS_REAL_WORLD"):
        return Path(os.environ["ANALYSIS_REAL_WORLD"])
    near = [ROOT.parent / "shared" / "real-world", ROOT.parents[1] / "shared" / "real-world"]
    return next((p for p in near if p.is_dir()), near[0])


def text_grid(path: Path) -> list[list[str]]:
    """The rows of a text export as the text reader gives them, padded to one width."""
    from analysis.ingest.readers import read_file

    rows = [r.cells for s in read_file(path, path.name) for r in s.rows]
    width = max((len(r) for r in rows), default=0)
    return [list(r) + [""] * (width - len(r)) for r in rows]


@dataclass
class Block:
    texts: list[str]  # printed above the table
    rows: list[list[str]]  # the table (may be empty: a heading alone)


def blocks(grid: list[list[str]]) -> list[Block]:
    out: list[Block] = []
    cur: list[list[str]] = []
    for row in grid + [[]]:
        if any(c.strip() for c in row):
            cur.append(row)
            continue
        if cur:
            texts = []
            while (
                cur
                and len([c for c in cur[0] if c.strip()]) == 1
                and not re.search(r"[:：]", cur[0][0] + "".join(cur[0][1:]))
                and len("".join(cur[0]).strip()) <= 60
            ):
                texts.append(next(c for c in cur[0] if c.strip()).strip())
                cur = cur[1:]
            out.append(Block(texts, cur))
        cur = []
    return out


def spans(rows: list[list[str]]) -> list[list[tuple[int, int, int, int] | None]]:
    """For each cell ``(row, col, rowspan, colspan)`` where a cell starts, ``None`` where a merge covers it."""
    n = len(rows)
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    covered = [[False] * width for _ in rows]
    out: list[list] = [[None] * width for _ in rows]
    for r in range(n):
        for c in range(width):
            if covered[r][c]:
                continue
            rs = cs = 1
            if rows[r][c].strip():
                tabular = sum(1 for x in rows[r] if x.strip()) >= 3
                while (
                    tabular
                    and r + rs < n
                    and c + 1 < width
                    and not rows[r + rs][c].strip()
                    and not covered[r + rs][c]
                    and rows[r + rs][c + 1].strip()
                ):
                    rs += 1
                if rs == 1:
                    while c + cs < width and not rows[r][c + cs].strip() and not covered[r][c + cs]:
                        cs += 1
            for dr in range(rs):
                for dc in range(cs):
                    covered[r + dr][c + dc] = True
            out[r][c] = (r, c, rs, cs)
    return out


# ---------------------------------------------------------------------------------------------
# web page

NAV = (
    '<table class="nav"><tr><td><a href="/">首页</a></td><td><a href="/zwgk">政务公开</a></td>'
    '<td><a href="/zcfg">政策法规</a></td><td>当前位置：首页 &gt; 财政预决算</td></tr></table>'
)
FOOTER = (
    '<table class="footer"><tr><td>主办单位：示例市财政局</td><td>联系电话：000-00000000</td></tr>'
    '<tr><td colspan="2">网站标识码 0000000000 &nbsp; 备案号 0000</td></tr></table>'
    '<div class="footer"><p>版权所有 © 示例市人民政府</p></div>'
)
ATTACHMENTS = "<table><tr><th>附件</th><th>大小</th></tr><tr><td>附件1.xls</td><td>35KB</td></tr></table>"


def _html_cell(text: str, k: int) -> str:
    lines = [html.escape(x, quote=False) for x in text.split("\n")]
    if len(lines) > 1:
        return "".join(f"<p>{x}</p>" for x in lines) if k % 2 else "<br>".join(lines)
    if not text.strip():
        return "&nbsp;" if k % 3 == 0 else ""
    return f"<span>{lines[0]}</span>" if k % 4 == 1 else lines[0]


def html_table(rows: list[list[str]]) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%"><tbody>']
    for r, line in enumerate(spans(rows)):
        out.append("<tr>")
        for c, s in enumerate(line):
            if s is None:
                continue
            _, _, rs, cs = s
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            out.append(f'<td{attrs} valign="middle">{_html_cell(rows[r][c], r + c)}</td>')
        out.append("</tr>\n")
    out.append("</tbody></table>")
    return "".join(out)


def to_html(grid: list[list[str]], charset: str = "utf-8", layout: bool = False, title: str = "绩效目标公开") -> bytes:
    """A saved government web page: navigation, the article (text and one table a block),
    an attachment list and a footer; ``charset`` is declared in a ``<meta>`` and used (``gb2312``
    pages are written in GB18030, as such pages are in practice); ``layout`` nests the article
    in a layout table."""
    parts = []
    for b in blocks(grid):
        parts.extend(f'<p style="text-align:center"><span>{html.escape(t, quote=False)}</span></p>' for t in b.texts)
        if b.rows:
            parts.append(html_table(b.rows))
    article = "\n".join(parts)
    if layout:
        article = (
            f'<table width="960"><tr><td class="left">栏目导航</td><td class="article">{article}</td></tr></table>'
        )
    page = (
        f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{title}</title><style>td {{ border: 1px solid }}</style><script>var a = '<table>';</script></head>"
        f'<body>{NAV}<div class="article"><h1>{title}</h1>\n{article}\n<p>附件：</p>{ATTACHMENTS}</div>{FOOTER}'
        "</body></html>"
    )
    enc = "gb18030" if charset.lower() in ("gb2312", "gbk", "gb18030") else charset
    return page.encode(enc)


# ---------------------------------------------------------------------------------------------
# Word


def to_docx(grid: list[list[str]]) -> bytes:
    """A Word file: each block's text as paragraphs, its table with merged cells (gridSpan, vMerge)."""
    import docx

    document = docx.Document()
    document.add_paragraph("附件")
    for b in blocks(grid):
        for t in b.texts:
            document.add_paragraph(t)
        if not b.rows:
            continue
        width = max(len(r) for r in b.rows)
        table = document.add_table(rows=len(b.rows), cols=width)
        table.style = "Table Grid"
        cells = table._cells  # row by row; the text first, then the merges (the covered cells are blank)
        merges = []
        for r, line in enumerate(spans(b.rows)):
            for c, s in enumerate(line):
                if s is None:
                    continue
                _, _, rs, cs = s
                cell = cells[r * width + c]
                text = b.rows[r][c]
                if "\n" in text and (r + c) % 2:
                    first, *rest = text.split("\n")
                    cell.text = first
                    for x in rest:
                        cell.add_paragraph(x)
                else:
                    cell.text = text
                if rs > 1 or cs > 1:
                    merges.append((r, c, rs, cs))
        for r, c, rs, cs in merges:
            table.cell(r, c).merge(table.cell(r + rs - 1, c + cs - 1))
    document.add_paragraph("（公开日期：2021年1月）")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# old Excel


def _typed(text: str):
    """A cell as Excel holds it where that prints the same text: whole numbers, percents, dates."""
    from analysis.ingest.grid import number_text

    if re.fullmatch(r"[1-9]\d{0,11}", text):
        return int(text), "General"
    m = re.fullmatch(r"(\d{1,3})%", text)
    if m and number_text(int(m.group(1)) / 100, "0%") == text:
        return int(m.group(1)) / 100, "0%"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.datetime.strptime(text, "%Y-%m-%d"), "yyyy-mm-dd"
        except ValueError:
            pass
    return text, None


def to_xls(grid: list[list[str]], sheet: str = "Sheet1") -> bytes:
    """An .xls workbook (BIFF8) of the grid in one sheet, merged ranges where the blanks are,
    numbers, percents and dates typed."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet)
    styles: dict = {}

    def style(fmt):
        if fmt not in styles:
            st = xlwt.XFStyle()
            if fmt:
                st.num_format_str = fmt
            st.alignment.wrap = 1
            styles[fmt] = st
        return styles[fmt]

    r0 = 0
    for b in blocks(grid):  # the text above a table in its own rows, then the table: the text export again
        for t in b.texts:
            ws.write(r0, 0, t)
            r0 += 1
        for r, line in enumerate(spans(b.rows)):
            for c, s in enumerate(line):
                if s is None:
                    continue
                _, _, rs, cs = s
                value, fmt = _typed(b.rows[r][c])
                if rs > 1 or cs > 1:
                    ws.write_merge(r0 + r, r0 + r + rs - 1, c, c + cs - 1, value, style(fmt))
                elif value != "":
                    ws.write(r0 + r, c, value, style(fmt))
        r0 += len(b.rows) + 1
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def xls_grid(grid: list[list[str]]) -> list[list[str]]:
    """The rows :func:`to_xls` lays out (blank rows between blocks), to compare the reader with."""
    out = []
    for b in blocks(grid):
        out.extend([t] for t in b.texts)
        out.extend(b.rows)
        out.append([])
    return out


# ---------------------------------------------------------------------------------------------
# PDF

_FONT = None


def _font() -> str:
    global _FONT
    if _FONT is None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfbase.ttfonts import TTFont

        path = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
        if path.exists():
            pdfmetrics.registerFont(TTFont("CJK", str(path), subfontIndex=0))
            _FONT = "CJK"
        else:
            pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
            _FONT = "STSong-Light"
    return _FONT


def _styles(size: float):
    from reportlab.lib.styles import ParagraphStyle

    font = _font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=size, leading=size * 1.3, wordWrap="CJK")
    title = ParagraphStyle("title", fontName=font, fontSize=size + 5, leading=(size + 5) * 1.4, alignment=1)
    text = ParagraphStyle("text", fontName=font, fontSize=size + 1, leading=(size + 1) * 1.4)
    return cell, title, text


def _esc(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br/>")


def pdf_table(rows: list[list[str]], width: float, size: float = 7.5, repeat: int = 1):
    from reportlab.platypus import Paragraph, Table, TableStyle

    cell, _, _ = _styles(size)
    ncol = max(len(r) for r in rows)
    rows = [r + [""] * (ncol - len(r)) for r in rows]
    longest = [max((max((len(x) for x in r[c].split("\n")), default=0) for r in rows), default=0) for c in range(ncol)]
    weights = [min(max(n, 4), 40) ** 0.7 for n in longest]
    widths = [width * w / sum(weights) for w in weights]
    data = [[Paragraph(_esc(t), cell) if t.strip() else "" for t in r] for r in rows]
    style = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    for line in spans(rows):
        for s in line:
            if s and (s[2] > 1 or s[3] > 1):
                r, c, rs, cs = s
                style.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
    return Table(data, colWidths=widths, style=TableStyle(style), repeatRows=repeat)


def to_pdf(
    grid: list[list[str]],
    before: list | None = None,
    break_inside: bool = True,
    size: float = 7.5,
    scanned_pages: int = 0,
) -> bytes:
    """A PDF of the grid (A4 landscape): each block's text as lines above its table, tables with
    ruling lines and merged cells. With ``break_inside`` the first indicator table starts low on
    a page so that it runs across the page break (its header row repeated on the next page).
    ``before``: flowables printed first (a disclosure's other tables); ``scanned_pages``: pages
    after it holding only an image (a scanned attachment)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    _, title, text = _styles(size)
    page = landscape(A4)
    doc = SimpleDocTemplate(io.BytesIO(), pagesize=page, leftMargin=40, rightMargin=40, topMargin=40, bottomMargin=40)
    width = page[0] - 80
    story = list(before or [])
    broke = False
    for b in blocks(grid):
        for t in b.texts:
            story.append(Paragraph(_esc(t), title if "绩效目标" in t and "表" in t else text))
        if b.rows:
            header = any(("一级" in c and "指标" in c) or c.strip() == "一级目标" for c in b.rows[0])
            if break_inside and header and not broke and len(b.rows) >= 4:
                story.append(PageBreak())
                story.append(Spacer(width, page[1] - 80 - 130))  # room for the header and a few rows
                broke = True
            story.append(pdf_table(b.rows, width, size))
    for _ in range(scanned_pages):
        from reportlab.platypus import Image

        story.extend([PageBreak(), Image(io.BytesIO(_scan_png()), width=500, height=330)])
    buf = io.BytesIO()
    doc.filename = buf
    doc.build(story, onLaterPages=_page_number, onFirstPage=_page_number)
    return buf.getvalue()


def _page_number(canvas, doc):
    canvas.saveState()
    canvas.setFont(_font(), 8)
    canvas.drawCentredString(canvas._pagesize[0] / 2, 20, f"- {doc.page} -")
    canvas.restoreState()


def disclosure_front(size: float = 7.5) -> list:
    """The budget tables a department's disclosure prints before its declarations."""
    from reportlab.platypus import PageBreak, Paragraph

    _, title, text = _styles(size)
    income = [
        ["收入", "", "支出", ""],
        ["项目", "预算数", "项目", "预算数"],
        ["一、一般公共预算拨款收入", "1,896.40", "一、一般公共服务支出", "1,204.00"],
        ["二、政府性基金预算拨款收入", "", "二、城乡社区支出", "692.40"],
        ["本年收入合计", "1,896.40", "本年支出合计", "1,896.40"],
    ]
    projects = [
        ["单位名称", "项目名称", "项目类别", "金额（万元）"],
        ["示例市绿化和市容管理局行政服务中心", "绿化市容环卫热线运作和受理处置工作经费", "其他一次性项目", "140.64"],
        ["示例市绿化和市容管理局行政服务中心", "全市绿化、市容、环卫、林业诉求处置督查督办", "其他一次性项目", "49.00"],
        ["合计", "", "", "189.64"],
    ]
    return [
        Paragraph("2020年部门预算", title),
        Paragraph("一、部门财务收支预算总表", text),
        pdf_table(income, 600, size),
        Paragraph("二、项目支出预算表", text),
        pdf_table(projects, 700, size),
        Paragraph("三、项目支出绩效目标表", text),
        PageBreak(),
    ]


def _scan_png() -> bytes:
    """An image of a table: ruling lines and grey blocks where the text was."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (600, 400), 255)
    d = ImageDraw.Draw(img)
    for y in range(20, 400, 40):
        d.line([(20, y), (580, y)], fill=0, width=2)
        d.rectangle([(30, y + 10), (200, y + 25)], fill=90)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def scanned_pdf() -> bytes:
    """A 'scanned' declaration: two pages each an image of a table with a ruling line drawn, no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for _ in range(2):
        c.drawImage(ImageReader(io.BytesIO(_scan_png())), 40, 300, 500, 330)
        c.line(40, 290, 540, 290)
        c.showPage()
    c.save()
    return buf.getvalue()


OLD_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(24) + b"\x3e\x00\x03\x00\xfe\xff" + bytes(2048)


# ---------------------------------------------------------------------------------------------
# comparing a container's tables with the text export's


def flat(rows) -> list[tuple[str, ...]]:
    """Rows as tuples of cells without white space, blank rows and trailing blanks left out."""
    out = []
    for r in rows:
        key = ["".join(c.split()) for c in r]
        while key and not key[-1]:
            key.pop()
        if key:
            out.append(tuple(key))
    return out


def document_rows(path: Path) -> list[list[str]]:
    """Every row a reader gives for ``path``: text before each table, then its rows."""
    from analysis.ingest.readers import read_file

    out = []
    for s in read_file(path, path.name):
        out.extend(r.cells for r in s.between)
        out.extend(r.cells for r in s.rows)
    return out


@dataclass
class Tables:
    """One file's declarations, indicators and problems as read by the pipeline (no writing)."""

    declarations: object  # DataFrame
    indicators: object  # DataFrame
    problems: list


def read(path: Path) -> Tables:
    import pandas as pd

    from analysis.ingest.file import read_declarations
    from analysis.tables import DECLARATIONS_SCHEMA, INDICATORS_SCHEMA

    res = read_declarations(path, path.name)
    decls = pd.DataFrame(res.declarations, columns=DECLARATIONS_SCHEMA.names)
    inds = pd.DataFrame([i for group in res.indicators for i in group], columns=INDICATORS_SCHEMA.names)
    return Tables(decls, inds, res.problems)


@functools.lru_cache(maxsize=256)
def rendered(path: Path, fmt: str) -> bytes:
    """The text export at ``path`` rendered as ``fmt`` (made once a run)."""
    return RENDER[fmt](text_grid(path))


RENDER = {
    "html": lambda g: to_html(g, charset="gb2312", layout=True),
    "docx": to_docx,
    "xls": to_xls,
    "pdf": to_pdf,
}


def raw_declarations(path: Path) -> list[tuple]:
    """What the parser finds in a file before any value is typed: for each declaration, its
    year, its fields (white space aside) and its indicators' cells; those dropped for a missing
    field included."""
    from analysis.ingest.file import parsed_sheets
    from analysis.ingest.parse import split_declarations

    out = []
    for s in parsed_sheets(path, path.name)[0]:
        for r in split_declarations(s.rows, path.name, s.name)[0]:
            fields = tuple(sorted((k, "".join(v[0].split())) for k, v in r.fields.items()))
            inds = tuple((i.level1, i.level2, i.name, i.target) for i in r.indicators)
            out.append((r.year or r.heading_year, fields, inds))
    return out


def compare(text_result, other_result) -> dict:
    """Declarations and indicators of two ingests of the same declarations: how many declarations
    each has and how many are the same (every column but where they came from, prose without
    white space), and the share of indicators (matched by declaration and order) identical."""
    import pandas as pd

    def plain(v):
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            return None
        return "".join(v.split()) if isinstance(v, str) else v

    skip = {"source_file", "source_line", "source_page", "source_table"}
    a = {r["decl_id"]: r for r in text_result.declarations.to_dict("records")}
    b = {r["decl_id"]: r for r in other_result.declarations.to_dict("records")}
    same = sum(1 for k in a if k in b and all(plain(a[k][c]) == plain(b[k][c]) for c in a[k] if c not in skip))
    ia = {(r["decl_id"], r["seq"]): r for r in text_result.indicators.to_dict("records")}
    ib = {(r["decl_id"], r["seq"]): r for r in other_result.indicators.to_dict("records")}
    same_ind = sum(1 for k in ia if k in ib and all(plain(ia[k][c]) == plain(ib[k][c]) for c in ia[k] if c not in skip))
    return {
        "declarations": len(a),
        "found": len(b),
        "same": same,
        "extra": len(set(b) - set(a)),
        "indicators": len(ia),
        "indicators_found": len(ib),
        "indicators_same": same_ind,
        "share": same_ind / len(ia) if ia else 1.0,
    }


def missing_rows(grid: list[list[str]], read: list[list[str]], filled_only: bool = False) -> list[tuple[str, ...]]:
    """The rows of ``grid`` not found, in order, among the rows read (other rows may lie between)."""
    a, b = flat(grid), flat(read)
    if filled_only:
        a, b = [tuple(c for c in r if c) for r in a], [tuple(c for c in r if c) for r in b]
    missing, j = [], 0
    for row in a:
        k = j
        while k < len(b) and b[k] != row:
            k += 1
        if k == len(b):
            missing.append(row)
        else:
            j = k + 1
    return missing
