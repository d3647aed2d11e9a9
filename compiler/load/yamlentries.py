"""A YAML header read line by line, as an author wrote it: entries, quoting, flow-list items.

PyYAML reads a header whole or not at all; the repair of a broken one
(:mod:`compiler.load.yamlrepair`) needs to see each ``key: value`` line (an *entry*,
with its continuation lines), to quote a value the way YAML reads it back, and to
split a ``[...]`` list into items the way its author meant them. Nothing here
changes a file; it only reads lines and composes small texts.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from compiler.load.yamlnodes import compose

_KEY_LIKE = re.compile(r"^[A-Za-z_][\w.\-]*$")  # a key inside a `- ` item (else the item is text)
_PLAIN_START_BAD = set("[]{}#&*!|>'\"%@`,?:-")
_BREAKS = {"\x85", "\u2028", "\u2029"}


# --- one entry of a block: `indent [- ]key: value` plus continuation lines --------------

@dataclass(frozen=True)
class Entry:
    """The value of one `key: value` line (or `- item` line), and the lines it spans."""

    first: int  # 0-based index in the block's lines
    last: int  # inclusive
    head: str  # indentation, dashes, key and `: ` before the value
    key: str | None
    parts: tuple[str, ...]  # the value on the first line, then each continuation line as written
    comment: str  # what follows the value on its last line (spaces, ` # comment`), kept verbatim

    @property
    def value(self) -> str:
        return self.parts[0]

    @property
    def joined(self) -> str:
        """The value with its continuation lines, line breaks kept."""
        return "\n".join(self.parts)


Shape = Any  # str for a scalar's text, tuple for a list, ("{}", pairs) for a mapping



def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def split_key(rest: str, in_item: bool) -> tuple[str | None, int]:
    """(key, offset of the value) for ``rest`` = the line after indentation and dashes."""
    if rest[:1] in ("'", '"'):
        q = rest[0]
        end = rest.find(q, 1)
        while end > 0 and q == "'" and rest[end + 1:end + 2] == "'":
            end = rest.find(q, end + 2)
        if end > 0 and rest[end + 1:end + 2] == ":" and rest[end + 2:end + 3] in (" ", ""):
            return rest[:end + 1], end + 2
        return None, 0
    if rest[:1] in _PLAIN_START_BAD and not (rest[:1] in "-?:" and rest[1:2] not in (" ", "")):
        return None, 0
    m = re.search(r":(?: |$)", rest)
    if not m or " #" in rest[:m.start()]:
        return None, 0
    key = rest[:m.start()]
    if not key.strip() or (in_item and not _KEY_LIKE.match(key)):
        return None, 0
    return key, m.end()


def parse_entry(lines: Sequence[str], index: int) -> Entry | None:
    """The entry whose value starts on ``lines[index]``, or None when the line holds no value."""
    line = lines[index]
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    pos = _indent(line)
    dashes, dash_col = 0, pos
    while line[pos:pos + 1] == "-" and line[pos + 1:pos + 2] in (" ", ""):
        dash_col = pos
        pos += 1
        dashes += 1
        while line[pos:pos + 1] == " ":
            pos += 1
    key, offset = split_key(line[pos:], dashes > 0)
    if key is None and dashes == 0:
        return None
    start = pos + offset
    while line[start:start + 1] == " ":
        start += 1
    value = line[start:].rstrip(" \t")
    if not value:
        return None
    if value[0] not in "[{'\"":
        cut = re.search(r"\s#", value)  # a plain value ends where a ` # comment` starts
        if cut:
            value = value[:cut.start()].rstrip(" \t")
    else:
        for m in re.finditer(r"(?<=[\]}'\"])\s+#", value):
            if value_kind(value[:m.start()]) != "plain":  # a whole list or quoted text, then a comment
                value = value[:m.start()]
                break
    comment = line[start + len(value):]  # trailing spaces and comment, kept verbatim
    head = line[:start]
    parts = [value]
    last = index
    # Continuation lines of a plain multi-line value: deeper than the key, no new entry.
    key_col = pos if key is not None else dash_col
    if not comment.strip() and value[0] not in "[{'\"|>":
        j = index + 1
        while j < len(lines) and lines[j].strip() and _indent(lines[j]) > key_col \
                and not lines[j].lstrip().startswith("#"):
            parts.append(lines[j])
            last = j
            j += 1
    elif value[0] == "[" and closer(value) < 0:  # a flow list over several lines, up to its `]`
        j = index + 1
        while j < len(lines) and lines[j].strip() and _indent(lines[j]) > key_col:
            parts.append(lines[j].rstrip(" \t"))
            last = j
            close = closer("\n".join(parts))
            if close >= 0:  # what follows the `]` on its line (spaces, a comment) is kept as it is
                keep = len(parts[-1]) - (len("\n".join(parts)) - close - 1)
                parts[-1], comment = parts[-1][:keep], lines[j][keep:]
                break
            j += 1
        else:
            return Entry(index, index, head, key, (value,), comment)
    return Entry(index, last, head, key, tuple(parts), comment)


def find_entries(lines: Sequence[str], index: int) -> list[Entry]:
    """Entries line ``index`` may belong to: its own `key: value`, then a multi-line value above it.

    A continuation line such as ``  and on: more`` looks like an entry of its own; the
    value it continues is found by walking up to the first less indented line.
    """
    if not 0 <= index < len(lines):
        return []
    found = [e for e in (parse_entry(lines, index),) if e is not None]
    depth = _indent(lines[index])
    for j in range(index - 1, -1, -1):
        if not lines[j].strip():
            break
        if _indent(lines[j]) < depth:
            outer = parse_entry(lines, j)
            if outer is not None and outer.last >= index:
                found.append(outer)
            break
    return found


# --- quoting ----------------------------------------------------------------------------

def _escape_double(value: str) -> str:
    special = {'"': '\\"', "\\": "\\\\", "\t": "\\t"}
    return "".join(special.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) < 32 or ch == "\x7f" or ch in _BREAKS else ch)
                   for ch in value)


def quote(value: str) -> str:
    """``value`` as one YAML quoted scalar: double quotes when nothing needs escaping, else single."""
    if any(ord(c) < 32 and c != "\t" or c == "\x7f" or c in _BREAKS for c in value):
        return '"' + _escape_double(value) + '"'
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def fold(parts: Sequence[str]) -> str:
    """The value YAML gives a multi-line plain (or quoted) scalar: lines joined by spaces."""
    out, blank = [parts[0].strip()], 0
    for p in parts[1:]:
        if not p.strip():
            blank += 1
            continue
        out.append("\n" * blank if blank else " ")
        out.append(p.strip())
        blank = 0
    return "".join(out)


# --- shapes: what a node holds, compared before and after a repair ----------------------

def shape(node: yaml.Node) -> Shape:
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return tuple(shape(n) for n in node.value)
    return ("{}", tuple((shape(k), shape(v)) for k, v in node.value))


def alone(item: str) -> yaml.Node | None:
    """The single node ``item`` composes to inside a flow list, or None when it does not."""
    if parse_error(f"[{item}]\n", strict=True) is not None:
        return None
    node = compose(f"[{item}]\n")
    if not isinstance(node, yaml.SequenceNode) or len(node.value) != 1:
        return None
    return node.value[0]


def standalone_plain_ok(value: str) -> bool:
    """Does ``k: value`` parse on its own to a plain scalar holding exactly ``value``?"""
    if parse_error(f"k: {value}\n", strict=True) is not None:
        return False
    node = compose(f"k: {value}\n")
    if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
        return False
    v = node.value[0][1]
    return isinstance(v, yaml.ScalarNode) and not v.style and v.value == value


# --- flow lists: items, brackets, prose ------------------------------------------------

_OPEN, _CLOSE = "([{", ")]}"


def _scan(text: str) -> Iterator[tuple[int, str, int]]:
    """Each character outside quoted text and code spans, with the bracket depth before it.

    A `"..."` or backtick span is skipped when it closes; a `'` only when it starts an
    item (elsewhere it is an apostrophe). Any of ) ] } closes any of ( [ {, so that an
    interval such as `[0, ∞)` balances.
    """
    depth, start, i = 0, 0, 0
    while i < len(text):
        c = text[i]
        at_item_start = not text[start:i].strip()
        if c in '"`' or (c == "'" and at_item_start):
            j = i + 1
            while (j := text.find(c, j)) > 0:
                if c == '"' and at_item_start and text[j - 1] == "\\" or c == "'" and text[j + 1:j + 2] == "'":
                    j += 1 if c == '"' else 2
                    continue
                break
            if j > 0:
                i = j + 1
                continue
        yield i, c, depth
        if c in _OPEN:
            depth, start = depth + 1, i + 1
        elif c in _CLOSE:
            depth = max(0, depth - 1)
        elif c == ",":
            start = i + 1
        i += 1


def closer(text: str) -> int:
    """Index of the bracket closing ``text[0]``; -1 if none."""
    return next((i for i, c, depth in _scan(text) if c in _CLOSE and depth == 1), -1)


def split_items(inner: str) -> list[str]:
    """Items of a flow list's inside, split at commas outside brackets, quotes and backticks."""
    cuts = [i for i, c, depth in _scan(inner) if c == "," and depth == 0]
    return [inner[a + 1:b] for a, b in zip([-1] + cuts, cuts + [len(inner)])]


_CONTINUES = re.compile(r"(?:e\.g|i\.e|etc|cf)\.?(?:$|\s)|(?:and|or|but|which|from|with|where|while|whose)\b")


def is_prose(inner: str, items: Sequence[str]) -> bool:
    """Is a broken `[...]` list one sentence rather than items? Then its commas are kept as text.

    A flow list's commas separate items, but machine-written lists often hold one
    sentence in brackets (`["Basin" is a term in X, from which ...]`). Splitting it
    would drop the commas from the text, so a list whose later parts continue a
    sentence (start with a lower-case word and the text ends with a full stop, or
    start with "and", "e.g."...) is kept as one item.
    """
    rest = [p.strip() for p in items[1:]]
    if any(_CONTINUES.match(p) for p in rest):
        return True
    return inner.rstrip().endswith(".") and any(p[:1].islower() for p in rest)


def value_kind(value: str) -> str:
    if value[:1] in "[{" and closer(value) == len(value) - 1:
        return "flow-list" if value[0] == "[" and value[-1] == "]" else "plain"
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return "quoted"
    return "plain"




def parse_error(text: str, *, strict: bool = False) -> yaml.YAMLError | None:
    """The loader's parse error for ``text``, or None. ``strict``: PyYAML's pure parser must agree too.

    libyaml accepts a few things PyYAML's own parser rejects (`[a?, b]`); what fix writes
    must parse with both, so repaired blocks are checked strictly.
    """
    try:
        compose(text)
        if strict:
            yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return exc
    except RecursionError:
        return yaml.YAMLError("the header nests too deeply")
    return None


__all__ = [
    "Entry",
    "Shape",
    "alone",
    "closer",
    "find_entries",
    "fold",
    "is_prose",
    "parse_entry",
    "parse_error",
    "quote",
    "shape",
    "split_items",
    "split_key",
    "standalone_plain_ok",
    "value_kind",
]
