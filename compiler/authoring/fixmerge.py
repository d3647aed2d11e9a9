"""`fix --merge-headers`: one header instead of a stub block and a full header.

Machine-written term files carry a short stub block and then the full header; the
loader merges them on every run and warns where they disagree. This rewrites such
a file with one header: each key keeps its fuller value (a value that only repeats
or extends the other one, by the loader's own merge rules in :mod:`compiler.load.merge`),
the full header's key order and lines are kept, and keys only the stub has are
carried over after the key they follow there. Two non-empty values where neither
extends the other are a conflict: it is reported with both lines and the headers are left
unmerged, never guessed (repairs of broken YAML in the file still apply). The merged header is parsed and compared, value by
value, with what the loader would have used before anything is written.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from compiler.authoring.fix import FileFix, Problem, split_key
from compiler.load.blocks import split_blocks
from compiler.load.merge import _EXTENDS, _text, extends, is_empty
from compiler.load.yamlnodes import compose, construct, pointer_join


def _top_entries(lines: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Top-level key -> (first line, end line exclusive) in a block's lines."""
    starts = [(i, split_key(line, False)[0]) for i, line in enumerate(lines)
              if line[:1] not in ("", " ", "#", "-") and split_key(line, False)[0] is not None]
    out: dict[str, tuple[int, int]] = {}
    for n, (i, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        while end > i + 1 and not lines[end - 1].strip():
            end -= 1
        out[str(key).strip("'\"")] = (i, end)
    return out


def merge_file_headers(result: FileFix) -> FileFix:
    """Merge the leading header blocks of an already repaired file into the last one.

    Each key keeps its fuller value (a value that extends the other one, by the
    loader's own merge rules); two non-empty values where neither extends the other
    are a conflict, reported with both lines, and the headers are left unmerged.
    """
    if result.problems or result.status == "error":
        return result
    text = result.fixed
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    raw_lines = text[len(bom):].split("\n")
    norm = [line[:-1] if line.endswith("\r") else line for line in raw_lines]
    blocks = split_blocks("\n".join(norm)).blocks
    if len(blocks) < 2 or not all(b.closed for b in blocks):
        return result
    parsed = []
    for b in blocks:
        built = construct(compose(b.text)) if b.text.strip() else None
        if built is None or not isinstance(built.value, dict) or built.problems:
            return replace(result, problems=(
                Problem(b.fence_line, 1, "a header block does not parse cleanly; fix it before merging"),))
        lines = b.text.split("\n")[:-1]
        parsed.append((b, built, lines, _top_entries(lines)))
    chosen: dict[str, int] = {}  # key -> index of the block whose lines are kept
    problems: list[Problem] = []
    for idx, (b, built, _lines, _entries) in enumerate(parsed):
        for key, value in built.value.items():
            if key not in chosen or is_empty(parsed[chosen[key]][1].value[key]):
                chosen[key] = idx
                continue
            if is_empty(value):
                continue
            old_b, old_built = parsed[chosen[key]][0], parsed[chosen[key]][1]
            pointer = pointer_join("", key)
            old_t, new_t = _text(old_built.value[key], old_built.raw, pointer), _text(value, built.raw, pointer)
            rule = _EXTENDS.get(key, extends)
            if rule(old_t, new_t):
                chosen[key] = idx
            elif not rule(new_t, old_t):
                old_line = old_b.fence_line + 1 + parsed[chosen[key]][3].get(key, (0, 0))[0]
                new_line = b.fence_line + 1 + parsed[idx][3].get(key, (0, 0))[0]
                problems.append(Problem(new_line, 1, f"`{key}` is given differently at line {old_line} and here; "
                                                     "make the two headers agree, then merge"))
    if problems:  # the YAML repairs, if any, still stand; only the merge is refused
        return replace(result, problems=tuple(problems))
    last = len(parsed) - 1
    base_lines, base_entries = parsed[last][2], parsed[last][3]
    first_key = min((s for s, _e in base_entries.values()), default=len(base_lines))
    out: list[str] = list(base_lines[:first_key])
    placed: set[str] = set()
    order = list(base_entries)
    for idx in range(last):  # keys only earlier blocks have, after the key they follow there
        for key in parsed[idx][3]:
            if key not in order and key in chosen:
                before = [k for k in parsed[idx][3] if k in order and list(parsed[idx][3]).index(k) <
                          list(parsed[idx][3]).index(key)]
                order.insert(order.index(before[-1]) + 1 if before else 0, key)
    for key in order:
        idx = chosen.get(key, last)
        if key in placed or key not in parsed[idx][3]:
            continue
        placed.add(key)
        s_, e_ = parsed[idx][3][key]
        out.extend(parsed[idx][2][s_:e_])
    lost = [line for _b, _built, lines, _e in parsed[:last] for line in lines
            if line.lstrip().startswith("#") and line not in out]
    if lost:
        return replace(result, problems=(Problem(blocks[0].fence_line, 1,
                                                 "the stub header holds comments; merge it by hand to place them"),))
    first_fence = blocks[0].fence_line - 1
    close = blocks[-1].fence_line + len(base_lines)  # index of the last block's closing fence
    ending = "\r" if raw_lines[close].endswith("\r") else ""
    merged = raw_lines[:first_fence + 1] + [line + ending for line in out] + raw_lines[close:]
    merged_text = bom + "\n".join(merged)
    check = construct(compose("\n".join(out) + "\n")).value or {}
    want = {k: parsed[chosen[k]][1].value[k] for k in chosen}
    if check != want:
        return replace(result, problems=(
            Problem(blocks[0].fence_line, 1, "merging the headers would change a value; not merged"),))
    if merged_text == result.original:
        return result
    return replace(result, status="fixed", fixed=merged_text, families=result.families + ("merged headers",),
                   changed_lines=tuple(sorted(set(result.changed_lines) | {blocks[0].fence_line})))


__all__ = ["merge_file_headers"]
