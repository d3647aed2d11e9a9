"""Text similarity: which text counts, TF-IDF equal to scikit-learn's, and block-wise top-k
equal to the brute-force answer on both code paths (sparse, and dense frequent words)."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from compiler.analyze import similarity
from compiler.analyze.similarity import similar_pairs, term_text, tfidf, tokenize, top_k

HEADER = {
    "term": "Header Word",
    "canonical_id": "HEADER_ID",
    "pirouette_definition": "alpha beta",
    "triad": {"art": "gamma", "law": ["delta", {"deep": "epsilon"}]},
    "formal_mappings": {"candidates": [{"target": "zeta", "justification": "eta theta"}]},
    "status": "draft",
}


@pytest.mark.parametrize("fields, words, absent", [
    (("pirouette_definition",), {"alpha", "beta"}, {"gamma", "header", "body"}),
    (("triad",), {"gamma", "delta", "epsilon"}, {"art", "law", "deep", "alpha"}),
    (("justification",), {"eta", "theta"}, {"zeta", "candidates"}),
    (("body",), {"bodytext"}, {"alpha"}),
    (("pirouette_definition", "triad", "justification", "body"),
     {"alpha", "gamma", "epsilon", "eta", "bodytext"}, {"header", "draft", "zeta", "term"}),
])
def test_term_text_takes_values_of_the_named_fields_only(fields, words, absent):
    tokens = set(tokenize(term_text(HEADER, "bodytext", fields)))
    assert words <= tokens
    assert not tokens & absent


@pytest.mark.parametrize("text, tokens", [
    ("The Pressuron (Γ) couples to the muon", ["pressuron", "couples", "muon"]),
    ("a b 17 MeV x2 10⁻¹¹", ["mev", "x2"]),
    ("TEMPORAL_PRESSURE and temporal pressure", ["temporal_pressure", "temporal", "pressure"]),
])
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


def corpus(n: int, vocabulary: int, length: int, seed: int) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(vocabulary)]
    # Zipf-like use: a few words in almost every text, a long tail of rare ones
    p = 1.0 / np.arange(1, vocabulary + 1)
    p /= p.sum()
    return [list(rng.choice(words, size=rng.integers(1, length), p=p)) for _ in range(n)] + [[]]


def brute(matrix, k: int, threshold: float) -> dict[int, list[tuple[int, float]]]:
    full = (matrix @ matrix.T).toarray().astype(np.float64)
    np.fill_diagonal(full, -1.0)
    out: dict[int, list[tuple[int, float]]] = {}
    for i, row in enumerate(full):
        keep = np.flatnonzero((row > 0) & (row >= threshold))
        order = keep[np.lexsort((keep, -row[keep]))][:k]
        out[i] = [(int(j), float(row[j])) for j in order]
    return out


@pytest.mark.parametrize("n, vocabulary, length, k, threshold", [
    (60, 40, 12, 3, 0.1),      # small: sparse path
    (300, 2000, 30, 5, 0.0),   # threshold 0 keeps every overlapping pair
    (2400, 300, 25, 4, 0.2),   # large enough for the dense frequent-word path
    (4500, 500, 20, 8, 0.05),  # and for bounding each row's k-th score on a column sample
])
def test_top_k_equals_brute_force(n, vocabulary, length, k, threshold):
    matrix = tfidf(corpus(n, vocabulary, length, seed=n))
    found = top_k(matrix, k, threshold)
    want = brute(matrix, k, threshold)
    got: dict[int, list[tuple[int, float]]] = {i: [] for i in range(matrix.shape[0])}
    for i, j, s in zip(found.source.tolist(), found.target.tolist(), found.score.tolist()):
        got[i].append((j, s))
    for i in want:
        # same scores in the same order; the neighbours themselves may differ only on ties
        scores = [s for _, s in sorted(got[i], key=lambda js: -js[1])]
        assert np.allclose(scores, [s for _, s in want[i]], atol=1e-5), i
        assert all(j != i for j, _ in got[i])


def test_large_inputs_take_the_dense_path():
    dense, rest = similarity._split(tfidf(corpus(2400, 300, 25, seed=1)))
    assert dense is not None and dense.shape[1] > 0 and rest.shape[1] > 0


def test_tfidf_rows_have_unit_length_and_empty_texts_are_zero():
    matrix = tfidf([["a1", "b1"], [], ["a1", "a1", "c1"]])
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert np.allclose(norms, [1, 0, 1], atol=1e-6)


def test_scores_equal_the_usual_scikit_learn_script():
    """What an author's TfidfVectorizer + cosine_similarity script gives (scikit-learn is a runtime
    dependency, so this always runs)."""
    texts = [" ".join(doc) for doc in corpus(120, 300, 40, seed=3)]
    ours = (lambda m: (m @ m.T).toarray())(tfidf([tokenize(t) for t in texts]))
    theirs = cosine_similarity(TfidfVectorizer(analyzer=tokenize).fit_transform(texts))
    assert np.allclose(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("docs", [
    [["sea", "wave"], ["sea", "tide", "tide"], ["song"], []],
    [["alpha", "beta", "beta", "gamma"], ["alpha"], ["beta", "delta"], ["alpha", "delta", "delta"]],
])
def test_weights_are_the_smooth_idf_formula(docs):
    """Each weight is count * (ln((1 + n) / (1 + df)) + 1), rows scaled to unit length, written out
    by hand here: a changed idf constant (a missing + 1, no smoothing) changes these numbers."""
    matrix = tfidf(docs)
    n, words = len(docs), sorted({w for doc in docs for w in doc})
    df = {w: sum(w in doc for doc in docs) for w in words}
    order = list(dict.fromkeys(w for doc in docs for w in doc))  # columns in order of first use
    for row, doc in enumerate(docs):
        raw = {w: doc.count(w) * (np.log((1 + n) / (1 + df[w])) + 1) for w in set(doc)}
        norm = np.sqrt(sum(v * v for v in raw.values())) or 1.0
        want = np.array([raw.get(w, 0.0) / norm for w in order])
        assert np.allclose(matrix[row].toarray().ravel(), want, atol=1e-6), row


def test_similar_pairs_are_undirected_sorted_and_rounded():
    ids = ["C", "A", "B", "D"]
    texts = ["sea wave shore", "sea wave tide", "song note chord", "song note beat"]
    pairs = similar_pairs(ids, texts, k=2, threshold=0.1)
    assert [(a, b) for a, b, _ in pairs] == [("A", "C"), ("B", "D")]
    assert all(s == round(s, 4) for *_, s in pairs)
    assert similar_pairs(ids[:1], texts[:1], k=2, threshold=0.1) == []
