"""Benchmark: the idea map (`graph --export gexf`) against a dense all-pairs TF-IDF script.

Each measurement runs in its own process, which reports its wall time and peak resident
memory (``ru_maxrss``), so one run's memory never counts against another's. Rows:

- ``ours: graph --export gexf`` - the whole command as the command line runs it
  (compiler.analyze.ideamap, one worker process per core): load and validate every file,
  modules, typed graph, similarity, communities, PageRank, GEXF; peak memory is the
  main process's (the workers' own peak is listed in the notes);
- ``ours: similarity only`` - texts in, top-k pairs out (the part that replaces the N x N
  matrix; the texts are extracted beforehand by another process);
- ``dense: similarity only`` - scikit-learn ``TfidfVectorizer`` + ``cosine_similarity``
  on the full matrix and a top-k per row, on the same texts;
- ``dense: idea-map script`` - what authors run today: read every file, parse its
  front matter, TF-IDF, dense cosine matrix, top-k neighbours, parents/children edges,
  JSON and hand-written GEXF.

The dense rows run only where their N x N float64 matrix fits in 4 GB (checked before
starting them) and only when scikit-learn is installed (an optional extra).

    python bench/bench_ideamap.py --sizes 1000 10000 100000 [--corpus ../shared/corpus]
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

DENSE_LIMIT = 4 * 2**30  # bytes the baseline's N x N matrix may take
K, THRESHOLD = 8, 0.2


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM).

    Not ``ru_maxrss``: Linux carries the parent's peak over an exec into the child's
    ``ru_maxrss``, so every child would report at least the parent's ~110 MB.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- what each child process does ------------------------------------------------------------


def run_ours(terms_dir: str, modules_dir: str, out: str) -> dict[str, Any]:
    """`graph --export gexf` as the command line runs it (compiler.analyze.ideamap), stage by stage."""
    from compiler.analyze.ideamap import build_map, default_jobs, write_map_gexf
    from compiler.build import Options

    stages: dict[str, float] = {}
    clock = time.perf_counter()
    current = ["start"]

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        if current[0] != "start":
            stages[current[0]] = round(now - clock, 2)
        clock, current[0] = now, name

    idea = build_map(Path(terms_dir), Options(module_dirs=(Path(modules_dir),), progress=lap, jobs=default_jobs()))
    lap("gexf")
    write_map_gexf(idea, out)
    lap("end")
    analysis = idea.analysis
    return {"stages": stages, "similar": len(analysis.similar), "communities": len(analysis.communities),
            "nodes": len(idea.nodes), "edges": len(idea.edges) + len(analysis.similar),
            "workers_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}


def run_texts(terms_dir: str, out: str) -> dict[str, Any]:
    """Write the term texts (one JSON string per line) for the similarity-only rows."""
    from compiler.analyze.similarity import term_text
    from compiler.config import AnalyticsConfig
    from compiler.load.terms import load_terms

    fields = AnalyticsConfig().fields
    with open(out, "w", encoding="utf-8") as handle:
        for term in load_terms(Path(terms_dir)).terms:
            handle.write(json.dumps(term_text(term.data, term.body, fields), ensure_ascii=False) + "\n")
    return {}


def _read_texts(path: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def run_ours_similarity(texts_file: str) -> dict[str, Any]:
    from compiler.analyze.similarity import similar_pairs

    with open(texts_file, encoding="utf-8") as handle:
        count = sum(1 for _ in handle)
    with open(texts_file, encoding="utf-8") as handle:  # streamed, as the analysis streams term texts
        pairs = similar_pairs([f"T{i:07d}" for i in range(count)], (json.loads(line) for line in handle), K, THRESHOLD)
    return {"similar": len(pairs)}


def _dense_top_k(texts: list[str], tokenizer: Callable[[str], list[str]] | None) -> int:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectorizer = TfidfVectorizer(analyzer=tokenizer) if tokenizer else TfidfVectorizer(stop_words="english")
    sims = cosine_similarity(vectorizer.fit_transform(texts))  # the N x N matrix
    edges = set()
    for i in range(sims.shape[0]):
        for j in np.argsort(-sims[i])[: K + 1]:
            if j != i and sims[i, j] >= THRESHOLD:
                edges.add((min(i, j), max(i, j)))
    return len(edges)


def run_dense_similarity(texts_file: str) -> dict[str, Any]:
    from compiler.analyze.similarity import tokenize

    return {"similar": _dense_top_k(_read_texts(texts_file), tokenize)}


_FENCE = re.compile(r"^---\s*$", re.MULTILINE)


def run_dense_script(terms_dir: str, out: str) -> dict[str, Any]:
    """A stand-in for the authors' idea-map script: files -> dense TF-IDF map -> JSON + GEXF."""
    from xml.sax.saxutils import quoteattr

    import yaml

    nodes: dict[str, dict[str, Any]] = {}
    texts: list[str] = []
    structural: list[tuple[str, str]] = []
    for path in sorted(Path(terms_dir).glob("*.md")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        parts = _FENCE.split(raw)
        header: dict[str, Any] = {}
        for block in parts[1:-1:2]:  # the front-matter blocks; keep what parses
            try:
                data = yaml.load(block, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            except yaml.YAMLError:
                continue
            if isinstance(data, dict):
                header.update(data)
        ident = str(header.get("canonical_id") or path.stem)
        nodes[ident] = {"label": str(header.get("term") or ident)}
        for key in ("parents", "children"):
            for other in header.get(key) or []:
                structural.append((ident, str(other)))
        texts.append(" ".join(str(header.get(k) or "") for k in ("pirouette_definition", "triad")) + parts[-1])
    ids = list(nodes)
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    sims = cosine_similarity(TfidfVectorizer(stop_words="english").fit_transform(texts))
    similar = []
    for i in range(len(ids)):
        for j in np.argsort(-sims[i])[: K + 1]:
            if j != i and sims[i, j] >= THRESHOLD:
                similar.append((ids[i], ids[j], float(sims[i, j])))
    edges = [(a, b, "structural", 1.0) for a, b in structural if b in nodes] + [(a, b, "similar", s) for a, b, s in similar]
    Path(out).with_suffix(".json").write_text(json.dumps({"nodes": nodes, "edges": edges}), encoding="utf-8")
    with open(out, "w", encoding="utf-8") as gexf:
        gexf.write('<?xml version="1.0" encoding="UTF-8"?>\n<gexf version="1.2"><graph defaultedgetype="undirected">'
                   "<nodes>\n")
        for ident, data in nodes.items():
            gexf.write(f"<node id={quoteattr(ident)} label={quoteattr(data['label'])}/>\n")
        gexf.write("</nodes><edges>\n")
        for n, (a, b, _kind, weight) in enumerate(edges):
            gexf.write(f'<edge id="{n}" source={quoteattr(a)} target={quoteattr(b)} weight="{weight:.4f}"/>\n')
        gexf.write("</edges></graph></gexf>\n")
    return {"similar": len(similar), "structural": len(edges) - len(similar)}


CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "ours": run_ours, "texts": run_texts, "ours-similarity": run_ours_similarity,
    "dense-similarity": run_dense_similarity, "dense-script": run_dense_script,
}


def child_main(name: str, args: list[str]) -> None:
    start = time.perf_counter()
    result = CHILDREN[name](*args)
    result.update(seconds=round(time.perf_counter() - start, 2), peak_mb=round(_peak_mb(), 1))
    print("RESULT " + json.dumps(result))


# --- the parent: generate, run, tabulate -------------------------------------------------


def measure(name: str, *args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", name, *args], capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}


def has_sklearn() -> bool:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


def bench_one(label: str, terms_dir: Path, modules_dir: Path, work: Path, rows: list[dict[str, Any]]) -> None:
    count = sum(1 for _ in terms_dir.glob("*.md"))
    stem = label.replace(" ", "-")
    texts = work / f"{stem}.texts.jsonl"
    measure("texts", str(terms_dir), str(texts))
    runs = [("ours: graph --export gexf", "ours", (str(terms_dir), str(modules_dir), str(work / f"{stem}.gexf"))),
            ("ours: similarity only", "ours-similarity", (str(texts),))]
    dense_fits = 8 * count * count <= DENSE_LIMIT
    if has_sklearn() and dense_fits:
        runs += [("dense: similarity only", "dense-similarity", (str(texts),)),
                 ("dense: idea-map script", "dense-script", (str(terms_dir), str(work / f"{stem}.dense.gexf")))]
    for title, child, args in runs:
        result = measure(child, *args)
        rows.append({"corpus": label, "terms": count, "run": title, **result})
        print(json.dumps(rows[-1]), flush=True)
    if not dense_fits:
        rows.append({"corpus": label, "terms": count, "run": "dense: (skipped)",
                     "error": f"N x N matrix needs {8 * count * count / 2**30:.0f} GB > 4 GB"})


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| corpus | terms | run | seconds | peak MB | similar pairs | notes |",
             "| --- | ---: | --- | ---: | ---: | ---: | --- |"]
    for r in rows:
        notes = r.get("error") or ", ".join(f"{k} {v}s" for k, v in r.get("stages", {}).items())
        if r.get("workers_peak_mb"):
            notes += f"; workers' peak {r['workers_peak_mb']} MB; {r['nodes']} nodes, {r['edges']} edges"
        lines.append(
            f"| {r['corpus']} | {r['terms']} | {r['run']} | {r.get('seconds', '')} | {r.get('peak_mb', '')} "
            f"| {r.get('similar', '')} | {notes} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child_main(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=HERE.parent.parent / "shared" / "corpus",
        help="a real corpus with dictionary/ and modules/ (skipped when absent)",
    )
    parser.add_argument("--work", type=Path, default=None, help="where generated glossaries go (kept between runs)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from generate import generate

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-ideamap-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    if (args.corpus / "dictionary").is_dir():
        bench_one("corpus", args.corpus / "dictionary", args.corpus / "modules", work, rows)
    for size in args.sizes:
        folder = work / f"g{size}"
        if not (folder / "dictionary").is_dir():
            generate(folder, size, args.seed)
        bench_one(f"generated {size}", folder / "dictionary", folder, work, rows)
    print()
    print(table(rows))
    print(f"(generated glossaries kept in {work})")


if __name__ == "__main__":
    main()
