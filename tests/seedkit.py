"""Fixture builders: variants of the real published seed file.

Every fixture of the ingest tests is made here from the seed's own content: re-encoded,
re-laid out, perturbed. ``DECL1`` and ``DECL2`` are the seed's two declarations as lists of
lines (each line a tab-separated row), exactly as published.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "000_bd3c41999dbba456.txt"
TEXT = SEED.read_text("utf-8")
LINES = TEXT.split("\n")
HEAD = LINES[:2]  # the two blank lines the file starts with
DECL1 = LINES[2:30]  # lines 3-30: title ... last indicator
DECL2 = LINES[31:60]  # lines 32-60
UNIT = "上海市绿化和市容管理局行政服务中心"
P1 = "绿化市容环卫热线运作和受理处置工作经费"
P2 = "全市绿化、市容、环卫、林业诉求处置督查督办"

assert DECL1[0].startswith("财政项目支出绩效目标表") and DECL2[0].startswith("财政项目支出绩效目标表")
assert DECL1[-1].startswith("影响力目标") and DECL2[-1].startswith("影响力目标")


def join(*blocks: list[str], newline: str = "\n") -> str:
    """Blocks of lines into one text, a blank line between blocks, a final newline."""
    lines: list[str] = []
    for b in blocks:
        if lines:
            lines.append("")
        lines.extend(b)
    return newline.join(lines) + newline


def replace(block: list[str], old: str, new: str, count: int = 1) -> list[str]:
    """``block`` with the first ``count`` lines containing ``old`` changed; fails loudly when absent."""
    out, done = [], 0
    for line in block:
        if old in line and done < count:
            line = line.replace(old, new)
            done += 1
        out.append(line)
    assert done, f"{old!r} not in the block"
    return out


def line_index(block: list[str], start: str) -> int:
    return next(i for i, line in enumerate(block) if line.startswith(start))


def write(dirpath: Path, files: dict[str, bytes | str]) -> Path:
    dirpath.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        p = dirpath / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return dirpath


def ingest_files(tmp: Path, files: dict[str, bytes | str], **kw):
    from analysis.ingest import ingest

    return ingest(write(tmp / "raw", files), **kw)


def _plain(v):
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def decl_records(result, drop=("source_file", "source_line")) -> list[dict]:
    """The declarations as plain dicts, sorted by project, without where they came from."""
    d = result.declarations.drop(columns=list(drop)).sort_values("project")
    return [{k: _plain(v) for k, v in r.items()} for r in d.to_dict("records")]


def indicator_records(result, drop=("source_line",)) -> list[dict]:
    d = result.indicators.drop(columns=list(drop)).sort_values(["project", "seq"])
    return [{k: _plain(v) for k, v in r.items()} for r in d.to_dict("records")]


_REFERENCE = None


def reference(tmp_factory):
    """The seed ingested as published: what every faithful variant must give."""
    global _REFERENCE
    if _REFERENCE is None:
        from analysis.ingest import ingest

        raw = tmp_factory.mktemp("reference")
        (raw / SEED.name).write_bytes(SEED.read_bytes())
        r = ingest(raw)
        _REFERENCE = (decl_records(r), indicator_records(r))
    return _REFERENCE


def to_workbook(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> bytes:
    """An .xlsx workbook with one sheet per entry (rows of cell values), optional merged ranges."""
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append([None if c == "" else c for c in row])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # "=99%" is published text, not a formula
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
