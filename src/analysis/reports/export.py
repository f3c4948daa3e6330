"""Export the processed tables and the analysis to one Excel workbook and CSV files.

``python -m analysis export [--processed DIR] [--out DIR]`` writes into OUT:

- ``tables.xlsx``, for analysts: a first sheet ``说明`` (what the workbook holds, a notice when the
  data are synthetic, every sheet with its rows, and every column with its heading, format and
  meaning), then one sheet per table (:data:`SHEETS`: 申报表, 指标, 数据问题 and, computed with
  ``analysis.metrics``, 执行率, 目标变化汇总, 目标变化, 项目更名, 目标历史 (one row per indicator
  and declared year, followed across years by ``indicator_key``), 预算与目标, 目标审核, 指标库, 同类位置).  Sheet names and
  column headings are Chinese and come from the column registry (:mod:`analysis.tables`), as do
  the number formats: money in 元 ``#,##0``, rates ``0.0%``, dates ``yyyy-mm-dd``.  Each sheet has
  its header frozen, an autofilter and column widths fitted to its content; the change words,
  severities and yes/no flags are written in Chinese.  A table longer than an Excel sheet
  continues on ``NAME_2``...; one of more than ``max_workbook_rows`` rows (default 100,000) is
  left out of the workbook and only written as CSV (``说明`` says which).  Text is stored as
  text (a target ``=99%`` stays the string ``=99%``, never a formula); characters XML cannot hold
  (control characters, U+FFFE, U+FFFF, lone surrogates) are dropped.
- ``NAME.csv`` for each table (the English names of :data:`SHEETS`), for programs: column names
  as in the Parquet tables, values as in the data, UTF-8 with a byte-order mark.  A text cell
  Excel would take for a formula (starting with ``=``, ``+``, ``-``, ``@``) gets a leading ``'``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pandas as pd

from analysis import tables
from analysis.arguments import number
from analysis.messages import _
from analysis.paths import expand
from analysis.tables import SHEETS, read_table

WORKBOOK = "tables.xlsx"
EXCEL_MAX_ROWS = 1_048_575  # rows below the header
EXCEL_MAX_CELL = 32_767
#: tables longer than this go to CSV only (``--max-workbook-rows``)
WORKBOOK_MAX_ROWS = 100_000
#: what XML 1.0 (and so a .xlsx) cannot hold: C0 controls but tab/newline/return, surrogates, U+FFFE/U+FFFF
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Excel number format per registry format
NUMBER_FORMATS = {"money": "#,##0", "rate": "0.0%", "int": "0", "year": "0", "number": "General", "date": "yyyy-mm-dd"}
#: similarity scores, shown and stored with one decimal (名称相似度 87.5, not 87.49999999); the
#: other numbers (a target's value) are kept as they are
SCORES = ("score", "match_score")
SCORE_DECIMALS = 1
_FORMAT_WORDS = {
    "money": "金额（元）",
    "rate": "百分比",
    "int": "整数",
    "year": "年份",
    "number": "数值",
    "date": "日期",
    "flag": "是/否",
    "text": "文字",
    "prose": "长文字",
}


def metric_tables(
    decl: pd.DataFrame, ind: pd.DataFrame, problems: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """The analysis tables, by table name (those that could be computed; a failure is printed
    and costs only its own table)."""
    from analysis import metrics
    from analysis.metrics import identity
    from analysis.metrics.summaries import change_counts, changes_for_report

    out: dict[str, pd.DataFrame] = {}

    def attempt(name, make):
        try:
            out[name] = make()
        except Exception as exc:  # a metric that fails must not cost the table export
            print(f"export: {name} skipped: {type(exc).__name__}: {exc}", file=sys.stderr)

    attempt("execution_rates", lambda: metrics.execution_rates(decl, by=("unit", "year")))
    changes = None
    try:
        changes = changes_for_report(ind, decl)
    except Exception as exc:
        print(f"export: target changes skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
    if changes is not None:
        attempt("change_summary", lambda: change_counts(changes, by=["unit", "to_year"]))
        attempt(
            "target_changes",
            lambda: (
                changes[changes["change"] != "unchanged"]
                .sort_values(["unit", "to_year", "project", "change"], kind="stable")
                .reset_index(drop=True)
            ),
        )
        attempt("budget_vs_targets", lambda: metrics.budget_vs_targets(decl, changes))
        attempt("project_budget_vs_targets", lambda: metrics.project_budget_vs_targets(decl, changes))
        attempt("target_history", lambda: metrics.target_history(ind, decl, changes=changes))
        attempt("review", lambda: metrics.review(decl, ind, changes=changes, problems=problems))
    attempt("renames", lambda: identity.renames(decl).assign(match="fuzzy"))
    attempt("indicator_library", lambda: metrics.indicator_library(ind, decl))
    attempt("peer_position", lambda: metrics.peer_position(ind, decl))
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


def clean_text(value: str) -> str:
    """``value`` without the characters a workbook cannot hold, cut to Excel's cell limit."""
    value = _ILLEGAL.sub("", value)
    if len(value) > EXCEL_MAX_CELL:
        value = value[: EXCEL_MAX_CELL - 1] + "…"
    return value


def _excel_value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, str):
        return clean_text(value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value


def _width(values: pd.Series, heading: str) -> float:
    """A column width in Excel's units: CJK characters count two, at most 60."""

    def w(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    sample = values.dropna().astype(str).head(500)
    longest = int(sample.map(w).quantile(0.95)) if len(sample) else 0
    return float(min(60, max(w(heading) + 2, longest + 2, 6)))


def _display(frame: pd.DataFrame) -> pd.DataFrame:
    """The words the reports use: change words, severities, match kinds, place sources and flags in Chinese."""
    from analysis import problems
    from analysis.reports.html import VALUE_WORDS, value_word

    out = frame.copy()
    for col in VALUE_WORDS:
        if col in out:
            out[col] = out[col].map(lambda v, c=col: value_word(c, v)).astype(object)
    for col in out.columns:
        if col in tables.ALL and tables.ALL[col].format == "flag":
            out[col] = (
                out[col]
                .map(lambda v: None if v is None or v is pd.NA or v != v else ("是" if v else "否"))
                .astype(object)
            )
    if "code" in out and "code_meaning" in out.columns:
        out["code_meaning"] = out["code"].map(problems.chinese)
    if "code" in out and "message" in out.columns:  # the details in Chinese; the CSV keeps the original
        files = out["source_file"] if "source_file" in out else pd.Series(None, index=out.index)
        out["message"] = [problems.chinese_message(c, m, f) for c, m, f in zip(out["code"], out["message"], files)]
    return out


def _column(table: str, name: str) -> tables.Column:
    for c in tables.TABLE_COLUMNS.get(table, []):
        if c.name == name:
            return c
    return tables.ALL[name]


def sheet_frame(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``table`` the workbook shows, in order."""
    _sheet, cols = SHEETS[table]
    if table == "problems" and "code_meaning" not in frame:
        frame = frame.assign(code_meaning=None)
    if cols is None:
        return frame
    return frame[[c for c in cols if c in frame.columns]]


def write_sheet(wb, title: str, table: str, frame: pd.DataFrame) -> None:
    """One table as a sheet: Chinese headings, number formats, widths, frozen header, autofilter."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    shown = _display(sheet_frame(table, frame))
    cols = [_column(table, c) for c in shown.columns]
    headings = [c.heading + ("（元）" if c.format == "money" else "") for c in cols]
    rounded = [c.name in SCORES for c in cols]
    formats = ["0.0" if r else NUMBER_FORMATS.get(c.format) for c, r in zip(cols, rounded)]
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F2F2F2")
    wrap = Alignment(vertical="top")
    chunks = [shown.iloc[i : i + EXCEL_MAX_ROWS] for i in range(0, max(len(shown), 1), EXCEL_MAX_ROWS)]
    for n, chunk in enumerate(chunks, start=1):
        ws = wb.create_sheet(title if n == 1 else f"{title}_{n}"[:31])
        for i, (c, h) in enumerate(zip(shown.columns, headings), start=1):
            ws.column_dimensions[get_column_letter(i)].width = (
                _width(shown[c], h) if tables.ALL.get(c, cols[i - 1]).format != "prose" else 40
            )
        ws.freeze_panes = "A2"
        last = get_column_letter(max(1, len(cols)))
        ws.auto_filter.ref = f"A1:{last}{len(chunk) + 1}"
        header = []
        for h in headings:
            cell = WriteOnlyCell(ws, value=h)
            cell.font, cell.fill = bold, fill
            header.append(cell)
        ws.append(header)
        for row in chunk.itertuples(index=False, name=None):
            cells = []
            for value, fmt, rnd in zip(row, formats, rounded):
                value = _excel_value(value)
                if rnd and isinstance(value, float):
                    value = round(value, SCORE_DECIMALS)
                if isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"  # text, never a formula
                    cells.append(cell)
                elif fmt and value is not None and not isinstance(value, str):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = fmt
                    cell.alignment = wrap
                    cells.append(cell)
                else:
                    cells.append(value)
            ws.append(cells)


def _about(sheets: dict[str, pd.DataFrame], in_workbook: set[str], max_rows: int, synthetic: bool) -> list[list]:
    rows: list[list] = [["财政项目支出绩效目标：数据表与分析结果"]]
    if synthetic:
        rows.append(
            [
                "注意：本工作簿包含合成（虚构）数据（来源文件位于 synthetic/），由 python -m analysis generate 生成，"
                "仅用于测试和演示，不是真实的预算申报。"
            ]
        )
    rows += [
        [
            "金额单位为元（格式 #,##0）；比率为小数，按百分比显示（0.0%）；“变化”一列的含义：收紧＝目标更严格，放松＝更宽松，"
            "改写＝无法判断宽严，新增／删除＝指标只在新／旧年度出现；框架调整＝因指标框架切换而出现或消失（不计为新增或删除）。"
        ],
        [],
        ["工作表", "表", "行数", "位置"],
    ]
    for name, frame in sheets.items():
        sheet = SHEETS[name][0]
        where = (
            f"本工作簿的“{sheet}”工作表及 {name}.csv"
            if name in in_workbook
            else f"仅 {name}.csv（超过 {max_rows:,} 行，未放入工作簿）"
        )
        rows.append([sheet, name, len(frame), where])
    rows += [[], ["工作表", "列标题", "列名（CSV 与 Parquet）", "格式", "含义"]]
    for name, frame in sheets.items():
        for col in sheet_frame(name, frame).columns:
            c = _column(name, col)
            rows.append(
                [
                    SHEETS[name][0],
                    c.heading + ("（元）" if c.format == "money" else ""),
                    c.name,
                    _FORMAT_WORDS.get(c.format, c.format),
                    tables.MEANINGS.get(c.name) or c.heading,
                ]
            )
    return rows


def write_workbook(
    sheets: dict[str, pd.DataFrame], path: Path, max_rows: int = WORKBOOK_MAX_ROWS, synthetic: bool = False
) -> Path:
    """The workbook (openpyxl write-only): ``说明`` first, then the tables of at most ``max_rows`` rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    in_workbook = {n for n, f in sheets.items() if len(f) <= max_rows}
    about = wb.create_sheet("说明")
    for letter, width in zip("ABCDE", (16, 26, 26, 14, 100)):
        about.column_dimensions[letter].width = width
    for i, row in enumerate(_about(sheets, in_workbook, max_rows, synthetic)):
        cells = []
        for value in row:
            cell = WriteOnlyCell(about, value=_excel_value(value))
            if i == 0 or (synthetic and i == 1) or (row and row[0] == "工作表"):
                cell.font = Font(
                    bold=True, color="C0392B" if synthetic and i == 1 else "000000", size=13 if i == 0 else 11
                )
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
            cells.append(cell)
        about.append(cells)
    for name, frame in sheets.items():
        if name in in_workbook:
            write_sheet(wb, SHEETS[name][0], name, frame)
    tmp = path.with_suffix(".xlsx.tmp")
    wb.save(tmp)
    os.replace(tmp, path)
    return path


def export_tables(processed, out, max_workbook_rows: int = WORKBOOK_MAX_ROWS) -> list[Path]:
    """Write the workbook and the CSV files into ``out``; returns their paths (workbook first)."""
    from analysis.metrics.identity import tell_units_apart, unit_names
    from analysis.problems import chinese

    processed, out = expand(processed), expand(out)
    out.mkdir(parents=True, exist_ok=True)

    decl = read_table(processed, "declarations")
    names = unit_names(decl)  # a name two units in different places share: shown with each one's place
    decl = tell_units_apart(decl, names)
    ind = tell_units_apart(read_table(processed, "indicators"), names)
    prob = read_table(processed, "problems")
    prob = prob.assign(code_meaning=prob["code"].map(chinese))
    sheets = {"declarations": decl, "indicators": ind, "problems": prob, **metric_tables(decl, ind, prob)}
    synthetic = bool(decl["source_file"].astype("string").str.startswith("synthetic/").fillna(False).any())
    written = [write_workbook(sheets, out / WORKBOOK, max_workbook_rows, synthetic)]
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
    parser.add_argument("--processed", default="data/processed", metavar=_("meta.dir"), help=_("opt.processed"))
    parser.add_argument("--out", default="reports/tables", metavar=_("meta.dir"), help=_("export.out"))
    parser.add_argument(
        "--max-workbook-rows",
        type=number("number.rows", 1_048_575, integer=True),
        default=WORKBOOK_MAX_ROWS,
        metavar="N",
        help=_("export.max_rows", n=WORKBOOK_MAX_ROWS),
    )


def run(args) -> int:
    processed = Path(args.processed)
    if not (processed / "declarations.parquet").exists():
        print(_("error.no_tables", processed=processed), file=sys.stderr)
        return 2
    try:
        written = export_tables(processed, args.out, args.max_workbook_rows)
    except OSError as exc:  # a read-only or missing output folder, a full disk: one line, no traceback
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(_("error.cannot_write_tables", out=args.out, error=f"{exc.strerror or exc}{where}"), file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
