"""The GitHub workflows pass actionlint (installed by the test extra, as a PyPI wheel)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKFLOWS = sorted((Path(__file__).parents[1] / ".github" / "workflows").glob("*.yml"))


def actionlint(*paths: Path) -> subprocess.CompletedProcess:
    beside_python = Path(sys.executable).with_name("actionlint")
    binary = beside_python if beside_python.exists() else shutil.which("actionlint")
    assert binary, "actionlint is missing: install the test extra (pip install -e '.[test]')"
    return subprocess.run(
        [str(binary), "-color=false", *map(str, paths)], capture_output=True, text=True
    )


def test_there_is_a_regression_check_workflow():
    names = [path.name for path in WORKFLOWS]
    assert "regress.yml" in names
    text = (WORKFLOWS[names.index("regress.yml")]).read_text()
    assert "nox -s regress -- --base" in text and "fetch-depth: 0" in text


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
