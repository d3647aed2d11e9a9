"""Fuzzing the loader with Hypothesis (issue 9): no input produces a traceback, and a
valid term written out by a YAML dumper loads back with the same data."""
from __future__ import annotations

import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.load.limits import invalid_char
from compiler.load.terms import decode, load_text
from compiler.validate.schema import validate_term

PIECES = ["---\n", "...\n", ": ", "- ", "[", "]", "{", "}", ",", "#", "&a ", "*a", "!!python/object:os.system ",
          "<<: ", "? ", "|\n", ">\n", "'", '"', "\\(", "\t", "  ", "\n", "term: ", "canonical_id: ", "aliases: ",
          "parents: ", "status: ", "version: 0.10", "2025-10-18", "yes", "~", "null", "1e3", "Γ", "\u2028", "\x00",
          "\ufeff", "\r\n", "`", "%", "@", "*", "**"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(alphabet=string.printable + "Γαμ→", max_size=8)),
                 max_size=60).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_loads_without_an_exception(text):
    term, diags = load_text("---\n" + text, Path("F.md"), "F.md")
    if term is not None:
        term, more = validate_term(term)
        diags = [*diags, *more]
    for d in diags:
        assert d.code and d.message and d.line >= 0 and d.column >= 0


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_give_a_located_error(data):
    text, diags = decode(data, "F.md")
    assert (text is None) == bool(diags)
    if text is not None:
        load_text(text, Path("F.md"), "F.md")


tricky = st.one_of(
    st.sampled_from(["0.10", "1.0", "yes", "no", "on", "off", "null", "~", "2025-10-18", "1e3", "0x1F", "017",
                     "a: b", "# not a comment", "[x]", "{y}", "*star*", "&amp", "!bang", "> 0.5", "| pipe", "`tick`",
                     "'quote'", '"dq"', "\\(x\\)", "Γ-001", "  padded  ", "tab\there", "multi\nline"]),
    # Non-characters (U+FFFE, U+FDD0...) are replaced at load by design (text-invalid-char), so a valid term holds none.
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
    .filter(lambda text: invalid_char(text) is None),
)
ids = st.from_regex(r"[A-Z][A-Z0-9_\-Γ]{0,20}", fullmatch=True)
terms = st.fixed_dictionaries(
    {"term": tricky.filter(lambda s: s.strip() != ""), "canonical_id": ids},
    optional={
        "symbol": tricky, "aliases": st.lists(tricky, max_size=4), "parents": st.lists(ids, max_size=3),
        "status": st.sampled_from(["draft", "candidate", "ratified", "deprecated"]), "version": tricky,
        "triad": st.fixed_dictionaries({"art": tricky, "law": tricky}),
        "crosslinks": st.fixed_dictionaries({"near_synonyms": st.lists(ids, max_size=3)}),
        "poetic_connections": st.fixed_dictionaries(
            {"association_matrix": st.lists(st.tuples(ids, st.floats(0, 1)).map(list), max_size=3)}),
    },
)


@settings(max_examples=300, deadline=None)
@given(terms, st.sampled_from(["block", "flow", "default"]))
def test_a_dumped_valid_term_loads_back_with_the_same_data(data, style):
    flow = {"block": False, "flow": True, "default": None}[style]
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=flow) + "---\n\nBody\n"
    term, diags = load_text(text, Path("F.md"), "F.md")
    assert term is not None, diags
    term, more = validate_term(term)
    assert not [d for d in [*diags, *more] if d.severity.value == "error"], [*diags, *more]
    assert term.data == data


def _node_events(text: str) -> int | None:
    """How many nodes libyaml's parser announces for ``text`` (None when it is not YAML)."""
    loader = yaml.CSafeLoader(text)
    try:
        return sum(1 for event in iter(loader.get_event, None)
                   if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent,
                                         yaml.MappingStartEvent)))
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_the_bound_on_nodes_holds_for_any_text(text):
    """compiler.load.yamlnodes.most_nodes decides whether libyaml composes a block at once: it must
    never be below the nodes the text really has (issue 21's budgets rely on it)."""
    from compiler.load.yamlnodes import most_nodes

    got = _node_events(text)
    if got is not None:
        assert got <= most_nodes(text), (text, got)
