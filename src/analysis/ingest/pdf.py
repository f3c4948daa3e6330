"""Reading text PDFs (a department's budget disclosure, a declaration printed to PDF) into tables.

Tables are found by their ruling lines (pdfplumber), or, drawn without them, by where their text
is placed (:mod:`analysis.ingest.pdftext`: on a page without a ruled table, and beside one where
the text outside it is a table beyond doubt). Each becomes one optional
:class:`~analysis.ingest.grid.Sheet` (the parser keeps those holding a declaration: the budget
tables a disclosure prints before its declarations are passed over). Merged cells arrive as a
value in the top-left cell and blanks in the others, as in a text export. A cell's text keeps
its line breaks where the text broke a line, and joins lines the cell's width wrapped (a line
is wrapped when the next line's first word would not have fitted after it).

A table running across a page break is joined to its start (the table at the top of the next
page, with the same columns, and nothing but a page number or a running header in between);
the header rows a continued table repeats are dropped. Rows are numbered through the joined
table; each row keeps its page.

A PDF without a text layer (a scan) cannot be read: ``no-text-layer``, naming the pages. A file
that does not open is ``unreadable-file``. Only the first :data:`MAX_PAGES` pages are read.
"""

from __future__ import annotations

import io
import re
import time
import unicodedata
from dataclasses import dataclass, field

from analysis.ingest import limits as lim
from analysis.ingest.grid import Sheet, document_sheet
from analysis.ingest.pdftext import CHAR_KEYS, Alignment, Unruled, cell_text, line_text, lines_of, page_items
from analysis.ingest.vocabulary import field_of
from analysis.problems import Problem

PDF_SUFFIXES = {".pdf"}
#: pages read at most (time and memory stay bounded on a disclosure of hundreds of pages)
MAX_PAGES = 1000
#: bytes one page's content streams may inflate to (a dense page of tables takes some 100 KB)
MAX_PAGE_CONTENT = 16 * lim.MiB
#: the share of the file's time limit the pages may take; the pages after are left (with a
#: problem naming them) so that the declarations read by then are parsed within the limit
_READ_SHARE = 0.75
#: characters, lines and images one page may lay out (a dense page of tables has a few thousand)
MAX_PAGE_OBJECTS = 200_000
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
#: text between a table and the page break that still lets the table continue on the next page
_FURNITURE = re.compile(r"^[\s\-—–第页共/\d.·|()（）]*$")
#: a page number (- 3 -, 第3页, 3/12): never text of a form
_PAGE_NUMBER = re.compile(
    r"^[\s\-—–(（]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[\s\-—–)）]*$"
)
#: an indicator table's column header, its cells apart (not as in a sentence: 一级指标、二级指标和三级指标)
_UNRULED_HEADER = re.compile(r"一级\s*(?:指标|目标)\s+二级\s*(?:指标|目标)\s+三级\s*(?:指标|目标)")
#: rows at the top of a table a publisher may print again on each page
_REPEATED = 4
#: a line saying the form's year: （2021年度）, 2021年
_YEAR_LINE = re.compile(r"^[\s(（\[【]*(?:19|20)\d{2}\s*年度?[\s)）\]】]*$")
_YEARLESS_FORM = re.compile(r"绩效目标|绩效指标")


@dataclass
class _Part:
    page: int
    top: float
    bottom: float
    xs: list[float]
    x1: float
    rows: list[list[str]]
    pages: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    #: the characters of the cells of the first rows and of the last row, by the cell's left edge
    first: list = field(default_factory=list)
    last: dict = field(default_factory=dict)
    #: the text printed over the table's start (its title lines), without white space
    preamble: set = field(default_factory=set)
    #: drawn with ruling lines (else read from where its text is placed: ``x1`` is where its text ends)
    ruled: bool = True


def _compatibility_forms() -> dict[int, str]:
    """Kangxi radicals, CJK radical supplements and compatibility ideographs, which fonts of
    PDFs made by office suites often map 目, 金, 人 … to (⽬, ⾦, ⼈): each to the ideograph a
    text export holds."""
    ranges = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF))
    out = {}
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            folded = unicodedata.normalize("NFKC", chr(cp))
            if folded != chr(cp):
                out[cp] = folded
    return out


_FOLD = _compatibility_forms()


def _table_rows(table, chars: list[dict]) -> tuple[list[list[str]], list[float], list[dict], dict]:
    """The table's grid, its column starts, and the characters of the cells of its first rows
    (those a repeated header may take, and the one after) and of its last row (by the cell's left edge: ``{x0: (x1, chars)}``), to join a row a page
    break cut."""
    rows = table.rows
    xs = sorted({c[0] for c in table.cells})
    bbox = table.bbox
    inside = [
        c
        for c in chars
        if bbox[0] <= (c["x0"] + c["x1"]) / 2 <= bbox[2] and bbox[1] <= (c["top"] + c["bottom"]) / 2 <= bbox[3]
    ]
    grid: list[list[str]] = []
    cells = [cell for row in rows for cell in row.cells if cell is not None]
    owned: dict[tuple, list[dict]] = {cell: [] for cell in cells}
    for ch in inside:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        for cell in cells:
            if cell[0] <= cx <= cell[2] and cell[1] <= cy <= cell[3]:
                owned[cell].append(ch)
                break
    for row in rows:
        grid.append(["" if cell is None else cell_text(owned[cell], cell[0], cell[2]) for cell in row.cells])

    def edge(row) -> dict:
        return {
            cell[0]: (cell[2], cell[3], [{k: c[k] for k in CHAR_KEYS} for c in owned[cell]])
            for cell in row.cells
            if cell is not None
        }

    return grid, xs, [edge(r) for r in rows[: _REPEATED + 1]], edge(rows[-1]) if rows else {}


def _split_row(last: dict, first: dict, a: list[str], b: list[str], xs: list[float]) -> list[str] | None:
    """The row a page break cut, joined (``None`` where ``b`` is a row of its own): ``a`` the
    last row on the page (``last`` its cells' characters), ``b`` the first on the next after
    the repeated header (``first``). A cut row shows text on the next page only in cells whose
    text ran on: ``b`` continues ``a`` where it has text only in cells filled in ``a`` and, in
    each, ``a``'s cell ends in a full line (its text went on), or where those cells of ``a`` hold
    several lines and ``b`` lacks the text of ``a``'s last filled cell (a target, a value) or
    holds a single cell that is not ``a``'s first (a label)."""
    filled_a = [i for i, t in enumerate(a) if t.strip()]
    filled_b = [i for i, t in enumerate(b) if t.strip()]
    if not filled_b or not set(filled_b) <= set(filled_a):
        return None
    cells_a = {_near(xs, x): v for x, v in last.items()}
    cells_b = {_near(xs, x): v for x, v in first.items()}
    if any(i not in cells_a or i not in cells_b or not cells_a[i][2] for i in filled_b):
        return None
    ran_on = all(_ends_full(xs[i], *cells_a[i]) for i in filled_b)
    if not ran_on:
        if len(filled_b) == len(filled_a):
            return None
        if not (filled_a[-1] not in filled_b or (len(filled_b) == 1 and filled_b[0] != filled_a[0])):
            return None
        if any(len(lines_of(cells_a[i][2])) < 2 for i in filled_b):
            return None  # a cell of one line ran on to no next page
    out = list(a)
    for i in filled_b:
        x1, _, above = cells_a[i]
        _, _, below = cells_b[i]
        lowest = max(c["bottom"] for c in above)
        top = min(c["top"] for c in below)
        shift = lowest + 0.3 * max(c["size"] for c in above) - top
        moved = [{**c, "top": c["top"] + shift, "bottom": c["bottom"] + shift} for c in below]
        out[i] = cell_text(above + moved, xs[i], x1)
    return out


def _ends_full(x0: float, x1: float, _bottom: float, chars: list[dict]) -> bool:
    """Whether a cell's last line reaches its right edge (less than a character short): its
    text was wrapped there and went on."""
    lines = [[c for c in line if c["text"].strip()] for line in lines_of(chars)]
    lines = [line for line in lines if line]
    if not lines:
        return False
    pad = max(0.0, min(line[0]["x0"] - x0 for line in lines))
    size = max(c["size"] for c in lines[-1])
    return max(c["x1"] for c in lines[-1]) + 1.05 * size > x1 - pad


def _near(xs: list[float], x: float) -> int:
    return min(range(len(xs)), key=lambda i: abs(xs[i] - x))


def _same_frame(a: _Part, b: _Part) -> bool:
    """Whether ``b`` can continue ``a``: the same left and right edges (a part may show column
    boundaries the other lacks, where only a merged cell of it crossed them); for tables without
    ruling lines, the same first column, or every column of ``b`` (two at least) starting where
    one of ``a``'s does (its first columns blank on the next page, where cells merged down run on)."""
    if a.ruled != b.ruled:
        return False
    if not a.ruled:
        within = len(b.xs) >= 2 and all(any(abs(x - y) <= 2.0 for y in a.xs) for x in b.xs)
        return within or abs(a.xs[0] - b.xs[0]) <= 2.0
    return abs(a.x1 - b.x1) <= 2.0 and abs(a.xs[0] - b.xs[0]) <= 2.0


def _union(xs: list[float], more: list[float]) -> list[float]:
    out = sorted(xs)
    for x in more:
        if all(abs(x - y) > 2.0 for y in out):
            out.append(x)
            out.sort()
    return out


def _placed(rows: list[list[str]], xs: list[float], to: list[float]) -> list[list[str]]:
    """Rows whose cells start at ``xs`` placed in the columns ``to`` (a superset): blanks where a
    cell of theirs covered a boundary they did not have."""
    index = [min(range(len(to)), key=lambda i: abs(to[i] - x)) for x in xs]
    out = []
    for row in rows:
        cells = [""] * len(to)
        for i, text in enumerate(row):
            if i < len(index):
                cells[index[i]] = text
        out.append(cells)
    return out


def read_pdf(data: bytes, rel: str) -> list[Sheet]:  # noqa: C901, PLR0915 - the page loop charges every bound (bytes, characters, rows, time) where it is spent; split, each part would need the loop's state
    """Every table of a PDF as an optional sheet (see the module's doc)."""
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # a damaged stream is our problem row, not a log line
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds on a damaged or encrypted file
        return [
            Sheet(
                None,
                [],
                [Problem(rel, None, "unreadable-file", f"{rel}: not a readable PDF ({type(exc).__name__}: {exc})")],
            )
        ]
    started = time.monotonic()
    problems: list[Problem] = []
    pages_items: list[list[tuple]] = []  # of each page ("p", text, page, top) or ("t", _Part), in reading order
    no_text: list[int] = []
    bad_pages: list[str] = []
    inflated = [0]  # bytes the pages' contents inflated to, all pages together
    alignment = Alignment()  # how the file's tables without ruling lines place their cells
    try:
        n_pages = len(pages)
        if n_pages > MAX_PAGES:
            problems.append(
                Problem(
                    rel, 1, "pages-not-read", f"{rel}: the PDF has {n_pages} pages; only the first {MAX_PAGES} are read"
                )
            )
        seconds = lim.current_limits().seconds
        for number, page in enumerate(pages[:MAX_PAGES], 1):
            lim.check_time()  # a file stops at its limit, between two pages
            if seconds is not None and number > 1 and time.monotonic() - started > _READ_SHARE * seconds:
                last = min(n_pages, MAX_PAGES)
                problems.append(
                    Problem(
                        rel,
                        1,
                        "pages-not-read",
                        f"{rel}: page(s) {number}-{last} of {n_pages} not read: reading the pages took "
                        f"{_READ_SHARE:.0%} of the file's time limit ({seconds:g} s); the declaration at the "
                        f"foot of page {number - 1} may be incomplete",
                    )
                )
                break
            try:
                _lay_out(page, _PageBudget(number, inflated))
                chars = [c for c in page.chars if c.get("text")]
                for c in chars:
                    if not c["text"].isascii():
                        c["text"] = c["text"].translate(_FOLD)
                printed = "".join(c["text"] for c in chars).strip()
                if not printed or (_PAGE_NUMBER.match(printed) and page.images):
                    no_text.append(number)  # nothing, or an image with only a page number printed on it
                    continue
                found = sorted(page.find_tables(_TABLE_SETTINGS), key=lambda t: t.bbox[1])
                boxes = [t.bbox for t in found]
                here: list[tuple[float, tuple]] = []
                for t in found:
                    grid, xs, first, last = _table_rows(t, chars)
                    if grid and any(any(c.strip() for c in r) for r in grid):
                        lim.charge(rows=len(grid), cells=sum(len(r) for r in grid))
                        part = _Part(number, t.bbox[1], t.bbox[3], xs, t.bbox[2], grid, first=first, last=last)
                        here.append((t.bbox[1], ("t", part)))
                outside = [
                    c
                    for c in chars
                    if not any(
                        b[0] <= (c["x0"] + c["x1"]) / 2 <= b[2] and b[1] <= (c["top"] + c["bottom"]) / 2 <= b[3]
                        for b in boxes
                    )
                ]
                here.extend(_text_items(outside, number, alignment, ruled=bool(here)))
                pages_items.append([item for _, item in sorted(here, key=lambda x: x[0])])
            except lim.LimitExceeded:
                raise
            except _PageTooLarge as exc:
                bad_pages.append(f"{number} ({exc})")
            except Exception as exc:  # noqa: BLE001 - one damaged page must not lose the others
                bad_pages.append(f"{number} ({type(exc).__name__})")
            finally:
                page.close()
    except lim.LimitExceeded:
        raise
    except Exception as exc:  # noqa: BLE001 - the page tree itself is damaged
        problems.append(Problem(rel, None, "unreadable-file", f"{rel}: a damaged PDF ({type(exc).__name__}: {exc})"))
    finally:
        pdf.close()
    if bad_pages:
        # a page that fails costs that page; a file none of whose pages could be read is damaged
        code = "unreadable-file" if len(bad_pages) == min(len(pages), MAX_PAGES) else "pages-not-read"
        problems.append(Problem(rel, 1, code, f"{rel}: page(s) {', '.join(bad_pages)} could not be read"))
    if no_text:
        considered = min(len(pages), MAX_PAGES) if pages else 0
        what = "no page has" if len(no_text) == considered else f"page(s) {_ranges(no_text)} of {considered} have"
        problems.append(
            Problem(
                rel,
                1,
                "no-text-layer",
                f"{rel}: {what} a text layer (a scan?); they are not read (run OCR on it first)",
            )
        )
    parts = _join_continued(_without_furniture(pages_items))
    sheets: list[Sheet] = []
    between: list[str] = []
    for item in parts:
        if item[0] == "p":
            if not _PAGE_NUMBER.match(item[1]):
                between.append(item[1])
            continue
        part = item[1]
        sheet = document_sheet(
            len(sheets) + 1,
            part.rows,
            between,
            "pdf",
            page=part.page,
            pages=part.pages,
            lines=part.lines,
            encoding="pdf",
        )
        last = part.pages[-1] if part.pages else part.page
        if last != part.page:
            sheet.name = f"table {len(sheets) + 1}, pages {part.page}-{last}"
        sheets.append(sheet)
        between = []
    if not sheets:
        return [Sheet(None, [], problems, "pdf", optional=True, container="pdf")]
    sheets[0].problems = problems + sheets[0].problems
    return sheets


def _text_items(chars: list[dict], number: int, alignment: Alignment, ruled: bool) -> list[tuple[float, tuple]]:
    """The text of a page outside its ruled tables, each item with its height: its lines
    (``("p", text, page, height)``) and the tables drawn without ruling lines among them
    (``("t", part)``). On a page that holds a ruled table, only where one of those is a table
    beyond doubt: an indicator table's header printed as columns, or three rows of two cells or
    more (a line with a wide gap, as ``编制单位：…      单位：万元``, stays a line)."""
    items = page_items(chars, alignment, _REPEATED + 1)
    if ruled and not any(isinstance(item, Unruled) and _columnar(item.rows) for _, item in items):
        lines = [(line[0]["top"], line_text(line).strip()) for line in lines_of(chars)]
        return [(top, ("p", text, number, round(top))) for top, text in lines if text]
    out: list[tuple[float, tuple]] = []
    for top, item in items:
        if isinstance(item, Unruled):
            lim.charge(rows=len(item.rows), cells=sum(len(r) for r in item.rows))
            part = _Part(
                number,
                item.top,
                item.bottom,
                item.xs,
                item.x1,
                item.rows,
                first=item.first,
                last=item.last,
                ruled=False,
            )
            out.append((top, ("t", part)))
        elif item:
            out.append((top, ("p", item, number, round(top))))
    return out


def _columnar(rows: list[list[str]]) -> bool:
    """Rows that are a table beyond doubt: an indicator table's header among them, or three of
    two cells or more."""
    return sum(sum(bool(c.strip()) for c in r) >= 2 for r in rows) >= 3 or any(
        _UNRULED_HEADER.search(" ".join(r)) for r in rows
    )


class _PageTooLarge(Exception):
    """A page over one of a page's bounds: not read, the others are."""


class _PageBudget:
    """What reading one page may cost: its content streams once inflated (measured before
    they are decoded) and the characters and drawn objects its layout makes (counted as they
    are made, with the file's clock checked on the way)."""

    def __init__(self, number: int, file_inflated: list[int]):
        self.number = number
        self.objects = 0
        self.file_inflated = file_inflated  # the file's pages so far, one counter shared

    def count(self) -> None:
        self.objects += 1
        if self.objects > MAX_PAGE_OBJECTS:
            raise _PageTooLarge(f"more than {MAX_PAGE_OBJECTS:,} characters and lines on the page")
        if self.objects % 4096 == 0:
            lim.check_time()


def _lay_out(page, budget: _PageBudget) -> None:
    """Lay the page out as pdfplumber does (its characters, lines and rectangles), within the
    page's bounds: content streams inflating past :data:`MAX_PAGE_CONTENT` are refused before
    they are decoded (and charged against the file's bound on inflated bytes); the layout stops
    past :data:`MAX_PAGE_OBJECTS` objects."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    inflated = _content_bytes(page.page_obj)
    if inflated > MAX_PAGE_CONTENT:
        raise _PageTooLarge(f"its content inflates to more than {MAX_PAGE_CONTENT // lim.MiB} MiB")
    _charge_inflated(budget, inflated)

    class Device(PDFPageAggregatorWithMarkedContent):
        def render_char(self, *args, **kwargs):
            budget.count()
            return super().render_char(*args, **kwargs)

        def paint_path(self, *args, **kwargs):
            budget.count()
            return super().paint_path(*args, **kwargs)

        def render_image(self, *args, **kwargs):
            budget.count()
            return super().render_image(*args, **kwargs)

    device = Device(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()  # what pdfplumber's own layout property would have made


def _charge_inflated(budget: _PageBudget, n: int) -> None:
    """Count a page's inflated content against the file's bound on inflated bytes."""
    budget.file_inflated[0] += n
    bound = lim.current_limits().max_unzipped
    if bound is not None and budget.file_inflated[0] > bound:
        raise lim.LimitExceeded(
            f"its pages' contents inflate to more than {bound / lim.MiB:,.0f} MiB (the limit per file)"
        )


def _content_bytes(page_obj) -> int:
    """The bytes a page's content streams and the form objects it draws inflate to, measured
    without holding them (stops counting past the page's bound)."""
    from pdfminer.pdftypes import PDFStream, resolve1
    from pdfminer.psparser import LIT

    total = 0
    todo = list(page_obj.contents or [])
    resources = resolve1(page_obj.resources) or {}
    seen: set[int] = set()

    def forms(res) -> None:
        xobjects = resolve1(res.get("XObject")) if isinstance(res, dict) else None
        if not isinstance(xobjects, dict):
            return
        for ref in xobjects.values():
            key = id(ref) if getattr(ref, "objid", None) is None else ref.objid
            if key in seen or len(seen) > 1000:
                continue
            seen.add(key)
            obj = resolve1(ref)
            if isinstance(obj, PDFStream) and resolve1(obj.attrs.get("Subtype")) is LIT("Form"):
                todo.append(obj)
                forms(resolve1(obj.attrs.get("Resources")))

    forms(resources)
    for ref in todo:
        stream = resolve1(ref)
        if isinstance(stream, PDFStream):
            total += _inflated_size(stream, MAX_PAGE_CONTENT + 1 - total)
            if total > MAX_PAGE_CONTENT:
                break
    return total


def _inflated_size(stream, cap: int) -> int:
    """The size of a stream once decoded, at most ``cap`` (more is not inflated)."""
    import zlib

    from pdfminer.ascii85 import ascii85decode, asciihexdecode
    from pdfminer.pdftypes import LITERALS_ASCII85_DECODE, LITERALS_ASCIIHEX_DECODE, LITERALS_FLATE_DECODE

    if stream.data is not None:
        return len(stream.data)
    raw = stream.rawdata or b""
    filters = [f for f, _ in stream.get_filters()]
    if stream.decipher:
        return len(raw)
    while filters and filters[0] in LITERALS_ASCII85_DECODE + LITERALS_ASCIIHEX_DECODE:
        raw = (ascii85decode if filters.pop(0) in LITERALS_ASCII85_DECODE else asciihexdecode)(raw)  # they shrink
    if not filters or filters[0] not in LITERALS_FLATE_DECODE:
        return len(raw)  # other filters do not multiply their input past a small factor
    inflate = zlib.decompressobj()
    size, chunk = 0, raw
    try:
        while chunk and size < cap:
            size += len(inflate.decompress(chunk, 1 << 20))
            chunk = inflate.unconsumed_tail
    except zlib.error:
        return size
    return size


def _furniture_key(item: tuple) -> tuple | None:
    """What a running header or footer line is recognised by on every page: its text with
    numbers blanked and its height on the page. ``None`` for a line that is never furniture:
    one naming the form (a title repeated on each page is the form's) or a label of the
    form's (单位：万元, 编制单位：…)."""
    text = item[1]
    if len(text) > 60 or (_YEARLESS_FORM.search(text) and "表" in text) or "单位" in text or _YEAR_LINE.match(text):
        return None
    return re.sub(r"\d+", "#", "".join(text.split())), item[3]


def _without_furniture(pages: list[list[tuple]]) -> list[tuple]:
    """The items of all pages in reading order, without running headers and footers: the lines
    at the top (or the bottom) of a page, above (below) everything else on it, printed the same
    (numbers aside) at the same height on at least two pages. Page numbers go too."""
    seen: dict[tuple, set[int]] = {}
    for items in pages:
        for item in _edges(items):
            key = _furniture_key(item)
            if key is not None:
                seen.setdefault(key, set()).add(item[2])
    recurring = {k for k, v in seen.items() if len(v) >= 2}
    out: list[tuple] = []
    for items in pages:
        drop = {id(item) for item in _edges(items) if _furniture_key(item) in recurring}
        drop |= {id(item) for item in items if item[0] == "p" and _PAGE_NUMBER.match(item[1])}
        # only a run from the page's top or bottom edge: a line inside the page stays
        keep = list(items)
        while keep and id(keep[0]) in drop:
            keep.pop(0)
        while keep and id(keep[-1]) in drop:
            keep.pop()
        out.extend(item for item in keep if not (item[0] == "p" and _PAGE_NUMBER.match(item[1])))  # (inside a page too)
    return out


def _edges(items: list[tuple]) -> list[tuple]:
    """The text lines of a page before its first table and after its last (three at most each
    side, page numbers left out): where running headers and footers are."""
    lines = [i for i in items if not (i[0] == "p" and _PAGE_NUMBER.match(i[1]))]
    head: list[tuple] = []
    for item in lines:
        if item[0] != "p" or len(head) == 3:
            break
        head.append(item)
    tail: list[tuple] = []
    for item in reversed(lines):
        if item[0] != "p" or len(tail) == 3:
            break
        tail.append(item)
    return head + [t for t in tail if all(t is not h for h in head)]


def _join_continued(items: list[tuple]) -> list[tuple]:
    """Tables continued on the next page joined to their start; their repeated header rows
    dropped, a row the break cut joined. Between the parts only page furniture, or the title
    lines printed over the table's start printed again (as a spreadsheet's print titles are),
    where the part on the next page does not start as the table did (a new form of the same
    template under the same title would)."""
    out: list[tuple] = []
    open_part: _Part | None = None  # the last table, while only page furniture follows it
    since: list[tuple] = []  # text items after it
    for item in items:
        if item[0] == "p":
            since.append(item)
            out.append(item)
            if open_part is not None and item[2] == open_part.pages[-1] and not _furniture(item[1]):
                open_part = None  # text after the table on its page: the table ended there
            continue
        part: _Part = item[1]
        part.pages = part.pages or [part.page] * len(part.rows)
        part.lines = part.lines or list(range(1, len(part.rows) + 1))
        between = [p for p in since if not _furniture(p[1])]
        joined = open_part is not None and part.page == open_part.pages[-1] + 1 and _same_frame(open_part, part)
        if joined and between:
            joined = all(p[2] == part.page and _flat(p[1]) in open_part.preamble for p in between)
        if joined:
            xs = _union(open_part.xs, part.xs)
            rows = _placed(part.rows, part.xs, xs)
            before = _placed(open_part.rows[-_REPEATED:], open_part.xs, xs)
            kept, dropped = _drop_repeated(_placed_part(open_part, xs), rows, before)
            if between and kept and _label(kept[0]) == _label(open_part.rows[0]):
                joined = False  # under the same title, a table starting as this one did: a new form
        if joined:
            if len(xs) != len(open_part.xs):
                open_part.rows = _placed(open_part.rows, open_part.xs, xs)
                open_part.xs = xs
            if kept and dropped < len(part.first):
                cut = _split_row(open_part.last, part.first[dropped], open_part.rows[-1], kept[0], xs)
                if cut is not None:
                    open_part.rows[-1] = cut
                    kept = kept[1:]
                    dropped += 1
            open_part.last = part.last if kept else open_part.last
            start = open_part.lines[-1] + 1
            open_part.rows.extend(kept)
            open_part.pages.extend([part.page] * len(kept))
            open_part.lines.extend(range(start + dropped, start + dropped + len(kept)))
            for p in since:  # page furniture and titles printed again are no paragraphs between
                out.remove(p)
        else:
            start_lines = _started_as_lines(part, since)
            for p in start_lines:
                out.remove(p)
            between = [p for p in between if p not in start_lines]
            part.preamble = {_flat(p[1]) for p in between}
            out.append(("t", part))
            open_part = part
        since = []
    return out


def _started_as_lines(part: _Part, since: list[tuple]) -> list[tuple]:
    """The lines at the foot of the page before that are the first rows of a table without
    ruling lines, put at the start of ``part`` (in place; their repeat at its top dropped); the
    lines taken. Such a table's first rows, of one cell each (申报项目名称：…, 编报单位：…), look
    like lines of text until a row of several cells follows; the publisher printing the table's
    first row again over its part on the next page tells they were the table's."""
    first = [c for c in part.rows[0] if c.strip()] if part.rows else []
    if part.ruled or len(first) != 1:
        return []
    before = [p for p in since if p[2] == part.page - 1 and not _PAGE_NUMBER.match(p[1])]
    at = next((i for i, p in enumerate(before) if _flat(p[1]) == _flat(first[0])), None)
    if at is None:
        return []
    taken = before[at:]
    head = [[p[1]] + [""] * (len(part.xs) - 1) for p in taken]
    kept, dropped = _drop_repeated(_Part(part.page, 0, 0, part.xs, part.x1, head), part.rows)
    if not dropped:
        return []
    part.page -= 1
    part.rows = head + kept
    part.pages = [part.page] * len(head) + part.pages[dropped:]
    part.lines = list(range(1, len(head) + 1)) + [n + len(head) for n in part.lines[dropped:]]
    return taken


def _label(cells: list[str]) -> str:
    """A row's first filled cell up to its colon (申报单位名称：… is 申报单位名称)."""
    first = next((c for c in cells if c.strip()), "")
    return re.split(r"[:：]", _flat(first))[0]


def _flat(text: str) -> str:
    return "".join(text.split())


def _placed_part(part: _Part, xs: list[float]) -> _Part:
    """``part`` with its rows in the columns ``xs`` (for comparing rows; the part is not changed)."""
    if len(xs) == len(part.xs):
        return part
    return _Part(part.page, part.top, part.bottom, xs, part.x1, _placed(part.rows[:_REPEATED], part.xs, xs))


def _drop_repeated(
    part: _Part, rows: list[list[str]], before: list[list[str]] | None = None
) -> tuple[list[list[str]], int]:
    """``rows`` (the part of a table on its next page) without the rows at its top that repeat
    the first rows of the table: the header rows a publisher prints again on each page. (Any
    other row printed before, such as the column header of an earlier declaration's indicators
    in the same table, is a row of its own.) Where the row after them starts a form as the
    table's first form started (its 项目名称 with another value), they are that form's own first
    rows, unless ``before`` (the last rows before the break) ends with them: then that form
    began there, and they are repeated."""
    heads = part.rows[:_REPEATED]
    n = 0
    while n < min(len(heads), len(rows)) and _key(rows[n]) == _key(heads[n]) and _key(rows[n]):
        n += 1
    if 0 < n < min(len(heads), len(rows)) and _new_form(heads[n], rows[n]):
        began = before is not None and [_key(r) for r in before[-n:]] == [_key(h) for h in heads[:n]]
        if not began:
            return rows, 0  # the same first rows, then the same label with another value: the next form
    return rows[n:], n


def _new_form(head: list[str], row: list[str]) -> bool:
    """Whether ``row`` (after rows that repeat the table's first rows) starts as ``head`` did with
    a field label of a form (项目名称) and gives it another value: a form of the same template
    begins there (the heading over it happens to be the table's first row), no header repeats."""
    label = _label(row)
    return bool(label) and label == _label(head) and _key(row) != _key(head) and field_of(label) is not None


def _key(cells: list[str]) -> tuple[str, ...]:
    key = ["".join(c.split()) for c in cells]
    while key and not key[-1]:
        key.pop()
    return tuple(key)


def _furniture(text: str) -> bool:
    """A page number or a short running header, not text between two tables of a form."""
    return bool(_FURNITURE.match(text)) or (
        len(text) <= 30 and "绩效" not in text and "表" not in text and not re.search(r"\d{4}\s*年", text)
    )


def _ranges(numbers: list[int]) -> str:
    out, start, prev = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)
