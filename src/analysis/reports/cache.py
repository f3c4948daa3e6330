"""The report cache: a report is rendered again only when its key changes (the notebook file, its
parameters, the content of the processed tables and every source file of the package)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import analysis
from analysis.publish import content_sha256, sha256

PACKAGE_DIR = Path(analysis.__file__).resolve().parent
TABLES = ("declarations", "indicators", "problems")


#: the SHA-256 of a file's content (the same hash the manifest of the tables records)
file_hash = sha256


def code_hash() -> str:
    """Hash of the package version and every source file of the package (templates included):
    any code change renders the reports again. The notebooks are hashed per report."""
    h = hashlib.sha256(analysis.__version__.encode())
    for path in sorted(
        p for p in PACKAGE_DIR.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".toml", ".css")
    ):
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def data_hashes(processed: Path) -> dict:
    """The content of each processed table (:func:`~analysis.publish.content_sha256`): the same
    after an ingest of the same files, so an unchanged ``make reports`` renders nothing again."""
    return {
        name: content_sha256(processed / f"{name}.parquet")
        for name in TABLES
        if (processed / f"{name}.parquet").exists()
    }


def cache_key(notebook: Path, parameters: dict, data: dict, code: str) -> str:
    """Content key of one report: notebook file, parameters (without the data path), data and code."""
    params = {k: v for k, v in parameters.items() if k != "processed_dir"}
    blob = json.dumps(
        {"notebook": file_hash(notebook), "parameters": params, "data": data, "code": code},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
