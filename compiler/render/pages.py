"""What each page shows: plain dictionaries handed to the templates.

Why in Python and not in the templates: grouping links by relation, matching
checks to the candidate they test, picking the "recently updated" terms and the
A–Z letters are decisions worth testing; the templates only lay them out.
Everything from a term file stays a plain value here; escaping is the template
engine's job (autoescape is on), and Markdown/MathML come back as ``Markup``
only from ``markdown.py`` / ``mathml.py``.
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
from compiler.render.markdown import formula_html
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


def _text(value: Any) -> str:
    """``str(markupsafe.escape(value))`` without making a ``Markup`` (a third of the time).

    For the helpers below, which build their markup as text: the same five
    replacements in the same order as markupsafe, and ``__html__`` trusted the same way."""
    if type(value) is not str:
        if hasattr(value, "__html__"):
            return value.__html__()
        value = str(value)
    return value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")


def relation_label(rel: str) -> str:
    return RELATION_LABELS.get(rel, rel.replace("_", " ").capitalize() if rel else "Linked")


def _groups(pairs: Iterable[tuple[str, str, bool]], labels: Mapping[str, str] = RELATION_LABELS) -> list[dict[str, Any]]:
    """[(relation, other, declared)] grouped by relation in the fixed order; one entry per other id."""
    groups: dict[str, dict[str, bool]] = {}
    for rel, other, declared in pairs:
        slot = groups.setdefault(rel, {})
        slot[other] = slot.get(other, False) or bool(declared)
    rank = {r: i for i, r in enumerate(RELATION_ORDER)}
    return [
        {"relation": rel, "label": labels.get(rel) or relation_label(rel),
         "items": [{"id": o, "declared": d} for o, d in sorted(groups[rel].items())]}
        for rel in sorted(groups, key=lambda r: (rank.get(r, len(rank)), r))
    ]


def edges_of(graph: Any, ident: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(links out, backlinks in), each grouped by relation."""
    out, inn = adjacent(graph, ident)
    return (_groups((d.get("relation", ""), v, d.get("declared", True)) for v, d in out),
            _groups(((d.get("relation", ""), u, d.get("declared", True)) for u, d in inn), BACKLINK_LABELS))


_INFERRED = ' <span class="inferred" title="inferred, not written in a file">inferred</span>'


def relation_groups(groups: list[dict[str, Any]], link: Any, empty: str, level: int = 4) -> Markup:
    """A page's links or backlinks by relation: the ``relation_groups`` macro's markup, made here.

    Why in Python: every node page shows two of these lists (a missing term's page is
    little else), and the macro cost ~12% of rendering a term page in Jinja calls.
    The markup is byte for byte what the macro made (checked on generated sites)."""
    if not groups:
        return Markup(f'<p class="empty">{_text(empty)}</p>')
    h = _text(level)
    out = []
    for g in groups:
        items = g["items"]
        out.append(f'<section class="relation">\n<h{h} class="rel-title">{_text(g["label"])} '
                   f'<span class="count">({len(items)})</span></h{h}>\n<ul class="inline-list">\n')
        for item in items:
            ident = item["id"]
            out.append(f'<li>{link.a(ident, link.label(ident))}{"" if item["declared"] else _INFERRED}</li>\n')
        out.append("</ul>\n</section>\n")
    return Markup("".join(out))


def value_html(v: Any, field: Callable[[str], Markup]) -> Markup:
    """Any header value as markup: the ``value`` macro's, made here (same bytes).

    Mappings become ``<dl>``, lists ``<ul>``, text goes through ``field`` (Markdown
    without ``_`` emphasis), other scalars are shown as written. Why in Python: the
    macro calls itself for every nested value, and Jinja's call machinery was ~14%
    of rendering a term page."""
    if isinstance(v, Mapping):
        return Markup('<dl class="fields">' + "".join(
            f"<dt>{_text(k)}</dt><dd>{value_html(item, field)}</dd>" for k, item in sorted_items(v)) + "</dl>")
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


def ids_html(items: Any, link: Any, field: Callable[[str], Markup]) -> Markup:
    """A list of ids as links (other values as ``value_html``): the ``ids`` macro's markup, made here."""
    items = as_list(items)
    if not items:
        return Markup('<span class="empty">(none)</span>')
    return Markup('<ul class="inline-list">' + "".join(
        f"<li>{link.a(i) if isinstance(i, str) else value_html(i, field)}</li>" for i in items) + "</ul>")


def badge_html(status: Any) -> Markup:
    """A status badge: the ``badge`` macro's markup, made here (``status|show|lower`` in the class)."""
    shown = show(status)
    return Markup(f'<span class="badge status-{_text(shown.lower())}">{_text(shown)}</span>')


def check_card_html(c: Mapping[str, Any], field: Callable[[str], Markup]) -> Markup:
    """One check's result and evidence: the ``check_card`` macro's markup, made here (same bytes).

    Why in Python: most term pages show a card per checked candidate, and the macro
    made ~17 template calls for each."""
    get = c.get
    status = show(get("status"))
    out = [f'<div class="check status-{_text(status.lower())}">\n<p>{badge_html(get("status"))}']
    if get("relation"):
        out.append(f' <span class="relation-kind">{_text(formula_html(get("relation")))}</span>')
    if get("hook"):
        out.append(f' <span class="hook">hook <code>{_text(show(get("hook")))}</code></span>')
    out.append('</p>\n<dl class="evidence">\n')
    if get("claimed") is not None:
        out.append(f"<dt>Claimed</dt><dd>{_text(show(get('claimed')))}</dd>")
    if get("computed") is not None:
        out.append(f"<dt>Computed</dt><dd>{_text(measured(get('computed'), get('uncertainty')))}</dd>")
    dev = as_map(get("deviation"))
    if dev:
        sigma, relative = dev.get("sigma"), dev.get("relative")
        shown = [f"{_text(num(sigma))} σ"] if sigma is not None else []
        if relative is not None:
            shown.append(f"relative {_text(num(relative))}")
        out.append(f"<dt>Deviation</dt><dd>{', '.join(shown)}</dd>")
    for key, title in (("edition", "Dataset edition"), ("message", "Message")):
        if get(key):
            out.append(f"<dt>{title}</dt><dd>{_text(show(get(key)))}</dd>")
    if get("line"):
        pointer = f" <code>{_text(show(get('pointer')))}</code>" if get("pointer") else ""
        out.append(f"<dt>Where</dt><dd><code>{_text(show(get('file')))}:{_text(show(get('line')))}</code>{pointer}</dd>")
    out.append("</dl>\n")
    if get("evidence"):
        out.append(f'<details class="evidence-details"><summary>Evidence</summary>{value_html(get("evidence"), field)}</details>')
    out.append("</div>")
    return Markup("".join(out))


def check_rows_html(checks: Iterable[Mapping[str, Any]], link: Any) -> Markup:
    """The checks page's table rows: the template's markup, made here (same bytes).

    Why in Python: a row took ~30 us of template calls, and a glossary checks most of
    its terms' formal candidates (730 rows at 1k terms)."""
    out = []
    for c in checks:
        get = c.get
        term, relation, dev = get("term"), get("relation"), as_map(get("deviation"))
        url = link.url(term)
        head = f'<a href="{_text(url)}#formal">{_text(link.label(term))}</a>' if url else _text(show(term))
        hint = (_text(formula_html(relation)) if relation else
                _text(formula_html(get("hint"))) if isinstance(get("hint"), str) else "")
        message = (f'<details class="message"><summary>Message</summary>{_text(show(get("message")))}</details>'
                   if get("message") else "")
        claimed = _text(show(get("claimed"))) if get("claimed") is not None else ""
        computed = _text(measured(get("computed"), get("uncertainty"))) if get("computed") is not None else ""
        sigma, relative = dev.get("sigma"), dev.get("relative")
        deviation = ((f"{_text(num(sigma))} σ" if sigma is not None else "")
                     + (f" (rel. {_text(num(relative))})" if relative is not None else ""))
        edition = _text(show(get("edition"))) if get("edition") is not None else ""
        out.append(f'<tr data-status="{_text(show(get("status")).lower())}"><th scope="row">{head}</th>\n'
                   f'<td>{badge_html(get("status"))}</td>\n<td class="hint-cell">{hint}{message}</td>\n'
                   f"<td>{claimed}</td>\n<td>{computed}</td>\n<td>{deviation}</td>\n<td>{edition}</td>\n</tr>\n")
    return Markup("".join(out))


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
    entries = []
    for p in sorted(terms, key=lambda p: (sort_key(p.label), p.key)):
        data = p.term.data if p.term else {}
        entries.append({"page": p, "letter": letter_of(p.label), "status": status_of(data),
                        "symbol": data.get("symbol") if isinstance(data.get("symbol"), str) else "",
                        "errors": bool(p.term and p.term.has_errors)})
    letters: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        letters.setdefault(e["letter"], []).append(e)
    order = sorted(letters, key=lambda l: (l == "#", l))
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
        "letters": [(l, letters[l]) for l in order],
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
    rows = []
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


def named_links_html(idents: Iterable[str], link: Any) -> Markup:
    """``a, b, c``: each id as a link labelled with its page's label (the wanted page's referrers)."""
    return Markup(", ".join(link.a(i, link.label(i)) for i in idents))


def problem_rows_html(items: Iterable[Diagnostic]) -> Markup:
    """The problems page's list items for one file's diagnostics (a ``<li>`` and a line break each).

    Why in Python: a glossary has several diagnostics per file (6,000 at 1k terms), and
    each row cost the template ~15 lookups and escapes. Every value is escaped as
    ``{{ }}`` does (``escape``), so the bytes are the template's."""
    out = []
    for p in items:
        sev = _text(p.severity.value)
        row = [f'<li class="sev-row-{sev}" data-status="{sev}"><span class="sev sev-{sev}">{sev}</span> '
               f'<span class="loc">line {_text(p.line)}']
        if p.column:
            row.append(f", column {_text(p.column)}")
        row.append(f"</span> <code>{_text(p.code)}</code> {_text(p.message)}")
        if p.pointer:
            row.append(f' <code class="pointer">{_text(p.pointer)}</code>')
        if p.hint:
            row.append(f'<br><span class="hint">Hint: {_text(p.hint)}</span>')
        if p.waived:
            row.append(f'<br><span class="waived">Waived: {_text(p.waived)}</span>')
        row.append("</li>\n")
        out.append("".join(row))
    return Markup("".join(out))


def file_problems_html(items: Iterable[Diagnostic]) -> Markup:
    """A term page's "Problems in this file" items (a generated term file has about six)."""
    out = []
    for p in items:
        sev = _text(p.severity.value)
        out.append(f'<li><span class="sev sev-{sev}">{sev}</span> line {_text(p.line)}: '
                   f"<code>{_text(p.code)}</code> {_text(p.message)}</li>")
    return Markup("".join(out))


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
