"""The static site renderer: ``render_site(glossary, out, jobs=1) -> (stats, diagnostics)``.

The names are looked up when first used: a no-op build imports ``compiler.render.output``
(the output folder's lock and checks) and must not pay for Jinja2 and markdown-it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compiler.render.site import RenderStats, render_site


def __getattr__(name: str) -> Any:
    if name in ("render_site", "RenderStats"):
        from compiler.render import site

        return getattr(site, name)
    raise AttributeError(f"module 'compiler.render' has no attribute {name!r}")


__all__ = ["render_site", "RenderStats"]
