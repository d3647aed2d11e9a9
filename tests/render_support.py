"""Hand-built glossaries for the renderer tests (no loader, graph or checks needed).

``make_glossary`` builds the typed graph from the term headers with a few fixed
rules (parents -> broader, crosslinks -> synonym/antonym/..., provenance/context
-> source/context), enough to exercise every part of a page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import networkx as nx
import yaml

from compiler.model import Glossary, GraphData, Location, Term

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seeds" / "002_bb7a689cd30fbec5.txt"


class _TextLoader(yaml.SafeLoader):
    """Safe YAML where every scalar stays the text its author wrote (like the real loader)."""


def _str_scalar(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


for _tag in ("int", "float", "bool", "null", "timestamp"):
    _TextLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _str_scalar)


def parse_term_text(text: str, file: str) -> Term:
    """The last front-matter block of ``text`` plus its body, as a Term."""
    blocks = list(re.finditer(r"^---\n(.*?)^---\n", text, re.S | re.M))
    last = blocks[-1]
    data = yaml.load(last.group(1), Loader=_TextLoader)  # noqa: S506 - a SafeLoader subclass
    body = text[last.end():]
    body_line = text[: last.end()].count("\n") + 1
    ident = str(data.get("canonical_id") or Path(file).stem)
    return Term(id=ident, file=file, path=Path("/nowhere") / file, data=data, body=body, body_line=body_line,
                locations={"": Location(1, 1)}, header_lines=(1,))


def seed_term() -> Term:
    """The reference seed (``../shared/seeds``) as a Term; the test is skipped where the seed is absent."""
    if not SEED.is_file():
        import pytest

        pytest.skip("../shared/seeds is not present")
    return parse_term_text(SEED.read_text(encoding="utf-8"), "LEPTONIC_ANOMALY.md")


def term(ident: str, label: str | None = None, body: str = "", file: str | None = None, **data: Any) -> Term:
    d = {"term": label or ident.title(), "canonical_id": ident, **data}
    return Term(id=ident, file=file or f"{ident}.md", path=Path("/nowhere") / (file or f"{ident}.md"), data=d,
                body=body, body_line=3 if body else 0, locations={"": Location(1, 1)}, header_lines=(1,))


@dataclass(frozen=True)
class FakeModule:
    id: str
    title: str
    file: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FakeCheck:
    payload: dict

    def to_json(self) -> dict:
        return dict(self.payload)


_FIELDS = (
    ("parents", "broader"), ("children", "narrower"),
    ("crosslinks/near_synonyms", "synonym"), ("crosslinks/antonyms", "antonym"),
    ("crosslinks/prerequisites", "prerequisite"), ("crosslinks/downstream_effects", "downstream"),
)


def _at(data: Any, path: str) -> list[Any]:
    cur: Any = data
    for part in path.split("/"):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur if isinstance(cur, list) else []


def make_graph(terms: Iterable[Term], modules: Iterable[FakeModule] = ()) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for m in modules:
        g.add_node(m.id, kind="module", label=m.title, status=None, file=m.file, url=None)
    terms = list(terms)
    for t in terms:
        g.add_node(t.id, kind="term", label=t.label, status=t.data.get("status"), file=t.file, url=None)

    def edge(u: str, v: Any, rel: str) -> None:
        if not isinstance(v, str) or not v:
            return
        if v not in g:
            g.add_node(v, kind="missing", label=v, status=None, file=None, url=None)
        g.add_edge(u, v, relation=rel, declared=True, weight=None, file=f"{u}.md", line=1)

    for t in terms:
        for path, rel in _FIELDS:
            for v in _at(t.data, path):
                edge(t.id, v, rel)
        for s in _at(t.data, "provenance/sources"):
            edge(t.id, s.get("module") if isinstance(s, dict) else None, "source")
        for w in _at(t.data, "context_windows"):
            edge(t.id, w.get("module") if isinstance(w, dict) else None, "context")
        for row in _at(t.data, "poetic_connections/association_matrix"):
            edge(t.id, row[0] if isinstance(row, list) and row else None, "associated")
    return g


def make_glossary(terms: Iterable[Term], modules: Iterable[FakeModule] = (), checks: Iterable[Any] = (),
                  diagnostics: Iterable[Any] = (), root: Path | None = None, config: Any = None) -> Glossary:
    terms = tuple(terms)
    modules = tuple(modules)
    return Glossary(root=root or Path("/nowhere/terms"), config=config, terms=terms, modules=modules,
                    graph_data=GraphData.of(make_graph(terms, modules)), checks=tuple(checks), diagnostics=tuple(diagnostics),
                    files=len(terms))


def seed_glossary(**kw: Any) -> Glossary:
    seed = seed_term()
    pressuron = term("PRESSURON", "Pressuron (Γ)", status="candidate", parents=["DYNA-Γ-001"],
                     crosslinks={"near_synonyms": ["LEPTONIC_ANOMALY"]}, aliases=["Gamma boson"],
                     last_updated="2025-10-19", pirouette_definition="A 17 MeV pseudoscalar, $m_\\Gamma$.")
    modules = [FakeModule("DYNA-Γ-001", "The Pressuron's Identity", "modules/DYNA-Γ-001.md",
                          {"id": "DYNA-Γ-001", "title": "The Pressuron's Identity", "parents": ["CORE-006"]}),
               FakeModule("MATH-013", "A math module", "modules/MATH-013.md", {"id": "MATH-013"})]
    check = FakeCheck({
        "term": "LEPTONIC_ANOMALY", "file": "LEPTONIC_ANOMALY.md", "line": 74,
        "pointer": "/formal_mappings/candidates/0/equation_hint", "hint": "...", "hook": None,
        "status": "pass", "relation": "approx", "computed": 2.51e-09, "uncertainty": 5.9e-10,
        "claimed": 2.51e-09, "deviation": {"sigma": 0.0, "relative": 0.0}, "edition": "CODATA 2022",
        "message": "claim holds within the stated tolerance", "evidence": {"a_mu_exp": "116592059e-11"},
    })
    return make_glossary([seed, pressuron], modules, checks=kw.pop("checks", [check]), **kw)


# --- site inspection helpers ---------------------------------------------------------
from html.parser import HTMLParser  # noqa: E402
from urllib.parse import unquote, urlsplit  # noqa: E402


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        self.tags.append((tag, d))
        if d.get("id"):
            self.ids.add(d["id"] or "")
        for attr in ("href", "src"):
            if d.get(attr) is not None:
                self.links.append((tag, attr, d[attr] or ""))
        if tag == "meta" and (d.get("http-equiv") or "").lower() == "refresh":
            content = d.get("content") or ""
            if "url=" in content:
                self.links.append((tag, "refresh", content.split("url=", 1)[1]))


def parse_html(path: Path) -> _Collector:
    c = _Collector()
    c.feed(path.read_text(encoding="utf-8"))
    return c


def broken_links(site: Path) -> list[str]:
    """Every internal href/src/refresh in every page that names a missing file or anchor."""
    parsed = {p: parse_html(p) for p in sorted(site.rglob("*.html"))}
    problems = []
    for page, c in parsed.items():
        for tag, attr, value in c.links:
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                continue  # external (none expected, but not ours to check)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if site.resolve() not in (target, *target.parents):
                problems.append(f"{page.relative_to(site)}: {value} leaves the site")
                continue
            if not target.is_file():
                problems.append(f"{page.relative_to(site)}: {tag} {attr}={value} -> missing file")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse_html(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{page.relative_to(site)}: {value} -> missing anchor")
    return problems


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> content), for byte-for-byte comparisons."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


XSS = '<script>document.documentElement.dataset.pwned="1"</script>'
XSS_IMG = '<img src=x onerror="document.documentElement.dataset.pwned=1">'
XSS_LINK = 'javascript:document.documentElement.dataset.pwned=1'


def xss_term() -> Term:
    """A term with a script, HTML or javascript: payload in every field that reaches a page."""
    p = XSS + XSS_IMG
    md = f"[click]({XSS_LINK}) [d](data:text/html,<script>alert(1)</script>) {p} $\\text{{{XSS}}}$ $\\href{{{XSS_LINK}}}{{x}}$"
    data = {
        "term": "Evil " + p, "canonical_id": "EVIL", "symbol": "\\text{" + XSS + "}", "aliases": [p, XSS_LINK],
        "status": p, "version": p, "last_updated": p, "license": p, "parents": [p, XSS_LINK], "children": [p],
        "provenance": {"sources": [{"module": p, "lines": p, "snippet": md}], "editors": [p], "review_log": [p]},
        "triad": {"art": md, "law": md, "philosophy": md, p: p},
        "pirouette_definition": md + "\n\nsecond paragraph " + md,
        "operational_definition": {"units": p, "symbol_table": [{"name": "\\href{" + XSS_LINK + "}{x}", "meaning": md,
                                   "dimensions": p, "default_range": p}],
                                   "measurement": {"procedures": [{"name": p, "outline": md, "expected_signals": [p],
                                                                   "pitfalls": [md], p: p}]}},
        "context_windows": [{"module": p, "excerpt": md}],
        "poetic_connections": {"motifs": [p], "evocative_lines": [p], "association_matrix": [[p, p]]},
        "formal_mappings": {"candidates": [{"target": p, "domain": p, "mapping_kind": p, "confidence": p,
                                            "equation_hint": "\\text{" + XSS + "} + " + p, "justification": md,
                                            "references": [{"title": p, "where": XSS_LINK, "date": p}]}],
                            "adopted": [{"target": p, "rationale": md, "confidence": p}]},
        "constraints_and_falsifiers": {"claims": [{"statement": md, "domain": p, "falsifier": md, "status": p,
                                                   "links": [p]}]},
        "naming_notes": {"collisions": [p], "disambiguation": md},
        "crosslinks": {"near_synonyms": [p], "antonyms": [XSS_LINK]},
        p: {p: [p, md]},
    }
    return Term(id="EVIL", file="EVIL.md", path=Path("/nowhere/EVIL.md"), data=data, body=f"# {p}\n\n{md}\n\n<div>{p}</div>\n",
                body_line=40, locations={"": Location(1, 1)}, header_lines=(1,))
