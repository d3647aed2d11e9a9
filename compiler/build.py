"""The orchestrator: load -> validate -> link -> check -> render, top to bottom.

Each stage takes plain data and returns plain data plus diagnostics; nothing here
prints. ``analyze`` stops before rendering (``validate``, ``check``, ``graph``);
``build`` renders the site too.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .diagnostics import Diagnostic
from .load import load_terms
from .model import Glossary
from .schema import validate_terms

Progress = Callable[[str], None]


def analyze(terms_dir: Path, *, exclude: tuple[Path, ...] = (), progress: Progress | None = None) -> Glossary:
    """Everything but the site: the checked glossary and every diagnostic."""
    note = progress or (lambda _msg: None)
    note("loading")
    loaded = load_terms(terms_dir, exclude=exclude)
    note("validating")
    terms, schema_diags = validate_terms(loaded.terms)
    diagnostics: list[Diagnostic] = [*loaded.diagnostics, *schema_diags]
    return Glossary(root=terms_dir, config=None, terms=terms, modules=(), graph=None, checks=(),
                    diagnostics=tuple(diagnostics), files=loaded.files)
