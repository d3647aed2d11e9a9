"""What a command prints besides its report: the progress bar, the "wrote N pages" line, the mode.

Kept apart from compiler.cli.main so that module stays a list of commands. The bar is
for a person at a terminal: tqdm on stderr, shown only once a run has taken over a
second, and never in a pipe or a CI log (the caller passes ``sys.stderr.isatty()``).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

CURRENT = {"stage": "start"}  # the stage running now, named in an internal-error message


class Progress:
    """A progress bar over the stages on a terminal's stderr, shown once a run takes over a second;
    nothing in CI logs and pipes (tqdm, imported only on a terminal)."""

    STAGES = ("load", "check", "link", "analyze", "render")

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and os.environ.get("TERM") != "dumb"
        self.bar: Any = None  # a tqdm bar, made at the first stage

    def __call__(self, stage: str) -> None:
        CURRENT["stage"] = stage
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=len(self.STAGES), delay=1.0, leave=False, file=sys.stderr, dynamic_ncols=True,
                            bar_format="{desc:8} {bar} {elapsed}")
        step = self.STAGES.index(stage) if stage in self.STAGES else self.bar.n
        self.bar.set_description_str(stage, refresh=False)
        self.bar.update(max(0, step - self.bar.n))

    def done(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def mode(args: argparse.Namespace, default: str) -> str:
    """The text report's mode: ``-q`` the totals only, ``--statistics`` the table by code, else ``default``."""
    if getattr(args, "quiet", False):
        return "quiet"
    return "statistics" if getattr(args, "statistics", False) else default


def replayed(short: str, mode: str) -> str:
    """What ``mode`` prints of a build's short report (a no-op's recorded one too): all of it, its table, or nothing."""
    from compiler.report.console import table_part

    return short if mode == "short" else table_part(short) if mode == "statistics" else ""


def wrote(stats: Any, out: Path, seconds: float) -> str:
    """``wrote N pages to OUT/ in Ts``; when the others were kept unchanged from the last build,
    ``wrote 7 of 1,822 pages (1,815 unchanged)``: the number that changed comes first."""
    if stats is None or not stats.pages:
        return f"wrote no pages to {out}/"
    reused = min(getattr(stats, "reused", 0), stats.pages)
    if not reused:
        return f"wrote {stats.pages} pages to {out}/ in {seconds:.2f}s"
    return (f"wrote {stats.pages - reused:,} of {stats.pages:,} pages to {out}/ ({reused:,} unchanged, kept)"
            f" in {seconds:.2f}s")


__all__ = ["CURRENT", "Progress", "mode", "replayed", "wrote"]
