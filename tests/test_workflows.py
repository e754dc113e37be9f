"""The GitHub workflows pass actionlint (installed by the test extra, as a PyPI wheel)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

WORKFLOWS = sorted((Path(__file__).parents[1] / ".github" / "workflows").glob("*.yml"))


def actionlint(*paths: Path) -> subprocess.CompletedProcess:
    beside_python = Path(sys.executable).with_name("actionlint")
    binary = beside_python if beside_python.exists() else shutil.which("actionlint")
    assert binary, "actionlint is missing: install the test extra (pip install -e '.[test]')"
    return subprocess.run(
        [str(binary), "-color=false", *map(str, paths)], capture_output=True, text=True
    )


def test_the_regression_workflow_checks_out_the_whole_history_then_runs_the_check():
    workflow = yaml.safe_load((WORKFLOWS[0].parent / "regress.yml").read_text())
    steps = workflow["jobs"]["regress"]["steps"]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout"))
    # The base commit must be in the clone for the check's git worktree.
    assert checkout["with"]["fetch-depth"] == 0
    runs = [step["run"] for step in steps if "run" in step]
    assert any(run.startswith("nox -s regress -- --base ") for run in runs)
    assert steps.index(checkout) < min(
        i for i, step in enumerate(steps) if "nox -s" in step.get("run", "")
    )


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[path.name for path in WORKFLOWS])
def test_workflow_passes_actionlint(workflow):
    result = actionlint(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.event.pull_request.nosuch.sha }}\n"
        "      - uses: actions/checkout@v4\n        with:\n          fetch-depth: [1\n"
    )
    assert actionlint(broken).returncode != 0
