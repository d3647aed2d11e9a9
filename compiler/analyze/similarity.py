"""Text similarity between terms: sparse TF-IDF and the top k neighbours of each term.

Why not the obvious dense ``cosine_similarity(X)``: it holds an N x N matrix (memory
quadratic in the terms). Here the similarities are computed a block of rows at a time and each
block is cut down to its top k neighbours before the next one starts, so memory grows
with N * k. The weighting is scikit-learn's ``TfidfVectorizer`` default (raw counts,
smooth idf ``ln((1 + n) / (1 + df)) + 1``, rows scaled to unit length), so the scores
are the ones an author gets from the usual script; a test checks this against
scikit-learn (installed with the tests). The dozen lines of :func:`weigh` are kept
rather than calling ``TfidfTransformer``: its weights are the same to the last bit,
but importing scikit-learn costs an idea-map command more than its whole similarity
step (the figures are in the issue 20 notes).

Speed: a word found in many texts makes almost every pair similar, and the product of
two sparse matrices is slow when its result is dense. So the vocabulary is split: the
frequent words (in at least 5% of the texts) go into a small dense matrix multiplied
with BLAS, the rest stay sparse. Within a block, a term's k-th best score is first
bounded from below on a sample of columns, so only the few candidates above that bound
are sorted; the result is exact, not approximate.

scipy is optional at import time: :func:`available` says whether it is installed.
"""
from __future__ import annotations

import re
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

try:
    import scipy.sparse as _sparse
except ImportError:  # pragma: no cover - scipy ships with the test environment
    _sparse = None

TOKEN = re.compile(r"(?u)\b\w\w+\b")
DENSE_SHARE = 0.05  # a word in at least this share of texts goes to the dense part
DENSE_BYTES = 256 * 2**20  # cap of the dense part's memory
BLOCK_CELLS = 3_200_000  # block rows x N: small enough to stay in cache, large enough for BLAS
SAMPLE_COLUMNS = 2048  # columns used to bound each row's k-th score from below

# Common English words that make every pair of texts look alike; our own short list.
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each either else etc even ever every few for
from further had has have having he her here hers herself him himself his how however i if in into is it
its itself just like may me might more most much must my myself neither no nor not now of off often on
once one only or other our ours ourselves out over own per rather same she should since so some such than
that the their theirs them themselves then there these they this those through thus to too under until
up upon us very via was we were what when where whether which while who whom whose why will with within
without would yet you your yours yourself yourselves
""".split())


def available() -> bool:
    """True when scipy is installed, so similarity can be computed."""
    return _sparse is not None


# --- the text of a term -------------------------------------------------------------------


def _strings(value: Any) -> Iterable[str]:
    """Every string leaf under ``value`` (values only, never the keys).

    Headers are plain JSON-like values (compiler.model), so exact ``dict``/``list``
    checks suffice; they are several times faster than checks against ``Mapping``.
    """
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _find(data: Any, wanted: frozenset[str]) -> Iterable[str]:
    """Text under every key named in ``wanted``, at any depth (``justification`` sits in candidates)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in wanted:
                yield from _strings(value)
            elif isinstance(value, (dict, list)):
                yield from _find(value, wanted)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, (dict, list)):
                yield from _find(item, wanted)


def term_text(data: Mapping[str, Any], body: str, fields: Sequence[str]) -> str:
    """The term's own words: the named header fields (any depth) and, if ``body`` is listed, the body."""
    wanted = frozenset(f for f in fields if f != "body")
    parts = list(_find(data if isinstance(data, dict) else dict(data), wanted))
    if "body" in fields and body:
        parts.append(body)
    return "\n".join(parts)


def tokenize(text: str) -> list[str]:
    """Lower-cased words of two or more letters, without stop words and bare numbers."""
    return [t for t in TOKEN.findall(text.lower()) if t not in STOP_WORDS and not t.isdigit()]


# --- TF-IDF -------------------------------------------------------------------------------


def counts(doc: Sequence[str]) -> tuple[list[str], list[int]]:
    """(distinct words in order of first use, how often each occurs): all TF-IDF needs of a text."""
    found = Counter(doc)  # keeps the order of first use
    return list(found), list(found.values())


def tfidf(docs: Iterable[Sequence[str]]) -> Any:
    """Unit-length TF-IDF rows (scipy CSR, float32) of tokenized ``docs``; empty docs are zero rows.

    ``docs`` may be a generator: each document is reduced to its distinct words and
    their counts at once, so neither the texts nor their word lists are ever all in
    memory (on the largest glossaries the word lists alone would take gigabytes).
    """
    return tfidf_counts(counts(doc) for doc in docs)


def tfidf_counts(docs: Iterable[tuple[Sequence[str], Sequence[int]]]) -> Any:
    """:func:`tfidf` of documents given as (distinct words in order of first use, counts).

    The vocabulary is numbered in order of first use over the documents, so the matrix
    is the same whether a text arrives whole or already counted (in a worker process).
    """
    vocabulary: dict[str, int] = {}
    indices, frequencies, indptr = array("i"), array("f"), array("q", [0])
    for words, times in docs:
        ids = np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for t in words), dtype=np.int32, count=len(words))
        order = np.argsort(ids, kind="stable")
        indices.extend(ids[order].tolist())
        frequencies.extend(np.asarray(times, dtype=np.float32)[order].tolist())
        indptr.append(len(indices))
    return weigh(np.frombuffer(frequencies, dtype=np.float32).copy(), np.frombuffer(indices, dtype=np.int32).copy(),
                 np.frombuffer(indptr, dtype=np.int64).copy(), len(vocabulary))


def weigh(frequencies: np.ndarray, indices: np.ndarray, indptr: np.ndarray, words: int) -> Any:
    """Raw counts in CSR form (columns sorted within each row) to unit-length TF-IDF rows."""
    n = len(indptr) - 1
    matrix = _sparse.csr_matrix((frequencies, indices, indptr), shape=(n, words))
    df = np.bincount(matrix.indices, minlength=words)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    data = matrix.data.astype(np.float64) * idf[matrix.indices]
    row_of = np.repeat(np.arange(n), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=n))
    norms[norms == 0] = 1.0
    matrix.data = (data / norms[row_of]).astype(np.float32)
    return matrix


# --- top k neighbours ---------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbours:
    """Directed top-k lists as parallel arrays: row ``source[i]`` has neighbour ``target[i]``."""

    source: np.ndarray
    target: np.ndarray
    score: np.ndarray


def _split(matrix: Any) -> tuple[np.ndarray | None, Any]:
    """(dense frequent-word columns or None, sparse rest) of the TF-IDF matrix."""
    n = matrix.shape[0]
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    limit = max(1, DENSE_BYTES // (4 * max(n, 1)))
    frequent = np.flatnonzero(df >= max(2.0, DENSE_SHARE * n))
    if n < 200 or not len(frequent):  # tiny glossaries: the sparse product is already cheap
        return None, matrix
    frequent = frequent[np.argsort(-df[frequent], kind="stable")][:limit]
    rest = np.setdiff1d(np.arange(matrix.shape[1]), frequent)
    return np.asarray(matrix[:, frequent].todense(), dtype=np.float32), matrix[:, rest].tocsr()


def _best(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best (highest score, then lowest column) entries of each row."""
    order = np.lexsort((cols, -vals, rows))
    ranked = rows[order]
    starts = np.searchsorted(ranked, ranked, side="left")
    rank = np.arange(len(ranked)) - starts
    return order[rank < k]


def top_k(matrix: Any, k: int, threshold: float) -> Neighbours:
    """Each row's k most similar other rows with a cosine of at least ``threshold`` (and above 0)."""
    n = matrix.shape[0]
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if n < 2 or k < 1:
        empty = np.zeros(0, dtype=np.int64)
        return Neighbours(empty, empty, np.zeros(0, dtype=np.float32))
    floor = max(float(threshold), 1e-9)  # texts with no word in common are never neighbours
    dense, rest = _split(matrix)
    rest_t = rest.T.tocsr()
    block = max(8, min(n, BLOCK_CELLS // n))
    step = max(1, n // SAMPLE_COLUMNS)
    for start in range(0, n, block):
        stop = min(n, start + block)
        local = np.arange(stop - start)
        part = rest[start:stop] @ rest_t
        if dense is not None:
            scores = dense[start:stop] @ dense.T
            coo = part.tocoo()
            scores[coo.row, coo.col] += coo.data
            scores[local, local + start] = -1.0  # a term is not its own neighbour
            bound = np.full(stop - start, floor, dtype=np.float32)
            sample = scores[:, ::step]
            if sample.shape[1] > k:
                kth = np.partition(sample, sample.shape[1] - k, axis=1)[:, sample.shape[1] - k]
                bound = np.maximum(bound, kth)
            r, c = np.nonzero(scores >= bound[:, None])
            v = scores[r, c]
        else:
            coo = part.tocoo()
            keep = (coo.data >= floor) & (coo.row + start != coo.col)
            r, c, v = coo.row[keep], coo.col[keep], coo.data[keep]
        chosen = _best(r.astype(np.int64), c.astype(np.int64), v, k)
        found.append((r[chosen].astype(np.int64) + start, c[chosen].astype(np.int64), v[chosen].astype(np.float32)))
    return Neighbours(np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found]),
                      np.concatenate([f[2] for f in found]))


def pair_arrays(matrix: Any, k: int, threshold: float, digits: int = 4) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Undirected pairs (rows i < j, scores) from the union of every row's top-k list, sorted by (i, j).

    Scores are rounded to ``digits`` so that float noise in the last bits (BLAS threads,
    processors) never changes an output file; a pair found from both sides keeps its best.
    """
    found = top_k(matrix, k, threshold)
    low, high = np.minimum(found.source, found.target), np.maximum(found.source, found.target)
    scores = np.array([round(min(1.0, s), digits) for s in found.score.tolist()], dtype=np.float64)
    keep = scores >= threshold
    key = low[keep] * max(1, matrix.shape[0]) + high[keep]
    scores = scores[keep]
    order = np.lexsort((-scores, key))  # by pair, best score first
    key, scores = key[order], scores[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
    n = max(1, matrix.shape[0])
    return key[first] // n, key[first] % n, scores[first].tolist()


def similar_pairs(ids: Sequence[str], texts: Iterable[str], k: int, threshold: float,
                  digits: int = 4) -> list[tuple[str, str, float]]:
    """Undirected pairs (a, b, score) with a < b, from the union of every term's top-k list, sorted by id."""
    if not available() or len(ids) < 2:
        return []
    matrix = tfidf(tokenize(t) for t in texts)  # one text at a time: texts may be a generator
    first, second, scores = pair_arrays(matrix, k, threshold, digits)
    pairs = ((ids[i], ids[j], s) if ids[i] < ids[j] else (ids[j], ids[i], s)
             for i, j, s in zip(first.tolist(), second.tolist(), scores))
    return sorted(pairs)


__all__ = ["available", "term_text", "tokenize", "counts", "tfidf", "tfidf_counts", "weigh", "top_k", "pair_arrays",
           "similar_pairs", "Neighbours", "STOP_WORDS"]
