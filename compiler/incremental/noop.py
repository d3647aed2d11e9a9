"""The no-op fast path: when no input changed since the last build, replay its report.

A no-op build should cost little more than starting Python and a stat of each input:
no YAML, no graph, no templates. After every complete build we record a fingerprint
of every input's stamp (size, mtime) — term files, module documents, the
configuration, hooks and reference data, the compiler's own files, the output's
marker — together with the report that build printed. The next build computes the
fingerprint again; if it is the same, the site in OUT is already the result, and the
report is printed from the record. Anything touched within two seconds of the
record, or any doubt, means a real (incremental) build.

Except term files, the usual freshly touched input (an author saves a term, then builds):
their stamps cannot be trusted (a second edit within the same mtime tick, of the same
size, would keep them), so the record keeps the content digest the build read of each
(from the build cache), and a replay reads those few files and compares, as git does
for "racily clean" index entries. The build right after an edit is then followed by a
no-op like any other, instead of a second real build.

The record is a JSON line followed by the text report and the findings, signed like the
cache (see compiler.incremental.cache), so a record that was committed by someone else or cut short
is ignored.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import marshal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from compiler.codes import about_the_glossary
from compiler.diagnostics import ROW, Diagnostic, count
from compiler.incremental.cache import RACY_NS, digest_bytes, open_regular, sign, write_atomic
from compiler.incremental.codec import diagnostics_of
from compiler.incremental.inputs import Inputs, files_of, inputs_of, stamp_line

FORMAT = 2  # of the record: bump when what it holds or how it is laid out changes


@dataclass(frozen=True)
class Replay:
    """What the last build reported. With ``text`` (its text report, when asked for by the key it
    was made under) the findings are not read back: ``diagnostics`` and ``checks`` are None."""

    files: int
    terms: int
    pages: int
    diagnostics: tuple[Diagnostic, ...] | None
    checks: tuple[dict[str, Any], ...] | None
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # errors, warnings, notes, waived (diagnostics.count)
    text: str | None = None

    def summary(self) -> dict[str, int]:
        """As ``formats.Report.summary`` gives it for the recorded findings."""
        errors, warnings, infos, waived = self.counts
        return {"files": self.files, "terms": self.terms, "errors": errors, "warnings": warnings, "infos": infos,
                "waived": waived}


def text_key(base: str, color: bool) -> str:
    """What a text report depends on besides the findings and the files they point into
    (which the fingerprint covers): the terms folder as named, and colour."""
    return f"{base}\0{int(color)}"


@dataclass(frozen=True)
class Stamps:
    """Every input's ``path:size:mtime``, as one text, and the term files modified within the
    racy window (paths relative to the terms folder, as the build cache names them), whose
    content decides instead of their stamp."""

    text: str
    fresh: tuple[str, ...] = ()


def input_stamps(inputs: Inputs) -> Stamps | None:
    """The stamps of every input (compiler.incremental.inputs); None when a file other than a term
    file is too fresh to trust its stamp."""
    stamps: list[str] = [*inputs.settings]
    too_fresh = time.time_ns() - RACY_NS  # a file modified after this may change again within its mtime's tick
    fresh: list[str] = []
    for i, (folder, suffixes) in enumerate(inputs.folders()):
        found = files_of(folder, suffixes)
        if not found:
            stamps.append(f"{folder}:absent")
        for f in found:
            stamps.append(stamp_line(f))
            if f.stat.st_mtime_ns > too_fresh:
                if i != 0 or not f.path.endswith(".md"):
                    return None  # no need to stat the rest
                fresh.append(f.display)
    return Stamps("\n".join(stamps), tuple(fresh))


def fingerprint(stamps: Stamps | None, out: Path) -> str | None:
    """The inputs' stamps and the identity of the site in OUT (its marker file), hashed."""
    if stamps is None:
        return None
    try:
        st = (out / ".compile-glossary").stat()
    except OSError:
        return None  # no previous site to stand for this build
    text = f"{stamps.text}\nout:{st.st_ino}:{st.st_mtime_ns}"
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _path(cache_dir: Path, name: str) -> Path:
    return cache_dir / f"noop-{hashlib.blake2b(name.encode('utf-8'), digest_size=8).hexdigest()}.record"


def replay(cache_dir: Path, name: str, stamps: Stamps | None, out: Path, terms_dir: Path,
           key: str | None = None) -> Replay | None:
    """The recorded report when the inputs' ``stamps`` (with OUT's marker) match the record and
    each term file too fresh for its stamp has the content the build read; None otherwise.

    With ``key`` (a :func:`text_key`) and a text report recorded under it, that text
    and the counts come back (no finding is read: a large glossary has several per term); a record
    of another build in text gives nothing; otherwise the findings and the checks."""
    fp = fingerprint(stamps, out)
    if fp is None or stamps is None:
        return None
    try:
        fh = open_regular(_path(cache_dir, name))
        if fh is None:
            return None
        with fh:
            mac, head_line = fh.read(64), fh.readline(1 << 20)  # JSON escapes every newline inside its strings
            head = json.loads(head_line)
            # Another build's record is told by its first line alone: the rest (megabytes on a
            # large glossary) is read, and the whole signature checked, only when it may be replayed.
            if not isinstance(head, dict) or head.get("format") != FORMAT or head.get("fingerprint") != fp:
                return None
            rest = fh.read()
        if not hmac.compare_digest(mac, _mac(head_line + rest)):
            return None
        if not _same_contents(terms_dir, head.get("racy") or {}, stamps.fresh):
            return None
        counts = tuple(int(n) for n in head["counts"])
        size = int(head["text_bytes"])
        if len(counts) != 4 or not 0 <= size <= len(rest):
            return None
        if key is not None and head.get("text_key") == key:
            text = rest[:size].decode("utf-8")
            return Replay(head["files"], head["terms"], head["pages"], None, None, counts, text)
        if head.get("text_key") is not None:  # the text of another spelling or colour, no findings
            return None
        rows, checks = marshal.loads(rest[size:])  # noqa: S302 - inside a payload whose signature was checked
        return Replay(head["files"], head["terms"], head["pages"], diagnostics_of(rows), tuple(checks), counts)
    except (OSError, ValueError, KeyError, TypeError, EOFError, UnicodeDecodeError):
        return None


def _same_contents(terms_dir: Path, racy: Mapping[str, str], fresh: Sequence[str]) -> bool:
    """Whether each term file the record could not trust by its stamp has the recorded content
    digest, and no other term file is too fresh now (its stamp would then be a new one)."""
    if not isinstance(racy, dict) or not set(fresh) <= set(racy):
        return False
    for display, recorded in racy.items():
        try:
            if digest_bytes((terms_dir / display).read_bytes()) != recorded:
                return False
        except (OSError, TypeError):
            return False
    return True


def record(cache_dir: Path, name: str, before: Stamps | None, after: Stamps | None, out: Path, glossary: Any,
           pages: int, text: tuple[str, str] | None = None, digests: Mapping[str, str] | None = None) -> None:
    """Remember this build's report for the next no-op.

    ``before``/``after`` are the input stamps taken before and after the build: a file
    edited while the build ran makes them differ, and then nothing is recorded. ``text``
    is (``text_key``, body) of the text report of the findings recorded (those of
    ``about_the_glossary``): a no-op prints it again rather than formatting the findings
    anew (half of a no-op's time, most of it reading every term file again for the
    source lines). ``digests`` are the content digests of the term files as the build
    read them (the build cache's): a term file too fresh for its stamp is recorded by its digest.
    """
    target = _path(cache_dir, name)
    # The same stamps after the build as before it: no input changed meanwhile (a file may have
    # aged past the racy window during a long build; its content was read all the same).
    fp = fingerprint(before, out) if before is not None and after is not None and before.text == after.text else None
    racy = {display: (digests or {}).get(display) for display in before.fresh} if before is not None else {}
    if None in racy.values():  # a fresh file the build did not read (or no cache): nothing stands for it
        fp = None
    payload = _payload(fp, glossary, pages, text, racy) if fp is not None else None
    try:
        if payload is None:  # nothing stands for this build: the next one is a real build
            target.unlink(missing_ok=True)
            return
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(target, f".{target.stem}-", _mac(payload), payload)
    except OSError:
        pass


def _mac(payload: bytes) -> bytes:
    """The record's signature, in hex: the cache's (compiler.incremental.cache), so a record made elsewhere is ignored."""
    return sign(payload).hex().encode("ascii")


def _payload(fp: str, glossary: Any, pages: int, text: tuple[str, str] | None,
             racy: Mapping[str, str | None] | None = None) -> bytes | None:
    """A JSON line (what a no-op reads first), then the text report's bytes, or else the findings
    and checks as marshal bytes.

    Why not all JSON, and why one or the other: the record is written by every build, beside
    its report; the findings and the text as JSON were the slowest to write, the findings
    as marshal far less, and the text alone least of all. A text build's no-op prints the
    text; a no-op in another format, or with the terms folder named another way, is then a real
    build. The signature over the whole payload (compiler.incremental.cache's key) makes the marshal
    bytes ours to read. None when a finding or the text holds a file name that is not UTF-8,
    or a check result holds a value marshal does not write: nothing is recorded and the
    next build is a real one."""
    kept = about_the_glossary(glossary.diagnostics)  # a rebuilt cache is news once, not on every replay
    n = count(kept)
    try:
        body = text[1].encode("utf-8") if text is not None else b""
        findings = b"" if text is not None else marshal.dumps(
            ([ROW(d) for d in kept], [c.to_json() for c in glossary.checks]), 4)
        head = {"format": FORMAT, "fingerprint": fp, "files": glossary.files, "terms": len(glossary.terms),
                "pages": pages, "counts": [n.errors, n.warnings, n.infos, n.waived],
                "text_key": text[0] if text is not None else None, "text_bytes": len(body), "racy": dict(racy or {})}
        return json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\n" + body + findings
    except (UnicodeEncodeError, ValueError):
        return None


def noop_inputs(terms_dir: Path, out: Path, options: Any) -> tuple[str, Any]:
    """(record name, a function giving the input stamps: a ``Stamps`` or None) for the no-op fast path
    of ``build``. Stamped before and after a build, with the configuration read once: its file is among
    the stamps, so an edit of it still shows."""
    from compiler.stages import Stages

    config, _ = Stages(options).configure(terms_dir)
    name = f"{terms_dir.resolve()}|{out.resolve()}"
    inputs = inputs_of(terms_dir, config, options)
    return name, lambda: input_stamps(inputs)
