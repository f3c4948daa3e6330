"""Where the ingest's time goes: cProfile of a serial ingest of the first files of a corpus.

``python -m benchmarks.profile_ingest RAW_DIR N_FILES OUT_DIR [TOP]`` links the first N files
into OUT_DIR/raw, ingests them in this process (``jobs=1, isolate=False``) under cProfile, and prints the
top functions by own time and by cumulative time, and a JSON summary on the last line.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import shutil
import sys
import time
from pathlib import Path


def subset(raw: Path, n: int, out: Path) -> Path:
    files = sorted(p for p in raw.rglob("*.txt") if "answer_key" not in p.parts and not p.name.startswith("."))[:n]
    if out.exists():
        shutil.rmtree(out)
    for p in files:
        target = out / p.relative_to(raw)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(p, target)
        except OSError:
            shutil.copy2(p, target)
    return out


def _where(key) -> str:
    filename, line, func = key
    name = Path(filename).name if filename != "~" else ""
    if "site-packages" in filename or "/lib/python" in filename:
        name = filename.split("site-packages/")[-1] if "site-packages/" in filename else f"stdlib {name}"
    return f"{name}:{line}({func})" if name else func


def top(stats: pstats.Stats, key: str, n: int) -> list[dict]:
    stats.sort_stats(key)
    rows = []
    for func in stats.fcn_list[:n]:  # type: ignore[attr-defined]
        cc, nc, tt, ct, _ = stats.stats[func]  # type: ignore[attr-defined]
        rows.append({"function": _where(func), "calls": nc, "tottime": round(tt, 3), "cumtime": round(ct, 3)})
    return rows


def main(argv: list[str]) -> None:
    raw, n, out = Path(argv[0]), int(argv[1]), Path(argv[2])
    n_top = int(argv[3]) if len(argv) > 3 else 15
    from analysis.ingest import ingest

    sub = subset(raw, n, out / "raw")
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    result = ingest(sub, out / "processed", jobs=1, isolate=False)  # in this process, where cProfile sees it
    prof.disable()
    seconds = time.perf_counter() - t0
    stats = pstats.Stats(prof, stream=io.StringIO())
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    summary = {
        "files": result.summary["files"],
        "declarations": result.summary["declarations"],
        "indicators": result.summary["indicators"],
        "seconds_profiled": round(seconds, 2),
        "total_tottime": round(total, 2),
        "by_tottime": top(stats, "tottime", n_top),
        "by_cumtime": top(stats, "cumulative", n_top + 10),
    }
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(n_top)
    print(buf.getvalue())
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
