"""A change of the plan (a new page, a moved page) renders only the pages that show it (issue 8).

Each test builds a small glossary with the build cache, changes its files the way an
author would (a link to a name nobody defines, a new term, a term whose id takes another
page's file name), builds again, and compares the files' inodes: a page linked from the
previous site keeps its inode, a page rendered again is a new file. The incremental site
must also equal a clean build of the same files, byte for byte.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.incremental.stages import fast_build as build
from compiler.render.plan import plan_site
from compiler.render.site import SITE_PAGES
from compiler.stages import Options

from . import test_incremental as incremental
from .render_support import tree_bytes as tree

NODE_FOLDERS = ("terms/", "modules/", "missing/")


def term(ident: str, label: str, links: list[str] = (), body: str = "") -> str:
    crosslinks = f"crosslinks:\n  prerequisites: [{', '.join(links)}]\n" if links else ""
    return (f"---\nterm: {label}\ncanonical_id: {ident}\nstatus: draft\n{crosslinks}---\n\n"
            f"# {label}\n\n{body or 'A term of the test.'}\n")


# The glossary every test starts from: who links to whom, and who names whom in its text.
START = {
    "ALPHA": term("ALPHA", "Alpha", ["BETA"]),
    "BETA": term("BETA", "Beta", ["GAMMA"]),
    "GAMMA": term("GAMMA", "Gamma"),
    "DELTA": term("DELTA", "Delta", body="Its text names [[Zeta Quux]] and [[action]]."),
    "action": term("action", "Action word", ["GAMMA"]),
    "EPSILON": term("EPSILON", "Epsilon", ["action"]),
    "OMEGA": term("OMEGA", "Omega", ["ALPHA"], body="Unrelated to [[Alpha]]."),
}


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


@pytest.fixture()
def site(tmp_path):
    terms = tmp_path / "terms"
    terms.mkdir()
    for name, text in START.items():
        (terms / f"{name}.md").write_text(text, "utf-8")
    out, cache = tmp_path / "site", tmp_path / ".glossary-cache"
    build(terms, out, Options(cache_dir=cache))
    return terms, out, cache


def rebuilt(site, change) -> tuple[set[str], set[str], set[str]]:
    """(node pages, site-wide pages, alias pages) rendered again after ``change(terms)``; checks the site is a clean one."""
    terms, out, cache = site
    before = inodes(out)
    change(terms)
    glossary, _ = build(terms, out, Options(cache_dir=cache))
    clean = out.parent / "clean"
    build(terms, clean, Options())
    assert tree(out) == tree(clean)
    plan = plan_site(glossary.terms, glossary.modules, glossary.graph)
    aliases = {r.path for r in plan.redirects}
    changed = {path for path, ino in inodes(out).items() if before.get(path) != ino}
    return ({p for p in changed if p.startswith(NODE_FOLDERS) and p not in aliases},
            {p for p in changed if p in SITE_PAGES}, {p for p in changed if p in aliases})


def test_a_new_dangling_link_renders_its_term_the_new_missing_page_and_the_site_wide_pages(site):
    def link_nowhere(terms):
        (terms / "GAMMA.md").write_text(term("GAMMA", "Gamma", ["NOBODY_DEFINES_THIS"]), "utf-8")

    nodes, site_wide, _ = rebuilt(site, link_nowhere)
    assert nodes == {"terms/GAMMA.html", "missing/NOBODY_DEFINES_THIS.html"}
    assert {"index.html", "wanted.html", "graph.html"} <= site_wide


def test_removing_the_last_link_to_a_missing_page_renders_its_term_alone(site):
    terms, out, _ = site
    (terms / "GAMMA.md").write_text(term("GAMMA", "Gamma", ["NOBODY_DEFINES_THIS"]), "utf-8")
    build(terms, out, Options(cache_dir=site[2]))

    nodes, site_wide, _ = rebuilt(site, lambda terms: (terms / "GAMMA.md").write_text(term("GAMMA", "Gamma"), "utf-8"))
    assert nodes == {"terms/GAMMA.html"}
    assert not (out / "missing" / "NOBODY_DEFINES_THIS.html").exists()
    assert "wanted.html" in site_wide


def test_a_new_term_renders_its_page_its_neighbours_and_the_pages_whose_text_names_it(site):
    def add(terms):
        (terms / "ZETA.md").write_text(term("ZETA", "Zeta Quux", ["BETA"]), "utf-8")

    nodes, site_wide, _ = rebuilt(site, add)
    # ZETA itself, BETA (a new backlink), DELTA (its [[Zeta Quux]] now resolves); nobody else.
    assert nodes == {"terms/ZETA.html", "terms/BETA.html", "terms/DELTA.html"}
    assert {"index.html", "graph.html"} <= site_wide


def test_a_deleted_term_renders_its_neighbours_and_the_pages_whose_text_named_it(site):
    nodes, _, _ = rebuilt(site, lambda terms: (terms / "OMEGA.md").unlink())
    assert nodes == {"terms/ALPHA.html"}  # its backlink is gone; nobody names Omega in a text

    nodes, _, _ = rebuilt(site, lambda terms: (terms / "action.md").unlink())
    # EPSILON's link now points to a missing page, which is new; DELTA's [[action]] finds that page;
    # GAMMA loses a backlink.
    assert nodes == {"terms/EPSILON.html", "terms/GAMMA.html", "terms/DELTA.html", "missing/action.html"}


def test_a_page_moved_by_a_slug_collision_renders_the_pages_that_link_to_it(site):
    """``ACTION`` sorts first and takes ``action``'s file name: ``action`` moves to ``action-2``."""
    terms, out, _ = site
    assert (out / "terms" / "action.html").exists()

    def collide(terms):
        (terms / "ACTION_FILE.md").write_text(term("ACTION", "The action", ["ALPHA"]), "utf-8")

    nodes, _, _ = rebuilt(site, collide)
    assert (out / "terms" / "action-2.html").exists() and (out / "terms" / "ACTION.html").exists()
    # the new page, the moved page, ALPHA (new backlink), EPSILON (links to the moved page),
    # GAMMA (the moved page links to it: a neighbour's URL), DELTA (its text names the moved page).
    assert nodes == {"terms/ACTION.html", "terms/action-2.html", "terms/ALPHA.html", "terms/EPSILON.html",
                     "terms/GAMMA.html", "terms/DELTA.html"}


def test_a_relabelled_term_renders_the_pages_that_show_or_name_it(site):
    def relabel(terms):
        (terms / "ALPHA.md").write_text(term("ALPHA", "Alpha renamed", ["BETA"]), "utf-8")

    nodes, _, _ = rebuilt(site, relabel)
    # ALPHA, its neighbours BETA and OMEGA (OMEGA's [[Alpha]] also no longer finds it by label).
    assert nodes == {"terms/ALPHA.html", "terms/BETA.html", "terms/OMEGA.html"}


def test_a_new_alias_writes_its_redirect_and_keeps_the_other_pages(site):
    def alias(terms):
        text = term("GAMMA", "Gamma").replace("status: draft\n", "status: draft\naliases: [gamma ray thing]\n")
        (terms / "GAMMA.md").write_text(text, "utf-8")

    nodes, _, aliases = rebuilt(site, alias)
    assert nodes == {"terms/GAMMA.html"}
    assert aliases == {"terms/gamma-ray-thing.html"}


def test_a_page_replaced_after_a_plan_change_is_rendered_again(site):
    """A page kept over a plan change is still linked only when the file in OUT is the one we wrote."""
    terms, out, cache = site
    (out / "terms" / "GAMMA.html").unlink()
    (out / "terms" / "GAMMA.html").write_text("someone else's page", "utf-8")
    nodes, _, _ = rebuilt(site, lambda terms: (terms / "ZETA.md").write_text(term("ZETA", "Zeta"), "utf-8"))
    assert "terms/GAMMA.html" in nodes


def test_a_term_file_renamed_with_the_same_content_renders_its_page_again(site):
    """Its page shows its file's name: the same content under another name is another page."""
    def move(terms):
        (terms / "sub").mkdir()
        (terms / "GAMMA.md").rename(terms / "sub" / "GAMMA.md")  # no diagnostic: its name is still its id

    nodes, _, _ = rebuilt(site, move)
    assert nodes == {"terms/GAMMA.html"}


# -- the property: any sequence of plan-changing edits gives a clean build's site ---------------------

def plan_op(op: tuple, terms: Path, counter: list[int]) -> None:
    """Edits that change the plan: a header link to a name nobody defines, a body link to a name that
    may be defined later, a new term named by earlier links, an alias, an id that collides with
    another's file name; anything else is one of tests/test_incremental.py's edits."""
    kind, pick, text = op
    files = sorted(terms.glob("*.md"))
    target = files[pick % len(files)] if files else None
    if kind == "dangle" and target:
        body = target.read_text("utf-8")
        target.write_text(body.replace("\n  prerequisites: [", f"\n  prerequisites: [GHOST_{pick % 3}, ", 1), "utf-8")
    elif kind == "name" and target:
        other = files[(pick * 7 + 3) % len(files)].stem
        names = f"[[{other}]] [[NEW_TERM_{pick % 4}]] [[New {pick % 4}]] [[GHOST_{pick % 3}]] [[{text}]]"
        target.write_text(target.read_text("utf-8") + f"\n{names}\n", "utf-8")
    elif kind == "alias" and target:
        body = target.read_text("utf-8")
        target.write_text(body.replace("\naliases: [", f"\naliases: [New {pick % 4}, ", 1), "utf-8")
    elif kind == "relabel" and target:
        label = files[(pick * 3 + 1) % len(files)].stem if pick % 2 == 0 else f"Relabelled {text}"
        body = target.read_text("utf-8")
        target.write_text(re.sub(r"(?m)^term: .*$", lambda _m: f"term: {label}", body, count=1), "utf-8")
    elif kind == "collide" and files:
        stem = files[pick % len(files)].stem
        counter[0] += 1
        ident = stem.lower() if stem != stem.lower() else stem.upper()
        (terms / f"collide_{counter[0]}.md").write_text(term(ident, f"Collider {counter[0]}", [stem]), "utf-8")
    else:
        incremental.apply(op, terms, counter)


plan_ops = st.lists(st.tuples(st.sampled_from(["dangle", "name", "alias", "relabel", "collide", "add", "rename",
                                               "delete", "edit", "header"]),
                              st.integers(0, 50), st.text(alphabet="abxyz _-", min_size=1, max_size=8)),
                    min_size=1, max_size=4)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan_ops)
def test_plan_changes_give_a_clean_builds_site(tmp_path_factory, steps):
    root = tmp_path_factory.mktemp("plan")
    incremental.assert_each_step_builds_clean(root, incremental.seeded(root), steps, plan_op)
