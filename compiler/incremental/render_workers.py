"""The site's work spread over processes: chunks of node pages, and the heavy site-wide files.

Why the site-wide files too: a cold build has thousands of pages to share out, but a
rebuild after a header edit (a status, a new cross-link) renders a dozen pages and
makes again the files that show the whole graph. On a large glossary those took most
of such a rebuild, made one after the other in this process (graph export, graph data,
problems and wanted pages) while the other core idled. Each heavy file is now a task
of its own, put first so that the workers take them while this process makes the light
ones and renders its pages (compiler.incremental.workers). Who makes a file never changes its bytes.

A task that makes the graph data may compute the graph layout, which the renderer's
``memo`` keeps between builds; a worker sends back the memo entries it changed, so the
next build finds the layout whichever process computed it.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from compiler.diagnostics import Diagnostic
from compiler.incremental.workers import Chunked

if TYPE_CHECKING:
    from compiler.render.plan import Page
    from compiler.render.site import SiteRenderer

CHUNK = 24  # node pages per task: small enough to balance the processes, large enough to amortise a task
# Site-wide files whose making grows with the whole graph, heaviest first (bench/README.md); the
# others take a fraction of that and stay in this process.
HEAVY_FILES = ("graph-data.js", "graph.json", "problems.html", "wanted.html")
# Below this many node pages a worker costs more than the heavy files take (on the corpus's
# site, starting the pool, forking and importing take about as long as the files).
HEAVY_MIN_PAGES = 2000

PageResult = tuple[int, int, "Diagnostic | None", tuple]  # index, bytes written or -1, diagnostic, look-ups
FilesResult = tuple[dict[str, int], dict[str, Any]]  # bytes written per file, the memo entries changed


def _render_chunk(renderer: SiteRenderer, pages: Sequence[Page], base: Path, start: int, stop: int) -> list[PageResult]:
    """Render and write pages[start:stop]: (index, bytes written or -1, diagnostic, look-ups) for each.

    Workers write the files themselves, so only these small tuples cross the pipe,
    never the HTML."""
    from compiler.render.site import SiteWriter

    writer = SiteWriter(base)
    out = []
    for i in range(start, stop):
        page = pages[i]
        html, diag = renderer.safe_node_page(page)
        out.append((i, writer.write(page.path, html) if html is not None else -1, diag, renderer.deps_of(page)))
    return out


_ABSENT = object()  # a memo key the parent did not have


def _make_files(renderer: SiteRenderer, base: Path, *names: str) -> FilesResult:
    """Make and write the site-wide files ``names``: their sizes, and the renderer memo's changed entries.

    Compared by identity: a worker is forked with the parent's memo, so an entry it did
    not touch is the very same object (and when this process runs the task, the entries
    sent back are already its own)."""
    from compiler.render.site import SiteWriter

    memo = renderer.memo
    before = dict(memo) if memo is not None else {}
    writer = SiteWriter(base)
    sizes = {rel: writer.write(rel, text) for rel, text in renderer.site_files(names).items()}
    changed = {k: v for k, v in memo.items() if before.get(k, _ABSENT) is not v} if memo is not None else {}
    return sizes, changed


def heavy_share(made: Sequence[str], pages: int, jobs: int) -> list[str]:
    """Which of the files to make go to the workers: two heavy ones per worker, heaviest first,
    when the glossary is large enough for a worker to pay (``HEAVY_MIN_PAGES``).

    Why two and not all: a pool's worker holds the task after its current one too, so this
    process cannot take those back when it is done first. With one worker, the graph data
    and export there and the problems and wanted pages here beside the light files take
    about as long and end together; handing it all four left this process idle."""
    if jobs < 2 or pages < HEAVY_MIN_PAGES:
        return []
    return [name for name in HEAVY_FILES if name in made][:2 * (jobs - 1)]


def render_pages(renderer: SiteRenderer, pages: Sequence[Page], base: Path, jobs: int,
                 meanwhile: Callable[[], None], heavy: Sequence[str] = ()) -> tuple[list[PageResult], dict[str, int]]:
    """Render and write the node pages and the ``heavy`` site-wide files into ``base``; call
    ``meanwhile`` (the other site-wide files) alongside.

    With ``jobs > 1`` the work goes, in tasks, to ``jobs - 1`` forked workers (the heavy
    files first, then chunks of pages) while this process runs ``meanwhile``; then it
    does the tasks no worker has taken (compiler.incremental.workers). The renderer (plan, graph,
    templates) reaches the workers without pickling. Each page and file is a function of
    the plan alone, so who makes it never changes its bytes. Returns the pages' results
    in order and the heavy files' sizes; the memo entries a task changed are merged into
    the renderer's memo."""
    chunks = [("pages", i, min(i + CHUNK, len(pages))) for i in range(0, len(pages), CHUNK)]
    tasks = [("files", name) for name in heavy] + chunks
    workers = jobs - 1 if len(chunks) > 2 or heavy else 0

    def run(kind: str, *args: Any) -> Any:  # reaches the forked workers as it is: no pickling, no module state
        if kind == "pages":
            return _render_chunk(renderer, pages, base, *args)
        return _make_files(renderer, base, *args)

    pending = Chunked(run, tasks, min(workers, len(tasks)))
    try:
        meanwhile()
    except BaseException:
        pending.close()
        raise
    done = pending.results()
    sizes: dict[str, int] = {}
    for (kind, *_), result in zip(tasks, done):
        if kind == "files":
            sizes.update(result[0])
            if renderer.memo is not None:
                renderer.memo.update(result[1])
    return [r for (kind, *_), chunk in zip(tasks, done) if kind == "pages" for r in chunk], sizes


__all__ = ["render_pages", "heavy_share", "HEAVY_FILES", "CHUNK"]
