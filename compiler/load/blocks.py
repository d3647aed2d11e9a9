"""Front-matter blocks: the leading ``---`` YAML blocks of a file, and its Markdown body.

One splitter for every reader of headers (term files, module documents, ``fix``), so
they agree on what a block is: leading blank lines, ``---`` / ``...`` fences, a stub
block and then the full header separated only by blank lines, an unclosed block that
runs to the end of the file.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """One front-matter block: the text between its fences and where it sits."""

    fence_line: int  # 1-based line of the opening ---
    text: str  # the YAML between the fences
    closed: bool


@dataclass(frozen=True)
class Split:
    blocks: tuple[Block, ...]
    body: str
    body_line: int  # 1-based; 0 when there is no body



def _is_fence(line: str, marks: tuple[str, ...] = ("---",)) -> bool:
    return line.rstrip("\r\n").rstrip(" \t") in marks


def split_blocks(text: str) -> Split:
    """Split ``text`` into leading front-matter blocks and the body.

    A block opens with a ``---`` line and closes with ``---`` (or ``...``); further
    blocks may follow, separated only by blank lines. A block whose closing fence is
    missing runs to the end of the file (``closed=False``).
    """
    lines = text.split("\n")
    i, n = 0, len(lines)
    while i < n and not lines[i].strip():
        i += 1
    blocks: list[Block] = []
    while i < n and _is_fence(lines[i]):
        start = i
        j = i + 1
        while j < n and not _is_fence(lines[j], ("---", "...")):
            j += 1
        closed = j < n
        blocks.append(Block(start + 1, "\n".join(lines[start + 1:j]) + ("\n" if closed else ""), closed))
        if not closed:
            return Split(tuple(blocks), "", 0)
        i = j + 1
        k = i
        while k < n and not lines[k].strip():
            k += 1
        if k < n and _is_fence(lines[k]):
            i = k
            continue
        break
    if not blocks:
        return Split((), text, 1)
    body = "\n".join(lines[i:])
    return Split(tuple(blocks), body, i + 1 if body.strip() else 0)


__all__ = ["Block", "Split", "split_blocks"]
