"""The processed tables cached in a warm report kernel.

:func:`read_table` is the kernel's cache of the processed tables: each table file is read once
per kernel (keyed by the file's identity: path, inode, size, modification time, so a new
ingest is seen at once) and each report filters the rows it needs from memory.  The result is
the same DataFrame as a filtered :func:`analysis.tables.read_table` (same rows, order, types).
Anywhere but a warm kernel (:func:`cache_tables` not called) it is that function itself.
"""

from __future__ import annotations

from pathlib import Path

_on = [False]
_tables: dict = {}


def _identity(path: Path) -> tuple:
    st = path.stat()
    return (str(path.resolve()), st.st_ino, st.st_size, st.st_mtime_ns)


def cache_tables(on: bool = True) -> None:
    """Keep whole tables in memory in this process (a warm kernel does), or stop and drop them."""
    _on[0] = on
    if not on:
        _tables.clear()


class _Cached:
    """A whole table in memory, with an index of row numbers per value of the filtered columns."""

    def __init__(self, key: tuple, table):
        self.key = key
        self.table = table
        self.index: dict[str, dict] = {}

    def rows_of(self, column: str) -> dict:
        """``value -> ascending row numbers`` for ``column`` (built on first use; nulls left out)."""
        found = self.index.get(column)
        if found is None:
            import numpy as np
            import pyarrow.compute as pc

            encoded = pc.dictionary_encode(self.table.column(column)).combine_chunks()
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            valid = ~np.asarray(encoded.indices.is_null().to_numpy(zero_copy_only=False), dtype=bool)
            rows = np.flatnonzero(valid)
            codes = codes[valid].astype(np.int64)
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(len(encoded.dictionary) + 1))
            sorted_rows = rows[order]
            found = {
                value: sorted_rows[bounds[i] : bounds[i + 1]] for i, value in enumerate(encoded.dictionary.to_pylist())
            }
            self.index[column] = found
        return found

    def select(self, filters, table):
        """The rows of ``filters`` (pyarrow's DNF: a list of conditions, or a list of such lists) of
        ``table`` (this table or some of its columns), in table order."""
        import numpy as np
        import pyarrow.parquet as pq

        disjunction = filters if isinstance(filters[0], list) else [filters]
        parts = []
        for conjunction in disjunction:
            rows = None
            for condition in conjunction:
                column, op, value = condition
                if op in ("==", "=") and not isinstance(value, (list, tuple, set)):
                    values = [value]
                elif op == "in":
                    values = list(value)
                else:  # not indexed: let Arrow evaluate the whole filter
                    return self.table.filter(pq.filters_to_expression(filters)).select(table.column_names)
                index = self.rows_of(column)
                empty = np.empty(0, dtype=np.int64)
                hit = [index.get(v, empty) for v in values if v is not None and _hashable(v)]
                these = np.unique(np.concatenate(hit)) if hit else empty
                rows = these if rows is None else np.intersect1d(rows, these, assume_unique=True)
            parts.append(rows)
        taken = np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
        return table.take(taken)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def read_table(processed_dir, name: str, columns=None, filters=None):
    """:func:`analysis.tables.read_table` from a per-process cache of whole tables.

    Only in a warm kernel (after :func:`setup`, or :func:`cache_tables`); anywhere else it is
    :func:`analysis.tables.read_table` itself, so a notebook opened by hand holds no whole table.

    The table file is read once while it stays the same file (path, inode, size, modification
    time); the rows of ``filters`` (pyarrow's list form; ``==`` and ``in`` conditions through an
    index of row numbers per value, anything else through Arrow's filter) and the ``columns``
    are taken from memory, in the table's order, checked against the schema as a read is.
    """
    import pyarrow.parquet as pq

    from analysis import tables

    if not _on[0]:  # not a warm kernel (a notebook opened by hand, papermill alone)
        return tables.read_table(processed_dir, name, columns=columns, filters=filters)
    path = tables.table_path(processed_dir, name)
    if not path.exists():
        return tables.read_table(processed_dir, name, columns=columns, filters=filters)  # says what is missing
    key = _identity(path)
    entry = _tables.get(name)
    if entry is None or entry.key != key:
        _tables[name] = entry = _Cached(key, pq.read_table(path).combine_chunks())
    table = entry.table
    tables.check_schema(table.schema, name, columns, where=str(path))
    if columns is not None:
        table = table.select(list(columns))
    if filters:
        table = entry.select(filters, table)
    return table.to_pandas()
