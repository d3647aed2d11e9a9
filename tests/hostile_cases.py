"""Hostile inputs that git cannot store, made on the spot: one table for the tests and the benchmark.

Each case writes its hostile file(s) into a folder that already holds a healthy term,
``HEALTHY.md``; ``tests/test_hostile_inputs.py`` builds the folder and checks the exit
code, the diagnostic code and the healthy neighbour's page, and ``bench/bench_hostile.py``
runs each case in a fresh process for its time and peak memory. Issue 21 lists where
each case comes from (the numbers below are its items).
"""
from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HEALTHY = "---\nterm: Healthy\ncanonical_id: HEALTHY\n---\n\nA healthy neighbour.\n"


class Unsupported(Exception):
    """This platform or user cannot make the case (no mkfifo, no mknod)."""


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], None]
    code: str  # the diagnostic code the hostile file must give
    exit: int  # of `build` (and `validate`): 0 when the file only warns, 1 when it is an error


def _text(name: str, text: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / name).write_text(text, "utf-8")
    return make


def _header(ident: str, extra: str) -> str:
    return f"---\nterm: {ident.title()}\ncanonical_id: {ident}\n{extra}---\n\nBody.\n"


def _anchored_string(size: int, times: int) -> str:
    """Item 4: one anchored string of ``size`` characters named by ``times`` aliases (within maxItems)."""
    return _header("BOMB", f"symbol: &s {'x' * size}\naliases: [{', '.join(['*s'] * times)}]\n")


def _flow_list(items: int, tab: bool = False) -> str:
    """Item 4: a flow list of ``items`` items (7M: 14 MB), optionally with a tab (PyYAML's pure parser)."""
    return _header("FLOW", ("symbol:\t x\n" if tab else "") + f"aliases: [{','.join(['a'] * items)}]\n")


def _many_aliases(count: int) -> str:
    return _header("MANY", "aliases:\n" + "".join(f"  - alias {i}\n" for i in range(count)))


MC_HINT = " * ".join(["(1.0 ± 0.1)^2"] * 30) + " = 1.0"  # non-linear, 10 % inputs: Monte Carlo, ~150 nodes


def _anchored_hint(candidates: int) -> str:
    """Item 4: one anchored equation hint named by ``candidates`` candidates (70 s of Monte Carlo before)."""
    items = [f'    - equation_hint: &h "{MC_HINT}"\n'] + ["    - equation_hint: *h\n"] * (candidates - 1)
    return _header("HINTS", "formal_mappings:\n  candidates:\n" + "".join(items))


def _symlink(name: str, target: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / name).symlink_to(target)
    return make


def _fifo(folder: Path) -> None:
    if not hasattr(os, "mkfifo"):
        raise Unsupported("no mkfifo on this platform")
    os.mkfifo(folder / "fifo.md")


def _device(folder: Path) -> None:
    """Item 3: a character device named zero.md (/dev/zero's numbers), where mknod is permitted."""
    try:
        st = os.stat("/dev/zero")
        os.mknod(folder / "zero.md", stat.S_IFCHR | 0o600, st.st_rdev)
    except (OSError, AttributeError) as exc:
        raise Unsupported(f"cannot make a device here: {exc}") from None


def _device_link_inside(folder: Path) -> None:
    """A link inside the folder to a device inside it: followed only to a regular file."""
    _device(folder)
    (folder / "zero.md").rename(folder / "zero.dev")
    (folder / "zero.md").symlink_to("zero.dev")


CASES: tuple[Case, ...] = (
    Case("lone_surrogate", _text("SUR.md", _header("SUR", 'symbol: "\\ud800"\n')), "text-invalid-char", 0),
    Case("symlink_loop", _symlink("self.md", "self.md"), "file-symlink", 0),
    Case("symlink_dangling", _symlink("gone.md", "nowhere.md"), "file-symlink", 0),
    Case("symlink_to_dev_zero", _symlink("zero.md", "/dev/zero"), "file-symlink", 0),
    Case("fifo", _fifo, "file-special", 0),
    Case("char_device", _device, "file-special", 0),
    Case("link_to_device_inside", _device_link_inside, "file-special", 0),
    Case("anchored_1mb_x1000", _text("BOMB.md", _anchored_string(1_000_000, 1000)), "yaml-too-large", 1),
    Case("anchored_304kb_x1000", _text("BOMB.md", _anchored_string(304_000, 1000)), "yaml-too-large", 1),
    Case("flow_list_7m", _text("FLOW.md", _flow_list(7_000_000)), "yaml-too-large", 1),
    Case("flow_list_7m_tab", _text("FLOW.md", _flow_list(7_000_000, tab=True)), "yaml-too-large", 1),
    Case("anchored_hint_x20", _text("HINTS.md", _anchored_hint(20)), "check-budget", 1),
    Case("aliases_200k", _text("MANY.md", _many_aliases(200_000)), "yaml-too-large", 1),
    Case("aliases_60k", _text("MANY.md", _many_aliases(60_000)), "page-budget", 1),
    Case("just_under_16_mib", _text("BIG.md", _header("BIG", "") + "word " * (16 * 1024 * 1024 // 5 - 20) + "\ufdd0"),
         "text-invalid-char", 0),
)


def make_case(case: Case, folder: Path) -> None:
    """The case's folder: the healthy neighbour and the hostile file(s); Unsupported when it cannot be made."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "HEALTHY.md").write_text(HEALTHY, "utf-8")
    case.make(folder)


__all__ = ["CASES", "HEALTHY", "MC_HINT", "Case", "Unsupported", "make_case"]
