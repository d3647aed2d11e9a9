"""Configuration: where it is found, how paths resolve, and every mistake as a diagnostic."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.config import Config, load_config
from compiler.diagnostics import Severity


def glossary(tmp_path: Path, text: str, name: str = "glossary.toml") -> Path:
    """A glossary root with a terms/ folder and the given configuration file."""
    (tmp_path / "terms").mkdir(exist_ok=True)
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / "terms"


def test_no_configuration_gives_defaults(tmp_path: Path) -> None:
    config, diags = load_config(tmp_path)
    assert diags == [] and config.file is None
    assert (config.root, config.terms_dir, config.module_dirs, config.output_dir) == (tmp_path.resolve(),) * 2 + ((), None)
    assert config.rules.select == ("ALL",) and config.analytics.similarity is False


def test_found_from_the_terms_folder_upward_with_paths_from_its_folder(tmp_path: Path) -> None:
    (tmp_path / "mods").mkdir()
    terms = glossary(tmp_path, 'modules = ["mods"]\noutput = "out"\ntitle = "T"\n[checks]\nhooks = "hooks"\n')
    deep = terms / "a" / "b"
    deep.mkdir(parents=True)
    config, diags = load_config(deep)
    assert diags == []
    assert config.file == tmp_path / "glossary.toml" and config.root == tmp_path.resolve()
    assert config.module_dirs == (tmp_path / "mods",) and config.output_dir == tmp_path / "out"
    assert config.checks.hooks_dir == tmp_path / "hooks" and config.title == "T"
    assert config.terms_dir == deep.resolve()  # a folder named explicitly wins over `terms`


def test_never_from_the_current_folder_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    (elsewhere / "glossary.toml").write_text('title = "wrong"\n', encoding="utf-8")
    terms = tmp_path / "glossary" / "terms"
    terms.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    config, _ = load_config(terms)
    assert config.file is None and config.title == "Glossary"


def test_terms_key_applies_when_the_root_is_named(tmp_path: Path) -> None:
    glossary(tmp_path, 'terms = "terms"\n')
    config, _ = load_config(tmp_path)
    assert config.terms_dir == (tmp_path / "terms").resolve()


def test_pyproject_table_and_precedence(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    inner = outer / "project"
    terms = inner / "terms"
    terms.mkdir(parents=True)
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")  # no table: skipped
    (outer / "pyproject.toml").write_text('[tool.compile-glossary]\ntitle = "From pyproject"\n', encoding="utf-8")
    config, diags = load_config(terms)
    assert diags == [] and config.title == "From pyproject" and config.root == outer.resolve()
    (inner / "glossary.toml").write_text('title = "From glossary.toml"\n', encoding="utf-8")
    assert load_config(terms)[0].title == "From glossary.toml"


def test_explicit_file(tmp_path: Path) -> None:
    other = tmp_path / "conf" / "my.toml"
    other.parent.mkdir()
    other.write_text('modules = ["m"]\n', encoding="utf-8")
    (tmp_path / "conf" / "m").mkdir()
    config, diags = load_config(tmp_path, explicit=other)
    assert diags == [] and config.module_dirs == (tmp_path / "conf" / "m",)
    config, diags = load_config(tmp_path, explicit=tmp_path / "nope.toml")
    assert [d.code for d in diags] == ["config-not-found"] and config.file is None


def test_underscore_and_dash_spellings_are_the_same_key(tmp_path: Path) -> None:
    terms = glossary(tmp_path, '[rules]\nper_file_ignores = { "x/*" = "link" }\n[site]\nedit_url = "u/{file}"\n')
    config, diags = load_config(terms)
    assert diags == []
    assert config.rules.per_file_ignores == (("x/*", ("link",)),) and config.site.edit_url == "u/{file}"


def test_full_configuration(tmp_path: Path) -> None:
    terms = glossary(tmp_path, """
[rules]
select = ["graph", "load"]
ignore = ["term-orphan"]
severity = { link-dangling = "info", "link-*" = "ERROR" }
[analytics]
similarity = true
k = 5
threshold = 0.4
fields = ["body"]
""")
    config, diags = load_config(terms)
    assert diags == []
    assert config.rules.select == ("graph", "load") and config.rules.ignore == ("term-orphan",)
    assert config.rules.severity == (("link-dangling", Severity.INFO), ("link-*", Severity.ERROR))
    assert (config.analytics.similarity, config.analytics.k, config.analytics.threshold,
            config.analytics.fields) == (True, 5, 0.4, ("body",))


MISTAKES = [
    # (config text, code, line, message part)
    ('title = "x"\nmodulez = []\n', "config-unknown-key", 2, "unknown configuration key `modulez`"),
    ('[rules]\nselct = ["ALL"]\n', "config-unknown-key", 2, "`rules.selct`"),
    ('[colors]\nx = 1\n', "config-unknown-key", 1, "`colors`"),
    ('title = 3\n', "config-value", 1, "`title` should be text"),
    ('[analytics]\nk = 0\n', "config-value", 2, "`analytics.k` should be a whole number above 0"),
    ('[analytics]\nthreshold = 2\n', "config-value", 2, "from 0 to 1"),
    ('[rules]\nseverity = { term-orphan = "loud" }\n', "config-value", 2, "severity of `term-orphan`"),
    ('[rules]\nignore = ["term-orphn"]\n', "config-unknown-code", 0, "`term-orphn` matches no code"),
    ('modules = ["no-such-folder"]\n', "config-path-missing", 1, "no-such-folder"),
    ('title = "unclosed\n', "config-syntax", 1, "cannot read"),
]


@pytest.mark.parametrize("text,code,line,part", MISTAKES)
def test_mistakes_are_located_diagnostics(tmp_path: Path, text: str, code: str, line: int, part: str) -> None:
    config, diags = load_config(glossary(tmp_path, text))
    assert isinstance(config, Config)
    assert [d.code for d in diags] == [code], diags
    assert diags[0].file == "../glossary.toml" and part in diags[0].message
    if line:
        assert diags[0].line == line


def test_explicit_pyproject_without_table_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    _, diags = load_config(tmp_path, explicit=tmp_path / "pyproject.toml")
    assert [d.code for d in diags] == ["config-value"]


def test_each_unknown_key_is_named_and_located_with_a_suggestion(tmp_path: Path) -> None:
    _, diags = load_config(glossary(tmp_path, 'titel = "x"\n[rules]\nselct = ["ALL"]\nzzz = 1\n'))
    got = [(d.code, d.line, d.message, d.hint) for d in diags]
    assert got == [
        ("config-unknown-key", 1, "unknown configuration key `titel`", "did you mean `title`?"),
        ("config-unknown-key", 3, "unknown configuration key `rules.selct`", "did you mean `rules.select`?"),
        ("config-unknown-key", 4, "unknown configuration key `rules.zzz`",
         "known keys here: ignore, per-file-ignores, select, severity"),
    ]


# --- where a configuration may come from (issue 21) ---------------------------------------

EVIL_HOOK = "from pathlib import Path\nPath(__file__).with_name('RAN').write_text('hook ran')\n"
TERM_WITH_HINT = ("---\nterm: Energy\ncanonical_id: ENERGY\nformal_mappings:\n  candidates:\n"
                  "    - equation_hint: \"E = m c^2\"\n---\n\nBody.\n")


def _shared_parent(tmp_path: Path, mode: int) -> tuple[Path, Path]:
    """A parent folder with a configuration naming a hooks folder, and a glossary below it."""
    shared = tmp_path / "shared"
    (shared / "evil").mkdir(parents=True)
    (shared / "evil" / "evil.py").write_text(EVIL_HOOK)
    (shared / "glossary.toml").write_text('title = "planted"\n[checks]\nhooks = "evil"\n')
    terms = shared / "victim" / "terms"
    terms.mkdir(parents=True)
    (terms / "ENERGY.md").write_text(TERM_WITH_HINT)
    shared.chmod(mode)
    return shared, terms


def test_a_configuration_in_a_folder_everyone_may_write_is_ignored_and_its_hooks_never_run(tmp_path: Path) -> None:
    import subprocess
    import sys

    shared, terms = _shared_parent(tmp_path, 0o1777)  # like /tmp
    config, diags = load_config(terms)
    assert config.file is None and config.checks.hooks_dir is None
    assert [(d.code, d.severity) for d in diags] == [("config-untrusted", Severity.WARNING)]
    assert "writable by every user" in diags[0].message
    proc = subprocess.run([sys.executable, "-m", "compiler", "validate", str(terms)], capture_output=True, text=True,
                          timeout=300)
    assert not (shared / "evil" / "RAN").exists()
    assert "config-untrusted" in proc.stdout and "configuration: none found (defaults)" in proc.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a folder away")
def test_a_configuration_in_another_users_folder_is_ignored(tmp_path: Path) -> None:
    shared, terms = _shared_parent(tmp_path, 0o755)
    os.chown(shared, 65534, 65534)  # nobody
    config, diags = load_config(terms)
    assert config.file is None and [d.code for d in diags] == ["config-untrusted"]
    assert "another user" in diags[0].message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root's folders are trusted")
def test_another_users_folder_is_distrusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ownership rule without root: this user's id is made to differ from the folder's owner."""
    from compiler import config as config_module

    shared, terms = _shared_parent(tmp_path, 0o755)
    monkeypatch.setattr(config_module.os, "geteuid", lambda: os.stat(shared).st_uid + 1)
    assert "another user" in (config_module.distrust(shared) or "")
    assert load_config(terms)[0].file is None


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "glossary.toml").write_text('title = "above the repository"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    terms = repo / "terms"
    terms.mkdir()
    config, diags = load_config(terms)
    assert config.file is None and diags == []
    (repo / "glossary.toml").write_text('title = "the repository\'s"\n')
    assert load_config(terms)[0].title == "the repository's"


def test_the_search_stops_at_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "glossary.toml").write_text('title = "above home"\n')
    home = tmp_path / "home"
    terms = home / "glossary" / "terms"
    terms.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    config, _ = load_config(terms)
    assert config.file is None
    (home / "glossary.toml").write_text('title = "in home"\n')
    assert load_config(terms)[0].title == "in home"


def test_a_hooks_folder_everyone_may_write_is_not_used(tmp_path: Path) -> None:
    terms = glossary(tmp_path, '[checks]\nhooks = "hooks"\n')
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks").chmod(0o777)
    config, diags = load_config(terms)
    assert config.checks.hooks_dir is None
    assert [(d.code, d.line) for d in diags] == [("config-untrusted", 2)]


def test_validate_and_build_name_the_configuration_they_read(tmp_path: Path) -> None:
    import subprocess
    import sys

    terms = glossary(tmp_path, 'title = "Named"\n')
    (terms / "ENERGY.md").write_text(TERM_WITH_HINT)
    for command in (["validate", str(terms)], ["build", str(terms), "-o", str(tmp_path / "site"), "--no-cache"]):
        proc = subprocess.run([sys.executable, "-m", "compiler", *command], capture_output=True, text=True, timeout=300)
        assert f"configuration: {tmp_path / 'glossary.toml'}" in proc.stderr, proc.stderr
