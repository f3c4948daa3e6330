"""The processed tables: their schemas, reading and writing them, and the README's lists.

The columns themselves are defined once in :mod:`analysis.columns` (names, types, headings,
meanings) and the computed frames' and sheets' orders in :mod:`analysis.frames`; their names
are importable from here too. Reading a table checks it against its schema
(:func:`read_table`), so code downstream trusts its input.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from analysis import publish
from analysis.columns import (  # noqa: F401 - the registry's names, importable from here as before
    _TABLES,
    ALL,
    COLUMNS,
    DECLARATIONS_SCHEMA,
    DERIVED,
    FORMATS,
    INDICATORS_SCHEMA,
    MEANINGS,
    PROBLEMS_SCHEMA,
    PROSE,
    SCHEMAS,
    TABLE_COLUMNS,
    TABLE_NAMES,
    Column,
    RegistryError,
    _c,
    _registry,
    _resolve,
    columns_of_format,
    heading,
    meaning,
)
from analysis.errors import AnalysisError
from analysis.frames import FRAMES, SHEETS  # noqa: F401 - importable from here as before
from analysis.messages import _
from analysis.paths import expand

if TYPE_CHECKING:
    import pandas as pd


# ----------------------------------------------------------------------------- documentation

_TYPE_WORDS = {"string": "text", "int32": "int", "double": "float", "bool": "bool", "date32[day]": "date"}


def markdown(table: str) -> str:
    """The README's table of ``table``'s columns, generated from the registry."""
    lines = ["| column | type | 中文 | meaning |", "|---|---|---|---|"]
    for c in TABLE_COLUMNS[table]:
        lines.append(f"| `{c.name}` | {_TYPE_WORDS.get(str(c.type), str(c.type))} | {c.heading} | {c.description} |")
    return "\n".join(lines)


_BLOCK = re.compile(r"(<!-- columns:(\w+) -->\n)(.*?)(\n<!-- /columns -->)", re.S)


_CODES_BLOCK = re.compile(r"(<!-- problem-codes -->\n)(.*?)(\n?<!-- /problem-codes -->)", re.S)


def sync_readme(path: str | os.PathLike) -> bool:
    """Rewrite the generated tables of a Markdown file: the columns between
    ``<!-- columns:NAME -->`` markers and the problem codes between ``<!-- problem-codes -->``
    markers (from :mod:`analysis.problems`); True when it changed."""
    from analysis import problems

    p = Path(path)
    text = p.read_text(encoding="utf-8")
    new = _BLOCK.sub(lambda m: m.group(1) + markdown(m.group(2)) + m.group(4), text)
    new = _CODES_BLOCK.sub(lambda m: m.group(1) + problems.markdown() + "\n" + m.group(3).lstrip("\n"), new)
    if new != text:
        p.write_text(new, encoding="utf-8")
    return new != text


# ----------------------------------------------------------------------------- reading

TablesInFlux = publish.TablesInFlux


class SchemaError(AnalysisError, ValueError):
    """A processed table whose columns do not match the registry."""


def check_schema(schema: pa.Schema, name: str, columns=None, where: str = "") -> None:
    """Raise :class:`SchemaError` naming the missing or mistyped columns of table ``name``
    (only ``columns`` when given)."""
    expected = SCHEMAS[name]
    wanted = list(columns) if columns is not None else expected.names
    missing = [c for c in wanted if c in expected.names and c not in schema.names]
    mistyped = [
        _("schema.mistyped_one", column=c, got=schema.field(c).type, expected=expected.field(c).type)
        for c in wanted
        if c in expected.names
        and c in schema.names
        and not schema.field(c).type.equals(expected.field(c).type)
        and not pa.types.is_null(schema.field(c).type)
    ]
    if missing or mistyped:
        sep = _("sep.list")
        parts = []
        if missing:
            parts.append(_("schema.missing", columns=sep.join(missing)))
        if mistyped:
            parts.append(_("schema.mistyped", columns=sep.join(mistyped)))
        raise SchemaError(_("schema.error", where=where or name, parts=_("sep.clause").join(parts)))


def table_path(processed_dir: str | os.PathLike, name: str) -> Path:
    return expand(processed_dir) / f"{name}.parquet"


def read_table(
    processed_dir: str | os.PathLike, name: str, columns=None, filters=None, run: str | None = None
) -> pd.DataFrame:
    """Read one processed table, checked against its schema; ``columns`` and ``filters`` are
    passed to pyarrow.

    The table must belong to the published set (:mod:`analysis.publish`): a file of another
    ingest run than ``manifest.json`` names (one being published this moment, or left by a
    killed ingest) is waited for and read again, and raises :class:`~analysis.publish.TablesInFlux`
    when it stays so. ``run`` asks for a table of that run (to read several tables one by one
    as one set: pass the run of the first, see :func:`current_run`)."""
    return _read_checked(expand(processed_dir), name, columns, filters, run)[0]


def current_run(processed_dir: str | os.PathLike) -> str | None:
    """The run id of the published set (``None`` for tables written before runs were recorded)."""
    return publish.current_run(processed_dir)


def _read_checked(folder: Path, name: str, columns, filters, run: str | None, attempts: int = 6):
    path = table_path(folder, name)
    for attempt in range(attempts):
        if not path.exists():
            raise FileNotFoundError(
                f"{path} does not exist: run `python -m analysis ingest` first to build the processed tables"
            )
        manifest = publish.read_manifest(folder) if run is None else {"run": run}
        with pa.OSFile(str(path)) as f:  # one open file: the schema and the rows of the same one
            schema = pq.ParquetFile(f).schema_arrow
            got = publish.run_of(schema)
            if publish.consistent({name: got}, manifest):
                check_schema(schema, name, columns, where=str(path))
                table = pq.read_table(f, columns=list(columns) if columns is not None else None, filters=filters)
                return table.to_pandas(), got
        publish.wait_and_recover(folder, attempt)
    raise publish.TablesInFlux(_("publish.mixed", path=path, got=got, run=manifest.get("run")))


def to_table(rows, name: str) -> pa.Table:
    """An Arrow table of ``name``'s schema from dict rows or a DataFrame (missing columns null)."""
    schema = SCHEMAS[name]
    if hasattr(rows, "columns") and hasattr(rows, "iloc"):  # a DataFrame (pandas is not imported to ingest)
        return pa.table({n: rows[n].tolist() if n in rows else [None] * len(rows) for n in schema.names}, schema=schema)
    return pa.Table.from_pylist(list(rows), schema=schema)


@dataclass
class Dataset:
    """The processed tables, as pandas DataFrames (the declarations linked to their projects:
    ``project_key``, ``match``, ``match_score``; see :func:`analysis.metrics.identity.link`)."""

    declarations: pd.DataFrame
    indicators: pd.DataFrame
    problems: pd.DataFrame
    processed_dir: Path | None = None

    def __repr__(self) -> str:
        return (
            f"Dataset({len(self.declarations)} declarations, {len(self.indicators)} indicators, "
            f"{len(self.problems)} problems, from {self.processed_dir})"
        )


def load(processed_dir: str | os.PathLike = "data/processed") -> Dataset:
    """Load the three processed tables from ``processed_dir`` (each checked against its schema),
    as one set: all from the run that ``manifest.json`` names, never some of one ingest and
    some of another (see :mod:`analysis.publish`). :func:`analysis.load` adds the project
    links."""
    d = expand(processed_dir)
    for attempt in range(6):
        run = publish.current_run(d)
        frames, runs = [], {}
        try:
            for n in TABLE_NAMES:
                frame, runs[n] = _read_checked(d, n, None, None, run, attempts=1)
                frames.append(frame)
        except publish.TablesInFlux:
            publish.wait_and_recover(d, attempt)
            continue
        if publish.consistent(runs, publish.read_manifest(d) if run is None else {"run": run}):
            return Dataset(*frames, processed_dir=d)
        publish.wait_and_recover(d, attempt)
    raise publish.TablesInFlux(_("publish.runs", folder=d, runs=runs))
