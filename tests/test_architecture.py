"""The tree shows the pipeline: no module imports from a later stage, and none in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "analysis"

#: the stages in pipeline order; a module may import from its own stage and earlier ones
STAGES = {
    "shared": ["analysis.problems", "analysis.ids", "analysis.tables", "analysis.publish", "analysis.processes"],
    "ingest": ["analysis.ingest"],
    "synthetic": ["analysis.synthetic"],
    "metrics": ["analysis.identity", "analysis.metrics", "analysis.review"],
    "reports": ["analysis.reports"],
    "front": ["analysis", "analysis.cli", "analysis.__main__"],
}
ORDER = list(STAGES)


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str:
    best = max((p for ps in STAGES.values() for p in ps if module == p or module.startswith(p + ".")), key=len)
    return next(s for s, ps in STAGES.items() if best in ps)


def _imports(path: Path, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
            out.add(node.module)
            out.update(
                f"{node.module}.{a.name}"
                for a in node.names
                if (SRC.parent / node.module.replace(".", "/") / f"{a.name}.py").exists()
            )
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("analysis"))
    return out


MODULES = {_module(p): p for p in sorted(SRC.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "analysis"))
def test_no_import_runs_back_up_a_stage(module):
    here = ORDER.index(_stage(module))
    later = sorted(
        m for m in _imports(MODULES[module], top_level_only=False) if m != "analysis" and ORDER.index(_stage(m)) > here
    )
    assert not later, f"{module} ({_stage(module)}) imports from a later stage: {later}"


def test_no_module_imports_in_a_circle():
    graph = {m: {i for i in _imports(p, top_level_only=True) if i in MODULES and i != m} for m, p in MODULES.items()}
    graph = {m: {i for i in deps if not m.startswith(i + ".") and i != "analysis"} for m, deps in graph.items()}
    seen, stack = set(), []

    def visit(m):
        if m in stack:
            raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(m) :] + [m]))
        if m in seen:
            return
        stack.append(m)
        for dep in sorted(graph.get(m, ())):
            visit(dep)
        stack.pop()
        seen.add(m)

    for m in sorted(graph):
        visit(m)
