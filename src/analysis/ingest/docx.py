"""Reading Word files (``.docx``) into tables of cells.

Every table of the document becomes one optional :class:`~analysis.ingest.grid.Sheet`, in
document order (tables nested in a cell after the table holding them). Merged cells are
expanded the way a text export does it: a cell spanning columns (``gridSpan``) and the cells
a vertical merge continues (``vMerge``) leave blanks beside and below the value; columns a row
skips (``gridBefore``/``gridAfter``) are blank. A cell's paragraphs are joined with line
breaks, as are breaks inside a paragraph. The paragraphs between tables are kept beside each
table for its title and year. Reading is python-docx (the XML of its document body).

The old binary ``.doc`` format is not read: it is reported with the way to convert it.
"""

from __future__ import annotations

import io
import zipfile

from analysis.ingest import limits
from analysis.ingest.grid import Sheet, document_sheet
from analysis.problems import Problem

DOCX_SUFFIXES = {".docx", ".docm"}

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(el, name: str) -> str | None:
    child = el.find(_W + name)
    return None if child is None else child.get(_W + "val", "")


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, min(int(value), 1000)) if value is not None else default
    except ValueError:
        return default


def paragraph_text(p) -> str:
    """The text of one ``w:p``: runs' text, tabs, breaks as line breaks (not of nested tables)."""
    out: list[str] = []
    for el in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr", _W + "noBreakHyphen", _W + "sym"):
        tag = el.tag[len(_W) :]
        if tag == "t":
            out.append(el.text or "")
        elif tag == "tab":
            out.append("\t")
        elif tag in ("br", "cr"):
            out.append("\n")
        elif tag == "noBreakHyphen":
            out.append("-")
    return "".join(out)


def cell_text(tc) -> str:
    lines = []
    for p in tc.iterchildren(_W + "p", _W + "sdt", _W + "customXml"):
        paras = [p] if p.tag == _W + "p" else p.iter(_W + "p")
        lines.extend(paragraph_text(x) for x in paras)
    return "\n".join(line.strip() for line in "\n".join(lines).split("\n")).strip("\n")


def _owner(el, tag: str):
    """The nearest enclosing element of ``tag`` (content controls may wrap rows and cells)."""
    p = el.getparent()
    while p is not None and p.tag != _W + tag:
        p = p.getparent()
    return p


def _rows(tbl):
    """The ``w:tr`` of a table, also those wrapped in content controls; not those of nested tables."""
    return (tr for tr in tbl.iter(_W + "tr") if _owner(tr, "tbl") is tbl)


def _cells(tr):
    return (tc for tc in tr.iter(_W + "tc") if _owner(tc, "tr") is tr)


def table_grid(tbl) -> list[list[str]]:
    """One ``w:tbl`` as a grid: spans and vertical merges as blanks beside and below the value.
    Each row's width (spans expanded) is counted against the file's bounds before the row is
    made, and the table's rows times its widest row before it is padded to a rectangle."""
    grid: list[list[str]] = []
    width = 0
    for tr in _rows(tbl):
        pr = tr.find(_W + "trPr")
        before = _int(_val(pr, "gridBefore"), 0) if pr is not None else 0
        after = _int(_val(pr, "gridAfter"), 0) if pr is not None else 0
        cells = []
        for tc in _cells(tr):
            tcpr = tc.find(_W + "tcPr")
            span = _int(_val(tcpr, "gridSpan"), 1) if tcpr is not None else 1
            vmerge = _val(tcpr, "vMerge") if tcpr is not None else None
            cells.append((tc, max(span, 1), vmerge is not None and vmerge != "restart"))
        row_width = before + sum(span for _tc, span, _cont in cells) + after
        limits.charge(1, row_width)
        width = max(width, row_width)
        limits.check_grid(len(grid) + 1, width, "a Word table")
        row = [""] * before
        for tc, span, continued in cells:
            row.append("" if continued else cell_text(tc))
            row.extend([""] * (span - 1))
        row.extend([""] * after)
        grid.append(row)
    grid = [r + [""] * (width - len(r)) for r in grid]
    while grid and not any(c.strip() for c in grid[-1]):
        grid.pop()
    return grid


def read_docx(data: bytes, rel: str) -> list[Sheet]:
    """Every table of a Word file as an optional sheet (see the module's doc)."""
    import docx  # python-docx

    limits.check_zip(data, "the Word file")
    limits.check_zip_markup(data, lambda name: name.lower().endswith((".xml", ".rels")), "the Word file")
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except (MemoryError, limits.LimitExceeded):
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return [
            Sheet(None, [], [Problem(rel, None, "unreadable-file", f"{rel}: not a readable Word file (.docx) ({exc})")])
        ]
    except Exception as exc:  # noqa: BLE001 - python-docx and lxml raise many kinds on a damaged file
        return [
            Sheet(
                None,
                [],
                [
                    Problem(
                        rel,
                        None,
                        "unreadable-file",
                        f"{rel}: a damaged Word file (.docx) ({type(exc).__name__}: {exc})",
                    )
                ],
            )
        ]
    sheets: list[Sheet] = []
    between: list[str] = []

    def walk(parent) -> None:
        nonlocal between
        for child in parent:
            limits.check_time()
            if child.tag == _W + "p":
                between.extend(line.strip() for line in paragraph_text(child).split("\n") if line.strip())
            elif child.tag == _W + "tbl":
                grid = table_grid(child)
                if grid:
                    sheets.append(document_sheet(len(sheets) + 1, grid, between, "docx"))
                    between = []
                nested = [t for t in child.iter(_W + "tbl") if t is not child and _owner(t, "tbl") is child]
                walk(nested)  # tables nested in cells: after the table holding them
            elif child.tag in (_W + "sdt", _W + "customXml", _W + "sdtContent"):
                walk(child)

    walk(body)
    return sheets or [Sheet(None, [], [], "docx", optional=True, container="docx")]
