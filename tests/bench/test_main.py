"""python -m bench run: option errors before measuring, and results written whole or not at all."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

import impls
from bench import cli, harness
from bench.analysis import describe
from bench.harness.settings import PRESETS
from bench.results import Run

TINY = ["--m", "3,20", "--nx", "2,5"]


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "bench", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_help_lists_every_preset_grid_and_every_backend_with_its_description(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name, preset in PRESETS.items():
        assert f"{name:11} m in {list(preset.m)}" in out
        assert f"n_x in {list(preset.n_x)}; " in out.split(f"{name:11} m in")[1].split("\n")[0]
    assert "and the m whose X is 1.25x this machine's RAM" in out
    assert "--stores {never,beyond-memory,always}" in out
    for backend in impls.BACKENDS.values():
        assert f"{backend.name:15} {backend.description}" in " ".join(out.split("\n"))
    assert "--relative-to BACKEND" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "nope"], "--preset: unknown preset 'nope'"),
        (["--m", "10,abc"], "--m: 'abc' is not an integer"),
        (["--nx", "0"], "--nx: sizes must be positive"),
        (["--backends", "gpu"], "--backends: unknown backend 'gpu'"),
        (["--threads", "0"], "--threads: must be a positive integer"),
        (["--dtype", "float16"], "--dtype: invalid choice: 'float16'"),
        (["--passes", "0"], "--passes: must be a positive integer"),
        (["--relative-to", "vectorized", "--backends", "numba"], "--relative-to: vectorized is"),
        (["--plan", "rows-3k-g4"], "--plan: no plan 'rows-3k-g4'; the plans: columns-256k-g4"),
    ],
)
def test_bad_options_fail_before_measuring(tmp_path, args, message, capsys):
    try:
        status = cli.main([*args, "--results-dir", str(tmp_path / "r")])
    except SystemExit as exit_info:  # what argparse itself refuses
        status = exit_info.code
    assert status == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Sweeping" not in captured.out


def test_a_forced_plan_is_run_and_recorded_at_every_point(tmp_path):
    results = tmp_path / "results"
    forced = "rows-32k-g8,columns-256k-g4"  # rows where a copy is a candidate, else columns
    args = ["--m", "50", "--nx", "4,40", "--backends", "numba_fused", "--passes", "1"]
    done = run_cli(*args, "--plan", forced, "--no-report", "--results-dir", str(results))
    assert done.returncode == 0, done.stderr
    run = Run.load(results / "latest.json")
    plans = run.table.set_index("n_x")
    assert plans.loc[4, "plan"] == "columns-256k-g4" and plans.loc[40, "plan"] == "rows-32k-g8"
    assert set(plans["plan_source"]) == {"forced"}
    assert run.facts["environment"]["LRBENCH_PLAN"] == forced


def test_unwritable_results_dir_is_named(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cli.main([*TINY, "--results-dir", str(blocker)]) == 2
    assert f"--results-dir: cannot write to {blocker}" in capsys.readouterr().err


def test_a_run_writes_json_csv_report_and_a_summary(tmp_path):
    results = tmp_path / "results"
    done = run_cli(
        *TINY,
        "--processes",
        "one",  # fresh processes per pass: the resume and Ctrl-C tests below
        "--backends",
        "two_loop,vectorized,numba",
        "--relative-to",
        "numba",
        "--results-dir",
        str(results),
        "--plots-dir",
        str(tmp_path / "plots"),
    )
    assert done.returncode == 0, done.stderr
    assert "[36/36 " in done.stdout  # 12 points in each of 3 passes
    runs = list((results / "runs").glob("*.json"))
    assert len(runs) == 1 and not list((results / "runs").glob(".tmp*"))
    latest = json.loads((results / "latest.json").read_text())
    assert latest == json.loads(runs[0].read_text())
    run = Run.load(results / "latest.json")
    assert run.calibration.keys() == {"python_loop", "numpy_kernels"}
    # The calibration kernels are timed before the first point and after the last.
    groups = [(b["group"], b["params"].get("when")) for b in latest["benchmarks"]]
    assert groups[:2] == [("calibration", "start")] * 2
    assert groups[-2:] == [("calibration", "end")] * 2
    assert set(run.measured["backend"]) == {"two_loop", "vectorized", "numba"}
    assert run.facts["threads_requested"] == 1
    assert run.first_call_s.keys() == {"two_loop", "vectorized", "numba"}
    table = pd.read_csv(results / "latest.csv")
    assert len(table) == 12 and set(table["status"]) == {"measured"}
    assert (table.loc[table["backend"] == "numba", "speedup_vs_numba"] == 1).all()
    assert "speedup_vs_two_loop" in table  # the claims' baseline, whatever the reference
    assert f"From `{results / 'latest.json'}`" in (results / "REPORT.md").read_text()
    assert json.loads((results / "verdict.json").read_text())["claims"][0]["label"] == "~300x"
    # Every round's time is kept, in every pass, in the order the sweep recorded.
    assert run.to_document()["lrbench"]["order"] == [list(p) for p in harness_points(run)]
    gradient = [b for b in latest["benchmarks"] if b["group"] is None]
    assert {b["params"]["pass_number"] for b in gradient} == {1, 2, 3}
    assert all(len(b["stats"]["data"]) == b["stats"]["rounds"] for b in gradient)
    assert set(run.lecture["kernel"]) == {"loop_over_numpy", "loop_over_list", "numpy_dot"}
    assert (tmp_path / "plots" / "speedup_heatmap.png").exists()


def harness_points(run):
    return run.settings.points()


def test_a_failed_sweep_leaves_previous_results_untouched(tmp_path, monkeypatch, capsys):
    results = tmp_path / "results"
    (results / "runs").mkdir(parents=True)
    (results / "latest.json").write_text("previous")
    (results / "latest.csv").write_text("previous")

    def interrupted(settings, journal=None):
        raise harness.SweepError("the sweep did not finish cleanly (pytest exit 2)")

    monkeypatch.setattr(harness, "run", interrupted)
    assert cli.main([*TINY, "--results-dir", str(results)]) == 1
    assert "untouched" in capsys.readouterr().err
    assert (results / "latest.json").read_text() == "previous"
    assert (results / "latest.csv").read_text() == "previous"
    assert list((results / "runs").iterdir()) == []


# ---- interrupted sweeps: Ctrl-C, kill -9, and --resume --------------------------------------

SWEEP = [*TINY, "--backends", "two_loop,vectorized", "--no-report"]
WAIT_S = 120  # for a sweep to reach a point, or to end: bounded, never for ever


def start_sweep(results, *extra) -> subprocess.Popen:
    command = [sys.executable, "-m", "bench", *SWEEP, "--results-dir", str(results), *extra]
    # A session of its own, as a terminal's foreground job has: Ctrl-C goes to its whole group.
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for_points(journal, count: int, process: subprocess.Popen) -> None:
    """Until the journal holds count finished points of the sweep."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists() and journal.read_text().count('"point"') >= count:
            return
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"the sweep never finished {count} points: {process.communicate()[1][-2000:]}")


def gradient_points(document: dict) -> list[tuple]:
    params = [b["params"] for b in document["benchmarks"] if b["group"] is None]
    return [(p["pass_number"], p["backend"], p["m"], p["n_x"]) for p in params]


def test_a_sweep_killed_and_resumed_holds_every_point_exactly_once(tmp_path):
    results = tmp_path / "results"
    sweep = start_sweep(results)
    # Past two whole passes (8 points each): the resumed sweep skips them, and measures pass 3.
    wait_for_points(results / "journal.jsonl", 17, sweep)
    sweep.send_signal(signal.SIGKILL)
    sweep.communicate(timeout=WAIT_S)
    assert not (results / "latest.json").exists()

    done = run_cli(*SWEEP, "--results-dir", str(results), "--resume")
    assert done.returncode == 0, done.stderr
    resumed = done.stdout.split("Resuming the unfinished sweep")[1].split("\n")[0]
    finished = int(resumed.split(": ")[1].split(" of 24")[0])
    assert 17 <= finished < 24
    document = json.loads((results / "latest.json").read_text())
    points = gradient_points(document)
    assert sorted(points) == sorted(harness_points(Run.load(results / "latest.json")))
    assert len(points) == len(set(points)) == 24  # 8 points in each of 3 passes, once each
    assert "incomplete" not in document["lrbench"]
    assert not (results / "journal.jsonl").exists()  # a published run needs no journal


def test_ctrl_c_keeps_latest_json_writes_the_partial_run_and_exits_130(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "latest.json").write_text("the committed run")
    sweep = start_sweep(results)
    wait_for_points(results / "journal.jsonl", 4, sweep)
    os.killpg(sweep.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = sweep.communicate(timeout=WAIT_S)
    assert sweep.returncode == 130, err
    assert "Traceback" not in err
    assert (results / "latest.json").read_text() == "the committed run"
    partial = Run.load(results / "partial.json")
    assert 4 <= len(gradient_points(partial.to_document())) < 24
    assert len(partial.unfinished) == 24 - len(gradient_points(partial.to_document()))
    assert "interrupted: " in describe.label(partial)
    assert "--resume" in err and (results / "journal.jsonl").exists()
    # The partial run reports like any other, labelled as interrupted.
    report = ["report", str(results / "partial.json"), "--plots-dir", str(tmp_path / "p")]
    assert cli.main(report) == 0
    assert "interrupted: " in (results / "REPORT.md").read_text()
