"""Tokenizer and parser: notations, positions, caps; plus fuzzing for crashes."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.checks import check_hint
from compiler.checks.parser import Bin, Num, ParseError, Pow, Sym, Tuple, Unit, number, parse
from compiler.checks.reference import symbol_key
from compiler.checks.tokenizer import MAX_HINT_CHARS, TokenizeError, tokenize


def tree(text: str):
    return parse(tokenize(text))


@pytest.mark.parametrize("a,b", [
    (r"a_\mu^{\text{exp}}", "a_μ^exp"), ("a_mu_exp", "a_μ^exp"), (r"a^{\text{SM}}_\mu", "a_mu^SM"),
    (r"\Delta a_\mu", "Δa_μ"), ("Delta a_mu", "Δa_μ"), ("m<sub>μ</sub>", r"m_\mu"), (r"m_{\mu}", "m_μ"),
])
def test_spellings_of_one_symbol_share_a_key(a: str, b: str) -> None:
    ta, tb = tree(a), tree(b)
    assert isinstance(ta, Sym) and isinstance(tb, Sym)
    assert symbol_key(ta) == symbol_key(tb)


def test_unicode_superscripts_are_powers() -> None:
    t = tree("10⁻¹¹")
    assert isinstance(t, Pow) and isinstance(t.base, Num)
    assert t.exponent.operand.value == 11  # type: ignore[union-attr]


def test_superscript_words_are_labels_and_digits_are_powers() -> None:
    assert isinstance(tree(r"a_\mu^{\text{SM}}"), Sym)
    assert isinstance(tree(r"m_\ell^2"), Pow)
    assert isinstance(tree("α⁻¹"), Pow)


def test_implicit_products_but_not_across_prose() -> None:
    assert isinstance(tree("2π"), Bin)
    assert isinstance(tree("m c^2"), Bin)
    with pytest.raises(ParseError):
        tree("constant α")


def test_numbers_with_uncertainty_follow_codata() -> None:
    assert number("1.23(4)", 0).uncertainty == pytest.approx(0.04)
    assert number("116592061(41)", 0).uncertainty == pytest.approx(41)
    assert number("116592071.5(14.5)", 0).uncertainty == pytest.approx(14.5)
    assert number("1.16141", 0).half_unit == pytest.approx(5e-6)
    assert number("251", 0).half_unit == pytest.approx(0.5)


def test_units_after_numbers_only() -> None:
    t = tree("105.66 MeV")
    assert isinstance(t, Bin) and isinstance(t.right, Unit)
    assert isinstance(tree("3 m"), Bin) and isinstance(tree("3 m").right, Unit)
    assert isinstance(tree("m"), Sym)  # a lone m is a symbol, not metres


def test_argument_lists_are_kept_opaque() -> None:
    t = tree("V(A, B)")
    assert isinstance(t, Bin) and isinstance(t.right, Tuple)


def test_parse_error_points_at_the_problem() -> None:
    with pytest.raises(ParseError) as exc:
        tree("(1/137")
    assert exc.value.position == 6


def test_caps() -> None:
    with pytest.raises(TokenizeError):
        tokenize("x" * (MAX_HINT_CHARS + 1))
    with pytest.raises(TokenizeError):
        tokenize("1" * 10_000)
    with pytest.raises(ParseError):
        tree("(" * 500 + "1" + ")" * 500)


HOSTILE = [
    "2^" * 300 + "2 = 1",
    "(" * 10_000 + "1" + ")" * 10_000 + " = 1",
    "1" * 10_000 + " = 1",
    "α ≈ " + "1" * 100_000,
    "x" * 1_000_000,
    r"\frac{" * 400 + "1" + "}{2}" * 400 + " = 1",
    "9^9^9^9 = 1",
    "(10^{10})! = 1",
    "1e308 * 1e308 = 1",
    "√" * 5000 + "2 = 1",
    "-" * 5000 + "1 = 1",
    "α ≈ 1 " + "+ 1 " * 2000,
    "alpha " * 1500 + "= 1",
    "a+" * 1400 + "a = 1",
    "{" * 4000 + "= 1",
]


@pytest.mark.parametrize("hint", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_hints_end_as_error_or_unchecked(hint: str) -> None:
    result = check_hint(hint)
    assert result.status in ("error", "unchecked"), result.message
    assert "internal error" not in result.message
    assert len(result.hint) <= 10_000 or result.status == "error"


PIECES = list("0123456789.+-*/^_()[]{}|=≈<>∝∼±×·√πα⁻¹²₀ \\e,;:!") + ["\\frac", "\\text{", "10^{", "m_\\mu", "MeV", "sqrt", "a_e"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_no_input_crashes(text: str) -> None:
    result = check_hint(text)
    assert result.status in ("pass", "fail", "stale", "unchecked", "error")
    assert result.klass in ("checkable", "symbolic", "not-math")
    assert "internal error" not in result.message
