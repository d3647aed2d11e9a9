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

One code path for two callers: ``compile-glossary fix`` (compiler.authoring.fix) writes
what :func:`fix_text` returns, and the loader (compiler.load.terms) reads it when a
header block fails, so a term's page shows exactly the values the fixed file will hold.
It lives with the loader because a stage never imports an authoring tool; the lines it
reads and quotes are in :mod:`compiler.load.yamlentries`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import yaml

from compiler.load.blocks import split_blocks
from compiler.load.yamlentries import (
    Entry,
    Shape,
    alone,
    find_entries,
    fold,
    is_prose,
    parse_error,
    quote,
    shape,
    split_items,
    split_key,
    standalone_plain_ok,
    value_kind,
)
from compiler.load.yamlnodes import compose

MAX_ROUNDS = 200  # repairs per block; a header has far fewer broken lines


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




# --- repairs, one per value shape -------------------------------------------------------

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
        if standalone_plain_ok(value):
            return None  # not broken by itself: quoting could change its type
        return _single_line(entry, quote(value), value, family)
    if any(re.search(r"(^|\s)#", p) for p in entry.parts[1:]):
        return None  # a comment inside a multi-line value: where the value ends is unclear
    value = fold(entry.parts)
    if standalone_plain_ok(" ".join(p.strip() for p in entry.parts)):
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
        node = alone(text)  # kept as written: a nested list, a quoted text, or plain text read as written
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


def repair_block(lines: Sequence[str]) -> BlockFix:
    """Repair the lines of one block (no fences) error by error; verify before returning."""
    out = BlockFix(list(lines))
    for _round in range(MAX_ROUNDS):
        exc = parse_error("\n".join(out.lines) + "\n", strict=True)
        if exc is None:
            break
        if not isinstance(exc, yaml.MarkedYAMLError):
            out.problem = (0, 0, str(exc).split("\n")[0])
            return out
        mark = exc.problem_mark or exc.context_mark
        family = family_of(exc)
        line = out.lines[mark.line] if mark and mark.line < len(out.lines) else ""
        if mark is not None and "\t" in line[:len(line) - len(line.lstrip(" \t"))]:
            out.problem = (mark.line, mark.column, "a tab in the indentation; its width is unknown, so it is left to you")
            return out
        done = {a.entry.first for a in out.applied}
        entries = [e for i in _candidates(exc, len(out.lines)) for e in find_entries(out.lines, i)]
        for entry in entries:
            if any(entry.first <= d <= entry.last for d in done):
                continue
            repair = _REPAIRS[value_kind(entry.joined if entry.value[0] == "[" else entry.value)](entry, family)
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
    norm = [line.removesuffix("\r") for line in raw_lines]
    split = split_blocks("\n".join(norm))
    families: list[str] = []
    changed: list[int] = []
    problems: list[Problem] = []
    for block in split.blocks:
        first = block.fence_line  # 0-based index of the block's first content line
        count = len(block.text.split("\n")) - (1 if block.closed else 0)
        body = norm[first:first + count]
        if parse_error("\n".join(body) + "\n") is None:
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


__all__ = ["MAX_ROUNDS", "Applied", "BlockFix", "Problem", "Repair", "family_of", "fix_text", "repair_block", "verify"]
