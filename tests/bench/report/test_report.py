"""Charts and report from the committed result files; clear failures for unusable input."""

import json

import pandas as pd
import pytest

from bench import cli
from bench.analysis import describe
from bench.records import STEADY_TIMING
from bench.report import answer, build, charts, csv_table, judge_run
from bench.report.markdown import machine_section, plan_study_lines
from bench.results import Run
from tests.bench.conditions import with_neighbours
from tests.bench.damaged import CASES, FIXTURES, RUN


@pytest.fixture(scope="module")
def run():
    return Run.load(RUN)


@pytest.fixture
def out(tmp_path):
    return dict(plots_dir=tmp_path / "plots", report=tmp_path / "results" / "REPORT.md")


def test_every_chart_and_the_report_are_made(run, out):
    problems = build([judge_run(run)], **out)
    assert problems == []
    for name in charts.CHARTS:
        for kind in ("png", "svg"):
            path = out["plots_dir"] / f"{name}.{kind}"
            assert path.stat().st_size > 1000, path
    text = out["report"].read_text()
    assert "## Verdict on the course note's claims" in text
    assert "| ~300x | vectorized vs two_loop |" in text
    assert "| ~10x | one_loop vs two_loop |" in text
    assert "## Cost model" in text and "| numba |" in text
    assert "## The lecture's demo" in text and "`np.dot`" in text
    assert "read as ~Nx" in text and "[95% interval]" in text
    assert "![speedup_heatmap](../plots/speedup_heatmap.png)" in text
    assert "9 of 16 points were not run" in text
    assert "skipped-budget: predicted" in text
    assert f"From `{RUN}` ({describe.cpu(run)}, float64, 1 thread(s))" in text


def test_a_version_1_run_still_makes_the_same_report(out):
    assert build([judge_run(Run.load(FIXTURES / "run_small_v1.json"))], **out) == []
    assert "schema version 1" in out["report"].read_text()


def test_caption_names_machine_blas_dtype_and_threads(run):
    text = charts.caption(run)
    blas = run.facts["blas"][0]
    assert text.startswith(f"{describe.cpu(run)}, {run.facts['cpu_count']} cores")
    assert f"({blas['architecture']} kernel)" in text and "float64, 1 thread(s)" in text


def test_the_cache_lines_sit_at_the_cache_sizes_in_elements_of_the_runs_dtype(run):
    caches = [run.last_level_cache[1], run.measured_cache_bytes]
    assert caches[0] != caches[1]  # this machine reports one size and reads like another
    for dtype, itemsize in (("float64", 8), ("float32", 4)):
        typed = run if dtype == "float64" else _with(run, dtype=dtype)
        figure = charts.throughput(typed.table, typed, "two_loop")
        vertical = [line for line in figure.axes[0].get_lines() if _is_vertical(line)]
        assert [line.get_xdata()[0] for line in vertical] == [c / itemsize for c in caches]


def _with(run, **settings):
    from dataclasses import replace

    return replace(run, settings=replace(run.settings, **settings))


def _is_vertical(line) -> bool:
    x = line.get_xdata()
    return len(x) == 2 and x[0] == x[1] and line.get_linestyle() == ":"


def test_csv_has_speedups_over_the_reference_and_the_claims_baselines(run):
    table = csv_table(run, "numba")
    assert [c for c in table if c.startswith("speedup")] == [
        f"speedup_vs_{reference}{end}"
        for reference in ("numba", "two_loop")
        for end in ("", "_low", "_high")
    ]
    numba = table[(table["backend"] == "numba") & (table["status"] == "measured")]
    assert (numba["speedup_vs_numba"] == 1).all()


def test_a_chart_that_cannot_be_made_is_named_and_the_rest_are_made(run, out):
    without = run.table[run.table["backend"] != "two_loop"].reset_index(drop=True)
    from dataclasses import replace

    problems = build([judge_run(replace(run, table=without))], **out)
    assert any(p.startswith("chart speedup_vs_m was not made") for p in problems)
    assert not any("verdict" in p for p in problems)  # two_loop was left out: nothing to judge
    assert (out["plots_dir"] / "time_per_step.png").exists()
    assert (out["plots_dir"] / "throughput.png").exists()
    text = out["report"].read_text()
    assert "chart speedup_vs_m was not made" in text
    assert "**~300x (vectorized vs two_loop)**: no verdict: two_loop not in this run" in text


@pytest.fixture(autouse=True)
def no_runs_of_ours(monkeypatch, tmp_path):
    """A report of a run names ours beside it: here there are none to load (test_command.py
    has reports beside an index of ours)."""
    monkeypatch.setattr("bench.index.INDEX", tmp_path / "no-index.toml")


def report_cli(tmp_path, *runs_and_options):
    return cli.main(["report", *map(str, runs_and_options), "--plots-dir", str(tmp_path / "p")])


@pytest.mark.parametrize("case", list(CASES))
def test_a_damaged_results_file_exits_2_with_a_message(tmp_path, capsys, case):
    damage, message = CASES[case]
    results = tmp_path / "latest.json"
    damage(results)
    assert report_cli(tmp_path, results) == 2
    err = capsys.readouterr().err
    assert "python -m bench report: error:" in err and str(results) in err
    assert pd.Series([err]).str.contains(message).all()
    assert not (tmp_path / "REPORT.md").exists() and not (tmp_path / "latest.csv").exists()


def test_a_run_with_too_few_points_or_a_missing_reference_exits_2(tmp_path, capsys):
    document = json.loads(RUN.read_text())
    document["benchmarks"] = [b for b in document["benchmarks"] if b["group"] == "calibration"][
        :1
    ] + [b for b in document["benchmarks"] if b["group"] is None][:1]
    results = tmp_path / "latest.json"
    results.write_text(json.dumps(document))
    assert report_cli(tmp_path, results) == 2
    assert "fewer than 2 measured points" in capsys.readouterr().err
    assert report_cli(tmp_path, RUN, "--relative-to", "numba_fused") == 2
    assert "--relative-to: numba_fused was not run in" in capsys.readouterr().err


def test_the_report_command_writes_everything_beside_the_first_run(tmp_path):
    results = tmp_path / "latest.json"
    results.write_text(RUN.read_text())
    other = tmp_path / "v1.json"
    other.write_text((FIXTURES / "run_small_v1.json").read_text())
    assert report_cli(tmp_path, results, other) == 0
    text = (tmp_path / "REPORT.md").read_text()
    assert f"From `{results}`" in text
    assert f"Made again by `python -m bench report {results}`" in text
    assert (tmp_path / "latest.csv").exists() and (tmp_path / "p" / "throughput.svg").exists()
    assert (tmp_path / "report.html").exists()
    verdicts = json.loads((tmp_path / "verdict.json").read_text())
    assert {c["baseline"] for c in verdicts["claims"]} >= {"two_loop"}


def test_an_unwritable_output_folder_exits_2_with_a_message(tmp_path, capsys):
    folder = tmp_path / "read-only"
    folder.mkdir()
    results = folder / "latest.json"
    results.write_text(RUN.read_text())
    blocker = folder / "latest.csv"
    blocker.mkdir()  # a folder where the CSV must go: writing it fails even as root
    assert report_cli(tmp_path, results) == 2
    assert "cannot write" in capsys.readouterr().err


def test_the_reference_defaults_to_two_loop_or_the_first_backend_run():
    from bench.report import reference_for

    assert reference_for(["numba", "two_loop"], None) == "two_loop"
    assert reference_for(["numba", "vectorized"], None) == "numba"
    assert reference_for(["numba", "two_loop"], "numba") == "numba"


def test_the_physical_limit_table_shows_backends_near_it(run):
    from types import SimpleNamespace

    from bench.report.markdown import limit_lines

    # Call every point "beyond the cache": a 1 GB/s bus makes each X's read time known.
    beyond = SimpleNamespace(table=run.table, bandwidth_Bps=1e9, cache_bytes=1, threads=1)
    lines = limit_lines(beyond)
    header = next(line for line in lines if line.startswith("| m | n_x | limit |"))
    assert "numba" in header and "two_loop" not in header  # hundreds of times above it
    assert "| 100 | 10 | 8 µs |" in "\n".join(lines)  # 8,000 bytes at 1 GB/s
    assert limit_lines(SimpleNamespace(table=run.table, bandwidth_Bps=None, cache_bytes=1)) == []


def test_the_answer_says_whether_the_run_was_quiet(run):
    assert "did not record what else the machine ran" in answer.conditions(run)
    quiet = with_neighbours(run, set())
    assert describe.quiet(quiet) and describe.busy_points(quiet) == 0
    assert answer.conditions(quiet).startswith("Measured on a quiet machine")
    gradient = [i for i, b in enumerate(run.to_document()["benchmarks"]) if b.get("group") is None]
    busy = with_neighbours(run, set(gradient[:2]))
    assert not describe.quiet(busy)
    text = answer.conditions(busy)
    assert text.startswith(f"Measured beside other work at {describe.busy_points(busy)} of ")
    assert "not a quiet reference run" in text
    assert busy.table["busy"].sum() == describe.busy_points(busy) >= 1
    machine = "\n".join(machine_section(busy))
    assert "| Other work on the machine | Measured beside other work" in machine


def test_a_machine_that_times_fixed_work_unsteadily_is_not_quiet(run):
    # Nothing else seen running, but the calibration kernels' rounds spread by 12%: a busy host.
    unsteady = with_neighbours(run, set(), spread=0.12)
    assert describe.busy_points(unsteady) == 0
    assert describe.timing_noise(unsteady) == pytest.approx(0.12)
    assert not describe.steady(unsteady) and not describe.quiet(unsteady)
    text = answer.conditions(unsteady)
    assert text.startswith("No other work seen on the machine")
    assert "fixed work timed unsteadily" in text and "12.0%" in text
    assert "not a quiet reference run" in text
    steady = with_neighbours(run, set(), spread=STEADY_TIMING)
    assert describe.quiet(steady) and "Fixed work timed steadily: " in answer.conditions(steady)


def test_a_run_with_a_roof_study_reports_its_paired_shares_and_where_the_step_goes(out):
    document = json.loads(RUN.read_text())
    rounds = {
        "probe": [0.06, 0.061, 0.06],
        "numba_fused": [0.08, 0.082, 0.081],
        "z_pass": [0.065] * 3,
        "z_and_dw_passes": [0.079] * 3,
        "block_math": [0.0005] * 3,
        "plan rows-256k-g4": [0.07] * 3,
        "plan columns-1024k-g4": [0.12] * 3,
    }
    document["machine_info"]["lrbench"]["roof"] = {
        "point": [100_000, 1000],
        "dtype": "float64",
        "bytes_X": 800_000_000,
        "rounds": 3,
        "plan": "rows-256k-g4",
        "plan_source": "tuned",
        "seconds": {"1": rounds},
    }
    studied = Run.from_document(document, "roof.json")
    assert build([judge_run(studied)], **out) == []
    text = out["report"].read_text()
    # Our report shows every indexed run whose roof timed the plans; a run without, nothing.
    ours = "\n".join(plan_study_lines([studied, Run.load(RUN)]))
    assert ours.count("## Plans chosen where the kernels run: ") == 1
    assert "From `roof.json`." in ours and "| **rows-256k-g4** (chosen) | 70 ms |" in ours
    assert "## The roof, paired: m=100,000, n_x=1,000, float64" in text
    assert "| 1 | numba_fused | 81 ms | 13.3 GB/s | 74% [" in text
    assert "| dw pass: X again, from cache | 14 ms | 17% |" in text
    assert "Chosen on this machine: **rows-256k-g4** (tuned;" in text
    assert "| **rows-256k-g4** (chosen) | 70 ms | 86% [" in text
    assert "| columns-1024k-g4 | 120 ms | 50% [" in text
    assert "paired with the probe | 74% [" in text  # the targets table reads from it
