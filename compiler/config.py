"""The glossary's configuration: `glossary.toml` or `[tool.compile-glossary]` in pyproject.toml.

Why looked up from the terms folder upward (never from the current folder alone): a
glossary carries its own settings wherever it is built from, like ruff and mypy find
theirs next to the code. The search stops at the repository root or the home folder and
never reads a file another user could have written, because a configuration names a
hooks folder whose code runs (``search_config``). Relative paths are taken from the
configuration file's folder for the same reason. Unknown keys are an error that names them, because a misspelt
key that is silently ignored is a setting the author believes in but does not have.

Layout (every key optional; `_` and `-` are interchangeable in key names)::

    terms = "dictionary"            # the terms folder
    modules = ["."]                 # module-document folders (str or list)
    modules-exclude = ["rejected_modules/"]  # gitignore-style patterns left out under them
    output = "site"                 # output folder
    title = "My glossary"

    [rules]
    select = ["ALL"]                # codes, stages (`graph`), globs (`link-*`) or ALL
    ignore = ["term-orphan"]
    severity = { link-dangling = "info" }
    [rules.per-file-ignores]
    "drafts/*.md" = ["link-dangling"]

    [checks]
    hooks = "hooks"
    reference-dirs = ["refs"]
    edition = "CODATA-2022"

    [analytics]
    similarity = false
    k = 8
    threshold = 0.2
    fields = ["pirouette_definition", "triad", "body"]

    [site]
    edit-url = "https://example.org/edit/{file}"
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from compiler.codes import make, selector_known
from compiler.diagnostics import Diagnostic, Severity
from compiler.spelling import closest


def _tomllib() -> Any:
    """The TOML parser, imported only when a TOML file is read (a build without one does not pay for the import)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found]
    return tomllib


CONFIG_NAMES = ("glossary.toml", "pyproject.toml")
PYPROJECT_TABLE = ("tool", "compile-glossary")


@dataclass(frozen=True)
class RuleConfig:
    """Rule levels, like ruff: which codes are reported, and how loudly."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class ChecksConfig:
    hooks_dir: Path | None = None
    reference_dirs: tuple[Path, ...] = ()
    edition: str | None = None


@dataclass(frozen=True)
class AnalyticsConfig:
    similarity: bool = False
    k: int = 8
    threshold: float = 0.2
    fields: tuple[str, ...] = ("definition", "pirouette_definition", "triad", "justification", "body")


@dataclass(frozen=True)
class SiteConfig:
    edit_url: str | None = None


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know besides the term files themselves."""

    root: Path
    terms_dir: Path
    module_dirs: tuple[Path, ...] = ()
    # gitignore-style patterns of files and folders under a module folder that are not read
    # (`rejected_modules/`), matched against paths relative to each module folder
    modules_exclude: tuple[str, ...] = ()
    output_dir: Path | None = None
    title: str = "Glossary"
    rules: RuleConfig = field(default_factory=RuleConfig)
    checks: ChecksConfig = field(default_factory=ChecksConfig)
    analytics: AnalyticsConfig = field(default_factory=AnalyticsConfig)
    site: SiteConfig = field(default_factory=SiteConfig)
    file: Path | None = None  # the configuration file that was read, if any


def default_config(terms_dir: Path) -> Config:
    terms_dir = Path(terms_dir).resolve()
    return Config(root=terms_dir, terms_dir=terms_dir)


# --- finding the file -------------------------------------------------------------------


def find_config(terms_dir: Path) -> Path | None:
    """The nearest trusted configuration file from ``terms_dir`` upward, or None (see ``search_config``)."""
    return search_config(terms_dir)[0]


def distrust(path: Path | str) -> str | None:
    """Why a file or folder must not give a configuration (or hooks), or None when it may.

    Like git's ``safe.directory``: another user's folder, or one any user may write to
    (``/tmp``), can hold a file this user never wrote, and a configuration can name a
    hooks folder whose code the build runs. Root's own folders are trusted."""
    if not hasattr(os, "geteuid"):  # pragma: no cover - no owners to compare on this platform
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    if st.st_uid not in (os.geteuid(), 0):
        return f"{path} belongs to another user (uid {st.st_uid})"
    if st.st_mode & 0o002:
        return f"{path} is writable by every user"
    return None


def search_config(terms_dir: Path) -> tuple[Path | None, list[Diagnostic]]:
    """The nearest configuration file from ``terms_dir`` upward, and why any was ignored.

    The search stops at the nearest repository root (a folder holding ``.git``) or at the
    home folder, whichever comes first, and at the first folder that is not trusted
    (``distrust``): a ``/tmp/glossary.toml`` on a shared machine is never picked up by a
    glossary below it. A configuration found in an untrusted place is reported
    (``config-untrusted``) and not read.

    A pyproject.toml counts only when it has a ``[tool.compile-glossary]`` table, so a
    glossary inside a Python project is not captured by the project's own pyproject.
    A broken glossary.toml is returned too, so the caller reports it; a broken pyproject.toml
    is skipped (it belongs to the Python project, not to the glossary).
    """
    start = Path(os.path.realpath(terms_dir))
    try:
        home = Path(os.path.realpath(Path.home()))
    except (KeyError, RuntimeError):  # no home folder known
        home = None
    for folder in (start, *start.parents):
        candidates = [folder / name for name in CONFIG_NAMES if (folder / name).is_file()]
        why = distrust(folder)
        for candidate in candidates:
            why = why or distrust(candidate)
            if why is not None:
                return None, [make("config-untrusted", str(candidate), 0, 0,
                                   f"the configuration {candidate} was ignored: {why}",
                                   hint="Put the glossary's configuration in its repository, or pass it with --config.")]
            if candidate.name == "pyproject.toml":
                tomllib = _tomllib()
                try:
                    table = _pyproject_table(tomllib.loads(candidate.read_text(encoding="utf-8")))
                except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                    continue  # a broken pyproject is not ours to report
                if table is None:
                    continue
            return candidate, []
        if why is not None or os.path.lexists(folder / ".git") or folder == home:
            break
    return None, []


def _pyproject_table(doc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    tool = doc.get(PYPROJECT_TABLE[0])
    if not isinstance(tool, dict):
        return None
    table = tool.get(PYPROJECT_TABLE[1])
    return table if isinstance(table, dict) else None


# --- reading and checking -----------------------------------------------------------------


@dataclass
class _Reader:
    """Collects diagnostics while turning the raw TOML table into a Config."""

    file: Path
    display: str
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def line_of(self, key: str) -> int:
        """Best-effort line of ``key`` (tomllib keeps no positions): a key line, then an inline key."""
        quoted = r'"?' + re.escape(key) + r'"?'
        patterns = (re.compile(r"^\s*(\[+\s*)?(?:[\w.-]+\.)?" + quoted + r"\s*(=|\]|\.)"),
                    re.compile(r"(^|[\s{,])" + quoted + r"\s*="))
        lines = self.text.splitlines()
        for pattern in patterns:
            for number, line in enumerate(lines, 1):
                if pattern.search(line):
                    return number
        return 0

    def report(self, code: str, key: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(make(code, self.display, self.line_of(key.rsplit(".", 1)[-1]), 1 if key else 0,
                                     message, hint=hint, pointer="/" + key.replace(".", "/")))

    def path(self, value: str) -> Path:
        return (self.file.parent / value).resolve()


def _norm_keys(reader: _Reader, table: Mapping[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        norm = key.replace("_", "-")
        if norm in out:
            reader.report("config-value", f"{where}{key}", f"`{key}` is given twice (as `_` and `-` spellings)")
        out[norm] = value
    return out


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _str_or_list(v: Any) -> bool:
    return _is_str(v) or _is_str_list(v)


def _as_list(v: Any) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


# key -> (accepts the raw value?, what was expected) for every section; the dispatch
# table that both validates types and lists the known keys.
Validator = tuple[Callable[[Any], bool], str]
TOP_KEYS: dict[str, Validator] = {
    "terms": (_is_str, "a folder path"),
    "modules": (_str_or_list, "a folder path or a list of them"),
    "modules-exclude": (_str_or_list, "a gitignore-style pattern or a list of them"),
    "output": (_is_str, "a folder path"),
    "title": (_is_str, "text"),
    "rules": (lambda v: isinstance(v, dict), "a table"),
    "checks": (lambda v: isinstance(v, dict), "a table"),
    "analytics": (lambda v: isinstance(v, dict), "a table"),
    "site": (lambda v: isinstance(v, dict), "a table"),
}
SECTION_KEYS: dict[str, dict[str, Validator]] = {
    "rules": {
        "select": (_is_str_list, "a list of codes"),
        "ignore": (_is_str_list, "a list of codes"),
        "severity": (lambda v: isinstance(v, dict), "a table of code = \"error\" | \"warning\" | \"info\""),
        "per-file-ignores": (lambda v: isinstance(v, dict) and all(_str_or_list(x) for x in v.values()),
                             "a table of glob = [codes]"),
    },
    "checks": {
        "hooks": (_is_str, "a folder path"),
        "reference-dirs": (_str_or_list, "a folder path or a list of them"),
        "edition": (_is_str, "text"),
    },
    "analytics": {
        "similarity": (lambda v: isinstance(v, bool), "true or false"),
        "k": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0, "a whole number above 0"),
        "threshold": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1,
                      "a number from 0 to 1"),
        "fields": (_is_str_list, "a list of field names"),
    },
    "site": {
        "edit-url": (_is_str, "a URL (may contain {file} and {id})"),
    },
}


def _checked(reader: _Reader, table: Mapping[str, Any], known: Mapping[str, Validator], where: str) -> dict[str, Any]:
    """Keep the known keys whose values have the right type; report the rest."""
    table = _norm_keys(reader, table, where)
    for key in (k for k in table if k not in known):
        close = closest(key, known)
        hint = f"did you mean `{where}{close}`?" if close else "known keys here: " + ", ".join(sorted(known))
        reader.report("config-unknown-key", f"{where}{key}", f"unknown configuration key `{where}{key}`", hint=hint)
    good: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            continue
        accepts, expected = known[key]
        if accepts(value):
            good[key] = value
        else:
            reader.report("config-value", f"{where}{key}", f"`{where}{key}` should be {expected}, not {value!r}")
    return good


def _rules(reader: _Reader, raw: Mapping[str, Any]) -> RuleConfig:
    t = _checked(reader, raw, SECTION_KEYS["rules"], "rules.")
    severity: list[tuple[str, Severity]] = []
    for code, level in t.get("severity", {}).items():
        try:
            severity.append((code, Severity(str(level).lower())))
        except ValueError:
            reader.report("config-value", f"rules.severity.{code}",
                          f"severity of `{code}` should be \"error\", \"warning\" or \"info\", not {level!r}")
    per_file = tuple((glob, tuple(_as_list(codes))) for glob, codes in t.get("per-file-ignores", {}).items())
    rules = RuleConfig(
        select=tuple(t.get("select", RuleConfig.select)),
        ignore=tuple(t.get("ignore", ())),
        severity=tuple(severity),
        per_file_ignores=per_file,
    )
    selectors = [*rules.select, *rules.ignore, *(c for c, _ in rules.severity), *(c for _, cs in per_file for c in cs)]
    for selector in dict.fromkeys(selectors):
        if not selector_known(selector):
            reader.report("config-unknown-code", f"rules.{selector}", f"rule selector `{selector}` matches no code",
                          hint="run `compile-glossary codes` for the list of codes")
    return rules


def _patterns(reader: _Reader, values: list[str], key: str) -> tuple[str, ...]:
    """The patterns gitignore's rules can read; the others reported and left out."""
    kept = []
    for value in values:
        if pattern_error(value) is None:
            kept.append(value)
        else:
            reader.report("config-value", key, f"`{key}` pattern `{value}` is not a gitignore-style pattern:"
                          f" {pattern_error(value)}")
    return tuple(kept)


def pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` is no gitignore-style pattern, or None."""
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except (ValueError, TypeError) as exc:
        return str(exc) or type(exc).__name__
    return None


def excluded(patterns: tuple[str, ...] | list[str]) -> Callable[[str], bool] | None:
    """A test of a path relative to a module folder (a folder's ending in ``/``): is it left out by
    ``patterns``, as git's ``.gitignore`` would leave it out? None when there are no patterns.

    Why pathspec: gitignore's rules (``dir/``, ``**``, ``!keep.md``, a leading ``/``) are what
    authors know, and pathspec implements them as git does; fnmatch has none of them."""
    if not patterns:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(list(patterns)).match_file


def with_command_line(config: Config, module_dirs: tuple[Path, ...] = (), modules_exclude: tuple[str, ...] = ()) -> Config:
    """``config`` with the module folders and exclude patterns given on the command line added to its own."""
    if not module_dirs and not modules_exclude:
        return config
    from dataclasses import replace

    return replace(config, module_dirs=config.module_dirs + tuple(p.resolve() for p in module_dirs),
                   modules_exclude=config.modules_exclude + tuple(modules_exclude))


def _paths(reader: _Reader, values: list[str], key: str) -> tuple[Path, ...]:
    out = []
    for value in values:
        path = reader.path(value)
        if not path.is_dir():
            reader.report("config-path-missing", key, f"`{key}` names `{value}`, which is not a folder ({path})")
        out.append(path)
    return tuple(out)


def _hooks_dir(reader: _Reader, checks: Mapping[str, Any]) -> Path | None:
    """The hooks folder, unless another user could have put code in it (``distrust``)."""
    if "hooks" not in checks:
        return None
    folder = reader.path(checks["hooks"])
    why = distrust(folder)
    if why is not None:
        reader.report("config-untrusted", "checks.hooks", f"the hooks folder is not used: {why}",
                      hint="Hooks are code the build runs: keep them in a folder only you can write to.")
        return None
    return folder


def _build(reader: _Reader, raw: Mapping[str, Any], terms_dir: Path) -> Config:
    top = _checked(reader, raw, TOP_KEYS, "")
    root = reader.file.parent.resolve()
    # `terms` applies when the folder the user named is the configuration's own folder
    # (`compile-glossary build .` at the glossary's root); a folder named explicitly wins.
    if "terms" in top and terms_dir == root:
        terms_dir = reader.path(top["terms"])
    checks_raw = _checked(reader, top.get("checks", {}), SECTION_KEYS["checks"], "checks.")
    analytics_raw = _checked(reader, top.get("analytics", {}), SECTION_KEYS["analytics"], "analytics.")
    site_raw = _checked(reader, top.get("site", {}), SECTION_KEYS["site"], "site.")
    defaults = AnalyticsConfig()
    return Config(
        root=root,
        terms_dir=terms_dir,
        module_dirs=_paths(reader, _as_list(top.get("modules", [])), "modules"),
        modules_exclude=_patterns(reader, _as_list(top.get("modules-exclude", [])), "modules-exclude"),
        output_dir=reader.path(top["output"]) if "output" in top else None,
        title=top.get("title", Config.title),
        rules=_rules(reader, top.get("rules", {})),
        checks=ChecksConfig(
            hooks_dir=_hooks_dir(reader, checks_raw),
            reference_dirs=_paths(reader, _as_list(checks_raw.get("reference-dirs", [])), "checks.reference-dirs"),
            edition=checks_raw.get("edition"),
        ),
        analytics=AnalyticsConfig(
            similarity=analytics_raw.get("similarity", defaults.similarity),
            k=analytics_raw.get("k", defaults.k),
            threshold=float(analytics_raw.get("threshold", defaults.threshold)),
            fields=tuple(analytics_raw.get("fields", defaults.fields)),
        ),
        site=SiteConfig(edit_url=site_raw.get("edit-url")),
        file=reader.file,
    )


def load_config(terms_dir: Path, explicit: Path | None = None) -> tuple[Config, list[Diagnostic]]:
    """Read the configuration for the glossary in ``terms_dir``; defaults when there is none.

    ``explicit`` is the ``--config FILE`` of the command line: a glossary.toml or a
    pyproject.toml. Never raises for a user's mistake: a broken file gives diagnostics
    and the defaults for whatever could not be read.
    """
    terms_dir = Path(terms_dir).resolve()
    diagnostics: list[Diagnostic] = []
    if explicit is not None:
        file = Path(explicit).resolve()
        if not file.is_file():
            display = str(explicit)
            return default_config(terms_dir), [make("config-not-found", display, 0, 0,
                                                    f"configuration file `{display}` does not exist")]
    else:
        found, diagnostics = search_config(terms_dir)
        if found is None:
            return default_config(terms_dir), diagnostics
        file = found
    display = os.path.relpath(file, terms_dir) if terms_dir.exists() else str(file)
    tomllib = _tomllib()
    try:
        text = file.read_text(encoding="utf-8")
        doc = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        line = _toml_error_line(exc)
        return default_config(terms_dir), [make("config-syntax", display, line, 1 if line else 0,
                                                f"cannot read the configuration: {exc}")]
    reader = _Reader(file=file, display=display, text=text)
    if file.name == "pyproject.toml":
        table = _pyproject_table(doc)
        if table is None:
            reader.report("config-value", "", "pyproject.toml has no [tool.compile-glossary] table")
            table = {}
        doc = dict(table)
    config = _build(reader, doc, terms_dir)
    return config, reader.diagnostics


def _toml_error_line(exc: Exception) -> int:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else 0


__all__ = ["Config", "RuleConfig", "ChecksConfig", "AnalyticsConfig", "SiteConfig",
           "load_config", "find_config", "search_config", "distrust", "default_config"]
