"""The build benchmark of issue 8: floor, cold build, no-op, one-term edit, memory, MkDocs.

    .venv/bin/python bench/run.py                      # N = 1k, 10k (add 100000 for the full table)
    .venv/bin/python bench/run.py --sizes 1000 10000 100000 --runs 3 --mkdocs

For each size it generates a glossary (bench/generate.py) and measures, as medians of
``--runs`` runs, each in a fresh child process:

- floor: read every file and parse its front-matter blocks with PyYAML's C loader;
- cold: ``compile-glossary build --no-cache`` (full pipeline, site written);
- no-op: ``build`` again with the cache and nothing changed;
- edit: one term's prose (its body) changed, then ``build`` with the cache;
- status edit: one term's ``status`` changed in its header (draft -> candidate -> ratified),
  then ``build`` with the cache: the header edit authors make most, shown on several pages;
- write floor: the cold build's site written again, file by file, by as many processes as
  there are cores, into an empty folder (its bytes read beforehand): what creating those
  files costs on this machine, which no build of the same pages avoids;
- peak memory (max RSS of the build process and its workers) of the cold build;
- MkDocs (``--mkdocs``, at sizes <= 2,000 and on ../shared/corpus): ``mkdocs build`` of
  the same files as plain pages, installed in its own virtual environment under
  bench/.venv-mkdocs (never in the project's).

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
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

# Runs a command in this child process and reports wall, CPU and peak memory as JSON on fd $BENCH_FD.
WRAPPER = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
r0 = resource.getrusage(resource.RUSAGE_SELF)
kind, args = sys.argv[1], sys.argv[2:]
code = 0
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
    from compiler.cli.main import main
    code = main(args)
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
os.write(int(os.environ["BENCH_FD"]),
         json.dumps({"wall": wall, "cpu": cpu, "rss_mb": max(peak, c.ru_maxrss) / 1024, "code": code}).encode())
"""


# The children run as an installed compile-glossary does: with its bytecode. ``pip install`` writes
# the .pyc files; PYTHONDONTWRITEBYTECODE (set in some sandboxes) would make every run compile
# the package's ~10,000 lines again (~60 ms of every build on this machine), which no user pays.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_package() -> None:
    """Byte-compile the compiler package once, as ``pip install`` does."""
    import compileall

    import compiler

    compileall.compile_dir(str(Path(compiler.__file__).parent), quiet=1)


def measure(kind: str, *args: str, cwd: Path | None = None) -> dict:
    read, write = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, kind, *args],
        pass_fds=(write,),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**CHILD_ENV, "BENCH_FD": str(write)},
    )
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    proc.wait()
    return json.loads(data)


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def edit_one(terms: Path, round_: int) -> None:
    path = sorted(terms.glob("*.md"))[len(list(terms.glob("*.md"))) // 2]
    text = path.read_text("utf-8")
    marker = "Edited for the benchmark"
    text = text.replace(f"{marker} {round_ - 1}.", "") if round_ else text
    path.write_text(text.replace("## Canonical\n", f"## Canonical\n{marker} {round_}. ", 1), "utf-8")


_STATUS = re.compile(r"^status: (draft|candidate|ratified)[ \t]*$", re.MULTILINE)
_NEXT_STATUS = {"draft": "candidate", "candidate": "ratified", "ratified": "draft"}


def edit_status(terms: Path) -> None:
    """A header edit: the next status of the first term file from the middle on that has one.

    A status is the header edit authors make most (a term going from draft to candidate),
    and it is shown on the term's page, its neighbours', the index, the search index and
    the graph export. The last status line of the file is changed (its full header)."""
    files = sorted(terms.glob("*.md"))
    for path in files[len(files) // 2 :] + files[: len(files) // 2]:
        text = path.read_text("utf-8")
        found = list(_STATUS.finditer(text))
        if found:
            m = found[-1]
            path.write_text(f"{text[: m.start()]}status: {_NEXT_STATUS[m.group(1)]}{text[m.end() :]}", "utf-8")
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
        "cold": {"wall": median(cold, "wall"), "cpu": median(cold, "cpu"), "rss_mb": max(r["rss_mb"] for r in cold)},
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
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mkdocs", action="store_true", help="also time MkDocs (<= 2,000 terms and the corpus)")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    args = parser.parse_args()
    results: dict = {"cores": os.cpu_count(), "runs": args.runs, "sizes": {}}
    compile_package()
    with tempfile.TemporaryDirectory(prefix="cg-bench-") as tmp:
        work = Path(tmp)
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
            row = bench_build(terms, modules, case, args.runs)
            if args.mkdocs and (n == 0 or n <= 2000):
                row["mkdocs"] = bench_mkdocs(terms, case, args.runs)
                row["ratios"]["mkdocs/cold"] = row["mkdocs"]["wall"] / row["cold"]["wall"]
            results["sizes"][label] = row
            print(json.dumps(row, indent=1), flush=True)
    sizes = [k for k in results["sizes"] if k != "corpus"]
    if len(sizes) >= 2 and "10000" in sizes and "100000" in sizes:
        results["growth 100k/10k"] = (
            results["sizes"]["100000"]["cold"]["wall"] / results["sizes"]["10000"]["cold"]["wall"]
        )
    print(
        "\n| case | files | floor s | write s | cold s | no-op s | edit s | status edit s | peak MB | cold/floor |"
        " cold/(floor+write) | edit/cold | status/cold | no-op/cold | MkDocs s | cold CPU s | edit CPU s |"
    )
    print(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for label, r in results["sizes"].items():
        mk = f"{r['mkdocs']['wall']:.2f}" if "mkdocs" in r else "-"
        ratios = r["ratios"]
        print(
            f"| {label} | {r['files']} | {r['floor']['wall']:.2f} | {r['write floor']['wall']:.2f} | "
            f"{r['cold']['wall']:.2f} | {r['noop']['wall']:.3f} | {r['edit']['wall']:.2f} | "
            f"{r['header edit']['wall']:.2f} | {r['cold']['rss_mb']:.0f} | {ratios['cold/floor']:.2f} | "
            f"{ratios['cold/(floor+write)']:.2f} | {ratios['edit/cold']:.3f} | {ratios['header/cold']:.3f} | "
            f"{ratios['noop/cold']:.3f} | {mk} | {r['cold']['cpu']:.2f} | {r['edit']['cpu']:.2f} |"
        )
    if "growth 100k/10k" in results:
        print(f"\n100k/10k cold-build growth: {results['growth 100k/10k']:.2f} (linear: 10)")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "build.json").write_text(json.dumps(results, indent=1), "utf-8")


if __name__ == "__main__":
    main()
