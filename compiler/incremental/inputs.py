"""What a build reads: the one inventory of its inputs.

The build cache's key, the no-op fast path's stamps and the ``serve`` watcher all ask
this module, so they cannot disagree about what a build depends on: the term files, the
configuration file (found upward or named), the module folders (from the configuration
and the command line), the hook folder, the reference data, the compiler's own code,
schema and templates, the libraries whose answers reach the output, and the command
line's choices. Every folder is listed by the one walker (compiler.load.walk).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from importlib.machinery import PathFinder
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from compiler.load.walk import Found, walk
from compiler.version import __version__

if TYPE_CHECKING:
    from compiler.config import Config
    from compiler.stages import Options

# Libraries whose answers reach a build's output (cycles, Markdown, templates, YAML, numbers):
# an upgrade changes their files, and with them the cache key and the stamps.
LIBRARIES = ("networkx", "numpy", "scipy", "yaml", "jsonschema", "fastjsonschema", "jinja2", "markupsafe",
             "markdown_it", "latex2mathml", "sknetwork")
PACKAGE = Path(__file__).resolve().parents[1]  # the compiler package, every stage of it


@dataclass(frozen=True)
class Inputs:
    """Everything one build reads besides what it is told on the command line (``settings``)."""

    terms_dir: Path
    config_file: Path | None
    module_dirs: tuple[Path, ...]
    hooks_dir: Path | None
    reference_dirs: tuple[Path, ...]
    package_dirs: tuple[Path, ...]  # the compiler's code, schema and site templates
    settings: tuple[str, ...]  # the command line's choices that change a result

    def folders(self) -> list[tuple[Path, tuple[str, ...] | None]]:
        """Each input folder (or file) with the file names it reads (None: every file), the terms folder first."""
        return [(self.terms_dir, None), *((p, None) for p in self.package_dirs),
                *((p, (".md",)) for p in self.module_dirs),
                *([(self.hooks_dir, (".py",))] if self.hooks_dir is not None else []),
                *((p, None) for p in self.reference_dirs),
                *([(self.config_file, None)] if self.config_file is not None else [])]

    def watched(self) -> list[Path]:
        """What ``serve`` watches: every input folder and file."""
        return [path for path, _ in self.folders()]


def _resource_dir(package: str) -> Path | None:
    from importlib import resources

    try:
        return Path(str(resources.files(package)))
    except (ModuleNotFoundError, TypeError):
        return None


def inputs_of(terms_dir: Path, config: Config, options: Options) -> Inputs:
    """The inputs of building ``terms_dir`` with ``config`` (module folders of the command line merged
    in) and the command line's ``options``."""
    package_dirs = tuple(dict.fromkeys(p for p in (PACKAGE, _resource_dir("compiler._schema"),
                                                   _resource_dir("compiler._site")) if p is not None))
    settings = (f"version={__version__}", f"edition={options.edition}", f"checks={options.checks}",
                f"config={options.config_file}", f"modules={[str(p) for p in config.module_dirs]}",
                f"modules-exclude={list(config.modules_exclude)}",
                *(f"library={stamp}" for stamp in library_stamps()))
    return Inputs(terms_dir.resolve(), config.file, tuple(config.module_dirs), config.checks.hooks_dir,
                  tuple(config.checks.reference_dirs), package_dirs, settings)


def library_stamps() -> Iterator[str]:
    """Size and mtime of each library's ``__init__.py``, found as the import system finds it (no import)."""
    for name in LIBRARIES:
        spec = PathFinder.find_spec(name)
        if spec is None or spec.origin is None:
            yield f"{name}:absent"
            continue
        try:
            st = os.stat(spec.origin)
        except OSError:
            yield f"{name}:{spec.origin}"
            continue
        yield f"{name}:{spec.origin}:{st.st_size}:{st.st_mtime_ns}"


def files_of(folder: Path | None, suffixes: tuple[str, ...] | None) -> list[Found]:
    """Each file the build reads in ``folder`` (a folder, or a single file), by the one walker."""
    if folder is None:
        return []
    try:
        st = os.stat(folder)
    except OSError:
        return []
    if not stat.S_ISDIR(st.st_mode):
        return [Found(str(folder), folder.name, st)]
    return walk(folder, suffixes=suffixes)[0]


def stamp_line(found: Found) -> str:
    """What says a file did not change: path, size, mtime, inode and ctime (a restored mtime still shows)."""
    st = found.stat
    return f"{found.path}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}:{st.st_ctime_ns}"


def environment_key(inputs: Inputs, config: Config) -> str:
    """The build cache's key: everything besides the term files and module documents (kept file by
    file) that can change a result. A cache made under another key is dropped whole."""
    from compiler.incremental.cache import environment_key as key_of

    parts: list[tuple[str, bytes | str]] = [("settings", "\n".join(inputs.settings)), ("config", repr(config))]
    for folder, suffixes in inputs.folders()[1:]:
        if folder in inputs.module_dirs:
            continue
        parts.append((str(folder), "\n".join(map(stamp_line, files_of(folder, suffixes)))))
    if inputs.config_file is not None and inputs.config_file.is_file():
        parts.append(("config-file", inputs.config_file.read_bytes()))
    return key_of(parts)


__all__ = ["Inputs", "inputs_of", "environment_key", "files_of", "stamp_line", "library_stamps", "LIBRARIES"]
