"""The stages of a build, made fast: kept between builds and spread over processes.

``FastStages`` answers each stage as :class:`compiler.stages.Stages` does, by the same
stage functions, and differs only in when and where they run:

- with a cache folder (``options.cache_dir``), each term file's load, validation and
  checks are kept by content (compiler.incremental.files, .checks), the module documents
  by stamp (.modules), the link result by what linking reads (.linkreuse), the site's
  plan and pages by what each shows (.plan, .pages, .render); the cache is plain data
  (.codec, .cache) and is saved once the site is in place;
- with ``options.jobs > 1``, loading, the checks (beside linking), the pages and the
  heavy site-wide files go to forked workers that die with the build (.workers);
- ``then`` (the command line's report) runs once the site is in place, while a forked
  child saves the cache and removes the previous site.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, Sequence

from compiler.collector import relaxed_gc
from compiler.diagnostics import Diagnostic
from compiler.incremental.cache import CacheState, key_file, read_state, write_state
from compiler.model import Glossary, Module, Term
from compiler.stages import Checked, Options, Stages

if TYPE_CHECKING:
    from compiler.config import Config
    from compiler.link import GraphResult
    from compiler.render.site import RenderStats

Report = Callable[[Glossary, "RenderStats | None", "Mapping[str, str] | None"], None]


def default_cache_dir(out: Path) -> Path:
    """``.glossary-cache`` beside OUT (in OUT's parent), never inside the terms folder."""
    return out.resolve().parent / ".glossary-cache"


class FastStages(Stages):
    """:class:`compiler.stages.Stages` with a build cache (``options.cache_dir``) and ``options.jobs`` processes."""

    def __init__(self, options: Options = Options(), then: Report | None = None) -> None:
        super().__init__(options)
        self.then = then
        self.state: CacheState | None = None
        self.name = ""
        self.validated: tuple[Term, ...] | None = None
        self.link_digests: tuple[bytes, bytes] | None = None
        self.leftovers: list[Path] = []
        self.linked: GraphResult | None = None

    @contextmanager
    def session(self) -> Iterator[None]:
        with relaxed_gc():  # a build makes millions of objects and no cycles: see compiler.collector
            yield

    def configure(self, terms_dir: Path) -> tuple[Config, list[Diagnostic]]:
        from compiler.incremental.inputs import environment_key, inputs_of

        config, diagnostics = super().configure(terms_dir)
        if self.options.cache_dir is not None:
            out = self.options.output
            self.name = f"{terms_dir.resolve()}|{out.resolve() if out else ''}"
            key = environment_key(inputs_of(terms_dir, config, self.options), config)
            self.state, found = read_state(self.options.cache_dir, key, self.name)
            diagnostics.extend(found)
        return config, diagnostics

    def load(self, terms_dir: Path) -> tuple[tuple[Term, ...], list[Diagnostic], int]:
        """Load and validate each file at once (in the worker that read it), or take it from the cache."""
        from compiler.incremental.files import load_and_validate

        self.note("load")
        terms, diagnostics, files, _ = load_and_validate(terms_dir, exclude=self.options.exclude, state=self.state,
                                                         jobs=self.options.jobs)
        self.validated = terms
        return terms, self.unread_hints_kept(diagnostics), files

    def validate(self, terms: Sequence[Term]) -> tuple[tuple[Term, ...], list[Diagnostic]]:
        if terms is self.validated:  # validated where they were loaded; their findings came with them
            return tuple(terms), []
        return super().validate(terms)

    def modules(self, config: Config, terms_dir: Path) -> tuple[list[Module], list[Diagnostic]]:
        if self.state is None:
            return super().modules(config, terms_dir)
        from compiler.incremental.modules import RememberedModules
        from compiler.load.modules import load_modules

        remembered = RememberedModules(self.state.extra.setdefault("modules", {}))
        found = load_modules(config.module_dirs, exclude=terms_dir, ignore=config.modules_exclude,
                             read=remembered.read)
        remembered.forget_the_rest()
        return found

    def check(self, terms: Sequence[Term], config: Config) -> Callable[[], Checked]:
        """The checks of the files that changed, started in workers beside linking when they are many."""
        if not self.options.checks:
            return super().check(terms, config)
        from compiler.incremental.checks import start_checks

        self.note("check")
        pending = start_checks(terms, config, self.edition, self.state, self.options.jobs)

        def finish() -> Checked:
            from compiler.checks.symbols import symbol_list

            results, diagnostics = pending()
            symbols, found = symbol_list(terms)
            return results, symbols, [*diagnostics, *found]

        return finish

    def link(self, terms: Sequence[Term], modules: Sequence[Module], config: Config) -> GraphResult:
        if self.state is None or self.options.cache_dir is None:
            return super().link(terms, modules, config)
        from compiler.incremental.linkreuse import cached_link

        self.note("link")
        linked, self.link_digests = cached_link(terms, modules, config, self.state, self.options.cache_dir, self.name)
        self.linked = linked
        return linked

    def render(self, glossary: Glossary, out: Path) -> tuple[RenderStats, list[Diagnostic]]:
        from compiler.incremental.render import render_site_fast

        self.note("render")
        state = self.state
        return render_site_fast(glossary, out, jobs=self.options.jobs,
                                page_cache=state.extra.setdefault("render", {}) if state is not None else None,
                                digests=self.digests(),
                                leftovers=self.leftovers if self._beside() else None,
                                link_digests=self.link_digests if self._graph_is_linked(glossary) else None,
                                template_cache=key_file().parent if self.options.cache_dir is not None else None)

    def finish(self, glossary: Glossary, stats: RenderStats | None) -> None:
        """Save the cache and remove the previous site while ``then`` reports (a forked child does
        the first two when there are several jobs)."""
        from compiler.incremental.workers import beside
        from compiler.render.output import remove_leftover

        def save_and_clean() -> None:
            if self.state is not None and self.options.cache_dir is not None:
                write_state(self.options.cache_dir, self.state, self.name)
            for folder in self.leftovers:
                remove_leftover(folder)

        with beside(save_and_clean, enabled=self._beside()):
            if self.then is not None:
                self.then(glossary, stats, self.digests())
            for folder in self.leftovers:
                remove_leftover(folder)

    # --- helpers ---------------------------------------------------------------------------

    def digests(self) -> dict[str, str] | None:
        """Each term file's content digest as this build read it (display path -> hex), None without a cache."""
        return {file: e.digest for file, e in self.state.files.items()} if self.state is not None else None

    def _beside(self) -> bool:
        return self.options.jobs > 1 and self.then is not None

    def _graph_is_linked(self, glossary: Glossary) -> bool:
        return self.linked is not None and glossary.graph_data is self.linked.data


def fast_build(terms_dir: Path, out: Path | None = None, options: Options = Options(), then: Report | None = None
               ) -> tuple[Glossary, RenderStats | None]:
    """:func:`compiler.build.build` through :class:`FastStages`."""
    from compiler.build import build

    return build(terms_dir, out, options, FastStages(options, then))


def fast_analyze(terms_dir: Path, options: Options = Options()) -> Glossary:
    """:func:`compiler.build.analyze` through :class:`FastStages` (the cache of ``options.cache_dir``)."""
    return fast_build(terms_dir, None, options)[0]


__all__ = ["FastStages", "default_cache_dir", "fast_build", "fast_analyze"]
