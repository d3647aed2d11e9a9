"""Command line: parse arguments, call the API, print, exit. No pipeline logic here.

Exit codes are stable: 0 no error (warnings allowed), 1 errors in the glossary (or
warnings under --strict), 2 a usage problem or an internal error. A problem in a
user's files never prints a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Callable, Sequence

from compiler.cli import progress as _out
from compiler.cli.progress import CURRENT, Progress
from compiler.version import __version__

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


def _emit_report(report, fmt: str, text: str | None = None, *, mode: str = "full", where: str = "",
                 other_lines: int = 0) -> None:
    """Print ``report`` in ``fmt``; in text, as ``mode`` of compiler.report.console says (``text`` is that
    text when already made: the build keeps it for no-ops), then the totals."""
    from compiler.report import console
    from compiler.report.formats import FORMATTERS, summary_line

    if fmt == "text":
        if text is None:
            text = console.render(report, mode, color=_color(sys.stdout), where=where, other_lines=other_lines)
        sys.stdout.write(text)
        print(summary_line(report), file=sys.stdout)
    else:
        sys.stdout.write(FORMATTERS[fmt](report))
        print(summary_line(report), file=sys.stderr)


def _report(glossary, base: str, extra: dict | None = None, *, fmt: str = "json"):
    """The report of the glossary's findings: never one about this run only (a rebuilt cache), which
    :func:`_say_run_notes` prints apart, so a run's history never changes the glossary's counts."""
    from compiler.codes import about_the_glossary
    from compiler.report.formats import Report

    # only the json format prints the check results (thousands of them on a large glossary)
    checks = tuple(c.to_json() for c in glossary.checks) if fmt == "json" else ()
    return Report(base=base, files=glossary.files, terms=len(glossary.terms),
                  diagnostics=about_the_glossary(glossary.diagnostics), checks=checks, extra=extra or {})


def _say_run_notes(glossary, args: argparse.Namespace) -> None:
    """The findings about this run only (a rebuilt cache), on stderr: said once, never counted."""
    from compiler.codes import about_this_run
    from compiler.report.console import run_notes

    if not getattr(args, "quiet", False):
        for line in run_notes(about_this_run(glossary.diagnostics)):
            print(line, file=sys.stderr)


def _settle() -> None:
    """The run's objects now live until the process exits: take them out of the collector's sight.

    Why: the first full collection after a build walks every object of the glossary
    (a visible pause on a large one) and frees nothing; the report that follows allocates
    enough to trigger one. Not for `serve`, whose rebuilds replace their objects.
    """
    import gc

    gc.freeze()


def _options(args: argparse.Namespace, **extra):
    from compiler.config import pattern_error
    from compiler.stages import Options

    config = getattr(args, "config", None)
    if config is not None and not Path(config).is_file():
        raise UsageError(f"the configuration file {config!r} does not exist")
    modules = tuple(Path(m) for m in getattr(args, "modules", None) or ())
    for m in modules:
        if not m.is_dir():
            raise UsageError(f"the module folder {str(m)!r} does not exist")
    patterns = tuple(getattr(args, "modules_exclude", None) or ())
    for pattern in patterns:
        if pattern_error(pattern) is not None:
            raise UsageError(f"--modules-exclude {pattern!r} is not a gitignore-style pattern: {pattern_error(pattern)}")
    return Options(config_file=Path(config) if config else None, module_dirs=modules, modules_exclude=patterns,
                   edition=getattr(args, "edition", None), **extra)


def _say_config(root: Path, options, args: argparse.Namespace | None = None) -> None:
    """Name the configuration file this run reads (on stderr: stdout is the report's); not under ``-q``."""
    from compiler.config import find_config
    from compiler.report.formats import terminal_safe

    if args is not None and getattr(args, "quiet", False):
        return
    used = options.config_file or find_config(root)
    print(f"compile-glossary: configuration: {terminal_safe(str(used)) if used else 'none found (defaults)'}",
          file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from compiler.build import analyze
    from compiler.report.formats import exit_code

    root = _terms_dir(args.terms_dir)
    options = _options(args, progress=Progress(sys.stderr.isatty()))
    _say_config(root, options, args)
    glossary = analyze(root, options)
    _settle()
    options.progress.done()
    _say_run_notes(glossary, args)
    report = _report(glossary, args.terms_dir, {"hints": _hints(glossary)}, fmt=args.format)
    _emit_report(report, args.format, mode=_out.mode(args, "full"))
    return exit_code(report.diagnostics, strict=args.strict)


def _hints(glossary) -> dict:
    from compiler.checks import account

    return account(glossary.checks, glossary.diagnostics)


def cmd_check(args: argparse.Namespace) -> int:
    from compiler.build import analyze
    from compiler.report.formats import exit_code

    root = _terms_dir(args.terms_dir)
    glossary = analyze(root, _options(args))
    _settle()
    checks = [c.to_json() for c in glossary.checks]
    by_status: dict[str, int] = {}
    for c in checks:
        by_status[c["status"]] = by_status.get(c["status"], 0) + 1
    hints = _hints(glossary)
    # A hint that could not be read is never silent: its finding, and the errors of its file that are why.
    unread = set(hints["unreadable_files"])
    report = _report(glossary, args.terms_dir, {"checks": by_status, "hints": hints}, fmt=args.format)
    check_diags = tuple(d for d in report.diagnostics if d.code.startswith("check-")
                        or d.file in unread and d.severity.value == "error")
    from dataclasses import replace as _replace

    _emit_report(_replace(report, diagnostics=check_diags), args.format, mode=_out.mode(args, "full"))
    if args.format == "text" and not args.quiet:
        print(", ".join(f"{n} {s}" for s, n in sorted(by_status.items())) or "no equation hints")
        if unread:
            print(f"not read ({len(unread)} files whose header could not be read): {', '.join(sorted(unread))}")
    return exit_code(check_diags, strict=args.strict)


def cmd_build(args: argparse.Namespace) -> int:
    from compiler.incremental.noop import noop_inputs
    from compiler.incremental.stages import default_cache_dir, fast_build
    from compiler.render.output import OutputError, check_target
    from compiler.report import console
    from compiler.report.formats import exit_code

    root = _terms_dir(args.terms_dir)
    out = Path(args.output)
    try:
        check_target(out, [root])  # refuse /, the home folder, the terms folder... before any work
    except OutputError as exc:
        raise UsageError(str(exc)) from None
    progress = Progress(sys.stderr.isatty())
    started = time.perf_counter()
    cache = None if args.no_cache else Path(args.cache_dir) if args.cache_dir else default_cache_dir(out)
    if cache is not None and args.cache_dir:
        _check_cache_dir(cache, out)
    options = _options(args, jobs=args.jobs or os.cpu_count() or 1, progress=progress, cache_dir=cache)
    _say_config(root, options, args)
    mode = _out.mode(args, "short")
    where = console.where_line(args.terms_dir, args.output)
    stamps = replayed = None
    if cache is not None:
        from compiler.incremental import noop

        name, restamp = noop_inputs(root, out, options)
        stamps = restamp()
        key = noop.text_key(args.terms_dir, _color(sys.stdout)) if args.format == "text" else None
        replayed = noop.replay(cache, name, stamps, out, root, key)
    if replayed is not None:  # nothing changed since the last build: OUT is already the result
        from compiler.report.formats import Report, exit_status, summary_text_line

        if replayed.text is not None:  # the short report as the last build printed it
            sys.stdout.write(_out.replayed(replayed.text, mode))
            print(summary_text_line(replayed.summary()))
        else:
            _emit_report(Report(base=args.terms_dir, files=replayed.files, terms=replayed.terms,
                                diagnostics=replayed.diagnostics or (), checks=replayed.checks or (),
                                extra={"pages": replayed.pages, "seconds": round(time.perf_counter() - started, 3)}),
                         args.format, mode=mode, where=where, other_lines=4)
        if mode != "quiet":
            print(f"nothing changed: {out}/ is up to date ({replayed.pages} pages)",
                  file=sys.stdout if args.format == "text" else sys.stderr)
        return exit_status(*replayed.counts[:2], strict=args.strict)

    def report(glossary, stats, digests) -> None:  # the site is in place; the cache is being written beside this
        _settle()
        progress.done()
        seconds = round(time.perf_counter() - started, 3)
        made = _report(glossary, args.terms_dir, {"pages": stats.pages, "seconds": seconds}, fmt=args.format)
        short = None
        color = _color(sys.stdout)
        if args.format == "text":  # made once: printed now, and kept for the next no-op to print again
            # besides the findings and the table: the configuration, the totals, "wrote" and a note
            short = console.short_report(made, where=where, color=color, other_lines=4)
        if cache is not None and stats.pages:
            after = restamp() if stamps is not None else None  # None: nothing to record
            kept = (noop.text_key(args.terms_dir, color), short) if short is not None and after is not None else None
            noop.record(cache, name, stamps, after, out, glossary, stats.pages, kept, digests)
        _say_run_notes(glossary, args)
        _emit_report(made, args.format, _out.replayed(short, mode) if short is not None else None)

    try:
        glossary, stats = fast_build(root, out, options, then=report)
    except OutputError as exc:
        progress.done()
        raise UsageError(str(exc)) from None
    if mode != "quiet" or args.format != "text":
        print(_out.wrote(stats, out, time.perf_counter() - started),
              file=sys.stdout if args.format == "text" else sys.stderr)
    from compiler.codes import about_the_glossary

    return exit_code(about_the_glossary(glossary.diagnostics), strict=args.strict)


def _check_cache_dir(cache: Path, out: Path) -> None:
    """Refuse a ``--cache-dir`` that is OUT or inside it, before anything is written.

    Why: OUT is replaced whole by every build, so a cache there is swapped away with the
    old site (and its files would be published in the new one)."""
    cache_real, out_real = os.path.realpath(cache), os.path.realpath(out)
    if cache_real == out_real or cache_real.startswith(out_real.rstrip("/") + "/"):
        raise UsageError(
            f"--cache-dir {str(cache)!r} is {'the output folder' if cache_real == out_real else 'inside the output folder'}"
            f" {str(out)!r}, which every build replaces whole; give a folder outside it"
            " (the default is .glossary-cache beside the output folder)"
        )


def cmd_serve(args: argparse.Namespace) -> int:
    import threading

    from compiler.cli.serve import Watcher, make_server
    from compiler.incremental.inputs import Inputs, inputs_of
    from compiler.incremental.stages import default_cache_dir, fast_build
    from compiler.report.formats import summary_line
    from compiler.stages import Stages

    root = _terms_dir(args.terms_dir)
    out = Path(args.output)
    options = _options(args, jobs=1, cache_dir=default_cache_dir(out))
    counter = {"n": 0}

    def rebuild() -> None:
        started = time.perf_counter()
        try:
            glossary, stats = fast_build(root, out, options)
        except Exception as exc:  # noqa: BLE001 - keep serving the last good site
            print(f"rebuild failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return
        counter["n"] += 1
        report = _report(glossary, args.terms_dir, fmt="text")
        pages = stats.pages if stats is not None else 0
        print(
            f"built {pages} pages in {time.perf_counter() - started:.2f}s: {summary_line(report)}",
            file=sys.stderr,
        )

    def inputs() -> Inputs:  # asked again after each rebuild: the configuration may name other folders
        config, _ = Stages(options).configure(root)
        return inputs_of(root, config, options)

    watcher = Watcher(inputs, rebuild, ignore=[out, default_cache_dir(out)])  # stamps the inputs first
    rebuild()
    try:
        server = make_server(out, args.host, args.port, lambda: str(counter["n"]))
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None

    threading.Thread(target=watcher.run, daemon=True).start()
    host, port = server.server_address[:2]
    host = host.decode() if isinstance(host, bytes) else host
    print(f"serving {out}/ at http://{host}:{port}/ (Ctrl-C stops)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop.set()
        server.server_close()
    return EXIT_OK


def _export_bytes(fmt: str, data, terms) -> tuple[bytes, int]:
    """The export's bytes and how many characters XML 1.0 cannot hold were replaced (GraphML);
    ExportTooLarge past the budget of bytes per export."""
    import io
    import json

    from compiler.export import writers as exports
    from compiler.export.limits import check_size

    graph = data.graph
    if fmt == "json":
        return check_size(exports.node_link_json(data).encode("utf-8")), 0
    if fmt == "skos":  # what SKOS's integrity conditions made the export leave out, named on stderr
        from compiler.export.skos import skos_export

        made = skos_export(graph, terms)
        for finding in made.findings:
            _print_finding(finding)
        return check_size((json.dumps(made.document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")), 0
    buffer = io.BytesIO()
    replaced = exports.write_graphml(graph, buffer)
    return buffer.getvalue(), replaced


def _print_finding(d) -> None:
    """One finding of the graph command on stderr, as the text report writes it (no source line)."""
    from compiler.report.formats import terminal_safe

    where = f"{d.file}: " if d.file else "compile-glossary: "  # a finding about the whole export names no file
    print(terminal_safe(f"{where}{d.severity.value}[{d.code}] {d.message}"), file=sys.stderr)


def _export_notes(target: str, replaced: int) -> None:
    """Say (on stderr) that characters were replaced to keep an XML export well-formed."""
    from compiler.codes import make

    if replaced:
        _print_finding(
            make(
                "export-xml-char",
                target,
                0,
                0,
                f"{replaced} character(s) XML 1.0 cannot hold (control "
                "characters, U+FFFE, U+FFFF, lone surrogates) were replaced with U+FFFD",
            )
        )


def _export_refused(target: str, exc: Exception) -> int:
    from compiler.codes import make

    _print_finding(make("export-too-large", target, 0, 0, str(exc)))
    return EXIT_FINDINGS


def cmd_graph(args: argparse.Namespace) -> int:
    from compiler.build import analyze
    from compiler.export.limits import ExportTooLarge
    from compiler.export.writers import summary_text

    root = _terms_dir(args.terms_dir)
    if args.export == "gexf" or (args.analyze and not args.export):
        return _idea_map(root, args)
    glossary = analyze(root, _options(args, checks=False))
    data = glossary.graph_data
    if args.analyze:
        from compiler.analyze.analytics import analyze_graph, annotate

        data = annotate(data, analyze_graph(data.graph, glossary.terms, glossary.config))
    if args.export:
        target = args.output or "<stdout>"
        try:
            output, replaced = _export_bytes(args.export, data, glossary.terms)
        except ExportTooLarge as exc:
            return _export_refused(target, exc)
        _export_notes(target, replaced)
        if args.output:
            Path(args.output).write_bytes(output)
            print(f"wrote {args.output}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(output)
        return EXIT_OK
    sys.stdout.write(summary_text(data.graph, glossary.diagnostics))
    return EXIT_OK


def _idea_map(root: Path, args: argparse.Namespace) -> int:
    """`graph --analyze` and `graph --export gexf` through the streaming idea map (compiler.analyze.ideamap)."""
    from compiler.analyze.analytics import analysis_text
    from compiler.analyze.ideamap import build_map, default_jobs, write_map_gexf
    from compiler.export.limits import ExportTooLarge

    progress = Progress(sys.stderr.isatty())
    idea = build_map(root, _options(args, checks=False, progress=progress, jobs=args.jobs or default_jobs()))
    progress.done()
    if not args.export:
        print(analysis_text(idea.analysis))
        return EXIT_OK
    target = args.output or "<stdout>"
    try:
        replaced = write_map_gexf(idea, Path(args.output) if args.output else sys.stdout.buffer)
    except ExportTooLarge as exc:
        if args.output:
            Path(args.output).unlink(missing_ok=True)  # an incomplete file is no export
        return _export_refused(target, exc)
    _export_notes(target, replaced)
    if args.output:
        print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from importlib import resources

    sys.stdout.write(resources.files("compiler._schema").joinpath("term.schema.json").read_text("utf-8"))
    return EXIT_OK


def cmd_codes(args: argparse.Namespace) -> int:
    from compiler.codes import CODES, codes_markdown

    if args.markdown:
        sys.stdout.write(codes_markdown())
    else:
        for code in sorted(CODES.values(), key=lambda c: (c.stage, c.name)):
            print(f"{code.name:28} {code.severity.value:8} {code.stage:8} {code.doc}")
    return EXIT_OK


def _add_format(p: argparse.ArgumentParser, choices: Sequence[str] = ("text", "json", "github", "sarif")) -> None:
    p.add_argument(
        "--format",
        choices=choices,
        default="text",
        help="output format (json: one document on stdout; github: Actions annotations; sarif: code scanning)",
    )


def _add_common(p: argparse.ArgumentParser, *, fmt: bool = True) -> None:
    p.add_argument(
        "terms_dir", nargs="?", default="terms", metavar="TERMS_DIR", help="folder of term files (default: terms)"
    )
    p.add_argument(
        "--config", metavar="FILE", help="glossary.toml or pyproject.toml (default: looked up from TERMS_DIR upward)"
    )
    p.add_argument("--modules", action="append", metavar="DIR", help="folder of module documents (repeatable)")
    p.add_argument("--modules-exclude", action="append", metavar="PATTERN",
                   help="gitignore-style pattern of files or folders under a module folder to leave out,"
                        " e.g. 'rejected_modules/' (repeatable; added to the configuration's modules-exclude)")
    p.add_argument("--edition", metavar="YEAR", help="reference data edition for the numeric checks (default: latest)")
    if fmt:
        p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
        _add_format(p)
        p.add_argument("--statistics", action="store_true",
                       help="text: print the table of findings by code (severity, code, count, meaning), not the findings")
        p.add_argument("-q", "--quiet", action="store_true", help="text: print the totals only")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="compile-glossary",
        description="Compile a folder of Markdown term files with YAML front matter into a checked "
        "knowledge graph and a static website.",
        epilog="Exit codes: 0 no errors, 1 errors found (or warnings with --strict), 2 usage or internal error.",
    )
    parser.add_argument("--version", action="version", version=f"compile-glossary {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "validate",
        help="check term files against the schema and the graph rules",
        description="Load every *.md under TERMS_DIR, validate it, and report located diagnostics.",
    )
    _add_common(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "build",
        help="load, check and render the static site",
        description="Run load -> validate -> link -> check -> render and write the site atomically.",
    )
    _add_common(p)
    p.add_argument("-o", "--output", default="_site", metavar="OUT", help="output folder (default: _site)")
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: number of cores)")
    p.add_argument("--cache-dir", metavar="DIR", help="incremental-build cache (default: .glossary-cache beside OUT)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache (a cold build)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "serve",
        help="build, serve on 127.0.0.1, rebuild on change and reload pages",
        description="Build the site, serve it locally, watch the files and rebuild on change.",
    )
    _add_common(p, fmt=False)
    p.add_argument("-o", "--output", default="_site", metavar="OUT", help="output folder (default: _site)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "check",
        help="run the numeric checks of every equation hint",
        description="Parse each formal_mappings equation_hint and check it against reference data.",
    )
    _add_common(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("graph", help="summarize, analyze or export the knowledge graph")
    _add_common(p, fmt=False)
    p.add_argument("--export", choices=("json", "graphml", "skos", "gexf"), help="write the graph in this format")
    p.add_argument("-o", "--output", metavar="FILE", help="file for --export (default: stdout)")
    p.add_argument(
        "--analyze", action="store_true", help="communities, key terms, bridges, wanted terms and suggested links"
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=0,
        metavar="N",
        help="worker processes for --analyze and --export gexf (default: number of cores)",
    )
    p.set_defaults(func=cmd_graph)

    p = sub.add_parser("schema", help="print the term JSON Schema (for editors)")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("codes", help="list every diagnostic code with its default severity")
    p.add_argument("--markdown", action="store_true", help="print the docs' codes table")
    p.set_defaults(func=cmd_codes)
    __import__("compiler.cli.authoring", fromlist=["add_commands"]).add_commands(sub)
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
        print(
            f"compile-glossary: internal error during {CURRENT['stage']}: {type(exc).__name__}: {exc}\n"
            f"  at {Path(where.filename).name}:{where.lineno}. This is a bug in compile-glossary, not in your files;"
            f" please report it at {ISSUES_URL} (set COMPILE_GLOSSARY_DEBUG=1 for the traceback).",
            file=sys.stderr,
        )
        if os.environ.get("COMPILE_GLOSSARY_DEBUG"):
            traceback.print_exc()
        return EXIT_USAGE
