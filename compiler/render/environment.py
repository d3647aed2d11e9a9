"""The one Jinja2 environment of a build: where the templates come from, how they are compiled, the filters.

Why one environment per build: it is costly to make and holds no per-page state.
Templates come from the package resource ``compiler._site`` (the repository's
``site/`` folder), autoescape on, undefined names are errors (a template bug must
fail the tests, not print nothing). Pages render with ``Template.render``; the HTML
pieces several pages share are macros in ``macros.html``.

Filters (``value``, ``md`` and ``field`` are set by the renderer, which holds the Markdown parser):
``show`` a scalar as written, ``num``/``measured`` computed numbers, ``fields`` a header
mapping whose absent keys read as None, ``as_list``/``sorted_items`` tolerant shapes,
``formula`` MathML or text, ``value`` any header value as markup, ``md`` a Markdown body,
``field`` one header text.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2

from compiler.render import pages as P
from compiler.render import reports as R
from compiler.render.markdown import formula_html, label_html


def _template_source(name: str) -> tuple[str, str, Callable[[], bool]]:
    resource = files("compiler._site").joinpath("templates").joinpath(name)
    try:
        text = resource.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise jinja2.TemplateNotFound(name) from exc
    return text, name, lambda: True


def _bytecode_cache(key: str, where: Path | None) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs in ``where`` (None: compiled afresh), which must be the
    user's own cache folder (the build cache's caller gives it).

    Never in the project's folders: compiled templates are code, and a cache that a
    stranger could commit must never be loaded (see compiler.incremental.cache). ``key`` names
    what the compiled code depends on besides the template's text (``_compile_key``)."""
    if where is None or os.environ.get("COMPILE_GLOSSARY_NO_TEMPLATE_CACHE"):
        return None
    from compiler.version import __version__

    folder = where / f"templates-{__version__}-{key}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def _compile_key(env: jinja2.Environment) -> str:
    """Which filters and tests exist and what each asks to be passed: compiled code depends on it.

    Jinja decides when it compiles a template whether a filter gets the context; code
    compiled where a filter was missing would be loaded from the cache by an
    environment that has it, and call it wrongly."""
    parts = sorted(f"{kind}:{name}:{getattr(func, 'jinja_pass_arg', None)}"
                   for kind, table in (("filter", env.filters), ("test", env.tests)) for name, func in table.items())
    return hashlib.blake2b("\n".join(parts).encode("utf-8"), digest_size=6).hexdigest()


@jinja2.pass_context
def _renderer_filter(ctx: Any, value: Any) -> Any:
    """Stands for ``md`` and ``field`` until a ``SiteRenderer`` sets its own (with the same context argument)."""
    raise RuntimeError("the md and field filters need a SiteRenderer")


def _value_filter(value: Any) -> Any:
    """Stands for ``value`` until a ``SiteRenderer`` sets its own (it needs the build's Markdown parser)."""
    raise RuntimeError("the value filter needs a SiteRenderer")


def _named_link(ident: Any, link: Any) -> Any:
    """``ident``'s ``<a>`` showing its page's label: the ``named_link`` filter."""
    return link.named(ident)


def make_environment(template_cache: Path | None = None) -> jinja2.Environment:
    """The one Jinja2 environment of a build; ``template_cache``: the folder for compiled templates, if any."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship in the package: never re-check them mid-build
        cache_size=-1,
    )
    # No global names: the templates use none of Jinja's defaults (range, dict, namespace, ...),
    # and every page's context starts as a copy of the globals (with them, a copy per page).
    env.globals.clear()
    # Helpers the templates use are filters, not globals: Jinja calls a filter directly, while
    # every call of a global goes through ``Context.call`` (a term page makes dozens).
    env.filters.update(
        show=P.show,
        num=P.num,
        measured=P.measured,
        sorted_items=P.sorted_items,
        as_list=P.as_list,
        fields=P.fields,
        formula=formula_html,
        badge=P.badge,
        relation_groups=P.relation_groups,
        label=label_html,
        verdict=R.verdict,
        named_link=_named_link,
        md=_renderer_filter,
        field=_renderer_filter,
        value=_value_filter,
    )
    env.bytecode_cache = _bytecode_cache(_compile_key(env), template_cache)
    return env


__all__ = ["make_environment"]
