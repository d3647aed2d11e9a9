"""Start new term files from the schema's skeleton (`compile-glossary new`).

The skeleton is generated from ``schema/term.schema.json``, not written by hand,
so a field added to the schema shows up in every new file with its description:
required fields are filled in, every optional field is present as a comment
(uncommenting a line gives valid YAML). A file is never overwritten.

Extension point: :func:`write_stubs` takes a list of :class:`StubRequest`. `new`
passes one; a later ``new --wanted N`` only has to turn the graph's most-wanted
missing terms (ids linked to but not defined) into requests, each with a ``note``
saying who links to it, and call the same function.
"""
from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Sequence

from compiler.authoring.fix import quote
from compiler.ids import id_problem

MAX_DEPTH = 3  # nesting levels of the commented skeleton
_COMMENT_COLUMN = 34


@dataclass(frozen=True)
class StubRequest:
    """One term file to create: its id, its display name, and an optional note for the body."""

    id: str
    term: str | None = None
    note: str | None = None  # e.g. "linked from 5 terms: A, B, C" (for --wanted)


@dataclass(frozen=True)
class StubOutcome:
    request: StubRequest
    path: Path
    error: str | None = None  # why the file was not written
    usage: bool = False  # the error is a mistake in the request itself (exit 2), not a refusal


def shipped_schema() -> dict[str, Any]:
    """A fresh copy of the shipped schema (validators may rewrite the shared one's `$ref`s in place)."""
    return json.loads(resources.files("compiler._schema").joinpath("term.schema.json").read_text("utf-8"))


def name_from_id(term_id: str) -> str:
    """A readable default name: `LEPTONIC_ANOMALY` -> `Leptonic Anomaly`."""
    words = [w for w in re.split(r"[_\-\s]+", term_id) if w]
    return " ".join(w if any(c.islower() for c in w) else w.capitalize() for w in words) or term_id


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and "#/definitions/" in ref:
        target = dict(root.get("definitions", {}).get(ref.rsplit("/", 1)[1], {}))
        target.update({k: v for k, v in schema.items() if k != "$ref"})
        return target
    if "oneOf" in schema:  # the first alternative is the simple form (provenance: a list of ids)
        first = dict(_resolve(schema["oneOf"][0], root))
        first.setdefault("description", schema.get("description"))
        return first
    return schema


def _kind(schema: Mapping[str, Any]) -> str:
    t = schema.get("type")
    return t[0] if isinstance(t, list) else (t or "string")


def _placeholder(schema: Mapping[str, Any], today: str) -> str:
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("format") == "date":
        return quote(today)
    return {"array": "[]", "number": "0", "integer": "0", "boolean": "false"}.get(_kind(schema), '""')


def _line(text: str, description: str | None) -> str:
    if not description:
        return text
    return f"{text.ljust(_COMMENT_COLUMN)}  # {description.splitlines()[0]}"


def _field_lines(key: str, schema: Mapping[str, Any], root: Mapping[str, Any], indent: str,
                 today: str, depth: int) -> list[str]:
    """Lines (not yet commented) for one field, recursing into mappings and lists of mappings."""
    schema = _resolve(schema, root)
    description = schema.get("description")
    if "enum" in schema and not all(str(v) in (description or "") for v in schema["enum"]):
        description = f"{description or ''} One of: {', '.join(map(str, schema['enum']))}.".strip()
    kind = _kind(schema)
    items = _resolve(schema.get("items", {}), root) if isinstance(schema.get("items"), dict) else {}
    if kind == "object" and schema.get("properties") and depth < MAX_DEPTH:
        lines = [_line(f"{indent}{key}:", description)]
        for sub, sub_schema in schema["properties"].items():
            lines += _field_lines(sub, sub_schema, root, indent + "  ", today, depth + 1)
        return lines
    if kind == "array" and _kind(items) == "object" and items.get("properties") and depth < MAX_DEPTH:
        lines = [_line(f"{indent}{key}:", description)]
        for n, (sub, sub_schema) in enumerate(items["properties"].items()):
            sub_lines = _field_lines(sub, sub_schema, root, indent + "    ", today, depth + 1)
            if n == 0:
                sub_lines[0] = indent + "  - " + sub_lines[0][len(indent) + 4:]
            lines += sub_lines
        return lines
    return [_line(f"{indent}{key}: {_placeholder(schema, today)}", description)]


def skeleton(request: StubRequest, schema: Mapping[str, Any] | None = None, *, today: str | None = None) -> str:
    """The text of a new term file: required fields filled, optional ones commented out."""
    schema = schema if schema is not None else shipped_schema()
    today = today or datetime.date.today().isoformat()
    name = request.term or name_from_id(request.id)
    filled = {"term": quote(name), "canonical_id": request.id}
    required = [k for k in schema.get("required", []) if k in schema.get("properties", {})]
    lines = ["---"]
    for key in required:
        lines.append(f"{key}: {filled.get(key, _placeholder(_resolve(schema['properties'][key], schema), today))}")
    for key, sub in schema.get("properties", {}).items():
        if key in required:
            continue
        lines += ["# " + line for line in _field_lines(key, sub, schema, "", today, 1)]
    lines.append("---")
    body = [f"# {name}", "", request.note or "Write the definition here: what the term means, in plain words.", ""]
    return "\n".join(lines) + "\n\n" + "\n".join(body)


def _id_in_use(folder: Path, term_id: str) -> Path | None:
    """A file in ``folder`` that already declares ``term_id`` as its canonical_id (cheap text scan)."""
    pattern = re.compile(r"^canonical_id:\s*[\"']?" + re.escape(term_id) + r"[\"']?\s*(?:#.*)?$", re.M)
    for path in sorted(folder.rglob("*.md")):
        try:
            head = path.read_text("utf-8", errors="replace")[:20000]
        except OSError:
            continue
        if pattern.search(head):
            return path
    return None


def write_stubs(requests: Sequence[StubRequest], folder: Path, *, today: str | None = None) -> list[StubOutcome]:
    """Create one file per request in ``folder``; never overwrite, never reuse an id."""
    outcomes: list[StubOutcome] = []
    for request in requests:
        path = folder / f"{request.id}.md"
        problem = id_problem(request.id)
        if problem:
            outcomes.append(StubOutcome(request, path, f"{request.id!r} is not a valid id: {problem}", usage=True))
            continue
        if request.term is not None and not request.term.strip():
            outcomes.append(StubOutcome(request, path, "the term name is empty", usage=True))
            continue
        other = _id_in_use(folder, request.id) if folder.is_dir() else None
        if other is not None:
            outcomes.append(StubOutcome(request, path, f"{other.as_posix()} already has the id {request.id}; not written"))
            continue
        folder.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(skeleton(request, today=today))
        except FileExistsError:
            outcomes.append(StubOutcome(request, path, f"{path.as_posix()} already exists; not overwritten"))
            continue
        except OSError as exc:
            outcomes.append(StubOutcome(request, path, f"cannot write {path.as_posix()}: {exc.strerror or exc}"))
            continue
        outcomes.append(StubOutcome(request, path))
    return outcomes


__all__ = ["StubRequest", "StubOutcome", "skeleton", "write_stubs", "name_from_id"]
