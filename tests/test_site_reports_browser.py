"""The report pages and search in a real browser (Playwright + Debian's chromium), from file://.

On a generated glossary (bench/generate.py: passes, fails, stale and unchecked checks,
thousands of findings) built through the real pipeline. Skipped like
tests/test_site_browser.py when playwright or /usr/bin/chromium is missing.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.build import Options, build
from tests.render_support import REPO
from tests.test_site_browser import _axe, browser  # noqa: F401 - browser is a fixture used by name


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("reports-browser")
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(work / "gen"), "--terms", "300"],
                   check=True, capture_output=True)
    build(work / "gen" / "dictionary", work / "site", Options(module_dirs=(work / "gen",)))
    return work / "site"


def _open(browser: object, site: Path, rel: str, width: int = 1280) -> object:
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto((site / rel).as_uri())
    return page


def _overflow(page: object) -> list[str]:
    """Elements wider than their scroll box, and the page wider than the window."""
    return page.evaluate("""() => {
        const out = [];
        const doc = document.documentElement;
        if (doc.scrollWidth > doc.clientWidth) out.push('page ' + doc.scrollWidth + ' > ' + doc.clientWidth);
        for (const e of document.querySelectorAll('main table, main .table-wrap')) {
          if (e.scrollWidth > e.clientWidth + 1) out.push(e.className + ' ' + e.scrollWidth + ' > ' + e.clientWidth);
        }
        return out; }""")


@pytest.fixture(scope="module")
def wide_checks_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Checks whose cells cannot wrap: long formulas (MathML never wraps), numbers and labels without spaces."""
    from compiler.render import render_site
    from tests.render_support import FakeCheck, make_glossary, term

    hint = " + ".join(f"\\frac{{{i}.{'7' * 12}}}{{{i + 1}.{'3' * 12}}}" for i in range(1, 9)) + " \\approx 12.5"
    long_label = "Supercalifragilistic" * 6
    checks = [FakeCheck({"term": f"T{i}", "status": status, "relation": hint, "claimed": "1" * 60,
                         "computed": 1234567.891234567, "uncertainty": 1e-9, "edition": "CODATA-" + "2022" * 10,
                         "deviation": {"sigma": 123456.789, "relative": -0.000123456},
                         "message": "x" * 300, "reason": "the difference 1 is beyond the allowed 0 (rounding 0 + 2σ, σ = 0)"})
              for i, status in enumerate(["fail", "stale", "error", "pass", "unchecked"])]
    out = tmp_path_factory.mktemp("wide-checks") / "site"
    render_site(make_glossary([term(f"T{i}", label=long_label) for i in range(5)], checks=checks), out)
    return out


@pytest.mark.parametrize("width", [1280, 390])
def test_checks_that_cannot_wrap_still_fit_the_window(browser: object, wide_checks_site: Path, width: int) -> None:
    page = _open(browser, wide_checks_site, "checks.html", width)
    for d in page.locator("details").all():
        d.evaluate("d => d.open = true")
    assert _overflow(page) == []
    assert page.errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_the_checks_page_has_no_horizontal_overflow(browser: object, site: Path, width: int) -> None:
    page = _open(browser, site, "checks.html", width)
    sections = page.locator("main section[id^=checks-]").evaluate_all("s => s.map(e => e.id)")
    assert sections[:2] == ["checks-fail", "checks-stale"] and sections[-1] == "checks-unchecked"
    for d in page.locator("details.unchecked-group").all():
        d.evaluate("d => d.open = true")
    assert _overflow(page) == []
    verdicts = page.locator("#checks-pass .verdict").all_inner_texts()
    assert verdicts and all(v.startswith("within ") for v in verdicts)
    assert page.errors == []


def test_problem_filters_hide_the_groups_they_empty(browser: object, site: Path) -> None:
    page = _open(browser, site, "problems.html")
    groups = page.locator("details.problem-group")
    total = groups.count()
    severities = set(groups.evaluate_all("gs => gs.map(g => g.dataset.severity)"))
    assert total > 3 and {"error", "warning"} <= severities
    # only errors: every warning and info group is hidden, every error group shown with its rows
    for sev in severities - {"error"}:
        page.locator(f"#problem-filters input[value={sev}]").uncheck()
    page.wait_for_function("document.getElementById('problem-status').textContent !== ''")
    visible = page.locator("details.problem-group:not([hidden])")
    assert set(visible.evaluate_all("gs => gs.map(g => g.dataset.severity)")) == {"error"}
    for g in visible.all():
        assert g.locator("li").count() > 0
    # one file: only the groups with a finding in that file stay, and each lists only that file
    for sev in severities - {"error"}:
        page.locator(f"#problem-filters input[value={sev}]").check()
    name = page.locator("details.problem-group li[data-file]").first.get_attribute("data-file")
    page.locator("#problem-file").fill(name)
    page.wait_for_function("document.getElementById('problem-status').textContent.includes('match')")
    visible = page.locator("details.problem-group:not([hidden])")
    assert 0 < visible.count() < total
    files = set(page.locator("details.problem-group:not([hidden]) li").evaluate_all(
        "ls => ls.map(l => l.dataset.file)"))
    assert files and all(name.lower() in f.lower() for f in files)
    data = json.loads((site / "problems-data.js").read_text(encoding="utf-8").split("=", 1)[1].strip().rstrip(";"))
    expected = {data["groups"][r[0]][1] for r in data["rows"] if name.lower() in data["files"][r[1]][0].lower()}
    assert set(visible.evaluate_all("gs => gs.map(g => g.dataset.key.split(':')[1])")) == expected
    # one code: one group
    page.locator("#problem-file").fill("")
    key = groups.nth(1).get_attribute("data-key")
    page.locator("#problem-code").select_option(key)
    page.wait_for_function("document.getElementById('problem-status').textContent.includes('match')")
    assert page.locator("details.problem-group:not([hidden])").evaluate_all("gs => gs.map(g => g.dataset.key)") == [key]
    assert page.errors == []


def test_show_all_lists_every_finding_of_a_long_group(browser: object, site: Path) -> None:
    page = _open(browser, site, "problems.html")
    group = page.locator("details.problem-group:has(button.show-all)").first
    count = int(group.get_attribute("data-count") or 0)
    group.locator("summary").click()
    group.locator("button.show-all").click()
    page.wait_for_function(f"document.querySelectorAll('#{group.get_attribute('id')} li').length === {count}")
    assert page.errors == []


def test_search_shows_the_total_and_can_show_every_match(browser: object, site: Path) -> None:
    entries = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    word = "resonance"
    matches = sum(1 for e in entries if any(word in str(e.get(k, "")).lower() for k in ("label", "id", "definition"))
                  or any(word in a.lower() for a in e.get("aliases", [])))
    assert matches > 20
    page = _open(browser, site, "index.html")
    page.locator("#search-input").fill(word)
    total = page.locator("#search-results .search-total")
    total.wait_for()
    assert f"of {matches} matches" in total.inner_text()
    assert page.locator("#search-results a").count() == 20
    page.locator("#search-results .search-all").click()
    assert page.locator("#search-results a").count() == matches
    assert f"{matches} matches" in page.locator("#search-results .search-total").inner_text()
    assert page.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation_on_the_report_pages(browser: object, site: Path, scheme: str) -> None:
    term = sorted(p.relative_to(site).as_posix() for p in (site / "terms").glob("*.html")
                  if 'class="check' in p.read_text(encoding="utf-8"))[0]
    module = sorted(p.relative_to(site).as_posix() for p in (site / "modules").glob("*.html"))[0]
    assert _axe(browser, site, ["problems.html", "checks.html", "wanted.html", "index.html", term, module],
                scheme) == {}
