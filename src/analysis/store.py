"""Schemas of the processed tables, and how they are written and read.

The three tables are Parquet files with a fixed Arrow schema, so that a column never
changes type between runs (an all-null column is still a float or a string column).
Writes are atomic: the tables go to a temporary folder beside the target, which then
replaces the previous tables in one step, so a run that fails leaves the old tables intact.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

DECLARATIONS_SCHEMA = pa.schema(
    [
        ("decl_id", pa.string()),
        ("year", pa.int32()),
        ("unit", pa.string()),
        ("project", pa.string()),
        ("category", pa.string()),
        ("perf_type", pa.string()),
        ("gov_purchase", pa.bool_()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("total_budget", pa.float64()),
        ("year_budget", pa.float64()),
        ("prior_budget", pa.float64()),
        ("prior_executed", pa.float64()),
        ("prior_execution_rate", pa.float64()),
        ("overview", pa.string()),
        ("basis", pa.string()),
        ("necessity", pa.string()),
        ("measures", pa.string()),
        ("plan", pa.string()),
        ("goals", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int32()),
    ]
)

INDICATORS_SCHEMA = pa.schema(
    [
        ("decl_id", pa.string()),
        ("year", pa.int32()),
        ("unit", pa.string()),
        ("project", pa.string()),
        ("seq", pa.int32()),
        ("level1", pa.string()),
        ("level2", pa.string()),
        ("name", pa.string()),
        ("level1_std", pa.string()),
        ("target_raw", pa.string()),
        ("op", pa.string()),
        ("value", pa.float64()),
        ("value_hi", pa.float64()),
        ("value_unit", pa.string()),
        ("kind", pa.string()),
        ("source_line", pa.int32()),
    ]
)

PROBLEMS_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_line", pa.int32()),
        ("severity", pa.string()),
        ("code", pa.string()),
        ("message", pa.string()),
        ("decl_id", pa.string()),
    ]
)

SCHEMAS = {
    "declarations": DECLARATIONS_SCHEMA,
    "indicators": INDICATORS_SCHEMA,
    "problems": PROBLEMS_SCHEMA,
}


def to_table(rows: list[dict] | pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """Build an Arrow table with exactly ``schema`` from dict rows or a DataFrame."""
    if isinstance(rows, pd.DataFrame):
        frame = rows
        columns = {name: frame[name].tolist() if name in frame else [None] * len(frame) for name in schema.names}
        return pa.table(columns, schema=schema)
    return pa.Table.from_pylist(list(rows), schema=schema)


def empty_frame(name: str) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of table ``name``."""
    return SCHEMAS[name].empty_table().to_pandas()


def write_tables(tables: dict[str, pa.Table], out_dir: str | os.PathLike) -> Path:
    """Write ``{name: table}`` as ``name.parquet`` into ``out_dir``, atomically.

    Files in ``out_dir`` that are not ours are left alone; ours are replaced only
    once every table has been written completely.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".ingest-", dir=out))
    try:
        for name, table in tables.items():
            pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
        for name in tables:
            os.replace(staging / f"{name}.parquet", out / f"{name}.parquet")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


@dataclass
class Dataset:
    """The processed tables, as pandas DataFrames."""

    declarations: pd.DataFrame
    indicators: pd.DataFrame
    problems: pd.DataFrame
    processed_dir: Path | None = None

    def __repr__(self) -> str:
        return (
            f"Dataset({len(self.declarations)} declarations, {len(self.indicators)} indicators, "
            f"{len(self.problems)} problems, from {self.processed_dir})"
        )


def read_table(processed_dir: str | os.PathLike, name: str, columns=None, filters=None) -> pd.DataFrame:
    """Read one processed table; ``columns`` and ``filters`` are passed to pyarrow."""
    path = Path(processed_dir) / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist: run `python -m analysis ingest` first to build the processed tables"
        )
    table = pq.read_table(path, columns=columns, filters=filters)
    return table.to_pandas()


def load(processed_dir: str | os.PathLike = "data/processed") -> Dataset:
    """Load the three processed tables from ``processed_dir``."""
    d = Path(processed_dir)
    return Dataset(
        declarations=read_table(d, "declarations"),
        indicators=read_table(d, "indicators"),
        problems=read_table(d, "problems"),
        processed_dir=d,
    )
