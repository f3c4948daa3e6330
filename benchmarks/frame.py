"""The frame of any ingest written in Python: what it pays before it parses anything.

``python -m benchmarks.frame RAW_DIR TABLES_DIR`` reads the files of RAW_DIR with the ingest's
own reader (decoded and split into rows of cells), looks each row up once in a bounded
dictionary keyed by its line (as the parser's memo of row kinds does), makes one row of the
indicators table per indicator the real ingest found (TABLES_DIR holds its output, loaded
before the clock starts) and one of the declarations table per declaration, turns them into
Arrow tables chunk by chunk and writes them to Parquet. Nothing is classified, cleaned or
checked. It prints ``files rows declarations indicators seconds cpu_seconds``, the times of
what follows the loading of TABLES_DIR.

Its time against the floor is a lower bound for any reader of this corpus that keeps the
Python frame (rows as Python objects, output rows as Python lists): the parser's own logic can
only add to it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def main(raw: Path, tables: Path) -> tuple[int, int, int, int, float, float]:
    import time

    import pyarrow.parquet as pq

    from analysis.ingest.build import IndicatorRow
    from analysis.ingest.file import arrow_dicts, arrow_rows
    from analysis.ingest.listing import list_files
    from analysis.ingest.readers import read_file
    from analysis.ingest.workers import settle_gc
    from analysis.tables import DECLARATIONS_SCHEMA, INDICATORS_SCHEMA

    declarations = pq.read_table(tables / "declarations.parquet").select(DECLARATIONS_SCHEMA.names).to_pylist()
    indicators = pq.read_table(tables / "indicators.parquet").select(INDICATORS_SCHEMA.names)
    decl_of: dict[str, list[dict]] = {}
    file_of = {}
    for d in declarations:
        decl_of.setdefault(d["source_file"], []).append(d)
        file_of[d["decl_id"]] = d["source_file"]
    rows_of: dict[str, list] = {}  # the output rows of each file, as the ingest makes them: records
    for row in zip(*(c.to_pylist() for c in indicators.columns)):
        rows_of.setdefault(file_of[row[0]], []).append(IndicatorRow._make(row))
    del indicators

    settle_gc()
    t0, c0 = time.perf_counter(), time.process_time()
    paths = list_files(raw).files  # (path, name shown), as the ingest lists them
    memo: dict = {}
    n_rows = n_decl = n_ind = 0
    chunk_decl: list[dict] = []
    chunk_ind: list = []
    with tempfile.TemporaryDirectory() as out:
        part = 0
        for k, (path, rel) in enumerate(paths):
            for sheet in read_file(Path(path), rel):
                for row in sheet.rows:
                    key = row.key
                    v = memo.get(key)
                    if v is None:
                        if len(memo) >= 1 << 12:
                            memo.clear()
                        v = memo[key] = len(row.cells)
                    n_rows += 1
            for ind in rows_of.get(rel, ()):
                chunk_ind.append(ind._replace())
            for d in decl_of.get(rel, ()):
                chunk_decl.append(dict(d))
            if len(chunk_ind) >= 50_000 or k == len(paths) - 1:
                n_decl += len(chunk_decl)
                n_ind += len(chunk_ind)
                pq.write_table(arrow_dicts(chunk_decl, DECLARATIONS_SCHEMA), f"{out}/declarations-{part}.parquet")
                pq.write_table(arrow_rows(chunk_ind, INDICATORS_SCHEMA), f"{out}/indicators-{part}.parquet")
                chunk_decl, chunk_ind = [], []
                part += 1
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return len(paths), n_rows, n_decl, n_ind, round(seconds, 3), round(cpu, 3)


if __name__ == "__main__":
    print(*main(Path(sys.argv[1]), Path(sys.argv[2])))
