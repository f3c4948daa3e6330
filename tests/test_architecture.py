"""The tree shows the pipeline: no module imports from a later stage, none in a circle (imports
inside functions counted too), the analysis never reaches into the parser, and the stage table of
``docs/architecture.md`` names every module once, in the stage this test gives it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "analysis"
DOC = ROOT / "docs" / "architecture.md"

#: the stages in pipeline order; a module may import from its own stage and earlier ones
STAGES = {
    "shared": [
        "analysis.errors",
        "analysis.catalogue",
        "analysis.messages",
        "analysis.problems",
        "analysis.processes",
        "analysis.ids",
        "analysis.patterns",
        "analysis.places",
        "analysis.kinds",
        "analysis.publish",
        "analysis.columns",
        "analysis.frames",
        "analysis.tables",
        "analysis.paths",
        "analysis.arguments",
        "analysis.locks",
    ],
    "ingest": ["analysis.ingest"],
    "synthetic": ["analysis.synthetic"],
    "metrics": ["analysis.metrics"],
    "reports": ["analysis.reports"],
    "front": ["analysis", "analysis.cli", "analysis.__main__", "analysis.runs"],
}
ORDER = list(STAGES)
#: stages that must not import each other although the order would allow it
APART = {"metrics": ["ingest", "synthetic"]}


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str:
    best = max((p for ps in STAGES.values() for p in ps if module == p or module.startswith(p + ".")), key=len)
    return next(s for s, ps in STAGES.items() if best in ps)


def _imports(path: Path) -> set[str]:
    """Every module of the package that ``path`` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
            out.add(node.module)
            out.update(
                f"{node.module}.{a.name}"
                for a in node.names
                if (SRC.parent / node.module.replace(".", "/") / f"{a.name}.py").exists()
                or (SRC.parent / node.module.replace(".", "/") / a.name / "__init__.py").exists()
            )
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("analysis"))
    return out


MODULES = {_module(p): p for p in sorted(SRC.rglob("*.py"))}
GRAPH = {
    m: {i for i in _imports(p) if i in MODULES and i != m and not m.startswith(i + ".") and i != "analysis"}
    for m, p in MODULES.items()
}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "analysis"))
def test_no_import_runs_back_up_a_stage(module):
    here = ORDER.index(_stage(module))
    later = sorted(m for m in _imports(MODULES[module]) if m != "analysis" and ORDER.index(_stage(m)) > here)
    assert not later, f"{module} ({_stage(module)}) imports from a later stage: {later}"


@pytest.mark.parametrize("stage", sorted(APART))
def test_the_analysis_never_imports_the_parser(stage):
    wrong = sorted(
        f"{m} -> {i}"
        for m, deps in GRAPH.items()
        if _stage(m) == stage
        for i in deps | {d for d in _imports(MODULES[m]) if d.startswith("analysis.")}
        if _stage(i) in APART[stage]
    )
    assert not wrong, f"the {stage} stage imports {APART[stage]}: {wrong}"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    seen, stack = set(), []

    def visit(m):
        if m in stack:
            return stack[stack.index(m) :] + [m]
        if m in seen:
            return None
        stack.append(m)
        for dep in sorted(graph.get(m, ())):
            found = visit(dep)
            if found:
                return found
        stack.pop()
        seen.add(m)
        return None

    for m in sorted(graph):
        found = visit(m)
        if found:
            return found
    return None


def test_no_module_imports_in_a_circle():
    cycle = _cycle(GRAPH)
    assert cycle is None, "import cycle (imports inside functions counted): " + " -> ".join(cycle)


def test_the_cycle_finder_sees_an_import_inside_a_function(tmp_path):
    """The guard itself: a cycle made only through a function-level import is found."""
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from analysis.reports import show\n", encoding="utf-8")
    assert "analysis.reports.show" in _imports(a)
    assert _cycle({"x": {"y"}, "y": {"x"}}) == ["x", "y", "x"]
    assert _cycle({"x": {"y"}, "y": set()}) is None


def _doc_stages() -> dict[str, str]:
    """module -> stage, from the table between ``<!-- stages -->`` markers of the architecture doc."""
    block = re.search(r"<!-- stages -->\n(.*?)<!-- /stages -->", DOC.read_text(encoding="utf-8"), re.S)
    assert block, "docs/architecture.md has no <!-- stages --> table"
    out: dict[str, str] = {}
    stage = None
    for line in block.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or (cells[0] and set(cells[0]) <= {"-"}) or cells[0] == "stage":
            continue
        stage = cells[0].strip("* ") or stage
        for name in re.findall(r"`([\w/.]+\.py)`", cells[1]):
            module = ("analysis." + name.removesuffix(".py").replace("/", ".")).removesuffix(".__init__")
            assert module not in out, f"docs/architecture.md names {name} twice"
            out[module] = stage
    return out


def test_the_architecture_doc_names_every_module_once_in_its_stage():
    documented = _doc_stages()
    modules = set(MODULES)
    assert not modules - set(documented), f"modules the doc does not name: {sorted(modules - set(documented))}"
    assert not set(documented) - modules, (
        f"the doc names modules that do not exist: {sorted(set(documented) - modules)}"
    )
    wrong = {m: (s, _stage(m)) for m, s in documented.items() if s != _stage(m)}
    assert not wrong, f"doc stage differs from this test's (doc, test): {wrong}"
