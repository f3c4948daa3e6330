"""What a reader sees is in Chinese: no English word in a rendered report or in the workbook
outside proper names, file names and the identifiers an analyst filters on."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis import problems, tables
from analysis.metrics.rules import RULES
from analysis.reports import batch, export

from seedkit import make_processed, with_kinds

#: ASCII words a reader may meet: names of formats and tools, and units of measure
ALLOWED = {
    "csv",
    "parquet",
    "excel",
    "pdf",
    "word",
    "html",
    "ocr",
    "utf",
    "utf-8",
    "bom",
    "xml",
    "yyyymmdd",
    "jupyter",
    "docx",
    "xlsx",
    "doc",
    "mhtml",
    "txt",
    "fffd",
    "ffff",
}
#: identifiers kept as they are in the workbook (an analyst filters on them): problem codes, rule ids
IDENTIFIERS = set(problems.CHINESE) | {r.id for r in RULES} | set(tables.ALL) | set(tables.SHEETS)

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*")
_FILE = re.compile(r"[\w\-./\\]+\.(?:txt|csv|html?|mhtml|xlsx?|docx?|pdf|json|ipynb)\b|[\w\-]+/[\w\-./]*")
#: a command the reader may type, a name like a file's
_COMMAND = re.compile(r"python -m analysis [a-z]+")


def english_words(text: str) -> list[str]:
    """The ASCII words of ``text`` that are neither file names nor allowed."""
    text = _FILE.sub(" ", _COMMAND.sub(" ", text))
    found = []
    for word in _WORD.findall(text):
        low = word.lower()
        if low in ALLOWED or word in IDENTIFIERS or re.fullmatch(r"U\+?[0-9A-F]{4,6}", word):
            continue
        if re.fullmatch(r"[A-Za-z]", word):  # a single letter: 元/m², A4, x
            continue
        found.append(word)
    return found


def test_the_scan_finds_english_and_lets_names_pass():
    assert english_words("指标行 shifted 1 cell left") == ["shifted", "cell", "left"]
    assert english_words("文件 synthetic/2019/u0001.txt 第 3 行；PDF 与 Excel；quant.vague") == []


def _visible_text(page: str) -> str:
    """The text a reader sees on a report page, without file names (cells of 文件 and 示例) and
    code (the command that made synthetic data)."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<code>.*?</code>", " ", page, flags=re.S)
    page = re.sub(r'<td class="[^"]*col-(?:source_file|example)">.*?</td>', " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


@pytest.mark.slow
def test_rendered_reports_are_in_chinese(tmp_path):
    processed = make_processed(tmp_path / "processed", synthetic=True)
    with_kinds(processed)  # the 指标库's kinds, the unit report's peers and 同类位置 shown too
    out = tmp_path / "reports"
    results = batch.run_batch(processed, out, jobs=2, quiet=True)
    assert {r.status for r in results} == {"rendered"}, [r.error for r in results]
    pages = [Path(r.out_html) for r in results] + [out / "index.html"]
    for page in pages:
        words = english_words(_visible_text(page.read_text(encoding="utf-8")))
        assert not words, f"{page.name}: {sorted(set(words))[:20]}"


def test_the_workbook_is_in_chinese(tmp_path):
    processed = make_processed(tmp_path / "processed", synthetic=True)
    export.export_tables(processed, tmp_path / "tables")
    wb = load_workbook(tmp_path / "tables" / "tables.xlsx", read_only=True)
    # the values the workbook writes itself (the others are the input's own text: names, prose, targets)
    ours = {"severity", "change", "match", "outcome", "code_meaning", "message", "description", "finding"}
    ours |= {"group", "kind", "horizon", "source", "evidence", "op"} | tables.columns_of_format("flag")
    by_heading = {c.heading + ("（元）" if c.format == "money" else ""): c.name for c in tables.ALL.values()}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if ws.title == "说明":
            cells = [str(v) for row in rows for i, v in enumerate(row) if v is not None and i != 2]
        else:
            names = [by_heading.get(h) for h in rows[0]]
            cells = [str(h) for h in rows[0]]
            cells += [str(v) for row in rows[1:] for name, v in zip(names, row) if isinstance(v, str) and name in ours]
        words = [w for c in cells for w in english_words(c)]
        assert not words, f"{ws.title}: {sorted(set(words))[:20]}"


def test_problem_details_are_said_in_chinese():
    cases = {
        (
            "shifted-row",
            "a.txt, line 58: indicator row shifted 1 cell(s) left; read as 产出目标 / 时效 / 完成时间 / 2020年",
        ): ("指标行向左错位 1 格，按“产出目标 / 时效 / 完成时间 / 2020年”读取"),
        ("year-over-total", "a.txt, line 5: 项目当年预算 1,000.00 is above 项目总预算 900.00"): (
            "项目当年预算 1,000.00 元超过项目总预算 900.00 元"
        ),
        ("unreadable-file", "a.docx: not a readable Word file (.docx) (File is not a zip file)"): "文件无法打开或读取",
    }
    for (code, message), expected in cases.items():
        assert problems.chinese_message(code, message, "a.txt") == expected
    assert not english_words(problems.chinese_message("unknown-field", "a.txt, line 3: unknown field '填报人'"))
