"""The budgets one term file may spend while it is read and parsed, and the text clean-up.

Why budgets per file, counted across all of its front-matter blocks: a cap per block
let many small alias bombs in one file add up to minutes, and a cap on constructed values
did not see that one anchored long string named by many aliases is a gigabyte of pages
(bench/bench_hostile.py times each such file; bench/README.md).
Every budget here is spent by one file alone, so a hostile file costs bounded time
and memory whatever its neighbours do, and an exceeded budget is that file's located
``yaml-too-large`` error naming the budget (docs/guarantees.md lists them all).

Why text is cleaned once here: a lone surrogate (``"\\ud800"`` in a double-quoted
YAML string) or a non-character cannot be written as UTF-8 or XML, and every later
stage (pages, search index, exports, reports) would have to guard against it. They are
replaced with U+FFFD where they enter, and reported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_FILE_BYTES = 16 * 1024 * 1024  # bytes read from one file (counted as read, not from its size)
MAX_VALUES = 100_000  # YAML values per file, all blocks together, aliases counted each time they expand
MAX_ALIAS_CHARS = 1_000_000  # characters of text reached again through aliases, per file
MAX_PURE_PARSER_CHARS = 32 * 1024  # text per file parsed by PyYAML's pure-Python parser (far slower than libyaml)

# Lone surrogates and the 66 non-characters (U+FDD0..U+FDEF and the last two code points of every
# plane). One range stands for the astral ones (checked one by one, ``_bad``): a class of 38 items
# made the scan of a body near the file cap several times slower than this one.
_CANDIDATE = re.compile("[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U0001fffe-\U0010ffff]")


def _bad(char: str) -> bool:
    code = ord(char)
    return code < 0x10000 or code & 0xFFFE == 0xFFFE


@dataclass
class FileBudget:
    """What is left of one file's budgets; shared by the parse of each of its blocks."""

    values: int = MAX_VALUES
    alias_chars: int = MAX_ALIAS_CHARS
    pure_chars: int = MAX_PURE_PARSER_CHARS
    exhausted: bool = False  # a budget ran out and was reported: the file's later blocks are not parsed


def invalid_char(text: str) -> str | None:
    """The first lone surrogate or non-character in ``text``, or None (ASCII text: at once)."""
    if text.isascii():
        return None
    for found in _CANDIDATE.finditer(text):
        if _bad(found.group()):
            return found.group()
    return None


def clean(text: str) -> str:
    """``text`` with every lone surrogate and non-character replaced by U+FFFD."""
    return _CANDIDATE.sub(lambda found: "\ufffd" if _bad(found.group()) else found.group(), text)


def describe(char: str) -> str:
    """How a report names a character that was replaced."""
    kind = "a lone surrogate (half of a UTF-16 pair, not a character)" if "\ud800" <= char <= "\udfff" \
        else "a non-character"
    return f"U+{ord(char):04X}, {kind}"


__all__ = ["MAX_FILE_BYTES", "MAX_VALUES", "MAX_ALIAS_CHARS", "MAX_PURE_PARSER_CHARS", "FileBudget",
           "invalid_char", "clean", "describe"]
