"""The house's rules, checked on the source: no import circle, and imports point down the layers.

Every ``import`` in every module of ``kpiscore`` counts, those inside functions included (a lazy
import is still a dependency); only imports under ``if TYPE_CHECKING:`` are left out, since they
never run. See ``docs/architecture.md`` for the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

#: Each folder's layer: a module may import its own layer and those below, never one above.
#: ``io`` (the edges) is reached from whichever layer needs it, so it has no rank of its own;
#: the public faces at the top of the package (``kpiscore.quota``…) sit with what they show.
LAYERS = {
    "model": 0,
    "engine": 1,
    "results": 1,
    "cycle": 2,
    "cli": 3,
    "server": 3,
    "testing": 3,
}
FACES = {"calendar": 2, "work": 2, "rollup": 2, "quota": 2, "payout": 2, "variants": 2}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in (SRC / "kpiscore").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    # A module's own package is imported before it anyway; it is not a dependency of its own.
    return {d for d in found if d in known and d != name and not name.startswith(d + ".")}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None  # the package itself re-exports everything
    if parts[1] in LAYERS:
        return LAYERS[parts[1]]
    return FACES.get(parts[1], 0 if parts[1] in {"exceptions", "_extras"} else None)


class TestImportGraph:
    def test_the_walk_sees_the_whole_package(self) -> None:
        graph = _graph()
        assert "kpiscore.engine.exact" in graph
        assert "kpiscore.model.policy" in graph["kpiscore.engine.exact"]

    def test_there_is_no_import_circle(self) -> None:
        graph = _graph()
        cycles: list[list[str]] = []
        done: set[str] = set()

        def visit(node: str, stack: list[str]) -> None:
            if node in stack:
                cycles.append([*stack[stack.index(node) :], node])
                return
            if node in done:
                return
            stack.append(node)
            for dependency in sorted(graph[node]):
                visit(dependency, stack)
            stack.pop()
            done.add(node)

        for node in sorted(graph):
            visit(node, [])
        assert [] == [" -> ".join(cycle) for cycle in cycles]

    def test_imports_point_down_the_layers(self) -> None:
        upward = []
        for module, dependencies in sorted(_graph().items()):
            here = _layer(module)
            for dependency in sorted(dependencies):
                there = _layer(dependency)
                if here is not None and there is not None and there > here:
                    upward.append(f"{module} -> {dependency}")
        assert [] == upward

    def test_the_model_imports_nothing_above_it(self) -> None:
        graph = _graph()
        for module in (m for m in graph if m.startswith("kpiscore.model.")):
            above = sorted(d for d in graph[module] if not d.startswith("kpiscore.model"))
            assert set(above) <= {"kpiscore.exceptions", "kpiscore._extras"}, module

    @pytest.mark.parametrize("module", ["kpiscore.rollup", "kpiscore.quota", "kpiscore.work"])
    def test_public_modules_import_as_modules(self, module: str) -> None:
        import importlib
        import types

        assert isinstance(importlib.import_module(module), types.ModuleType)


class TestRollupName:
    def test_import_kpiscore_rollup_gives_the_module(self) -> None:
        import types

        import kpiscore.rollup as module

        assert isinstance(module, types.ModuleType)
        assert callable(module.rollup_many)

    def test_from_kpiscore_import_rollup_is_callable_as_the_function(self) -> None:
        from datetime import date

        from kpiscore import Category, Criterion, Deduction, Event, Policy, rollup, score
        from kpiscore.cycle.rollup import rollup as function

        policy = Policy(
            id="p",
            name="P",
            categories=[
                Category(
                    id="c",
                    name="C",
                    criteria=[
                        Criterion(
                            id="x",
                            name="X",
                            max_points=10,
                            deductions=[Deduction(on="late", points=2)],
                        )
                    ],
                )
            ],
        )
        cards = [
            score(
                policy,
                "2026-01",
                "a",
                events=[Event(subject="a", kind="late", on=date(2026, 1, 5))],
            ),
            score(policy, "2026-02", "a"),
        ]
        assert function(cards, "2026-01-01/2026-02-28") == rollup(cards, "2026-01-01/2026-02-28")
