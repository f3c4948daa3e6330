"""Parts: each worker writes the rows it read as a Parquet part (:class:`PartSink`); the parent
merges the parts into the tables in order (:func:`merge_parts`).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.ingest import limits as lim
from analysis.ingest.file import FileResult, arrow_dicts, arrow_rows, read_one
from analysis.ingest.limits import Limits
from analysis.ingest.workers import settle_gc
from analysis.tables import DECLARATIONS_SCHEMA, INDICATORS_SCHEMA

# ---------------------------------------------------------------------------------------------
# parts: each worker writes the rows it read; the parent merges them in order

#: what the parent keeps of a declaration row read into a part: enough to tell repeats and
#: conflicts and to say where they are
_LIGHT = ("decl_id", "unit", "year", "project", "source_file", "source_line")
_KEY = "_key"  # file index << 24 | declaration number in the file: the order of reading
_KEY_BITS = 24
_KEY_FIELD = pa.field(_KEY, pa.int64(), nullable=False)
_LIGHT_KEYED = (*_LIGHT, _KEY)
_SORT = {
    "declarations": [("year", "ascending"), ("unit", "ascending"), (_KEY, "ascending")],
    "indicators": [("year", "ascending"), ("unit", "ascending"), (_KEY, "ascending"), ("seq", "ascending")],
}
_PARTS = "parts"


class PartSink:
    """Reads files (:func:`read_one`) and keeps their rows for one Parquet part per table,
    written by :meth:`end` (after each chunk of files, in the process that read them): the
    rows never travel back to the parent as Python objects. Each row carries ``_key``, the
    index of its file and its number in the file, so that the merge can restore the order of
    reading and leave out the declarations the parent drops (repeats, conflicts). A part is
    sorted by year, unit and ``_key``, in small row groups, so the merge reads only the row
    groups of the units it is ordering."""

    def __init__(self, part_dir: str | os.PathLike, numbers: list[int] | None = None):
        self.part_dir = str(part_dir)
        #: the number of each file among all the files of the run, by its index among those read
        self.numbers = numbers
        self._reset()

    def _reset(self) -> None:
        self.name: str | None = None  # named when it gets its first rows, in the process that reads
        self.tables: dict[str, list[pa.Table]] = {"declarations": [], "indicators": []}
        #: the rows of the chunk (declarations as dicts with their ``_key``, indicators as
        #: records), made one Arrow table per table at its end (not one per file)
        self.rows: dict[str, list] = {"declarations": [], "indicators": []}
        self.indicator_keys: list[int] = []  # the _key of each row of rows["indicators"]

    def read(self, idx: int, path: str, rel: str, limits: Limits = lim.DEFAULT) -> FileResult:
        idx = idx if self.numbers is None else self.numbers[idx]
        return self.take(idx, read_one(Path(path), rel, limits, pack=False))

    def take(self, idx: int, res: FileResult) -> FileResult:
        """Move the rows of ``res`` (the file numbered ``idx``) into the part being built."""
        if not res.declarations:
            res.indicators, res.indicator_table, res.indicator_counts = [], None, []
            return res
        if self.name is None:
            self.name = uuid.uuid4().hex
        n = len(res.declarations)
        if n >= 1 << _KEY_BITS:
            raise ValueError(f"{res.rel}: more than {1 << _KEY_BITS} declarations in one file")
        keys = [(idx << _KEY_BITS) | k for k in range(n)]
        if res.indicator_table is not None:  # packed already
            ind_keys = [key for key, count in zip(keys, res.indicator_counts) for _ in range(count)]
            self.tables["indicators"].append(
                res.indicator_table.append_column(_KEY_FIELD, pa.array(ind_keys, pa.int64()))
            )
        else:
            for key, inds in zip(keys, res.indicators):
                self.rows["indicators"].extend(inds)
                self.indicator_keys.extend([key] * len(inds))
        for row, key in zip(res.declarations, keys):
            row[_KEY] = key
        self.rows["declarations"].extend(res.declarations)
        res.declarations = [{k: row[k] for k in _LIGHT_KEYED} for row in res.declarations]
        res.indicators, res.indicator_table, res.indicator_counts = [], None, []
        res.part = self.name
        return res

    def end(self) -> str | None:
        """Write the part (one file per table) and start the next; its name, or None when the
        chunk gave no rows."""
        name, tables, rows, indicator_keys = self.name, self.tables, self.rows, self.indicator_keys
        self._reset()
        if name is None:
            return None
        for table_name, pieces in tables.items():
            if rows[table_name] or not pieces:  # (a chunk whose declarations hold no indicator: an empty table)
                if table_name == "declarations":
                    pieces.append(arrow_dicts(rows[table_name], DECLARATIONS_SCHEMA.append(_KEY_FIELD)))
                else:
                    table = arrow_rows(rows[table_name], INDICATORS_SCHEMA)
                    pieces.append(table.append_column(_KEY_FIELD, pa.array(indicator_keys, pa.int64())))
            table = pa.concat_tables(pieces)
            table = table.take(pc.sort_indices(table, sort_keys=_SORT[table_name]))
            tmp = Path(self.part_dir) / f"{table_name}-{name}.parquet.tmp"
            pq.write_table(
                table, tmp, row_group_size=1_024 if table_name == "declarations" else 4_096, compression="lz4"
            )
            os.replace(tmp, tmp.with_suffix(""))
        return name


def read_chunk(items: list[tuple[int, str, str]], limits: Limits, part_dir: str) -> list[FileResult]:
    """Read a chunk of files ``(index, path, name shown)`` into one part under ``part_dir``;
    the results as :meth:`PartSink.take` leaves them. What a Dask task runs."""
    settle_gc()
    sink = PartSink(part_dir)
    results = [sink.read(idx, path, rel, limits) for idx, path, rel in items]
    sink.end()
    return results


def merge_parts(
    part_dir: Path,
    parts: list[str],
    table_name: str,
    out: Path,
    schema: pa.Schema,
    dropped: set[int],
    row_group_size: int,
    batch_rows: int = 100_000,
) -> int:
    """Write ``out`` from the parts named ``parts``: the rows ordered by year, then unit, then
    the order of reading, without the declarations whose ``_key`` is in ``dropped``; row
    groups of ``row_group_size`` rows that never span two years (a report reading one unit or
    one year reads only the row groups that can hold it). Memory: the rows of at most
    ``batch_rows`` (units of one year are taken together up to that many rows; one unit with
    more is taken alone), not the whole table. Returns the number of rows written."""
    import pyarrow.dataset as ds

    files = [str(part_dir / f"{table_name}-{name}.parquet") for name in parts]
    count = 0
    drop = pa.array(sorted(dropped), pa.int64())
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        if not files:
            return 0
        data = ds.dataset(files, format="parquet")
        years = pc.unique(data.to_table(columns=["year"]).column("year")).drop_null()
        for year in sorted(years.to_pylist()):
            in_year = pc.field("year") == year
            units = pc.value_counts(data.to_table(columns=["unit"], filter=in_year).column("unit"))
            units = units.take(pc.sort_indices(units.field("values")))
            values, counts = units.field("values").to_pylist(), units.field("counts").to_pylist()
            pending: list[pa.Table] = []
            waiting = 0
            lo = 0
            while lo < len(values):
                hi, rows = lo, counts[lo]
                while (
                    hi + 1 < len(values)
                    and values[hi + 1] is not None
                    and values[lo] is not None
                    and rows + counts[hi + 1] <= batch_rows
                ):
                    hi += 1
                    rows += counts[hi]
                if values[lo] is None:  # rows without a unit: the nulls come last in the sort
                    where = in_year & pc.field("unit").is_null()
                else:
                    where = in_year & (pc.field("unit") >= values[lo]) & (pc.field("unit") <= values[hi])
                # a few row groups decoded ahead, not many: the batch is what memory holds
                table = data.scanner(filter=where, batch_readahead=2, fragment_readahead=2).to_table()
                if len(drop):
                    table = table.filter(pc.invert(pc.is_in(table.column(_KEY), value_set=drop)))
                table = table.take(pc.sort_indices(table, sort_keys=_SORT[table_name][1:]))
                pending.append(table.select(schema.names).cast(schema))
                waiting += table.num_rows
                while waiting >= row_group_size:
                    whole = pa.concat_tables(pending)
                    writer.write_table(whole.slice(0, row_group_size), row_group_size=row_group_size)
                    rest = whole.slice(row_group_size)
                    pending, waiting = [rest], rest.num_rows
                    count += row_group_size
                del table
                pa.default_memory_pool().release_unused()  # freed buffers back to the system, not kept
                lo = hi + 1
            if waiting:
                writer.write_table(pa.concat_tables(pending), row_group_size=row_group_size)
                count += waiting
    return count
