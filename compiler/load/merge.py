"""Merge a file's front-matter blocks: a later non-empty value wins.

Machine-written term files carry a stub block and then the full header. Where the
two give a key different non-empty values we warn, naming both values and lines,
unless the later value only extends the earlier one: a longer list holding the
earlier items, the same text in another YAML type (``"0.1"`` and ``0.1``), a longer
text containing the earlier one, or the object form of ``provenance`` naming the
same modules as the list form. When ``canonical_id`` changes, the earlier id stays
reachable as an alias (``former_ids``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from compiler.codes import make
from compiler.diagnostics import Diagnostic
from compiler.model import Location, pointer_join

Block = tuple[Mapping[str, Any], Mapping[str, Location], Mapping[str, str]]  # data, locations, raw texts


@dataclass(frozen=True)
class Merged:
    data: dict[str, Any]
    locations: dict[str, Location]
    raw: dict[str, str]
    former_ids: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not (value.strip() if isinstance(value, str) else value))


def _text(value: Any, raw: Mapping[str, str], pointer: str) -> Any:
    """The comparable form of a value: scalars as their written text, collections recursively."""
    if isinstance(value, dict):
        return {k: _text(v, raw, f"{pointer}/{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v, raw, f"{pointer}/{i}") for i, v in enumerate(value)]
    if pointer in raw:
        return raw[pointer]
    if isinstance(value, bool):
        return str(value).lower()
    return " ".join(str(value).split()) if value is not None else ""


def _provenance_modules(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, dict) and isinstance(value.get("sources"), list):
        return [s["module"] for s in value["sources"] if isinstance(s, dict) and isinstance(s.get("module"), str)]
    return None


def _same_module(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "_") or b.startswith(a + "_")


def extends(earlier: Any, later: Any) -> bool:
    """Does ``later`` only repeat or extend ``earlier`` (so that no information is lost)?"""
    if earlier == later or is_empty(earlier):
        return True
    if isinstance(earlier, list) and isinstance(later, list):
        return all(any(extends(e, item) for item in later) for e in earlier)
    if isinstance(earlier, dict) and isinstance(later, dict):
        return all(k in later and extends(v, later[k]) for k, v in earlier.items() if not is_empty(v))
    if isinstance(earlier, str) and isinstance(later, str):  # a longer text holding the earlier one as whole words
        return re.search(r"(?<![\w.])" + re.escape(earlier) + r"(?![\w.])", later) is not None
    return False


def _provenance_extends(earlier: Any, later: Any) -> bool:
    a, b = _provenance_modules(earlier), _provenance_modules(later)
    if a is None or b is None:
        return extends(earlier, later)
    return all(any(_same_module(x, y) for y in b) for x in a)


_EXTENDS = {"provenance": _provenance_extends}


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def merge_blocks(blocks: Sequence[Block], display: str) -> Merged:
    """Merge parsed blocks in file order; see the module docstring for the rules."""
    if len(blocks) == 1:  # the common single-header file: nothing to merge
        only_data, only_locs, only_raw = blocks[0]
        return Merged(dict(only_data), dict(only_locs), dict(only_raw), (), ())
    data: dict[str, Any] = {}
    locations: dict[str, Location] = {"": blocks[0][1].get("", Location(1, 1))} if blocks else {}
    raw: dict[str, str] = {}
    origin: dict[str, tuple[Any, int]] = {}  # key -> (winning value, block index)
    former: list[str] = []
    diags: list[Diagnostic] = []
    for index, (block_data, block_locs, block_raw) in enumerate(blocks):
        for key, value in block_data.items():
            pointer = pointer_join("", key)
            if is_empty(value) and key in data:
                continue
            if key in origin and not is_empty(origin[key][0]) and not is_empty(value):
                old_value, old_index = origin[key]
                _d, old_locs, old_raw = blocks[old_index]
                old_text, new_text = _text(old_value, old_raw, pointer), _text(value, block_raw, pointer)
                if not _EXTENDS.get(key, extends)(old_text, new_text):
                    old_line = old_locs.get(pointer, Location(0, 0)).line
                    new_loc = block_locs.get(pointer, Location(0, 0))
                    hint = "Make the blocks agree, or merge them into one header (`compile-glossary fix --merge-headers`)."
                    message = (f"`{key}` is {_show(old_text)!r} at line {old_line} but {_show(new_text)!r} "
                               f"at line {new_loc.line}; the later value is used")
                    if key == "canonical_id" and isinstance(old_text, str):
                        former.append(old_text)
                        hint = f"The earlier id {old_text!r} stays reachable as an alias. " + hint
                    diags.append(make("header-conflict", display, new_loc.line, new_loc.column, message,
                                      pointer=pointer, hint=hint))
            data[key] = value
            origin[key] = (value, index)
    # Positions and written texts come from the block whose value won, key by key.
    winner = {pointer_join("", key)[1:]: idx for key, (_v, idx) in origin.items()}
    for idx, (_data, block_locs, block_raw) in enumerate(blocks):
        for p, loc in block_locs.items():
            if p and winner.get(p[1:].split("/", 1)[0]) == idx:
                locations[p] = loc
        for p, text in block_raw.items():
            if winner.get(p[1:].split("/", 1)[0]) == idx:
                raw[p] = text
    return Merged(data, locations, raw, tuple(dict.fromkeys(former)), tuple(diags))
