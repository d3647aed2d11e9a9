"""A build with a cache reuses the last link result while nothing linking reads has changed.

- a body edit (or a touch) reuses the stored graph, diagnostics and references: the graph is
  not built and the integrity checks do not run, and the result is a clean build's;
- a header edit, a new, deleted or renamed term, a changed module document link again,
  and the result is a clean build's;
- a side file that is missing, corrupt, cut short, unsigned or of another key is ignored
  (the build links, reports nothing about it, and writes a good one);
- a term's link digest is the same for a freshly loaded term and its copy read back
  from the cache (packed locations), so the first edit after a cache reload can reuse;
- the reuse path imports no numpy;
- the graph digest a cached build hands to page reuse is the same only for the same graph,
  and the same for a reused one (kept in the cache, or read back from the side file).
"""
from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import compiler.incremental.linkreuse as linkreuse
import compiler.link.graph as graph_module
import compiler.link.integrity as integrity_module
from compiler.incremental.cache import MAGIC
from compiler.incremental.stages import fast_analyze as analyze
from compiler.link import link as link_stage
from compiler.load.terms import load_terms
from compiler.stages import Options

TERMS = {
    "A.md": "term: Alpha\ncanonical_id: A\nparents: [B]\nprovenance: [MOD-001]\ncrosslinks:\n  near_synonyms: [C]\n"
            "poetic_connections:\n  association_matrix:\n    - [B]\n    - [C, 0.5]\n    - {term: NOWHERE}\n",
    "B.md": "term: Beta\ncanonical_id: B\nchildren: [A]\ncrosslinks:\n  antonyms: [C, GONE]\n",
    "C.md": "term: Gamma\ncanonical_id: C\nparents: [A]\ncontext_windows:\n  - module: MOD-002_second\n"
            "crosslinks:\n  prerequisites: [Alpha, BETA, Gama]\n",
    "D.md": "term: Delta\ncanonical_id: D\ncrosslinks:\n  downstream_effects: [D, MOD-009]\n",
}
MODULES = {
    "MOD-001_first.md": "id: MOD-001\ntitle: The first module\nstatus: draft\n",
    "MOD-002_second.md": "id: MOD-002\ntitle: The second module\n",
}


def write(folder: Path, files: dict[str, str], body: str = "Body.") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, header in files.items():
        (folder / name).write_text(f"---\n{header}---\n\n# {name}\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def glossary(tmp_path: Path) -> Path:
    write(tmp_path / "terms", TERMS)
    write(tmp_path / "modules", MODULES)
    return tmp_path


def options(root: Path, cached: bool = True) -> Options:
    return Options(module_dirs=(root / "modules",), cache_dir=root / ".cache" if cached else None, checks=False)


def snapshot(graph, statuses: bool = True) -> tuple:
    """Everything about a graph that a build can show, in order (with or without the nodes' statuses)."""
    nodes = [(n, a if statuses else {k: v for k, v in a.items() if k != "status"}) for n, a in graph.nodes(data=True)]
    return (dict(graph.graph), nodes, list(graph.edges(keys=True, data=True)), [list(graph.pred[n].items()) for n in graph])


class Spy:
    """Counts graph building and integrity checks, and keeps the link results of the cached builds."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.linked = self.checked = 0
        self.results: list = []
        real_build, real_checks, real_cached = graph_module.graph_data, integrity_module.run_checks, linkreuse.cached_link

        def graph_data(*args, **kwargs):
            self.linked += 1
            return real_build(*args, **kwargs)

        def run_checks(*args, **kwargs):
            self.checked += 1
            return real_checks(*args, **kwargs)

        def cached_link(*args, **kwargs):
            self.results.append(real_cached(*args, **kwargs))
            return self.results[-1]

        monkeypatch.setattr(graph_module, "graph_data", graph_data)
        monkeypatch.setattr(integrity_module, "run_checks", run_checks)
        monkeypatch.setattr(linkreuse, "cached_link", cached_link)


def build_like_a_clean_build(root: Path, spy: Spy, name: str):
    """Build with the cache, then without: the same graph, diagnostics and references.

    Returns the cached build's glossary and how many times it built a graph and ran the
    integrity checks."""
    spy.linked = spy.checked = 0
    cached = analyze(root / "terms", options(root))
    linked, checked = spy.linked, spy.checked
    result = spy.results[-1][0]
    clean = analyze(root / "terms", options(root, cached=False))
    plain = link_stage(load_terms(root / "terms").terms, clean.modules, clean.config)
    assert snapshot(cached.graph) == snapshot(clean.graph), name
    assert [d for d in cached.diagnostics if d.code != "cache-invalid"] == list(clean.diagnostics), name
    assert result.references == plain.references and result.diagnostics == plain.diagnostics, name
    assert tuple(result.references) == plain.references and len(result.references) == len(plain.references), name
    assert pickle.loads(pickle.dumps(result.references)) == plain.references, name
    assert {i: t.file for i, t in result.terms.items()} == {i: t.file for i, t in plain.terms.items()}, name
    assert {id(t) for t in result.terms.values()} <= {id(t) for t in cached.terms}, name  # this build's terms
    assert {i: m.file for i, m in result.modules.items()} == {i: m.file for i, m in plain.modules.items()}, name
    assert linked == checked, name
    return cached, linked


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


EDITS = [  # (what, edit of the glossary folder, whether the last link result is reused)
    ("a body edit", lambda r: _replace(r / "terms" / "A.md", "Body.", "Body, edited."), True),
    ("a second body edit", lambda r: _replace(r / "terms" / "C.md", "Body.", "Another body."), True),
    ("a touch", lambda r: (r / "terms" / "B.md").write_bytes((r / "terms" / "B.md").read_bytes()), True),
    ("a header edit (label)", lambda r: _replace(r / "terms" / "B.md", "term: Beta", "term: Betamax"), False),
    ("a body edit after it", lambda r: _replace(r / "terms" / "B.md", "Body.", "More body."), True),
    ("a header edit (a link)", lambda r: _replace(r / "terms" / "D.md", "[D, MOD-009]", "[D, MOD-001]"), False),
    ("the link back", lambda r: _replace(r / "terms" / "D.md", "[D, MOD-001]", "[D, MOD-009]"), False),
    ("a new term", lambda r: write(r / "terms", {"E.md": "term: Epsilon\ncanonical_id: E\nparents: [A]\n"}), False),
    ("a deleted term", lambda r: (r / "terms" / "E.md").unlink(), False),
    ("a renamed term file", lambda r: (r / "terms" / "D.md").rename(r / "terms" / "D2.md"), False),
    ("a module's title", lambda r: _replace(r / "modules" / "MOD-001_first.md", "The first", "The 1st"), False),
    ("a new module", lambda r: write(r / "modules", {"MOD-009.md": "id: MOD-009\ntitle: Ninth\n"}), False),
    ("a module's body", lambda r: _replace(r / "modules" / "MOD-009.md", "Body.", "Module text."), True),
    ("a field linking does not read, below the links", lambda r: _replace(
        r / "terms" / "A.md", "{term: NOWHERE}\n", "{term: NOWHERE}\ndefinition: The first letter.\n"), True),
    ("that field edited", lambda r: _replace(r / "terms" / "A.md", "The first letter.", "The first, edited."), True),
    ("an equation hint", lambda r: _replace(r / "terms" / "A.md", "definition:", "formal_mappings:\n  candidates:\n"
                                            "    - equation_hint: \"1 + 1\"\ndefinition:"), True),
    ("a status", lambda r: _replace(r / "terms" / "B.md", "antonyms: [C, GONE]\n", "antonyms: [C, GONE]\nstatus: draft\n"),
     True),
    ("another status", lambda r: _replace(r / "terms" / "B.md", "status: draft", "status: ratified"), True),
    ("a status that is no text", lambda r: _replace(r / "terms" / "B.md", "status: ratified", "status: 3"), True),
    ("a status on two terms", lambda r: (_replace(r / "terms" / "B.md", "status: 3", "status: draft"),
                                         _replace(r / "terms" / "A.md", "canonical_id: A\n",
                                                  "canonical_id: A\nstatus: draft\n")), False),  # lines move in A
    ("an alias", lambda r: _replace(r / "terms" / "D2.md", "canonical_id: D\n", "canonical_id: D\naliases: [Dee]\n"), False),
    ("a field above the links", lambda r: _replace(r / "terms" / "C.md", "canonical_id: C\n",
                                                   "canonical_id: C\nversion: 2\n"), False),
    ("a comment line in a header", lambda r: _replace(r / "terms" / "A.md", "canonical_id: A\n", "canonical_id: A\n# c\n"),
     False),
    ("a line above a header", lambda r: _replace(r / "terms" / "A.md", "---\nterm:", "\n---\nterm:"), False),
]


def test_each_edit_links_again_only_when_linking_reads_it(glossary, monkeypatch):
    spy = Spy(monkeypatch)
    analyze(glossary / "terms", options(glossary))
    assert spy.linked == 1 and len(list((glossary / ".cache").glob("link-*"))) == 1
    before = before_links = None  # (graph digest, graph snapshot) of the previous build, and without statuses
    for name, edit, reused in EDITS:
        edit(glossary)
        cached, linked = build_like_a_clean_build(glossary, spy, name)
        assert linked == (0 if reused else 1), name
        # The graph digest page reuse trusts: the same digest means the same graph.
        graph_digest, links_digest = spy.results[-1][1]
        now = (graph_digest, snapshot(cached.graph))
        assert isinstance(now[0], bytes) and len(now[0]) == 16, name
        if before is not None and now[0] == before[0]:
            assert now[1] == before[1], name
        if before is not None and reused:  # a reused result keeps its digest unless a status moved
            assert (now[0] == before[0]) == (now[1] == before[1]), name
        # The digest of all but the statuses, which the graph data and the wanted page trust.
        links = (links_digest, snapshot(cached.graph, statuses=False))
        assert isinstance(links[0], bytes) and len(links[0]) == 16, name
        if before is not None and links[0] == before_links[0]:
            assert links[1] == before_links[1], name
        if before is not None and reused:
            assert links[0] == before_links[0], name
        before, before_links = now, links


def test_a_no_op_build_reuses_and_does_not_rewrite_the_side_file(glossary, monkeypatch):
    analyze(glossary / "terms", options(glossary))
    (side,) = (glossary / ".cache").glob("link-*")
    stamp = side.stat().st_mtime_ns
    spy = Spy(monkeypatch)
    _replace(glossary / "terms" / "A.md", "Body.", "Body, edited.")
    assert build_like_a_clean_build(glossary, spy, "body edit")[1] == 0
    assert side.stat().st_mtime_ns == stamp


SPOILERS = [  # (what, how a good side file is spoilt)
    ("missing", lambda p: p.unlink()),
    ("empty", lambda p: p.write_bytes(b"")),
    ("garbage", lambda p: p.write_bytes(b"not a cache at all" * 100)),
    ("cut short", lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])),
    ("a flipped byte", lambda p: p.write_bytes(_flip(p.read_bytes(), -10))),
    ("a forged signature", lambda p: p.write_bytes(_flip(p.read_bytes(), len(MAGIC) + 3))),
    ("unsigned pickle", lambda p: p.write_bytes(pickle.dumps(("anything", 1)))),
    ("a symbolic link", lambda p: (p.rename(p.with_name("elsewhere")), p.symlink_to(p.with_name("elsewhere")))),
]


def _flip(data: bytes, at: int) -> bytes:
    out = bytearray(data)
    out[at] ^= 0xFF
    return bytes(out)


@pytest.mark.parametrize("name,spoil", SPOILERS, ids=[s[0] for s in SPOILERS])
def test_a_spoilt_side_file_is_ignored_and_replaced(glossary, monkeypatch, name, spoil):
    analyze(glossary / "terms", options(glossary))
    (side,) = (glossary / ".cache").glob("link-*")
    spoil(side)
    spy = Spy(monkeypatch)
    _replace(glossary / "terms" / "A.md", "Body.", "Body, edited.")
    cached, linked = build_like_a_clean_build(glossary, spy, name)
    assert linked == 1, name
    assert not [d for d in cached.diagnostics if d.code == "cache-invalid"], name
    _replace(glossary / "terms" / "A.md", "Body, edited.", "Body, edited twice.")
    assert build_like_a_clean_build(glossary, spy, name)[1] == 0, name  # the side file was written again


def test_another_builds_side_file_is_not_taken(glossary, monkeypatch):
    """A side file from another glossary (same name, other content) has another key."""
    other = glossary / "other"
    write(other / "terms", {"A.md": "term: Other\ncanonical_id: A\n"})
    write(other / "modules", {})
    analyze(other / "terms", options(other))
    analyze(glossary / "terms", options(glossary))
    (mine,), (theirs,) = (glossary / ".cache").glob("link-*"), (other / ".cache").glob("link-*")
    shutil.copy(theirs, mine)
    spy = Spy(monkeypatch)
    _replace(glossary / "terms" / "A.md", "Body.", "Body, edited.")
    assert build_like_a_clean_build(glossary, spy, "swapped")[1] == 1


def test_a_term_read_back_from_the_cache_has_the_same_link_digest(glossary):
    import marshal

    from compiler.incremental.codec import PackedLocations, term_of, term_row

    for term in load_terms(glossary / "terms").terms:
        again = term_of(marshal.loads(marshal.dumps(term_row(term))))  # as the build cache hands it back
        assert isinstance(again.locations, PackedLocations) and not isinstance(term.locations, PackedLocations)
        assert linkreuse.term_link_digest(again) == linkreuse.term_link_digest(term)


def test_link_digest_sees_every_field_linking_reads(glossary):
    from dataclasses import replace

    from compiler.model import Location

    term = next(t for t in load_terms(glossary / "terms").terms if t.id == "A")
    base = linkreuse.term_link_digest(term)
    changed = [replace(term, id="A2"), replace(term, file="A2.md"),
               replace(term, locations={**term.locations, "/parents/0": Location(99, 1)}),
               replace(term, former_ids=("OLD",)), replace(term, header_lines=(2,)),
               replace(term, data={**term.data, "term": "Alfa"}), replace(term, data={**term.data, "aliases": ["Al"]}),
               replace(term, data={**term.data, "parents": ["C"]}),
               replace(term, locations={**term.locations, "/canonical_id": Location(9, 1)}),
               replace(term, locations={**term.locations, "/parents": Location(9, 1)}),
               # the weight beside an association's name (check_weights points there)
               replace(term, locations={**term.locations, "/poetic_connections/association_matrix/1/1": Location(9, 9)})]
    digests = [linkreuse.term_link_digest(t) for t in changed]
    assert base not in digests and len(set(digests)) == len(digests)
    unread = [replace(term, body="other"), replace(term, body_line=40), replace(term, has_errors=True),
              replace(term, path=term.path.with_name("X.md")), replace(term, raw={"/x": "1"}),
              replace(term, data={**term.data, "definition": "new"}), replace(term, data={**term.data, "version": 2}),
              # a status is set on the reused graph instead (linkreuse._set_statuses)
              replace(term, data={**term.data, "status": "x"}), replace(term, data={**term.data, "status": 1}),
              replace(term, locations={**term.locations, "/definition": Location(30, 1)})]
    assert {linkreuse.term_link_digest(t) for t in unread} == {base}


def test_the_reuse_path_imports_no_numpy(glossary):
    code = (
        "import sys; from pathlib import Path; from compiler.stages import Options; "
        "from compiler.incremental.stages import fast_analyze as analyze; "
        f"r = Path({str(glossary)!r}); "
        "analyze(r / 'terms', Options(module_dirs=(r / 'modules',), cache_dir=r / '.cache', checks=False)); "
        "print('numpy' in sys.modules)"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert first.stdout.strip() == "True"  # linking a new graph needs it
    _replace(glossary / "terms" / "A.md", "Body.", "Body, edited.")
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert again.stdout.strip() == "False"


def _resign(path: Path, value) -> None:
    """Replace the stored value by ``value`` under the same key, validly signed (another version's file)."""
    from compiler.incremental.cache import write_side

    key = path.read_bytes()[len(MAGIC) + 32 : len(MAGIC) + 48]
    write_side(path, key, value)


@pytest.mark.parametrize(
    "name,value",
    [
        ("another kind of value", __import__("marshal").dumps(("a", "tuple"), 4)),
        ("another format", b"\x00not marshal"),
        ("another link format", __import__("marshal").dumps((linkreuse.LINK_FORMAT + 1, "x"), 4)),
        ("too few columns", __import__("marshal").dumps((linkreuse.LINK_FORMAT, "x", []), 4)),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_signed_side_file_of_another_version_is_ignored(glossary, monkeypatch, name, value):
    analyze(glossary / "terms", options(glossary))
    (side,) = (glossary / ".cache").glob("link-*")
    _resign(side, value)
    spy = Spy(monkeypatch)
    _replace(glossary / "terms" / "A.md", "Body.", "Body, edited.")
    assert build_like_a_clean_build(glossary, spy, name)[1] == 1, name


def test_the_stored_data_makes_the_same_graph(glossary):
    from compiler.config import default_config
    from compiler.load.modules import load_modules

    terms = load_terms(glossary / "terms").terms
    modules, _ = load_modules((glossary / "modules",))
    result = link_stage(terms, modules, default_config(glossary / "terms"))
    data, diagnostics = linkreuse.decode_result(linkreuse.encode_result(result.data, result.diagnostics))
    assert snapshot(data.graph) == snapshot(result.graph) and diagnostics == result.diagnostics
    assert result.graph.number_of_edges() > 10 and any(d["weight"] for *_, d in data.graph.edges(data=True))


def test_the_graph_digest_is_remembered_under_its_key_only():
    """Kept beside the link key: the same key gives the remembered digest, another key (or
    none remembered) hashes the stored bytes, so two different stored graphs never share one."""
    from types import SimpleNamespace

    state = SimpleNamespace(extra={})
    statuses = ["draft", None]
    first, links = linkreuse._graph_digests(state, b"k1", b"graph one", statuses)
    assert len(first) == len(links) == 16 and first != links and state.extra[linkreuse.GRAPH_DIGEST] == (b"k1", links)
    assert linkreuse._graph_digests(state, b"k1", b"bytes not hashed again", statuses) == (first, links)
    # the statuses set on the reused graph are in the graph's digest, not in the links' digest
    other, same_links = linkreuse._graph_digests(state, b"k1", b"graph one", ["candidate", None])
    assert other != first and same_links == links
    assert linkreuse._graph_digests(state, b"k1", b"graph one", ["draft"])[0] != first
    second = linkreuse._graph_digests(state, b"k2", b"graph two", statuses)
    assert second[0] != first and second[1] != links and state.extra[linkreuse.GRAPH_DIGEST] == (b"k2", second[1])
    assert linkreuse._graph_digests(SimpleNamespace(extra={}), b"k2", b"graph two", statuses) == second
    state.extra[linkreuse.GRAPH_DIGEST] = ("not", "a digest")
    assert linkreuse._graph_digests(state, b"not", b"graph one", statuses) == (first, links)
