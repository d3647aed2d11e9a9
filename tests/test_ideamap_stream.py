"""The streaming idea map (compiler.analyze.ideamap) gives exactly what the full path gives: the same
GEXF bytes and the same analysis, for one process or several, on the idea-map fixture, every
graph fixture (duplicates, aliases, loose matches, cycles...) and the corpus sample."""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from compiler.analyze.analytics import analysis_text, analyze_graph, annotate
from compiler.analyze.ideamap import build_map, write_map_gexf
from compiler.config import load_config
from compiler.export.gexf import write_gexf
from compiler.link import link
from compiler.load.modules import load_modules
from compiler.load.terms import load_terms
from compiler.model import GraphData
from compiler.stages import Options
from compiler.validate.schema import validate_terms

TESTS = Path(__file__).resolve().parent
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
GRAPH_CASES = sorted(p.name for p in (TESTS / "fixtures" / "graph").iterdir() if (p / "expect.toml").is_file())


def full(root: Path, modules: tuple[Path, ...]) -> tuple[bytes, str]:
    """GEXF bytes and `--analyze` text of the full path: every Term, a networkx graph, annotate."""
    config, _ = load_config(root)
    config = replace(config, module_dirs=config.module_dirs + tuple(m.resolve() for m in modules))
    terms, _ = validate_terms(load_terms(root).terms)
    found, _ = load_modules(config.module_dirs, exclude=root)
    graph = link(terms, found, config).graph
    analysis = analyze_graph(graph, terms, config)
    buffer = io.BytesIO()
    write_gexf(annotate(GraphData.of(graph), analysis).graph, buffer)
    return buffer.getvalue(), analysis_text(analysis)


def streamed(root: Path, modules: tuple[Path, ...], jobs: int) -> tuple[bytes, str]:
    idea = build_map(root, Options(module_dirs=modules, jobs=jobs))
    buffer = io.BytesIO()
    write_map_gexf(idea, buffer)
    return buffer.getvalue(), analysis_text(idea.analysis)


def copy_case(tmp_path: Path, source: Path) -> Path:
    """A copy out of the repository, so the configuration lookup cannot see the repository's."""
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


@pytest.mark.parametrize("case", GRAPH_CASES)
def test_stream_equals_full_path_on_graph_fixtures(case, tmp_path):
    folder = copy_case(tmp_path, TESTS / "fixtures" / "graph" / case)
    root = folder / ("dictionary" if (folder / "dictionary").is_dir() else "terms")
    assert streamed(root, (), 1) == full(root, ())


@pytest.mark.parametrize("jobs", [1, 2])
def test_stream_equals_full_path_on_the_idea_map_fixture(jobs, tmp_path):
    folder = copy_case(tmp_path, TESTS / "fixtures" / "ideamap")
    gexf, text = streamed(folder / "dictionary", (), jobs)
    assert (gexf, text) == full(folder / "dictionary", ())
    assert b'value="similar"' in gexf and b'value="missing"' in gexf


def test_stream_equals_full_path_on_the_corpus_sample():
    if not (CORPUS / "dictionary").is_dir():
        pytest.skip("the corpus sample is not available")
    modules = (CORPUS / "modules",)
    one = streamed(CORPUS / "dictionary", modules, 1)
    assert one == full(CORPUS / "dictionary", modules)
    assert streamed(CORPUS / "dictionary", modules, 2) == one  # worker processes: the same bytes


def test_cli_graph_export_gexf_writes_the_streamed_map(tmp_path):
    folder = copy_case(tmp_path, TESTS / "fixtures" / "ideamap")
    out = tmp_path / "map.gexf"
    proc = subprocess.run([sys.executable, "-m", "compiler", "graph", str(folder / "dictionary"), "--export", "gexf",
                           "-o", str(out), "--jobs", "2"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == full(folder / "dictionary", ())[0]
    proc = subprocess.run([sys.executable, "-m", "compiler", "graph", str(folder / "dictionary"), "--analyze"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == full(folder / "dictionary", ())[1] + "\n"


def test_worker_processes_give_the_full_paths_bytes_on_a_generated_glossary(tmp_path):
    """400 generated terms: enough files for the process pool to start (jobs 2 and 3)."""
    sys.path.insert(0, str(TESTS.parent / "bench"))
    from generate import generate

    terms = generate(tmp_path / "g", 400, seed=5)
    modules = (tmp_path / "g",)
    want = full(terms, modules)
    assert streamed(terms, modules, 2) == want
    assert streamed(terms, modules, 3) == want
    assert want[0].count(b"<edge ") > 2000


TINY = {  # odd small glossaries, as file name -> text
    "empty": {},
    "one term, one missing name": {"SOLO.md": "---\nterm: Solo\ncanonical_id: SOLO\nparents: [NOWHERE]\n---\nbody\n"},
    "self links, weights, soft names": {
        "A.md": "---\nterm: A & <b>\ncanonical_id: A\nchildren: [A, B]\npoetic_connections:\n  association_matrix:\n"
                "    - [B, '0.5']\n    - {term: C, weight: inf}\nformal_mappings:\n  candidates:\n    - target: free text\n"
                "    - target: B\n---\nalpha beta gamma\n",
        "B.md": "---\nterm: B\ncanonical_id: B\naliases: [Bee, 'tab\there']\nparents: [a]\nstatus: 3\n---\nalpha beta delta\n",
        "C.md": "---\ncanonical_id: B\nterm: second B\n---\nalpha beta gamma\n",
    },
}


@pytest.mark.parametrize("case", sorted(TINY))
def test_stream_equals_full_path_on_tiny_glossaries(case, tmp_path):
    root = tmp_path / "terms"
    root.mkdir()
    for name, text in TINY[case].items():
        (root / name).write_text(text, encoding="utf-8")
    assert streamed(root, (), 1) == full(root, ())
