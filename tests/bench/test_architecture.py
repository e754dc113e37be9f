"""The layout is the architecture: imports run one way, and only the harness touches impls."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"
LEAVES = {
    "results",
    "result_file",
    "passes",
    "settings",
    "machine_facts",
    "intervals",
    "machine",
    "problem",
    "placement",
    "cost_model",
    "units",
    "readme",
    "index",
    "records",
    "files",
    "claims",
    "reference",
}
# The one command line and the command that joins a sweep to its report: the way in.
ENTRY = {"__main__", "__init__", "cli", "run_command", "comparison"}
# What each part of bench/ may import from the others (besides itself and the leaves).
ALLOWED = {
    "harness": set(),
    "analysis": set(),
    "report": {"analysis"},
    "regress": {"analysis"},
    "leaves": set(),
    "entry": {"harness", "analysis", "report", "regress"},
}


def part_of(path: Path) -> str:
    relative = path.relative_to(BENCH)
    if len(relative.parts) > 1:
        return relative.parts[0]
    return "entry" if relative.stem in ENTRY else "leaves"


def imported_parts(path: Path) -> set[str]:
    """The parts of bench/ (and impls) that one module imports."""
    parts = set()
    package = path.relative_to(BENCH.parent).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names = [".".join([*base, node.module or ""]).strip(".")]
                if not node.module:
                    names = [".".join([*base, a.name]) for a in node.names]
            else:
                names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            pieces = name.split(".")
            if pieces[0] == "impls":
                parts.add("impls")
            elif pieces[0] == "bench" and len(pieces) > 1:
                known = {**dict.fromkeys(LEAVES, "leaves"), **dict.fromkeys(ENTRY, "entry")}
                parts.add(known.get(pieces[1], pieces[1]))
    return parts


MODULES = sorted(BENCH.rglob("*.py"))
WORKER = BENCH / "regress" / "worker.py"


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(BENCH)) for p in MODULES])
def test_imports_run_one_way(path):
    part = part_of(path)
    others = imported_parts(path) - {part, "leaves", "impls"}
    assert others <= ALLOWED[part], f"{path.relative_to(BENCH)} imports {sorted(others)}"


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(BENCH)) for p in MODULES])
def test_only_the_harness_reaches_the_backends(path):
    # The A/B check's worker too: it runs alone in a process started on one commit's tree.
    if "impls" in imported_parts(path):
        assert part_of(path) in ("harness", "entry") or path == WORKER, path


def test_the_worker_imports_nothing_of_bench():
    # It times a base commit whose bench/ may differ from HEAD's, or not exist.
    assert imported_parts(WORKER) == {"impls"}


def test_the_checker_reads_relative_and_absolute_imports():
    assert imported_parts(BENCH / "report" / "markdown.py") >= {"analysis", "leaves"}
    assert "impls" in imported_parts(BENCH / "harness" / "settings.py")


def test_no_file_in_bench_is_collected_by_a_plain_pytest():
    assert not list(BENCH.rglob("test_*.py")) and not list(BENCH.rglob("*_test.py"))
    assert not list(BENCH.rglob("conftest.py"))


# What reads results, reports and checks for regressions: each must import without a backend,
# a compiler or a test runner (a report on a laptop without numba; a check whose parent
# process times nothing).
LIGHT = [
    "bench.cli",
    "bench.index",
    "bench.results",
    "bench.settings",
    "bench.analysis",
    "bench.report",
    "bench.report.command",
    "bench.regress.compare_commits",
    "bench.regress.compare_files",
    "bench.regress.trials",
]
HEAVY = ("impls", "numba", "pytest", "jax")


def loaded_by_importing(module: str, then: str = "pass") -> list[str]:
    """The heavy modules loaded by importing module and running the statement then."""
    code = (
        f"import importlib, sys; importlib.import_module({module!r}); {then}; "
        f"print(' '.join(name for name in {HEAVY!r} if name in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BENCH.parent,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize("module", LIGHT)
def test_reading_reporting_and_checking_load_no_backend_compiler_or_test_runner(module):
    assert loaded_by_importing(module) == []


@pytest.mark.parametrize("command", ["report", "regress", "trials", "compare-files"])
def test_the_command_line_of_a_light_command_loads_nothing_heavy(command):
    # Its options declared and its help written, as `python -m bench COMMAND --help` does.
    assert loaded_by_importing("bench.cli", f"sys.modules['bench.cli'].parser({command!r})") == []


def test_the_check_sees_a_heavy_import():
    assert "numba" in loaded_by_importing("bench.harness.bandwidth")


LIBRARIES = ("numpy", "pandas", "scipy.stats", "numba", "matplotlib.pyplot", "bokeh.plotting")
LIBRARIES += ("impls", "pytest", "pytest_benchmark.plugin", "threadpoolctl", "psutil")


def test_importing_a_module_of_bench_allocates_no_data():
    """What each module's own lines allocate at import (tracemalloc's traces by file): code and
    small tables, never a dataset (the lecture's vectors were 80 MB, made at import)."""
    names = {
        ".".join(path.relative_to(BENCH.parent).with_suffix("").parts): str(path)
        for path in MODULES
        if path.stem != "__main__" and path.name != "timed_steps.py"  # commands, pytest's
    }
    # A trace is a module's own when, walking from the allocation outwards, the module's frame
    # comes before any import machinery (else it is a library's, imported by the module).
    code = f"""
import importlib, json, tracemalloc
for library in {LIBRARIES!r}:  # untraced: tracing their imports would take minutes
    importlib.import_module(library)
tracemalloc.start(8)
for name in {list(names)!r}:
    importlib.import_module(name)
own = dict.fromkeys({list(names.values())!r}, 0)
for trace in tracemalloc.take_snapshot().traces:
    for frame in reversed(trace.traceback):
        if frame.filename.startswith("<frozen importlib"):
            break
        if frame.filename in own:
            own[frame.filename] += trace.size
            break
print(json.dumps(own))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=BENCH.parent
    )
    assert done.returncode == 0, done.stderr
    sizes = json.loads(done.stdout.splitlines()[-1])
    own = {name: sizes[path] for name, path in names.items()}
    assert {name: size for name, size in own.items() if size > 2**20} == {}
