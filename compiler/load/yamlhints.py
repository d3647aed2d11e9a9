"""Plain-words explanations for the YAML errors machine-written headers run into.

PyYAML says "mapping values are not allowed here"; an author needs "this value
contains `: `; wrap it in quotes", with the quoted line shown. Each rule below
matches PyYAML's problem text (and the offending line) and returns a code, a
message and a hint. The position always stays PyYAML's own mark.
"""
from __future__ import annotations

import re
from typing import Callable

import yaml

_KEY_VALUE = re.compile(r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[^\s#'\"\[\]{}][^:#]*?):\s+(?P<value>.+?)\s*$")

Rule = Callable[[str, str | None, int], tuple[str, str] | None]  # (problem, line, column) -> (message, hint)


def quoted_suggestion(line: str | None) -> str | None:
    """The line with its value wrapped in double quotes, or None when it has no `key: value` form."""
    if not line:
        return None
    m = _KEY_VALUE.match(line)
    if not m or m.group("value")[:1] in "|":
        return None
    value = m.group("value").replace("\\", "\\\\").replace('"', '\\"')
    return f'{m.group("indent")}{m.group("key")}: "{value}"'


def _with_suggestion(hint: str, line: str | None) -> str:
    fixed = quoted_suggestion(line)
    return f"{hint} Like this:\n    {fixed.strip()}" if fixed else hint


def _colon(problem: str, line: str | None, column: int) -> tuple[str, str] | None:
    if "mapping values are not allowed" not in problem:
        return None
    return ("this value contains `: `, which YAML reads as a new key",
            _with_suggestion("Wrap the whole value in quotes (and escape any `\"` inside it).", line))


def _tab(problem: str, line: str | None, column: int) -> tuple[str, str] | None:
    if "'\\t'" not in problem and not (line and line[:column + 1].strip(" ") == "" and "\t" in line[:column + 1]):
        return None
    return ("a tab character is used for indentation; YAML allows only spaces there",
            "Replace the tab(s) at the start of the line with spaces.")


def _alias(problem: str, line: str | None, column: int) -> tuple[str, str] | None:
    if "found undefined alias" not in problem and "expected alphabetic or numeric character, but found" not in problem:
        return None
    return ("a value starting with `*` is read as an alias (a reference to `&name`)",
            _with_suggestion("Quote the value if the `*` is part of the text (Markdown emphasis).", line))


def _indicator(problem: str, line: str | None, column: int) -> tuple[str, str] | None:
    if "that cannot start any token" not in problem:
        return None
    m = re.search(r"found character '(.)'", problem)  # the pure-Python parser names it; libyaml does not
    ch = m.group(1) if m else (line[column] if line and column < len(line) else "?")
    what = {"`": "a backtick", "@": "`@`", "%": "`%`"}.get(ch, f"`{ch}`")
    return (f"a plain value cannot start with {what}",
            _with_suggestion("Wrap the value in quotes.", line))


def _escape(problem: str, line: str | None, column: int) -> tuple[str, str] | None:
    if "unknown escape character" not in problem and "expected escape sequence" not in problem:
        return None
    bad = line[column:column + 2] if line else ""
    return (f"`\\{bad[1:] if bad.startswith(chr(92)) else bad}` is not a valid escape inside double quotes",
            "Inside double quotes a backslash starts an escape: write `\\\\` for a literal backslash, "
            "or use single quotes ('...'), where backslashes are plain text.")


def _flow(problem: str, line: str | None, column: int) -> tuple[str, str] | None:
    if not any(s in problem for s in ("expected ',' or ']'", "expected ',' or '}'", "while parsing a flow")):
        return None
    return ("an item of this `[...]` list contains a character YAML reads as list syntax (`[`, `]`, `,`, `: ` or `#`)",
            "Quote each item that holds such characters, or write the list as a block list, one `- item` per line.")


def _block_scalar(problem: str, line: str | None, column: int) -> tuple[str, str] | None:
    if "block scalar" not in problem and "chomping or indentation" not in problem:
        return None
    return ("a value starting with `>` or `|` begins a folded or literal block, so the text after it is invalid",
            _with_suggestion("Quote the value if `>` is part of the text (for example `\"> 0.5\"`).", line))


_TRAILING = ("expected <block end>", "did not find expected key", "expected comment or line break")
_OPENERS = {"[": "a `[...]` list", "{": "a `{...}` mapping", '"': "a quoted text", "'": "a quoted text"}


def _value_then_text(problem: str, line: str | None, column: int) -> tuple[str, str] | None:
    if not any(s in problem for s in _TRAILING) or not line:
        return None
    m = _KEY_VALUE.match(line)
    opener = m.group("value")[:1] if m else ""
    if opener not in _OPENERS:
        return None
    hint = "Quote the whole value, escaping the inner quotes."
    if opener == "'":
        hint = "Quote the whole value; inside single quotes an apostrophe is written twice (`''`)."
    return (f"the value starts as {_OPENERS[opener]}, and more text follows it on the same line",
            _with_suggestion(hint, line))


def _simple_key(problem: str, line: str | None, column: int) -> tuple[str, str] | None:
    if "could not find expected ':'" not in problem and "expected <block end>" not in problem:
        return None
    return ("this line is neither `key: value` nor a continuation of the value above",
            "Indent a continuation line under its value, or quote a multi-line value; a line of prose here "
            "usually means a value was broken across lines.")


_RULES: tuple[Rule, ...] = (_tab, _colon, _alias, _indicator, _escape, _block_scalar, _flow, _value_then_text,
                            _simple_key)


def yaml_error_hint(exc: yaml.MarkedYAMLError, line: str | None, column: int, *, closed: bool) -> tuple[str, str, str]:
    """(code, message, hint) for a YAML error at ``line``/``column`` (0-based)."""
    problem = exc.problem or exc.context or "invalid YAML"
    for rule in _RULES:
        found = rule(problem, line, column)
        if found:
            message, hint = found
            code = "yaml-tab" if rule is _tab else "yaml-syntax"
            break
    else:
        code, message = "yaml-syntax", problem
        hint = _with_suggestion("Check the quoting on this line: a value holding `: `, ` #`, or starting with one of "
                                "`[ ] { } * & ! | > ' \" % @ `` needs quotes.", line)
    message = f"invalid YAML: {message}" + (f" (PyYAML: {problem})" if message != problem else "")
    if not closed:
        hint += (" The header has no closing `---`, so everything to the end of the file was read as YAML; "
                 "if Markdown follows the header, add a `---` line before it.")
    return code, message, hint
