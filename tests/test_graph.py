"""The graph model: nodes, typed edges, inverse merging, resolution order, did-you-mean."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler import spelling
from compiler.config import default_config
from compiler.diagnostics import Severity
from compiler.export.writers import node_link_data
from compiler.link import link
from compiler.link.integrity import remembered_suggest, suggest
from compiler.link.relations import RELATIONS
from compiler.load.modules import load_modules
from compiler.load.terms import load_terms

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "002_bb7a689cd30fbec5.txt"


def build(tmp_path: Path, files: dict[str, str], modules: dict[str, str] | None = None):
    terms_dir = tmp_path / "terms"
    for name, header in files.items():
        path = terms_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{header.strip()}\n---\nBody.\n", encoding="utf-8")
    mods = []
    if modules:
        mod_dir = tmp_path / "modules"
        mod_dir.mkdir()
        for name, header in modules.items():
            (mod_dir / name).write_text(f"---\n{header.strip()}\n---\n# text\n", encoding="utf-8")
        mods, _ = load_modules([mod_dir])
    loaded = load_terms(terms_dir)
    return link(loaded.terms, mods, default_config(terms_dir))


def edges(result, relation=None):
    return {(u, v, k): d for u, v, k, d in result.graph.edges(keys=True, data=True) if relation in (None, k)}


@pytest.fixture
def seed_result(tmp_path: Path):
    if not SEED.is_file():
        pytest.skip("seed file not available")
    terms = tmp_path / "terms"
    terms.mkdir()
    shutil.copy(SEED, terms / "LEPTONIC_ANOMALY.md")
    loaded = load_terms(terms)
    return link(loaded.terms, [], default_config(terms))


# (relation, target, weight) the seed declares; every target is undefined when the seed is alone
SEED_EDGES = [
    ("broader", "DYNA-Γ-001", None), ("broader", "MATH-013", None),
    ("narrower", "DYNA-Γ-002", None), ("narrower", "COSMO-Γ-001", None),
    ("synonym", "MUON_G_MINUS_2", None), ("antonym", "STANDARD_MODEL_CONCORDANCE", None),
    ("prerequisite", "LEPTON", None), ("prerequisite", "MAGNETIC_MOMENT", None),
    ("downstream", "PRESSURON", None), ("downstream", "TEMPORAL_PRESSURE_FIELD", None),
    ("associated", "PRESSURON", 0.9), ("associated", "TEMPORAL_PRESSURE", 0.8),
    ("associated", "COHERENCE_STRESS", 0.6),
    ("source", "DYNA-Γ-001", None), ("context", "DYNA-Γ-001", None), ("claim", "DYNA-Γ-001", None),
]


@pytest.mark.parametrize("relation,target,weight", SEED_EDGES)
def test_seed_alone_has_an_edge_for_every_reference(seed_result, relation, target, weight) -> None:
    data = seed_result.graph.get_edge_data("LEPTONIC_ANOMALY", target, relation)
    assert data is not None and data["declared"] and data["file"] == "LEPTONIC_ANOMALY.md" and data["line"] > 0
    assert data["weight"] == weight
    assert seed_result.graph.nodes[target]["kind"] == "missing"
    assert seed_result.graph.out_degree(target) == 0  # nothing leaves a name defined nowhere


def test_seed_alone_has_no_error_and_says_how_to_set_modules(seed_result) -> None:
    graph = seed_result.graph
    assert graph.nodes["LEPTONIC_ANOMALY"]["kind"] == "term"
    assert graph.nodes["LEPTONIC_ANOMALY"]["label"] == "Leptonic Anomaly"
    assert sum(1 for _, k in graph.nodes(data="kind") if k == "term") == 1
    assert not [d for d in seed_result.diagnostics if d.severity is Severity.ERROR]
    codes = {d.code for d in seed_result.diagnostics}
    assert "modules-not-configured" in codes and "link-dangling" in codes
    # the formal-mapping target is free text naming no term: no edge, no finding
    assert not [r for r in seed_result.references if r.relation == "mapping"]


def test_inverse_declared_on_both_sides_is_one_fact(tmp_path: Path) -> None:
    result = build(tmp_path, {
        "A.md": "term: A\ncanonical_id: A\nchildren: [B]",
        "B.md": "term: B\ncanonical_id: B\nparents: [A]",
    })
    got = {(u, v, k): d["declared"] for (u, v, k), d in edges(result).items()}
    assert got == {("A", "B", "narrower"): True, ("B", "A", "broader"): True}


def test_one_sided_declaration_gets_an_inferred_inverse(tmp_path: Path) -> None:
    result = build(tmp_path, {
        "A.md": "term: A\ncanonical_id: A\nchildren: [B, B]\ncrosslinks:\n  prerequisites: [B]",
        "B.md": "term: B\ncanonical_id: B",
    })
    got = {(u, v, k): (d["declared"], d["file"], d["line"]) for (u, v, k), d in edges(result).items()}
    assert got == {
        ("A", "B", "narrower"): (True, "A.md", 4), ("B", "A", "broader"): (False, "A.md", 4),
        ("A", "B", "prerequisite"): (True, "A.md", 6), ("B", "A", "downstream"): (False, "A.md", 6),
    }


def test_citations_have_no_inverse_and_modules_are_nodes(tmp_path: Path) -> None:
    result = build(tmp_path, {"A.md": "term: A\ncanonical_id: A\nprovenance: [M-1]\ncontext_windows:\n  - module: M-1"},
                   modules={"M-1_long_name.md": "id: M-1\ntitle: Module one\nstatus: draft"})
    assert set(edges(result)) == {("A", "M-1", "source"), ("A", "M-1", "context")}
    node = result.graph.nodes["M-1"]
    assert (node["kind"], node["label"], node["status"], node["aliases"]) == ("module", "Module one", "draft",
                                                                              ("M-1_long_name",))


def test_association_weights_travel_with_both_directions(tmp_path: Path) -> None:
    result = build(tmp_path, {
        "A.md": "term: A\ncanonical_id: A\npoetic_connections:\n  association_matrix:\n    - [B, 0.7]",
        "B.md": "term: B\ncanonical_id: B\npoetic_connections:\n  association_matrix:\n    - [A, 0.2]",
    })
    assoc = edges(result, "associated")
    assert assoc[("A", "B", "associated")]["weight"] == 0.7
    assert assoc[("B", "A", "associated")]["weight"] == 0.2
    assert all(d["declared"] for d in assoc.values())


RESOLUTION = [
    # (name written, expected node, expected match)
    ("ALPHA", "ALPHA", "exact"),
    ("Former", "ALPHA", "alias"),
    ("alpha", "ALPHA", "loose"),
    ("the first letter", "ALPHA", "loose"),  # label, any case
    ("BETA", "BETA", "exact"),  # an id beats another term's alias
    ("M-2", "M-2", "exact"),
    ("M-2_slug", "M-2", "prefix"),
    ("NOPE", "NOPE", "missing"),
]


@pytest.mark.parametrize("name,node,how", RESOLUTION)
def test_resolution_order(tmp_path: Path, name: str, node: str, how: str) -> None:
    result = build(tmp_path, {
        "ALPHA.md": "term: The first letter\ncanonical_id: ALPHA\naliases: [Former, BETA]",
        "BETA.md": "term: Beta\ncanonical_id: BETA",
        "USER.md": f"term: User\ncanonical_id: USER\ncrosslinks:\n  prerequisites: ['{name}']",
    }, modules={"m2.md": "id: M-2\ntitle: Two"})
    ref = next(r for r in result.references if r.source == "USER")
    assert (ref.target, ref.match) == (node, how)
    loose = [d for d in result.diagnostics if d.code == "link-loose-match"]
    assert bool(loose) == (how in ("loose", "prefix"))


def test_term_wins_over_module_with_the_same_id(tmp_path: Path) -> None:
    result = build(tmp_path, {"X-1.md": "term: X\ncanonical_id: X-1\nparents: [X-1]"},
                   modules={"x.md": "id: X-1\ntitle: Module X"})
    assert result.graph.nodes["X-1"]["kind"] == "term"
    assert {d.code for d in result.diagnostics} >= {"id-module-clash", "link-self"}


def test_link_is_deterministic(tmp_path: Path) -> None:
    files = {f"T{i}.md": f"term: T{i}\ncanonical_id: T{i}\nparents: [T{(i + 1) % 5}, GONE{i % 2}]" for i in range(5)}
    first = json.dumps(node_link_data(build(tmp_path / "a", files).data))
    second = json.dumps(node_link_data(build(tmp_path / "b", files).data))
    assert first == second


SUGGEST = [
    # (query, candidates, expected ids)
    ("COHERENSE", ["COHERENCE", "COHERENCE_FIELD"], ("COHERENCE",)),
    ("COHERENCE_FEILD", ["COHERENCE", "COHERENCE_FIELD"], ("COHERENCE_FIELD",)),  # swapped letters
    ("coherence field", ["COHERENCE_FIELD"], ("COHERENCE_FIELD",)),  # case and punctuation only
    ("OBSERVERS_SHADOW", ["OBSERVER_SHADOW"], ("OBSERVER_SHADOW",)),
    ("DOMA-075", ["DOMA-005", "DOMA-025"], ()),  # numbered ids a digit apart are not typos
    ("ZEBRA", ["COHERENCE"], ()),
    ("TEMPORAL_PRESSURE_Γ", ["TEMPORAL_PRESSURE"], ("TEMPORAL_PRESSURE",)),  # one extra word
    ("THE_COHERENCE_LEDGER", ["COHERENCE_LEDGER"], ("COHERENCE_LEDGER",)),
    ("FIELD_X", ["FIELD"], ()),  # what is left is too short to be sure
    ("SURFACE_TENSION", ["TENSION"], ()),  # a compound is another concept, not a typo
    ("AB", ["XY"], ()),
]


@pytest.mark.parametrize("query,candidates,expected", SUGGEST)
def test_suggest(query: str, candidates: list[str], expected: tuple[str, ...]) -> None:
    got = suggest([query], [(c, c) for c in candidates])
    assert tuple(i for i, _ in got.get(query, ())) == expected


def test_suggest_indexes_whichever_side_is_smaller() -> None:
    candidates = [(f"TERM_{i:05d}_NAME", f"TERM_{i:05d}_NAME") for i in range(2000)]
    few = suggest(["TERM_00042_NAMW"], candidates)
    many = suggest([f"TERM_{i:05d}_NAMW" for i in range(2000)], candidates[:1])
    assert [i for i, _ in few["TERM_00042_NAMW"]] == ["TERM_00042_NAME"]
    assert [i for i, _ in many["TERM_00000_NAMW"]] == ["TERM_00000_NAME"]
    assert "TERM_00001_NAMW" not in many


def test_remembered_suggest_answers_like_suggest_and_forgets_when_names_change(monkeypatch) -> None:
    import compiler.link.integrity as integrity

    candidates = [(c, c) for q, cs, _ in SUGGEST for c in cs]
    queries = [q for q, _, _ in SUGGEST]
    memo: dict = {}
    assert remembered_suggest(queries, candidates, memo) == suggest(queries, candidates)
    asked: list[list[str]] = []
    real = integrity.suggest
    monkeypatch.setattr(integrity, "suggest", lambda q, c: asked.append(list(q)) or real(q, c))
    again = remembered_suggest(queries + ["LAMINAR_FLOWW"], candidates, memo)  # one new dangling name
    assert asked == [["LAMINAR_FLOWW"]] and again == suggest(queries + ["LAMINAR_FLOWW"], candidates)
    grown = candidates + [("LAMINAR_FLOW", "LAMINAR_FLOW")]  # a new term: every answer is computed again
    assert remembered_suggest(queries + ["LAMINAR_FLOWW"], grown, memo) == real(queries + ["LAMINAR_FLOWW"], grown)
    assert len(asked) == 2 and len(asked[1]) == len(set(queries)) + 1
    assert remembered_suggest(queries, grown, None) == real(queries, grown)  # no cache: plain suggest


@pytest.mark.parametrize("a,b,distance", [
    ("kitten", "sitting", 3), ("abc", "abc", 0), ("abc", "acb", 1), ("", "ab", 2), ("abcdef", "a", 4),
])
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert spelling.distance(a, b, limit=3) == min(distance, 4)


def _osa(a: str, b: str) -> int:
    """Reference optimal-string-alignment distance: the full table, no band, no cut-off."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


@given(st.text("abc_", max_size=9), st.text("abc_", max_size=9), st.integers(1, 3))
def test_edit_distance_cut_off_agrees_with_the_full_table(a: str, b: str, limit: int) -> None:
    """rapidfuzz's OSA with score_cutoff is the measure "did you mean" was designed on: adjacent
    swaps count one edit, and anything over the limit reads as limit + 1."""
    assert spelling.distance(a, b, limit) == min(_osa(a, b), limit + 1)


def test_link_restores_the_garbage_collector(tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    build(tmp_path, {"A.md": "term: A\ncanonical_id: A"})
    assert gc.isenabled()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
names = st.sampled_from(["A", "B", "a", "C-1", "C-1_x", "", " ", "Zed"])
leaf = json_values | names | st.lists(names | json_values, max_size=3)
headers = st.fixed_dictionaries({}, optional={
    "parents": leaf, "children": leaf, "aliases": leaf,
    "crosslinks": st.fixed_dictionaries({}, optional={"near_synonyms": leaf, "antonyms": leaf,
                                                      "prerequisites": leaf, "downstream_effects": leaf}) | json_values,
    "provenance": leaf | st.fixed_dictionaries({"sources": st.lists(st.fixed_dictionaries({"module": leaf}))}),
    "poetic_connections": st.fixed_dictionaries({"association_matrix": st.lists(
        st.tuples(names | json_values, json_values).map(list) | json_values, max_size=3)}),
    "context_windows": st.lists(st.fixed_dictionaries({"module": leaf}) | json_values, max_size=2),
    "formal_mappings": st.fixed_dictionaries({"candidates": st.lists(st.fixed_dictionaries({"target": leaf}))}),
    "waivers": leaf,
})


@given(st.lists(headers, min_size=1, max_size=4), st.lists(names.filter(str.strip), min_size=1, max_size=4))
def test_link_never_raises_on_odd_headers(headers, ids) -> None:
    from compiler.model import Location, Term

    terms = [Term(id=ids[i % len(ids)], file=f"f{i}.md", path=Path(f"f{i}.md"), data=h, body="", body_line=0,
                  locations={"": Location(1, 1)}) for i, h in enumerate(headers)]
    result = link(terms, [], default_config(Path(".")))
    assert all(d.line >= 1 for d in result.diagnostics)
    node_link_data(result.data)


def test_relation_table_is_consistent() -> None:
    for relation in RELATIONS.values():
        if relation.inverse is not None:
            assert RELATIONS[relation.inverse].inverse == relation.name


def test_modules_get_inferred_inverses_and_missing_names_none(tmp_path: Path) -> None:
    result = build(tmp_path, {"A.md": "term: A\ncanonical_id: A\nparents: [M-1, GONE]"},
                   modules={"m.md": "id: M-1\ntitle: M"})
    got = {(u, v, k): d["declared"] for (u, v, k), d in edges(result).items()}
    assert got == {("A", "M-1", "broader"): True, ("M-1", "A", "narrower"): False, ("A", "GONE", "broader"): True}


def test_a_cycle_through_an_undefined_name_is_still_found(tmp_path: Path) -> None:
    # A has parent B, B has parent X, and A says X is its child: A → B → X → A
    result = build(tmp_path, {
        "A.md": "term: A\ncanonical_id: A\nparents: [B]\nchildren: [X]",
        "B.md": "term: B\ncanonical_id: B\nparents: [X]",
    })
    cycles = [d for d in result.diagnostics if d.code == "hierarchy-cycle"]
    assert len(cycles) == 1 and "`A` → `B` → `X` → `A`" in cycles[0].message
    assert (cycles[0].file, cycles[0].line) == ("A.md", 4)


def test_a_dangling_name_that_is_the_terms_own_alias_is_not_suggested_as_itself(tmp_path: Path) -> None:
    result = build(tmp_path, {
        "COMPOSITE.md": "term: Composite\ncanonical_id: COMPOSITE\naliases: [Reducible System]\n"
                        "crosslinks:\n  near_synonyms: [REDUCIBLE_SYSTEM]",
    })
    dangling = [d for d in result.diagnostics if d.code == "link-dangling"]
    assert len(dangling) == 1 and "did you mean" not in dangling[0].hint
    assert "own alias or name 'Reducible System'" in dangling[0].hint


def test_docs_checks_table_matches_the_code_registry() -> None:
    from compiler.codes import CODES

    docs = Path(__file__).resolve().parents[1] / "docs" / "graph.md"
    rows = {}
    for line in docs.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[3] in ("error", "warning", "info"):
            rows[cells[0].strip("`")] = cells[3]
    assert len(rows) >= 17
    assert {name: CODES[name].severity.value for name in rows if name in CODES} == rows


@pytest.mark.parametrize("raw,stored", [("0.5", 0.5), (".nan", None), (".inf", None), ("strong", None), ("true", None)])
def test_association_weights_are_finite_numbers_or_none(tmp_path: Path, raw: str, stored) -> None:
    result = build(tmp_path, {"A.md": f"term: A\ncanonical_id: A\npoetic_connections:\n  association_matrix:\n    - [B, {raw}]",
                              "B.md": "term: B\ncanonical_id: B"})
    assert result.graph.edges["A", "B", "associated"]["weight"] == stored
    json.dumps(node_link_data(result.data), allow_nan=False)


