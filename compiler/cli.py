"""Command line: parse arguments, call the API, print, exit. No pipeline logic here.

Exit codes are stable: 0 no error (warnings allowed), 1 errors in the glossary (or
warnings under --strict), 2 a usage problem or an internal error. A problem in a
user's files never prints a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import Callable, Sequence

from . import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
ISSUES_URL = "https://github.com/compile-glossary/compile-glossary/issues"


class UsageError(Exception):
    """A mistake in how the command was called (exit 2, no traceback)."""


def _terms_dir(value: str) -> Path:
    path = Path(value)
    if not path.exists():
        raise UsageError(f"the terms folder {value!r} does not exist")
    if not path.is_dir():
        raise UsageError(f"{value!r} is not a folder")
    return path


def _color(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _emit_report(report, fmt: str) -> None:
    from .formats import FORMATTERS, summary_line, text_report

    if fmt == "text":
        sys.stdout.write(text_report(report, color=_color(sys.stdout)))
        print(summary_line(report), file=sys.stdout)
    else:
        sys.stdout.write(FORMATTERS[fmt](report))
        print(summary_line(report), file=sys.stderr)


def _report(glossary, base: str, extra: dict | None = None):
    from .formats import Report

    checks = tuple(c.to_json() for c in glossary.checks)
    return Report(base=base, files=glossary.files, terms=len(glossary.terms), diagnostics=glossary.diagnostics,
                  checks=checks, extra=extra or {})


def cmd_validate(args: argparse.Namespace) -> int:
    from .build import analyze
    from .formats import exit_code

    root = _terms_dir(args.terms_dir)
    glossary = analyze(root)
    _emit_report(_report(glossary, args.terms_dir), args.format)
    return exit_code(glossary.diagnostics, strict=args.strict)


def cmd_schema(args: argparse.Namespace) -> int:
    from importlib import resources

    sys.stdout.write(resources.files("compiler._schema").joinpath("term.schema.json").read_text("utf-8"))
    return EXIT_OK


def cmd_codes(args: argparse.Namespace) -> int:
    from .codes import CODES, codes_markdown

    if args.markdown:
        sys.stdout.write(codes_markdown())
    else:
        for code in sorted(CODES.values(), key=lambda c: (c.stage, c.name)):
            print(f"{code.name:28} {code.severity.value:8} {code.stage:8} {code.doc}")
    return EXIT_OK


def _add_format(p: argparse.ArgumentParser, choices: Sequence[str] = ("text", "json", "github", "sarif")) -> None:
    p.add_argument("--format", choices=choices, default="text",
                   help="output format (json: one document on stdout; github: Actions annotations; sarif: code scanning)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="compile-glossary",
        description="Compile a folder of Markdown term files with YAML front matter into a checked "
                    "knowledge graph and a static website.",
        epilog="Exit codes: 0 no errors, 1 errors found (or warnings with --strict), 2 usage or internal error.")
    parser.add_argument("--version", action="version", version=f"compile-glossary {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check term files against the schema and the graph rules",
                       description="Load every *.md under TERMS_DIR, validate it, and report located diagnostics.")
    p.add_argument("terms_dir", nargs="?", default="terms", metavar="TERMS_DIR", help="folder of term files (default: terms)")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    _add_format(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the term JSON Schema (for editors)")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("codes", help="list every diagnostic code with its default severity")
    p.add_argument("--markdown", action="store_true", help="print the docs' codes table")
    p.set_defaults(func=cmd_codes)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return func(args)
    except UsageError as exc:
        print(f"compile-glossary: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("compile-glossary: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # an internal error: short message, where to report it, exit 2
        where = traceback.extract_tb(exc.__traceback__)[-1]
        print(f"compile-glossary: internal error: {type(exc).__name__}: {exc}\n"
              f"  at {Path(where.filename).name}:{where.lineno}. This is a bug in compile-glossary, not in your files;"
              f" please report it at {ISSUES_URL} (set COMPILE_GLOSSARY_DEBUG=1 for the traceback).", file=sys.stderr)
        if os.environ.get("COMPILE_GLOSSARY_DEBUG"):
            traceback.print_exc()
        return EXIT_USAGE
