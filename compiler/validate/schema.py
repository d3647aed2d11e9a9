"""Validate: check each merged header against ``schema/term.schema.json``.

Before validating, values the schema wants as text get the author's spelling
back (``version: 0.10`` -> ``"0.10"``, ``yes`` -> ``"yes"``, a YAML date -> the
date as written), so YAML 1.1's implicit typing never changes what an author
meant. Each schema error becomes a located diagnostic in plain words, pointing at
the line of the offending value. Unknown top-level keys are warnings.
"""
from __future__ import annotations

import functools
import json
from dataclasses import replace
from importlib import resources
from typing import Any, Iterable, Mapping, Sequence

from compiler.codes import make
from compiler.diagnostics import Diagnostic, Severity
from compiler.ids import id_problem
from compiler.model import Term, pointer_join
from compiler.spelling import closest

_TYPE_WORDS = {"array": "a list", "object": "a mapping", "string": "text", "number": "a number",
               "integer": "a whole number", "boolean": "true or false", "null": "empty"}


@functools.cache
def term_schema() -> dict[str, Any]:
    """The shipped term schema (read once per process)."""
    return json.loads(resources.files("compiler._schema").joinpath("term.schema.json").read_text("utf-8"))


def _is_date(text: Any) -> bool:
    import datetime

    if not isinstance(text, str):
        return True
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


@functools.cache
def _fast_validator() -> Any:
    """fastjsonschema compiles the schema to Python: several times faster than jsonschema on
    valid headers, which are most of them. It only says valid/invalid here; the
    located, plain-words errors still come from jsonschema (tests check they agree)."""
    import copy

    import fastjsonschema

    # compile() rewrites $refs in place: give it a copy so term_schema() stays as shipped
    return fastjsonschema.compile(copy.deepcopy(term_schema()), formats={"date": _is_date})


def is_valid(data: Mapping[str, Any]) -> bool:
    import fastjsonschema

    try:
        _fast_validator()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft7Validator, FormatChecker

    return Draft7Validator(term_schema(), format_checker=FormatChecker(formats=("date",)))


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        return term_schema()["definitions"][ref.rsplit("/", 1)[1]]
    return schema


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    names: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return names.get(type(value), "string")


def _wants(schema: Mapping[str, Any], kind: str) -> bool:
    t = schema.get("type")
    return t == kind or (isinstance(t, list) and kind in t)


def coerce(value: Any, schema: Mapping[str, Any], pointer: str, raw: Mapping[str, str]) -> Any:
    """Give back the written text wherever the schema wants text and YAML made something else."""
    schema = _resolve(schema)
    branches = schema.get("oneOf") or schema.get("anyOf")
    if branches:
        kind = _type_of(value)
        chosen = next((b for b in map(_resolve, branches) if _wants(b, kind) or (kind == "number" and _wants(b, "integer"))),
                      None)
        if chosen is None:
            chosen = next((b for b in map(_resolve, branches) if _wants(b, "string")), branches[0])
        return coerce(value, chosen, pointer, raw)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        out = {}
        for k, v in value.items():
            if v is None:
                continue  # `key:` with nothing after it: the field is absent
            sub = props.get(k, extra if isinstance(extra, dict) else None)
            out[k] = coerce(v, sub, pointer_join(pointer, k), raw) if sub else v
        return out
    if isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, list):
            return [coerce(v, items[i], f"{pointer}/{i}", raw) if i < len(items) else v for i, v in enumerate(value)]
        if isinstance(items, dict):
            return [coerce(v, items, f"{pointer}/{i}", raw) for i, v in enumerate(value)]
        return value
    if not isinstance(value, str) and _wants(schema, "string") and not _wants(schema, _type_of(value)):
        if pointer in raw:
            return raw[pointer]
    return value


def _pointer(path: Iterable[Any]) -> str:
    pointer = ""
    for part in path:
        pointer = pointer_join(pointer, part)
    return pointer


def _field(pointer: str) -> str:
    return pointer.lstrip("/").replace("/", ".") or "the header"


def _describe(error: Any, pointer: str) -> tuple[str, str, str | None]:
    """(code, message, hint) in plain words for one jsonschema error."""
    v, kind, name = error.validator, error.validator_value, _field(pointer)
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "a field"
        return ("schema-required", f"the required field `{missing}` is missing",
                f"Add `{missing}: ...` to the header." + (" The id is used in links and URLs, e.g. MUON_G_MINUS_2."
                                                          if missing == "canonical_id" else ""))
    if v == "type":
        wanted = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in (kind if isinstance(kind, list) else [kind]))
        got = _TYPE_WORDS.get(_type_of(error.instance), "something else")
        hint = {"array": f"Write a list: `{name.rsplit('.', 1)[-1]}: [a, b]` or one `- item` per line.",
                "object": "Write a mapping of `key: value` lines, indented under the field.",
                "string": "Quote the value to make it text."}.get(kind if isinstance(kind, str) else "", None)
        return "schema-type", f"`{name}` should be {wanted}, but it is {got}", hint
    if v == "enum":
        close = closest(str(error.instance), [str(k) for k in kind])
        hint = f"Did you mean {close!r}?" if close else f"Use one of: {', '.join(map(str, kind))}."
        return ("schema-enum", f"`{name}` is {error.instance!r}; it must be one of {', '.join(map(str, kind))}", hint)
    if v == "format":
        return "schema-format", f"`{name}` is {error.instance!r}, not a valid {kind}", "Write dates as YYYY-MM-DD."
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "maxLength"):
        return "schema-range", f"`{name}`: {error.message}", None
    if v == "minLength":
        if pointer in ("/term", "/canonical_id"):
            return "schema-required", f"the required field `{name}` is empty", f"Give `{name}` a value."
        return "schema-range", f"`{name}` is empty", None
    if v == "oneOf":
        return ("schema-type", f"`{name}` has neither of its allowed forms",
                "See the field's description in the schema (`compile-glossary schema`).")
    if v == "additionalProperties":
        return "schema-invalid", f"`{name}`: {error.message}", None
    return "schema-invalid", f"`{name}`: {error.message}", None


def _specific(errors: Iterable[Any]) -> Iterable[Any]:
    """Replace a oneOf error by the errors of the branch whose type fits the value.

    "`provenance` has neither of its allowed forms" helps nobody when the object form
    was clearly meant and one editor's name inside it is a mapping.
    """
    for error in errors:
        if error.validator != "oneOf" or not error.context:
            yield error
            continue
        kind = _type_of(error.instance)
        fitting = [e for e in error.context
                   if _wants(_resolve(error.validator_value[e.schema_path[0]]), kind)]
        yield from (_specific(fitting) if fitting else [error])


def _check_id(term: Term, data: Mapping[str, Any]) -> list[Diagnostic]:
    value = data.get("canonical_id")
    if value is None:
        return []  # reported as missing by the schema
    if value == "":
        loc = term.location("/canonical_id")
        return [make("schema-required", term.file, loc.line, loc.column, "the required field `canonical_id` is empty",
                     term=term.id, pointer="/canonical_id",
                     hint=f"Give the term an id, e.g. {term.id!r}; ids are used in links and URLs.")]
    problem = id_problem(value)
    if problem is None:
        return []
    loc = term.location("/canonical_id")
    return [make("id-invalid", term.file, loc.line, loc.column, f"invalid canonical_id {str(value)[:80]!r}: {problem}",
                 term=term.id, pointer="/canonical_id",
                 hint=f"Ids become URLs and file names; use letters, digits, `_` and `-`. "
                      f"This term is filed as {term.id!r} until it is fixed.")]


def validate_term(term: Term) -> tuple[Term, list[Diagnostic]]:
    """Coerce and validate one term; returns the updated term and its diagnostics."""
    schema = term_schema()
    data = coerce(dict(term.data), schema, "", term.raw)
    diags = _check_id(term, data)
    errors = () if is_valid(data) else _specific(_validator().iter_errors(data))
    for error in errors:
        pointer = _pointer(error.absolute_path)
        if pointer == "/canonical_id" and error.validator == "pattern":
            continue  # reported by _check_id in plain words
        code, message, hint = _describe(error, pointer)
        loc = term.location(pointer)
        diags.append(make(code, term.file, loc.line, loc.column, message, term=term.id, pointer=pointer or None,
                          hint=hint))
    known = schema["properties"]
    for key in data:
        if key not in known:
            loc = term.location(pointer_join("", key))
            close = closest(key, known, cutoff=0.75)
            hint = (f"Did you mean `{close}`?" if close else
                    "Check the spelling, or ignore the code `schema-unknown-key` in the configuration.")
            diags.append(
                make(
                    "schema-unknown-key",
                    term.file,
                    loc.line,
                    loc.column,
                    f"unknown top-level key `{key}`",
                    term=term.id,
                    pointer="/" + key,
                    hint=hint,
                )
            )
    has_errors = term.has_errors or any(d.severity is Severity.ERROR for d in diags)
    return replace(term, data=data, has_errors=has_errors), diags


def validate_terms(terms: Sequence[Term]) -> tuple[tuple[Term, ...], list[Diagnostic]]:
    out: list[Term] = []
    diags: list[Diagnostic] = []
    for term in terms:
        t, d = validate_term(term)
        out.append(t)
        diags.extend(d)
    return tuple(out), diags
