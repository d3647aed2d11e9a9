"""What each page shows: plain dictionaries handed to the templates.

Why in Python and not in the templates: grouping links by relation, matching
checks to the candidate they test, picking the "recently updated" terms and the
A–Z letters are decisions worth testing; the templates only lay them out.
Everything from a term file stays a plain value here; escaping is the template
engine's job (autoescape is on), and Markdown/MathML come back as ``Markup``
only from ``markdown.py`` / ``mathml.py``. The exceptions are the pieces every node
page shows (``relation_groups``, ``value_html``, ``badge``): made here for speed, each
passes every value through ``markupsafe`` (``escape`` or ``Markup.format``).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Callable, Iterable

from markupsafe import Markup, escape

from compiler.diagnostics import Diagnostic, sorted_diagnostics
from compiler.model import Term
from compiler.render.graphview import adjacent
from compiler.render.plan import Page, SitePlan

RELATIONS = [
    ("broader", "Broader (parents)"), ("narrower", "Narrower (children)"),
    ("synonym", "Near synonyms"), ("near_synonym", "Near synonyms"), ("antonym", "Antonyms"),
    ("prerequisite", "Prerequisites"), ("downstream", "Downstream effects"),
    ("downstream_effect", "Downstream effects"), ("claim", "Claim links"), ("claim_link", "Claim links"),
    ("source", "Provenance"), ("provenance", "Provenance"), ("context", "Context windows"),
    ("associated", "Associations"), ("association", "Associations"), ("mapping", "Formal targets"),
    ("formal_target", "Formal targets"), ("similar", "Related by text"),
]
RELATION_LABELS = dict(RELATIONS)
# A backlink reads the other way round: X -broader-> this means X is narrower than this.
BACKLINK_LABELS = {
    "broader": "Narrower (name this as a parent)", "narrower": "Broader (name this as a child)",
    "prerequisite": "Build on this (name it a prerequisite)", "downstream": "Lead to this (name it a downstream effect)",
    "downstream_effect": "Lead to this (name it a downstream effect)", "source": "Cite this as provenance",
    "provenance": "Cite this as provenance", "context": "Quote this in context windows",
    "claim": "Cite this in claims", "claim_link": "Cite this in claims", "mapping": "Map to this formally",
    "formal_target": "Map to this formally", "similar": "Related by text",
}
RELATION_ORDER = [r for r, _ in RELATIONS]
STATUSES = ["pass", "fail", "stale", "unchecked", "error"]

# Fields the term page lays out itself; any other top-level key goes to "Other fields".
KNOWN_FIELDS = frozenset(
    "term canonical_id symbol aliases status version last_updated provenance parents children triad "
    "pirouette_definition operational_definition context_windows poetic_connections formal_mappings "
    "constraints_and_falsifiers naming_notes crosslinks license".split()
)
_CANDIDATE = re.compile(r"^/formal_mappings/candidates/(\d+)(?:/|$)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def relation_label(rel: str) -> str:
    return RELATION_LABELS.get(rel, rel.replace("_", " ").capitalize() if rel else "Linked")


def _groups(pairs: Iterable[tuple[str, str, bool]], labels: Mapping[str, str] = RELATION_LABELS,
            anchor: Callable[[str], Markup] | None = None) -> list[dict[str, Any]]:
    """[(relation, other, declared)] grouped by relation in the fixed order; one entry per other id.

    With ``anchor``, each item carries its ``<a>`` as ``a``: made here once, so the template
    lays the lists out without a call per item."""
    groups: dict[str, dict[str, bool]] = {}
    for rel, other, declared in pairs:
        slot = groups.setdefault(rel, {})
        slot[other] = slot.get(other, False) or bool(declared)
    rank = {r: i for i, r in enumerate(RELATION_ORDER)}
    made: list[dict[str, Any]] = [
        {"relation": rel, "label": labels.get(rel) or relation_label(rel),
         "items": [{"id": o, "declared": d} for o, d in sorted(groups[rel].items())]}
        for rel in sorted(groups, key=lambda r: (rank.get(r, len(rank)), r))
    ]
    if anchor is not None:
        for group in made:
            for item in group["items"]:
                item["a"] = anchor(item["id"])
    return made


def edges_of(graph: Any, ident: str, anchor: Callable[[str], Markup] | None = None
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(links out, backlinks in), each grouped by relation (see ``_groups`` for ``anchor``)."""
    out, inn = adjacent(graph, ident)
    return (_groups(((d.get("relation", ""), v, d.get("declared", True)) for v, d in out), RELATION_LABELS, anchor),
            _groups(((d.get("relation", ""), u, d.get("declared", True)) for u, d in inn), BACKLINK_LABELS, anchor))


def _markup(value: Any) -> str:
    """``value`` as markup: a ``Markup`` (an anchor from the Linker) as it is, anything else through ``escape``."""
    return value if type(value) is Markup else escape(value)


_INFERRED = Markup(' <span class="inferred" title="inferred, not written in a file">inferred</span>')


def relation_groups(groups: list[dict[str, Any]], empty: str, level: int = 4) -> Markup:
    """A page's links or backlinks by relation (the ``relation_groups`` filter), each item's ``<a>`` made by ``_groups``.

    Why in Python and not a macro: every node page shows two of these lists (a wanted
    term's page is little else), and a macro's loop was a large share of such a page. Every
    value passes through ``markupsafe.escape`` (the anchors are ``Markup`` from the Linker); the level is an int."""
    if not groups:
        return Markup(f'<p class="empty">{escape(empty)}</p>')
    h = int(level)
    out = []
    for g in groups:
        items = g["items"]
        out.append(f'<section class="relation">\n<h{h} class="rel-title">{escape(g["label"])} '
                   f'<span class="count">({len(items)})</span></h{h}>\n<ul class="inline-list">\n')
        out.extend(f'<li>{_markup(item["a"])}{"" if item["declared"] else _INFERRED}</li>\n' for item in items)
        out.append("</ul>\n</section>\n")
    return Markup("".join(out))


def value_html(v: Any, field: Callable[[str], Markup]) -> Markup:
    """Any header value as markup: mappings become ``<dl>``, lists ``<ul>``, text goes through
    ``field`` (Markdown without ``_`` emphasis), other scalars are shown as written.

    Why in Python and not a macro: it calls itself for every nested value, and a macro
    calling itself costs a Jinja call each time (the term page's largest cost). Every key
    and scalar passes through ``markupsafe.escape``; ``field`` and the nested calls return
    ``Markup`` already."""
    if isinstance(v, Mapping):
        return Markup('<dl class="fields">' + "".join(
            f"<dt>{escape(k)}</dt><dd>{value_html(item, field)}</dd>" for k, item in sorted_items(v)) + "</dl>")
    if isinstance(v, str):
        shown = escape(field(v))
        return Markup(f'<div class="text">{shown}</div>') if "\n" in v.strip() else shown
    try:
        iter(v)
    except TypeError:
        return escape(show(v))
    if len(v) == 0:
        return Markup('<span class="empty">(none)</span>')
    return Markup('<ul class="values">' + "".join(f"<li>{value_html(item, field)}</li>" for item in v) + "</ul>")


def badge(status: Any) -> Markup:
    """A status badge (the templates' ``badge`` filter); its class is ``status-`` and the status in lower case."""
    shown = show(status)
    return Markup(f'<span class="badge status-{escape(shown.lower())}">{escape(shown)}</span>')


def check_json(check: Any) -> dict[str, Any]:
    """A check result as a dict; a malformed one becomes an 'error' entry rather than a crash."""
    try:
        data = check.to_json() if hasattr(check, "to_json") else dict(check)
    except Exception as exc:  # noqa: BLE001 - one bad record must not stop the site
        return {"status": "error", "message": f"check result unreadable: {exc}"}
    return dict(data) if isinstance(data, Mapping) else {"status": "error", "message": "check result unreadable"}


def term_checks(term: Term, checks: list[dict[str, Any]]) -> tuple[dict[int, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Checks of this term: by the candidate index they test, and the rest."""
    by_candidate: dict[int, list[dict[str, Any]]] = {}
    rest: list[dict[str, Any]] = []
    for c in checks:
        if c.get("term") != term.id or (c.get("file") not in (None, term.file)):
            continue
        m = _CANDIDATE.match(str(c.get("pointer") or ""))
        if m:
            by_candidate.setdefault(int(m.group(1)), []).append(c)
        else:
            rest.append(c)
    return by_candidate, rest


def status_of(data: Mapping[str, Any]) -> str:
    s = data.get("status")
    return s if isinstance(s, str) else ""


def sort_key(label: str) -> tuple[str, str]:
    base = unicodedata.normalize("NFKD", label)
    base = "".join(c for c in base if not unicodedata.combining(c))
    return (base.casefold().lstrip("\"'(`*_ "), label)


def letter_of(label: str) -> str:
    key = sort_key(label)[0]
    first = key[:1].upper()
    return first if "A" <= first <= "Z" else "#"


def index_context(plan: SitePlan, checks: list[dict[str, Any]], diagnostics: list[Diagnostic],
                  recent: int = 12) -> dict[str, Any]:
    """A–Z entries, letter jumps, counts, status filter values, recently updated terms."""
    terms = [p for p in plan.pages if p.kind == "term"]
    entries: list[dict[str, Any]] = []
    for p in sorted(terms, key=lambda p: (sort_key(p.label), p.key)):
        data = p.term.data if p.term else {}
        entries.append({"page": p, "letter": letter_of(p.label), "status": status_of(data),
                        "symbol": data.get("symbol") if isinstance(data.get("symbol"), str) else "",
                        "errors": bool(p.term and p.term.has_errors)})
    letters: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        letters.setdefault(e["letter"], []).append(e)
    order = sorted(letters, key=lambda letter: (letter == "#", letter))
    statuses: dict[str, int] = {}
    for e in entries:
        statuses[e["status"] or "none"] = statuses.get(e["status"] or "none", 0) + 1
    dated = [(str(p.term.data.get("last_updated")), p) for p in terms
             if p.term and _DATE.match(str(p.term.data.get("last_updated") or ""))]
    dated.sort(key=lambda x: (sort_key(x[1].label), x[1].key))
    dated.sort(key=lambda x: x[0], reverse=True)  # stable: newest first, A-Z within a day
    check_counts = {s: 0 for s in STATUSES}
    for c in checks:
        s = str(c.get("status"))
        check_counts[s] = check_counts.get(s, 0) + 1
    counts = {
        "terms": len(terms),
        "modules": sum(1 for p in plan.pages if p.kind == "module"),
        "missing": sum(1 for p in plan.pages if p.kind == "missing"),
        "checks": len(checks),
        "errors": sum(1 for d in diagnostics if d.severity.value == "error" and d.waived is None),
        "warnings": sum(1 for d in diagnostics if d.severity.value == "warning" and d.waived is None),
    }
    return {
        "letters": [(letter, letters[letter]) for letter in order],
        "all_letters": [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["#"],
        "statuses": sorted(statuses.items()),
        "recent": [{"date": d, "page": p} for d, p in dated[:recent]],
        "counts": counts,
        "check_counts": check_counts,
    }


def key_terms(plan: SitePlan, graph: Any, limit: int = 12) -> list[Page]:
    """The terms with the highest centrality (PageRank from the idea map), when it was computed."""
    if graph is None:
        return []
    nodes = graph.nodes
    ranked = [(float(nodes[p.ident]["centrality"]), p) for p in plan.pages
              if p.kind == "term" and p.ident in nodes and "centrality" in nodes[p.ident]]
    ranked.sort(key=lambda item: (-item[0], item[1].key))
    return [p for _, p in ranked[:limit]]


def wanted_context(plan: SitePlan, graph: Any) -> list[dict[str, Any]]:
    """Missing terms, most wanted first, with who links to them."""
    rows: list[dict[str, Any]] = []
    for p in plan.pages:
        if p.kind != "missing":
            continue
        referrers = sorted({other for other, _ in adjacent(graph, p.ident)[1]})  # who links here, once each
        rows.append({"page": p, "referrers": referrers})
    rows.sort(key=lambda r: (-len(r["referrers"]), sort_key(r["page"].label)))
    return rows


def problems_context(diagnostics: Iterable[Diagnostic], file_pages: Mapping[str, Page]) -> list[dict[str, Any]]:
    """Every diagnostic, grouped by file, sorted by line."""
    by_file: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_file.setdefault(d.file or "(no file)", []).append(d)
    return [
        {"file": f, "page": file_pages.get(f), "items": sorted_diagnostics(by_file[f]),
         "errors": sum(1 for d in by_file[f] if d.severity.value == "error")}
        for f in sorted(by_file)
    ]


def sorted_items(value: Any) -> list[tuple[Any, Any]]:
    """A mapping's items sorted by the text of their keys (keys of any type never raise)."""
    if not isinstance(value, Mapping):
        return []
    return sorted(value.items(), key=lambda kv: (str(kv[0]), type(kv[0]).__name__))


def extra_fields(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return sorted(((k, v) for k, v in data.items() if k not in KNOWN_FIELDS), key=lambda kv: str(kv[0]))


def show(value: Any) -> str:
    """A scalar as its author wrote it (YAML spellings for true/false/null)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def num(value: Any) -> str:
    """A computed number, to 6 significant digits (claims keep their spelling elsewhere)."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return show(value)


def measured(value: Any, uncertainty: Any = None) -> str:
    """``value ± uncertainty`` with as many digits as the uncertainty makes meaningful.

    ``137.035999 ± 2.1e-08`` must not print as ``137.036``: the digits kept run two
    places past the first digit of the uncertainty (6 to 17 significant digits).
    """
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return show(value) + (f" ± {num(uncertainty)}" if uncertainty is not None else "")
    digits = 6
    if isinstance(uncertainty, (int, float)) and not isinstance(uncertainty, bool) and uncertainty > 0 and value:
        try:
            digits = int(math.floor(math.log10(abs(value))) - math.floor(math.log10(uncertainty))) + 2
        except (ValueError, OverflowError):  # an infinite value or uncertainty
            digits = 6
        digits = min(17, max(6, digits))
    text = f"{value:.{digits}g}"
    if uncertainty is not None:
        text += f" ± {uncertainty:.3g}" if isinstance(uncertainty, float) else f" ± {show(uncertainty)}"
    return text


def as_list(value: Any) -> list[Any]:
    """A field that should be a list, tolerating a lone scalar or nothing."""
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


class FieldMap(dict[Any, Any]):
    """A header mapping as the templates read it: ``m['key']`` is None when the key is absent.

    The same answer as ``m.get('key')``, without a call: Jinja runs each call a template
    makes through ``Context.call``, and a term page asks its header for dozens of keys."""

    __slots__ = ()

    def __missing__(self, key: Any) -> None:
        return None


def fields(value: Any) -> FieldMap:
    """``value`` as a ``FieldMap`` (empty when it is not a mapping): the templates' ``fields`` filter."""
    return FieldMap(value) if isinstance(value, Mapping) else FieldMap()
