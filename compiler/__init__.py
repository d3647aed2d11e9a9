"""compile-glossary: a knowledge-graph glossary compiler.

    >>> import compiler
    >>> glossary = compiler.load_glossary("terms")
    >>> glossary.graph.number_of_nodes()      # a networkx.MultiDiGraph
"""
from compiler.version import __version__


def load_glossary(terms_dir, *, modules=(), checks=False):
    """Load, validate and link a glossary folder; see :func:`compiler.build.load_glossary`."""
    from compiler.build import load_glossary as _load

    return _load(terms_dir, modules=modules, checks=checks)


__all__ = ["__version__", "load_glossary"]
