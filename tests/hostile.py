"""The hostile corpus: files made to break the ingest, each from the published seed.

Small ones are kept in ``tests/fixtures/hostile/`` (``python tests/hostile.py`` writes them
again); big ones (a zip bomb, megabytes of junk) and ones a repository cannot hold (a name
that is no UTF-8, a FIFO, a dangling link) are made by :func:`make_big` and :func:`make_special`
in the test that needs them. ``EXPECTED`` says what the ingest must make of each small file.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import seedkit as kit

HERE = Path(__file__).resolve().parent / "fixtures" / "hostile"
NINES = "9" * 400


def _decl1(**swap) -> list[str]:
    block = list(kit.DECL1)
    for old, new in swap.items():
        block = kit.replace(block, old, new)
    return block


def small_files() -> dict[str, bytes]:
    """name -> bytes of each small hostile file (each its own years: no file repeats another's
    declarations, nor the seed's)."""
    d1 = {y: kit.with_year(kit.DECL1, y) for y in (2011, 2012, 2013, 2014, 2015, 2016)}
    # a month-only date in year 0000, and a deadline target in year 0000: a bad cell each
    year_zero = kit.join(
        kit.replace(d1[2011], "\t2011-01-01\t", "\t0000-01\t"),
        kit.replace(kit.with_year(kit.DECL2, 2011), ">=8500个", "0000-01前"),
    )
    nines = kit.join(kit.replace(kit.replace(d1[2012], "\t1,406,400\t", f"\t{NINES}\t"), ">=90%", f">={NINES}"))
    negative = kit.join(
        kit.replace(
            kit.replace(d1[2013], "\t1,406,400\t项目当年预算", "\t-1,406,400\t项目当年预算"),
            "预算执行数（元）：\t1,296,100",
            "预算执行数（元）：\t-1,296,100",
        )
    )
    bidi = kit.join(kit.replace(kit.replace(d1[2014], kit.UNIT, "\u202e" + kit.UNIT), kit.P1, kit.P1 + "\uffff"))
    return {
        "year-zero.txt": year_zero.encode(),
        "nines.txt": nines.encode(),
        "negative.txt": negative.encode(),
        "bidi.txt": bidi.encode(),
        "dimension.xlsx": dimension_workbook(d1[2015]),
        "forged-size.xlsx": forged_size_workbook(d1[2016]),
    }


#: file -> (declarations in the tables, problem codes that must be there, codes that must not)
EXPECTED: dict[str, tuple[int, set[str], set[str]]] = {
    "year-zero.txt": (2, {"bad-date", "bad-target"}, {"parse-failed", "declaration-failed"}),
    "nines.txt": (1, {"bad-amount"}, {"parse-failed"}),
    "negative.txt": (1, {"negative-amount"}, {"year-over-total", "executed-over-budget"}),
    "bidi.txt": (1, {"unsafe-characters"}, set()),
    "dimension.xlsx": (1, set(), {"file-too-large", "file-timeout"}),
    "forged-size.xlsx": (0, {"unreadable-file"}, set()),
}


def _sheet_rows(block: list[str]) -> list[list[str]]:
    return [line.split("\t") for line in block]


def _rewrite(data: bytes, change) -> bytes:
    """The zip ``data`` with ``change(name, bytes) -> bytes`` applied to each part."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return out.getvalue()


def dimension_workbook(block: list[str] = kit.DECL1) -> bytes:
    """A declaration in a sheet that claims ``A1:XFD1048576`` and holds one more cell in the
    very last row: openpyxl's read-only mode padded every row to 16,384 cells (hours)."""
    base = kit.to_workbook({"Sheet1": _sheet_rows(block)})

    def change(name, body):
        if name != "xl/worksheets/sheet1.xml":
            return body
        text = body.decode()
        text = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', text)
        return text.replace(
            "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        ).encode()

    return _rewrite(base, change)


def forged_size_workbook(block: list[str] = kit.DECL1) -> bytes:
    """A workbook whose sheet part says it is 100 bytes while it inflates to far more (a bomb
    that lies in the zip's directory): never more than the declared size may be read."""
    base = kit.to_workbook({"Sheet1": _sheet_rows(block)})
    data = bytearray(base)
    name = b"xl/worksheets/sheet1.xml"
    # the central directory entry: signature PK\1\2, uncompressed size at offset 24
    at = data.find(b"PK\x01\x02")
    while at != -1:
        n = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + n] == name:
            data[at + 24 : at + 28] = (100).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def bomb_workbook(megabytes: int = 200) -> bytes:
    """A workbook whose sheet inflates to ``megabytes`` MB of blanks (some hundred KB on disk)."""
    base = kit.to_workbook({"Sheet1": _sheet_rows(kit.DECL1)})
    pad = b" " * (1 << 20)

    out = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(base))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                with dst.open(zipfile.ZipInfo(info.filename), "w", force_zip64=True) as f:
                    head, tail = body.split(b"<sheetData>", 1)
                    f.write(head + b"<sheetData>")
                    for _ in range(megabytes):
                        f.write(pad)
                    f.write(tail)
            else:
                dst.writestr(info.filename, body)
    return out.getvalue()


def junk_text(lines: int) -> bytes:
    """A declaration followed by ``lines`` lines of ``x`` (2M lines are 4 MB): over the row
    bound, cut there, the declaration kept."""
    return (kit.join(kit.with_year(kit.DECL2, 2030)) + "x\n" * lines).encode()


def dense_text(rows: int = 49_000) -> bytes:
    """A declaration followed by ``rows`` indicator rows with long names and targets: as many
    rows as the bound allows, about 4 MB, every row a real indicator."""
    body = "".join(f"产出目标\t数量\t指标{i:06d}号{'热线录音监听' * 3}\t>={i}个\n" for i in range(rows))
    return (kit.join(kit.DECL2) + body).encode()


def make_big(folder: Path) -> dict[str, str]:
    """Write the big hostile files into ``folder``; returns name -> the file-level code each gives."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bomb.xlsx").write_bytes(bomb_workbook())
    (folder / "junk-4mb.txt").write_bytes(junk_text(2_000_000))
    return {"bomb.xlsx": "file-too-large", "junk-4mb.txt": "truncated-file"}


def make_special(folder: Path) -> dict[str, str]:
    """Entries a repository cannot hold: a name of GBK bytes (a good declaration), a FIFO, a
    link to nothing. Returns the name shown in the tables -> the code it gives."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(os.path.join(os.fsencode(folder), b"\xb2\xe2\xca\xd4.txt"), "wb") as f:  # 测试 in GBK
        f.write(kit.join(kit.with_year(kit.DECL2, 2021)).encode())
    os.mkfifo(folder / "pipe.txt")
    os.symlink(folder / "nowhere.txt", folder / "dangling.txt")
    return {
        "\\xb2\\xe2\\xca\\xd4.txt": "bad-file-name",
        "pipe.txt": "unreadable-file",
        "dangling.txt": "unreadable-file",
    }


# ---------------------------------------------------------------------------------------------
# round two: the new readers, links, folding, truncation (made in the tests, not kept)

_WNS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx_with_body(body_chunks, megabytes_hint: int = 0) -> bytes:
    """A Word file (made by python-docx) whose ``word/document.xml`` body is ``body_chunks``
    (bytes written one after another, so a bomb never sits in memory whole)."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename != "word/document.xml":
                dst.writestr(info.filename, body)
                continue
            head, tail = body.split(b"<w:body>", 1)
            tail = tail[tail.index(b"<w:sectPr") :] if b"<w:sectPr" in tail else b"</w:body></w:document>"
            part = zipfile.ZipInfo(info.filename)
            part.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(part, "w", force_zip64=megabytes_hint > 1000) as f:
                f.write(head + b"<w:body>")
                for chunk in body_chunks:
                    f.write(chunk)
                f.write(tail)
    return out.getvalue()


def docx_bomb(megabytes: int = 300) -> bytes:
    """A Word file whose document inflates to ``megabytes`` MB of empty paragraphs."""
    para = b"<w:p/>" * ((1 << 20) // 6)
    return _docx_with_body((para for _ in range(megabytes)), megabytes)


def docx_elements(megabytes: int = 100) -> bytes:
    """A Word file under the size bound whose document holds some 17 million elements."""
    return docx_bomb(megabytes)


def docx_spans(rows: int = 1000, span: int = 1000) -> bytes:
    """A Word table of ``rows`` rows, each one cell spanning ``span`` grid columns (22 KB)."""
    row = (
        f'<w:tr><w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc></w:tr>'
    ).encode()
    return _docx_with_body([b"<w:tbl>" + row * rows + b"</w:tbl>"])


def html_spans(rows: int = 300) -> bytes:
    """A web page whose table cells span ``rowspan=65534 colspan=1000`` (memory as the square of the rows)."""
    cell = '<td rowspan="65534" colspan="1000">x</td>'
    body = "".join(f"<tr>{cell * 2}</tr>" for _ in range(rows))
    return f"<html><body><table>{body}</table></body></html>".encode()


def xls_merged(block: list[str] = kit.DECL1) -> bytes:
    """An .xls whose one merged range covers the whole sheet (65,536 rows by 256 columns)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Sheet1")
    for r, line in enumerate(block):
        for c, text in enumerate(line.split("\t")):
            if text:
                ws.write(r, c, text)
    ws._Worksheet__merged_ranges.append((0, 65535, 0, 255))  # the range alone, no blank cells
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def xlsx_strings(count: int = 7_000_000) -> bytes:
    """A workbook whose shared-strings part holds ``count`` empty strings (some 300 KB on disk)."""
    base = kit.to_workbook({"Sheet1": _sheet_rows(kit.DECL1)})
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "xl/sharedStrings.xml":
                continue
            body = src.read(info.filename)
            if info.filename == "[Content_Types].xml" and b"sharedStrings" not in body:
                body = body.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            if info.filename == "xl/_rels/workbook.xml.rels" and b"sharedStrings" not in body:
                body = body.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            dst.writestr(info.filename, body)
        with dst.open("xl/sharedStrings.xml", "w") as f:
            f.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            chunk = b"<si><t/></si>" * 100_000
            for _ in range(count // 100_000):
                f.write(chunk)
            f.write(b"</sst>")
    return out.getvalue()


def many_fields(cells: int = 400_000) -> bytes:
    """One text line of ``cells`` ``项目名称：`` cells: as many missing-field errors, unfolded."""
    return ("\t".join(["项目名称："] * cells) + "\n").encode()


def junk_tail(lines: int = 300_000, year: int = 2031) -> bytes:
    """A good declaration followed by ``lines`` lines of junk: over the row bound, yet the
    declaration before the bound is kept."""
    return (kit.join(kit.with_year(kit.DECL1, year)) + "x\n" * lines).encode()


def make_round_two(folder: Path) -> dict[str, str]:
    """Write the hostile files of the second round into ``folder``; name -> a code it must give."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "bomb.docx": (docx_bomb(), "file-too-large"),
        "elements.docx": (docx_elements(), "file-too-large"),
        "spans.docx": (docx_spans(), "file-too-large"),
        "spans.html": (html_spans(), "file-too-large"),
        "merged.xls": (xls_merged(), "file-too-large"),
        "strings.xlsx": (xlsx_strings(), "file-too-large"),
        "fields.txt": (many_fields(), "missing-field"),
        "junk-tail.txt": (junk_tail(), "truncated-file"),
    }
    for name, (data, _code) in files.items():
        (folder / name).write_bytes(data)
    return {name: code for name, (_data, code) in files.items()}


def make_links(folder: Path, outside: Path) -> dict[str, str | None]:
    """Links inside ``folder``: one to a folder outside it (``etc``, as ``etc -> /etc``; it holds
    a good declaration, 2041, that must not be read), one to a file outside named as no
    declaration format (``shadow``, as ``/etc/shadow``; it holds another, 2044), one to a
    declaration file kept outside (2043, read: an analyst's folder of links), and one to a
    file inside (in a hidden folder, so that it is read once, through the link; 2042).
    Returns name -> the code each gives (``None`` for the links that are read)."""
    folder.mkdir(parents=True, exist_ok=True)
    (outside / "private").mkdir(parents=True, exist_ok=True)
    (outside / "private" / "secret.txt").write_text(kit.join(kit.with_year(kit.DECL2, 2041)), "utf-8")
    (outside / "shadow").write_text(kit.join(kit.with_year(kit.DECL2, 2044)), "utf-8")
    (outside / "declaration.txt").write_text(kit.join(kit.with_year(kit.DECL2, 2043)), "utf-8")
    os.symlink(outside / "private", folder / "etc")
    os.symlink(outside / "shadow", folder / "shadow-link")
    os.symlink(outside / "declaration.txt", folder / "elsewhere.txt")
    store = folder / ".store"
    store.mkdir(exist_ok=True)
    (store / "kept.txt").write_text(kit.join(kit.with_year(kit.DECL2, 2042)), "utf-8")
    os.symlink(Path(".store") / "kept.txt", folder / "kept-link.txt")
    return {"etc": "outside-input", "shadow-link": "outside-input", "elsewhere.txt": None, "kept-link.txt": None}


def write_small(folder: Path = HERE) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in small_files().items():
        (folder / name).write_bytes(data)


if __name__ == "__main__":
    write_small()
    print(f"wrote {len(small_files())} files to {HERE}")
