"""Child-process entry point for hooks: ``python -m compiler.checks.runner list|run``.

Runs only inside the process started by :mod:`.hooks`, which sets its limits. It
writes one JSON document to ``--result``; whatever the hook prints goes to the
captured (and capped) output, never into the result.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from .hooks import ENTRY_POINT_GROUP, HOOK_ATTR


def _load_file(path: Path) -> ModuleType:
    name = "compile_glossary_hooks." + "".join(ch if ch.isalnum() else "_" for ch in path.stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _marked(module: ModuleType) -> list[tuple[str, Any]]:
    return [(attr, getattr(module, attr)) for attr in sorted(vars(module)) if hasattr(getattr(module, attr), HOOK_ATTR)]


def list_hooks(folder: str | None) -> dict[str, Any]:
    hooks: list[dict[str, Any]] = []
    problems: list[str] = []
    if folder:
        root = Path(folder)
        if not root.is_dir():
            problems.append(f"{folder}: hooks folder not found")
        for path in sorted(root.glob("*.py")) if root.is_dir() else []:
            if path.name.startswith("_"):
                continue
            try:
                module = _load_file(path)
            except BaseException as exc:  # noqa: BLE001 - any failure of user code is reported
                problems.append(f"{path.name}: {type(exc).__name__}: {exc}")
                continue
            for attr, fn in _marked(module):
                info = getattr(fn, HOOK_ATTR)
                hooks.append({"name": info.name, "pattern": info.pattern, "source": f"file:{path.resolve()}", "function": attr})
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except BaseException as exc:  # noqa: BLE001
            problems.append(f"entry point {ep.name}: {type(exc).__name__}: {exc}")
            continue
        module_name, _, attr = ep.value.partition(":")
        info = getattr(obj, HOOK_ATTR, None)
        if info is None:
            problems.append(f"entry point {ep.name}: {ep.value} is not marked with @hook")
            continue
        hooks.append({"name": info.name, "pattern": info.pattern, "source": f"entry:{module_name}", "function": attr})
    return {"hooks": hooks, "problems": problems}


def _resolve(source: str, function: str) -> Callable[..., Any]:
    kind, _, where = source.partition(":")
    module = _load_file(Path(where)) if kind == "file" else importlib.import_module(where)
    obj: Any = module
    for part in function.split("."):
        obj = getattr(obj, part)
    return obj


def _clean(value: Any, depth: int = 0) -> Any:
    """JSON-safe copy of a hook's answer (numpy scalars, NaN, tuples)."""
    if depth > 20:
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v, depth + 1) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    return f if math.isfinite(f) else None


def run(source: str, function: str, payload: dict[str, Any]) -> dict[str, Any]:
    fn = _resolve(source, function)
    answer = fn(payload.get("term") or {}, payload.get("candidate") or {})
    if hasattr(answer, "to_json"):
        answer = answer.to_json()
    if not isinstance(answer, dict):
        return {"error": f"the hook returned {type(answer).__name__}, not a mapping"}
    return _clean(answer)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="compiler.checks.runner")
    ap.add_argument("mode", choices=["list", "run"])
    ap.add_argument("--dir")
    ap.add_argument("--source")
    ap.add_argument("--function")
    ap.add_argument("--result", required=True)
    args = ap.parse_args(argv)
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # a hook's prints never reach the result
    try:
        if args.mode == "list":
            out = list_hooks(args.dir)
        else:
            payload = json.loads(sys.stdin.buffer.read().decode("utf-8") or "{}")
            out = run(args.source, args.function, payload)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as the hook's error
        traceback.print_exc()
        out = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        sys.stdout = real_stdout
    with open(args.result, "w", encoding="utf-8") as fh:
        json.dump(out, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
