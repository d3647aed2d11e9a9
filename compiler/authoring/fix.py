"""Repair broken YAML headers without losing a word (`compile-glossary fix`).

Machine-written headers break in a few mechanical ways: a plain value holding
`: `, a value starting with a backtick, `*`, `>` or `|`, `[`/`]`/`,` inside a flow
list item, `\\(` inside double quotes, an apostrophe inside single quotes, a quoted
or bracketed start followed by more text. Each is repaired by re-quoting the value
(or the offending items of a flow list) on the broken line only, then the block is
parsed again and the next error, if any, is repaired the same way.

Nothing is written on trust: before a fix is accepted the repaired block is parsed
and every value on a changed line is compared with the text the author wrote there
(the quoted value must be exactly that text; a list must hold exactly its items),
and no value may reach into or out of a changed line. If any check fails the file
is refused with the reason. Lines that were not broken keep their bytes, their
line ends (CRLF stays CRLF) and their comments; a file whose headers parse is never
rewritten (only ``--merge-headers`` touches it, see :mod:`compiler.authoring.fixmerge`).
"""
from __future__ import annotations

import difflib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import yaml

from compiler.load.terms import MAX_FILE_BYTES, read_file, split_blocks
from compiler.load.yamlnodes import compose

MAX_ROUNDS = 200  # repairs per block; a header has far fewer broken lines
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


@dataclass(frozen=True)
class Repair:
    """New lines for an entry, the value the author wrote, and the breakage family."""

    lines: tuple[str, ...]
    expected: Shape
    family: str


@dataclass(frozen=True)
class Applied:
    entry: Entry
    repair: Repair


@dataclass(frozen=True)
class Problem:
    """Why (part of) a file could not be repaired. ``line`` is 1-based in the file."""

    line: int
    column: int
    reason: str


@dataclass(frozen=True)
class FileFix:
    """The outcome for one file: ``status`` is clean, fixed, refused or error."""

    path: Path
    display: str
    status: str
    original: str = ""
    fixed: str = ""
    families: tuple[str, ...] = ()
    changed_lines: tuple[int, ...] = ()  # 1-based
    problems: tuple[Problem, ...] = ()

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


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
            if _value_kind(value[:m.start()]) != "plain":  # a whole list or quoted text, then a comment
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
    elif value[0] == "[" and _closer(value) < 0:  # a flow list over several lines, up to its `]`
        j = index + 1
        while j < len(lines) and lines[j].strip() and _indent(lines[j]) > key_col:
            parts.append(lines[j].rstrip(" \t"))
            last = j
            close = _closer("\n".join(parts))
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


def _alone(item: str) -> yaml.Node | None:
    """The single node ``item`` composes to inside a flow list, or None when it does not."""
    if _parse_error(f"[{item}]\n", strict=True) is not None:
        return None
    node = compose(f"[{item}]\n")
    if not isinstance(node, yaml.SequenceNode) or len(node.value) != 1:
        return None
    return node.value[0]


def _standalone_plain_ok(value: str) -> bool:
    """Does ``k: value`` parse on its own to a plain scalar holding exactly ``value``?"""
    if _parse_error(f"k: {value}\n", strict=True) is not None:
        return False
    node = compose(f"k: {value}\n")
    if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
        return False
    v = node.value[0][1]
    return isinstance(v, yaml.ScalarNode) and not v.style and v.value == value


# --- repairs, one per value shape -------------------------------------------------------

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


def _closer(text: str) -> int:
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


def _requote_quoted(text: str) -> tuple[str, str] | None:
    """A broken quoted scalar ``'...'``/``"..."`` re-quoted: (new text, the value the author meant)."""
    if len(text) < 2 or text[0] != text[-1] or text[0] not in "'\"":
        return None
    inner = text[1:-1]
    if text[0] == "'":
        value = inner.replace("''", "'")
        return "'" + value.replace("'", "''") + "'", value
    # In a double-quoted text that does not parse, backslashes were meant literally
    # (LaTeX: `\(`, `\text`); only `\"` was written to keep the quotes balanced.
    value = inner.replace('\\"', '"')
    return quote(value), value


def _single_line(entry: Entry, new_value: str, expected: Shape, family: str) -> Repair:
    return Repair((entry.head + new_value + entry.comment,), expected, family)


def repair_plain(entry: Entry, family: str) -> Repair | None:
    """Quote the whole value, across its continuation lines if it has any."""
    if len(entry.parts) == 1:
        value = entry.value
        if _standalone_plain_ok(value):
            return None  # not broken by itself: quoting could change its type
        return _single_line(entry, quote(value), value, family)
    if any(re.search(r"(^|\s)#", p) for p in entry.parts[1:]):
        return None  # a comment inside a multi-line value: where the value ends is unclear
    value = fold(entry.parts)
    if _standalone_plain_ok(" ".join(p.strip() for p in entry.parts)):
        return None
    single = any(c in p for p in entry.parts for c in '"\\')
    esc: Callable[[str], str] = (lambda s: s.replace("'", "''")) if single else (lambda s: s)
    q = "'" if single else '"'
    lines = [entry.head + q + esc(entry.parts[0])]
    lines += [esc(p) for p in entry.parts[1:]]
    lines[-1] = lines[-1].rstrip(" \t") + q
    return Repair(tuple(lines), value, family)


def repair_quoted(entry: Entry, family: str) -> Repair | None:
    fixed = _requote_quoted(entry.value)
    if fixed is None or len(entry.parts) != 1:
        return None
    return _single_line(entry, fixed[0], fixed[1], family)


def repair_flow_list(entry: Entry, family: str) -> Repair | None:
    """Quote the items of a `[...]` list that YAML cannot read; keep the others as written.

    The list may run over several lines; items are quoted in place, so every line keeps
    its place (an item broken across two lines is left alone).
    """
    inner = entry.joined[1:-1]
    items = split_items(inner)
    if len(items) > 1 and is_prose(inner, items):
        items = [inner]
    new_items, expected = [], []
    for n, raw in enumerate(items):
        text = raw.strip()
        lead, trail = raw[:len(raw) - len(raw.lstrip())], raw[len(raw.rstrip()):]
        if not text:
            if n == len(items) - 1 and n > 0 or len(items) == 1:
                new_items.append(raw)
                continue
            return None  # `[a, , b]`: an empty item in the middle has no value to keep
        node = _alone(text)  # kept as written: a nested list, a quoted text, or plain text read as written
        if node is not None and (isinstance(node, yaml.SequenceNode) or isinstance(node, yaml.ScalarNode)
                                 and (node.style or node.value == text)):
            new_items.append(raw)
            expected.append(shape(node))
            continue
        if "\n" in text:
            return None
        requoted = _requote_quoted(text)
        new_text, value = requoted if requoted else (quote(text), text)
        new_items.append(lead + new_text + trail)
        expected.append(value)
    if new_items == items:
        return None
    lines = ("[" + ",".join(new_items) + "]").split("\n")
    lines[0] = entry.head + lines[0]
    lines[-1] += entry.comment
    return Repair(tuple(lines), tuple(expected), family)


def _value_kind(value: str) -> str:
    if value[:1] in "[{" and _closer(value) == len(value) - 1:
        return "flow-list" if value[0] == "[" and value[-1] == "]" else "plain"
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return "quoted"
    return "plain"


_REPAIRS: dict[str, Callable[[Entry, str], Repair | None]] = {
    "flow-list": repair_flow_list,
    "quoted": repair_quoted,
    "plain": repair_plain,
}

# The breakage family, from PyYAML's problem text (first match wins).
_FAMILIES: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", "colon in a plain value"),
    ("unknown escape character|expected escape sequence", "bad escape in double quotes"),
    ("found undefined alias|alphabetic or numeric character", "value starting with *"),
    ("cannot start any token", "value starting with a backtick, @ or %"),
    ("block scalar|indentation indicator|expected comment or line break", "value starting with > or |"),
    ("expected ',' or ']'", "list syntax inside a flow list item"),
    ("expected ',' or '}'", "text inside a flow mapping"),
    ("did not find expected key", "text after a quoted or bracketed value"),
    ("expected <block end>", "quoted value followed by text"),
    ("end of stream", "unbalanced quote"),
)


def family_of(exc: yaml.MarkedYAMLError) -> str:
    problem = f"{exc.problem or ''} {exc.context or ''}"
    return next((name for needles, name in _FAMILIES if any(n in problem for n in needles.split("|"))),
                "other YAML error")


def _candidates(exc: yaml.MarkedYAMLError, nlines: int) -> list[int]:
    """Lines to try, best first: a flow collection or quoted scalar's start, then the error line."""
    out: list[int] = []
    context = exc.context or ""
    if exc.context_mark is not None and ("flow" in context or "quoted" in context or "plain" in context):
        out.append(exc.context_mark.line)
    if exc.problem_mark is not None:
        out.append(min(exc.problem_mark.line, nlines - 1))
    if exc.context_mark is not None and exc.context_mark.line not in out:
        out.append(exc.context_mark.line)
    return out


# --- one block --------------------------------------------------------------------------

@dataclass
class BlockFix:
    lines: list[str]
    applied: list[Applied] = field(default_factory=list)
    problem: tuple[int, int, str] | None = None  # 0-based line in block, 0-based column, reason


def _parse_error(text: str, *, strict: bool = False) -> yaml.YAMLError | None:
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


def repair_block(lines: Sequence[str]) -> BlockFix:
    """Repair the lines of one block (no fences) error by error; verify before returning."""
    out = BlockFix(list(lines))
    for _round in range(MAX_ROUNDS):
        exc = _parse_error("\n".join(out.lines) + "\n", strict=True)
        if exc is None:
            break
        if not isinstance(exc, yaml.MarkedYAMLError):
            out.problem = (0, 0, str(exc).split("\n")[0])
            return out
        mark = exc.problem_mark or exc.context_mark
        family = family_of(exc)
        line = out.lines[mark.line] if mark and mark.line < len(out.lines) else ""
        if "\t" in line[:len(line) - len(line.lstrip(" \t"))]:
            out.problem = (mark.line, mark.column, "a tab in the indentation; its width is unknown, so it is left to you")
            return out
        done = {a.entry.first for a in out.applied}
        entries = [e for i in _candidates(exc, len(out.lines)) for e in find_entries(out.lines, i)]
        for entry in entries:
            if any(entry.first <= d <= entry.last for d in done):
                continue
            repair = _REPAIRS[_value_kind(entry.joined if entry.value[0] == "[" else entry.value)](entry, family)
            if repair is None:
                continue
            out.lines[entry.first:entry.last + 1] = repair.lines
            out.applied.append(Applied(entry, repair))
            break
        else:
            where = (mark.line, mark.column) if mark else (0, 0)
            out.problem = (*where, f"no safe repair found (PyYAML: {exc.problem or exc.context})")
            return out
    else:
        out.problem = (0, 0, f"more than {MAX_ROUNDS} repairs were needed; left as it was")
        return out
    reason = verify(out.lines, out.applied)
    if reason:
        out.problem = reason
    return out


def _walk(node: yaml.Node, visit: Callable[[yaml.Node, yaml.Node | None], None], key: yaml.Node | None = None) -> None:
    visit(node, key)
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _walk(child, visit)
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            _walk(k, visit)
            _walk(v, visit, k)


def verify(lines: Sequence[str], applied: Sequence[Applied]) -> tuple[int, int, str] | None:
    """The lossless check: each repaired value holds exactly the author's text, and nothing leaks.

    Returns None when the repair is safe, else (line, column, reason), 0-based in the block.
    """
    try:
        root = compose("\n".join(lines) + "\n")
    except yaml.YAMLError as exc:  # pragma: no cover - repair_block only verifies parsed text
        return 0, 0, f"the repaired header does not parse: {exc}"
    if root is None:
        return 0, 0, "the repaired header is empty"
    found: dict[int, yaml.Node] = {}
    spans: list[tuple[int, int, int]] = []
    targets = {(a.entry.first, len(a.entry.head)): a for a in applied}

    def visit(node: yaml.Node, key: yaml.Node | None) -> None:
        s, e = node.start_mark, node.end_mark
        a = targets.get((s.line, s.column))
        if a is not None and a.entry.first not in found and (key is not None) == (a.entry.key is not None):
            found[a.entry.first] = node
        if isinstance(node, yaml.ScalarNode):
            spans.append((s.line, e.line if e.column or e.line == s.line else e.line - 1, s.column))

    _walk(root, visit)
    for a in applied:
        entry = a.entry
        node = found.get(entry.first)
        if node is None:
            return entry.first, len(entry.head), "after the repair this value is no longer where the author wrote it"
        if shape(node) != a.repair.expected:
            return entry.first, len(entry.head), (f"the repair would change the value: {shape(node)!r} "
                                                   f"instead of {a.repair.expected!r}")
        if node.end_mark.line > entry.last:
            return entry.first, len(entry.head), "after the repair this value would swallow the lines below it"
        for first, last, _col in spans:
            if (first < entry.first <= last) or (entry.first <= first <= entry.last < last):
                return first, 0, "after the repair a value would reach across a repaired line"
    return None


# --- files ------------------------------------------------------------------------------

def _looks_all_yaml(lines: Sequence[str]) -> bool:
    """Is a block plausibly a YAML header (every top-level line a key, an item or a comment)?

    Without a closing `---` a Markdown body would be read as YAML, and a Markdown file
    may open with a `---` rule; "repairing" prose would be wrong, so a block is repaired
    only when nothing in it looks like prose.
    """
    for line in lines:
        if line.strip() and not line[:1].isspace() and not line.startswith(("#", "- ")) \
                and split_key(line, False)[0] is None:
            return False
    return True


def fix_text(text: str) -> tuple[str, list[str], list[int], list[Problem]]:
    """Repair every block of ``text`` that does not parse.

    Returns (new text, families repaired, changed 1-based lines, problems). Line ends
    are kept per line: the block is parsed with ``\\r`` removed and put back on write.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    raw_lines = text[len(bom):].split("\n")
    norm = [line[:-1] if line.endswith("\r") else line for line in raw_lines]
    split = split_blocks("\n".join(norm))
    families: list[str] = []
    changed: list[int] = []
    problems: list[Problem] = []
    for block in split.blocks:
        first = block.fence_line  # 0-based index of the block's first content line
        count = len(block.text.split("\n")) - (1 if block.closed else 0)
        body = norm[first:first + count]
        if _parse_error("\n".join(body) + "\n") is None:
            continue
        if not _looks_all_yaml(body):
            problems.append(Problem(block.fence_line, 1, "the header has no closing `---`; add it, then run fix again"
                                    if not block.closed else "this `---` block holds prose, not a YAML header"))
            continue
        result = repair_block(body)
        if result.problem is not None:
            line, col, reason = result.problem
            problems.append(Problem(first + line + 1, col + 1, reason))
            continue
        for a in result.applied:
            families.append(a.repair.family)
        for i, new in enumerate(result.lines):
            if new != body[i]:
                ending = "\r" if raw_lines[first + i].endswith("\r") else ""
                raw_lines[first + i] = new + ending
                changed.append(first + i + 1)
    return bom + "\n".join(raw_lines), families, changed, problems


def fix_file(path: Path, display: str | None = None) -> FileFix:
    """Read ``path`` and compute its repair (nothing is written here)."""
    display = display or path.as_posix()
    _st, data, refused = read_file(path, display, MAX_FILE_BYTES)  # a regular file, at most MAX_FILE_BYTES read
    if data is None:
        reason = refused[0].message if refused else "the file cannot be read"
        return FileFix(path, display, "error", problems=(Problem(0, 0, reason),))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return FileFix(path, display, "error", problems=(Problem(0, 0, "the file is not UTF-8 text; left as it is"),))
    fixed, families, changed, problems = fix_text(text)
    if problems:
        return FileFix(path, display, "refused", text, text, tuple(families), (), tuple(problems))
    status = "fixed" if fixed != text else "clean"
    return FileFix(path, display, status, text, fixed, tuple(families), tuple(changed))


def write_fix(result: FileFix) -> str | None:
    """Write a repaired file back (atomically, keeping its mode); the reason on failure, else None."""
    if not result.changed:
        return None
    tmp = result.path.with_name(f".{result.path.name}.fix-tmp")
    try:
        tmp.write_bytes(result.fixed.encode("utf-8"))
        os.chmod(tmp, stat.S_IMODE(result.path.stat().st_mode))
        os.replace(tmp, result.path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        return f"cannot write the file: {exc.strerror or exc}"
    return None


def unified_diff(result: FileFix) -> str:
    """The repair as a `git apply`-able unified diff (empty when nothing changes)."""
    name = result.display.lstrip("/")
    diff = difflib.unified_diff(result.original.splitlines(keepends=True), result.fixed.splitlines(keepends=True),
                                f"a/{name}", f"b/{name}", n=1)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff)


__all__ = ["Entry", "Repair", "FileFix", "Problem", "fix_text", "fix_file", "write_fix", "unified_diff",
           "repair_block", "verify", "quote", "split_items", "parse_entry", "find_entries", "fold"]
