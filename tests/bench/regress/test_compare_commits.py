"""The A/B check end to end, on a real git repository of a few commits of a toy ``impls``.

Commit "fast" has one backend; "slow" makes its step do the work three times;
"extra" adds a backend; "broken" cannot be imported. Slowdowns here are large
(3x) and the bounds loose, so the verdicts do not hang on this machine's noise.
"""

import json
import subprocess
import textwrap

import pandas as pd
import pytest

from bench import cli
from bench.regress import ab

TOY = textwrap.dedent(
    '''
    """A toy impls: the contract the check's worker relies on, and nothing else."""
    from types import SimpleNamespace
    from typing import NamedTuple

    import numpy as np

    REPEATS = {repeats}


    class Gradient(NamedTuple):
        dw: np.ndarray
        db: float
        cost: float


    def make_problem(m, n_x, seed=0, dtype="float64"):
        rng = np.random.default_rng(seed)
        return rng.standard_normal((n_x, m)).astype(dtype), (rng.random(m) < 0.5).astype(dtype)


    def gradient(w, b, data):
        X, Y = data
        for _ in range(REPEATS):
            dZ = 1 / (1 + np.exp(-(w @ X + b))) - Y
            dw = X @ dZ / X.shape[1]
        return Gradient(dw, float(dZ.mean()), float(np.abs(dZ).mean()))


    BACKENDS = {{name: SimpleNamespace(prepare=lambda X, Y: (X, Y), gradient=gradient)
                 for name in {names}}}
    '''
)
LOOSE = ["--threshold", "1.5", "--floor", "1.3", "--rounds", "4", "--workers", "2"]


def git(repo, *args):
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    return subprocess.run([*command, *args], cwd=repo, check=True, capture_output=True, text=True)


def commit(repo, message, repeats=1, names=("toy",), source=None):
    (repo / "impls").mkdir(exist_ok=True)
    text = source or TOY.format(repeats=repeats, names=list(names))
    (repo / "impls" / "__init__.py").write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    git(repo, "tag", message)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    path = tmp_path_factory.mktemp("repo")
    git(path, "init", "-q")
    commit(path, "fast")
    commit(path, "slow", repeats=3)
    commit(path, "extra", repeats=1, names=("toy", "extra"))
    commit(path, "broken", source="def broken(:\n")
    git(path, "checkout", "-q", "fast")
    return path


@pytest.fixture
def run_check(repo, tmp_path, monkeypatch):
    """commits.main in the toy repository, small points; returns (exit, summary or None)."""
    monkeypatch.chdir(repo)
    monkeypatch.setattr(ab, "FAST_POINTS", ((1_000, 100), (20_000, 50)))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    out = tmp_path / "out"

    def run(*options):
        code = cli.main(["regress", "--out-dir", str(out), *options])
        summary = out / "summary.json"
        return code, json.loads(summary.read_text()) if summary.exists() else None

    return run


def test_same_commit_is_no_regression_and_base_code_comes_from_its_own_tree(
    run_check, repo, capsys
):
    code, summary = run_check("--base", "fast", "--head", "fast", *LOOSE)
    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Verdict: no regression (exit 0)."
    assert summary["verdict"] == "no regression"
    assert summary["tests"][-1]["test"] == "all backends"
    base_impls = summary["impls"]["base"]
    assert base_impls.endswith("impls/__init__.py") and str(repo) not in base_impls
    assert not list(repo.glob("lrbench-*"))  # the worktrees are gone
    assert summary["workers"] == 2


def test_the_pairs_of_workers_take_the_rounds_in_turn(run_check, tmp_path):
    run_check("--base", "fast", "--head", "fast", *LOOSE)
    rounds = pd.read_csv(tmp_path / "out" / "rounds.csv")
    assert rounds.groupby("round")["pair"].first().tolist() == [0, 1, 0, 1]


def test_three_times_slower_head_is_named_confirmed_and_exits_1(run_check, capsys):
    code, summary = run_check("--base", "fast", "--head", "slow", *LOOSE)
    assert code == 1
    # Its last line says so: nox turns this 1 and a "cannot compare" 2 into one exit code.
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == "Verdict: regression in toy, all backends (exit 1)."
    )
    assert summary["regressed"] == ["toy", "all backends"]
    assert summary["confirmed"] is True
    toy = next(t for t in summary["tests"] if t["test"] == "toy")
    assert toy["ratio"] > 2 and toy["confirmation_ratio"] > 2
    assert (toy["pairs"], toy["pairs_slower"]) == (2, 2)
    cells = {(c["backend"], c["m"], c["n_x"]) for c in summary["cells"]}
    assert cells == {("toy", 1_000, 100), ("toy", 20_000, 50)}


def test_the_working_tree_is_the_default_head(run_check, repo):
    # Checked out: "fast"; base "slow" is 3x slower, so the head is faster: no regression.
    code, summary = run_check("--base", "slow", *LOOSE)
    assert code == 0 and summary["head"] == "working tree"
    assert next(t for t in summary["tests"] if t["test"] == "toy")["ratio"] < 0.5


def test_a_backend_new_in_head_is_reported_not_compared(run_check):
    code, summary = run_check("--base", "fast", "--head", "extra", *LOOSE)
    assert code == 0
    assert summary["new_in_head"] == ["extra"] and summary["backends"] == ["toy"]


def test_summary_goes_to_github_step_summary(run_check, monkeypatch, tmp_path):
    step_summary = tmp_path / "step.md"
    step_summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    assert run_check("--base", "fast", "--head", "slow", *LOOSE, "--no-confirm")[0] == 1
    text = step_summary.read_text()
    assert text.startswith("earlier step\n### Regression check: regression in toy")
    assert "| toy | 1,000 | 100 |" in text


@pytest.mark.parametrize(
    ("options", "messages"),
    [
        (["--base", "no-such-ref"], ["unknown ref 'no-such-ref'"]),
        (
            ["--base", "fast", "--head", "extra", "--backends", "extra"],
            ["backend 'extra' is missing in the base"],
        ),
        (["--base", "broken"], ["cannot be timed: its impls failed", "SyntaxError"]),
    ],
    ids=["unknown-ref", "backend-missing-in-base", "base-does-not-import"],
)
def test_what_cannot_be_compared_exits_2(run_check, capsys, options, messages):
    code, summary = run_check(*options, *LOOSE)
    assert code == 2 and summary is None
    err = capsys.readouterr().err
    assert all(message in err for message in messages), err
    assert err.startswith("python -m bench regress: cannot compare:") and "(exit 2)" in err


def test_no_recorded_base_exits_2(run_check, capsys):
    assert run_check(*LOOSE)[0] == 2
    assert "no --base given and no commit recorded in " in capsys.readouterr().err


def test_update_baseline_records_head(run_check, repo, capsys):
    assert run_check("--update-baseline")[0] == 0
    recorded = (repo / "results" / "baseline" / "REF").read_text().strip()
    assert recorded == git(repo, "rev-parse", "HEAD").stdout.strip()
    (repo / "results" / "baseline" / "REF").unlink()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--rounds", "2"], "--rounds must be at least 3"),
        (["--rounds", "5", "--workers", "3"], "--workers must be between 1 and half"),
        (["--workers", "0"], "--workers must be between 1 and half"),
        (["--threshold", "1.01"], "need --threshold ≥ --floor > 1"),
        (["--inject-slowdown", "toy=0.5"], "the factor must be above 1"),
    ],
)
def test_bad_options_exit_2(run_check, capsys, options, message):
    with pytest.raises(SystemExit) as exited:
        run_check(*options)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
