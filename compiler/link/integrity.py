"""Integrity checks on the knowledge graph, modelled on qSKOS' quality checks.

Each check is a function ``(Context) -> Iterable[Diagnostic]`` listed in ``CHECKS``;
each finding has a stable code (registered in :mod:`compiler.codes`), a location in
the term file that causes it, and a hint. The checks read the graph and the resolved
references; they never change them.

"Did you mean" must stay linear on the largest glossaries, so it does not compare
every dangling name with every id: names are normalised (case, punctuation) for an
exact lookup that also covers aliases and labels, then matched through an index of
one-character deletions (the SymSpell idea) built over the smaller side, which finds
every candidate within two edits (one on each side) without an all-pairs scan. Each
candidate's distance is :func:`compiler.spelling.distance` (rapidfuzz's OSA).
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence

from compiler.codes import make
from compiler.diagnostics import Diagnostic
from compiler.link.graph import GraphResult
from compiler.link.references import Reference
from compiler.link.relations import CONFLICTS, MODULE_ID, RELATIONS
from compiler.model import Term
from compiler.spelling import distance

if TYPE_CHECKING:
    import networkx as nx

    from compiler.config import Config

MAX_SUGGEST_LEN = 64
MAX_EXTRA_WORD = 3  # `the`, `raw`, `Γ`: a word this short may be dropped to find a name


@dataclass(frozen=True)
class EdgePairs:
    """What the relation checks need from the edges, found in one pass over the adjacency.

    ``conflicts``: for each pair of CONFLICTS, the (u, v) joined by both relations;
    ``hierarchy``: (child, parent) of each declared broader or narrower edge. Both in
    the graph's edge order, as iterating ``graph.edges`` would give them.
    """

    conflicts: Mapping[tuple[str, str], list[tuple[str, str]]]
    hierarchy: list[tuple[str, str]]


def edge_pairs(graph: nx.MultiDiGraph) -> EdgePairs:
    """Scan the adjacency once (edge keys are relation names, one edge per relation).

    Why ``graph.adjacency()``: it gives each node's neighbour dicts as they are, where the
    edge view makes a tuple per edge, and the contradiction and cycle checks need both."""
    conflicts: dict[tuple[str, str], list[tuple[str, str]]] = {pair: [] for pair in CONFLICTS}
    hierarchy: list[tuple[str, str]] = []
    for u, out in graph.adjacency():
        for v, keys in out.items():
            if len(keys) > 1:
                for first, second in CONFLICTS:
                    if first in keys and second in keys:
                        conflicts[(first, second)].append((u, v))
            if "broader" in keys or "narrower" in keys:
                for relation, data in keys.items():
                    if relation == "broader" and data.get("declared"):
                        hierarchy.append((u, v))
                    elif relation == "narrower" and data.get("declared"):
                        hierarchy.append((v, u))
    return EdgePairs(conflicts, hierarchy)


@dataclass(frozen=True)
class Context:
    result: GraphResult
    all_terms: Sequence[Term]  # every loaded term in file order, duplicates included
    config: "Config"
    memo: dict | None = None  # "did you mean" answers kept between builds (see remembered_suggest)

    @property
    def graph(self) -> nx.MultiDiGraph:
        return self.result.graph

    @cached_property
    def pairs(self) -> EdgePairs:
        return edge_pairs(self.graph)


def _at(term: Term, pointer: str) -> tuple[int, int]:
    loc = term.location(pointer)
    return loc.line, loc.column


def _ref_diag(code: str, ref: Reference, message: str, hint: str | None = None) -> Diagnostic:
    return make(code, ref.file, ref.line, ref.column, message, term=ref.source, pointer=ref.pointer, hint=hint)


def _field(ref: Reference) -> str:
    return RELATIONS[ref.relation].field


# --- ids and aliases ------------------------------------------------------------------------


def check_duplicate_ids(ctx: Context) -> Iterator[Diagnostic]:
    first: dict[str, Term] = {}
    for term in ctx.all_terms:
        owner = first.setdefault(term.id, term)
        if owner is not term:
            line, col = _at(term, "/canonical_id")
            yield make("id-duplicate", term.file, line, col,
                       f"`{term.id}` is defined in both {owner.file} and {term.file}",
                       term=term.id, pointer="/canonical_id",
                       hint=f"rename one of them; links to `{term.id}` reach {owner.file} and this file is not linked")
    for ident, module in ctx.result.modules.items():
        clash = ctx.result.terms.get(ident)
        if clash is not None:
            line, col = _at(clash, "/canonical_id")
            yield make("id-module-clash", clash.file, line, col,
                       f"`{ident}` is both this term and the module document {module.file}",
                       term=ident, pointer="/canonical_id", hint="links to it reach the term; rename one of them")


def check_id_filename(ctx: Context) -> Iterator[Diagnostic]:
    for term in ctx.result.terms.values():
        stem = PurePosixPath(term.file).stem
        if stem != term.id:
            line, col = _at(term, "/canonical_id")
            yield make("id-filename", term.file, line, col,
                       f"`canonical_id` is `{term.id}` but the file is named `{PurePosixPath(term.file).name}`",
                       term=term.id, pointer="/canonical_id",
                       hint=f"rename the file to `{term.id}{PurePosixPath(term.file).suffix}` or fix the id")


def _alias_pointer(term: Term, alias: str) -> str:
    raw = term.data.get("aliases")
    if isinstance(raw, list):
        for index, item in enumerate(raw):
            if isinstance(item, str) and item.strip() == alias:
                return f"/aliases/{index}"
    return "/canonical_id"  # a former id, kept as an alias by the loader


def check_alias_collisions(ctx: Context) -> Iterator[Diagnostic]:
    terms = ctx.result.terms
    owner: dict[str, str] = {}
    for ident, term in terms.items():
        for alias in dict.fromkeys(a.strip() for a in term.aliases):
            if alias == ident:
                continue
            other = None
            if alias in terms:
                other = f"the id of {terms[alias].file}"
            elif alias in owner and owner[alias] != ident:
                other = f"also an alias of `{owner[alias]}` ({terms[owner[alias]].file})"
            owner.setdefault(alias, ident)
            if other is None:
                continue
            pointer = _alias_pointer(term, alias)
            line, col = _at(term, pointer)
            yield make("alias-collision", term.file, line, col, f"alias `{alias}` is {other}",
                       term=ident, pointer=pointer,
                       hint="a link by this name is ambiguous; drop the alias or make it more specific")


# --- references ----------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "_", text.casefold().replace("'", "").replace("\u2019", "")).strip("_")


def _deletes(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def _allowed(query: str) -> int:
    return 1 if len(query) <= 4 else 2


def _digits_only(a: str, b: str) -> bool:
    """`DOMA-075` vs `DOMA-025`: numbered ids one digit apart are different things, not typos."""
    return a != b and re.sub(r"\d", "#", a) == re.sub(r"\d", "#", b)


Suggestion = tuple[str, str]  # (node id, the name that matched: id, alias or label)


def suggest(queries: Iterable[str], candidates: Iterable[tuple[str, str]]) -> dict[str, tuple[Suggestion, ...]]:
    """The closest candidates for each query: ``{query: ((id, matched name), ...)}``, ties kept, at most 3.

    ``candidates`` are (written name, node id) pairs: ids, aliases, labels. Exact matches
    after normalisation (case, punctuation) come first; then names within two edits,
    found through a deletion index over whichever side is smaller.
    """
    by_norm: dict[str, list[Suggestion]] = defaultdict(list)
    listed: set[tuple[str, str]] = set()
    for name, ident in candidates:
        key = _norm(name)
        if key and (key, ident) not in listed:
            listed.add((key, ident))
            by_norm[key].append((ident, name))
    wanted = {q: _norm(q) for q in dict.fromkeys(queries)}
    found: dict[str, tuple[Suggestion, ...]] = {}
    pending: dict[str, list[str]] = defaultdict(list)  # normalised query -> queries
    for query, key in wanted.items():
        if key in by_norm:
            found[query] = tuple(by_norm[key][:3])
        elif 0 < len(key) <= MAX_SUGGEST_LEN:
            pending[key].append(query)
    if not pending:
        return found
    cands = [c for c in by_norm if len(c) <= MAX_SUGGEST_LEN]
    query_small = len(pending) <= len(cands)
    small, large = (list(pending), cands) if query_small else (cands, list(pending))
    index: dict[str, list[str]] = defaultdict(list)
    for word in small:
        for d in _deletes(word):
            index[d].append(word)
    best: dict[str, tuple[int, list[str]]] = {}
    lengths = {len(w) for w in small}
    for word in large:
        if not any(abs(len(word) - n) <= 2 for n in lengths):
            continue
        for d in _deletes(word):
            for other in index.get(d, ()):
                query, cand = (other, word) if query_small else (word, other)
                dist = distance(query, cand, 2)
                if dist > _allowed(query) or _digits_only(query, cand):
                    continue
                known = best.get(query)
                if known is None or dist < known[0]:
                    best[query] = (dist, [cand])
                elif dist == known[0] and cand not in known[1]:
                    known[1].append(cand)
    for key, (_, close) in best.items():
        hits = tuple(dict.fromkeys(s for c in sorted(close) for s in by_norm[c]))[:3]
        for query in pending[key]:
            found[query] = hits
    # a known name with one short extra word (`TEMPORAL_PRESSURE_Γ`, `THE_LEDGER`): drop it and
    # look up. Only short words: `SURFACE_TENSION` is not a misspelt `TENSION`.
    for key in (k for k in pending if k not in best):
        words = key.split("_")
        for extra, shorter in ((words[-1], "_".join(words[:-1])), (words[0], "_".join(words[1:]))):
            if len(words) > 1 and len(extra) <= MAX_EXTRA_WORD and len(shorter) >= 6 and shorter in by_norm:
                for query in pending[key]:
                    found[query] = tuple(by_norm[shorter][:3])
                break
    return found


def remembered_suggest(queries: Iterable[str], candidates: Iterable[tuple[str, str]],
                       memo: dict | None) -> dict[str, tuple[Suggestion, ...]]:
    """:func:`suggest`, reusing the answers of the last build while the known names are the same.

    Why: finding names within two edits of every dangling link is the slowest integrity
    check of a large glossary, and an edit that adds or renames no term keeps
    every answer. Each query's answer depends only on the query and the candidates
    (never on the other queries), so answers are kept per query, under a digest of the
    candidates; a new candidate set starts afresh. Only this build's queries are kept.
    """
    if memo is None:
        return suggest(queries, candidates)
    names = list(candidates)
    key = hashlib.blake2b(repr(names).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    known: dict[str, tuple[Suggestion, ...]] = memo.get("answers", {}) if memo.get("names") == key else {}
    wanted = list(dict.fromkeys(queries))
    todo = [q for q in wanted if q not in known]
    fresh = suggest(todo, names) if todo else {}
    answers = {q: known[q] if q in known else fresh.get(q, ()) for q in wanted}
    memo.clear()
    memo.update(names=key, answers=answers)
    return {q: a for q, a in answers.items() if a}


def _did_you_mean(close: Sequence[Suggestion]) -> str:
    parts = [f"`{ident}`" + ("" if name == ident else f" ({name!r})") for ident, name in close]
    return "did you mean " + " or ".join(parts) + "?"


def _candidates(ctx: Context) -> Iterator[tuple[str, str]]:
    for ident, term in ctx.result.terms.items():
        yield ident, ident
        yield term.label, ident
        for alias in term.aliases:
            yield alias, ident
    for ident, module in ctx.result.modules.items():
        yield ident, ident
        for alias in module.aliases:
            yield alias, ident


def check_references(ctx: Context) -> Iterator[Diagnostic]:
    """Self-links, loose matches and dangling links (with "did you mean")."""
    refs = ctx.result.references
    missing = [r for r in refs if r.match == "missing"]
    hints = remembered_suggest((r.name for r in missing), _candidates(ctx), ctx.memo) if missing else {}
    for ref in refs:
        if ref.target == ref.source:
            how = "" if ref.match == "exact" else f" (`{ref.name}` matches its own alias or label)"
            yield _ref_diag("link-self", ref, f"`{ref.source}` names itself in `{_field(ref)}`{how}",
                            hint="remove the entry" + ("" if ref.match == "exact" else ", or the alias"))
        elif ref.match in ("loose", "prefix") and not RELATIONS[ref.relation].soft:
            node = ctx.graph.nodes[ref.target]
            yield _ref_diag("link-loose-match", ref,
                            f"`{ref.name}` in `{_field(ref)}` was matched to {node['kind']} `{ref.target}` only loosely",
                            hint=f"write the exact id `{ref.target}`")
        elif ref.match == "missing":
            close = [c for c in hints.get(ref.name, ()) if c[0] != ref.source]
            own = [name for ident, name in hints.get(ref.name, ()) if ident == ref.source]
            if close:
                hint = _did_you_mean(close)
            elif own:
                hint = (f"this is close to the term's own alias or name {own[0]!r}: remove the entry, "
                        "or define it as a term of its own")
            else:
                hint = "define the term, fix the name, or configure the folder of module documents"
            yield _ref_diag("link-dangling", ref, f"`{ref.name}` in `{_field(ref)}` is not a defined term or module",
                            hint=hint)


def check_modules_hint(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.config.module_dirs or ctx.result.modules:
        return
    looks = [r for r in ctx.result.references if r.match == "missing" and MODULE_ID.match(r.name)]
    if len(looks) < 3:
        return
    first = min(looks, key=lambda r: (r.file, r.line))
    examples = ", ".join(f"`{n}`" for n in list(dict.fromkeys(r.name for r in looks))[:3])
    files = len({r.file for r in looks})
    yield make(
        "modules-not-configured",
        first.file,
        first.line,
        first.column,
        f"{len(looks)} links in {files} file{'s' if files > 1 else ''} look like module ids ({examples}) "
        "but no module folder is configured",
        term=first.source,
        pointer=first.pointer,
        hint='set `modules = ["<folder>"]` in glossary.toml or pass `--modules DIR`',
    )


# --- relations -----------------------------------------------------------------------------


def _declared(graph: nx.MultiDiGraph, u: str, v: str, relation: str) -> bool:
    data = graph.get_edge_data(u, v, relation)
    return bool(data and data["declared"])


ONE_WAY_CHECKED = frozenset(name for name, relation in RELATIONS.items() if relation.one_way_check)


def check_one_way(ctx: Context) -> Iterator[Diagnostic]:
    graph = ctx.graph
    for ref in ctx.result.references:
        if ref.relation not in ONE_WAY_CHECKED or ref.target == ref.source:
            continue
        relation = RELATIONS[ref.relation]
        if graph.nodes[ref.target]["kind"] != "term" or _declared(graph, ref.target, ref.source, relation.name):
            continue
        other = ctx.result.terms[ref.target]
        yield _ref_diag(
            "link-one-way",
            ref,
            f"`{ref.source}` lists `{ref.target}` in `{relation.field}` but {other.file} does not list `{ref.source}`",
            hint=f"add `{ref.source}` to `{relation.field}` in {other.file}",
        )


CONFLICT_MESSAGES: Mapping[tuple[str, str], str] = {
    ("synonym", "antonym"): "`{u}` and `{v}` are both near-synonyms ({a}) and antonyms ({b})",
    ("broader", "narrower"): "`{u}` has `{v}` both as a parent ({a}) and as a child ({b})",
}


def _orientation(graph: nx.MultiDiGraph, u: str, v: str, first: str, second: str) -> tuple[str, str, dict, dict]:
    """The reading of a conflicting pair that its declarations support best (declared edges first)."""
    options = []
    for x, y in ((u, v), (v, u)):
        a, b = graph.get_edge_data(x, y, first), graph.get_edge_data(x, y, second)
        if a and b:
            declared = -(a["declared"] + b["declared"])
            options.append(((declared, a["file"], a["line"], x), x, y, a, b))
    _, x, y, a, b = min(options, key=lambda o: o[0])
    return x, y, a, b


def check_contradictions(ctx: Context) -> Iterator[Diagnostic]:
    graph = ctx.graph
    seen: set[tuple[frozenset[str], str]] = set()
    for first, second in CONFLICTS:
        for u, v in ctx.pairs.conflicts[(first, second)]:
            pair = (frozenset((u, v)), first)
            if pair in seen:
                continue
            seen.add(pair)
            x, y, a, b = _orientation(graph, u, v, first, second)
            where = a if a["declared"] or not b["declared"] else b
            owner = ctx.result.terms.get(x)
            message = CONFLICT_MESSAGES.get(
                (first, second), "`{u}` and `{v}` are both " + first + " ({a}) and " + second + " ({b})"
            )
            yield make(
                "link-contradiction",
                where["file"],
                where["line"],
                1,
                message.format(u=x, v=y, a=f"{a['file']}:{a['line']}", b=f"{b['file']}:{b['line']}"),
                term=owner.id if owner else None,
                hint="keep the one relation that is meant and remove the other",
            )


def _cycle_edge(ctx: Context, cycle: list[str]) -> dict:
    """A declared hierarchy edge between two neighbours of ``cycle``, to locate the finding.

    When only a tangle (not a simple cycle) was found, neighbours in the list may not
    be linked directly; then the first member's own ``parents`` line is used."""
    graph = ctx.graph
    for a, b in zip(cycle, cycle[1:] + cycle[:1]):
        edge = graph.get_edge_data(a, b, "broader") or graph.get_edge_data(b, a, "narrower")
        if edge:
            return edge
    term = ctx.result.terms.get(cycle[0])
    line = _at(term, "/parents")[0] if term is not None else 0
    return {"file": term.file if term is not None else "", "line": line}


def check_cycles(ctx: Context) -> Iterator[Diagnostic]:
    """Cycles of three or more in broader/narrower (two-term cycles are contradictions)."""
    import networkx as nx

    up = nx.DiGraph()  # child -> parent, from the declarations on either side
    up.add_edges_from(ctx.pairs.hierarchy)
    for component in nx.strongly_connected_components(up):
        if len(component) < 3:
            continue
        start = min(component)
        cycle = [u for u, _ in nx.find_cycle(up.subgraph(component), source=start)]
        if len(cycle) < 3 or len(set(cycle)) < len(cycle):
            cycle = sorted(component)
        pivot = cycle.index(min(cycle))
        cycle = cycle[pivot:] + cycle[:pivot]
        chain = " → ".join(f"`{m}`" for m in [*cycle, cycle[0]])
        edge = _cycle_edge(ctx, cycle)
        extra = f" ({len(component)} terms are in the tangle)" if len(component) > len(cycle) else ""
        yield make(
            "hierarchy-cycle",
            edge["file"],
            edge["line"],
            1,
            f"parents/children form a cycle of {len(cycle)}: {chain}{extra}",
            term=cycle[0],
            hint='each arrow reads "has parent"; remove one link to break the cycle',
        )


def check_orphans(ctx: Context) -> Iterator[Diagnostic]:
    graph = ctx.graph
    nodes, succ, pred = graph.nodes, graph.succ, graph.pred
    for ident, term in ctx.result.terms.items():
        if any(n != ident and nodes[n]["kind"] != "missing" for n in chain(succ[ident], pred[ident])):
            continue  # most terms: the first neighbour is defined
        neighbours = set(succ[ident]) | set(pred[ident])
        neighbours.discard(ident)
        line, col = _at(term, "/canonical_id")
        detail = (
            "; its only link names something undefined"
            if len(neighbours) == 1
            else f"; its {len(neighbours)} links all name undefined terms"
            if neighbours
            else ""
        )
        yield make(
            "term-orphan",
            term.file,
            line,
            col,
            f"`{ident}` has no link to or from any defined term or module{detail}",
            term=ident,
            pointer="/canonical_id",
            hint="add `parents` or `crosslinks` naming existing terms, or link to it from one",
        )


def check_weights(ctx: Context) -> Iterator[Diagnostic]:
    for ref in ctx.result.references:
        if ref.relation != "associated" or ref.weight is None:
            continue
        w = ref.weight
        number = isinstance(w, (int, float)) and not isinstance(w, bool)
        if number and 0 <= w <= 1:
            continue
        pointer = ref.pointer.rsplit("/", 1)[0] + "/1" if ref.pointer.endswith("/0") else ref.pointer
        term = ctx.result.terms[ref.source]
        line, col = _at(term, pointer)
        what = f"{w!r} is outside 0..1" if number else f"{w!r} is not a number"
        yield make(
            "association-weight",
            ref.file,
            line,
            col,
            f"association weight of `{ref.name}`: {what}",
            term=ref.source,
            pointer=pointer,
            hint="weights are strengths from 0 (unrelated) to 1 (inseparable); use `antonyms` for opposites",
        )


Check = Callable[[Context], Iterable[Diagnostic]]
CHECKS: tuple[tuple[str, Check], ...] = (
    ("duplicate-ids", check_duplicate_ids),
    ("id-filename", check_id_filename),
    ("alias-collisions", check_alias_collisions),
    ("references", check_references),
    ("modules-hint", check_modules_hint),
    ("one-way", check_one_way),
    ("contradictions", check_contradictions),
    ("cycles", check_cycles),
    ("orphans", check_orphans),
    ("weights", check_weights),
)


def run_checks(
    result: GraphResult, all_terms: Sequence[Term], config: "Config", memo: dict | None = None
) -> list[Diagnostic]:
    ctx = Context(result, all_terms, config, memo)
    out: list[Diagnostic] = []
    for _, check in CHECKS:
        out.extend(check(ctx))
    return out


def findings_by_code(diagnostics: Iterable[Diagnostic]) -> Mapping[str, int]:
    return dict(sorted(Counter(d.code for d in diagnostics).items()))


__all__ = ["run_checks", "CHECKS", "Context", "suggest", "remembered_suggest", "findings_by_code"]
