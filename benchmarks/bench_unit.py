"""One unit's report on a small and on a large corpus that hold the same unit's declarations."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.harness import PYTHON, Report, Result, check, median, run_measured

RATIO_GOAL = 1.5


def row_groups_read(path: Path, column: str, value) -> dict:
    """How much of a Parquet file a filter ``column == value`` has to read.

    pyarrow skips a row group only when its min/max statistics exclude the value; every other
    row group is read whole (all the columns asked for) and filtered afterwards.
    """
    import pyarrow.parquet as pq

    md = pq.ParquetFile(path).metadata
    idx = md.schema.to_arrow_schema().get_field_index(column)
    total = touched = 0
    bytes_total = bytes_touched = 0
    for i in range(md.num_row_groups):
        rg = md.row_group(i)
        size = sum(rg.column(j).total_compressed_size for j in range(rg.num_columns))
        bytes_total += size
        total += 1
        st = rg.column(idx).statistics
        if st is None or not st.has_min_max or (st.min <= value <= st.max):
            touched += 1
            bytes_touched += size
    return {
        "row_groups": total,
        "row_groups_read": touched,
        "rows": md.num_rows,
        "mb": round(bytes_total / 1e6, 1),
        "mb_read": round(bytes_touched / 1e6, 1),
    }


def pick_unit(small: Path) -> str:
    """The unit with the most declarations in the small corpus."""
    from analysis.tables import read_table

    decl = read_table(small, "declarations", columns=["unit"])
    return decl["unit"].value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]


def run(small: Path, large: Path, work: Path, repeats: int, report: Report, log=print) -> None:
    unit = pick_unit(small)
    log(f"unit report: {unit} on both corpora, {repeats} run(s) each ...")
    out = work / "unit-runs"
    out.mkdir(parents=True, exist_ok=True)
    r = check(
        run_measured([PYTHON, "-m", "benchmarks.nbruns", "unit", str(out), unit, str(repeats), str(small), str(large)]),
        "the unit report runs",
    )
    data = json.loads(r.stdout.strip().splitlines()[-1])
    t_small, t_large = median(data["render_seconds"][str(small)]), median(data["render_seconds"][str(large)])
    l_small, l_large = median(data["load_seconds"][str(small)]), median(data["load_seconds"][str(large)])
    rows_small, rows_large = data["rows"][str(small)], data["rows"][str(large)]
    reads = {name: row_groups_read(large / f"{name}.parquet", "unit", unit) for name in ("declarations", "indicators")}

    def n_decl(p: Path) -> int:
        import pyarrow.parquet as pq

        return pq.ParquetFile(p / "declarations.parquet").metadata.num_rows

    report.details["unit_report"] = {
        "unit": unit,
        "declarations_small": n_decl(small),
        "declarations_large": n_decl(large),
        "render_seconds": data["render_seconds"],
        "load_unit_seconds": data["load_seconds"],
        "rows_small": rows_small,
        "rows_large": rows_large,
        "large_reads": reads,
    }
    same = rows_small == rows_large
    report.add(
        Result(
            f"unit report on {n_decl(large):,} / {n_decl(small):,} declarations",
            t_large / t_small,
            RATIO_GOAL,
            detail=f"{t_large:.1f} s vs {t_small:.1f} s" + ("" if same else "; the unit's rows DIFFER"),
        ),
        Result(
            "  of which load_unit (the reads)",
            l_large / l_small,
            None,
            detail=f"{l_large:.2f} s vs {l_small:.3f} s; row groups read: "
            + ", ".join(
                f"{k} {v['row_groups_read']}/{v['row_groups']} ({v['mb_read']}/{v['mb']} MB)" for k, v in reads.items()
            ),
        ),
    )
