"""The stages a build runs, one method each, in one process and without a cache.

Why a class: the orchestrator (:func:`compiler.build.build`) reads the pipeline top to
bottom and calls each stage through an object like this one. This one calls each
stage's own function and nothing else. ``compiler.incremental.FastStages`` gives the
same answers faster: it keeps the per-file work, the link result and the pages between
builds, and spreads the work over processes. Both run the same stage functions, the
ones the tests test.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from compiler.diagnostics import Diagnostic
from compiler.model import Glossary, GraphData, Module, Term

if TYPE_CHECKING:
    from compiler.checks.result import CheckResult, SymbolRow
    from compiler.config import Config
    from compiler.link import GraphResult
    from compiler.render.site import RenderStats

Progress = Callable[[str], None]
Checked = tuple[Sequence["CheckResult"], Sequence["SymbolRow"], Sequence[Diagnostic]]


@dataclass(frozen=True)
class Options:
    """What the command line (or a notebook) can change about one run."""

    config_file: Path | None = None
    module_dirs: tuple[Path, ...] = ()
    modules_exclude: tuple[str, ...] = ()  # gitignore-style patterns (--modules-exclude)
    edition: str | None = None
    checks: bool = True  # run the numeric checks (graph-only commands skip them)
    exclude: tuple[Path, ...] = ()  # folders under the terms folder that hold no terms (the output)
    jobs: int = 1
    cache_dir: Path | None = None  # None: neither read nor write a cache (a cold build)
    output: Path | None = None  # the site folder; names the cache's files
    progress: Progress | None = field(default=None, compare=False)


class Stages:
    """load -> validate -> link -> check -> analyze -> render, each the stage's own function."""

    def __init__(self, options: Options = Options()) -> None:
        self.options = options
        self.edition: str | None = options.edition

    def aim(self, out: Path | None) -> None:
        """Write the site into ``out``: that folder (and the cache's) hold no terms, whatever they hold."""
        if out is not None:
            skip = (out,) + ((self.options.cache_dir,) if self.options.cache_dir is not None else ())
            self.options = replace(self.options, output=out, exclude=self.options.exclude + skip)

    @contextmanager
    def session(self) -> Iterator[None]:
        """Around a whole run (a faster runner tunes the garbage collector here)."""
        yield

    def note(self, stage: str) -> None:
        if self.options.progress is not None:
            self.options.progress(stage)

    def configure(self, terms_dir: Path) -> tuple[Config, list[Diagnostic]]:
        """The glossary's configuration, with the folders of module documents named on the command line."""
        from compiler.config import load_config, with_command_line

        config, diagnostics = load_config(terms_dir, self.options.config_file)
        config = with_command_line(config, self.options.module_dirs, self.options.modules_exclude)
        self.edition = self.options.edition or config.checks.edition
        return config, list(diagnostics)

    def load(self, terms_dir: Path) -> tuple[tuple[Term, ...], list[Diagnostic], int]:
        """Every term file: (terms, findings, how many files were found)."""
        from compiler.load.terms import load_terms

        self.note("load")
        loaded = load_terms(terms_dir, exclude=self.options.exclude)
        return loaded.terms, self.unread_hints_kept(list(loaded.diagnostics)), loaded.files

    def unread_hints_kept(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """The load findings; without the checks, a hint left unread is no finding."""
        return diagnostics if self.options.checks else [d for d in diagnostics if d.code != "check-unread"]

    def validate(self, terms: Sequence[Term]) -> tuple[tuple[Term, ...], list[Diagnostic]]:
        from compiler.validate.schema import validate_terms

        validated, diagnostics = validate_terms(terms)
        return tuple(validated), list(diagnostics)

    def modules(self, config: Config, terms_dir: Path) -> tuple[list[Module], list[Diagnostic]]:
        from compiler.load.modules import load_modules

        return load_modules(config.module_dirs, exclude=terms_dir, ignore=config.modules_exclude)

    def check(self, terms: Sequence[Term], config: Config) -> Callable[[], Checked]:
        """Start the numeric checks and the list of symbols; the function returned gives them.

        Here they are done at once; a faster runner may do them beside linking."""
        if not self.options.checks:
            return lambda: ((), (), ())
        from compiler.checks import check_terms

        self.note("check")
        done = check_terms(terms, config, self.edition)
        return lambda: done

    def link(self, terms: Sequence[Term], modules: Sequence[Module], config: Config) -> GraphResult:
        from compiler.link import link

        self.note("link")
        return link(terms, modules, config)

    def analyze(self, linked: GraphResult, terms: Sequence[Term], config: Config) -> tuple[GraphData, list[Diagnostic]]:
        """The idea map (similar terms, communities, key terms) when the glossary asks for it."""
        if not config.analytics.similarity:
            return linked.data, []
        from compiler.analyze.analytics import analyze_graph, annotate, suggested_links

        self.note("analyze")
        analysis = analyze_graph(linked.graph, terms, config)
        return annotate(linked.data, analysis), suggested_links(analysis, terms)

    def render(self, glossary: Glossary, out: Path) -> tuple[RenderStats, list[Diagnostic]]:
        from compiler.render.site import render_site

        self.note("render")
        return render_site(glossary, out)

    def finish(self, glossary: Glossary, stats: RenderStats | None) -> None:
        """The end of a run: nothing to keep here."""


__all__ = ["Options", "Stages", "Checked", "Progress"]
