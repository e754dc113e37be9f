"""python -m bench: option errors before measuring, and results written whole or not at all."""

import json
import subprocess
import sys

import pandas as pd
import pytest

import bench.__main__ as cli
from bench.results import calibration_times, gradient_benchmarks

TINY = ["--m", "3,20", "--nx", "2,5"]


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "bench", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_help_lists_presets_and_examples():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "quick" in result.stdout and "default" in result.stdout and "--backends" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "nope"], "--preset: unknown preset 'nope'"),
        (["--m", "10,abc"], "--m: 'abc' is not an integer"),
        (["--nx", "0"], "--nx: sizes must be positive"),
        (["--backends", "gpu"], "--backends: unknown backend 'gpu'"),
        (["--threads", "0"], "--threads: must be a positive integer"),
    ],
)
def test_bad_options_fail_before_measuring(tmp_path, args, message, capsys):
    assert cli.main([*args, "--results-dir", str(tmp_path / "r")]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Sweeping" not in captured.out


def test_unwritable_results_dir_is_named(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cli.main([*TINY, "--results-dir", str(blocker)]) == 2
    assert f"--results-dir: cannot write to {blocker}" in capsys.readouterr().err


def test_a_run_writes_json_csv_and_a_summary(tmp_path):
    results = tmp_path / "results"
    done = run_cli(
        *TINY,
        "--backends",
        "two_loop,vectorized,numba",
        "--results-dir",
        str(results),
        "--plots-dir",
        str(tmp_path / "plots"),
    )
    assert done.returncode == 0, done.stderr
    assert "[12/12 " in done.stdout and "Speedup over two_loop" not in done.stderr
    runs = list((results / "runs").glob("*.json"))
    assert len(runs) == 1 and not list((results / "runs").glob(".tmp*"))
    latest = json.loads((results / "latest.json").read_text())
    assert latest == json.loads(runs[0].read_text())
    assert calibration_times(latest).keys() == {"python_loop", "numpy_kernels"}
    # The calibration kernels are timed before the first point and after the last.
    groups = [(b["group"], b["params"].get("when")) for b in latest["benchmarks"]]
    assert groups[:2] == [("calibration", "start")] * 2
    assert groups[-2:] == [("calibration", "end")] * 2
    assert {b["params"]["backend"] for b in gradient_benchmarks(latest)} == {
        "two_loop",
        "vectorized",
        "numba",
    }
    facts = latest["machine_info"]["lrbench"]
    assert facts["threads_requested"] == 1 and "numpy" in facts["versions"]
    assert latest["lrbench"]["first_call_s"].keys() == {"two_loop", "vectorized", "numba"}
    table = pd.read_csv(results / "latest.csv")
    assert len(table) == 12 and set(table["status"]) == {"measured"}
    assert (table.loc[table["backend"] == "two_loop", "speedup_vs_two_loop"] == 1).all()
    assert "## Verdict" in (results / "REPORT.md").read_text()
    assert (tmp_path / "plots" / "speedup_heatmap.png").exists()


def test_a_failed_sweep_leaves_previous_results_untouched(tmp_path, monkeypatch, capsys):
    results = tmp_path / "results"
    (results / "runs").mkdir(parents=True)
    (results / "latest.json").write_text("previous")
    (results / "latest.csv").write_text("previous")

    def half_written_then_interrupted(sweep, json_path):
        json_path.write_text('{"benchmarks": [')
        return pytest.ExitCode.INTERRUPTED

    monkeypatch.setattr(cli, "run_sweep", half_written_then_interrupted)
    assert cli.main([*TINY, "--results-dir", str(results)]) == 1
    assert "untouched" in capsys.readouterr().err
    assert (results / "latest.json").read_text() == "previous"
    assert (results / "latest.csv").read_text() == "previous"
    assert list((results / "runs").iterdir()) == []
