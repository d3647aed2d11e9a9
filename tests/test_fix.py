"""`compile-glossary fix`: repairs per breakage family, the lossless rule, and what is never touched.

Inputs are hand-made files (tests/fixtures/fix/): `cases/X.md` must become
`cases/X.expected` byte for byte, `refused/` must be left alone with a reason, and
`healthy/` must never change. `assert_lossless` is the independent check the
corpus test uses too: it re-parses with PyYAML's own pure loader and compares
every value on a changed line with the text the author wrote on that line.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from compiler.authoring.fix import fix_file, fix_text, fold, is_prose, quote, split_items, write_fix
from compiler.authoring.fixmerge import merge_file_headers
from compiler.load.terms import split_blocks
from compiler.load.yamlnodes import compose

FIX = Path(__file__).resolve().parent / "fixtures" / "fix"
CASES = sorted((FIX / "cases").glob("*.md"))
REFUSED = {"tab_indent.md": "tab", "unclosed_prose.md": "no closing", "bad_indent.md": "no safe repair"}
HEALTHY = sorted((FIX / "healthy").glob("*.md"))


# --- the independent lossless check -------------------------------------------------------

def _norm(text: str) -> str:
    return " ".join(text.split())


def _skeleton(text: str) -> str:
    """The characters that carry words: quoting, brackets, commas, backslashes and spaces removed."""
    return re.sub(r"[\s\"'\[\],\\]", "", text)


def _scalars(text: str) -> list[tuple[int, int, str, int]]:
    """(first line, last line, value, column) of every scalar in every header block, 0-based."""
    out = []
    for block in split_blocks(text.replace("\r\n", "\n")).blocks:
        node = yaml.compose(block.text, Loader=yaml.SafeLoader)  # PyYAML's pure loader, not ours

        def walk(n: yaml.Node, fence: int = block.fence_line) -> None:
            if isinstance(n, yaml.ScalarNode):
                end = n.end_mark.line - (1 if n.end_mark.column == 0 and n.end_mark.line > n.start_mark.line else 0)
                out.append((fence + n.start_mark.line, fence + end, n.value, n.start_mark.column))
            elif isinstance(n, yaml.SequenceNode):
                for c in n.value:
                    walk(c)
            elif isinstance(n, yaml.MappingNode):
                for k, v in n.value:
                    walk(k)
                    walk(v)

        if node is not None:
            walk(node)
    return out


def assert_lossless(original: str, fixed: str) -> None:
    """Every value on a changed line is the author's text, and no word of the line is lost."""
    before, after = original.split("\n"), fixed.split("\n")
    assert len(before) == len(after), "a repair must not add or remove lines"
    changed = {i for i, (a, b) in enumerate(zip(before, after)) if a != b}
    scalars = _scalars(fixed)
    for i in changed:
        on_line = [s for s in scalars if s[0] <= i <= s[1]]
        assert on_line, f"line {i + 1} changed but holds no value"
        span = range(min(s[0] for s in on_line), max(s[1] for s in on_line) + 1)
        source = _norm(" ".join(before[j] for j in span))
        readings = {source, source.replace('\\"', '"'), source.replace("''", "'")}
        for _first, _last, value, _col in on_line:
            assert any(_norm(value) in r for r in readings), f"line {i + 1}: {value!r} is not the author's text"
    for i in sorted(changed):
        group = [s for s in scalars if s[0] <= i <= s[1]]
        first, last = min(s[0] for s in group), max(s[1] for s in group)
        if i != first:
            continue
        source = " ".join(before[first:last + 1])
        target = " ".join(after[first:last + 1])
        source, target = source.rstrip("\r"), target.rstrip("\r")
        for m in re.finditer(r"\s#", target):  # a comment kept after a repaired (quoted) value
            suffix = target[m.start():]
            if target[:m.start()].rstrip()[-1:] in ("'", '"', "]") and source.endswith(suffix):
                source = source[:-len(suffix)]
                break
        # What precedes the first changed character (indentation, dashes, key) is the same
        # on both sides; compare the rest of the line with the values that start there.
        start = next(n for n, (a, b) in enumerate(zip(source + "\0", target + "\1")) if a != b)
        start = max([col for f, _l, _v, col in scalars if f == first and col <= start], default=0)
        values = [v for f, _l, v, col in scalars if first <= f <= last and (f > first or col >= start)]
        source = source[start:]
        words = " ".join(values)
        assert _skeleton(source) == _skeleton(words), f"line {i + 1}: text dropped or added"


# --- the fixture families -------------------------------------------------------------------

@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_is_repaired_exactly(path: Path) -> None:
    original = path.read_bytes().decode("utf-8")
    fixed, families, changed, problems = fix_text(original)
    assert problems == []
    assert fixed == path.with_suffix(".expected").read_bytes().decode("utf-8")
    assert families and changed
    for block in split_blocks(fixed.replace("\r\n", "\n")).blocks:
        yaml.compose(block.text, Loader=yaml.SafeLoader)  # parses now
    assert_lossless(original, fixed)
    assert fix_text(fixed)[0] == fixed  # idempotent


@pytest.mark.parametrize("name,reason", sorted(REFUSED.items()))
def test_unrepairable_files_are_refused_with_a_reason(name: str, reason: str) -> None:
    result = fix_file(FIX / "refused" / name)
    assert result.status == "refused"
    assert result.fixed == result.original
    assert any(reason in p.reason for p in result.problems), result.problems
    assert all(p.line >= 1 for p in result.problems)


@pytest.mark.parametrize("path", HEALTHY, ids=lambda p: p.stem)
def test_healthy_files_are_never_rewritten(path: Path) -> None:
    result = fix_file(path)
    assert result.status == "clean" and not result.changed


def test_crlf_and_comments_survive() -> None:
    fixed = (FIX / "cases" / "crlf.expected").read_bytes()
    assert fixed.count(b"\r\n") == fixed.count(b"\n")
    assert b"# a comment that stays\r\n" in fixed and b'"Alpha: Beta"   # trailing comment stays\r\n' in fixed
    assert b'other: "fine"  \r\n' in fixed  # trailing spaces of an untouched line stay


def test_body_is_untouched() -> None:
    original = (FIX / "cases" / "colon.md").read_text("utf-8")
    fixed = (FIX / "cases" / "colon.expected").read_text("utf-8")
    assert original.split("---\n", 2)[2] == fixed.split("---\n", 2)[2]


def test_byte_order_mark_is_kept() -> None:
    fixed = fix_text("\ufeff---\nterm: A: B\ncanonical_id: A\n---\n")[0]
    assert fixed == '\ufeff---\nterm: "A: B"\ncanonical_id: A\n---\n'


def test_a_value_that_parses_alone_is_not_quoted() -> None:
    """Quoting `version: 0.1` would turn a number into text; only the broken value is touched."""
    fixed = fix_text("---\nversion: 0.1\nt: A: B\n---\n")[0]
    assert "version: 0.1\n" in fixed and 't: "A: B"' in fixed


# --- the helpers, as tables ---------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("plain", '"plain"'),
    ('has "quotes"', "'has \"quotes\"'"),
    ("it's", '"it\'s"'),
    ("back\\slash", "'back\\slash'"),
    ("both ' and \"", "'both '' and \"'"),
    ("ctrl\x01", '"ctrl\\u0001"'),
])
def test_quote(value: str, expected: str) -> None:
    assert quote(value) == expected
    assert yaml.safe_load(f"k: {quote(value)}")["k"] == value


@pytest.mark.parametrize("inner,items", [
    ("a, b", ["a", " b"]),
    ('"x, y", z', ['"x, y"', " z"]),
    ("f(a, b), c", ["f(a, b)", " c"]),
    ("`a, b`, c", ["`a, b`", " c"]),
    ("[0, 1), d", ["[0, 1)", " d"]),
    ("'it''s, ok', e", ["'it''s, ok'", " e"]),
])
def test_split_items(inner: str, items: list[str]) -> None:
    assert split_items(inner) == items


@pytest.mark.parametrize("inner,prose", [
    ('"Word" is a term, from which it is derived.', True),
    ("A JSON object, e.g., `{}`", True),
    ("alpha, beta, gamma", False),
    ("A peak, A second peak.", False),
    ("Insufficient data, noisy estimates.", True),
])
def test_is_prose(inner: str, prose: bool) -> None:
    assert is_prose(inner, split_items(inner)) is prose


def test_fold_matches_yaml() -> None:
    parts = ["first", "  second", "", "  third"]
    assert fold(parts) == yaml.safe_load("k: first\n  second\n\n  third\n")["k"]


# --- unseen input: random values written unquoted ---------------------------------------

_ALPHABET = st.sampled_from(list("abcXYZ019 :,[]{}`*>|&!%@'\"\\()#-?_.") + ["λ", "∞", "₀", ": ", ", "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, min_size=1, max_size=30).map("".join))
def test_random_plain_values_keep_their_text(raw: str) -> None:
    """Whatever an author writes after `key: `, a repair keeps it exactly or refuses."""
    value = raw.strip()
    if not value or value[0] in "[{'\"#" or re.search(r"\s#", value) or "\n" in value:
        return  # these start a list, a quote or a comment: covered by the table tests
    text = f"---\nterm: T\ncanonical_id: T\nvalue: {value}\n---\n"
    try:
        compose(split_blocks(text).blocks[0].text)
        return  # parses as written (by the loader's parser): nothing to repair
    except yaml.YAMLError:
        pass
    fixed, _families, _changed, problems = fix_text(text)
    if problems:
        assert fixed == text
        return
    data = yaml.safe_load(split_blocks(fixed).blocks[0].text)  # not str.split: a value may hold "---"
    assert data["value"] == value and data["term"] == "T"
    assert fix_text(fixed)[0] == fixed


# --- --merge-headers ----------------------------------------------------------------------

def test_merge_headers_keeps_the_fuller_value(tmp_path: Path) -> None:
    path = tmp_path / "T.md"
    path.write_text('---\nterm: "T"\ncanonical_id: "T"\nlicense: CC0\nversion: "0.1"\n---\n\n'
                    "---\nterm: T\ncanonical_id: T\nversion: 0.1\nsymbol: `x`\n---\nBody\n", "utf-8")
    result = merge_file_headers(fix_file(path))
    assert result.status == "fixed", result.problems
    assert result.fixed.count("---\n") == 2 and result.fixed.endswith("---\nBody\n")
    data = yaml.safe_load(result.fixed.split("---\n")[1])
    assert data == {"term": "T", "canonical_id": "T", "license": "CC0", "version": 0.1, "symbol": "`x`"}


def test_merge_headers_reports_conflicts(tmp_path: Path) -> None:
    path = tmp_path / "T.md"
    original = "---\nterm: T\nstatus: draft\n---\n---\nterm: T\nstatus: ratified\n---\n"
    path.write_text(original, "utf-8")
    result = merge_file_headers(fix_file(path))
    assert result.problems and "status" in result.problems[0].reason
    assert result.fixed == original  # not merged, not guessed


# --- the command --------------------------------------------------------------------------

def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compiler", *args], cwd=cwd, capture_output=True, text=True)


def test_cli_dry_run_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    for p in CASES + HEALTHY:
        (tmp_path / p.name).write_bytes(p.read_bytes())
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    run = _cli("fix", str(tmp_path), cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert "+title: \"Alpha: Beta\"" in run.stdout and run.stdout.startswith("--- a/")

    run = _cli("fix", str(tmp_path), "--write", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    for p in CASES:
        assert (tmp_path / p.name).read_bytes() == p.with_suffix(".expected").read_bytes()
    for p in HEALTHY:
        assert (tmp_path / p.name).read_bytes() == p.read_bytes()
    again = _cli("fix", str(tmp_path), "--write", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == ""


def test_cli_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text("---\nterm: A\n---\n", "utf-8")
    assert _cli("fix", str(tmp_path), cwd=tmp_path).returncode == 0
    (tmp_path / "tab.md").write_bytes((FIX / "refused" / "tab_indent.md").read_bytes())
    run = _cli("fix", str(tmp_path), "--write", cwd=tmp_path)
    assert run.returncode == 1 and "tab.md:5:1: cannot fix" in run.stderr
    assert _cli("fix", str(tmp_path / "missing"), cwd=tmp_path).returncode == 2


def test_the_lossless_check_catches_a_changed_or_dropped_word() -> None:
    original = "---\nt: A: B, C\n---\n"
    assert_lossless(original, '---\nt: "A: B, C"\n---\n')
    with pytest.raises(AssertionError):
        assert_lossless(original, '---\nt: "A: B, D"\n---\n')
    with pytest.raises(AssertionError):
        assert_lossless(original, '---\nt: "A: B"\n---\n')


_ITEM = st.lists(st.sampled_from(list("abZ09 :[]{}`*>|&'\"\\()#-.,?") + ["λ", "∞", ": ", "\\(", "''"]),
                 min_size=1, max_size=12).map("".join)


def _inside(header: str) -> str:
    """The YAML between the opening and the closing `---` (a value may itself hold `---`)."""
    return header[len("---\n"):header.rindex("---\n")]


@settings(max_examples=300, deadline=None)
@given(st.lists(_ITEM, min_size=1, max_size=4), st.sampled_from(["list", "value", "item"]))
@example(["----"], "item")
@example([":---"], "item")
def test_random_broken_lines_are_repaired_losslessly_or_refused(items: list[str], form: str) -> None:
    """Any one broken line (a `[...]` list, a value, a `- ` item): repaired without losing a word, or untouched."""
    text = {"list": "k: [" + ", ".join(items) + "]", "value": "k: " + " ".join(items),
            "item": "k:\n  - " + " ".join(items)}[form]
    header = f"---\n{text}\nz: end\n---\n"
    try:
        compose(_inside(header))
        return
    except yaml.YAMLError:
        pass
    fixed, _families, _changed, problems = fix_text(header)
    if problems:
        assert fixed == header
        return
    assert_lossless(header, fixed)
    assert yaml.safe_load(_inside(fixed))["z"] == "end"  # nothing below was swallowed
    assert fix_text(fixed)[0] == fixed


def test_write_keeps_the_mode_and_reports_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "T.md"
    path.write_text("---\nt: A: B\n---\n", "utf-8")
    path.chmod(0o640)
    assert write_fix(fix_file(path)) is None
    assert path.read_text("utf-8") == '---\nt: "A: B"\n---\n' and (path.stat().st_mode & 0o777) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["T.md"]
    path.write_text("---\nt: A: B\n---\n", "utf-8")
    result = fix_file(path)
    path.unlink()
    path.mkdir()  # the file became a folder: the write fails with a reason, no exception
    assert write_fix(result)


@pytest.mark.parametrize("before,after", [
    ('"my key": A: B\n', '"my key": "A: B"\n'),  # a quoted key
    ("m: {a: b: c}\n", 'm: "{a: b: c}"\n'),  # a broken flow mapping becomes its text
    ("long: first line\r\n  second: line\r\nnext: ok\r\n", 'long: "first line\r\n  second: line"\r\nnext: ok\r\n'),
    ('x: "unterminated\ny: 2\n', "x: '\"unterminated'\ny: 2\n"),  # an unbalanced quote is text
    ("txt: |\n  block: text\nnext: `x`\n", 'txt: |\n  block: text\nnext: "`x`"\n'),  # block scalars untouched
    ("note: value # comment: here\nt: `x`\n", 'note: value # comment: here\nt: "`x`"\n'),
    ("t: `x` # a comment\n", 't: "`x`" # a comment\n'),
])
def test_more_shapes(before: str, after: str) -> None:
    fixed, _families, _changed, problems = fix_text(f"---\n{before}---\n")
    assert problems == [] and fixed == f"---\n{after}---\n"
    assert_lossless(f"---\n{before}---\n", fixed)


@pytest.mark.parametrize("before", ["x: [a, , b]\n", "x: [a\n  , `b`,\n", "a:\n\tb: `c`\n"])
def test_left_alone(before: str) -> None:
    text = f"---\n{before}---\n"
    fixed, _families, _changed, problems = fix_text(text)
    assert problems and fixed == text


def test_a_rule_around_prose_is_not_a_header() -> None:
    text = "---\nThis page explains things.\nIt has a colon: here: and there.\n---\n"
    fixed, _families, _changed, problems = fix_text(text)
    assert fixed == text and "prose" in problems[0].reason


def test_merge_headers_never_drops_a_comment_or_a_key(tmp_path: Path) -> None:
    path = tmp_path / "T.md"
    original = "---\n# reviewed by A\nterm: T\n---\n---\nterm: T\nstatus: draft\n---\n"
    path.write_text(original, "utf-8")
    result = merge_file_headers(fix_file(path))
    assert result.fixed == original and "comments" in result.problems[0].reason
    path.write_text('---\n"odd key": x\nterm: T\n---\n---\nterm: T\n---\n', "utf-8")
    merged = merge_file_headers(fix_file(path))
    assert merged.problems == () and yaml.safe_load(merged.fixed.split("---\n")[1]) == {"odd key": "x", "term": "T"}
