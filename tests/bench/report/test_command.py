"""python -m bench report: ours from an index into results/ and plots/, yours beside ours."""

import json
import shutil

import pytest

from bench import cli, index
from bench.report import answer, command
from tests.bench.damaged import RUN


@pytest.fixture
def ours(tmp_path, monkeypatch):
    """A repository of our own: an index of two runs of one CPU (the fixture, and a copy made
    by the same commit), a README and docs/regression.md with their markers."""
    root = tmp_path / "repo"
    results = root / "results"
    (results / "machines").mkdir(parents=True)
    shutil.copy(RUN, results / "machines" / "a.json")
    shutil.copy(RUN, results / "machines" / "b.json")
    (results / "machines" / "trials.json").write_text(json.dumps(TRIALS))
    commit = json.loads(RUN.read_text())["commit_info"]["id"][:7]
    entry = f'cpu = "CPU A"\ncommit = "{commit}"\nmeasured = "m"\nwhy = "w"\n'
    (results / "runs.toml").write_text(
        f'[[runs]]\npath = "machines/a.json"\nrole = "reference"\n{entry}'
        f'[[runs]]\npath = "machines/b.json"\nrole = "repeat"\n{entry}'
        '[[trials]]\npath = "machines/trials.json"\ncpu = "CPU A"\nwhy = "a test"\n'
    )
    (root / "README.md").write_text(f"# Title\n\n{answer.START}\nstale\n{answer.END}\n\nRest.\n")
    (root / "docs").mkdir()
    (root / "docs" / "regression.md").write_text(
        f"# Doc\n{command.TRIALS_START}\nold\n{command.TRIALS_END}\n"
    )
    monkeypatch.setattr(index, "ROOT", root)
    monkeypatch.setattr(index, "RESULTS", results)
    monkeypatch.setattr(index, "PLOTS", root / "plots")
    monkeypatch.setattr(index, "INDEX", results / "runs.toml")
    return root


TRIALS = {
    "context": {"cpu": "CPU A", "started": "2026-12-03T10:00:00+0000", "command": "c", "base": "b"},
    "scenarios": [
        {
            "name": "A/A (no change)",
            "runs": 1,
            "inject": [],
            "real_change": False,
            "expect_alarm": False,
        }
    ],
    "outcomes": [
        {
            "scenario": "A/A (no change)",
            "run": 0,
            "exit": 0,
            "seconds": 30.0,
            "regressed": [],
            "ratios": {"vectorized": 1.0},
            "check_seconds": 29,
        }
    ],
}


def test_our_report_has_the_atlas_every_run_and_with_docs_the_answer_and_trials(ours):
    assert cli.main(["report", "--docs"]) == 0
    text = (ours / "results" / "REPORT.md").read_text()
    assert "From `results/machines/a.json`" in text and "Made again by `nox -s report`" in text
    assert "## Atlas: the claims on every CPU we have measured" in text
    assert "| CPU A | `results/machines/a.json` | `results/machines/b.json` |" in text
    assert "![speedup_heatmap](../plots/speedup_heatmap.png)" in text
    page = (ours / "results" / "report.html").read_text()
    assert "Every run we report" in page and "Atlas" in page
    readme = (ours / "README.md").read_text()
    assert "stale" not in readme and "From `results/machines/a.json`" in readme
    assert readme.endswith(f"{answer.END}\n\nRest.\n")
    doc = (ours / "docs" / "regression.md").read_text()
    assert "old" not in doc and "| A/A (no change) | 1 | 0 false alarms |" in doc
    assert "**CPU A** (`results/machines/trials.json`; a test):" in doc
    assert (ours / "plots" / "speedup_heatmap.png").exists()


def test_a_file_the_index_misdates_is_refused(ours, capsys):
    toml = ours / "results" / "runs.toml"
    toml.write_text(toml.read_text().replace('commit = "', 'commit = "0', 1))
    assert cli.main(["report"]) == 2
    assert "the index says 0" in capsys.readouterr().err


def test_your_report_opens_with_your_run_beside_ours_of_the_same_cpu(ours, tmp_path):
    yours = tmp_path / "mine" / "latest.json"
    yours.parent.mkdir()
    shutil.copy(RUN, yours)
    assert cli.main(["report", str(yours)]) == 0
    text = (yours.parent / "REPORT.md").read_text()
    opening = text.split("## Verdict on the course note's claims")[0]
    assert "## Your run beside ours" in opening
    assert "Ours of this CPU model: `results/machines/a.json`" in opening
    assert (yours.parent / "plots" / "speedup_heatmap.png").exists()
    assert "Your run beside ours" in (yours.parent / "report.html").read_text()
