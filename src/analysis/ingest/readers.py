"""Reading declaration files into rows of cells.

A declaration file is a table exported from a spreadsheet: tab-separated text in some
encoding (UTF-8 with or without BOM, GB18030/GBK, UTF-16 with BOM as Excel's "Unicode text"
export writes it), with any line ends (LF, CRLF, CR), cells holding a newline or a tab
wrapped in double quotes with ``""`` escapes; or a document as published: an Excel workbook
(``.xlsx``, old ``.xls``), a saved web page, a Word file (``.docx``), a text PDF.

:func:`read_file` chooses the reader by the file's first bytes (a zip holding a workbook or a
Word document, an OLE compound file, ``%PDF``, markup), then by its suffix. Whatever the format,
a file becomes a list of :class:`Sheet` s, each a list of :class:`Row` s: the 1-based line (or
spreadsheet or table row) where the row starts and its cells as strings. Nothing here knows
what a declaration is.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.ingest import limits
from analysis.ingest.encoding import decode
from analysis.ingest.grid import Cut, Row, Sheet
from analysis.problems import Problem

#: file name endings read as Excel workbooks
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
#: file name endings that are never declarations: skipped without a problem (web pages are
#: read, and passed over quietly when they hold no declaration table)
IGNORED_SUFFIXES = {
    ".md",
    ".json",
    ".parquet",
    ".gitkeep",
    ".complete",
    ".yml",
    ".yaml",
    ".py",
    ".ipynb",
    ".css",
    ".js",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".svg",
    ".ico",
    ".woff",
    ".woff2",
}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MARKUP = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table|\?xml[^>]*>\s*<(?:!doctype\s+)?html)",
    re.I | re.S,
)


def is_candidate(path: Path) -> bool:
    """Whether ``path`` is a file ingest should look at (hidden files and known
    non-declaration files such as README.md or an answer key are skipped)."""
    if any(part.startswith(".") for part in path.parts):
        return False
    return path.suffix.lower() not in IGNORED_SUFFIXES


def candidate_name(name: str) -> bool:
    """:func:`is_candidate` of a file's own name (its folders known not to be hidden), without
    making a path of it (the listing asks it of every file)."""
    if name.startswith("."):
        return False
    i = name.rfind(".")
    suffix = name[i:] if 0 < i < len(name) - 1 else ""  # (as Path.suffix)
    return suffix.lower() not in IGNORED_SUFFIXES


#: the names a text export is saved under (a file with no suffix is read as text too)
TEXT_SUFFIXES = {".txt", ".tsv", ".tab", ".text", ".csv"}


def names_a_declaration_format(name: str) -> bool:
    """Whether a file's own name ends as one of the formats read (text, workbook, web page, Word,
    PDF): what a link out of the input folder must point to for it to be followed."""
    from analysis.ingest.docx import DOCX_SUFFIXES
    from analysis.ingest.html import HTML_SUFFIXES
    from analysis.ingest.pdf import PDF_SUFFIXES
    from analysis.ingest.xls import XLS_SUFFIXES

    known = TEXT_SUFFIXES | EXCEL_SUFFIXES | XLS_SUFFIXES | HTML_SUFFIXES | DOCX_SUFFIXES | PDF_SUFFIXES | _OLD_WORD
    return Path(name).suffix.lower() in known and is_candidate(Path(name))


def read_file(path: Path, rel: str) -> list[Sheet]:
    """Read one file into sheets of rows; faults become problems on the first sheet
    (an unreadable file gives one sheet with no rows and the problem)."""
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [
            Sheet(
                None,
                [],
                [Problem(rel, None, "unreadable-file", f"{rel}: cannot read the file ({exc.strerror or exc})")],
            )
        ]
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        return [Sheet(None, [], [Problem(rel, 1, "empty-file", f"{rel}, line 1: the file is empty")])]
    reader = _container(data, suffix)
    if reader is not None:
        return reader(data, rel)
    text, encoding, problems = decode(data, rel)
    if text is None:
        return [Sheet(None, [], problems)]
    text, passed_over = limits.cut_text(text)  # over the row bound: the lines within it
    limits.charge_text(text)  # millions of cells are refused before they become rows
    if suffix == ".csv" and text.count(",") > 4 * text.count("\t"):
        rows, more = split_csv(text, rel)
    else:
        rows, more = split_rows(text, rel)
    sheet = Sheet(None, rows, problems + more, encoding)
    if passed_over:
        sheet.cut = Cut(text.count("\n"), limits.current_limits().max_rows, passed_over)
    return [sheet]


_OLD_WORD = {".doc", ".dot", ".wps"}


def _not_readable(what: str):
    """The reader of a file whose name says ``what`` but whose first bytes are no such file."""
    return lambda data, rel: [
        Sheet(
            None,
            [],
            [Problem(rel, None, "unreadable-file", f"{rel}: not a readable {what} (its first bytes are no {what})")],
        )
    ]


def _saved_text(data: bytes) -> bool:
    """Whether a file named as a workbook or Word file (and holding none, nor a web page) is a
    tab- or comma-separated text export: its beginning decodes to rows of cells."""
    text, _encoding, _problems = decode(data[:4096], "")
    return text is not None and text.count("\ufffd") <= 2 and ("\t" in text or "," in text) and "\n" in text


def _container(data: bytes, suffix: str):
    """The reader of a published document (workbook, web page, Word, PDF), or ``None`` for text."""
    from analysis.ingest.docx import DOCX_SUFFIXES
    from analysis.ingest.html import HTML_SUFFIXES
    from analysis.ingest.pdf import PDF_SUFFIXES
    from analysis.ingest.xls import XLS_SUFFIXES

    zipped, ole, markup = data[:4] == b"PK\x03\x04", data[:8] == _OLE, bool(_MARKUP.match(data[:4096]))
    if suffix in EXCEL_SUFFIXES | XLS_SUFFIXES | _OLD_WORD and not (zipped or ole or markup):
        if _saved_text(data):
            return None  # a text export saved under a workbook's name (sites serve them as .xls): read as text
        if suffix not in XLS_SUFFIXES:  # (.xls: the same message below)
            return _not_readable(f"{suffix} workbook" if suffix in EXCEL_SUFFIXES else f"{suffix} Word file")
    if zipped or (suffix in EXCEL_SUFFIXES | DOCX_SUFFIXES and not markup):  # (a page saved as .xlsx: below)
        kind = _zip_kind(data) or ("docx" if suffix in DOCX_SUFFIXES else "xlsx")
        if kind == "docx":
            from analysis.ingest.docx import read_docx

            return read_docx
        from analysis.ingest.excel import read_workbook

        return read_workbook
    if ole:
        if suffix in _OLD_WORD or suffix in DOCX_SUFFIXES:
            return _old_word  # (a .doc renamed .docx is still one)
        from analysis.ingest.xls import read_xls

        return read_xls
    if data[:5] == b"%PDF-" or (suffix in PDF_SUFFIXES and b"%PDF-" in data[:1024]):
        from analysis.ingest.pdf import read_pdf

        return read_pdf
    if suffix in PDF_SUFFIXES | XLS_SUFFIXES and not markup:
        return _not_readable("PDF" if suffix in PDF_SUFFIXES else ".xls workbook")
    if suffix in HTML_SUFFIXES or markup:
        from analysis.ingest.html import read_html

        return lambda data, rel: read_html(data, rel, suffix)
    return None


def _zip_kind(data: bytes) -> str | None:
    """``docx`` or ``xlsx`` by the parts a zip holds; ``None`` when it cannot be opened."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _old_word(data: bytes, rel: str) -> list[Sheet]:
    return [
        Sheet(
            None,
            [],
            [
                Problem(
                    rel,
                    1,
                    "unsupported-format",
                    f"{rel}, line 1: an old binary Word file (.doc), which is not read; convert it "
                    f"to .docx (e.g. `soffice --headless --convert-to docx {Path(rel).name}`) and ingest again",
                )
            ],
        )
    ]


# ---------------------------------------------------------------------------------------------
# decoding


# ---------------------------------------------------------------------------------------------
# splitting into rows

_MAX_QUOTED_LINES = 400
#: the title row of a new form: a quoted cell never runs on over it
_FORM_START = re.compile(
    r"^[\s\"]*(?:\d{4}年度?)?[^\t。，]{0,20}?绩效目标(?:申报)?表\s*(?:[(（]\d{4}年度?[)）])?\s*(?:\t|$)"
)


def split_rows(text: str, rel: str = "") -> tuple[list[Row], list[Problem]]:
    """Split decoded text into rows of tab-separated cells, with 1-based line numbers.

    Line ends may be LF, CRLF or CR. A cell that starts with ``"`` is read as an Excel-quoted
    cell when a closing quote follows (before a tab or the line end, possibly lines later):
    its newlines and tabs are kept and ``""`` becomes ``"``. A quote that never closes is
    kept as text and reported.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if '"' not in text:
        return [Row(i, line.split("\t"), None, None, line) for i, line in enumerate(lines, 1)], []
    rows: list[Row] = []
    problems: list[Problem] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if '"' not in line:
            rows.append(Row(i + 1, line.split("\t"), None, None, line))
            i += 1
            continue
        cells, consumed, unclosed = _split_quoted(lines, i)
        if unclosed:
            problems.append(
                Problem(
                    rel,
                    i + 1,
                    "unclosed-quote",
                    f"{rel}, line {i + 1}: a cell opens a double quote that does not close; read as plain text",
                )
            )
        rows.append(Row(i + 1, cells))
        i += consumed
    return rows, problems


def split_csv(text: str, rel: str = "") -> tuple[list[Row], list[Problem]]:
    """Split a comma-separated export (Excel's "CSV": ``"1,406,400"`` quoted, cells with line
    breaks quoted) into rows with the line where each starts."""
    import csv
    import io

    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text))
    start = 1
    try:
        for cells in reader:
            rows.append(Row(start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        return rows, [
            Problem(
                rel, start, "unclosed-quote", f"{rel}, line {start}: the comma-separated text breaks off here ({exc})"
            )
        ]
    return rows, []


def _split_quoted(lines: list[str], start: int) -> tuple[list[str], int, bool]:
    """Split the row beginning at ``lines[start]``, honouring Excel quoting.
    Returns ``(cells, lines consumed, whether an unclosed quote was met)``."""
    cells: list[str] = []
    buf = lines[start]
    pos = 0
    used = 1
    while True:
        if buf.startswith('"', pos):
            # a quoted cell: find the closing quote that is followed by a tab or the end
            j = pos + 1
            parts: list[str] = []
            while True:
                k = buf.find('"', j)
                if k == -1:
                    if (
                        used >= _MAX_QUOTED_LINES
                        or start + used >= len(lines)
                        or _FORM_START.match(lines[start + used])
                    ):
                        # never closed: take this physical line literally
                        line = lines[start]
                        return line.split("\t"), 1, True
                    parts.append(buf[j:])
                    parts.append("\n")
                    buf = buf + "\n" + lines[start + used]
                    j = len(buf) - len(lines[start + used])
                    used += 1
                    continue
                if buf.startswith('""', k):
                    parts.append(buf[j:k] + '"')
                    j = k + 2
                    continue
                parts.append(buf[j:k])
                end = k + 1
                if end == len(buf) or buf[end] == "\t":
                    cells.append("".join(parts))
                    pos = end
                    break
                # a quote inside an unquoted-looking cell ("12345"热线): not Excel quoting
                t = buf.find("\t", pos)
                cells.append(buf[pos:] if t == -1 else buf[pos:t])
                pos = len(buf) if t == -1 else t
                break
        else:
            t = buf.find("\t", pos)
            cells.append(buf[pos:] if t == -1 else buf[pos:t])
            pos = len(buf) if t == -1 else t
        if pos >= len(buf):
            return cells, used, False
        pos += 1  # skip the tab
        if pos == len(buf):
            cells.append("")
            return cells, used, False
