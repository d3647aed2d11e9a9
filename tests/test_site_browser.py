"""The built site in a real browser (Playwright + Debian's chromium), from file://.

Skipped cleanly when playwright or /usr/bin/chromium is missing.
"""
from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Iterator

import pytest

from compiler.render import render_site
from tests.render_support import REPO, FakeCheck, FakeModule, broken_links, make_glossary, seed_glossary, seed_term, xss_term

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = REPO / "tests" / "vendor" / "axe.min.js"

# CI (.ci/run) installs chromium and sets COMPILE_GLOSSARY_REQUIRE_BROWSER: there a missing
# browser is a failure, not a skip, so a green CI always means the browser tests ran.
if os.environ.get("COMPILE_GLOSSARY_REQUIRE_BROWSER"):
    import playwright.sync_api as sync_api  # noqa: F401 - fails loudly when missing
    assert CHROMIUM.exists(), "/usr/bin/chromium is required (COMPILE_GLOSSARY_REQUIRE_BROWSER is set)"
else:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    _, diags = render_site(seed_glossary(), out)
    assert diags == []
    return out


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.errors.append("dialog " + d.message), d.dismiss()))  # type: ignore[attr-defined]
    yield pg
    context.close()


def url(site: Path, rel: str) -> str:
    return (site / rel).as_uri()


def test_seed_page_sections_math_badges_links(page: object, seed_site: Path) -> None:
    page.goto(url(seed_site, "terms/LEPTONIC_ANOMALY.html"))
    assert page.title().startswith("Leptonic Anomaly")
    for section in ["triad", "definition", "operational", "context", "poetic", "formal", "claims", "naming",
                    "provenance", "links", "body"]:
        assert page.locator(f"#{section}").is_visible(), section
    assert page.locator("h1 math").count() == 1
    assert page.locator(".equation math").count() == 1
    box = page.locator("h1 math").bounding_box()
    assert box and box["width"] > 20  # MathML is laid out, not hidden
    assert page.locator(".check .badge.status-pass").inner_text() == "pass"
    assert page.locator(".term-header .badge").inner_text() == "candidate"
    page.locator("#h-out ~ section a", has_text="LEPTON").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/missing/LEPTON.html")
    assert page.errors == []


def test_search_finds_a_term_by_alias(page: object, seed_site: Path) -> None:
    page.goto(url(seed_site, "index.html"))
    box = page.locator("#search-input")
    assert box.is_enabled()
    box.click()
    box.fill("anomalous magnetic")
    first = page.locator("#search-results a").first
    first.wait_for()
    assert first.inner_text() == "Leptonic Anomaly"
    assert "anomalous magnetic moment deviation" in page.locator("#search-results li:has(a)").first.inner_text()
    box.press("Enter")
    page.wait_for_load_state()
    assert page.url.endswith("/terms/LEPTONIC_ANOMALY.html")
    # from a page one folder down, the index loads relative to the root too
    page.locator("#search-input").fill("gamma boson")
    page.locator("#search-results a").first.wait_for()
    assert page.locator("#search-results a").first.inner_text() == "Pressuron (Γ)"
    assert page.errors == []


def test_dark_mode_toggles_and_is_remembered(page: object, seed_site: Path) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(url(seed_site, "index.html"))
    bg = "getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(bg)
    toggle = page.locator("#theme-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert toggle.get_attribute("aria-pressed") == "true"
    dark = page.evaluate(bg)
    assert dark != light
    page.goto(url(seed_site, "checks.html"))
    assert page.evaluate(bg) == dark
    page.locator("#theme-toggle").click()
    assert page.evaluate(bg) == light


def test_system_dark_preference_is_followed(page: object, seed_site: Path) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto(url(seed_site, "index.html"))
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped glossary (terms/, its idea map on) built as the README builds it."""
    from compiler.build import Options, build

    out = tmp_path_factory.mktemp("shipped-browser") / "site"
    build(REPO / "terms", out, Options(checks=False))
    return out


# Pixels painted on each of sigma's canvases, read right after a render (its WebGL buffers are
# not kept once shown); `data-*` attributes are graph.js's own account of what it shows.
PAINTED = """() => { const r = window.GLOSSARY_GRAPH_VIEW; r.refresh(); const out = {};
    for (const [name, c] of Object.entries(r.getCanvases())) {
        const t = document.createElement('canvas'); t.width = c.width; t.height = c.height;
        const x = t.getContext('2d'); x.drawImage(c, 0, 0);
        const d = x.getImageData(0, 0, t.width, t.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } }
        out[name] = n; }
    return out; }"""
CENTRE = """() => { const r = window.GLOSSARY_GRAPH_VIEW, d = r.getDimensions();
    return r.viewportToGraph({x: d.width / 2, y: d.height / 2}); }"""


def _graph_rows(site: Path) -> list[list]:
    """The nodes of the site's graph-data.js: [id, label, kind, url, x, y, size, community]."""
    text = (site / "graph-data.js").read_text(encoding="utf-8")
    return json.loads(text.split("=", 1)[1].rstrip().rstrip(";"))["nodes"]


def _graph_page(browser: object, site: Path, width: int, height: int) -> tuple[object, object, list[str]]:
    """(context, page, URLs requested other than file://) with graph.html drawn."""
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    away: list[str] = []
    pg.on("request", lambda r: away.append(r.url) if not r.url.startswith("file://") else None)
    pg.goto(url(site, "graph.html"))
    pg.wait_for_selector("#graph-view[data-ready='1']")
    return context, pg, away


@pytest.mark.parametrize("width, height, turned", [(1280, 900, (900, 700)), (390, 844, (844, 390))])
def test_graph_page_draws_labels_and_keeps_its_view_after_a_resize(browser: object, shipped_site: Path,
                                                                 width: int, height: int, turned: tuple) -> None:
    context, pg, away = _graph_page(browser, shipped_site, width, height)
    try:
        view = pg.locator("#graph-view")
        total = len(_graph_rows(shipped_site))
        assert 30 <= total <= 300  # a small graph: every label on a wide screen
        assert view.get_attribute("data-nodes") == view.get_attribute("data-shown") == str(total)
        painted = pg.evaluate(PAINTED)
        assert painted["nodes"] > 2000 and painted["edges"] > 2000 and painted["labels"] > 2000
        labels = int(view.get_attribute("data-labels") or 0)
        # every label that fits on a wide screen, the biggest nodes' on a phone; never one over another
        assert labels >= (total // 2 if width >= 700 else 5) and labels < total
        boxes = pg.evaluate("window.GLOSSARY_GRAPH_LABELS()")
        assert len(boxes) == labels and not [(a[4], b[4]) for a, b in itertools.combinations(boxes, 2)
                                             if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]
        # zoom in with the button, then pan by dragging the stage
        pg.locator("#graph-zoom-in").click()
        pg.wait_for_timeout(400)
        view.scroll_into_view_if_needed()
        box = view.bounding_box()
        assert box is not None
        pg.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        pg.mouse.down()
        pg.mouse.move(box["x"] + box["width"] / 2 - 60, box["y"] + box["height"] / 2 - 40, steps=8)
        pg.mouse.up()
        pg.wait_for_timeout(400)  # the pan's inertia
        camera = view.get_attribute("data-camera")
        x, y, ratio = (float(v) for v in (camera or "").split(","))
        assert ratio < 1 and (x, y) != (0.5, 0.5)
        centre = pg.evaluate(CENTRE)
        assert int(view.get_attribute("data-labels") or 0) > labels  # zoomed in: more labels
        drawn = pg.evaluate("window.GLOSSARY_GRAPH_VIEW.getDimensions().width")
        pg.set_viewport_size({"width": turned[0], "height": turned[1]})  # a smaller window, a phone turned
        pg.wait_for_function("""w => { const d = window.GLOSSARY_GRAPH_VIEW.getDimensions();
            return d.width !== w && Math.abs(d.width - document.getElementById('graph-view').offsetWidth) < 1; }""",
                             arg=drawn)
        pg.wait_for_timeout(200)
        assert view.get_attribute("data-camera") == camera  # same zoom and pan
        after = pg.evaluate(CENTRE)
        assert after["x"] == pytest.approx(centre["x"], abs=0.5) and after["y"] == pytest.approx(centre["y"], abs=0.5)
        assert int(view.get_attribute("data-labels") or 0) > 0 and pg.evaluate(PAINTED)["labels"] > 2000
        pg.locator("#graph-reset").click()
        pg.wait_for_timeout(500)
        assert view.get_attribute("data-camera") == "0.500000,0.500000,1.000000"
        assert pg.errors == [] and away == []
    finally:
        context.close()


def test_graph_page_finds_highlights_and_filters(browser: object, shipped_site: Path) -> None:
    context, pg, away = _graph_page(browser, shipped_site, 1280, 900)
    try:
        view = pg.locator("#graph-view")
        rows = _graph_rows(shipped_site)
        total = len(rows)
        matching = [r for r in rows if "muon g-2" in r[1].lower() or "muon g-2" in r[0].lower()]
        find = pg.locator("#graph-find")
        find.fill("muon g-2")
        pg.locator("#graph-matches button").first.wait_for()
        listed = [t.lower() for t in pg.locator("#graph-matches button").all_inner_texts()]
        assert len(listed) == min(len(matching), 8) and len(matching) >= 3
        assert all("muon g-2" in t for t in listed)
        starts = [t.startswith("muon g-2") for t in listed]
        assert starts == sorted(starts, reverse=True) and starts[0]  # those that start with it first
        assert f"{len(matching)} matches" in pg.locator("#graph-find-status").inner_text()
        find.fill("muon G-2 anomaly")  # the exact label, whatever the case
        pg.wait_for_timeout(200)
        find.press("Enter")
        pg.wait_for_timeout(700)
        info = pg.locator("#graph-info")
        assert "Muon g-2 anomaly" in info.inner_text() and "MUON_G2_ANOMALY" in info.inner_text()
        assert info.locator("a").get_attribute("href") == "terms/MUON_G2_ANOMALY.html"
        assert float((view.get_attribute("data-camera") or "").split(",")[2]) < 1  # the camera went to it
        # its neighbourhood stays lit; every other node loses its label and colour
        lit, faded, neighbours = pg.evaluate("""() => { const r = window.GLOSSARY_GRAPH_VIEW, g = r.getGraph();
            const key = g.findNode((k, a) => a.label === 'Muon g-2 anomaly'); let lit = 0, faded = 0;
            g.forEachNode(k => { const d = r.getNodeDisplayData(k); if (d.highlighted) lit++; if (d.label === '') faded++; });
            return [lit, faded, g.degree(key)]; }""")
        assert lit == 1 and faded == total - 1 - neighbours and neighbours > 3
        pg.locator("#graph-info button").click()
        assert info.inner_text() == ""
        pg.locator("#graph-show-term").uncheck()
        assert view.get_attribute("data-shown") == "0"
        pg.locator("#graph-show-term").check()
        assert view.get_attribute("data-shown") == str(total)
        pg.select_option("#graph-colour", "kind")
        assert pg.locator("#graph-legend-kind").is_visible() and not pg.locator("#graph-legend-community").is_visible()
        assert pg.errors == [] and away == []
    finally:
        context.close()
    for scheme in ("light", "dark"):  # with its colour choice and community legend, which the seed's graph lacks
        assert _axe(browser, shipped_site, ["graph.html"], scheme) == {}


def test_graph_page_hides_unlinked_nodes_until_asked(browser: object, tmp_path: Path) -> None:
    """A module no term links to stands apart and hidden; shown on request, it is not a ring around the drawing."""
    lone = make_glossary([seed_term()], [FakeModule("LONE-001", "A module nobody links", "modules/LONE-001.md"),
                                         FakeModule("LONE-002", "Another", "modules/LONE-002.md")])
    out = tmp_path / "site"
    render_site(lone, out)
    context, pg, _ = _graph_page(browser, out, 1280, 900)
    try:
        view = pg.locator("#graph-view")
        total = int(view.get_attribute("data-nodes") or 0)
        assert pg.locator("#graph-unlinked-count").inner_text() == "2" and pg.locator("#graph-hide-unlinked").is_visible()
        assert int(view.get_attribute("data-shown") or 0) == total - 2
        pg.locator("#graph-hide-unlinked").uncheck()
        assert int(view.get_attribute("data-shown") or 0) == total
        assert pg.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("rel", ["terms/LEPTONIC_ANOMALY.html", "index.html", "checks.html", "problems.html",
                                 "graph.html"])
def test_phone_layout_has_no_sideways_scroll(browser: object, seed_site: Path, rel: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
    try:
        pg = context.new_page()
        pg.goto(url(seed_site, rel))
        width, client = pg.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width <= client
    finally:
        context.close()


def test_print_style_hides_navigation(page: object, seed_site: Path) -> None:
    page.goto(url(seed_site, "terms/LEPTONIC_ANOMALY.html"))
    assert page.locator(".site-header nav").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header nav").is_visible()
    assert not page.locator("#search-input").is_visible()
    assert page.locator("#definition").is_visible()


def test_status_filter_hides_rows(page: object, seed_site: Path) -> None:
    page.goto(url(seed_site, "index.html"))
    rows = page.locator("#term-list li[data-status=candidate]")
    assert rows.count() == 2 and rows.first.is_visible()
    page.locator("fieldset.filter input[value=candidate]").uncheck()
    assert not rows.first.is_visible()


def test_alias_page_redirects(page: object, seed_site: Path) -> None:
    page.goto(url(seed_site, "terms/g-2-anomaly.html"))
    page.wait_for_url("**/terms/LEPTONIC_ANOMALY.html")


def test_xss_payloads_run_no_script(page: object, tmp_path: Path) -> None:
    evil = xss_term()
    payload = '<script>document.documentElement.dataset.pwned="1"</script>'
    check = FakeCheck({"term": "EVIL", "pointer": "/formal_mappings/candidates/0/equation_hint", "status": payload,
                       "message": payload, "evidence": {payload: payload}})
    out = tmp_path / "site"
    render_site(make_glossary([evil, seed_term()], checks=[check]), out)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 5
    for p in pages:
        page.goto(p.as_uri())
        if 'http-equiv="refresh"' in p.read_text(encoding="utf-8"):
            page.wait_for_url(lambda u, start=p.as_uri(): u != start)  # alias page: follow it first
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.dataset.pwned") is None, p
        assert page.locator("img").count() == 0 and page.locator("iframe").count() == 0
    page.goto((out / "terms" / "EVIL.html").as_uri())
    for link in page.locator("a").all():
        href = link.get_attribute("href") or ""
        assert not href.strip().lower().startswith(("javascript:", "data:")), href
    page.locator("#search-input").fill("evil")
    page.locator("#search-results a").first.wait_for()
    assert page.evaluate("document.documentElement.dataset.pwned") is None
    assert page.errors == []


def test_no_broken_internal_link(seed_site: Path) -> None:
    assert broken_links(seed_site) == []


AXE_PAGES = ["terms/LEPTONIC_ANOMALY.html", "index.html", "graph.html", "checks.html", "problems.html",
             "wanted.html", "modules/DYNA-Γ-001.html", "missing/LEPTON.html", "404.html"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(browser: object, seed_site: Path, scheme: str) -> None:
    assert _axe(browser, seed_site, AXE_PAGES, scheme) == {}


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (CORPUS / "dictionary").is_dir():
        pytest.skip("../shared/corpus is not present")
    from compiler.build import Options, build

    out = tmp_path_factory.mktemp("corpus-browser") / "site"
    build(CORPUS / "dictionary", out, Options(module_dirs=(CORPUS / "modules",)))
    return out


def _axe(browser: object, site: Path, pages: list[str], scheme: str = "light") -> dict[str, list]:
    """Serious and critical axe-core violations per page (CSP bypassed only to inject axe)."""
    if not AXE.is_file():
        pytest.skip("tests/vendor/axe.min.js is missing")
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)  # type: ignore[attr-defined]
    found = {}
    try:
        pg = context.new_page()
        for rel in pages:
            pg.goto(url(site, rel))
            pg.add_script_tag(path=str(AXE))
            result = pg.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                                 ".map(v => [v.id, v.impact, v.nodes.length, v.nodes[0].html])")
            bad = [v for v in result if v[1] in ("serious", "critical")]
            if bad:
                found[rel] = bad
    finally:
        context.close()
    return found


def test_corpus_pages_pass_axe(browser: object, corpus_site: Path) -> None:
    terms = sorted(p.relative_to(corpus_site).as_posix() for p in (corpus_site / "terms").glob("*.html")
                   if 'http-equiv="refresh"' not in p.read_text(encoding="utf-8"))
    errored = [t for t in terms if "This file has errors" in (corpus_site / t).read_text(encoding="utf-8")]
    sample = terms[::25] + errored[:3] + ["index.html", "checks.html", "problems.html", "wanted.html", "graph.html"]
    sample += sorted(p.relative_to(corpus_site).as_posix() for p in (corpus_site / "modules").glob("*.html"))[:3]
    assert _axe(browser, corpus_site, sample, "light") == {}
    assert _axe(browser, corpus_site, sample[::3], "dark") == {}


def test_corpus_search_and_graph(page: object, corpus_site: Path) -> None:
    entries = json.loads((corpus_site / "search-index.json").read_text(encoding="utf-8"))
    target = next(e for e in entries if e["aliases"] and len(e["aliases"][0]) > 6)
    page.goto(url(corpus_site, "index.html"))
    page.locator("#search-input").fill(target["aliases"][0])
    page.locator("#search-results a").first.wait_for()
    labels = page.locator("#search-results a").all_inner_texts()
    assert target["label"] in labels
    page.goto(url(corpus_site, "graph.html"))
    view = page.locator("#graph-view[data-ready='1']")
    view.wait_for()
    assert int(view.get_attribute("data-shown") or 0) > 500 and int(view.get_attribute("data-labels") or 0) >= 10
    assert page.errors == []
