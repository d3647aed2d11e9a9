"""The registry of diagnostic codes: name, default severity, stage, one-line doc.

Every diagnostic any stage emits has a code listed here (a test enforces it), so
that rule configuration (select / ignore / severity) and the docs' codes table
(`compile-glossary codes --markdown`) come from one place, like mypy's ErrorCode.
Each stage owns one section below; add new codes to your stage's section.
"""
from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Iterable

from compiler.diagnostics import Diagnostic, Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741 - one letter per severity, as the table below reads


@dataclass(frozen=True)
class Code:
    name: str
    severity: Severity
    stage: str
    doc: str
    # "glossary": a finding about the term files, shown on the site's problems page too;
    # "run": about this one run (the build cache), printed but never part of the site or of
    # a no-op's replayed report, so the site does not depend on the cache's history.
    scope: str = "glossary"


CODES: dict[str, Code] = {}


def register(name: str, severity: Severity, stage: str, doc: str, scope: str = "glossary") -> Code:
    if name in CODES:
        raise ValueError(f"diagnostic code {name!r} registered twice")
    code = Code(name, severity, stage, doc, scope)
    CODES[name] = code
    return code


def _about_the_run(d: Diagnostic) -> bool:
    code = CODES.get(d.code)
    return code is not None and code.scope == "run"


def about_the_glossary(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """The diagnostics without the ones about this run only (scope ``run``)."""
    return tuple(d for d in diagnostics if not _about_the_run(d))


def about_this_run(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """The diagnostics about this run only (a rebuilt cache): said once, never counted."""
    return tuple(d for d in diagnostics if _about_the_run(d))


# --- load: reading files and parsing their YAML headers ------------------------------
register("file-read", E, "load", "The file could not be read (permissions, vanished, or not a regular file).")
register("file-encoding", E, "load", "The file is not UTF-8 text (invalid bytes, or another encoding such as UTF-16).")
register("file-binary", E, "load", "The file holds NUL bytes or other binary data, not text.")
register("file-empty", E, "load", "The file is empty or only white space.")
register("file-too-large", E, "load", "The file is larger than the configured limit and was not parsed.")
register("file-symlink", W, "load", "A symbolic link that points outside the terms folder, nowhere, or into a loop of links was not followed.")
register("file-special", W, "load", "A `*.md` name is a FIFO, a device or a socket, not a regular file; it was skipped.")
register("folder-unreadable", W, "load", "A folder under the terms folder cannot be listed (permissions); its files were not loaded.")
register("header-missing", E, "load", "The file does not start with a `---` YAML front-matter block.")
register("header-unclosed", W, "load", "The last front-matter block has no closing `---`; it runs to the end of the file.")
register("header-not-mapping", E, "load", "A front-matter block is a list or a scalar, not a mapping of keys to values.")
register("header-conflict", W, "load", "Two front-matter blocks give the same key different values; the later one wins.")
register("yaml-syntax", E, "load", "A front-matter block is not valid YAML.")
register("yaml-tab", E, "load", "A tab character is used for indentation, which YAML forbids.")
register("yaml-duplicate-key", E, "load", "A mapping gives the same key twice; YAML parsers silently keep only one.")
register("yaml-key-type", E, "load", "A mapping key is a number, date, null, list or mapping instead of text.")
register("yaml-tag", E, "load", "A YAML tag such as `!!python/object` was used; tags are never constructed.")
register("yaml-recursive-alias", E, "load", "An alias refers to the node that contains it, which has no finite value.")
register("yaml-too-large", E, "load", "A file exceeds one of its budgets (YAML values, text repeated through aliases: an alias bomb) or nests too deeply; the message names the budget.")
register("text-invalid-char", W, "load", "A text holds a lone surrogate (an escape such as `\\ud800`) or a non-character; it was replaced with U+FFFD.")
register("yaml-merge-key", W, "load", "A `<<` merge key was used; it is YAML 1.1 only and other tools may read it differently.")

# --- schema: JSON Schema validation of the merged header ------------------------------
register("schema-required", E, "schema", "A required field (`term`, `canonical_id`) is missing or empty.")
register("schema-type", E, "schema", "A field has the wrong type (for example a mapping where a list is expected).")
register("schema-enum", E, "schema", "A field's value is not one of the allowed values (for example `status`).")
register("schema-format", E, "schema", "A field's text does not have the expected form (for example a date).")
register("schema-range", E, "schema", "A number lies outside its allowed range, or a list or text has the wrong length.")
register("schema-invalid", E, "schema", "A value breaks another rule of the schema.")
register("schema-unknown-key", W, "schema", "A top-level key the schema does not know; it is kept but may be a typo.")
register("id-invalid", E, "schema", "An id cannot become a URL and a file name (slash, space, colon, control character...).")

# --- graph: links between terms and modules (compiler.link.graph) --------------------------
register("id-duplicate", E, "graph", "Two term files give the same `canonical_id`; links to it cannot know which one is meant.")
register("id-module-clash", W, "graph", "A term's id is also a module document's id; links to it reach the term, never the module.")
register("id-filename", W, "graph", "The `canonical_id` differs from the file name, so the file is hard to find from the id and vice versa.")
register("alias-collision", W, "graph", "An alias is another term's id or alias, so a link by that name is ambiguous.")
register("link-dangling", W, "graph", "A link names no term and no module document (with a \"did you mean\" when a close name exists).")
register("link-loose-match", I, "graph", "A link matched a term or module only when case was ignored (or by a module's file name); write the exact id.")
register("link-self", W, "graph", "A term links to itself, which says nothing.")
register("link-one-way", W, "graph", "A symmetric relation (near-synonym, antonym) is declared on one side only.")
register("link-contradiction", E, "graph", "The same pair is both near-synonym and antonym, broader and narrower, or prerequisite and downstream effect.")
register("hierarchy-cycle", E, "graph", "Parents/children form a cycle, so no term in it can be the broader one.")
register("term-orphan", W, "graph", "A term has no link to or from any defined term or module document.")
register("association-weight", W, "graph", "An association-matrix weight lies outside 0..1 or is not a number.")
register("modules-not-configured", I, "graph", "Many links look like module ids but no module folder is configured.")
register("module-duplicate", W, "graph", "Two module documents give the same `id`; the first one (in path order) is used.")
register("module-unreadable", W, "graph", "A module document's front matter could not be read as a YAML mapping.")
register("waiver-invalid", W, "graph", "A waiver in a term's front matter names a code that does not exist.")
register("waiver-unused", I, "graph", "A waiver matches no finding any more; remove it.")
register("config-syntax", E, "config", "The configuration file is not valid TOML or could not be read.")
register("config-not-found", E, "config", "The configuration file given with `--config` does not exist.")
register("config-unknown-key", E, "config", "The configuration has a key the compiler does not know (often a typo).")
register("config-value", E, "config", "A configuration value has the wrong type or an impossible value.")
register("config-unknown-code", W, "config", "A rule selector (select / ignore / severity / per-file-ignores) matches no diagnostic code.")
register("config-untrusted", W, "config", "A configuration file or hooks folder was ignored: it belongs to another user or every user may write to it.")
register("config-path-missing", W, "config", "A folder named in the configuration does not exist.")
register("suggest-link", I, "graph", "Two terms read alike (high text similarity) but are not linked in any way; link or merge them.")

# --- checks: numeric checks of equation hints (compiler.checks) -----------------------
register("check-fail", W, "checks", "A numeric claim in an equation hint does not hold against the reference data.")
register("check-stale", W, "checks", "A numeric claim held in an earlier edition of the reference data but not in the current one.")
register("check-error", W, "checks", "An equation hint could not be parsed or evaluated, or its check hook failed.")
register("check-unchecked", I, "checks", "An equation hint was not checked: symbolic, unknown symbol, or no numeric content.")
register("check-budget", E, "checks", "An equation hint was not decided: its term's budget of hints, or the budget of Monte-Carlo work per file or per build, was spent.")
register("check-reference", W, "checks", "A reference data file could not be read; its quantities were skipped.")
register("check-hooks", W, "checks", "A check hook module could not be loaded, or two hooks share a name.")
register("check-edition", W, "checks", "The requested data edition is not a year; the latest data was used.")
register("check-unread", W, "checks", "An equation hint was found but not checked: the header block it is in is not valid YAML.")
register("symbol-conflict", W, "checks", "Different terms give one symbol incompatible dimensions; the message groups the terms by dimension.")
register("dimensions-unparsed", I, "checks", "A symbol-table entry's `dimensions` is free text the checker cannot read as a dimension.")

# --- render: the static site (compiler.render) ----------------------------------------
register("slug-collision", W, "render", "Two ids would share a page file name (e.g. `Action` and `ACTION`); one page got a numbered name.")
register("slug-reserved", I, "render", "An id is a reserved file name (`index`, `CON`, `404`...); its page got a numbered name.")
register("page-budget", E, "render", "A term has more aliases than the budget of redirect pages per term (the schema's 1,000); the rest make no pages.")
register("page-failed", E, "render", "A page could not be rendered; the site was built without it. Please report it.")
register("output-refused", E, "render", "The output folder is `/`, the home folder, the terms folder, or a non-empty folder not built by compile-glossary.")
register("output-failed", E, "render", "The site could not be written to the output folder (permissions, disk full); the previous site was kept.")

# --- export: `graph --export` (compiler.export) ---------------------------------------
register("export-xml-char", W, "export", "Characters XML 1.0 cannot hold (control characters, U+FFFE, U+FFFF) were replaced with U+FFFD in a GraphML or GEXF export.",
         scope="run")
register("export-skos-cycle", W, "export", "A hierarchy cycle was broken in the SKOS export: the link that closes it goes out as `gl:broader` only, since SKOS readers reject cycles.",
         scope="run")
register("export-skos-related", I, "export", "Synonym, antonym or association links between concepts that broader links also join go out as `gl:` properties, not `skos:related` (SKOS condition S27).",
         scope="run")
register("export-too-large", E, "export", "An export passed the budget of bytes per export (1 GiB) and was stopped; nothing usable was written.",
         scope="run")

# --- build: configuration, cache, output folder ---------------------------------------
register("cache-invalid", I, "build", "The incremental-build cache was unusable (corrupt, another version, inputs changed) and was rebuilt.",
         scope="run")
register("internal-error", E, "build", "The compiler failed on this file; the file was skipped. Please report it.")


def codes_markdown() -> str:
    """The codes table of the docs, generated from the registry."""
    rows = ["| code | severity | stage | what it finds |", "| --- | --- | --- | --- |"]
    for code in sorted(CODES.values(), key=lambda c: (c.stage, c.name)):
        rows.append(f"| `{code.name}` | {code.severity.value} | {code.stage} | {code.doc} |")
    return "\n".join(rows) + "\n"


def make(code: str, file: str, line: int = 0, column: int = 0, message: str = "", **extra: Any) -> Diagnostic:
    """Build a diagnostic whose severity is the registry's default for ``code``."""
    severity = extra.pop("severity", None) or CODES[code].severity
    return Diagnostic(file=file, line=line, column=column, severity=severity, code=code, message=message, **extra)


def selector_specificity(selector: str, code: str) -> int:
    """How precisely ``selector`` names ``code``: 0 = not at all, 4 = exactly.

    The most specific selector wins when several set a severity for one code.
    """
    if selector == code:
        return 4
    if any(ch in selector for ch in "*?["):
        return 3 if fnmatchcase(code, selector) else 0
    if code.startswith(selector + "-"):
        return 2
    entry = CODES.get(code)
    if entry is not None and entry.stage == selector:
        return 2
    if selector.upper() == "ALL":
        return 1
    return 0


def selector_matches(selector: str, code: str) -> bool:
    return selector_specificity(selector, code) > 0


def selector_known(selector: str) -> bool:
    """Whether ``selector`` matches at least one registered code (for config typos)."""
    return any(selector_matches(selector, code) for code in CODES)
