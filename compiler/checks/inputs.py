"""What a term's checks read, and nothing heavier: the build asks it without loading the evaluator.

The checks of a term are a function of its id, its file, its header data and the
locations of its hints (hooks are given id, file and data; results and diagnostics
carry the hints' lines); without hooks, of its hints and the mappings holding them
alone. The body is not among them, so an edit of the prose keeps the term's check
results: :func:`same_check_inputs` tells the build when it may.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from compiler.model import pointer_join


def iter_hints(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any], Any]]:
    """(pointer, the mapping holding it, hint) for every ``equation_hint`` under ``formal_mappings``."""
    fm = data.get("formal_mappings")
    if not isinstance(fm, (dict, list)):
        return
    out: list[tuple[str, Mapping[str, Any], Any]] = []

    def visit(pointer: str, node: Any, depth: int) -> None:
        if depth > 20:
            return
        if isinstance(node, dict):
            if "equation_hint" in node:
                out.append((pointer + "/equation_hint", node, node["equation_hint"]))
            for k, v in node.items():
                if k != "equation_hint" and isinstance(v, (dict, list)):
                    visit(pointer_join(pointer, k), v, depth + 1)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                visit(f"{pointer}/{i}", v, depth + 1)

    visit("/formal_mappings", fm, 0)
    yield from out


SYMBOL_TABLE = "/operational_definition/symbol_table"


def symbol_table(data: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(pointer, entry) of each mapping in the term's ``operational_definition.symbol_table``."""
    od = data.get("operational_definition")
    table = od.get("symbol_table") if isinstance(od, Mapping) else None
    if not isinstance(table, list):
        return []
    return [(f"{SYMBOL_TABLE}/{i}", e) for i, e in enumerate(table) if isinstance(e, Mapping)]


def same_check_inputs(old: Any, new: Any, builtin_only: bool = False) -> bool:
    """Whether terms ``old`` and ``new`` give the same check results and diagnostics.

    Equal id and file, each hint at the same place, and equal header data; or, when
    ``builtin_only`` (no result of ``old`` came from a hook), equal hints, the mappings
    holding them and the symbol table. Why the second: a hook is given the whole header,
    but the built-in evaluator reads only the hint, its mapping (``check``, claimed values)
    and the term's symbol table (what a symbol means here, its dimension), so a header
    edit elsewhere (a definition, a status) keeps the term's results. Which hook
    a hint goes to depends on the hint and the hooks configured, which are in the
    cache's environment: an unchanged hint that no hook took before is taken by none now.
    Values that are not equal to themselves (a NaN) only make this False: the term is
    checked again.
    """
    if old is None or new is None or old.id != new.id or old.file != new.file:
        return False
    new_data = new.data if isinstance(new.data, Mapping) else {}
    old_data = old.data if isinstance(old.data, Mapping) else {}
    hints = list(iter_hints(new_data))
    if old.data != new.data and not (builtin_only and hints == list(iter_hints(old_data))
                                     and symbol_table(new_data) == symbol_table(old_data)):
        return False
    return all(old.location(pointer) == new.location(pointer) for pointer, _, _ in hints)


__all__ = ["iter_hints", "same_check_inputs", "symbol_table"]
