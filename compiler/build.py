"""The orchestrator: load -> validate -> link -> check -> analyze -> render, top to bottom.

Each stage takes plain data and returns plain data plus diagnostics; nothing here prints.
``build`` without an output folder stops before rendering (``validate``, ``check``,
``graph``). Errors in term files never stop the pipeline: a file that cannot yield a term
is reported and the others go on. The stages run through a ``Stages`` object: the plain
one (compiler.stages) by default, or ``compiler.incremental.FastStages``, which gives the
same answers from the same stage functions with a cache and several processes.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from compiler.codes import about_the_glossary
from compiler.diagnostics import sorted_diagnostics
from compiler.model import Glossary
from compiler.rules import apply_rules
from compiler.stages import Options, Stages

if TYPE_CHECKING:
    from compiler.render.site import RenderStats


def build(terms_dir: Path, out: Path | None = None, options: Options = Options(),
          stages: Stages | None = None) -> tuple[Glossary, RenderStats | None]:
    """The checked glossary of ``terms_dir``, and its site written into ``out`` (none without ``out``)."""
    run = stages if stages is not None else Stages(options)
    run.aim(out)  # the site (and its cache) are never read as terms
    with run.session():
        config, config_diags = run.configure(terms_dir)
        terms, load_diags, files = run.load(terms_dir)
        terms, schema_diags = run.validate(terms)
        modules, module_diags = run.modules(config, terms_dir)
        checking = run.check(terms, config)  # may go on beside linking
        linked = run.link(terms, modules, config)
        checks, symbols, check_diags = checking()
        graph, analysis_diags = run.analyze(linked, terms, config)
        found = [*config_diags, *load_diags, *schema_diags, *module_diags, *linked.diagnostics, *check_diags,
                 *analysis_diags]
        ran = {"load", "schema", "graph", "build"} | ({"checks"} if run.options.checks else set())
        glossary = Glossary(terms_dir, config, tuple(terms), tuple(modules), graph, tuple(checks),
                            tuple(sorted_diagnostics(apply_rules(found, config, terms, stages=ran))), files,
                            tuple(symbols))
        stats = None
        if out is not None:  # the site shows the glossary's findings, not this run's (a rebuilt cache)
            site = replace(glossary, diagnostics=about_the_glossary(glossary.diagnostics))
            stats, render_diags = run.render(site, out)
            glossary = replace(glossary, diagnostics=glossary.diagnostics + tuple(render_diags))
        run.finish(glossary, stats)
    return glossary, stats


def analyze(terms_dir: Path, options: Options = Options(), stages: Stages | None = None) -> Glossary:
    """Everything but the site: the checked glossary and every diagnostic."""
    return build(terms_dir, None, options, stages)[0]


def load_glossary(terms_dir: str | Path, *, modules: Sequence[str | Path] = (), checks: bool = False) -> Glossary:
    """The notebook entry point: ``compiler.load_glossary("terms").graph`` is a networkx MultiDiGraph."""
    return analyze(Path(terms_dir), Options(module_dirs=tuple(Path(m) for m in modules), checks=checks))


__all__ = ["build", "analyze", "load_glossary", "Options", "Stages"]
