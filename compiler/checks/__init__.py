"""Numeric checks of equation hints: parse each hint, evaluate it against dated data, report.

Public API (wired into the CLI and the build by :mod:`compiler.build`)::

    results, diagnostics = run_checks(terms, edition=None, hooks_dir=None, reference_dirs=(), timeout=10.0)
    result = check_hint(hint, edition=None)      # the built-in evaluator alone

The implementation is in :mod:`.api`. Why this package loads it only on first use: a build
whose terms did not change reads its check results back from the cache, and unpickling a
:class:`CheckResult` imports this package; importing the evaluator, parser and numpy with
it cost every such build a noticeable part of its time for nothing.
"""
from __future__ import annotations

from typing import Any

from .result import CheckResult, Deviation

_LAZY = {
    "check_terms": "api",
    "run_checks": "api",
    "check_hint": "api",
    "account": "api",
    "iter_hints": "inputs",
    "hook": "hooks",
    "load_reference": "reference",
    "ReferenceData": "reference",
}


def __getattr__(name: str) -> Any:
    """Load the rest of the API when it is first asked for (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "account",
    "check_terms",
    "run_checks",
    "check_hint",
    "CheckResult",
    "Deviation",
    "hook",
    "load_reference",
    "ReferenceData",
    "iter_hints",
]
