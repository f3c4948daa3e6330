"""The project's own set-up stays true: dependencies in step, README commands real, CI runs them."""
import re
import tomllib
from pathlib import Path

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
        m = re.match(r"^\s{2}-\s+([A-Za-z0-9_.-]+[^#]*?)\s*$", line)
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


def test_readme_documents_every_problem_code_and_table_column():
    from analysis.ingest import DECLARATIONS_OUT_SCHEMA
    from analysis.problems import CODES
    from analysis.store import INDICATORS_SCHEMA, PROBLEMS_SCHEMA

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing_codes = [c for c in CODES if f"`{c}`" not in readme]
    assert not missing_codes
    columns = DECLARATIONS_OUT_SCHEMA.names + INDICATORS_SCHEMA.names + PROBLEMS_SCHEMA.names
    missing_columns = sorted({c for c in columns if f"`{c}`" not in readme})
    assert not missing_columns


def test_notebooks_are_committed_without_outputs():
    import json

    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        dirty = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
        assert not dirty, f"{nb.name}: cells {dirty} carry outputs"
