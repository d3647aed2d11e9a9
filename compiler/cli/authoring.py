"""The authoring commands: `fix` (repair broken YAML headers) and `new` (start a term file).

Kept apart from :mod:`compiler.cli.main` so that the lead's parser only needs one call,
``add_commands(sub)``. Like every command, these print and return an exit code;
the work itself is done by :mod:`compiler.authoring.fix` and :mod:`compiler.authoring.scaffold`.

Exit codes of `fix`: 0 nothing to fix (or everything fixed with ``--write``), 1 some
file could not be repaired (or, without ``--write``, repairs are pending), 2 usage.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Iterable, Sequence

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _usage(message: str) -> Exception:
    from compiler.cli.main import UsageError

    return UsageError(message)


def _term_files(targets: Sequence[str]) -> list[tuple[Path, str]]:
    """(path, display name) for every file named, and every *.md under every folder named."""
    from compiler.load.terms import discover

    found: list[tuple[Path, str]] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            paths, _diags = discover(path)
            found.extend((p, p.as_posix()) for p in paths)
        elif path.is_file():
            found.append((path, path.as_posix()))
        else:
            raise _usage(f"{target!r} is neither a file nor a folder")
    return found


def _merge_results(results: Iterable, merge: bool) -> list:
    if not merge:
        return list(results)
    from compiler.authoring.fixmerge import merge_file_headers

    return [merge_file_headers(r) for r in results]


def cmd_fix(args: argparse.Namespace) -> int:
    from compiler.authoring.fix import fix_file, unified_diff, write_fix

    files = _term_files(args.paths or ["terms"])
    results = _merge_results((fix_file(p, d) for p, d in files), args.merge_headers)
    out, err = sys.stdout, sys.stderr
    fixed = refused = 0
    for r in results:
        for p in r.problems:
            print(f"{r.display}:{p.line}:{p.column}: cannot fix: {p.reason}", file=err)
        refused += bool(r.problems)
        if not r.changed:
            continue
        fixed += 1
        if args.diff or not args.write:
            out.write(unified_diff(r))
        if args.write:  # a refused merge still leaves the file's YAML repairs to write
            failed = write_fix(r)
            if failed:
                print(f"{r.display}:0:0: cannot fix: {failed}", file=err)
                refused += not r.problems
                continue
            lines = ", ".join(str(n) for n in r.changed_lines)
            print(f"{r.display}: fixed line{'s' if len(r.changed_lines) != 1 else ''} {lines} "
                  f"({'; '.join(sorted(set(r.families)))})", file=err)
    verb = "fixed" if args.write else "can be fixed (run with --write)"
    print(f"{len(results)} files: {fixed} {verb}, {refused} left with something to fix by hand, "
          f"{sum(not r.changed and not r.problems for r in results)} need nothing", file=err)
    if refused or (fixed and not args.write):
        return EXIT_FINDINGS
    return EXIT_OK


def _wanted_requests(folder: Path, limit: int, modules: Sequence[str]) -> list:
    """One stub request per most-wanted missing term, with who links to it and how."""
    from compiler.analyze.analytics import wanted_terms
    from compiler.authoring.scaffold import StubRequest
    from compiler.build import load_glossary

    glossary = load_glossary(folder, modules=[Path(m) for m in modules])
    requests = []
    for w in wanted_terms(glossary.graph, limit):
        how = ", ".join(f"{rel} ×{n}" for rel, n in w.relations)
        note = (f"Wanted: {w.inbound} term(s) link here ({how}): {', '.join(w.sources[:12])}"
                + (f"; also spelled {', '.join(w.variants)}" if w.variants else "") + ".")
        requests.append(StubRequest(w.id, w.label, note))
    return requests


def cmd_new(args: argparse.Namespace) -> int:
    from compiler.authoring.scaffold import StubRequest, write_stubs

    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise _usage(f"{args.dir!r} is not a folder")
    if args.wanted is not None:
        if args.id:
            raise _usage("`new --wanted N` takes no ID")
        if args.wanted < 1:
            raise _usage("--wanted takes a number of terms, 1 or more")
        if not folder.is_dir():
            raise _usage(f"the terms folder {args.dir!r} does not exist")
        outcomes = write_stubs(_wanted_requests(folder, args.wanted, args.modules or ()), folder)
        for o in outcomes:
            print(o.path.as_posix() if not o.error else f"skipped {o.request.id}: {o.error}")
        if not outcomes:
            print("no wanted terms: every link resolves", file=sys.stderr)
        return EXIT_FINDINGS if any(o.error for o in outcomes) else EXIT_OK
    if not args.id:
        raise _usage("give the new term's ID, or --wanted N")
    outcome = write_stubs([StubRequest(args.id, args.term)], folder)[0]
    if outcome.error and outcome.usage:
        raise _usage(outcome.error)
    if outcome.error:
        print(f"compile-glossary: {outcome.error}", file=sys.stderr)
        return EXIT_FINDINGS
    print(outcome.path.as_posix())
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the `fix` and `new` subcommands to the main parser's subparsers."""
    p = sub.add_parser(
        "fix", help="repair broken YAML headers without losing a word (shows a diff; --write applies it)",
        description="For every term file whose header is not valid YAML, propose the smallest edit that makes it "
                    "parse (quote the value, quote list items, fix escapes), check that every value keeps the "
                    "author's exact text, and show it as a unified diff. Files whose headers parse are never touched.",
        epilog="Exit codes: 0 nothing to fix (or all fixed with --write), 1 a file could not be repaired "
               "(or fixes are pending without --write), 2 usage error.")
    p.add_argument("paths", nargs="*", metavar="TERMS_DIR|FILE", help="folders and files to repair (default: terms)")
    p.add_argument("--write", action="store_true", help="apply the repairs to the files")
    p.add_argument("--diff", action="store_true", help="show the diff also with --write")
    p.add_argument("--merge-headers", action="store_true",
                   help="also merge a stub header and the full header into one (conflicts are reported, not guessed)")
    p.set_defaults(func=cmd_fix)

    p = sub.add_parser("new", help="start a new term file from the schema's skeleton",
                       description="Write TERMS_DIR/ID.md with the required fields filled and every optional "
                                   "field present as a comment. Never overwrites a file.")
    p.add_argument("id", nargs="?", metavar="ID", help="the new term's canonical_id (also its file name)")
    p.add_argument("--term", metavar="NAME", help="the term's name as readers see it (default: from the id)")
    p.add_argument("--dir", default="terms", metavar="TERMS_DIR", help="folder to write into (default: terms)")
    p.add_argument("--wanted", type=int, metavar="N",
                   help="instead of ID: write stubs for the N missing terms most linked to (never overwrites)")
    p.add_argument("--modules", action="append", metavar="DIR",
                   help="with --wanted: folder of module documents, so module ids are not taken for terms")
    p.set_defaults(func=cmd_new)
