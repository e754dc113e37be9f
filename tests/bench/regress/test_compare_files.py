"""The regression check's verdicts and exit codes, on committed result files.

The fixtures are a real quick run (4 points × 4 backends + calibration) and
copies of it with every time of vectorized × 1.5, or every time × 1.3.
"""

import json
import re
import shutil
from dataclasses import replace

import pandas as pd
import pytest

from bench import cli
from bench.regress import compare_files as regress
from bench.regress.compare_files import check_comparable
from bench.results import ResultsError, Run
from tests.bench.damaged import CASES, FIXTURES, RUN

BASELINE = FIXTURES / "regress_baseline.json"


def check(tmp_path, current, *options):
    code = cli.main(
        ["compare-files", str(BASELINE), str(current), "--out-dir", str(tmp_path), *options]
    )
    summary = json.loads((tmp_path / "summary.json").read_text()) if code != 2 else None
    return code, summary


def test_same_file_is_no_regression(tmp_path, capsys):
    code, summary = check(tmp_path, BASELINE)
    assert code == 0
    assert summary["verdict"] == "no regression" and summary["regressed_backends"] == []
    assert summary["machine_factor"] == pytest.approx(1)
    assert summary["same_machine"] is True
    assert "Verdict: no regression" in capsys.readouterr().out


def test_one_backend_half_again_slower_is_named_with_its_points(tmp_path, capsys):
    code, summary = check(tmp_path, FIXTURES / "regress_vectorized_1.5x.json")
    assert code == 1
    assert summary["regressed_backends"] == ["vectorized"]
    out = capsys.readouterr().out
    assert "Verdict: regression in vectorized" in out
    flagged = pd.DataFrame(summary["flagged_points"])
    assert set(flagged["backend"]) == {"vectorized"} and len(flagged) == 4
    assert flagged["normalised"].tolist() == pytest.approx([1.5] * 4)
    assert (flagged["median_s_current"] > flagged["median_s_baseline"]).all()


def test_a_uniformly_slower_machine_raises_no_alarm(tmp_path):
    code, summary = check(tmp_path, FIXTURES / "regress_machine_1.3x.json")
    assert code == 0
    assert summary["machine_factor"] == pytest.approx(1.3)
    for backend in summary["backends"]:
        assert backend["raw_ratio"] == pytest.approx(1.3)
        assert backend["normalised"] == pytest.approx(1.0)


def test_claim_guard_fails_below_its_floor(tmp_path, capsys):
    code, summary = check(tmp_path, BASELINE, "--claim-floor", "1e6")
    assert code == 1
    assert summary["claim_guard"]["ok"] is False
    assert "Claim guard: vectorized/two_loop at m=1000, n_x=100" in capsys.readouterr().out


def test_default_claim_floor_is_a_margin_below_the_baseline(tmp_path):
    _, summary = check(tmp_path, BASELINE, "--claim-margin", "0.25")
    guard = summary["claim_guard"]
    assert guard["floor"] == pytest.approx(0.75 * guard["speedup"])


def test_dashboard_file_is_custom_smaller_is_better(tmp_path):
    check(tmp_path, BASELINE)
    entries = json.loads((tmp_path / "benchmark-action.json").read_text())
    assert len(entries) == 16
    for entry in entries:
        assert entry.keys() >= {"name", "unit", "value"}
        assert entry["unit"] == "s" and entry["value"] > 0
    assert "vectorized m=1000 n_x=100" in {e["name"] for e in entries}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("which", ["baseline", "current"])
def test_a_damaged_file_exits_2_with_a_message(tmp_path, capsys, case, which):
    damage, message = CASES[case]
    damaged = tmp_path / "damaged.json"
    damage(damaged)
    files = [damaged, RUN] if which == "baseline" else [RUN, damaged]
    code = cli.main(["compare-files", *map(str, files), "--out-dir", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m bench compare-files: error:") and str(damaged) in err
    assert re.search(message, err)
    assert not (tmp_path / "summary.json").exists()


def edited(tmp_path, name, change, source=BASELINE):
    document = json.loads(source.read_text())
    change(document)
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def with_settings(**changes):
    def change(document):
        settings = json.loads(document["lrbench"]["sweep"]) | changes
        document["lrbench"]["sweep"] = json.dumps(settings)

    return change


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(dtype="float32"), "cannot be compared: dtype float64 against float32"),
        (dict(threads=2), "cannot be compared: threads 1 against 2"),
    ],
)
def test_runs_that_cannot_be_compared_exit_2(tmp_path, capsys, changes, message):
    code, _ = check(tmp_path, edited(tmp_path, "current.json", with_settings(**changes)))
    assert code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("current", "options", "message"),
    [
        (RUN, [], "cannot be compared: schema version 1 against 2"),
        (BASELINE, ["--claim-point", "7,7"], "not both measured at m=7, n_x=7"),
    ],
)
def test_unusable_input_exits_2_with_a_message(tmp_path, capsys, current, options, message):
    code, _ = check(tmp_path, current, *options)
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "summary.json").exists()


def test_runs_with_no_point_in_common_exit_2(tmp_path, capsys):
    def other_sizes(document):
        for bench in document["benchmarks"]:
            if "m" in bench["params"]:
                bench["params"]["m"] += 1

    code, _ = check(tmp_path, edited(tmp_path, "other.json", other_sizes))
    assert code == 2
    assert "no measured point in common" in capsys.readouterr().err


def test_bad_options_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["compare-files", str(BASELINE), str(BASELINE), "--min-ratio", "0.9"])
    assert exit_info.value.code == 2
    assert "--min-ratio must be above 1" in capsys.readouterr().err


def test_accept_current_makes_the_current_run_the_baseline(tmp_path):
    baseline = tmp_path / "baseline" / "baseline.json"
    current = tmp_path / "current.json"
    shutil.copy(FIXTURES / "regress_vectorized_1.5x.json", current)
    assert cli.main(["compare-files", str(baseline), str(current), "--accept-current"]) == 0
    pd.testing.assert_frame_equal(Run.load(baseline).table, Run.load(current).table)


def points(normalised, bound=1.3):
    return pd.DataFrame(
        dict(
            backend="numba",
            normalised=normalised,
            cross=normalised,
            ratio=normalised,
            bound=bound,
            flagged=[q > bound for q in normalised],
        )
    )


def test_one_noisy_point_does_not_fail_a_backend():
    verdict = regress.judge_backends(points([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0]))
    assert not verdict.loc["numba", "regressed"]
    assert verdict.loc["numba", "flagged"] == 1


def test_a_third_of_points_slower_fails_a_backend():
    verdict = regress.judge_backends(points([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.6, 1.6, 1.6]))
    assert verdict.loc["numba", "regressed"]


def test_noise_raises_the_bound_above_the_minimum_ratio():
    document = json.loads(BASELINE.read_text())
    for bench in document["benchmarks"]:
        median = bench["stats"]["median"]
        bench["stats"].update(q1=0.75 * median, q3=1.25 * median, iqr=0.5 * median)
    run = Run.from_document(document)
    compared = regress.compare_points(run, run, min_ratio=1.3)
    assert compared["bound"].tolist() == pytest.approx([1 + 2 * (2 * 0.5**2) ** 0.5] * 16)


def test_a_burst_of_load_during_the_sweep_raises_no_alarm(tmp_path):
    # Every backend 1.4x slower but the calibration kernels (timed first) unaffected:
    # the machine was busy during the sweep, no code changed.
    run = json.loads(BASELINE.read_text())
    for bench in run["benchmarks"]:
        if bench.get("group") != "calibration":
            for key in ("median", "q1", "q3", "iqr", "min"):
                bench["stats"][key] *= 1.4
    current = tmp_path / "busy.json"
    current.write_text(json.dumps(run))
    code, summary = check(tmp_path, current)
    assert code == 0
    for backend in summary["backends"]:
        assert backend["normalised"] == pytest.approx(1.4)
        assert backend["cross"] == pytest.approx(1.0)


def test_runs_that_cannot_be_compared_say_why():
    run = Run.load(RUN)
    check_comparable(run, run)
    for settings, message in (
        ({"dtype": "float32"}, "dtype float64 against float32"),
        ({"threads": 2}, "threads 1 against 2"),
    ):
        other = replace(run, settings=replace(run.settings, **settings), source="other")
        with pytest.raises(ResultsError, match=f"cannot be compared: {message}"):
            check_comparable(run, other)
    with pytest.raises(ResultsError, match="schema version 2 against 1"):
        check_comparable(run, Run.load(FIXTURES / "run_small_v1.json"))
    disjoint = replace(run, table=run.table.assign(m=run.table["m"] * 7))
    with pytest.raises(ResultsError, match="no measured point in common"):
        check_comparable(run, disjoint)
