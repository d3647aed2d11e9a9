"""No benchmark figures in the code's docstrings and comments: they go in bench/README.md.

Why a test: a figure in a docstring ("~1.5 s at 10k terms") is true the day it is written and
silently wrong after the next change, while bench/README.md says which benchmark measures it
and when. The code says why instead ("the largest stage of a rebuild"). Limits that are
constants (a 16 MiB cap, ``MAX_VALUES``) live in code, not in these comments' prose.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

COMPILER = Path(__file__).resolve().parents[1] / "compiler"

# A number with a unit of time or memory, a size in terms, or a speed-up.
FIGURE = re.compile(
    r"(?<![\w^/-])\d+(?:[.,]\d+)*\s?(?:ms|µs|us|s|seconds|MB|MiB|GB|KB|kB)\b"
    r"|\bat \d+(?:,\d{3})*k? terms\b"
    r"|\d+(?:\.\d+)?\s?[x×] (?:faster|slower|cheaper|as)"
)
# Not benchmark figures: (file, text) with the reason.
ALLOWED = {
    ("checks/units.py", "1 s"),  # a unit conversion: one second in natural units
}


def _prose(source: str):
    """(line, text) of every comment and docstring of a module."""
    doc_lines = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                doc_lines.add(value.lineno)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT or (tok.type == tokenize.STRING and tok.start[0] in doc_lines):
            yield tok.start[0], tok.string


def test_figures_of_the_shape_are_found() -> None:
    found = [m.group() for m in FIGURE.finditer(
        "took ~1.15 s of ~5 s; 95 MB; at 10,000 terms; at 10k terms; about 9x faster; 0.3 ms; 40 µs"
    )]
    assert found == ["1.15 s", "5 s", "95 MB", "at 10,000 terms", "at 10k terms", "9x faster", "0.3 ms", "40 µs"]
    assert not FIGURE.search("MAX_FILE_BYTES = 16 * 1024 * 1024; kg^-1 s^-2; the schema's 1,000 aliases; 0x1f")


def test_no_benchmark_figures_in_docstrings_or_comments() -> None:
    hits = []
    for path in sorted(COMPILER.rglob("*.py")):
        rel = path.relative_to(COMPILER).as_posix()
        for line, text in _prose(path.read_text("utf-8")):
            hits += [f"compiler/{rel}:{line}: {m.group()!r}" for m in FIGURE.finditer(text)
                     if (rel, m.group()) not in ALLOWED]
    assert not hits, "benchmark figures belong in bench/README.md:\n" + "\n".join(hits)
