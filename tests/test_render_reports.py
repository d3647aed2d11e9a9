"""The report pages (problems, checks, wanted) and what term pages show readers: read as files.

Issue 22: grouped and size-bounded reports, probable typos apart from wanted terms,
checks in the order a reader needs them with words for what a pass was within, and
no HTML page over 1 MB on the corpus or on a generated 2,000-term glossary.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.build import Options, analyze, build
from compiler.codes import make
from compiler.incremental.render import render_site_fast
from compiler.link.integrity import _did_you_mean
from compiler.render import render_site
from compiler.render.reports import checks_context, dangling_suggestions, unchecked_reason, verdict
from tests.render_support import REPO, make_glossary, term, tree_bytes

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MB = 1_000_000


def _write(folder: Path, ident: str, **fields: str) -> None:
    lines = [f"{k}: {v}" for k, v in {"term": ident.title().replace("_", " "), "canonical_id": ident, **fields}.items()]
    (folder / f"{ident}.md").write_text("---\n" + "\n".join(lines) + "\n---\n\nText.\n", encoding="utf-8")


def _read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


@pytest.fixture
def typo_terms(tmp_path: Path) -> Path:
    folder = tmp_path / "terms"
    folder.mkdir()
    _write(folder, "PIROUETTE_LAGRANGIAN")
    _write(folder, "ACTION", parents="[PIRQUETTE_LAGRANGIAN]", children="[COHERENCE_WELLS, TRULY_NEW_IDEA]")
    _write(folder, "FIELD", parents="[PIRQUETTE_LAGRANGIAN, TRULY_NEW_IDEA]")
    return folder


def test_a_dangling_id_close_to_a_term_is_a_probable_typo_not_a_wanted_term(typo_terms: Path, tmp_path: Path) -> None:
    glossary = analyze(typo_terms, Options(checks=False))
    assert dangling_suggestions(glossary.diagnostics)["PIRQUETTE_LAGRANGIAN"] == ("PIROUETTE_LAGRANGIAN",)
    render_site(glossary, tmp_path / "site")
    wanted = _read(tmp_path / "site", "wanted.html")
    typos = wanted[wanted.index('id="h-typos"'):wanted.index('id="h-wanted"') if 'id="h-wanted"' in wanted else None]
    assert "PIRQUETTE_LAGRANGIAN" in typos and 'href="terms/PIROUETTE_LAGRANGIAN.html"' in typos
    assert "(2 links)" in typos and "TRULY_NEW_IDEA" not in typos
    rest = wanted[wanted.index('id="h-wanted"'):]
    assert rest.index("TRULY_NEW_IDEA") < rest.index("COHERENCE_WELLS")  # most linked first
    missing = _read(tmp_path / "site", "missing/PIRQUETTE_LAGRANGIAN.html")
    assert "probably a typo of" in missing and 'href="../terms/PIROUETTE_LAGRANGIAN.html"' in missing
    assert "probably a typo" not in _read(tmp_path / "site", "missing/TRULY_NEW_IDEA.html")


def test_a_new_close_term_turns_a_wanted_page_into_a_typo_in_an_incremental_render(typo_terms: Path,
                                                                                    tmp_path: Path) -> None:
    """The missing page's typo note comes from the findings of other files: page reuse must see it change."""
    cache: dict = {}
    out = tmp_path / "site"
    render_site_fast(analyze(typo_terms, Options(checks=False)), out, page_cache=cache)
    assert "probably a typo" not in _read(out, "missing/COHERENCE_WELLS.html")
    _write(typo_terms, "COHERENCE_WELL")  # one letter away from the dangling COHERENCE_WELLS
    glossary = analyze(typo_terms, Options(checks=False))
    render_site_fast(glossary, out, page_cache=cache)
    render_site(glossary, tmp_path / "clean")
    assert tree_bytes(out) == tree_bytes(tmp_path / "clean")
    assert "probably a typo of" in _read(out, "missing/COHERENCE_WELLS.html")


def test_dangling_suggestions_read_back_what_the_link_stage_wrote() -> None:
    diags = [make("link-dangling", "a.md", 3, 1, "`PIRQ` in `parents` is not a defined term or module",
                  hint="did you mean `PIROUETTE` or `PIRATE` ('Pirate ship')?"),
             make("link-dangling", "b.md", 3, 1, "`PIRQ` in `children` is not a defined term or module",
                  hint="did you mean `PIROUETTE`?"),
             make("link-dangling", "c.md", 1, 1, "`ELSE` in `parents` is not a defined term or module",
                  hint="define the term, fix the name, or configure the folder of module documents"),
             make("term-orphan", "d.md", 1, 1, "`X` in `y` did you mean `Z`?"),
             make("link-dangling", "e.md", 1, 1, "`MUONS` in `parents` is not a defined term or module",
                  hint=_did_you_mean([("MUON", "MUON"), ("MU_ON", "Mu 'on'")]))]  # as the link stage writes it
    assert dangling_suggestions(diags) == {"PIRQ": ("PIROUETTE", "PIRATE"), "MUONS": ("MUON", "MU_ON")}


@pytest.mark.parametrize(("check", "words"), [
    ({"status": "pass", "reason": "the difference 2.2e-05 is within the allowed 5e-05 (rounding 5e-05 + 2σ, σ = 0)",
      "deviation": {"sigma": None, "relative": -9e-06}}, "within the rounding of the quoted digits"),
    ({"status": "pass", "reason": "the difference 0.000283 is within the allowed 0.000509 (rounding 0.0005 + 2σ, σ = 4.5e-06)",
      "deviation": {"sigma": 62.8, "relative": 1.4e-06}}, "within the rounding of the quoted digits"),
    ({"status": "pass", "reason": "the difference 1e-09 is within the allowed 3e-09 (rounding 0 + 2σ, σ = 1.5e-09)",
      "deviation": {"sigma": 0.66, "relative": 1e-3}}, "within 0.66 σ of the computed value (2 σ allowed)"),
    ({"status": "fail", "reason": "the difference 1.61 is beyond the allowed 5e-05 (rounding 5e-05 + 2σ, σ = 0)",
      "deviation": {"sigma": None, "relative": -0.0909}}, "beyond the rounding of the quoted digits (off by 9.09 %)"),
    ({"status": "fail", "reason": "the difference 3 is beyond the allowed 1 (rounding 0 + 2σ, σ = 0.5)",
      "deviation": {"sigma": 6.0, "relative": 0.5}},
     "beyond the rounding of the quoted digits and 2 σ: 6 σ away (off by 50 %)"),
    ({"status": "pass", "reason": "the ratio 2 is within a factor of √10"}, "The ratio 2 is within a factor of √10"),
    ({"status": "stale", "reason": "anything"}, "fails with this edition's data, passed with an earlier one"),
    ({"status": "unchecked", "reason": "symbolic: no data for x"}, ""),
])
def test_a_decided_check_says_in_words_what_it_was_within(check: dict, words: str) -> None:
    assert verdict(check) == words


def test_checks_come_fails_and_stale_first_and_the_unchecked_grouped_by_reason() -> None:
    checks = [{"status": s, "reason": r, "term": t} for s, r, t in [
        ("pass", "", "A"), ("unchecked", "symbolic: no data for x, y", "B"), ("fail", "", "C"),
        ("error", "bad", "D"), ("unchecked", "unknown symbol q: no reference data", "E"), ("stale", "", "F"),
        ("unchecked", "uses ∫, which the evaluator does not compute", "G")]]
    report = checks_context(checks)
    assert [s["status"] for s in report["sections"]] == ["fail", "stale", "error", "pass"]
    assert [(u["reason"], [c["term"] for c in u["checks"]]) for u in report["unchecked"]] == [
        ("a symbol has no reference data", ["B", "E"]), ("uses an operation the evaluator does not compute", ["G"])]
    assert report["unchecked_count"] == 3
    assert unchecked_reason({"reason": "something new: with details"}) == "something new"


def test_term_pages_show_labels_with_ids_on_hover_and_fold_what_only_editors_need(tmp_path: Path) -> None:
    from tests.render_support import FakeCheck

    check = FakeCheck({"term": "A", "pointer": "/formal_mappings/candidates/0/equation_hint", "status": "pass",
                       "hook": "builtin", "file": "A.md", "line": 9, "relation": "x ≈ 1",
                       "reason": "the difference 0 is within the allowed 0.5 (rounding 0.5 + 2σ, σ = 0)"})
    a = term("A", label="Alpha **strong**", parents=["B"], body="Some text.",
             formal_mappings={"candidates": [{"target": "x", "equation_hint": "x ≈ 1"}]})
    diags = [make("term-orphan", "A.md", 1, 1, "a finding")]
    render_site(make_glossary([a, term("B", label="Beta `code`")], checks=[check], diagnostics=diags), tmp_path / "s")
    html = _read(tmp_path / "s", "terms/A.html")
    hierarchy = html[html.index('id="hierarchy"'):html.index("</section>", html.index('id="hierarchy"'))]
    assert 'title="B"' in hierarchy and "Beta <code>code</code>" in hierarchy and ">B<" not in hierarchy
    assert '<h1 id="term-title">Alpha <strong>strong</strong>' in html
    toc = html[html.index('class="toc"'):html.index("</nav>", html.index('class="toc"'))]
    assert all(f'href="#{s}"' in toc for s in ("hierarchy", "body", "formal", "links", "editors"))
    card = html[html.index('<div class="check'):html.index("</div>", html.index('<div class="check'))]
    assert "within the rounding of the quoted digits" in card
    folded = card[card.index("<details"):]
    assert "/formal_mappings/candidates/0/equation_hint" in folded and "A.md:9" in folded
    assert "builtin" not in card  # the default hook is no news
    editors = html[html.index('<details id="editors"'):html.index("</details>", html.index('<details id="editors"'))]
    assert "A.md" in editors and "a finding" in editors
    assert html.index('id="body"') < html.index('id="formal"')  # the prose before the formal parts


def test_index_and_search_render_labels_and_symbols(tmp_path: Path) -> None:
    import json

    terms = [term("SP", label="S<sub>p</sub> ratio", symbol="\\alpha"), term("BOLD", label="**A** `b`")]
    render_site(make_glossary(terms), tmp_path / "s")
    index = _read(tmp_path / "s", "index.html")
    assert "S<sub>p</sub> ratio" in index and "<strong>A</strong> <code>b</code>" in index
    assert "&lt;sub&gt;" not in index and "**" not in index and "`" not in index
    entries = {e["id"]: e for e in json.loads(_read(tmp_path / "s", "search-index.json"))}
    assert entries["SP"]["label"] == "Sp ratio" and entries["SP"]["label_html"] == "S<sub>p</sub> ratio"
    assert entries["SP"]["symbol_html"].startswith("<math") and entries["BOLD"]["label"] == "A b"


def test_module_pages_show_the_module_text_as_markdown(tmp_path: Path) -> None:
    from compiler.load.modules import load_modules

    folder = tmp_path / "modules"
    folder.mkdir()
    (folder / "M-1.md").write_text("---\nid: M-1\ntitle: A module\n---\n\n## Purpose\n\nSome **bold** text.\n",
                                   encoding="utf-8")
    modules, _ = load_modules([folder])
    assert modules[0].body.strip().startswith("## Purpose")
    g = make_glossary([term("A", parents=["M-1"])], modules=modules)
    render_site(g, tmp_path / "s")
    html = _read(tmp_path / "s", "modules/M-1.html")
    assert '<section id="body"' in html and "<h3>Purpose</h3>" in html and "<strong>bold</strong>" in html


def _biggest_html(site: Path) -> tuple[int, str]:
    return max((p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html"))


def test_no_html_page_of_the_corpus_site_is_over_1_mb(tmp_path: Path) -> None:
    if not (CORPUS / "dictionary").is_dir():
        pytest.skip("../shared/corpus is not present")
    build(CORPUS / "dictionary", tmp_path / "site", Options(module_dirs=(CORPUS / "modules",)))
    size, page = _biggest_html(tmp_path / "site")
    assert size < MB, (page, size)
    assert (tmp_path / "site" / "problems-data.js").stat().st_size > _read(tmp_path / "site", "problems.html").count("<li")


def test_no_html_page_of_a_generated_2000_term_glossary_is_over_1_mb(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(out), "--terms", "2000"], check=True,
                   capture_output=True)
    build(out / "dictionary", tmp_path / "site", Options(module_dirs=(out,), jobs=2))
    size, page = _biggest_html(tmp_path / "site")
    assert size < MB, (page, size)
    problems = _read(tmp_path / "site", "problems.html")
    shown = len(re.findall(r"<li data-file=", problems))
    data = _read(tmp_path / "site", "problems-data.js")
    assert data.count("],[") + 1 > 5 * shown  # the long lists are in the data file, not the page
    shutil.rmtree(out)
