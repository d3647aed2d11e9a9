"""The rules the tree keeps (docs/architecture.md): no import cycles among compiler's modules,
imports inside functions included, and no module far over 600 lines.

The layers between packages are import-linter's contract in pyproject.toml (``lint-imports``
in .ci/run); this test covers the module level, which that contract does not see."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "compiler"
MAX_LINES = 620  # "modules of 100-600 lines", with a little slack for a docstring


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported_modules(source: str, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The compiler modules a module imports at run time, wherever the import statement is."""
    found: set[str] = set()
    base = name if is_package else name.rpartition(".")[0]

    def resolve(module: str) -> str | None:
        while module and module not in known:
            module = module.rpartition(".")[0]
        return module or None

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("compiler"):
                    target = resolve(alias.name)
                    if target:
                        found.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                module = ".".join(anchor + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.startswith("compiler"):
                for alias in node.names:  # "from compiler.load import walk" imports the module walk
                    target = resolve(f"{module}.{alias.name}") if f"{module}.{alias.name}" in known else resolve(module)
                    if target:
                        found.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    found.discard(name)
    return found


def import_graph(package: Path) -> nx.DiGraph:
    files = sorted(package.rglob("*.py"))
    known = {module_name(f) for f in files}
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for f in files:
        name = module_name(f)
        for target in imported_modules(f.read_text(encoding="utf-8"), name, f.name == "__init__.py", known):
            # A package's __init__ importing its own modules is not a cycle with them.
            if not target.startswith(name + ".") or f.name != "__init__.py":
                graph.add_edge(name, target)
    return graph


def test_the_graph_sees_imports_inside_functions_and_ignores_type_checking_ones() -> None:
    known = {"compiler.a", "compiler.b", "compiler.c", "compiler.pkg", "compiler.pkg.d"}
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from compiler.c import X\n"
        "def f():\n    from compiler.b import y\n    import compiler.pkg.d\n"
        "from compiler.pkg import d\n"
    )
    assert imported_modules(source, "compiler.a", False, known) == {"compiler.b", "compiler.pkg.d"}
    cyclic = nx.DiGraph([("compiler.a", "compiler.b"), ("compiler.b", "compiler.a")])
    assert list(nx.simple_cycles(cyclic))


def test_no_import_cycles_among_compiler_modules() -> None:
    graph = import_graph(PACKAGE)
    assert graph.number_of_edges() > 50  # the walk found the imports at all
    cycles = sorted(" -> ".join(c + [c[0]]) for c in nx.simple_cycles(graph))
    assert cycles == [], "\n".join(cycles[:20])


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_not_far_over_600_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines: split it by what its parts do"
