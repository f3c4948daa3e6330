"""Reading saved web pages (``.html``, ``.htm``, ``.shtml``, ``.mhtml``) into tables of cells.

Units publish their declarations as a ``<table>`` in an article. Every table of the page
becomes one optional :class:`~analysis.ingest.grid.Sheet` (the parser keeps those holding a
declaration; navigation, footers and other tables are passed over): ``rowspan``/``colspan``
expanded the way a text export does it (the value top-left, blanks in the covered cells), cell
markup read as text (``<br>``, ``<p>``, ``<div>`` and list items as line breaks inside the cell,
``&nbsp;`` as a space, runs of white space collapsed as a browser shows them), and the text
printed between the tables (headings, a ``（2021年度）`` line) kept beside each table for its
title and year. A table nested in another's cell (a page laid out with tables) is a table of
its own, and the layout cell's other text counts as text between tables.

The charset comes from a byte-order mark, else the page's own ``<meta charset>`` /
``http-equiv`` declaration (GB2312 and GBK are read as GB18030, their superset), else the
text readers' detection (UTF-8, GB18030, UTF-16). Parsing is lxml's HTML parser.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import re

from analysis.ingest import limits
from analysis.ingest.encoding import decode
from analysis.ingest.grid import MAX_COLSPAN, MAX_ROWSPAN, Sheet, document_sheet, expand_spans
from analysis.problems import Problem

#: file name endings read as web pages
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".mhtml", ".mht"}

#: labels that name a superset-compatible codec better than their own
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "cp936": "gb18030",
    "windows-936": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "big5": "big5hkscs",
    "x-mac-chinesesimp": "gb18030",
}
#: the charset a page declares in its first bytes (the "prescan" a browser does before parsing)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

_BLOCK = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "blockquote",
    "pre",
    "dl",
    "dt",
    "dd",
    "center",
    "form",
    "address",
    "figure",
    "figcaption",
    "fieldset",
    "hr",
    "body",
    "tr",
    "td",
    "th",
    "caption",
    "title",
    "option",
}
_SKIP = {"script", "style", "noscript", "template", "head", "select", "textarea", "iframe", "object", "svg", "math"}
_SPACE = re.compile(r"[ \t\n\r\f\u200b]+")


def declared_charset(data: bytes) -> str | None:
    """The codec named by the page (first 4 KB), mapped to the one to decode with."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    label = m.group(1).decode("ascii", "replace").strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(name, name)


def decode_page(data: bytes, rel: str) -> tuple[str | None, str | None, list[Problem]]:
    """The page's text: BOM, else its declared charset (when the bytes are that), else detection."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc = declared_charset(data)
        if enc is not None and enc not in ("utf-16", "utf-32"):
            try:
                return data.decode(enc), enc, []
            except UnicodeDecodeError:
                pass  # the page says one thing and is another: detect as for text
    return decode(data, rel)


def _mhtml_html(data: bytes) -> bytes | None:
    """The first ``text/html`` part of a saved ``.mhtml`` page, as bytes with a meta charset."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            if charset and not _META_CHARSET.search(payload[:4096]):
                payload = f'<meta charset="{charset}">'.encode("ascii", "replace") + payload
            return payload
    return None


def _text_of(el, out: list[str]) -> None:
    """Append the text of ``el``'s children (not of tables nested in it) to ``out``; block
    elements and ``<br>`` as line breaks."""
    if el.text:
        out.append(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        tag = tag.lower()
        if tag == "br":
            out.append("\n")
        elif tag == "table" or tag in _SKIP or not tag:
            pass  # a nested table is read on its own; comments and scripts are no text
        else:
            block = tag in _BLOCK
            if block:
                out.append("\n")
            _text_of(child, out)
            if block:
                out.append("\n")
        if child.tail:
            out.append(child.tail)


def cell_text(el) -> str:
    """A cell's text as a browser shows it: white space runs as one space, line breaks where
    ``<br>`` and block elements are, ``&nbsp;`` as a space (kept), leading and trailing space gone."""
    parts: list[str] = []
    _text_of(el, parts)
    lines = [_SPACE.sub(" ", line).strip(" ") for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line.strip(" \u00a0\u3000"))


def _span(el, name: str, limit: int) -> int:
    try:
        return max(1, min(int(re.sub(r"[^\d]", "", el.get(name, "1") or "1") or 1), limit))
    except ValueError:
        return 1


def table_grid(table) -> list[list[str]]:
    """The rows of one ``<table>`` (its own, not those of tables nested in it), spans expanded."""
    rows = []
    for tr in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
        limits.charge(1)
        cells = [
            (cell_text(td), _span(td, "rowspan", MAX_ROWSPAN), _span(td, "colspan", MAX_COLSPAN))
            for td in tr
            if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")
        ]
        rows.append(cells)
    grid = expand_spans(rows)
    while grid and not any(c.strip() for c in grid[-1]):
        grid.pop()
    return grid


class _Walk:
    """The page in document order: paragraphs of text outside tables, and the tables."""

    def __init__(self):
        self.items: list[tuple[str, object]] = []
        self.buf: list[str] = []

    def flush(self) -> None:
        text = "".join(self.buf)
        self.buf = []
        for line in text.split("\n"):
            line = _SPACE.sub(" ", line).strip(" ")
            if line.strip(" \u00a0\u3000"):
                self.items.append(("p", line))

    def visit(self, el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            pass
        elif tag == "br":
            self.buf.append("\n")
        elif tag == "table":
            self.flush()
            for cap in el.xpath("./caption"):
                self.items.append(("p", cell_text(cap).replace("\n", " ")))
            self.items.append(("table", el))
            # a layout table: text and tables inside its cells that hold a table of their own
            for td in el.xpath("./tr/td | ./tr/th | ./*/tr/td | ./*/tr/th"):
                if td.xpath(".//table"):
                    self.buf.append("\n")
                    self.children(td)
                    self.flush()
        elif tag:
            block = tag in _BLOCK
            if block:
                self.buf.append("\n")
            self.children(el)
            if block:
                self.buf.append("\n")
        if el.tail and tag != "html":
            self.buf.append(el.tail)

    def children(self, el) -> None:
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.visit(child)


def read_html(data: bytes, rel: str, suffix: str = ".html") -> list[Sheet]:
    """Every table of a saved web page as an optional sheet (see the module's doc)."""
    import lxml.etree
    import lxml.html

    if suffix in (".mhtml", ".mht") or data[:2000].lower().find(b"multipart/related") >= 0:
        part = _mhtml_html(data)
        if part is None:
            return [
                Sheet(
                    None,
                    [],
                    [Problem(rel, 1, "unreadable-file", f"{rel}, line 1: a saved page (.mhtml) without an HTML part")],
                )
            ]
        data = part
    text, encoding, problems = decode_page(data, rel)
    if text is None:
        return [Sheet(None, [], problems)]
    markup = text.encode("utf-8", "surrogatepass")
    limits.count_elements([markup], limits.max_elements(), "the web page")  # before lxml builds the tree
    try:
        # bytes with a stated encoding: lxml refuses str holding an XML encoding declaration
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
        root = lxml.html.document_fromstring(markup, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        return [
            Sheet(
                None,
                [],
                problems + [Problem(rel, 1, "unreadable-file", f"{rel}, line 1: not a readable web page ({exc})")],
            )
        ]
    walk = _Walk()
    walk.visit(root)
    walk.flush()
    sheets: list[Sheet] = []
    between: list[str] = []
    for kind, item in walk.items:
        if kind == "p":
            between.append(item)
            continue
        grid = table_grid(item)
        if not grid:
            continue
        sheets.append(document_sheet(len(sheets) + 1, grid, between, "html", encoding=encoding))
        between = []
    if sheets:
        sheets[0].problems = problems + sheets[0].problems
    else:
        sheets = [Sheet(None, [], problems, encoding, optional=True, container="html")]
    return sheets
