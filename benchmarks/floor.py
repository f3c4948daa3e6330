"""The ingest floor: read, decode and split into lines the same files, in plain Python.

``python -m benchmarks.floor RAW_DIR`` prints ``files lines bytes``. It looks at the files the
ingest looks at (no hidden files, no README/answer key), decodes them the way the ingest
starts to (a byte-order mark, else UTF-8, else GB18030) and splits them into lines. Nothing
is parsed: this is what any reader of these files has to pay, on one core.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

SKIP = {".md", ".json", ".parquet", ".gitkeep", ".complete", ".yml", ".yaml", ".py", ".ipynb", ".html"}
BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def decode(data: bytes) -> str:
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data.decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


def floor(raw: Path) -> tuple[int, int, int]:
    files = lines = size = 0
    for path in sorted(raw.rglob("*")):
        rel = path.relative_to(raw)
        if any(part.startswith(".") for part in rel.parts) or path.suffix.lower() in SKIP or not path.is_file():
            continue
        data = path.read_bytes()
        lines += len(decode(data).splitlines())
        files += 1
        size += len(data)
    return files, lines, size


if __name__ == "__main__":
    print(*floor(Path(sys.argv[1])))
