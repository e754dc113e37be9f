"""Charts and report from the committed result file; clear failures for unusable input."""

import json
from pathlib import Path

import pytest

from bench import plots, report
from bench.results import load_run, tidy

FIXTURE = Path(__file__).parent / "fixtures" / "run_small.json"


@pytest.fixture
def out(tmp_path):
    return dict(plots_dir=tmp_path / "plots", report=tmp_path / "results" / "REPORT.md")


def test_every_chart_and_the_report_are_made(out):
    problems = report.build(FIXTURE, **out)
    assert problems == []
    for name in plots.CHARTS:
        for kind in ("png", "svg"):
            path = out["plots_dir"] / f"{name}.{kind}"
            assert path.stat().st_size > 1000, path
    text = out["report"].read_text()
    assert "## Verdict on the course note's claims" in text
    assert "| ~300x | vectorized vs two_loop |" in text
    assert "| ~10x | one_loop vs two_loop |" in text
    assert "## Cost model" in text and "| numba |" in text
    assert "![speedup_heatmap](../plots/speedup_heatmap.png)" in text
    assert "9 of 16 points were not run" in text
    assert "skipped-budget: predicted" in text


def test_caption_names_machine_blas_and_threads():
    facts = load_run(FIXTURE)["machine_info"]["lrbench"]
    text = plots.caption(facts)
    assert facts["cpu_model"] in text and "kernel" in text and "1 thread" in text


def test_a_chart_that_cannot_be_made_is_named_and_the_rest_are_made(out, tmp_path):
    run = load_run(FIXTURE)
    run["benchmarks"] = [b for b in run["benchmarks"] if b["params"]["backend"] != "two_loop"]
    run["lrbench"]["skipped"] = [s for s in run["lrbench"]["skipped"] if s["backend"] != "two_loop"]
    results = tmp_path / "no_two_loop.json"
    results.write_text(json.dumps(run))
    problems = report.build(results, **out)
    assert any(p.startswith("chart speedup_vs_m was not made") for p in problems)
    assert not any("verdict" in p for p in problems)  # two_loop was left out: nothing to judge
    assert (out["plots_dir"] / "time_per_step.png").exists()
    assert (out["plots_dir"] / "throughput.png").exists()
    text = out["report"].read_text()
    assert "chart speedup_vs_m was not made" in text
    assert "**~300x**: no verdict: two_loop not in this run" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such results file"),
        ("[1, 2", "not a readable JSON results file"),
        ('{"benchmarks": []}', "fewer than 2 measured points"),
    ],
)
def test_unusable_results_exit_non_zero_with_a_message(tmp_path, capsys, content, message):
    results = tmp_path / "latest.json"
    if content is not None:
        results.write_text(content)
    code = report.main(
        [
            "--results",
            str(results),
            "--plots-dir",
            str(tmp_path / "p"),
            "--report",
            str(tmp_path / "REPORT.md"),
        ]
    )
    assert code == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "REPORT.md").exists()


def test_tidy_table_of_fixture_is_what_the_charts_read():
    table = tidy(load_run(FIXTURE))
    assert {"speedup_vs_two_loop", "predicted_s", "status"} <= set(table.columns)
