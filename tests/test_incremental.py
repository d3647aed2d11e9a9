"""Incremental builds equal clean full builds, byte for byte (issue 8's property test).

Random sequences of edits, additions, renames, deletions and touches are applied to a
small glossary; after each step the glossary is built with the cache into one folder
and without it into another, and the two sites and reports must be identical.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.incremental.stages import fast_build as build
from compiler.report.formats import Report, json_report
from compiler.stages import Options

from .conftest import FIXTURES
from .render_support import tree_bytes as tree

REPO = FIXTURES.parents[1]
SEED_TERMS = sorted((REPO / "terms").glob("*.md"))[:8]


def report(glossary) -> str:
    return json_report(Report(base="terms", files=glossary.files, terms=len(glossary.terms),
                              diagnostics=glossary.diagnostics, checks=tuple(c.to_json() for c in glossary.checks)))


def apply(op: tuple, terms: Path, counter: list[int]) -> None:
    kind, pick, text = op
    files = sorted(terms.glob("*.md"))
    target = files[pick % len(files)] if files else None
    if kind == "edit" and target:
        body = target.read_text("utf-8")
        target.write_text(body.replace("\n# ", f"\n{text}\n\n# ", 1) if "\n# " in body else body + f"\n{text}\n", "utf-8")
    elif kind == "header" and target:
        body = target.read_text("utf-8")
        target.write_text(body.replace("status: ratified", "status: candidate", 1).replace("version: \"1.0\"",
                                                                                         "version: \"1.1\"", 1), "utf-8")
    elif kind == "break" and target:
        target.write_text(target.read_text("utf-8").replace("\nterm: ", f"\nsymbol: {text}: broken\nterm: ", 1), "utf-8")
    elif kind == "add":
        counter[0] += 1
        ident = f"NEW_TERM_{counter[0]}"
        link = files[pick % len(files)].stem if files else "ELECTRON"
        (terms / f"{ident}.md").write_text(
            f"---\nterm: New {counter[0]}\ncanonical_id: {ident}\nstatus: draft\ncrosslinks:\n"
            f"  prerequisites: [{link}]\n---\n\n# New {counter[0]}\n\n{text}\n", "utf-8")
    elif kind == "rename" and target:
        target.rename(terms / f"renamed_{target.name}")
    elif kind == "delete" and target and len(files) > 2:
        target.unlink()
    elif kind == "touch" and target:
        target.write_bytes(target.read_bytes())


ops = st.lists(st.tuples(st.sampled_from(["edit", "header", "break", "add", "rename", "delete", "touch"]),
                         st.integers(0, 50), st.text(alphabet="abcxyz *_<>&", min_size=1, max_size=12)),
               min_size=1, max_size=4)


def seeded(root: Path) -> Path:
    """A terms folder holding the first shipped term files."""
    terms = root / "terms"
    terms.mkdir()
    for f in SEED_TERMS:
        shutil.copy(f, terms / f.name)
    return terms


def assert_each_step_builds_clean(root: Path, terms: Path, steps, apply_op, compare=None) -> None:
    """Apply each step, build with the cache, and compare with a clean build of the same files."""
    cache, inc_out = root / ".glossary-cache", root / "inc"
    build(terms, inc_out, Options(cache_dir=cache))
    counter = [0]
    for i, op in enumerate(steps):
        apply_op(op, terms, counter)
        g_inc, _ = build(terms, inc_out, Options(cache_dir=cache))
        cold_out = root / f"cold{i}"
        g_cold, _ = build(terms, cold_out, Options())
        assert tree(inc_out) == tree(cold_out), op
        if compare is not None:
            compare(g_inc, g_cold, op)
        shutil.rmtree(cold_out)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops)
def test_incremental_equals_full_build(tmp_path_factory, steps):
    root = tmp_path_factory.mktemp("inc")
    terms = seeded(root)
    shutil.copy(REPO / "terms" / "glossary.toml", terms / "glossary.toml")
    if (REPO / "terms" / "checks").is_dir():
        shutil.copytree(REPO / "terms" / "checks", terms / "checks")

    def same_report(g_inc, g_cold, op) -> None:
        strip = lambda g: [d for d in json.loads(report(g))["diagnostics"] if d["code"] != "cache-invalid"]
        assert strip(g_inc) == strip(g_cold), op
        assert json.loads(report(g_inc))["checks"] == json.loads(report(g_cold))["checks"]

    assert_each_step_builds_clean(root, terms, steps, apply, same_report)


def test_prose_edits_with_the_idea_map_on_build_clean(tmp_path):
    """With [analytics] similarity, a prose edit changes the graph (similar edges, communities)
    though nothing linking reads changed (the link result is reused): the pages must follow the text."""
    terms = tmp_path / "terms"
    shutil.copytree(REPO / "terms", terms)
    assert "similarity = true" in (terms / "glossary.toml").read_text("utf-8")
    files = sorted(terms.glob("*.md"))
    donor = files[0].read_text("utf-8").split("\n# ", 1)[-1]

    def apply_prose(op: tuple, folder: Path, _counter: list[int]) -> None:
        target = sorted(folder.glob("*.md"))[op[1]]
        text = target.read_text("utf-8")
        head, _, _ = text.partition("\n# ")
        target.write_text(f"{head}\n# {op[2]}\n\n{donor if op[0] == 'copy' else 'Unrelated words only.'}\n", "utf-8")

    assert_each_step_builds_clean(tmp_path, terms, [("copy", 5, "Like the first"), ("plain", 5, "Alone again"),
                                                    ("copy", 9, "Another twin")], apply_prose)


def _age(folder: Path, seconds: float = 30) -> None:
    """Make every file look older than the racy-stamp window (instead of sleeping)."""
    import os
    import time

    past = time.time() - seconds
    for p in folder.rglob("*"):
        os.utime(p, (past, past))


def test_noop_build_replays_the_report_and_an_edit_rebuilds(tmp_path, capsys):
    from compiler.cli.main import main

    terms = tmp_path / "terms"
    shutil.copytree(FIXTURES / "golden" / "terms", terms)
    _age(terms)
    out = tmp_path / "site"
    assert main(["build", str(terms), "-o", str(out), "--format", "json"]) == 1
    first = capsys.readouterr()
    site = tree(out)
    assert main(["build", str(terms), "-o", str(out), "--format", "json"]) == 1
    second = capsys.readouterr()
    assert "nothing changed" in second.err
    strip = lambda text: {k: v for k, v in json.loads(text).items() if k != "summary"}
    assert strip(first.out) == strip(second.out)
    assert tree(out) == site
    muon = terms / "MUON.md"
    muon.write_text(muon.read_text().replace("heavier cousin", "heavy sibling"))
    _age(terms)
    assert main(["build", str(terms), "-o", str(out), "--format", "json"]) == 1
    third = capsys.readouterr()
    assert "nothing changed" not in third.err and "heavy sibling" in (out / "terms" / "MUON.html").read_text()


def test_a_no_op_prints_the_text_report_its_build_printed_without_formatting_it(tmp_path, capsys, monkeypatch):
    """The record keeps the text report as printed; a no-op prints it again as is, unless the
    terms folder is named another way (the paths in it would differ) or colour changed."""
    import os

    import compiler.incremental.noop as noop
    import compiler.report.formats as formats
    from compiler.cli.main import main

    terms = tmp_path / "terms"
    shutil.copytree(FIXTURES / "golden" / "terms", terms)
    _age(terms)
    out = tmp_path / "site"
    code = main(["build", str(terms), "-o", str(out)])
    built = capsys.readouterr().out.splitlines()
    assert built[-1].startswith("wrote ") and any(line.startswith(str(terms)) for line in built)

    real, diagnostic = formats.text_report, noop.Diagnostic
    monkeypatch.setattr(formats, "text_report", lambda *a, **k: pytest.fail("the no-op formatted the findings"))
    monkeypatch.setattr(noop, "Diagnostic", lambda *a, **k: pytest.fail("the no-op read the findings back"))
    assert main(["build", str(terms), "-o", str(out)]) == code == 1  # the golden terms have errors
    replayed = capsys.readouterr().out.splitlines()
    assert replayed[-1].startswith("nothing changed") and replayed[:-1] == built[:-1]  # report and summary line
    monkeypatch.setattr(noop, "Diagnostic", diagnostic)

    monkeypatch.setattr(formats, "text_report", real)
    monkeypatch.chdir(tmp_path)  # the same folder, named relative: the record's text does not fit,
    main(["build", "terms", "-o", str(out)])  # and it holds no findings to format: a real build
    relative = capsys.readouterr().out.splitlines()
    assert relative[-1].startswith("wrote ") and len(relative) == len(built)
    assert not any(line.startswith(str(terms)) for line in relative)
    assert any(line.startswith(os.path.join("terms", "")) for line in relative)
    main(["build", "terms", "-o", str(out)])  # which records its own text
    assert capsys.readouterr().out.splitlines()[:-1] == relative[:-1]
    assert main(["build", "terms", "-o", str(tmp_path / "plain"), "--no-cache"]) == main(["build", "terms"])
    assert capsys.readouterr().out.count("\nwrote ") == 2  # no record to keep: printed all the same


def test_a_fresh_edit_is_replayed_only_while_its_content_is_the_one_built(tmp_path, capsys):
    """Term files younger than the racy window are not trusted by their stamps: the record
    keeps the content the build read, and a no-op compares it (git's "racily clean" check)."""
    import os

    from compiler.cli.main import main

    terms = tmp_path / "terms"
    shutil.copytree(FIXTURES / "golden" / "terms", terms)
    for p in terms.glob("*.md"):
        p.write_bytes(p.read_bytes())  # just written: younger than the racy window
    out = tmp_path / "site"
    main(["build", str(terms), "-o", str(out)])
    capsys.readouterr()
    main(["build", str(terms), "-o", str(out)])
    assert "nothing changed" in capsys.readouterr().out  # the same contents as built
    muon = terms / "MUON.md"
    before = muon.stat()
    text = muon.read_text("utf-8")
    assert "heavier cousin" in text
    muon.write_text(text.replace("heavier cousin", "heavier sister"), "utf-8")  # as many bytes
    os.utime(muon, ns=(before.st_atime_ns, before.st_mtime_ns))  # an edit within the same tick: same stamp
    assert muon.stat().st_size == before.st_size and muon.stat().st_mtime_ns == before.st_mtime_ns
    main(["build", str(terms), "-o", str(out)])
    assert "nothing changed" not in capsys.readouterr().out
    assert "heavier sister" in (out / "terms" / "MUON.html").read_text("utf-8")
    main(["build", str(terms), "-o", str(tmp_path / "clean"), "--no-cache"])
    assert tree(out) == tree(tmp_path / "clean")


@pytest.mark.parametrize("fmt, where", [("text", "head"), ("text", "text"), ("text", "end"),
                                        ("json", "head"), ("json", "end")])
def test_a_spoilt_no_op_record_is_never_replayed(tmp_path, capsys, fmt, where):
    """One byte changed anywhere in the record (its first line, the text, the findings) breaks its
    signature: the next build is a real one. A text build records its text, a JSON build the findings."""
    from compiler.cli.main import main

    terms = tmp_path / "terms"
    shutil.copytree(FIXTURES / "golden" / "terms", terms)
    _age(terms)
    out = tmp_path / "site"
    main(["build", str(terms), "-o", str(out), "--format", fmt])
    (record,) = (tmp_path / ".glossary-cache").glob("noop-*.record")
    data = bytearray(record.read_bytes())
    head_end = data.index(b"\n", 64)
    size = json.loads(bytes(data[64:head_end]))["text_bytes"]
    assert (size > 0) == (fmt == "text")
    data[{"head": 70, "text": head_end + 1 + size // 2, "end": len(data) - 3}[where]] ^= 1
    record.write_bytes(bytes(data))
    capsys.readouterr()
    main(["build", str(terms), "-o", str(out), "--format", fmt])
    captured = capsys.readouterr()
    assert "nothing changed" not in captured.out + captured.err
    main(["build", str(terms), "-o", str(out), "--format", fmt])  # the record written again replays
    captured = capsys.readouterr()
    assert "nothing changed" in captured.out + captured.err


def test_a_no_op_in_another_format_replays_only_from_recorded_findings(tmp_path, capsys):
    """A text build records its text; a JSON build its findings, from which a text no-op formats
    the same report a text build prints."""
    from compiler.cli.main import main

    terms = tmp_path / "terms"
    shutil.copytree(FIXTURES / "golden" / "terms", terms)
    _age(terms)
    out = tmp_path / "site"
    main(["build", str(terms), "-o", str(out)])
    text_build = capsys.readouterr().out.splitlines()
    main(["build", str(terms), "-o", str(out), "--format", "json"])
    assert "nothing changed" not in capsys.readouterr().err  # the record holds no findings
    main(["build", str(terms), "-o", str(out), "--format", "json"])
    assert "nothing changed" in capsys.readouterr().err
    main(["build", str(terms), "-o", str(out)])
    replayed = capsys.readouterr().out.splitlines()
    assert replayed[-1].startswith("nothing changed") and replayed[:-1] == text_build[:-1]


def test_a_fresh_input_that_is_no_term_file_is_never_replayed(tmp_path, capsys):
    from compiler.cli.main import main

    terms = tmp_path / "terms"
    shutil.copytree(FIXTURES / "golden" / "terms", terms)
    _age(terms)
    (terms / "glossary.toml").write_text('title = "Fresh"\n', "utf-8")  # just written: no digest stands for it
    out = tmp_path / "site"
    main(["build", str(terms), "-o", str(out)])
    main(["build", str(terms), "-o", str(out)])
    assert "nothing changed" not in capsys.readouterr().out


@pytest.mark.parametrize("fresh", [None, "first", "middle", "last", "config", "module"])
def test_input_stamps_list_every_input_and_the_fresh_term_files(tmp_path, fresh):
    """Every input's stamp; a term file younger than the racy window is named (its content will
    decide), any other fresh input means no stamps at all."""
    import os

    from compiler.config import load_config
    from compiler.incremental.inputs import inputs_of
    from compiler.incremental.noop import input_stamps

    terms = tmp_path / "terms"
    shutil.copytree(FIXTURES / "golden" / "terms", terms)
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "M-1.md").write_text("---\nid: M-1\n---\n", "utf-8")
    (terms / "glossary.toml").write_text('modules = ["../modules"]\n', "utf-8")
    _age(terms)
    _age(modules)
    files = sorted(terms.rglob("*.md"))
    targets = {"first": files[0], "middle": files[len(files) // 2], "last": files[-1],
               "config": terms / "glossary.toml", "module": modules / "M-1.md"}
    if fresh is not None:
        os.utime(targets[fresh], None)  # now
    stamps = input_stamps(inputs_of(terms, load_config(terms)[0], Options()))
    if fresh in ("config", "module"):
        assert stamps is None
    else:
        assert stamps is not None and all(f"{p.resolve()}:" in stamps.text for p in files)
        assert stamps.fresh == (() if fresh is None else (targets[fresh].relative_to(terms).as_posix(),))


def test_a_rebuilt_cache_is_said_once_and_is_no_finding_of_the_glossary(tmp_path, capsys):
    """A cache from another version (an upgrade, a reinstall) is news for one run: said on stderr,
    never among the glossary's findings, never in its counts, not on the site, not replayed."""
    from compiler.cli.main import main

    terms = tmp_path / "terms"
    shutil.copytree(FIXTURES / "golden" / "terms", terms)
    _age(terms)
    out = tmp_path / "site"
    main(["build", str(terms), "-o", str(out), "--format", "json"])
    first = json.loads(capsys.readouterr().out)
    problems = (out / "problems.html").read_bytes()
    (state,) = (tmp_path / ".glossary-cache").glob("state-*.cache")

    def reinstall() -> None:
        state.write_bytes(b"written by some other version")
        for record in (tmp_path / ".glossary-cache").glob("noop-*.record"):
            record.unlink()  # as after an upgrade: the compiler's files changed, so this is no no-op

    reinstall()
    main(["build", str(terms), "-o", str(out), "--format", "json"])
    rebuilt = capsys.readouterr()
    doc = json.loads(rebuilt.out)
    assert "cache-invalid" not in [d["code"] for d in doc["diagnostics"]]
    assert {k: v for k, v in doc["summary"].items() if k != "seconds"} == \
        {k: v for k, v in first["summary"].items() if k != "seconds"}  # the same counts
    assert "the build cache was rebuilt" in rebuilt.err
    assert (out / "problems.html").read_bytes() == problems  # the site does not depend on the cache's history
    main(["build", str(terms), "-o", str(out), "--format", "json"])
    replayed = capsys.readouterr()
    assert "nothing changed" in replayed.err and "cache was rebuilt" not in replayed.err
    main(["build", str(terms), "-o", str(out)])
    before = capsys.readouterr().out.splitlines()[-2]  # the totals
    reinstall()
    main(["build", str(terms), "-o", str(out)])  # text this time: said on stderr, the totals unchanged
    rebuilt = capsys.readouterr()
    assert "cache was rebuilt" in rebuilt.err and "cache-invalid" not in rebuilt.out
    assert rebuilt.out.splitlines()[-2] == before
    main(["build", str(terms), "-o", str(out)])  # ... and its no-op does not say it again
    replayed = capsys.readouterr()
    assert "nothing changed" in replayed.out and "cache was rebuilt" not in replayed.err


def test_an_edit_re_renders_only_the_pages_that_show_it(tmp_path):
    from compiler.incremental.stages import FastStages

    terms = tmp_path / "terms"
    # without the idea map: with it, text similarity (a global measure) may move with any edit
    shutil.copytree(REPO / "terms", terms, ignore=shutil.ignore_patterns("glossary.toml"))
    cache, out = tmp_path / ".glossary-cache", tmp_path / "site"
    build(terms, out, Options(cache_dir=cache))
    target = terms / "MUON.md"
    target.write_text(target.read_text("utf-8").replace("\n# ", "\nA sentence added for the test.\n\n# ", 1), "utf-8")
    glossary, stats = build(terms, out, Options(cache_dir=cache))
    stages = FastStages(Options(cache_dir=cache))
    stages.aim(out)
    stages.configure(terms)
    render = stages.state.extra["render"]
    reused, total = render["reused"], len(glossary.terms)
    assert total >= 30 and reused == total - 1, (reused, total)  # only the edited term's page
    assert "A sentence added for the test." in (out / "terms" / "MUON.html").read_text("utf-8")


def test_a_prose_edit_keeps_the_check_results_and_a_header_edit_checks_again(tmp_path, monkeypatch):
    """Checks read a term's id, file, header and hint locations, never its body."""
    import compiler.incremental.checks as build_module

    checked: list[list[str]] = []
    real = build_module._run_checks
    monkeypatch.setattr(build_module, "_run_checks",
                        lambda todo, kwargs: (checked.append(sorted(t.id for t in todo)), real(todo, kwargs))[1])
    terms = tmp_path / "terms"
    shutil.copytree(REPO / "terms", terms, ignore=shutil.ignore_patterns("glossary.toml"))
    cache = tmp_path / ".glossary-cache"
    options = Options(cache_dir=cache, jobs=1)
    build(terms, tmp_path / "site", options)
    muon = terms / "MUON.md"
    text = muon.read_text("utf-8")
    steps = [
        ("prose", text.replace("\n# ", "\nA sentence added for the test.\n\n# ", 1), []),
        ("a line above the hints", text.replace("\nterm: ", "\n# a comment\nterm: ", 1), ["MUON"]),
        ("back", text, ["MUON"]),
    ]
    for name, content, expected in steps:
        checked.clear()
        muon.write_text(content, "utf-8")
        glossary, _ = build(terms, tmp_path / "site", options)
        assert [ids for ids in checked if ids] == ([expected] if expected else []), name
        clean, _ = build(terms, tmp_path / f"clean-{len(name)}", Options(jobs=1))
        assert report(glossary) == report(clean), name
        assert [c.to_json() for c in glossary.checks] == [c.to_json() for c in clean.checks], name


@pytest.mark.parametrize("name, file, old, new, expected", [
    ("a status, built-in checks", "MUON.md", "status: ratified", "status: candidate", []),
    ("a field above the hints, same lines", "MUON.md", "version:", "version:  ", []),
    ("the hint's mapping", "MUON.md", "mapping_kind: operational", "mapping_kind: structural", ["MUON"]),
    ("a claim elsewhere in the header", "MUON.md", "≈ 206.768 with", "≈ 206.77 with", []),
    ("a hint", "MUON.md", "\\approx 206.768", "\\approx 206.77", ["MUON"]),
    ("a status, checked by a hook (given the whole header)", "TOROIDAL_C2_FORMULA.md", "status: candidate",
     "status: draft", ["TOROIDAL_C2_FORMULA"]),
])
def test_a_header_edit_outside_the_hints_keeps_built_in_check_results(tmp_path, monkeypatch, name, file, old, new,
                                                                       expected):
    """The built-in evaluator reads a hint and its mapping only; a hook reads the whole header."""
    import compiler.incremental.checks as build_module

    checked: list[list[str]] = []
    real = build_module._run_checks
    monkeypatch.setattr(build_module, "_run_checks",
                        lambda todo, kwargs: (checked.append(sorted(t.id for t in todo)), real(todo, kwargs))[1])
    terms = tmp_path / "terms"
    shutil.copytree(REPO / "terms", terms)  # with its glossary.toml: the hooks of checks/
    options = Options(cache_dir=tmp_path / ".glossary-cache", jobs=1)
    build(terms, tmp_path / "site", options)
    target = terms / file
    text = target.read_text("utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), "utf-8")
    checked.clear()
    glossary, _ = build(terms, tmp_path / "site", options)
    assert [ids for ids in checked if ids] == ([expected] if expected else [])
    clean, _ = build(terms, tmp_path / "clean", Options(jobs=1))
    assert report(glossary) == report(clean)
    assert [c.to_json() for c in glossary.checks] == [c.to_json() for c in clean.checks]
    assert tree(tmp_path / "site") == tree(tmp_path / "clean")


def test_a_term_read_back_from_the_cache_has_the_same_locations(tmp_path):
    """Terms reach the cache with their locations packed; every lookup still works."""
    import marshal

    from compiler.incremental.codec import PackedLocations, term_of, term_row
    from compiler.load.terms import load_bytes

    path = SEED_TERMS[0]
    term, _ = load_bytes(path.read_bytes(), path, path.name)
    back = term_of(marshal.loads(marshal.dumps(term_row(term))))
    again = term_of(marshal.loads(marshal.dumps(term_row(back))))  # packed locations are stored as they are
    assert isinstance(back.locations, PackedLocations) and isinstance(again.locations, PackedLocations)
    assert len(term.locations) > 5
    assert dict(back.locations) == dict(term.locations) == dict(again.locations)
    for pointer in [*term.locations, "/no/such/pointer", "/term/0"]:
        assert back.location(pointer) == term.location(pointer)
    assert (back.id, back.file, back.data, back.body, back.raw) == (term.id, term.file, term.data, term.body, term.raw)


def test_packed_locations_round_trip_and_fall_back_to_plain_tuples():
    """Positions pack into one string and one bytes object; what does not fit stays plain and still works."""
    import marshal

    from compiler.incremental.codec import term_of, term_row
    from compiler.model import Location, Term

    table = [
        (
            {
                "": Location(1, 1),
                "/a": Location(2, 3, 2, 9),
                "/a/0": Location(4, 5, None, None),
                "/é/ü": Location(7, 1, 8, 2),
            },
            True,
        ),
        ({}, True),
        ({"/x\0y": Location(1, 1)}, False),  # the separator inside a pointer
        ({"/a": Location(-1, 1)}, False),  # a position the packing reserves
        ({"/a": Location(2**40, 1)}, False),  # too large for int32
    ]
    for locations, packs in table:
        term = Term(
            id="A", file="a.md", path=Path("a.md"), data={"term": "A"}, body="", body_line=3, locations=locations
        )
        row = term_row(term)
        assert isinstance(row[6], tuple) is packs, locations
        back = term_of(marshal.loads(marshal.dumps(row)))
        assert dict(back.locations) == locations and len(back.locations) == len(locations)


def test_a_no_op_build_imports_no_parser_template_engine_or_graph_library(tmp_path):
    """A no-op answers from its record: importing PyYAML, Jinja2, markdown-it, networkx or numpy
    would cost more than the rest of it (bench/README.md, "Before and after issue 20")."""
    import os
    import subprocess
    import sys

    terms = tmp_path / "terms"
    shutil.copytree(Path(__file__).resolve().parent.parent / "terms", terms)
    _age(terms)
    out = tmp_path / "site"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    program = ("import sys; from compiler.cli.main import main; code = main(sys.argv[1:]); "
               "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
               "{'yaml', 'jinja2', 'markdown_it', 'networkx', 'numpy', 'scipy', 'rapidfuzz'}); "
               "print('HEAVY', ' '.join(heavy)); sys.exit(code)")
    args = [sys.executable, "-c", program, "build", str(terms), "-o", str(out)]
    first = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    again = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0 and "nothing changed" in again.stdout, again.stdout + again.stderr
    assert "HEAVY \n" in again.stdout, again.stdout.splitlines()[-2:]
    assert "yaml" in first.stdout.split("HEAVY", 1)[1]  # the check itself sees a build that did import them
