"""The build benchmark of issue 8: floor, cold build, no-op, one-term edit, memory, MkDocs.

    .venv/bin/python bench/run.py                      # N = 1k, 10k (add 100000 for the full table)
    .venv/bin/python bench/run.py --sizes 1000 10000 100000 --runs 3 --mkdocs

For each size it generates a glossary (bench/generate.py) and measures, as medians of
``--runs`` runs, each in a fresh child process:

- floor: read every file and parse its front-matter blocks with PyYAML's C loader;
- cold: ``compile-glossary build --no-cache`` (full pipeline, site written);
- no-op: ``build`` again with the cache and nothing changed;
- edit: one term's prose (its body) changed, then ``build`` with the cache (a sentence at the
  end of the body; the loader confirms that the body changed and the header did not, and the
  benchmark stops if an edit left the file's bytes as they were);
- status edit: one term's ``status`` changed in its header (draft -> candidate -> ratified),
  then ``build`` with the cache: the header edit authors make most, shown on several pages;
- write floor: the cold build's site written again, file by file, by as many processes as
  there are cores, into an empty folder (its bytes read beforehand): what creating those
  files costs on this machine, which no build of the same pages avoids;
- peak memory of the cold build: the sum, over the build's processes (the build and the
  workers it forks), of each one's peak ``VmHWM``, sampled from /proc (bench/procmem.py: an
  upper bound, as peaks need not coincide and pages shared after a fork count in each), and
  beside it the largest single process's peak (a lower bound);
- MkDocs (``--mkdocs``, at sizes <= 2,000 and on ../shared/corpus): ``mkdocs build`` of
  the same files as plain pages, installed in its own virtual environment under
  bench/.venv-mkdocs (never in the project's).

With ``--before PATH`` (a checkout of an older commit) it instead times the cold build, the
edit, the status edit and the no-op for both trees, interleaved run by run, each tree on its
own identical copy of the inputs with its own output, build cache and user cache (the same
interpreter runs PATH's code through ``PYTHONPATH``), and prints before, after and their
ratio per case, then the after tree's edit/cold and no-op/cold (bench/results/compare.json):

    .venv/bin/python bench/run.py --before /tmp/oldwt --sizes 1000 10000 --runs 5

It prints the table with the ratios (cold/floor, cold/(floor+write), edit/cold, status/cold, no-op/cold, MkDocs/cold)
and writes bench/results/build.json. Wall time is what a user waits; CPU time (user +
sys of the process tree, all processes summed) is also shown because it is steadier on
a busy machine.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from procmem import TreeMemory  # noqa: E402

# Runs a command in this child process and reports wall, CPU and peak memory as JSON on fd $BENCH_FD.
WRAPPER = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
r0 = resource.getrusage(resource.RUSAGE_SELF)
kind, args = sys.argv[1], sys.argv[2:]
code, where = 0, None
if kind == "floor":
    import yaml
    from pathlib import Path
    for path in sorted(Path(args[0]).rglob("*.md")):
        lines = path.read_text("utf-8").split("\n")
        i = 0
        while i < len(lines) and lines[i].strip() == "---":
            j = i + 1
            while j < len(lines) and lines[j].strip() != "---":
                j += 1
            try:
                yaml.load("\n".join(lines[i + 1:j]), Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                pass
            i = j + 1
            while i < len(lines) and not lines[i].strip():
                i += 1
elif kind == "write":
    # The site's own files written again by ``jobs`` processes into an empty folder: the
    # least a build of those pages pays for creating them (read first, outside the timing).
    from pathlib import Path
    src, dst, jobs = Path(args[0]), Path(args[1]), int(args[2])
    files = [(str(p.relative_to(src)), p.read_bytes()) for p in sorted(src.rglob("*")) if p.is_file()]
    t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    for folder in sorted({os.path.dirname(rel) for rel, _ in files}):
        os.makedirs(os.path.join(dst, folder), exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    def write_share(k):
        for rel, data in files[k::jobs]:
            fd = os.open(os.path.join(dst, rel), flags, 0o666)
            os.write(fd, data)
            os.close(fd)
    pids = []
    for k in range(1, jobs):
        pid = os.fork()
        if pid == 0:  # a child never goes on to report: it leaves here, whatever happens
            try:
                write_share(k)
            finally:
                os._exit(0)
        pids.append(pid)
    write_share(0)
    for pid in pids:
        os.waitpid(pid, 0)
elif kind == "build":
    sys.stdout = open(os.devnull, "w")
    import compiler
    where = compiler.__file__
    try:
        from compiler.cli.main import main
    except ImportError:  # a tree from before the layout by stage (bench/run.py --before)
        from compiler.cli import main
    code = main(args)
    where = [where, getattr(sys.modules.get("compiler._site"), "__file__", None)]
else:
    import subprocess
    code = subprocess.call(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - t0
s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (s.ru_utime - r0.ru_utime) + (s.ru_stime - r0.ru_stime) + c.ru_utime + c.ru_stime
# This process's own peak is its VmHWM: ru_maxrss starts at the parent's peak at the fork (Linux keeps
# it across exec), so a parent that once held 200 MB made every child report at least 200 MB.
peak = s.ru_maxrss
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration, ValueError):
    pass
os.write(int(os.environ["BENCH_FD"]), json.dumps({
    "wall": wall, "cpu": cpu, "rss_mb": max(peak, c.ru_maxrss) / 1024, "peak_kb": peak, "code": code,
    "compiler": where,
}).encode())
"""


# The children run as an installed compile-glossary does: with its bytecode. ``pip install`` writes
# the .pyc files; PYTHONDONTWRITEBYTECODE (set in some sandboxes) would make every run compile
# the package's ~10,000 lines again (~60 ms of every build on this machine), which no user pays.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_package(folder: Path | None = None) -> None:
    """Byte-compile the compiler package once (this one, or the one in ``folder``), as ``pip install`` does."""
    import compileall

    import compiler

    compileall.compile_dir(str(folder or Path(compiler.__file__).parent), quiet=1)


@dataclass(frozen=True)
class Tree:
    """A checkout whose compiler a build runs: ``PYTHONPATH`` names it, in the same environment."""

    name: str
    root: Path
    env: dict[str, str]


def make_tree(name: str, source: Path, work: Path) -> Tree:
    """The checkout at ``source`` as a tree of its own, with its own user cache folder.

    A tree other than this checkout is copied (code, templates, schema: not .git nor a venv)
    so that its bytecode can be written without touching the checkout given."""
    root = source
    if source.resolve() != REPO:
        root = work / "trees" / name
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(source, root, ignore=shutil.ignore_patterns(".git", ".venv*", "__pycache__", "results"))
        for package, folder in (("_site", "site"), ("_schema", "schema")):
            # what the package-dir mapping of an install does: templates and schema inside the package
            if (root / folder).is_dir() and not (root / "compiler" / package).exists():
                shutil.copytree(root / folder, root / "compiler" / package)
        compile_package(root / "compiler")
    cache = work / "trees" / f"{name}-user-cache"
    cache.mkdir(parents=True, exist_ok=True)
    return Tree(name, root.resolve(), {"PYTHONPATH": str(root), "XDG_CACHE_HOME": str(cache)})


def measure(kind: str, *args: str, cwd: Path | None = None, tree: Tree | None = None) -> dict:
    """Run one measured child; a build under ``tree`` runs that tree's compiler (and fails if not)."""
    read, write = os.pipe()
    env = {**CHILD_ENV, "BENCH_FD": str(write)}
    if tree is not None:
        env.update(tree.env)
    proc = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, kind, *args],
        pass_fds=(write,),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(write)
    memory = TreeMemory(proc.pid).start()
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    proc.wait()
    memory.stop()
    if not data:
        raise RuntimeError(f"the measured {kind} {' '.join(args)} died (exit {proc.returncode})")
    result = json.loads(data)
    result.update(memory.figures(result["peak_kb"]))
    if kind == "build" and result["code"] not in (0, 1):  # 0: built, 1: built with errors in the glossary
        raise RuntimeError(f"the measured build {' '.join(args)} failed (exit {result['code']})")
    if tree is not None and kind == "build":
        for used in filter(None, result["compiler"]):  # the package, and its templates when it read them
            if not Path(used).resolve().is_relative_to(tree.root):
                raise RuntimeError(f"the {tree.name} tree's build ran {used}, not the code in {tree.root}")
    return result


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


MARKER = "Edited for the benchmark"
_MARKED = re.compile(rf"\n{MARKER} \d+\.\n\Z")


def _write_changed(path: Path, before: bytes, text: str) -> None:
    """Write an edit, and fail when it left the file's bytes as they were: the build after it
    would then time a rebuild of nothing (as the corpus "edit" once did, its marker absent)."""
    path.write_text(text, "utf-8")
    if path.read_bytes() == before:
        raise RuntimeError(f"the benchmark's edit left {path} unchanged")


def _loaded(text: str, path: Path) -> tuple[str, object] | None:
    from compiler.load.terms import load_text

    term, _ = load_text(text, path, path.name)
    return None if term is None else (term.body, term.data)


def edit_one(terms: Path, round_: int) -> Path:
    """A prose edit: round ``round_``'s sentence at the end of a term's body (the last round's removed).

    Any glossary: the corpus's files have no body at all (they end with their header), the
    generated ones a few paragraphs. The file is the first one from the middle on where the
    loader sees the edit change the term's body and nothing of its header (a file whose last
    header is never closed would take the sentence into its YAML). Raises when no file
    qualifies or the file's bytes did not change."""
    files = sorted(terms.glob("*.md"))
    for path in files[len(files) // 2 :] + files[: len(files) // 2]:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        edited = f"{_MARKED.sub('', text)}\n{MARKER} {round_}.\n"
        old, new = _loaded(text, path), _loaded(edited, path)
        if old is not None and new is not None and old[1] == new[1] and old[0] != new[0]:
            _write_changed(path, raw, edited)
            return path
    raise RuntimeError(f"no term file in {terms} has a body that an edit can change alone")


_STATUS = re.compile(r"^status: (draft|candidate|ratified)[ \t]*$", re.MULTILINE)
_NEXT_STATUS = {"draft": "candidate", "candidate": "ratified", "ratified": "draft"}


def edit_status(terms: Path) -> None:
    """A header edit: the next status of the first term file from the middle on that has one.

    A status is the header edit authors make most (a term going from draft to candidate),
    and it is shown on the term's page, its neighbours', the index, the search index and
    the graph export. The last status line of the file is changed (its full header)."""
    files = sorted(terms.glob("*.md"))
    for path in files[len(files) // 2 :] + files[: len(files) // 2]:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        found = list(_STATUS.finditer(text))
        if found:
            m = found[-1]
            _write_changed(path, raw, f"{text[: m.start()]}status: {_NEXT_STATUS[m.group(1)]}{text[m.end() :]}")
            return
    raise SystemExit(f"no term file in {terms} has a status line to edit")


def bench_build(terms: Path, modules: Path | None, work: Path, runs: int) -> dict:
    out, _cache = work / "site", work / ".glossary-cache"
    base = ["build", str(terms), "-o", str(out)] + (["--modules", str(modules)] if modules else [])
    floor = [measure("floor", str(terms)) for _ in range(runs)]
    cold = []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        cold.append(measure("build", *base, "--no-cache"))
    writes = []
    for _ in range(runs):
        shutil.rmtree(work / "site-copy", ignore_errors=True)
        writes.append(measure("write", str(out), str(work / "site-copy"), str(os.cpu_count() or 1)))
    shutil.rmtree(work / "site-copy", ignore_errors=True)
    measure("build", *base)  # fill the cache
    time.sleep(2.1)  # past the cache's racy-stamp window, as between real edits
    noop = [measure("build", *base) for _ in range(runs)]
    edit = []
    for i in range(runs):
        edit_one(terms, i + 1)
        edit.append(measure("build", *base))
    header = []
    for _ in range(runs):
        edit_status(terms)
        header.append(measure("build", *base))
    result = {
        "files": len(list(terms.rglob("*.md"))),
        "floor": {"wall": median(floor, "wall"), "cpu": median(floor, "cpu")},
        "cold": {
            "wall": median(cold, "wall"), "cpu": median(cold, "cpu"),
            "tree_mb": max(r["tree_mb"] for r in cold), "largest_mb": max(r["largest_mb"] for r in cold),
        },
        "site files": sum(1 for p in out.rglob("*") if p.is_file()),
        "write floor": {"wall": median(writes, "wall"), "cpu": median(writes, "cpu")},
        "noop": {"wall": median(noop, "wall"), "cpu": median(noop, "cpu")},
        "edit": {"wall": median(edit, "wall"), "cpu": median(edit, "cpu")},
        "header edit": {"wall": median(header, "wall"), "cpu": median(header, "cpu")},
    }
    result["ratios"] = {
        "cold/floor": result["cold"]["wall"] / result["floor"]["wall"],
        "cold/(floor+write)": result["cold"]["wall"] / (result["floor"]["wall"] + result["write floor"]["wall"]),
        "edit/cold": result["edit"]["wall"] / result["cold"]["wall"],
        "header/cold": result["header edit"]["wall"] / result["cold"]["wall"],
        "noop/cold": result["noop"]["wall"] / result["cold"]["wall"],
    }
    return result


CASES = ("cold", "edit", "status edit", "no-op")


def bench_compare(source: Path, terms_rel: str, modules_rel: str | None, trees: list[Tree], work: Path,
                  runs: int) -> dict:
    """Every case for each tree, interleaved run by run, on identical copies of the inputs.

    Each tree has its own copy of ``source`` (the terms at ``terms_rel``, the modules at
    ``modules_rel``), its own output, build cache and user cache. Run k of a case is measured
    for every tree before run k+1 of it for any, so a change in the machine's speed (other
    work on the shared cores) falls on both trees alike; each edit is made to every copy."""
    base: dict[str, list[str]] = {}
    terms: dict[str, Path] = {}
    for tree in trees:
        folder = work / tree.name
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(source, folder / "input")
        terms[tree.name] = folder / "input" / terms_rel
        modules = ["--modules", str(folder / "input" / modules_rel)] if modules_rel is not None else []
        base[tree.name] = ["build", str(terms[tree.name]), "-o", str(folder / "site"), *modules]
    found: dict[str, dict[str, list[dict]]] = {tree.name: {case: [] for case in CASES} for tree in trees}

    def each(case: str, before_each=None, extra: tuple[str, ...] = ()) -> None:
        for k in range(runs):
            for tree in trees:
                if before_each is not None:
                    before_each(tree, k)
                found[tree.name][case].append(measure("build", *base[tree.name], *extra, cwd=work / tree.name, tree=tree))

    each("cold", lambda tree, k: shutil.rmtree(work / tree.name / "site", ignore_errors=True), ("--no-cache",))
    for tree in trees:  # fill the cache
        measure("build", *base[tree.name], cwd=work / tree.name, tree=tree)
    time.sleep(2.1)  # past the cache's racy-stamp window, as between real edits
    each("no-op")
    each("edit", lambda tree, k: edit_one(terms[tree.name], k + 1))
    each("status edit", lambda tree, k: edit_status(terms[tree.name]))
    return {
        tree.name: {
            case: {
                "wall": median(runs_, "wall"), "cpu": median(runs_, "cpu"),
                "tree_mb": max(r["tree_mb"] for r in runs_), "walls": [r["wall"] for r in runs_],
            }
            for case, runs_ in found[tree.name].items()
        }
        for tree in trees
    }


def print_compare(results: dict) -> None:
    print("\n| size | case | before s | after s | after/before | before CPU s | after CPU s | CPU after/before |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, row in results["sizes"].items():
        b, a = row["before"], row["after"]
        for case in CASES:
            print(f"| {label} | {case} | {b[case]['wall']:.3f} | {a[case]['wall']:.3f} | "
                  f"{a[case]['wall'] / b[case]['wall']:.2f} | {b[case]['cpu']:.3f} | {a[case]['cpu']:.3f} | "
                  f"{a[case]['cpu'] / b[case]['cpu']:.2f} |")
        print(f"| {label} | cold, peak MB (sum of processes) | {b['cold']['tree_mb']:.0f} | {a['cold']['tree_mb']:.0f} | "
              f"{a['cold']['tree_mb'] / b['cold']['tree_mb']:.2f} | | | |")
    print("\n| size | after: edit/cold | after: status edit/cold | after: no-op/cold |")
    print("| --- | ---: | ---: | ---: |")
    for label, row in results["sizes"].items():
        a = row["after"]
        print(f"| {label} | {a['edit']['wall'] / a['cold']['wall']:.3f} | "
              f"{a['status edit']['wall'] / a['cold']['wall']:.3f} | {a['no-op']['wall'] / a['cold']['wall']:.3f} |")


def mkdocs_python() -> Path:
    venv = HERE / ".venv-mkdocs"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
        subprocess.check_call([str(python), "-m", "pip", "install", "-q", "mkdocs==1.6.*"])
    return python


def bench_mkdocs(terms: Path, work: Path, runs: int) -> dict:
    project = work / "mkdocs"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(terms, project / "docs", ignore=shutil.ignore_patterns("*.py", "*.toml"))
    (project / "mkdocs.yml").write_text("site_name: bench\n", "utf-8")
    mkdocs = mkdocs_python().parent / "mkdocs"
    times = [
        measure("cmd", str(mkdocs), "build", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(project / "site"))
        for _ in range(runs)
    ]
    return {"wall": median(times, "wall"), "cpu": median(times, "cpu")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mkdocs", action="store_true", help="also time MkDocs (<= 2,000 terms and the corpus)")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--before", type=Path, metavar="PATH",
                        help="a checkout of an older commit: time both trees, interleaved, and print before/after")
    parser.add_argument("--after", type=Path, metavar="PATH", default=REPO,
                        help="with --before: the newer tree (default: this checkout)")
    args = parser.parse_args()
    results: dict = {"cores": os.cpu_count(), "runs": args.runs, "sizes": {}}
    compile_package()
    with tempfile.TemporaryDirectory(prefix="cg-bench-") as tmp:
        work = Path(tmp)
        trees = [make_tree("before", args.before, work), make_tree("after", args.after, work)] if args.before else []
        cases = [(f"{n}", n) for n in args.sizes]
        if (args.corpus / "dictionary").is_dir():
            cases.insert(0, ("corpus", 0))
        for label, n in cases:
            case = work / label
            if n:
                terms, modules = generate(case / "glossary", n), case / "glossary"
            else:
                terms = case / "dictionary"
                shutil.copytree(args.corpus / "dictionary", terms)
                modules = args.corpus / "modules"
            print(f"== {label}: {len(list(terms.glob('*.md')))} files", flush=True)
            if trees:
                source, modules_rel = (case / "glossary", ".") if n else (args.corpus, "modules")
                row = bench_compare(source, "dictionary", modules_rel, trees, case, args.runs)
            else:
                row = bench_build(terms, modules, case, args.runs)
                if args.mkdocs and (n == 0 or n <= 2000):
                    row["mkdocs"] = bench_mkdocs(terms, case, args.runs)
                    row["ratios"]["mkdocs/cold"] = row["mkdocs"]["wall"] / row["cold"]["wall"]
            results["sizes"][label] = row
            print(json.dumps(row, indent=1), flush=True)
    (HERE / "results").mkdir(exist_ok=True)
    if trees:
        results["before"], results["after"] = str(args.before), str(args.after)
        print_compare(results)
        (HERE / "results" / "compare.json").write_text(json.dumps(results, indent=1), "utf-8")
        return
    sizes = [k for k in results["sizes"] if k != "corpus"]
    if len(sizes) >= 2 and "10000" in sizes and "100000" in sizes:
        results["growth 100k/10k"] = (
            results["sizes"]["100000"]["cold"]["wall"] / results["sizes"]["10000"]["cold"]["wall"]
        )
    print(
        "\n| case | files | floor s | write s | cold s | no-op s | edit s | status edit s | peak MB | largest MB |"
        " cold/floor | cold/(floor+write) | edit/cold | status/cold | no-op/cold | MkDocs s | cold CPU s | edit CPU s |"
    )
    print("| --- |" + " ---: |" * 17)
    for label, r in results["sizes"].items():
        mk = f"{r['mkdocs']['wall']:.2f}" if "mkdocs" in r else "-"
        ratios = r["ratios"]
        print(
            f"| {label} | {r['files']} | {r['floor']['wall']:.2f} | {r['write floor']['wall']:.2f} | "
            f"{r['cold']['wall']:.2f} | {r['noop']['wall']:.3f} | {r['edit']['wall']:.2f} | "
            f"{r['header edit']['wall']:.2f} | {r['cold']['tree_mb']:.0f} | {r['cold']['largest_mb']:.0f} | "
            f"{ratios['cold/floor']:.2f} | "
            f"{ratios['cold/(floor+write)']:.2f} | {ratios['edit/cold']:.3f} | {ratios['header/cold']:.3f} | "
            f"{ratios['noop/cold']:.3f} | {mk} | {r['cold']['cpu']:.2f} | {r['edit']['cpu']:.2f} |"
        )
    if "growth 100k/10k" in results:
        print(f"\n100k/10k cold-build growth: {results['growth 100k/10k']:.2f} (linear: 10)")
    (HERE / "results" / "build.json").write_text(json.dumps(results, indent=1), "utf-8")


if __name__ == "__main__":
    main()
