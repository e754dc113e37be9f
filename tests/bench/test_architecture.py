"""The layout is the architecture: imports run one way, and only the harness touches impls."""

import ast
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"
LEAVES = {"results", "cost_model", "units", "readme"}
# What each part of bench/ may import from the others (besides itself and the leaves).
ALLOWED = {
    "harness": set(),
    "analysis": set(),
    "report": {"analysis"},
    "regress": {"analysis", "harness"},  # harness: the machine facts
    "leaves": set(),
    "__main__": {"harness", "analysis", "report"},
}


def part_of(path: Path) -> str:
    relative = path.relative_to(BENCH)
    if len(relative.parts) > 1:
        return relative.parts[0]
    return "__main__" if relative.stem == "__main__" else "leaves"


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
                parts.add("leaves" if pieces[1] in LEAVES else pieces[1])
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
        assert part_of(path) in ("harness", "__main__") or path == WORKER, path


def test_the_worker_imports_nothing_of_bench():
    # It times a base commit whose bench/ may differ from HEAD's, or not exist.
    assert imported_parts(WORKER) == {"impls"}


def test_the_checker_reads_relative_and_absolute_imports():
    assert imported_parts(BENCH / "report" / "markdown.py") >= {"analysis", "leaves"}
    assert "impls" in imported_parts(BENCH / "harness" / "settings.py")


def test_no_file_in_bench_is_collected_by_a_plain_pytest():
    assert not list(BENCH.rglob("test_*.py")) and not list(BENCH.rglob("*_test.py"))
    assert not list(BENCH.rglob("conftest.py"))
