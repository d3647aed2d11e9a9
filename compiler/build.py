"""The orchestrator: load -> validate -> link -> check -> render, top to bottom.

Each stage takes plain data and returns plain data plus diagnostics; nothing here
prints. ``analyze`` stops before rendering (``validate``, ``check``, ``graph``);
``build`` renders the site too. Errors in term files never stop the pipeline: a
file that cannot yield a term is reported and the others go on.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from compiler.collector import relaxed_gc
from compiler.diagnostics import Diagnostic, sorted_diagnostics
from compiler.model import Glossary

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Options:
    """What the command line (or a notebook) can change about one run."""

    config_file: Path | None = None
    module_dirs: tuple[Path, ...] = ()
    edition: str | None = None
    checks: bool = True  # run the numeric checks (graph-only commands skip them)
    exclude: tuple[Path, ...] = ()  # folders under the terms folder that hold no terms (the output)
    jobs: int = 1
    cache_dir: Path | None = None  # None: neither read nor write a cache (a cold build)
    output: Path | None = None  # the site folder (set by build()); names the cache's state file
    progress: Progress | None = field(default=None, compare=False)


def analyze(terms_dir: Path, options: Options = Options()) -> Glossary:
    """Everything but the site: the checked glossary and every diagnostic."""
    with relaxed_gc():
        glossary, cache = _analyze(terms_dir, options)
        if cache is not None:
            cache.save()
    return glossary


@dataclass
class _Cache:
    """The incremental cache of one (terms folder, output) pair, saved once the work is done."""

    folder: Path
    name: str
    state: Any
    link_digests: tuple[bytes, bytes] | None = None  # stand for the graph's data when it is the stored link result

    def save(self) -> None:
        from compiler.incremental.cache import write_state

        write_state(self.folder, self.state, self.name)


def _analyze(terms_dir: Path, options: Options) -> tuple[Glossary, _Cache | None]:
    from compiler.incremental.cache import read_state
    from compiler.config import load_config
    from compiler.link import link
    from compiler.incremental.files import environment, load_and_validate
    from compiler.load.modules import load_modules
    from compiler.rules import apply_rules

    note = options.progress or (lambda _stage: None)
    config, config_diags = load_config(terms_dir, options.config_file)
    if options.module_dirs:
        config = replace(config, module_dirs=config.module_dirs + tuple(p.resolve() for p in options.module_dirs))
    edition = options.edition or config.checks.edition
    cache_name = f"{terms_dir.resolve()}|{options.output.resolve() if options.output else ''}"
    state, cache_diags = (read_state(options.cache_dir, environment(config, edition), cache_name)
                          if options.cache_dir else (None, []))
    note("load")
    terms, load_diags, files, _ = load_and_validate(terms_dir, exclude=options.exclude, state=state,
                                                    jobs=options.jobs)
    pending = _start_checks(terms, config, edition, state, options.jobs) if options.checks else None
    note("link")
    if state is None:
        modules, module_diags = load_modules(config.module_dirs, exclude=terms_dir)
    else:
        from compiler.incremental.modules import RememberedModules

        remembered = RememberedModules(state.extra.setdefault("modules", {}))
        modules, module_diags = load_modules(config.module_dirs, exclude=terms_dir, read=remembered.read)
        remembered.forget_the_rest()
    from compiler.incremental.linkreuse import cached_link  # the last build's link result while nothing linking reads changed

    linked, link_digests = ((link(terms, modules, config), None) if state is None else
                            cached_link(terms, modules, config, state, options.cache_dir, cache_name))
    checks: Sequence = ()
    check_diags: Sequence[Diagnostic] = ()
    symbols: Sequence = ()
    if pending is not None:
        note("check")
        checks, check_diags = pending()
        from compiler.checks.symbols import symbol_list

        symbols, symbol_diags = symbol_list(terms)
        check_diags = [*check_diags, *symbol_diags]
    else:  # hints are not checked: their being unread is no finding
        load_diags = [d for d in load_diags if d.code != "check-unread"]
    graph = linked.data
    analytics_diags: Sequence[Diagnostic] = ()
    if config.analytics.similarity:  # idea map on the site: similar terms, communities, key terms
        note("analyze")
        from compiler.analyze.analytics import analyze_graph, annotate, suggested_links

        analysis = analyze_graph(linked.graph, terms, config)
        graph, analytics_diags = annotate(graph, analysis), suggested_links(analysis, terms)
    stages = {"load", "schema", "graph", "build"} | ({"checks"} if options.checks else set())
    diagnostics = apply_rules([*config_diags, *cache_diags, *load_diags, *module_diags, *linked.diagnostics,
                               *check_diags, *analytics_diags], config, terms, stages=stages)
    # Sorted once here: the report and the site sort them again, and sorting sorted findings is
    # one pass (at 10k terms 60,000 findings: 0.02 s against 0.09 s each time).
    glossary = Glossary(root=terms_dir, config=config, terms=terms, modules=tuple(modules), graph_data=graph,
                        checks=tuple(checks), diagnostics=tuple(sorted_diagnostics(diagnostics)), files=files,
                        symbols=tuple(symbols))
    cache = _Cache(options.cache_dir, cache_name, state, link_digests if graph is linked.data else None)
    return glossary, (cache if state is not None else None)


CHECKS_APART = 200  # terms to check before a process of its own pays for itself
CHECKS_CHUNK = 100  # terms per task: once it has linked, this process takes the tasks not yet started


def _run_checks(todo: Sequence[Any], kwargs: dict[str, Any]) -> tuple[list, list]:
    from compiler.checks import run_checks

    return run_checks(todo, **kwargs)


def _hooks_wanted(todo: Sequence[Any], kwargs: dict[str, Any]) -> bool:
    """Whether checking ``todo`` asks for the hook registry (a folder, a ``check:`` name, an entry point)."""
    from compiler.checks.hooks import needs_hooks
    from compiler.checks.inputs import iter_hints

    candidates = [c for t in todo for _, c, _ in iter_hints(t.data if isinstance(t.data, Mapping) else {})]
    return bool(candidates) and needs_hooks(candidates, kwargs["hooks_dir"])


def _start_checks(terms, config, edition, state, jobs: int) -> Callable[[], tuple[list, list]]:
    """Start the numeric checks; the returned function waits for them and gives (results, diagnostics).

    Why apart: the checks read only the terms, so with ``jobs > 1`` they run in forked
    processes while this one loads the modules and links the graph (at 10k terms ~4 s of
    checks beside ~2 s of linking); once linked, this process checks the chunks no worker
    has started instead of waiting (at 10k terms it used to wait ~1.5 s with a core idle).
    The results are the same as one ``run_checks`` over all terms: the chunks are joined
    in order and the run-wide diagnostics are kept from the first chunk only. With hooks
    in play, one process checks everything, so the hook registry is discovered once.

    Cached results are reused for the files that did not change and for those whose
    checks read the same (an edit of the body only); when none is left to check, the
    run-wide diagnostics (reference data, edition) come from the cache too, and the
    checks package is not even imported.
    """
    kwargs = dict(edition=edition, hooks_dir=config.checks.hooks_dir, reference_dirs=config.checks.reference_dirs)
    # A reloaded file has no results unless its checks read the same as before (incremental._keep_checks).
    todo = list(terms) if state is None else [t for t in terms if state.files[t.file].checks is None]
    pending = spans = None
    if jobs > 1 and len(todo) >= CHECKS_APART:
        from compiler.incremental.workers import Chunked

        step = len(todo) if _hooks_wanted(todo, kwargs) else CHECKS_CHUNK
        spans = [(i, min(i + step, len(todo))) for i in range(0, len(todo), step)]
        # the closure reaches the forked workers as it is: the terms are not pickled
        pending = Chunked(lambda start, stop: _run_checks(todo[start:stop], kwargs), spans, max(1, jobs - 1))

    def finish() -> tuple[list, list]:
        from compiler.incremental.codec import diagnostics_of

        fresh = None
        if pending is not None:
            fresh = _join_chunks(todo, spans, pending.results())
        if fresh is None and state is not None and not todo and "check-globals" in state.extra:
            fresh = ([], list(diagnostics_of(state.extra["check-globals"])))
        if fresh is None:
            fresh = _run_checks(todo, kwargs)
        return fresh if state is None else _merge_checks(terms, state, todo, *fresh)

    return finish


def _join_chunks(todo: Sequence[Any], spans: Sequence[tuple[int, int]],
                 done: Sequence[tuple[list, list]]) -> tuple[list, list]:
    """One run's (results, diagnostics) from its chunks': in order, the run-wide diagnostics once."""
    results: list = []
    diags: list = []
    for k, (start, stop) in enumerate(spans):
        chunk_results, chunk_diags = done[k]
        results.extend(chunk_results)
        if k == 0:
            diags.extend(chunk_diags)
        else:  # every chunk repeats the run-wide findings (reference data, edition): keep the term files' own
            files = {t.file for t in todo[start:stop]}
            diags.extend(d for d in chunk_diags if d.file in files)
    return results, diags


def _merge_checks(terms, state, todo, fresh, fresh_diags) -> tuple[list, list]:
    """Store the fresh results of ``todo`` in the cache; all results and diagnostics in file order."""
    from compiler.incremental.codec import diagnostic_rows

    by_file: dict[str, tuple[list, list]] = {t.file: ([], []) for t in todo}
    global_diags = []
    for r in fresh:
        by_file[r.file][0].append(r)
    for d in fresh_diags:
        (by_file[d.file][1] if d.file in by_file else global_diags).append(d)
    for file, (results, diags) in by_file.items():
        entry = state.files[file]
        entry.checks, entry.check_diagnostics = tuple(results), tuple(diags)
    state.extra["check-globals"] = diagnostic_rows(global_diags)
    results = [r for t in terms for r in state.files[t.file].checks or ()]
    diags = [*global_diags, *(d for t in terms for d in state.files[t.file].check_diagnostics)]
    return results, diags


def build(terms_dir: Path, out: Path, options: Options = Options(), *,
          then: Callable[[Glossary, Any, Mapping[str, str] | None], None] | None = None):
    """Analyze, then render the site into ``out`` atomically. Returns (glossary, render stats).

    ``then(glossary, stats, digests)`` runs once the site is in place (the command line
    prints its report there); with ``jobs > 1`` the cache is written meanwhile, in a forked
    process. ``digests`` are the content digests of the term files as this build read
    them (display path -> hex), None without a cache.
    """
    with relaxed_gc():
        return _build(terms_dir, out, options, then)


def _build(terms_dir: Path, out: Path, options: Options,
           then: Callable[[Glossary, Any, Mapping[str, str] | None], None] | None):
    from compiler.codes import about_the_glossary
    from compiler.render import render_site

    exclude = options.exclude + (out,) + ((options.cache_dir,) if options.cache_dir else ())
    options = replace(options, exclude=exclude, output=out)
    glossary, cache = _analyze(terms_dir, options)
    if options.progress:
        options.progress("render")
    page_cache = cache.state.extra.setdefault("render", {}) if cache is not None else None
    digests = {file: entry.digest for file, entry in cache.state.files.items()} if cache is not None else None
    # The site shows the glossary's findings, not this run's (a rebuilt cache): it must not depend on the cache.
    shown = replace(glossary, diagnostics=about_the_glossary(glossary.diagnostics))
    beside_report = options.jobs > 1 and then is not None
    leftovers: list[Path] = []  # the previous site, swapped out: removed beside the report
    stats, render_diags = render_site(shown, out, jobs=options.jobs, page_cache=page_cache, digests=digests,
                                      leftovers=leftovers if beside_report else None,
                                      link_digests=cache.link_digests if cache is not None else None)
    if render_diags:
        glossary = replace(glossary, diagnostics=glossary.diagnostics + tuple(render_diags))
    _finish(cache, leftovers, (lambda: then(glossary, stats, digests)) if then is not None else None, beside_report)
    return glossary, stats


def _finish(cache: _Cache | None, leftovers: Sequence[Path], report: Callable[[], None] | None,
            side_by_side: bool) -> None:
    """The end of a build: the cache written and the swapped-out site removed, beside the report.

    With ``side_by_side`` a forked process writes the cache (see ``parallel.beside``); the old
    site goes to whichever process is free first (``output.remove_leftover`` claims it)."""
    from compiler.render.output import remove_leftover
    from compiler.incremental.workers import beside

    def save_and_clean() -> None:
        if cache is not None:
            cache.save()
        for folder in leftovers:
            remove_leftover(folder)

    with beside(save_and_clean, enabled=side_by_side):
        if report is not None:
            report()
        for folder in leftovers:
            remove_leftover(folder)


def noop_inputs(terms_dir: Path, out: Path, options: Options) -> tuple[str, Callable[[], Any]]:
    """(record name, a function giving the input stamps: a ``noop.Stamps`` or None) for the no-op
    fast path of ``build`` (see compiler.incremental.noop). Stamped before and after a build, with the
    configuration read once: its file is among the stamps, so an edit of it still shows."""
    from compiler.config import load_config
    from compiler.incremental.noop import input_stamps

    config, _ = load_config(terms_dir, options.config_file)
    name = f"{terms_dir.resolve()}|{out.resolve()}"
    extra = [f"edition={options.edition}", f"modules={[str(p.resolve()) for p in options.module_dirs]}",
             f"config={options.config_file}", f"checks={options.checks}"]
    return name, lambda: input_stamps(terms_dir, config, extra)


def default_cache_dir(out: Path) -> Path:
    """``.glossary-cache`` beside OUT (in OUT's parent), never inside the terms folder."""
    return out.resolve().parent / ".glossary-cache"


def load_glossary(terms_dir: str | Path, *, modules: Sequence[str | Path] = (), checks: bool = False) -> Glossary:
    """The notebook entry point: ``compiler.load_glossary("terms").graph`` is a networkx MultiDiGraph."""
    return analyze(Path(terms_dir), Options(module_dirs=tuple(Path(m) for m in modules), checks=checks))
