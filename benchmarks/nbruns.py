"""Notebook runs measured inside one process (run by the harness as a subprocess).

``python -m benchmarks.nbruns empty NOTEBOOK_DIR K``
    runs an empty parameterized notebook through papermill K times: the kernel-start floor.
``python -m benchmarks.nbruns unit OUT_DIR UNIT REPEATS PROCESSED_DIR...``
    renders one unit's report (papermill and HTML, as the batch does) once untimed (imports),
    then REPEATS times on each processed folder in turn, and times ``report.load_unit`` (the
    report's reads) on each.

Both print one JSON object on the last line of stdout.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

EMPTY_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "parameters",
            "metadata": {"tags": ["parameters"]},
            "outputs": [],
            "source": ["x = 1"],
        },
        {"cell_type": "code", "execution_count": None, "id": "body", "metadata": {}, "outputs": [], "source": ["x"]},
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def empty_runs(folder: Path, k: int) -> dict:
    import papermill as pm

    folder.mkdir(parents=True, exist_ok=True)
    nb = folder / "empty.ipynb"
    nb.write_text(json.dumps(EMPTY_NOTEBOOK), encoding="utf-8")
    times = []
    for i in range(k):
        t0 = time.perf_counter()
        pm.execute_notebook(
            str(nb),
            str(folder / f"empty-out-{i}.ipynb"),
            parameters={"x": i},
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(folder),
        )
        times.append(time.perf_counter() - t0)
    return {"seconds": times}


def unit_runs(out: Path, unit: str, repeats: int, processed: list[Path]) -> dict:
    from analysis.reports import batch
    from analysis.reports import show as report

    notebook = batch.DEFAULT_NOTEBOOKS / "unit_report.ipynb"
    runs = {str(p): [] for p in processed}
    loads = {str(p): [] for p in processed}
    rows = {}
    # a first render, not timed: it pays the imports of papermill and nbconvert in this process
    warm = batch.Task(
        "unit",
        unit,
        "warm-up",
        str(notebook),
        {"unit": unit, "processed_dir": str(processed[0])},
        str(out / "warm-up.ipynb"),
        str(out / "warm-up.html"),
    )
    batch.render_one(warm, timeout=1200)
    for r in range(repeats):
        for i, p in enumerate(processed):
            stem = f"run{r}-{i}"
            task = batch.Task(
                "unit",
                unit,
                stem,
                str(notebook),
                {"unit": unit, "processed_dir": str(p)},
                str(out / f"{stem}.ipynb"),
                str(out / f"{stem}.html"),
            )
            res = batch.render_one(task, timeout=1200)
            if res.status != "rendered":
                raise SystemExit(f"the unit report failed on {p}: {res.error}\n{res.extra.get('traceback', '')}")
            runs[str(p)].append(res.seconds)
    for _ in range(3):
        for p in processed:
            t0 = time.perf_counter()
            data = report.load_unit(p, unit)
            loads[str(p)].append(time.perf_counter() - t0)
            rows[str(p)] = {
                "declarations": len(data.declarations),
                "indicators": len(data.indicators),
                "problems": len(data.problems),
            }
    return {"render_seconds": runs, "load_seconds": loads, "rows": rows}


def main(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "empty":
        result = empty_runs(Path(argv[1]), int(argv[2]))
    elif kind == "unit":
        result = unit_runs(Path(argv[1]), argv[2], int(argv[3]), [Path(p) for p in argv[4:]])
    else:
        raise SystemExit(f"unknown run {kind!r}")
    sys.stdout.flush()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    main(sys.argv[1:])
