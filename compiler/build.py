"""The orchestrator: load -> validate -> link -> check -> render, top to bottom.

Each stage takes plain data and returns plain data plus diagnostics; nothing here
prints. ``analyze`` stops before rendering (``validate``, ``check``, ``graph``);
``build`` renders the site too. Errors in term files never stop the pipeline: a
file that cannot yield a term is reported and the others go on.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from .diagnostics import Diagnostic
from .model import Glossary

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
    progress: Progress | None = field(default=None, compare=False)


def analyze(terms_dir: Path, options: Options = Options()) -> Glossary:
    """Everything but the site: the checked glossary and every diagnostic."""
    from .checks import run_checks
    from .config import load_config
    from .graph import link
    from .load import load_terms
    from .modules import load_modules
    from .rules import apply_rules
    from .schema import validate_terms

    note = options.progress or (lambda _stage: None)
    config, config_diags = load_config(terms_dir, options.config_file)
    if options.module_dirs:
        config = replace(config, module_dirs=config.module_dirs + tuple(p.resolve() for p in options.module_dirs))
    note("load")
    loaded = load_terms(terms_dir, exclude=options.exclude)
    note("validate")
    terms, schema_diags = validate_terms(loaded.terms)
    note("link")
    modules, module_diags = load_modules(config.module_dirs, exclude=terms_dir)
    linked = link(terms, modules, config)
    checks: Sequence = ()
    check_diags: Sequence[Diagnostic] = ()
    if options.checks:
        note("check")
        checks, check_diags = run_checks(terms, edition=options.edition or config.checks.edition,
                                         hooks_dir=config.checks.hooks_dir, reference_dirs=config.checks.reference_dirs)
    diagnostics = apply_rules([*config_diags, *loaded.diagnostics, *schema_diags, *module_diags,
                               *linked.diagnostics, *check_diags], config, terms)
    return Glossary(root=terms_dir, config=config, terms=terms, modules=tuple(modules), graph=linked.graph,
                    checks=tuple(checks), diagnostics=tuple(diagnostics), files=loaded.files)


def build(terms_dir: Path, out: Path, options: Options = Options()):
    """Analyze, then render the site into ``out`` atomically. Returns (glossary, render stats)."""
    from .render import render_site

    options = replace(options, exclude=options.exclude + (out,))
    glossary = analyze(terms_dir, options)
    if options.progress:
        options.progress("render")
    stats, render_diags = render_site(glossary, out, jobs=options.jobs)
    if render_diags:
        glossary = replace(glossary, diagnostics=glossary.diagnostics + tuple(render_diags))
    return glossary, stats


def load_glossary(terms_dir: str | Path, *, modules: Sequence[str | Path] = (), checks: bool = False) -> Glossary:
    """The notebook entry point: ``compiler.load_glossary("terms").graph`` is a networkx MultiDiGraph."""
    return analyze(Path(terms_dir), Options(module_dirs=tuple(Path(m) for m in modules), checks=checks))
