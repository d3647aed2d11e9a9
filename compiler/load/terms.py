"""Load: find term files, read each once, split and parse its front-matter blocks.

A term file is one or more leading ``---`` YAML blocks (separated only by blank
lines) and then a Markdown body. Machine-written glossaries usually carry a short
stub block and then the full header, and the full header is often broken YAML:
we keep every block that parses, merge them (a later non-empty value wins), and
report every problem at its file, line and column with a hint in plain words.
Nothing here prints or raises for a user's mistake.
"""
from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from compiler.codes import make
from compiler.diagnostics import Diagnostic, Severity
from compiler.ids import fallback_id, id_problem
from compiler.load.blocks import Block, Split, split_blocks
from compiler.load.limits import (
    MAX_FILE_BYTES,
    MAX_VALUES,
    FileBudget,
    clean,
    describe,
    invalid_char,
)
from compiler.load.merge import merge_blocks
from compiler.load.walk import discover, display_of, special
from compiler.load.yamlhints import yaml_error_hint
from compiler.load.yamlnodes import TooManyValues, compose, construct
from compiler.load.yamlrepair import fix_text
from compiler.model import LoadResult, Location, Term

_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
)
_MAGIC = ((b"\x89PNG", "a PNG image"), (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"),
          (b"\x7fELF", "an executable"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"))


@dataclass(frozen=True)
class ParsedBlock:
    block: Block
    data: dict[str, Any] | None  # None when the block did not parse to a mapping
    locations: dict[str, Location]  # absolute, 1-based
    raw: dict[str, str]


def decode(data: bytes, display: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes to text, or a located diagnostic saying why the file is not UTF-8 text."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return None, [make("file-encoding", display, 1, 1, f"the file is encoded as {name}, not UTF-8",
                               hint="Save the file as UTF-8 (most editors: File > Save with encoding).")]
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return None, [make("file-binary", display, 1, 1, f"the file is binary ({name}), not a Markdown term file",
                               hint="Move it out of the terms folder, or give it another extension than .md.")]
    if not data.strip():
        return None, [make("file-empty", display, 1, 1, "the file is empty",
                           hint="Add a front-matter header (`---`, `term: ...`, `canonical_id: ...`, `---`) or delete the file.")]
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _byte_position(data, nul)
        return None, [make("file-binary", display, line, col, "the file holds a NUL byte, so it is binary, not text",
                           hint="Remove the NUL bytes (\\x00); they often come from a bad copy or a UTF-16 save.")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        return None, [make("file-encoding", display, line, col,
                           f"invalid UTF-8: byte 0x{data[exc.start]:02x} cannot start or continue a character",
                           hint="Save the file as UTF-8; it is probably Latin-1 or Windows-1252.")]
    text = text.lstrip("\ufeff")  # a BOM, or two (an editor that added its own to a file that had one)
    if "\r" in text:  # CRLF, and CR alone (classic Mac OS): YAML and CommonMark read both as line ends
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, []


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def parse_block(block: Block, display: str, budget: FileBudget | None = None) -> tuple[ParsedBlock, list[Diagnostic]]:
    """Parse one block; YAML errors are located at PyYAML's own mark, made absolute.

    ``budget`` is the file's, shared by its blocks (compiler.load.limits); once one of
    them ran out and was reported, the file's later blocks are not parsed."""
    budget = budget if budget is not None else FileBudget()
    if budget.exhausted:
        return ParsedBlock(block, None, {}, {}), []
    first = block.fence_line + 1  # file line of the block's first content line
    lines = block.text.split("\n")
    try:
        node = compose(block.text, budget)
    except TooManyValues as exc:
        budget.exhausted = True
        return ParsedBlock(block, None, {}, {}), [make(
            "yaml-too-large", display, first + exc.mark.line, exc.mark.column + 1,
            f"the headers hold more than {MAX_VALUES:,} YAML values (the budget of values per file); "
            "parsing stopped here", hint="A term header needs a few hundred values; split the file or shorten its lists.",
            source=_line(lines, exc.mark.line))]
    except yaml.MarkedYAMLError as exc:
        return ParsedBlock(block, None, {}, {}), [_yaml_error(exc, block, lines, first, display)]
    except yaml.reader.ReaderError as exc:  # a control character: located by its position
        line_index = block.text.count("\n", 0, exc.position)
        column = exc.position - (block.text.rfind("\n", 0, exc.position) + 1)
        return ParsedBlock(block, None, {}, {}), [make(
            "yaml-syntax", display, first + line_index, column + 1,
            f"invalid YAML: the control character U+{exc.character:04X} is not allowed in YAML text",
            hint="Delete the character; if it is meant, write it as an escape inside double quotes (\\u0007).",
            source=_line(lines, line_index))]
    except yaml.YAMLError as exc:  # any other error without a mark
        return ParsedBlock(block, None, {}, {}), [make("yaml-syntax", display, first, 1, str(exc).split("\n")[0])]
    except RecursionError:  # the pure parser on very deep nesting
        return ParsedBlock(block, None, {}, {}), [_too_deep(block, lines, first, display, 200)]
    if node is None:
        return ParsedBlock(block, {}, {"": Location(block.fence_line, 1)}, {}), []
    built = construct(node, first, budget)
    diags = [_node_problem(p, lines, first, display) for p in built.problems]
    if isinstance(built.value, dict):
        return ParsedBlock(block, built.value, built.locations, built.raw), diags
    if built.value is not None or not any(d.severity is Severity.ERROR for d in diags):
        kind = "a list" if isinstance(built.value, list) else "a single value"
        diags.append(make("header-not-mapping", display, first + node.start_mark.line, node.start_mark.column + 1,
                          f"the front-matter block is {kind}, not a mapping of keys to values",
                          hint="Write the header as `key: value` lines, starting with `term:` and `canonical_id:`.",
                          source=_line(lines, node.start_mark.line)))
    return ParsedBlock(block, None, {}, {}), diags


def _line(lines: Sequence[str], index: int) -> str | None:
    return lines[index] if 0 <= index < len(lines) else None


def _nesting_position(text: str, limit: int) -> tuple[int, int]:
    """Where flow brackets first nest deeper than ``limit`` (libyaml's own mark is the document start)."""
    depth = line = col = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > limit:
                return line, col
        elif ch in "]}":
            depth -= 1
        if ch == "\n":
            line, col = line + 1, 0
        else:
            col += 1
    return 0, 0


def _too_deep(block: Block, lines: list[str], first: int, display: str, limit: int) -> Diagnostic:
    line_index, column = _nesting_position(block.text, limit)
    return make("yaml-too-large", display, first + line_index, column + 1,
                f"the header nests lists or mappings more than {limit:,} levels deep",
                hint="Flatten the structure; term headers need only a few levels.", source=_line(lines, line_index))


def _yaml_error(exc: yaml.MarkedYAMLError, block: Block, lines: list[str], first: int, display: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line_index, column = (mark.line, mark.column) if mark else (0, 0)
    if "maximum nesting depth" in (exc.problem or "") + (exc.context or ""):
        return _too_deep(block, lines, first, display, 1000)
    source = _line(lines, line_index)
    code, message, hint = yaml_error_hint(exc, source, column, closed=block.closed)
    return make(code, display, first + line_index, column + 1, message, hint=hint, source=source)


def _node_problem(problem: Any, lines: list[str], first: int, display: str) -> Diagnostic:
    message = problem.message
    if problem.related is not None:
        message = message.replace("{related}", str(first + problem.related))
    return make(problem.code, display, first + problem.line, problem.column + 1, message,
                hint=problem.hint, source=_line(lines, problem.line))


def load_text(text: str, path: Path, display: str) -> tuple[Term | None, list[Diagnostic]]:
    """Turn decoded text into a Term (or None when no block parses) plus diagnostics."""
    split = split_blocks(text)
    if not split.blocks:
        return None, [
            make(
                "header-missing",
                display,
                1,
                1,
                "the file has no front-matter header",
                hint="Start the file with a `---` line, the YAML header (`term:`, `canonical_id:`), and another `---`.",
                source=text.split("\n", 1)[0],
            )
        ]
    diags: list[Diagnostic] = []
    budget = FileBudget()
    parsed: list[ParsedBlock] = []
    found: list[list[Diagnostic]] = []
    for block in split.blocks:
        pb, problems = parse_block(block, display, budget)
        parsed.append(pb)
        found.append(problems)
    parsed, found = _recover(text, parsed, found, display, budget)
    for pb, problems in zip(parsed, found):
        block = pb.block
        diags.extend(problems)
        if not block.closed and pb.data is not None:
            diags.append(
                make(
                    "header-unclosed",
                    display,
                    block.fence_line,
                    1,
                    "the front-matter block opened here has no closing `---`; it runs to the end of the file",
                    hint="Add a `---` line after the header's last key.",
                )
            )
    for pb in parsed:
        if pb.data is None:
            diags.extend(_unread_hints(pb.block.text, pb.block.fence_line + 1, display, BLOCK_UNREAD))
    if "equation_hint" in split.body:
        diags.extend(_unread_hints(split.body, split.body_line, display, BODY_UNREAD))
    good = [pb for pb in parsed if pb.data is not None]
    if not good:
        return None, diags
    merged = merge_blocks([(pb.data, pb.locations, pb.raw) for pb in good if pb.data is not None], display)
    diags.extend(merged.diagnostics)
    canonical = merged.data.get("canonical_id")
    if isinstance(canonical, (int, float)) and "/canonical_id" in merged.raw:
        canonical = merged.raw["/canonical_id"]
    term_id = canonical if isinstance(canonical, str) and id_problem(canonical) is None else fallback_id(path.stem)
    body = split.body
    bad = invalid_char(body)
    if bad is not None:
        at = body.index(bad)
        line = split.body_line + body.count("\n", 0, at)
        diags.append(
            make(
                "text-invalid-char",
                display,
                line,
                at - body.rfind("\n", 0, at),
                f"the text holds {describe(bad)}; it was replaced with U+FFFD",
                hint="Delete the character or write the one that was meant.",
            )
        )
        body = clean(body)
    term = Term(
        id=term_id,
        file=display,
        path=path,
        data=merged.data,
        body=body,
        body_line=split.body_line,
        locations=merged.locations,
        former_ids=tuple(i for i in merged.former_ids if i != term_id),
        has_errors=any(d.severity is Severity.ERROR for d in diags),
        header_lines=tuple(b.fence_line for b in split.blocks),
        raw=merged.raw,
    )
    return term, [d if d.term else _with_term(d, term_id) for d in diags]


FIXED_CODES = ("yaml-syntax", "yaml-tab")  # the YAML errors fix repairs (a tab it leaves to the author)
FIXABLE = ("; `compile-glossary fix --write FILE` repairs it without losing a word, and until then the site "
           "shows the values that repair gives")
FIX_HINT = ("Run `compile-glossary fix FILE` to see the repair as a diff, then `compile-glossary fix --write FILE` "
            "to apply it; other YAML readers fail on this file until it is fixed.")


def _recover(text: str, parsed: list[ParsedBlock], found: list[list[Diagnostic]], display: str,
             budget: FileBudget) -> tuple[list[ParsedBlock], list[list[Diagnostic]]]:
    """The blocks as ``compile-glossary fix --write`` would leave them, when it can repair the file.

    Why: a broken header would leave a term page with only the stub's id and status,
    although ``fix`` repairs most such headers without losing a word. The loader calls
    the repair ``fix`` writes (:func:`compiler.load.yamlrepair.fix_text`, not a copy), so
    a page shows exactly the values the fixed file will hold. The YAML error stays an
    error (any other reader still fails on the file) and says how to fix it; a repair
    that ``fix`` refuses recovers nothing, and the error says why. Only files with a
    block that failed to parse pay for this.
    """
    broken = [i for i, problems in enumerate(found)
              if parsed[i].data is None and any(d.code in FIXED_CODES for d in problems)]
    if not broken:
        return parsed, found
    fixed, _families, _changed, problems = fix_text(text)
    if problems:
        why = f"`compile-glossary fix` cannot repair this file (line {problems[0].line}: {problems[0].reason})."
        return parsed, [[replace(d, hint=f"{d.hint}\n{why}" if d.hint else why) if d.code in FIXED_CODES else d
                         for d in f] if i in broken else f for i, f in enumerate(found)]
    blocks = split_blocks(fixed).blocks
    for i in broken:
        pb, again = parse_block(blocks[i], display, budget)
        if pb.data is None:  # pragma: no cover - fix verifies that every repaired block parses
            continue
        parsed[i] = replace(pb, block=parsed[i].block)
        found[i] = [replace(d, message=d.message + FIXABLE, hint=FIX_HINT + (f"\nBy hand: {d.hint}" if d.hint else ""))
                    if d.code in FIXED_CODES
                    else d for d in found[i]] + again
    return parsed, found


_HINT_KEY = re.compile(r"^(\s*)(?:-\s+)?equation_hint\s*:(.*)$")
BLOCK_UNREAD = (
    "this equation hint was not checked: the header block it is in is not valid YAML",
    "Fix the YAML error reported in this block; the hint is checked once the block reads.",
)
BODY_UNREAD = (
    "this equation hint was not checked: it is in the body, outside every front-matter block",
    "If it belongs to a header, put that header between `---` lines (is the opening `---` missing?).",
)


def _unread_hints(text: str, first_line: int, display: str, why: tuple[str, str]) -> list[Diagnostic]:
    """One ``check-unread`` per non-empty ``equation_hint`` written where no header was read.

    Why: the checks read hints from parsed headers only; a hint in a block that did not
    parse, or in a header that lost its opening ``---`` (so it reads as body text), would
    otherwise vanish without a word: a report saying "0 errors" over hints it never saw.
    A hint's value is its text after the key, or a block scalar's more-indented lines;
    ``~``, ``null`` and empty quotes are no hint. Code fences in a body are skipped.
    """
    lines = text.split("\n")
    out: list[Diagnostic] = []
    fenced = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        m = None if fenced else _HINT_KEY.match(line)
        if m is None:
            continue
        value = m.group(2).strip()
        if value[:1] in ("|", ">"):  # a block scalar: its more-indented lines, if any has text
            indent, value = len(m.group(1)), ""
            for nxt in lines[i + 1 :]:
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                    break
                value += nxt.strip()
        if value.strip("'\" ") and value not in ("~", "null", "Null", "NULL"):
            out.append(
                make("check-unread", display, first_line + i, len(m.group(1)) + 1, why[0], hint=why[1], source=line)
            )
    return out


def _with_term(d: Diagnostic, term_id: str) -> Diagnostic:
    return replace(d, term=term_id)


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


def read_file(
    path: Path, display: str, max_bytes: int = MAX_FILE_BYTES
) -> tuple[os.stat_result | None, bytes | None, list[Diagnostic]]:
    """(stat, bytes, diagnostics): one read of a regular file, refused past ``max_bytes`` read.

    Why so careful: the file was a regular file when ``discover`` listed it, but it can be
    swapped since. It is opened without blocking (a FIFO would wait for a writer forever),
    without following a link that was not one a moment ago (O_NOFOLLOW), and what was
    opened must be a regular file (``fstat``); the cap counts the bytes actually read,
    because a device or ``/proc`` file reports a size of 0 and never ends."""
    try:
        flags = _OPEN_FLAGS
        if not stat.S_ISLNK(os.lstat(path).st_mode):
            flags |= getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags)
    except OSError as exc:
        return None, None, [make("file-read", display, 0, 0, f"cannot read the file: {exc.strerror or exc}")]
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return st, None, [special(display, st.st_mode)]
        chunks, got, want = [], 0, min(st.st_size, max_bytes) + 1
        while True:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > max_bytes:
                size = max(st.st_size, got)
                return (
                    st,
                    None,
                    [
                        make(
                            "file-too-large",
                            display,
                            1,
                            1,
                            f"the file is over the {max_bytes / 1048576:.0f} MiB limit"
                            + (f" ({size / 1048576:.1f} MiB)" if st.st_size > max_bytes else ""),
                            hint="Split it, or raise the limit if this is really one term.",
                        )
                    ],
                )
            want = min(1 << 20, max_bytes + 1 - got)
        return st, chunks[0] if len(chunks) == 1 else b"".join(chunks), []
    except OSError as exc:
        return None, None, [make("file-read", display, 0, 0, f"cannot read the file: {exc.strerror or exc}")]
    finally:
        os.close(fd)


def load_bytes(data: bytes, path: Path, display: str) -> tuple[Term | None, list[Diagnostic]]:
    """Decode and load a file's bytes; a bug of ours becomes this file's ``internal-error``, never a crash."""
    try:
        text, diags = decode(data, display)
        if text is None:
            return None, diags
        return load_text(text, path, display)
    except Exception as exc:  # noqa: BLE001 - the build must go on with the other files
        return None, [
            make(
                "internal-error",
                display,
                0,
                0,
                f"compile-glossary failed on this file ({type(exc).__name__}: {exc}); it was skipped",
                hint="This is a bug in compile-glossary; please report it with the file attached.",
            )
        ]


def load_file(path: Path, display: str, *, max_bytes: int = MAX_FILE_BYTES) -> tuple[Term | None, list[Diagnostic]]:
    """Read one file once and load it; every failure is a located diagnostic."""
    _st, data, diags = read_file(path, display, max_bytes)
    return (None, diags) if data is None else load_bytes(data, path, display)


def iter_load(paths: Sequence[Path], root: Path) -> Iterator[tuple[Term | None, list[Diagnostic]]]:
    for path in paths:
        yield load_file(path, display_of(path, root))


def load_terms(root: Path, *, exclude: Sequence[Path] = ()) -> LoadResult:
    """Load every term file under ``root``. Never raises for a problem in a file."""
    paths, diags = discover(root, exclude=exclude)
    terms: list[Term] = []
    for term, problems in iter_load(paths, root):
        diags.extend(problems)
        if term is not None:
            terms.append(term)
    return LoadResult(tuple(terms), tuple(diags), len(paths), root)


__all__ = [
    "Block",
    "Split",
    "decode",
    "discover",
    "id_problem",
    "load_file",
    "load_terms",
    "load_text",
    "parse_block",
    "split_blocks",
]
