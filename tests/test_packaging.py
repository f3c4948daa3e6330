"""The project's own set-up stays true: dependencies in step, README commands real, CI runs them."""

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(meta["dependencies"]) + [r for extra in meta.get("optional-dependencies", {}).values() for r in extra]
    return {_name(r): r.replace(" ", "") for r in reqs}


def _environment_requirements() -> dict[str, str]:
    reqs = {}
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for line in text.split("dependencies:", 1)[1].splitlines():
        # a top-level entry, or one of the pip: list (packages conda-forge does not have)
        m = re.match(r"^\s{2}(?:\s{4})?-\s+([A-Za-z0-9_.-]+[^#]*?)\s*(?:#.*)?$", line)
        if m and not line.strip().startswith("- -e") and m.group(1) not in ("pip", "pip:"):
            reqs[_name(m.group(1))] = m.group(1).replace(" ", "")
    reqs.pop("python", None)
    return reqs


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


def test_readme_commands_are_make_targets_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.M))
    used = set(re.findall(r"`make ([a-z-]+)`", readme))
    assert {"reports", "test"} <= used
    assert used <= targets, used - targets
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, flags=re.M)


def test_readme_documents_every_problem_code():
    from analysis.problems import CODES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not [c for c in CODES if f"`{c}`" not in readme]


def test_readme_column_tables_are_the_registry(tmp_path):
    from analysis import tables

    copy = tmp_path / "README.md"
    copy.write_text((ROOT / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    for name in tables.TABLE_NAMES:
        assert f"<!-- columns:{name} -->" in copy.read_text(encoding="utf-8")
    assert "<!-- problem-codes -->" in copy.read_text(encoding="utf-8")
    assert not tables.sync_readme(copy), (
        "README's column or problem-code tables differ from analysis.tables / analysis.problems: run "
        "`python -c \"from analysis.tables import sync_readme; sync_readme('README.md')\"`"
    )
    formats = tmp_path / "formats.md"
    formats.write_text((ROOT / "docs" / "formats.md").read_text(encoding="utf-8"), encoding="utf-8")
    assert not tables.sync_readme(formats), "docs/formats.md's problem codes are stale: run sync_readme on it"


def _quoted_names(text: str) -> set[str]:
    return set(re.findall(r"[\"']([a-z][a-z0-9_]*)[\"']", text))


def test_every_column_shown_has_an_entry_and_every_entry_is_used():
    from analysis import tables

    notebooks = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "notebooks").glob("*.ipynb"))
    shown = set()
    for group in re.findall(r"columns=\[([^\]]*)\]", notebooks.replace('\\"', '"')):
        shown |= _quoted_names(group)
    assert shown and not shown - set(tables.ALL), sorted(shown - set(tables.ALL))
    code = notebooks.replace('\\"', '"') + "".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "src" / "analysis").rglob("*.py") if p.name != "tables.py"
    )
    used = _quoted_names(code) | {c for cols in tables.SCHEMAS.values() for c in cols.names}
    assert not set(tables.ALL) - used, sorted(set(tables.ALL) - used)


def test_ingest_writes_only_registry_columns(seed_result):
    from analysis.ingest.build import build
    from analysis.ingest.parse import split_declarations
    from analysis.ingest.readers import read_file
    from analysis.tables import SCHEMAS

    from seedkit import SEED

    raws, _ = split_declarations(read_file(SEED, SEED.name)[0].rows, SEED.name)
    row, inds, _ = build(raws[0])
    assert set(row) <= set(SCHEMAS["declarations"].names), set(row) - set(SCHEMAS["declarations"].names)
    assert set(inds[0]) <= set(SCHEMAS["indicators"].names)


def test_notebooks_are_committed_without_outputs():
    import json

    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        dirty = [
            i
            for i, c in enumerate(cells)
            if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
        ]
        assert not dirty, f"{nb.name}: cells {dirty} carry outputs"


def test_every_problem_code_has_a_chinese_description():
    from analysis.problems import CHINESE, CODES

    assert list(CHINESE) == list(CODES)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in CHINESE.values())


def test_make_writes_the_sample_into_data_raw_only():
    """``make reports RAW=folder`` reads one's own files and writes nothing into them; the
    default reads data/raw with the synthetic sample (``make -n`` prints the commands only)."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("make") is None:
        pytest.skip("no make on this machine")

    def planned(*args):
        out = subprocess.run(["make", "-n", "-B", "reports", *args], cwd=ROOT, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return [line for line in out.stdout.splitlines() if "-m analysis" in line]

    own = planned("RAW=/srv/mine", "PROCESSED=/srv/out/p", "REPORTS=/srv/out/r")
    assert not any(" generate " in line for line in own), own
    assert any("ingest /srv/mine --out /srv/out/p" in line for line in own)
    default = "\n".join(planned())
    assert "generate --out data/raw/synthetic --sample" in default
    assert "ingest data/raw --out data/processed" in default
