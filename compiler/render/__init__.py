"""The static site renderer: ``render_site(glossary, out, jobs=1) -> (stats, diagnostics)``."""
from compiler.render.site import RenderStats, render_site

__all__ = ["render_site", "RenderStats"]
