"""The built site in a real browser (Playwright + Debian's chromium), from file://.

Skipped cleanly when playwright or /usr/bin/chromium is missing.
"""
from __future__ import annotations

import json
import shutil
import os
from pathlib import Path
from typing import Iterator

import pytest

from compiler.render import render_site
from tests.render_support import REPO, FakeCheck, broken_links, make_glossary, seed_glossary, seed_term, xss_term

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


def test_graph_page_draws_pans_and_zooms(page: object, seed_site: Path) -> None:
    page.goto(url(seed_site, "graph.html"))
    canvas = page.locator("#graph-canvas")
    drawn = int(canvas.get_attribute("data-drawn") or 0)
    nodes = len(json.loads((seed_site / "graph.json").read_text(encoding="utf-8"))["nodes"])
    assert drawn == nodes > 0
    blank = page.evaluate("""() => { const c = document.getElementById('graph-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const first = [d[0], d[1], d[2]]; let diff = 0;
        for (let i = 0; i < d.length; i += 4) { if (d[i] !== first[0] || d[i+1] !== first[1] || d[i+2] !== first[2]) diff++; }
        return diff; }""")
    assert blank > 100  # something other than the background was painted
    for _ in range(6):
        page.locator("#graph-zoom-in").click()
    assert int(canvas.get_attribute("data-drawn") or 0) < drawn  # zoomed in: some nodes off screen
    page.locator("#graph-reset").click()
    assert int(canvas.get_attribute("data-drawn") or 0) == drawn
    assert page.errors == []


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
    assert int(page.locator("#graph-canvas").get_attribute("data-drawn") or 0) > 500
    assert page.errors == []
