from pathlib import Path

import pytest

from seedkit import SEED, make_processed


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


@pytest.fixture
def processed(tmp_path):
    """The small processed dataset of :func:`seedkit.make_processed`, hostile names and synthetic marks included."""
    return make_processed(tmp_path / "processed", hostile=True, synthetic=True)


@pytest.fixture(autouse=True)
def chinese_by_default(monkeypatch):
    """The command line speaks its default, Chinese, whatever the locale of the machine running
    the tests (``ANALYSIS_LANG`` comes before ``LANG``; subprocesses inherit it)."""
    monkeypatch.setenv("ANALYSIS_LANG", "zh")


@pytest.fixture
def english(monkeypatch):
    """The command line in English, as ``ANALYSIS_LANG=en`` asks (subprocesses too)."""
    monkeypatch.setenv("ANALYSIS_LANG", "en")
