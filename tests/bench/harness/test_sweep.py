"""The sweep as a function, and the promise that a new backend needs no change to bench/."""

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import impls
from bench import harness, report
from bench.analysis import describe
from bench.analysis.roofline import roofline
from bench.analysis.speedups import speedups
from bench.analysis.threads import MARGIN
from bench.cli import main as bench_main
from bench.harness.settings import build_settings
from bench.machine_facts import undeclared
from bench.report.answer import answer_lines
from bench.settings import Settings

REPO = Path(__file__).parents[3]


def _prepare(X, Y):
    return np.ascontiguousarray(X), Y


def _gradient(w, b, data):
    X, Y = data
    z = w @ X + b
    a = 0.5 * (1 + np.tanh(z / 2))  # σ by another route: agrees with vectorized
    dz = a - Y
    cost = np.logaddexp(0, np.where(Y > 0, -z, z)).mean()
    return impls.Gradient(X @ dz / X.shape[1], float(dz.mean()), float(cost))


@pytest.fixture
def outside_backend():
    backend = impls.register(
        impls.Backend(
            "tanh_numpy", _prepare, _gradient, impls.copy_of_x, 3, "σ through tanh, from a test"
        )
    )
    yield backend
    del impls.BACKENDS[backend.name]


def test_a_backend_registered_outside_impls_is_swept_analysed_reported_and_charted(
    outside_backend, tmp_path, capfd
):
    settings = build_settings(
        "quick", m="30,300", nx="3,30", backends="two_loop,tanh_numpy", passes=2
    )
    run = harness.run(settings)
    assert run.settings.backends == ("two_loop", "tanh_numpy")
    # The calibration windows say how steadily the machine timed them; the lecture's demo,
    # timed too, is no calibration.
    out = capfd.readouterr().out
    assert "calibration python_loop (start): rounds spread " in out
    assert "calibration numpy_dot" not in out and not run.lecture.empty
    assert set(run.measured["backend"]) == {"two_loop", "tanh_numpy"}
    assert undeclared(run.facts) == []  # the sweep's probes write only declared facts
    assert run.backends["tanh_numpy"] == {
        "description": "σ through tanh, from a test",
        "passes_over_x": 3,
    }
    points = speedups(run.table, "tanh_numpy", "two_loop")
    assert len(points) == 4 and (points["speedup"] > 0).all()
    assert (
        roofline(run.table, run.facts["read_bandwidth"], None).loc["tanh_numpy", "passes_over_x"]
        == 3
    )
    problems = report.write_all([report.judge_run(run)], tmp_path, tmp_path / "plots", "two_loop")
    assert problems == []
    assert "| tanh_numpy |" in (tmp_path / "REPORT.md").read_text()
    assert (tmp_path / "plots" / "speedup_vs_m.png").stat().st_size > 1000
    assert "tanh_numpy" in (tmp_path / "latest.csv").read_text()
    # Thread fairness: points ran on one core, and each point's CPU time per wall time is known.
    assert run.facts["point_cpu_affinity"] == sorted(os.sched_getaffinity(0))[:1]
    assert run.table["cpu_per_wall"].between(0, 1 + MARGIN).all()
    assert (
        "Threads used (CPU time / wall time) | CPU time / wall time of a step"
        in (tmp_path / "REPORT.md").read_text()
    )


def test_presets_sweep_every_backend_registered_when_the_sweep_starts(outside_backend):
    assert "tanh_numpy" in build_settings("quick").backend_names


def test_a_backend_that_is_not_registered_is_named(tmp_path):
    settings = Settings("custom", m=(10,), n_x=(2,), backends=("nowhere",))
    with pytest.raises(harness.OptionError, match="unknown backend 'nowhere'"):
        harness.run(settings)


def test_a_plain_pytest_of_bench_starts_no_sweep():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "bench", "-q", "-p", "no:cacheprovider"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, done.stdout
    assert "Sweeping" not in done.stdout


def test_an_unreachable_dask_scheduler_exits_2_before_any_point(monkeypatch, tmp_path, capsys):
    pytest.importorskip("distributed")
    monkeypatch.setattr(harness.sweep, "DASK_CONNECT_TIMEOUT_S", 0.5)
    options = ["--preset", "quick", "--backends", "vectorized", "--m", "100", "--nx", "10"]
    options += [
        "--no-report",
        "--results-dir",
        str(tmp_path),
        "--dask-scheduler",
        "tcp://127.0.0.1:9",
    ]
    assert bench_main(options) == 2
    err = capsys.readouterr().err
    assert "--dask-scheduler: cannot reach a dask scheduler at tcp://127.0.0.1:9" in err
    assert not (tmp_path / "latest.json").exists()


def test_the_dask_backend_reads_stores_from_disk_and_the_run_says_where_data_came_from(
    tmp_path, monkeypatch
):
    pytest.importorskip("zarr")
    monkeypatch.setattr(harness.disk, "PROBE_BYTES", 2 * harness.disk.BLOCK_BYTES)
    settings = build_settings(
        "quick",
        m="3000",
        nx="5,40",  # both layouts of a store: features as rows, and examples as rows
        backends="vectorized,dask",
        passes=2,
        stores="always",
        store_dir=str(tmp_path / "stores"),
    )
    run = harness.run(settings)
    table = run.table.set_index(["backend", "n_x"])
    assert table.loc[("dask", 5), "data_source"] == "disk"
    assert table.loc[("vectorized", 40), "data_source"] == "memory"
    rates = table.loc[("dask", 40), "pass_disk_read_Bps"]
    assert len(rates) == 2 and min(rates) > 0
    assert run.disk_read_Bps > 0 and run.memory_total_bytes > 0
    assert [(s["m"], s["n_x"]) for s in run.stores] == [(3000, 5), (3000, 40)]
    assert all(s["make_s"] > 0 for s in run.stores)
    assert list((tmp_path / "stores").iterdir()) == []  # made by the sweep, removed after it
    problems = report.write_all([report.judge_run(run)], tmp_path, tmp_path / "plots", "vectorized")
    assert problems == []
    text = (tmp_path / "REPORT.md").read_text()
    assert "## Beyond memory: dask in memory and from disk" in text
    assert "| dask | 3,000 | 40 | 0.000984 GB | no |" in text
    assert (tmp_path / "plots" / "out_of_core.png").stat().st_size > 1000


@pytest.mark.timeout(180)  # five processes: two passes, one extra, and the one that closes
def test_passes_in_fresh_processes_follow_the_first_and_until_adds_passes_where_wide(capfd):
    # A budget (3 ms) that two_loop's larger point is predicted over in pass 1 (about 6 ms,
    # 100 times its 60 µs at m=30), and vectorized's is not (about 1 ms). At m=30 the speedup
    # is wider than --until's 1.000001x after two passes, so both its points get a third; at
    # m=3000 two_loop, the reference, was skipped: nothing to narrow there.
    settings = build_settings(
        "quick", m="30,3000", nx="30", backends="two_loop,vectorized", until=1.000001
    )
    settings = replace(settings, budget_s=3e-3, passes=2, max_passes=3, lecture=False)
    assert settings.processes == "per-pass"
    run = harness.run(settings)
    table = run.table.set_index(["backend", "m"])
    assert table.loc[("two_loop", 3000), "status"] == "skipped-budget"
    assert table.loc[("two_loop", 30), "passes"] == table.loc[("vectorized", 30), "passes"] == 3
    # Measured in 2 passes where its prediction fits the budget (about 1 ms on a quiet machine,
    # 4 ms on a busy host's), skipped where not; never given --until's third pass.
    assert not table.loc[("vectorized", 3000), "passes"] > 2
    out = capfd.readouterr().out
    assert "--until 1: pass 3 at 2 point(s)" in out
    # Each calibration window says how steadily the machine timed it, as the run file holds.
    assert "calibration python_loop (start): rounds spread " in out
    assert len(run.calibration_spreads) == 4 and describe.timing_noise(run) is not None
    gradient = [b["params"] for b in run.to_document()["benchmarks"] if b["group"] is None]
    measured = {(params["backend"], params["m"]) for params in gradient}
    assert ("two_loop", 3000) not in measured
    assert run.table["others_cpu"].dropna().ge(0).all()
    assert run.neighbours["points"] == len(gradient)
    # The process that closes the run measured the probes and the calibration's last window.
    assert run.bandwidth_Bps > 0 and len(run.calibration) == 2
    answer = "\n".join(answer_lines(report.judge_run(run)))
    assert "each in 2 to 3 passes (`--until 1`: more passes where a speedup over two_loop" in answer
    assert "at most 3; 0 of 1 speedups reached it)" in answer


def test_a_backend_registered_here_keeps_every_pass_in_this_process(outside_backend, capsys):
    settings = build_settings("quick", m="30", nx="3", backends="tanh_numpy", passes=1)
    run = harness.run(replace(settings, lecture=False))
    assert "Every pass runs in this process: tanh_numpy exist only here." in capsys.readouterr().out
    assert run.settings.processes == "one"


def _gradient_with_db_off(w, b, data):
    right = _gradient(w, b, data)
    return impls.Gradient(right.dw, right.db + 0.01, right.cost)


def test_a_backend_whose_db_is_wrong_fails_its_point(tmp_path):
    wrong = impls.register(
        impls.Backend("db_off", _prepare, _gradient_with_db_off, impls.copy_of_x, 2, "db wrong")
    )
    try:
        settings = build_settings("quick", m="40", nx="4", backends="vectorized,db_off", passes=1)
        with pytest.raises(harness.SweepError, match="did not finish cleanly"):
            harness.run(replace(settings, lecture=False))
    finally:
        del impls.BACKENDS[wrong.name]


@pytest.mark.timeout(180)  # a sweep in one process, its placement study and a report
def test_x_starts_where_numpy_would_put_it_and_the_study_times_the_claims_on_a_page(
    tmp_path, monkeypatch
):
    from bench.analysis.placement import best_placement
    from bench.report.markdown import placement_section

    settings = build_settings(
        "quick", m="1000", nx="10,100", backends="two_loop,vectorized", passes=2
    )
    run = harness.run(replace(settings, processes="one", lecture=False))
    table = run.table.set_index(["backend", "m", "n_x"])
    # 800 kB of X is mapped: 16 bytes past a page, in both passes, for every backend.
    assert table.loc[("vectorized", 1000, 100), "pass_x_offsets"] == (16, 16)
    assert table.loc[("two_loop", 1000, 100), "pass_x_offsets"] == (16, 16)
    # 80 kB comes from the heap: drawn per pass, as the settings say.
    assert table.loc[("vectorized", 1000, 10), "pass_x_offsets"] == tuple(
        settings.x_offset_at(p, 1000, 10) for p in (1, 2)
    )
    study = run.placement
    assert study[["backend", "m", "n_x"]].drop_duplicates().values.tolist() == [
        ["vectorized", 1000, 100]
    ]
    assert sorted(study["pass_number"]) == [1, 2] and set(study["x_offset"]) == {0}
    row = next(best_placement(run).itertuples())
    assert row.claim == "~300x (vectorized vs two_loop)" and row.effect > 0
    assert any(
        line.startswith("| ~300x (vectorized vs two_loop) | 1,000 | 100 | 800 kB |")
        for line in placement_section(run)
    )
