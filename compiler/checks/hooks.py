"""Check hooks: named Python functions that judge a candidate, run in a child process.

A glossary registers hooks with a decorator in its configured ``checks/`` folder,
or a package exposes them through the ``compile_glossary.hooks`` entry-point group::

    from compiler.checks import hook

    @hook("toroidal_c2")                 # selected by `check: toroidal_c2`
    def check(term, candidate): ...      # or @hook("name", pattern=r"C_2") by hint text

The decorator only marks the function; nothing is registered globally. Discovery and
every call happen in a separate Python process (:mod:`.runner`) with a time limit, a
CPU limit and a cap on output, so a hook that hangs, crashes, or prints a gigabyte
becomes an ``error`` result instead of a hung or dead build. Hooks are never loaded
from a path written in a term file: only the configured folder and entry points.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .result import STATUSES, CheckResult, Deviation

HOOK_ATTR = "__compile_glossary_hook__"
ENTRY_POINT_GROUP = "compile_glossary.hooks"
OUTPUT_CAP = 1_000_000  # bytes a hook may write (result and prints together)
BUILTIN = "builtin"


@dataclass(frozen=True)
class HookInfo:
    name: str
    pattern: str | None = None


def hook(name: str, *, pattern: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark ``fn`` as the check hook ``name`` (optionally chosen by a regex on the hint)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name) or name == BUILTIN:
        raise ValueError(f"invalid hook name {name!r}")

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        setattr(fn, HOOK_ATTR, HookInfo(name, pattern))
        return fn

    return mark


@dataclass(frozen=True)
class HookSpec:
    """Where a discovered hook lives: ``source`` is ``file:PATH`` or ``entry:MODULE``."""

    name: str
    source: str
    function: str
    pattern: str | None = None


@dataclass(frozen=True)
class Registry:
    hooks: tuple[HookSpec, ...]
    problems: tuple[str, ...] = ()

    def names(self) -> list[str]:
        return [h.name for h in self.hooks]

    def by_name(self, name: str) -> HookSpec | None:
        return next((h for h in self.hooks if h.name == name), None)

    def by_pattern(self, hint: str) -> HookSpec | None:
        for h in self.hooks:
            if h.pattern:
                try:
                    if re.search(h.pattern, hint[:10_000]):
                        return h
                except re.error:
                    continue
        return None


def _limits(cpu_seconds: float) -> Callable[[], None] | None:
    """Resource limits for the child (POSIX only): output size and CPU time."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return None

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_CAP, OUTPUT_CAP))
        cpu = max(1, int(cpu_seconds) + 1)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    return apply


def _child(args: list[str], payload: Mapping[str, Any], timeout: float) -> tuple[dict[str, Any] | None, str]:
    """Run the runner with ``args``; returns (result, problem)."""
    with tempfile.TemporaryDirectory(prefix="cg-hook-") as tmp:
        result_path = Path(tmp) / "result.json"
        out_path = Path(tmp) / "output.txt"
        # The hook runs in a scratch folder that is deleted afterwards (also its TMPDIR): files it
        # writes by relative path vanish, and no file it writes can exceed the output cap.
        # (Hooks are the glossary's own trusted code, like a conftest.py; this is hygiene, not a sandbox.)
        env = dict(os.environ, TMPDIR=tmp)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        cmd = [sys.executable, "-m", "compiler.checks.runner", *args, "--result", str(result_path)]
        with open(out_path, "wb") as out:
            try:
                proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=out, env=env, cwd=tmp,
                                        preexec_fn=_limits(timeout), start_new_session=True)
            except OSError as exc:
                return None, f"could not start the hook process: {exc}"
            try:
                proc.communicate(json.dumps(payload, default=str).encode("utf-8"), timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill(proc)
                return None, f"the hook did not finish within {timeout:g} s and was stopped"
        if out_path.stat().st_size >= OUTPUT_CAP:
            return None, f"the hook wrote more than the output cap of {OUTPUT_CAP} bytes"
        with open(out_path, "rb") as fh:
            fh.seek(max(0, out_path.stat().st_size - 2000))
            output = fh.read().decode("utf-8", "replace").strip()
        if proc.returncode != 0:
            what = _signal_name(proc.returncode)
            tail = output.splitlines()[-1] if output else ""
            return None, f"the hook process failed ({what}){': ' + tail if tail else ''}"
        try:
            if result_path.stat().st_size > OUTPUT_CAP:
                return None, "the hook's result is larger than the output cap"
            return json.loads(result_path.read_text(encoding="utf-8")), ""
        except (OSError, ValueError) as exc:
            return None, f"the hook returned no readable result ({exc})"


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.wait()


def _signal_name(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"


def discover(hooks_dir: Path | None, timeout: float = 10.0) -> Registry:
    """Find hooks in ``hooks_dir`` (``*.py``, sorted) and in installed entry points."""
    args = ["list"] + (["--dir", str(hooks_dir)] if hooks_dir is not None else [])
    data, problem = _child(args, {}, timeout)
    if data is None:
        return Registry((), (f"hooks could not be loaded: {problem}",))
    specs = []
    seen: set[str] = set()
    problems = list(data.get("problems") or [])
    for h in data.get("hooks") or []:
        if h["name"] in seen:
            problems.append(f"hook {h['name']!r} is defined twice; the first definition is used")
            continue
        seen.add(h["name"])
        specs.append(HookSpec(h["name"], h["source"], h["function"], h.get("pattern")))
    return Registry(tuple(specs), tuple(problems))


def run_hook(spec: HookSpec, term: Mapping[str, Any], candidate: Mapping[str, Any], hint: str,
             timeout: float, edition: str | None) -> CheckResult:
    """Call one hook in a child process; every failure becomes an ``error`` result."""
    payload = {"term": term, "candidate": candidate, "hint": hint, "edition": edition}
    data, problem = _child(["run", "--source", spec.source, "--function", spec.function], payload, timeout)
    if data is None:
        return CheckResult(hint, "error", "checkable", problem, f"hook {spec.name!r}: {problem}", hook=spec.name, edition=edition)
    return from_hook_output(data, hint, spec.name, edition)


def from_hook_output(data: Mapping[str, Any], hint: str, name: str, edition: str | None) -> CheckResult:
    """Validate what a hook returned and turn it into a :class:`CheckResult`."""
    if "error" in data and "status" not in data:
        msg = f"hook {name!r} raised {data['error']}"
        return CheckResult(hint, "error", "checkable", msg, msg, hook=name, edition=edition)
    status = data.get("status")
    if status not in STATUSES:
        msg = f"hook {name!r} returned the status {status!r}; expected one of {', '.join(STATUSES)}"
        return CheckResult(hint, "error", "checkable", msg, msg, hook=name, edition=edition)

    def num(key: str) -> float | None:
        v = data.get(key)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    computed, claimed, unc = num("computed"), num("claimed"), num("uncertainty")
    deviation = None
    if computed is not None and claimed is not None:
        d = computed - claimed
        deviation = Deviation(abs(d) / unc if unc else None, d / abs(claimed) if claimed else None)
    message = str(data.get("message") or status)[:2000]
    evidence = tuple(e for e in (data.get("evidence") or []) if isinstance(e, dict))[:20]
    return CheckResult(
        hint,
        status,
        "checkable",
        message,
        f"hook {name!r}: {message}",
        str(data.get("relation") or "")[:500] or None,
        computed,
        unc,
        claimed,
        deviation,
        str(data.get("edition") or edition or "") or None,
        evidence,
        hook=name,
    )


def entry_points_present() -> bool:
    from importlib.metadata import entry_points

    try:
        return bool(list(entry_points(group=ENTRY_POINT_GROUP)))
    except Exception:  # a broken installed distribution must not stop the build
        return False


def needs_hooks(candidates: Sequence[Mapping[str, Any]], hooks_dir: Path | None) -> bool:
    return hooks_dir is not None or any(isinstance(c.get("check"), str) for c in candidates) or entry_points_present()
