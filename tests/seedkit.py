"""Fixture builders: variants of the real published seed file, and a small processed dataset.

Every fixture of the ingest tests is made here from the seed's own content: re-encoded,
re-laid out, perturbed. ``DECL1`` and ``DECL2`` are the seed's two declarations as lists of
lines (each line a tab-separated row), exactly as published.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from analysis.ids import decl_id
from analysis.tables import to_table

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


def with_year(block: list[str], year: int) -> list[str]:
    """The declaration moved to another year: header, heading, planned dates."""
    return [
        line.replace("(2020年度)", f"({year}年度)")
        .replace("2020年绩效目标", f"{year}年绩效目标")
        .replace("2020-01-01", f"{year}-01-01")
        .replace("2020-12-31", f"{year}-12-31")
        for line in block
    ]


def fixture_set() -> tuple[dict[str, bytes | str], dict]:
    """A folder of published-style files, well-formed and broken, and what ingest must report.

    Returns ``(files, expected)`` with ``expected`` holding the ledger and the problem codes
    with their counts, each worked out from how the files were made.
    """
    import codecs
    import random

    files: dict[str, bytes | str] = {}
    # 2 declarations, the seed as published (its row 58 arrives shifted)
    files["2020/seed.txt"] = SEED.read_bytes()
    # the same 2 declarations again, as Excel's "Unicode text" (UTF-16 LE with BOM, CRLF)
    files["2020/copy/seed_unicode.txt"] = codecs.BOM_UTF16_LE + TEXT.replace("\n", "\r\n").encode("utf-16-le")
    # DECL1 of 2021 in GBK, the header once for it and DECL2 of 2021 (2 new declarations)
    d1, d2 = with_year(DECL1, 2021), with_year(DECL2, 2021)
    files["2021/unit_gbk.txt"] = join(d1, d2[3:]).encode("gbk")
    # DECL2 of 2021 again with a different target: a conflict
    files["2021/revised.txt"] = join(replace(d2, ">=8500个", ">=9000个"))
    # DECL1 of 2019, cut off inside the indicator table (mid-row)
    d19 = with_year(DECL1, 2019)
    cut = d19[: line_index(d19, "效果目标")] + ["效果目标\t社会效益\t对保障绿化"]
    files["broken/truncated.txt"] = "\n".join(cut)
    # DECL1 of 2018 with an operator and no number
    files["broken/no_number.txt"] = join(replace(with_year(DECL1, 2018), "人员聘用完成率\t>=90%", "人员聘用完成率\t>="))
    # a declaration without its project name: dropped, and said so
    files["broken/no_project.txt"] = join(replace(with_year(DECL2, 2017), f"项目名称：\t{P2}", "项目名称：\t"))
    # DECL1 of 2022 with every sanity warning
    d22 = with_year(DECL1, 2022)
    d22 = replace(d22, "项目当年预算（元）：\t1,406,400", "项目当年预算（元）：\t1,506,400")  # above the total
    d22 = replace(d22, "同名项目上年预算执行数（元）：\t1,296,100", "同名项目上年预算执行数（元）：\t1,396,100")
    d22 = replace(d22, "派遣人员合格率\t>=90%", "派遣人员合格率\t>=190%")
    d22 = replace(d22, "计划完成日期：\t2022-12-31", "计划完成日期：\t2021-12-31")  # ends before it starts
    d22 = replace(d22, "预算经费为140.64万元", "预算经费为160.64万元")  # disagrees with both figures
    files["sanity/2022.txt"] = join(d22)
    # files with no declaration
    files["broken/binary.txt"] = random.Random(3).randbytes(4000)
    files["broken/notes.txt"] = "附件说明\n本文件夹收录各单位申报的项目支出绩效目标表，请勿修改。\n联系人：财务科\n"
    files["broken/empty.txt"] = b""
    files["broken/old.doc"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)  # an old Word file: not read, said so
    # not candidates: skipped without a word
    files["README.md"] = "# raw files\n"
    files[".hidden/seed.txt"] = SEED.read_bytes()

    expected = {
        "files": 12,
        "files_skipped": 2,
        # found: 2 + 2 + 2 + 1 + 1 + 1 + 1 + 1
        "declarations_found": 11,
        "declarations": 7,  # seed 2, 2021 2, 2019, 2018, 2022
        "dropped_missing_field": 1,
        "dropped_repeats": 2,
        "dropped_conflicts": 1,
        "indicators": 17 + 17 + 7 + 8 + 8,  # the truncated one: its 6 complete rows and the cut one
        "problems_by_code": {
            "shifted-row": 5,  # seed, its copy, 2021 DECL2 twice (the kept one and its conflict), 2017 DECL2
            "duplicate-declaration": 2,
            "conflicting-declaration": 2,  # both sides reported
            "truncated-table": 1,
            "bad-target": 1,
            "missing-field": 1,
            "year-over-total": 1,
            "executed-over-budget": 1,
            "percent-over-100": 1,
            "dates-outside-year": 1,
            "text-budget-mismatch": 1,
            "undecodable": 1,
            "no-declaration": 1,
            "empty-file": 1,
            "unsupported-format": 1,
        },
    }
    return files, expected


if __name__ == "__main__":  # python tests/seedkit.py OUT_DIR: write the fixture set to look at or ingest
    import json
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "fixture-set")
    files, expected = fixture_set()
    write(out, files)
    print(f"wrote {len(files)} files to {out}; ingest should report:")
    print(json.dumps(expected, ensure_ascii=False, indent=1))


# ---------------------------------------------------------------------------------------------
# a small processed dataset (the seed's unit and projects over three years), written through the
# column registry; the notebook, batch, export, plot and browser tests share it

SEED_UNIT = "上海市绿化和市容管理局行政服务中心"
UNITS = [SEED_UNIT, "上海市水务局执法总队"]
HOSTILE_UNITS = ["<script>alert(1)</script>局", "../../x局", "a/b局"]
HOSTILE_PROJECT = '<img src=x onerror="window.__pwned=1">项目'
YEARS = (2019, 2020, 2021)

# (project, budget in 2019, growth per year, target for 人员聘用完成率 per year)
PROJECTS = [
    ("绿化市容环卫热线运作和受理处置工作经费", 1_296_100.0, 1.085, (">=90%", ">=95%", ">=95%")),
    ("全市绿化、市容、环卫、林业诉求处置督查督办", 800_000.0, 1.0, (">=98%", ">=95%", "=100%")),
]


def _rows(units, synthetic: bool):
    decls, inds, probs = [], [], []
    for u, unit in enumerate(units):
        for y, year in enumerate(YEARS):
            source = f"{'synthetic/' if synthetic else ''}{u:03d}_{year}.txt"
            for p, (project, budget, growth, targets) in enumerate(PROJECTS):
                if unit in HOSTILE_UNITS and p == 1:
                    project = HOSTILE_PROJECT
                did = decl_id(unit, year, project)
                year_budget = round(budget * growth ** (y + 1), 2)
                prior_budget = round(budget * growth**y, 2)
                executed = round(prior_budget * (0.80 + 0.07 * ((u + y + p) % 3)), 2)
                exec_target = 0.99 if p == 0 else 0.95
                line = 1 + 40 * p
                decls.append(
                    dict(
                        decl_id=did,
                        year=year,
                        unit=unit,
                        project=project,
                        category="其他一次性项目",
                        perf_type="其他类",
                        gov_purchase=False,
                        start_date=dt.date(year, 1, 1),
                        end_date=dt.date(year, 12, 31),
                        total_budget=year_budget,
                        year_budget=year_budget,
                        prior_budget=prior_budget,
                        prior_executed=executed,
                        prior_execution_rate=executed / prior_budget,
                        overview=f"本项目由{unit}实施。<script>window.__pwned=1</script>",
                        basis="《上海市人民政府关于做好“12345”市民服务热线工作的意见》",
                        necessity="",
                        measures="",
                        plan="",
                        goals="",
                        source_file=source,
                        source_line=line,
                        exec_target=exec_target,
                        exec_target_op="=" if p == 0 else ">=",
                        n_indicators=5 + (y == 2),
                    )
                )
                exec_raw = "=99%" if p == 0 else ">=95%"
                indicator_rows = [
                    ("投入与管理", "财务管理", "预算执行率", exec_raw, "quantitative"),
                    ("产出目标", "数量", "人员聘用完成率", targets[y], "quantitative"),
                    ("产出目标", "质量", "派遣人员合格率", ">=90%", "quantitative"),
                    ("产出目标", "时效", "派遣人员到岗及时性", "及时", "qualitative"),
                    ("效果目标", "社会效益", "对保障热线运行的作用", "有效保障", "qualitative"),
                ]
                if y == 2:
                    indicator_rows.append(("影响力目标", "长效管理", "项目的可持续性", "可持续", "qualitative"))
                for seq, (l1, l2, name, raw, kind) in enumerate(indicator_rows, start=1):
                    op = value = unit_ = None
                    if kind == "quantitative":
                        op = ">=" if raw.startswith(">=") else "="
                        value = float(raw.lstrip(">=").rstrip("%"))
                        unit_ = "%"
                    inds.append(
                        dict(
                            decl_id=did,
                            year=year,
                            unit=unit,
                            project=project,
                            seq=seq,
                            level1=l1,
                            level2=l2,
                            name=name,
                            level1_std={
                                "投入与管理": "投入管理",
                                "产出目标": "产出",
                                "效果目标": "效益",
                                "影响力目标": "影响力",
                            }[l1],
                            target_raw=raw,
                            op=op,
                            value=value,
                            value_hi=None,
                            value_unit=unit_,
                            kind=kind,
                            source_line=line + 20 + seq,
                        )
                    )
            probs.append(
                dict(
                    source_file=source,
                    source_line=7,
                    severity="warning",
                    code="text-budget-mismatch",
                    message=f"{source}:7: 项目当年预算与项目总预算不一致 <b>{unit}</b>",
                    decl_id=None,
                )
            )
    return decls, inds, probs


def make_processed(path: Path, hostile: bool = False, synthetic: bool = False, units=None) -> Path:
    """Write a small processed fixture (2 units, or those given, x 3 years x 2 projects) into ``path``."""
    chosen = list(units) if units is not None else UNITS + (HOSTILE_UNITS if hostile else [])
    decls, inds, probs = _rows(chosen, synthetic)
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in (("declarations", decls), ("indicators", inds), ("problems", probs)):
        pq.write_table(to_table(rows, name), path / f"{name}.parquet")
    return path


def with_kinds(processed: Path, lax_unit: str | None = None) -> None:
    """The fixture's indicators with their kinds read from their names; ``lax_unit``'s
    人员聘用完成率 asks ``>=60%`` every year (its peers ask 90-100%)."""
    from analysis import kinds

    ind = pd.read_parquet(processed / "indicators.parquet")
    ind["indicator_kind"] = ind["name"].map(kinds.kind_of)
    if lax_unit is not None:
        hit = (ind["unit"] == lax_unit) & (ind["name"] == "人员聘用完成率")
        ind.loc[hit, ["target_raw", "op", "value"]] = [">=60%", ">=", 60.0]
    ind = ind.astype(object).where(ind.notna(), None)
    pq.write_table(to_table(ind, "indicators"), processed / "indicators.parquet")
