"""Imports only go downward: schemas <- extraction <- inference <- beam_pipeline / trainer / insights.

Read from the source with `ast` (imports inside functions count too), so a lazy upward import or a
cycle between modules fails here before it confuses a reader. Entry points (`__main__.py`) may reach
any layer: nothing imports them.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {"schemas": 0, "extraction": 1, "inference": 2, "beam_pipeline": 3, "trainer": 3, "insights": 3}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            targets = graph.setdefault(_module(path), set())
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    targets.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    targets.add(node.module)
    return {m: {t for t in ts if t.split(".")[0] in LAYERS} for m, ts in graph.items()}


def test_no_upward_or_sideways_import():
    wrong = []
    for module, targets in _imports().items():
        if module.endswith("__main__"):
            continue
        own = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != own and LAYERS[other] >= LAYERS[own]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "imports must go downward (schemas <- extraction <- inference <- the rest):\n" + "\n".join(wrong)


def test_no_import_cycle():
    graph = _imports()
    known = set(graph)

    def resolve(target: str) -> str:
        while target not in known and "." in target:
            target = target.rsplit(".", 1)[0]
        return target

    edges = {m: {resolve(t) for t in ts} & known - {m} for m, ts in graph.items()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for module in sorted(edges):
        if module not in state and (cycle := visit(module)):
            raise AssertionError("import cycle: " + " -> ".join(cycle))


def _test_imports(tree: ast.AST) -> Iterator[str]:
    """Modules of `tests` that a file imports (for `from tests.unit import x`, tests.unit.x)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            if node.module in ("tests", "tests.unit", "tests.integration"):  # packages: the names are modules
                yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_test_module_imports_another():
    """Shared servers and datasets live in tests/support; a test module imports none of its neighbours."""
    wrong = [f"{path.relative_to(ROOT)} imports {name}"
             for path in sorted((ROOT / "tests").rglob("*.py"))
             for name in _test_imports(ast.parse(path.read_text(encoding="utf-8")))
             if name.split(".")[0] == "tests"
             and any(part.startswith("test_") or part == "conftest" for part in name.split(".")[1:])]
    assert not wrong, "import shared test code from tests/support:\n" + "\n".join(wrong)
