"""Export the processed tables to one Excel workbook and CSV files.

``python -m analysis export [--processed DIR] [--out DIR]`` writes into OUT:

- ``tables.xlsx``: one sheet per table (``declarations``, ``indicators``, ``problems``) and,
  computed with ``analysis.metrics``, ``execution_rates`` (per unit and year) and
  ``change_summary`` (target changes per unit and year).  A table longer than an Excel sheet
  continues on ``NAME_2``, ``NAME_3``...  A table of more than ``max_workbook_rows`` rows
  (default 100,000; writing it through openpyxl would take minutes) is left out of the
  workbook and only written as CSV; the ``说明`` sheet says which.  Text is stored as text: a target such as ``=99%``
  stays the string ``=99%`` and is never read as a formula.
- ``NAME.csv`` for each of those tables: UTF-8 with a byte-order mark, so Excel shows the
  Chinese correctly.  A text cell that Excel would take for a formula (starting with ``=``,
  ``+``, ``-``, ``@``) is written with a leading ``'``, which Excel shows as plain text;
  read the workbook or the Parquet tables when the exact string matters to a program.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pandas as pd

from analysis.tables import read_table

WORKBOOK = "tables.xlsx"
EXCEL_MAX_ROWS = 1_048_575  # rows below the header
EXCEL_MAX_CELL = 32_767
#: tables longer than this go to CSV only (``--max-workbook-rows``)
WORKBOOK_MAX_ROWS = 100_000
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def metric_tables(decl: pd.DataFrame, ind: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The summaries computed by ``analysis.metrics`` (those available), by sheet name."""
    from analysis import metrics

    out: dict[str, pd.DataFrame] = {}
    if hasattr(metrics, "execution_rates"):
        try:
            out["execution_rates"] = metrics.execution_rates(decl, by=("unit", "year"))
        except Exception as exc:  # a metric that fails must not cost the table export
            print(f"export: execution_rates skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
    if hasattr(metrics, "target_changes") and hasattr(metrics, "change_summary"):
        try:
            out["change_summary"] = metrics.change_summary(metrics.target_changes(ind, decl), by=("unit", "to_year"))
        except Exception as exc:
            print(f"export: change_summary skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
    return out


def _csv_safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    text_cols = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    safe = frame.copy()
    for c in text_cols:
        safe[c] = safe[c].map(_csv_safe)
    tmp = path.with_suffix(".csv.tmp")
    safe.to_csv(tmp, index=False, encoding="utf-8-sig")
    os.replace(tmp, path)
    return path


def _excel_value(value):
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        if len(value) > EXCEL_MAX_CELL:
            value = value[: EXCEL_MAX_CELL - 1] + "…"
    return value


def write_workbook(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    """One workbook, streamed (openpyxl write-only); strings are always stored as strings."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for name, frame in sheets.items():
        chunks = [frame.iloc[i : i + EXCEL_MAX_ROWS] for i in range(0, max(len(frame), 1), EXCEL_MAX_ROWS)]
        for n, chunk in enumerate(chunks, start=1):
            ws = wb.create_sheet(name if n == 1 else f"{name}_{n}"[:31])
            ws.append([str(c) for c in frame.columns])
            for row in chunk.itertuples(index=False, name=None):
                cells = []
                for value in row:
                    value = _excel_value(value)
                    if isinstance(value, str) and value.startswith("="):
                        cell = WriteOnlyCell(ws, value=value)
                        cell.data_type = "s"
                        cells.append(cell)
                    else:
                        cells.append(value)
                ws.append(cells)
    tmp = path.with_suffix(".xlsx.tmp")
    wb.save(tmp)
    os.replace(tmp, path)
    return path


def export_tables(processed, out, max_workbook_rows: int = WORKBOOK_MAX_ROWS) -> list[Path]:
    """Write the workbook and the CSV files into ``out``; returns their paths (workbook first).

    Every table goes to CSV; the workbook holds those of at most ``max_workbook_rows`` rows,
    and a first sheet ``说明`` lists every table, its rows, and where it is."""
    processed, out = Path(processed), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    decl = read_table(processed, "declarations")
    ind = read_table(processed, "indicators")
    prob = read_table(processed, "problems")
    sheets = {"declarations": decl, "indicators": ind, "problems": prob, **metric_tables(decl, ind)}
    in_workbook = {n: f for n, f in sheets.items() if len(f) <= max_workbook_rows}
    about = pd.DataFrame({
        "表": list(sheets),
        "行数": [len(f) for f in sheets.values()],
        "位置": [f"本工作簿的 {n} 工作表及 {n}.csv" if n in in_workbook
                 else f"仅 {n}.csv（超过 {max_workbook_rows:,} 行，未放入工作簿）" for n in sheets],
    })
    written = [write_workbook({"说明": about, **in_workbook}, out / WORKBOOK)]
    for name, frame in sheets.items():
        written.append(write_csv(frame, out / f"{name}.csv"))
    return written


def export_cached(processed, out, key: str) -> list[Path]:
    """:func:`export_tables` unless ``out`` already holds an export made under the same ``key``."""
    out = Path(out)
    stamp = out / ".export.json"
    try:
        saved = json.loads(stamp.read_text(encoding="utf-8"))
        files = [out / f for f in saved["files"]]
        if saved.get("key") == key and all(f.exists() for f in files):
            return files
    except (OSError, ValueError, KeyError, TypeError):
        pass
    files = export_tables(processed, out)
    stamp.write_text(json.dumps({"key": key, "files": [f.name for f in files]}), encoding="utf-8")
    return files


def add_arguments(parser):
    parser.add_argument("--processed", default="data/processed", help="folder with the processed tables (default: data/processed)")
    parser.add_argument("--out", default="reports/tables", help="output folder (default: reports/tables)")
    parser.add_argument("--max-workbook-rows", type=int, default=WORKBOOK_MAX_ROWS, metavar="N",
                        help=f"tables longer than N rows go to CSV only (default: {WORKBOOK_MAX_ROWS:,})")


def run(args) -> int:
    processed = Path(args.processed)
    if not (processed / "declarations.parquet").exists():
        print(f"{processed}/declarations.parquet not found: run `python -m analysis ingest` first", file=sys.stderr)
        return 2
    for path in export_tables(processed, args.out, args.max_workbook_rows):
        print(path)
    return 0
