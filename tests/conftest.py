from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "000_bd3c41999dbba456.txt"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_result(tmp_path_factory):
    """The seed file ingested on its own."""
    from analysis.ingest import ingest

    raw = tmp_path_factory.mktemp("seed-raw")
    (raw / SEED.name).write_bytes(SEED.read_bytes())
    return ingest(raw, tmp_path_factory.mktemp("seed-processed"))
