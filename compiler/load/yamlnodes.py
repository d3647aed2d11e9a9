"""Safe construction of Python values from composed YAML nodes, with positions.

PyYAML's own constructors lose positions, silently keep the last of two duplicate
keys, turn ``version: 0.10`` into the float 0.1 and expand alias bombs without
limit. We compose with the C-accelerated safe loader (node objects carry marks)
and construct values ourselves, so that every value keeps its line and column,
its written text, and every trap becomes a located diagnostic instead of a crash.
No tag is ever constructed: only the YAML core types are produced.

Every file's blocks share one ``FileBudget`` (compiler.load.limits): composing stops
at the file's budget of values (a flow list of millions of items used to be composed whole
before any cap was looked at), and constructing counts each alias expansion against it
and against the budget of text reached again through aliases.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any, Callable

import yaml

try:  # libyaml where present; the pure-Python composer otherwise
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
    from yaml import SafeLoader as _Loader

from compiler.load import limits
from compiler.load.limits import FileBudget, clean, describe, invalid_char
from compiler.model import Location, pointer_join

LIBYAML = _Loader is not yaml.SafeLoader
MAX_DEPTH = 64  # nesting levels of lists/mappings in one header

_TAG = "tag:yaml.org,2002:"
STR, MERGE = _TAG + "str", _TAG + "merge"


# libyaml and PyYAML's pure-Python parser agree on where most errors are, but not
# on all: "PyYAML's mark" means the pure parser's (what ``yaml.safe_load`` reports).
# The fast C parser is used first; its known deviations are corrected, and the
# rare families where it disagrees otherwise (and every block holding a tab, which
# the two parsers accept differently) go through the pure parser.
_AGREED = ("mapping values are not allowed", "did not find expected ',' or", "cannot start any token",
           "did not find expected key", "did not find expected comment or line break",
           "did not find expected alphabetic or numeric", "indentation indicator equal to 0",
           "found undefined alias", "unexpected end of stream", "found duplicate anchor",
           "maximum nesting depth")


class TooManyValues(Exception):
    """Composing passed the file's budget of values; ``mark`` is the node where it stopped."""

    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__(f"more than {limits.MAX_VALUES:,} values")
        self.mark = mark


class _PureCounting(yaml.SafeLoader):
    """PyYAML's pure composer, stopped once ``limit`` nodes are made."""

    limit = limits.MAX_VALUES

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        self.limit -= 1
        if self.limit < 0:
            raise TooManyValues(self.peek_event().start_mark)
        return super().compose_node(parent, index)


_NODE_EVENTS = (yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


def most_nodes(text: str) -> int:
    """An upper bound on the nodes ``text`` composes to, from six counts of characters.

    Every node but the document's own is an entry of a collection, and every entry needs
    an indicator: ``-`` in a block list, ``[`` or ``,`` in a flow list (a flow list's
    single pair, ``[a: b]``, is three nodes: ``[`` and ``:`` count two each), ``:`` or
    ``?`` for a key and its value (two nodes), ``{`` or ``,`` for a flow mapping's entry.
    Indicators inside quoted text or comments only make the bound looser."""
    return 1 + text.count("-") + 2 * (text.count(",") + text.count(":") + text.count("?") + text.count("[")
                                      + text.count("{"))


def _count_nodes(text: str, limit: int) -> None:
    """TooManyValues at the first node past ``limit``, counted from libyaml's events (nothing built)."""
    loader = _Loader(text)
    try:
        seen = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, _NODE_EVENTS):
                seen += 1
                if seen > limit:
                    raise TooManyValues(event.start_mark)
    finally:
        loader.dispose()


def _compose_with(loader_class: type, text: str, limit: int | None = None) -> yaml.Node | None:
    loader = loader_class(text)
    if limit is not None:
        loader.limit = limit
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _pure(text: str, budget: FileBudget) -> yaml.Node | None:
    budget.pure_chars -= len(text)
    return _compose_with(_PureCounting, text, budget.values)


def compose(text: str, budget: FileBudget | None = None) -> yaml.Node | None:
    """Compose one YAML document into nodes; raises yaml.YAMLError with PyYAML's own mark, or
    TooManyValues past ``budget.values`` nodes (a fresh budget when None): a block that may
    hold more (``most_nodes``) has its nodes counted from libyaml's events first, so a
    huge flow list stops after the budget's nodes, none of them built.

    PyYAML's pure parser (for blocks holding a tab, and libyaml's disagreeing errors) is
    used only while the file's budget of pure-parsed text lasts: it is far slower than
    libyaml, so a long block goes to libyaml whatever it holds."""
    budget = budget if budget is not None else FileBudget()
    if not LIBYAML or ("\t" in text and len(text) <= budget.pure_chars):
        return _pure(text, budget)
    try:
        if most_nodes(text) > budget.values:  # possibly too many: count libyaml's events before building any
            _count_nodes(text, budget.values)
        return _compose_with(_Loader, text)
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or ""
        if "unknown escape character" in problem and exc.problem_mark is not None:
            mark = exc.problem_mark  # libyaml marks the backslash, PyYAML the character after it
            exc.problem_mark = yaml.Mark(mark.name, mark.index + 1, mark.line, mark.column + 1, None, None)
            raise
        if any(s in problem for s in _AGREED) or len(text) > budget.pure_chars:
            raise
        return _pure(text, budget)


@dataclass(frozen=True)
class NodeProblem:
    """A located problem found while constructing values (code from compiler.codes)."""

    code: str
    line: int  # 0-based, relative to the block, like PyYAML marks
    column: int
    message: str  # may hold "{related}": the 1-based file line of ``related``, filled in by the loader
    hint: str | None = None
    related: int | None = None  # 0-based line in the block of an earlier, related place


@dataclass
class Constructed:
    value: Any
    locations: dict[str, Location] = field(default_factory=dict)  # pointer -> absolute 1-based position
    raw: dict[str, str] = field(default_factory=dict)  # pointer -> written text of non-text plain scalars
    problems: list[NodeProblem] = field(default_factory=list)


class _Abort(Exception):
    """Construction cannot go on (alias bomb, too deep); the problem is already recorded."""


def _bool(text: str) -> bool:
    return text.lower() in ("yes", "true", "on", "y")


def _int(text: str) -> int:
    t = text.replace("_", "")
    sign = -1 if t.startswith("-") else 1
    t = t.lstrip("+-")
    if t.startswith("0b"):
        return sign * int(t[2:], 2)
    if t.startswith("0x"):
        return sign * int(t[2:], 16)
    if t.startswith("0o"):
        return sign * int(t[2:], 8)
    if ":" in t:  # sexagesimal, YAML 1.1
        n = 0
        for part in t.split(":"):
            n = n * 60 + int(part)
        return sign * n
    if len(t) > 1 and t.startswith("0"):
        return sign * int(t, 8)
    if len(t) > 4300:  # Python's int-from-text cap; keep it as text
        raise ValueError("integer too long")
    return sign * int(t)


def _float(text: str) -> float:
    t = text.replace("_", "").lower()
    if t in (".inf", "+.inf"):
        return float("inf")
    if t == "-.inf":
        return float("-inf")
    if t == ".nan":
        return float("nan")
    if ":" in t:
        sign = -1.0 if t.startswith("-") else 1.0
        n = 0.0
        for part in t.lstrip("+-").split(":"):
            n = n * 60 + float(part)
        return sign * n
    return float(t)


def _timestamp(text: str) -> Any:
    # Dates stay text: the schema wants "2025-10-18", and YAML's date type is a trap.
    return text


_SCALARS: dict[str, Callable[[str], Any]] = {
    _TAG + "null": lambda t: None,
    _TAG + "bool": _bool,
    _TAG + "int": _int,
    _TAG + "float": _float,
    _TAG + "timestamp": _timestamp,
    _TAG + "str": str,
    _TAG + "binary": lambda t: base64.b64decode(t.encode("ascii")).decode("utf-8", "replace"),
    _TAG + "value": str,
}
_COLLECTIONS = {_TAG + "seq", _TAG + "map", _TAG + "omap", _TAG + "pairs", _TAG + "set"}


_BUDGET_HINT = "Remove the anchors (&name) and aliases (*name) and write the values out; a term header needs far fewer."


class _Builder:
    def __init__(self, line_offset: int, budget: FileBudget) -> None:
        self.line_offset = line_offset  # makes positions absolute and 1-based as they are recorded
        self.out = Constructed(None)
        self.budget = budget
        self.active: set[int] = set()
        self.built: set[int] = set()  # nodes built once: building one again is an alias expansion
        self.again = 0  # > 0 while building a node reached again through an alias
        self.trail: list[yaml.Node] = []  # the nodes being built that were written out, innermost last
        self.key_reported = False

    def problem(self, code: str, node: yaml.Node, message: str, hint: str | None = None,
                related: int | None = None) -> None:
        m = node.start_mark
        self.out.problems.append(NodeProblem(code, m.line, m.column, message, hint, related))

    def over_budget(self, node: yaml.Node, message: str) -> None:
        """Report at the place the alias was used (a node reached again has its anchor's marks)."""
        self.budget.exhausted = True
        self.problem("yaml-too-large", self.trail[-1] if self.again and self.trail else node, message, _BUDGET_HINT)
        raise _Abort

    def repeated_text(self, node: yaml.Node, size: int) -> None:
        """Charge ``size`` characters reached again through an alias to the file's budget."""
        self.budget.alias_chars -= size
        if self.budget.alias_chars < 0:
            self.over_budget(node, f"aliases repeat more than {limits.MAX_ALIAS_CHARS:,} characters of text "
                                   "(the budget of alias-expanded text per file)")

    def text(self, node: yaml.Node, value: str) -> str:
        """``value`` with lone surrogates and non-characters replaced, each such value reported once."""
        bad = invalid_char(value)
        if bad is None:
            return value
        self.problem("text-invalid-char", node, f"the text holds {describe(bad)}; it was replaced with U+FFFD",
                     "Delete the character or write the one that was meant; an escape such as \\ud800 "
                     "is half of a pair, not a character.")
        return clean(value)

    def build(self, node: yaml.Node, pointer: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self.problem("yaml-too-large", node, f"the header nests deeper than {MAX_DEPTH} levels",
                         "Flatten the structure; term headers need only a few levels.")
            raise _Abort
        if pointer not in self.out.locations:
            s, e, off = node.start_mark, node.end_mark, self.line_offset
            self.out.locations[pointer] = Location(s.line + off, s.column + 1, e.line + off, e.column + 1)
        key = id(node)
        again = key in self.built
        if again:
            self.again += 1
        else:
            self.built.add(key)
            self.trail.append(node)
        try:
            self.budget.values -= 1
            if self.budget.values < 0:
                self.over_budget(node, f"the headers hold more than {limits.MAX_VALUES:,} YAML values, aliases counted "
                                       "each time they expand (the budget of values per file)")
            return self.node(node, pointer, depth, key)
        finally:
            if again:
                self.again -= 1
            else:
                self.trail.pop()

    def node(self, node: yaml.Node, pointer: str, depth: int, key: int) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, pointer)
        if node.tag not in _COLLECTIONS:
            self.unknown_tag(node)
            return None
        if key in self.active:
            self.problem("yaml-recursive-alias", node, "an alias refers to the list or mapping that contains it",
                         "Remove the alias (*name) inside its own anchor (&name); the value would be infinite.")
            raise _Abort
        self.active.add(key)
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(child, pointer_join(pointer, i), depth + 1) for i, child in enumerate(node.value)]
            return self.mapping(node, pointer, depth)
        finally:
            self.active.discard(key)

    def unknown_tag(self, node: yaml.Node) -> None:
        self.problem("yaml-tag", node, f"the tag {node.tag.replace(_TAG, '!!')!r} is not allowed; it was ignored",
                     "Term headers hold plain text, numbers, lists and mappings; remove the tag (`!!...`/`!...`).")

    def scalar(self, node: yaml.ScalarNode, pointer: str) -> Any:
        maker = _SCALARS.get(node.tag)
        if maker is None:
            self.unknown_tag(node)
            return None
        if self.again:
            self.repeated_text(node, len(node.value))
        try:
            value = maker(node.value)
        except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
            value = node.value
        if type(value) is str:
            value = self.text(node, value)
        if node.tag != STR and not node.style:
            self.out.raw[pointer] = node.value
        return value

    def key_text(self, key: yaml.Node) -> str | None:
        if isinstance(key, yaml.ScalarNode):
            if key.tag in (STR, _TAG + "bool") or (key.tag == _TAG + "timestamp"):
                if self.again or id(key) in self.built:
                    self.repeated_text(key, len(key.value))
                self.built.add(id(key))
                return self.text(key, key.value)
            kind = {_TAG + "null": "null", _TAG + "int": "a number", _TAG + "float": "a number"}.get(key.tag)
            what = kind or f"tagged {key.tag.replace(_TAG, '!!')}"
            if key.tag not in _SCALARS:
                self.unknown_tag(key)
                return None
            if not self.key_reported:
                self.problem("yaml-key-type", key, f"the key {key.value!r} is {what}, not text",
                             f'Quote the key: "{key.value}": ... If a `{{...}}` value was meant as text, quote the whole value.')
            self.key_reported = True
            return None
        self.problem("yaml-key-type", key, "a list or mapping is used as a key",
                     "Keys must be plain text; remove the `? ` complex key or the brackets around the key.")
        return None

    def mapping(self, node: yaml.MappingNode, pointer: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        self.key_reported = False  # one key-type error per mapping is enough
        seen: dict[str, yaml.Node] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                self.problem("yaml-merge-key", key_node, "a `<<` merge key is used; it was applied",
                             "Merge keys are YAML 1.1 only; write the keys out for other tools to agree.")
                self.merge_into(merged, value_node, pointer, depth)
                continue
            key = self.key_text(key_node)
            if key is None:
                continue
            child = pointer_join(pointer, key)
            if key in seen:
                self.problem("yaml-duplicate-key", key_node,
                             f"the key {key!r} is given twice (first at line {{related}}); the later value is kept",
                             "Delete one of the two, or merge their values.", related=seen[key].start_mark.line)
                for p in [p for p in self.out.locations if p == child or p.startswith(child + "/")]:
                    del self.out.locations[p]
            seen[key] = key_node
            result[key] = self.build(value_node, child, depth + 1)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def merge_into(self, merged: dict[str, Any], node: yaml.Node, pointer: str, depth: int) -> None:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for src in sources:
            if not isinstance(src, yaml.MappingNode):
                self.problem("yaml-syntax", src, "a `<<` merge key needs a mapping or a list of mappings")
                continue
            for key, value in self.build(src, pointer, depth + 1).items():
                merged.setdefault(key, value)


def construct(node: yaml.Node, line_offset: int = 1, budget: FileBudget | None = None) -> Constructed:
    """Build values from ``node``; problems are recorded, never raised.

    Locations come out absolute and 1-based: ``line_offset`` is the file line of the
    block's first line. Problems keep PyYAML's 0-based, block-relative marks. ``budget``
    is the file's (shared by its blocks); a fresh one when None."""
    builder = _Builder(line_offset, budget if budget is not None else FileBudget())
    try:
        builder.out.value = builder.build(node, "", 0)
    except _Abort:
        builder.out.value = None
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps us far from it
        builder.out.problems.append(NodeProblem("yaml-too-large", 0, 0, "the header nests too deeply"))
        builder.out.value = None
    return builder.out


__all__ = ["compose", "construct", "Constructed", "NodeProblem", "TooManyValues", "pointer_join", "LIBYAML"]
