"""The graph on the real corpus: 242 messy term files and the 114 module documents they name."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from compiler.config import default_config
from compiler.diagnostics import Severity
from compiler.link import link
from compiler.load.modules import load_modules
from compiler.load.terms import load_terms

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture(scope="module")
def corpus():
    if not (CORPUS / "dictionary").is_dir() or not (CORPUS / "modules").is_dir():
        pytest.skip("the shared corpus is not available")
    terms_dir = CORPUS / "dictionary"
    loaded = load_terms(terms_dir)
    modules, module_diags = load_modules([CORPUS / "modules"], exclude=terms_dir)
    config = replace(default_config(terms_dir), module_dirs=(CORPUS / "modules",))
    return loaded, modules, module_diags, link(loaded.terms, modules, config)


def test_every_module_document_is_read(corpus) -> None:
    loaded, modules, module_diags, result = corpus
    ids = {m.id for m in modules}
    assert len(modules) == len(ids) > 100
    assert not [d for d in module_diags if d.severity is Severity.ERROR]
    assert all(result.graph.nodes[i]["kind"] == "module" for i in ids)


def test_parents_and_children_naming_a_module_resolve_to_the_module(corpus) -> None:
    _, modules, _, result = corpus
    ids = {m.id for m in modules}
    hierarchy = [r for r in result.references if r.relation in ("broader", "narrower")]
    naming_modules = [r for r in hierarchy if r.name in ids]
    assert len(naming_modules) > 100
    for ref in naming_modules:
        assert result.graph.nodes[ref.target]["kind"] == "module", ref
        assert result.graph.has_edge(ref.source, ref.name, ref.relation)
    kinds = Counter(result.graph.nodes[r.target]["kind"] for r in hierarchy)
    assert kinds["module"] > kinds["term"]  # the corpus README: parents are mostly modules


def test_every_term_is_a_node_and_nothing_is_an_error_but_real_conflicts(corpus) -> None:
    loaded, _, _, result = corpus
    assert sum(1 for _, k in result.graph.nodes(data="kind") if k == "term") == len({t.id for t in loaded.terms})
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert {d.code for d in errors} <= {"id-duplicate", "hierarchy-cycle", "link-contradiction"}
    assert "modules-not-configured" not in {d.code for d in result.diagnostics}


def test_findings_are_located_in_the_declaring_file(corpus) -> None:
    loaded, _, _, result = corpus
    files = {t.file for t in loaded.terms}
    for d in result.diagnostics:
        assert d.file in files and d.line > 0 and d.hint, d


def test_without_modules_the_compiler_says_how_to_set_them(corpus) -> None:
    loaded, _, _, _ = corpus
    bare = link(loaded.terms, [], default_config(CORPUS / "dictionary"))
    hints = [d for d in bare.diagnostics if d.code == "modules-not-configured"]
    assert len(hints) == 1 and "--modules" in (hints[0].hint or "")
