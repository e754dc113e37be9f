"""Your own gradient step as a backend: refused before any timing when wrong, swept when right."""

import json
import subprocess
import sys

import numpy as np
import pytest

import impls
from bench import cli
from bench.harness import added
from bench.reference import assert_matches_reference
from bench.results import Run

COURSE_STEP = '''
import numpy as np


def course_step(w, b, X, Y):
    """The course's vectorized step, as the course writes it."""
    m = X.shape[1]
    A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (A - Y).T) / m
    db = np.sum(A - Y) / m
    return {"dw": dw, "db": db}, cost


def db_off(w, b, X, Y):
    grads, cost = course_step(w, b, X, Y)
    return grads["dw"], grads["db"] + 1e-3, cost


def raises(w, b, X, Y):
    raise ZeroDivisionError("my bug")


def flat_dw(w, b, X, Y):
    grads, cost = course_step(w, b, X, Y)
    return grads["dw"][:-1], grads["db"], cost


def as_tuple(w, b, X, Y):
    grads, cost = course_step(w, b, X, Y)
    return grads["dw"], grads["db"], cost
'''


@pytest.fixture
def steps(tmp_path):
    path = tmp_path / "steps.py"
    path.write_text(COURSE_STEP)
    return path


@pytest.fixture
def registered():
    names = []
    yield names
    for name in names:
        impls.BACKENDS.pop(name, None)


@pytest.mark.parametrize("name", ["course_step", "as_tuple"])
def test_a_course_style_step_is_checked_measured_and_registered(steps, registered, name):
    function = added.AddedFunction.parse(f"{steps}:{name}")
    backend = added.register_file(function, function.sha256())
    registered.append(backend.name)
    assert impls.BACKENDS[name] is backend and backend.passes_over_x == 1
    X, Y = impls.make_problem(50, 6, seed=4)
    w = np.linspace(-1, 1, 6)
    assert_matches_reference(backend.gradient(w, 0.2, backend.prepare(X, Y)), w, 0.2, X, Y)
    # Its memory is measured: the step makes A, A - Y and products of X's size m·n_x·8 or less.
    assert 0 < backend.memory_bytes(10_000, 100, 8) < 20 * 8 * 10_000 * 100


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("db_off", r"db_off at m=7, n_x=3 disagrees with the high-precision reference: db off by"),
        ("raises", r"raises at m=7, n_x=3 raised ZeroDivisionError: my bug"),
        ("flat_dw", r"flat_dw at m=7, n_x=3: dw has shape \(2, 1\); expected \(3, 1\)"),
        ("missing", r"steps.py has no function missing"),
    ],
)
def test_a_step_that_is_wrong_raises_or_is_missing_is_refused_naming_why(steps, name, message):
    function = added.AddedFunction.parse(f"{steps}:{name}")
    with pytest.raises(added.AddedFunctionError, match=message):
        added.register_file(function)
    assert name not in impls.BACKENDS


def test_the_refusal_gives_the_relative_error_and_nothing_is_timed(steps, capsys):
    status = cli.main(["--add", f"{steps}:db_off", "--m", "30", "--nx", "3", "--no-report"])
    assert status == 2
    captured = capsys.readouterr()
    assert "db off by" in captured.err and "(relative)" in captured.err
    assert "Nothing was timed" in captured.err and "Sweeping" not in captured.out
    error = float(captured.err.split("db off by ")[1].split(" ")[0])
    assert 1e-4 < error < 1e-1  # 1e-3 against a db of order 0.1


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("steps.py", "expected FILE.py:FUNCTION"),
        ("nowhere.py:step", "no such file"),
        ("broken.py:step", "cannot import broken.py: SyntaxError"),
    ],
)
def test_a_spec_that_cannot_be_used_exits_2_naming_it(tmp_path, spec, message, capsys):
    (tmp_path / "broken.py").write_text("def step(:\n")
    (tmp_path / "steps.py").write_text(COURSE_STEP)
    status = cli.main(["--add", str(tmp_path / spec), "--m", "30", "--nx", "3"])
    assert status == 2 and message in capsys.readouterr().err


def test_a_name_taken_by_a_backend_is_refused(tmp_path):
    path = tmp_path / "steps.py"
    path.write_text(COURSE_STEP.replace("def as_tuple", "def vectorized"))
    with pytest.raises(added.AddedFunctionError, match="a backend named vectorized exists"):
        added.register_file(added.AddedFunction.parse(f"{path}:vectorized"))


@pytest.mark.timeout(240)  # a sweep of two passes in fresh processes, and its report
def test_a_step_from_a_file_is_swept_in_every_pass_process_and_reported(
    steps, tmp_path, monkeypatch
):
    results = tmp_path / "results"
    command = [sys.executable, "-m", "bench", "--add", f"{steps}:course_step"]
    command += ["--m", "30,300", "--nx", "3", "--backends", "two_loop,course_two_loop"]
    command += ["--passes", "2", "--results-dir", str(results), "--no-report"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=220)
    assert done.returncode == 0, done.stderr[-3000:]
    monkeypatch.setattr("bench.index.INDEX", tmp_path / "none.toml")  # no runs of ours here
    assert cli.main(["report", str(results / "latest.json")]) == 0
    run = Run.load(results / "latest.json")
    assert run.settings.processes == "per-pass"  # each pass imported the file again
    (record,) = run.settings.added
    assert (record.function, record.path) == ("course_step", str(steps))
    assert len(record.sha256) == 64
    measured = run.measured[run.measured["backend"] == "course_step"]
    assert len(measured) == 2 and (measured["passes"] == 2).all()
    report = (results / "REPORT.md").read_text()
    assert "## Your functions against the loops" in report
    assert "Your function `course_step` (from " in report
    assert "| `course_step` over `two_loop` | `course_step` over `course_two_loop` |" in report
    assert "Your function `course_step`" in done.stdout  # in the answer printed at the end
    document = json.loads((results / "latest.json").read_text())
    assert document["lrbench"]["settings"]["added"][0]["sha256"] == record.sha256


def test_compare_from_python_returns_the_run_and_refuses_a_wrong_step(tmp_path, steps):
    import importlib.util

    import bench

    spec = importlib.util.spec_from_file_location("steps_for_compare", steps)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(ValueError, match="db off by"):
        bench.compare({"wrong": module.db_off}, m=[30], n_x=[3], folder=tmp_path / "c")
    assert "wrong" not in impls.BACKENDS
    result = bench.compare(
        module.course_step,
        m=[30, 300],
        n_x=[3],
        backends=["two_loop"],
        passes=2,
        folder=tmp_path / "c",
    )
    assert "course_step" not in impls.BACKENDS  # registered for the sweep only
    assert set(result.table["backend"]) == {"course_step", "two_loop"}
    assert "Your function `course_step` (defined in Python)" in result._repr_markdown_()
    assert result.report.exists() and result.page.exists() and result.heatmap.exists()
