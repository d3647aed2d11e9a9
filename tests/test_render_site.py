"""The built site, read as files: every field shown, links whole, nothing unsafe, stable bytes."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from compiler.codes import make
from compiler.incremental.render import render_site_fast
from compiler.render import render_site
from tests.render_support import (
    FakeCheck,
    broken_links,
    make_glossary,
    parse_html,
    seed_glossary,
    term,
    tree_bytes,
    xss_term,
)

CSP = "default-src 'none'; script-src 'self'"


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "site"
    stats, diags = render_site(seed_glossary(), out)
    assert diags == []
    assert stats.terms == 2 and stats.modules == 2 and stats.missing > 0
    return out


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


SECTIONS = ["triad", "definition", "operational", "context", "poetic", "formal", "claims", "naming",
            "provenance", "links", "body"]


def test_seed_page_shows_every_section(seed_site: Path) -> None:
    html = read(seed_site, "terms/LEPTONIC_ANOMALY.html")
    ids = parse_html(seed_site / "terms/LEPTONIC_ANOMALY.html").ids
    assert set(SECTIONS) <= ids
    for text in ["Leptonic Anomaly", "(g-2) anomaly", "anomalous magnetic moment deviation", "Dimensionless",
                 "Lepton g-2 Precision Measurement", "Systematic errors in magnetic field calibration",
                 "We sought a particle and found a pulse of time.", "Phys. Rev. Lett. 126, 141801",
                 "FASER 2", "Chiral anomaly", "llm-autocompiler", "lines 10-13", "EFT-First Summary",
                 "CC-BY-SA-4.0", "2025-10-18", "Place in the hierarchy", "Backlinks"]:
        assert text in html, text


def test_seed_page_renders_symbol_and_hint_as_mathml(seed_site: Path) -> None:
    html = read(seed_site, "terms/LEPTONIC_ANOMALY.html")
    h1 = html[html.index("<h1"):html.index("</h1>")]
    assert "<math" in h1 and "<mi>ℓ</mi>" in h1
    eq = html[html.index('class="equation"'):]
    assert eq.index("<math") < eq.index("</div>")
    assert "<mn>251</mn>" in eq


def test_seed_page_shows_the_check_with_its_evidence(seed_site: Path) -> None:
    html = read(seed_site, "terms/LEPTONIC_ANOMALY.html")
    card = html[html.index('<div class="check status-pass">'):]
    card = card[:card.index("</div>")]
    for text in ['badge status-pass">pass<', "Claimed", "2.51e-09", "Computed", "± 5.9e-10", "Deviation",
                 "CODATA 2022", "a_mu_exp"]:
        assert text in card, text
    checks = read(seed_site, "checks.html")
    assert 'id="checks-pass"' in checks and "Leptonic Anomaly" in checks


def test_links_out_and_backlinks_are_grouped_by_relation(seed_site: Path) -> None:
    html = read(seed_site, "terms/LEPTONIC_ANOMALY.html")
    links = html[html.index('id="h-out"'):html.index('id="h-in"')]
    back = html[html.index('id="h-in"'):html.index("</section>\n</div>", html.index('id="h-in"'))]
    assert "Broader (parents)" in links and "Antonyms" in links and "Prerequisites" in links
    assert "../missing/LEPTON.html" in links and "../modules/DYNA-%CE%93-001.html" in links
    assert "Near synonyms" in back and "../terms/PRESSURON.html" in back
    assert '<svg class="local-graph"' in html


def test_alias_pages_redirect_without_script(seed_site: Path) -> None:
    html = read(seed_site, "terms/g-2-anomaly.html")
    assert 'http-equiv="refresh" content="0; url=../terms/LEPTONIC_ANOMALY.html"' in html
    assert '<a href="../terms/LEPTONIC_ANOMALY.html">' in html and "<script" not in html


def test_module_missing_and_wanted_pages(seed_site: Path) -> None:
    module = read(seed_site, "modules/DYNA-Γ-001.html")
    assert "The Pressuron&#39;s Identity" in module and "../terms/LEPTONIC_ANOMALY.html" in module
    missing = read(seed_site, "missing/LEPTON.html")
    assert "No term file defines" in missing and "../terms/LEPTONIC_ANOMALY.html" in missing
    wanted = read(seed_site, "wanted.html")
    assert "missing/LEPTON.html" in wanted and "missing/TEMPORAL_PRESSURE.html" in wanted


def test_index_has_letters_counts_filters_and_recent(seed_site: Path) -> None:
    html = read(seed_site, "index.html")
    assert 'href="#letter-L"' in html and 'href="#letter-P"' in html and 'id="letter-L"' in html
    assert "2 terms" in html and "2 modules" in html
    assert 'data-filter-target="term-list"' in html and 'value="candidate"' in html
    recent = html[html.index('id="h-recent"'):]
    assert recent.index("Pressuron") < recent.index("Leptonic Anomaly")  # 2025-10-19 before 2025-10-18


def test_graph_json_carries_urls_relative_to_out(seed_site: Path) -> None:
    data = json.loads(read(seed_site, "graph.json"))
    urls = {n["id"]: n["url"] for n in data["nodes"]}
    assert urls["LEPTONIC_ANOMALY"] == "terms/LEPTONIC_ANOMALY.html"
    assert urls["DYNA-Γ-001"] == "modules/DYNA-Γ-001.html"
    assert all((seed_site / u).is_file() for u in urls.values())
    script = read(seed_site, "graph-data.js")
    assert script.startswith("window.GLOSSARY_GRAPH = {")


def test_search_index_as_json_and_as_script(seed_site: Path) -> None:
    entries = json.loads(read(seed_site, "search-index.json"))
    script = read(seed_site, "search-index.js")
    prefix = "window.GLOSSARY_SEARCH = "
    assert script.startswith(prefix)
    assert json.loads(script[len(prefix):].rstrip().rstrip(";")) == entries
    seed = next(e for e in entries if e["id"] == "LEPTONIC_ANOMALY")
    assert "(g-2) anomaly" in seed["aliases"] and seed["url"] == "terms/LEPTONIC_ANOMALY.html"


def test_sitemap_and_404(seed_site: Path) -> None:
    sitemap = read(seed_site, "sitemap.xml")
    assert "<loc>terms/LEPTONIC_ANOMALY.html</loc>" in sitemap and "<loc>index.html</loc>" in sitemap
    assert "Page not found" in read(seed_site, "404.html")


def test_no_broken_internal_link(seed_site: Path) -> None:
    assert broken_links(seed_site) == []


def _unsafe_markup(site: Path) -> list[str]:
    bad = []
    for page in sorted(site.rglob("*.html")):
        c = parse_html(page)
        text = page.read_text(encoding="utf-8")
        if CSP not in text:
            bad.append(f"{page}: no CSP")
        for tag, attrs in c.tags:
            if tag == "script" and not (attrs.get("src") or "").split("?")[0].endswith(".js"):
                bad.append(f"{page}: inline script")
            for name, value in attrs.items():
                if name.startswith("on") or name == "style" or name == "srcdoc":
                    bad.append(f"{page}: {tag} {name}")
                scheme = re.match(r"\s*(javascript|data|vbscript):", value or "", re.I)
                if name in ("href", "src", "action", "formaction") and scheme:
                    bad.append(f"{page}: {tag} {name}={value}")
            if tag in ("iframe", "object", "embed", "img", "form", "base"):
                bad.append(f"{page}: {tag}")
    return bad


def test_every_page_has_the_csp_and_no_inline_script(seed_site: Path) -> None:
    redirects = {p for p in seed_site.rglob("*.html") if 'http-equiv="refresh"' in p.read_text(encoding="utf-8")}
    assert redirects
    problems = [
        b for b in _unsafe_markup(seed_site) if not (b.endswith("no CSP") and Path(b.split(":")[0]) in redirects)
    ]
    assert problems == []
    for page in redirects:
        assert "default-src 'none'" in page.read_text(encoding="utf-8")


def test_hostile_term_is_escaped_everywhere(tmp_path: Path) -> None:
    evil = xss_term()
    payload = "<script>document"
    check = FakeCheck(
        {
            "term": "EVIL",
            "pointer": "/formal_mappings/candidates/0/equation_hint",
            "status": payload,
            "message": payload,
            "claimed": payload,
            "computed": payload,
            "evidence": {payload: payload},
            "deviation": {"sigma": payload, "relative": payload},
            "edition": payload,
        }
    )
    diag = make("schema-type", "EVIL.md", 3, 1, payload + " message", hint=payload)
    out = tmp_path / "site"
    stats, diags = render_site(make_glossary([evil, seed_glossary().terms[0]], checks=[check], diagnostics=[diag]), out)
    assert not [d for d in diags if d.code == "page-failed"]
    assert _unsafe_markup(out) == [] or all("no CSP" in b for b in _unsafe_markup(out))
    for page in sorted(out.rglob("*")):
        if page.is_file() and page.suffix in (".html", ".js", ".xml"):  # .json is data, never parsed as HTML
            text = page.read_text(encoding="utf-8")
            assert "<script>document" not in text, page
            assert "<img src=x" not in text, page
    assert "&lt;script&gt;document" in read(out, "terms/EVIL.html")
    assert "&lt;script&gt;document" in read(out, "problems.html")
    assert broken_links(out) == []


def test_values_are_shown_as_written(tmp_path: Path) -> None:
    t = term(
        "VER",
        "Versioned",
        version="0.10",
        status="draft",
        last_updated="2025-01-02",
        formal_mappings={"candidates": [{"target": "T", "confidence": 1e-05, "equation_hint": "x₀ ∝ √t"}]},
        extra_field={"nested": [True, None, 3]},
    )
    render_site(make_glossary([t]), tmp_path / "s")
    html = read(tmp_path / "s", "terms/VER.html")
    assert '<dd class="version">0.10</dd>' in html
    assert "x₀ ∝ √t" in html and "1e-05" in html
    assert "Other fields" in html and "extra_field" in html and "true" in html and "null" in html


def test_identical_input_gives_identical_bytes(tmp_path: Path) -> None:
    render_site(seed_glossary(), tmp_path / "a")
    render_site_fast(seed_glossary(), tmp_path / "b", jobs=4)
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_hostile_ids_get_pages_inside_out(tmp_path: Path) -> None:
    ids = ["../../escape", "CON", "index", "a\\b", "C:x", "．．", "Action", "ACTION"]
    terms = [term(i, f"Label {n}", file=f"f{n}.md") for n, i in enumerate(ids)]
    out = tmp_path / "site"
    stats, diags = render_site(make_glossary(terms), out)
    assert stats.terms == len(ids)
    pages = sorted(p.relative_to(out).as_posix() for p in (out / "terms").glob("*.html"))
    assert len(pages) == len(ids)
    assert all(p.startswith("terms/") and ".." not in p for p in pages)
    assert not (tmp_path / "escape.html").exists()
    codes = sorted(d.code for d in diags)
    assert "slug-reserved" in codes and "slug-collision" in codes
    assert broken_links(out) == []


def test_repeated_id_gets_two_pages(tmp_path: Path) -> None:
    a = term("DUP", "First", file="a.md")
    b = term("DUP", "Second", file="b.md")
    stats, _ = render_site(make_glossary([a, b]), tmp_path / "s")
    assert stats.terms == 2
    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "s" / "terms").glob("*.html")]
    assert any("First" in t for t in texts) and any("Second" in t for t in texts)


def test_problems_page_groups_by_code_errors_first_and_counts_term_files(tmp_path: Path) -> None:
    diags = [
        make("yaml-syntax", "b.md", 7, 3, "bad colon", hint="quote it"),
        make("schema-type", "a.md", 2, 1, "wrong type"),
        make("yaml-syntax", "a.md", 9, 1, "bad <b>"),
        make("term-orphan", "a.md", 1, 1, "alone"),
        make("term-orphan", "b.md", 1, 1, "alone too"),
        make("module-duplicate", "modules/M.md", 1, 1, "twice"),
        replace(make("check-stale", "b.md", 4, 1, "stale but accepted"), waived="old data on purpose"),
    ]
    render_site(make_glossary([term("A", file="a.md"), term("B", file="b.md")], diagnostics=diags), tmp_path / "s")
    html = read(tmp_path / "s", "problems.html")
    main = html.split("<main")[1].split("</main>")[0]
    keys = re.findall(r'data-key="([^"]+)"', main)
    assert keys == [
        "error:yaml-syntax",
        "error:schema-type",
        "warning:term-orphan",
        "warning:module-duplicate",
        "waived:check-stale",
    ]  # errors first, then by size; waived last, never a warning
    assert "3 errors, 3 warnings, 0 notes and 1 waived, in 2 of 2 term files and 1 module document" in main
    yaml = main[main.index('data-key="error:yaml-syntax"') : main.index('data-key="error:schema-type"')]
    assert yaml.index("a.md</a>:9") < yaml.index("b.md</a>:7:3") and "Hint: quote it" in yaml
    assert "bad &lt;b&gt;" in yaml and "<b>" not in yaml
    assert '<span class="sev sev-waived">waived</span>' in main and "Waived: old data on purpose" in main
    assert "../" not in main  # top-level page: links from the root


def test_long_problem_groups_show_their_first_rows_and_the_data_file_holds_all(tmp_path: Path) -> None:
    from compiler.render.reports import ROWS_SHOWN

    many = [make("term-orphan", f"t{i:03}.md", 1, 1, f"finding {i}") for i in range(ROWS_SHOWN + 7)]
    render_site(make_glossary([term("A")], diagnostics=many), tmp_path / "s")
    html = read(tmp_path / "s", "problems.html")
    assert html.count("finding ") == ROWS_SHOWN and "and 7 more" in html and f"Show all {ROWS_SHOWN + 7}" in html
    script = read(tmp_path / "s", "problems-data.js")
    data = json.loads(script[script.index("=") + 1 :].strip().rstrip(";"))
    assert data["groups"] == [["warning", "term-orphan"]] and len(data["rows"]) == ROWS_SHOWN + 7
    assert [data["files"][r[1]][0] for r in data["rows"]] == sorted(d.file for d in many)


def test_no_graph_and_no_config_still_builds(tmp_path: Path) -> None:
    g = make_glossary([term("A", body="Hello $x$")])
    g = type(g)(g.root, None, g.terms, (), None, (), (), 1)
    stats, diags = render_site(g, tmp_path / "s")
    assert diags == [] and (tmp_path / "s" / "terms" / "A.html").is_file()


def test_config_title_and_edit_link(tmp_path: Path) -> None:
    config = {"title": "Physics <Glossary>", "site": {"edit_url": "https://example.org/edit/main/terms/{file}"}}
    render_site(make_glossary([term("A")], config=config), tmp_path / "s")
    html = read(tmp_path / "s", "terms/A.html")
    assert "Physics &lt;Glossary&gt;" in html
    assert 'href="https://example.org/edit/main/terms/A.md"' in html
    bad = {"title": "T", "site": {"edit_url": "javascript:alert(1)//"}}
    render_site(make_glossary([term("A")], config=bad), tmp_path / "t")
    assert "javascript:" not in read(tmp_path / "t", "terms/A.html")


def test_refused_output_is_a_diagnostic(tmp_path: Path) -> None:
    terms_dir = tmp_path / "terms"
    terms_dir.mkdir()
    stats, diags = render_site(make_glossary([term("A")], root=terms_dir), terms_dir)
    assert [d.code for d in diags] == ["output-refused"] and stats.files == 0
    stats, diags = render_site(make_glossary([term("A")], root=terms_dir), tmp_path)
    assert [d.code for d in diags] == ["output-refused"]


def test_body_links_point_at_pages_or_become_text(tmp_path: Path) -> None:
    body = (
        "[a](./sub/../B.md) [b](term:B) [c](B) [d](#B) [e](link) [f](<#>) [g](./nowhere.md) "
        "[[Term B]] [[Nobody]] ![pic](pic.png) [x](https://example.org/) [t](temporal%20b)\n"
    )
    a = term("A", "Term A", body=body)
    b = term("B", "Term B", file="B.md", aliases=["temporal b"])
    render_site(make_glossary([a, b]), tmp_path / "s")
    html = read(tmp_path / "s", "terms/A.html")
    body_html = html[html.index('id="body"') :]
    assert body_html.count('href="../terms/B.html"') == 6  # a b c d [[Term B]] t
    assert '<a href="https://example.org/">x</a>' in body_html
    for text in ("e", "f", "g", "Nobody"):
        assert (
            f'title="link target not in the glossary">{text}</span>' in body_html
            or f'title="no page for this name">{text}</span>' in body_html
        ), text
    assert "<img" not in body_html and "[pic]" in body_html
    assert broken_links(tmp_path / "s") == []


def _break(monkeypatch: pytest.MonkeyPatch, method: str, attribute: str, value: str) -> None:
    """Make ``SiteRenderer.<method>`` raise for the one object whose ``attribute`` is ``value``."""
    from compiler.render import site as site_module

    real = getattr(site_module.SiteRenderer, method)

    def broken(self: object, item: object) -> str:
        if getattr(item, attribute, "") == value:
            raise RuntimeError("simulated bug")
        return real(self, item)

    monkeypatch.setattr(site_module.SiteRenderer, method, broken)


def test_a_page_that_fails_becomes_a_stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _break(monkeypatch, "node_page", "ident", "B")
    stats, diags = render_site(make_glossary([term("A", crosslinks={"antonyms": ["B"]}), term("B")]), tmp_path / "s")
    assert [d.code for d in diags] == ["page-failed"] and "simulated bug" in diags[0].message
    assert "could not be rendered" in read(tmp_path / "s", "terms/B.html")
    assert broken_links(tmp_path / "s") == []


def test_odd_keys_and_shapes_do_not_break_a_page(tmp_path: Path) -> None:
    t = term(
        "ODD",
        triad="just text",
        operational_definition=["a", "b"],
        formal_mappings={"candidates": "x"},
        provenance=[{"module": "M"}, 3],
        poetic_connections={"association_matrix": [["A"], "B", None]},
        constraints_and_falsifiers={"claims": [None, "text"]},
        naming_notes=["n"],
        context_windows="w",
        crosslinks="c",
        weird={1: "one", "1": "uno", None: "nothing"},
    )
    stats, diags = render_site(make_glossary([t]), tmp_path / "s")
    assert diags == []
    html = read(tmp_path / "s", "terms/ODD.html")
    assert "just text" in html and "uno" in html and "nothing" in html


def test_worker_processes_give_the_same_bytes(tmp_path: Path) -> None:
    terms = [term(f"T{i:03d}", f"Term {i}", body=f"Text $x_{i}$", parents=[f"T{(i * 3) % 90:03d}"]) for i in range(90)]
    g = make_glossary(terms)
    render_site_fast(g, tmp_path / "one", jobs=1)
    stats, diags = render_site_fast(g, tmp_path / "three", jobs=3)
    assert diags == [] and stats.terms == 90
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "three")


def _json_values():  # type: ignore[no-untyped-def]
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=30),
        st.sampled_from(
            ["<script>x</script>", "$\\frac{1}{$", "javascript:x", "[a](javascript:x)", "\\text{<b>}", "[[x]]", "_a_"]
        ),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
        max_leaves=12,
    )


def test_any_field_shapes_render_without_failing() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from compiler.render.pages import KNOWN_FIELDS
    from compiler.render.plan import plan_site
    from compiler.render.site import SiteRenderer

    fields = sorted(KNOWN_FIELDS - {"canonical_id"}) + ["other", "body"]

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dictionaries(st.sampled_from(fields), _json_values(), max_size=8), st.text(max_size=60))
    def check(data: dict, body: str) -> None:
        t = term("FUZZ", body=body)
        t = type(t)(
            id=t.id,
            file=t.file,
            path=t.path,
            data={**data, "canonical_id": "FUZZ"},
            body=body,
            body_line=1,
            locations=t.locations,
            header_lines=t.header_lines,
        )
        g = make_glossary([t])
        plan = plan_site(g.terms, g.modules, g.graph)
        renderer = SiteRenderer(g, plan)
        html, diag = renderer.safe_node_page(plan.by_id["FUZZ"])
        assert diag is None, diag
        assert "<script>x" not in html and 'href="javascript' not in html

    check()


def test_a_redirect_that_fails_is_a_located_error_and_the_rest_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break(monkeypatch, "redirect_page", "alias", "Bee")
    stats, diags = render_site(make_glossary([term("A", aliases=["Ay"]), term("B", aliases=["Bee"])]), tmp_path / "s")
    assert [(d.code, d.file, d.term) for d in diags] == [("page-failed", "B.md", "B")]
    assert "'Bee'" in diags[0].message and "simulated bug" in diags[0].message
    assert (tmp_path / "s" / "terms" / "Ay.html").is_file() and (tmp_path / "s" / "terms" / "B.html").is_file()
    assert not (tmp_path / "s" / "terms" / "Bee.html").exists()


def test_a_page_with_any_code_point_is_written_as_utf8(tmp_path: Path) -> None:
    """Text that reaches the writer with lone surrogates (a file name Python decoded) is written, not fatal."""
    t = term("SUR", definition="half \ud800 and \udcff of pairs")
    stats, diags = render_site(make_glossary([t]), tmp_path / "s")
    assert not diags
    assert "half \ufffd and \ufffd" in (tmp_path / "s" / "terms" / "SUR.html").read_bytes().decode("utf-8")
