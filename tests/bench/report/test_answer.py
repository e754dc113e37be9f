"""The README's answer from a run: its numbers are the analysis's numbers, formatted once."""

import pytest

from bench import index
from bench.analysis.speedups import speedups
from bench.records import EXAMPLE_POINT, ROOF_POINT
from bench.report import answer, judge_run
from bench.results import Run
from bench.units import format_ratio
from tests.bench.damaged import RUN


@pytest.fixture(scope="module")
def reference():
    return judge_run(Run.load(index.load().reference.path))


@pytest.fixture(scope="module")
def small():
    return judge_run(Run.load(RUN))


def interval(run: Run, backend: str, baseline: str, point: tuple[int, int]) -> str:
    rows = speedups(run.table, backend, baseline).set_index(["m", "n_x"])
    row = rows.loc[point]
    return f"{format_ratio(row.speedup)}x [{format_ratio(row.low)}, {format_ratio(row.high)}]"


def test_the_example_point_gives_each_claims_speedup_with_its_interval(reference):
    run = reference.run
    text = "\n".join(answer.answer_lines(reference))
    m, n_x = EXAMPLE_POINT
    line = next(line for line in text.splitlines() if line.startswith(f"At m={m:,}, n_x={n_x:,}"))
    assert (
        f"`vectorized` over `two_loop` {interval(run, 'vectorized', 'two_loop', EXAMPLE_POINT)}"
        in line
    )
    assert (
        f"`one_loop` over `two_loop` {interval(run, 'one_loop', 'two_loop', EXAMPLE_POINT)}" in line
    )


def test_the_roof_point_is_said_only_where_two_loop_was_measured_there(reference):
    run = reference.run
    two_loop = run.table.set_index(["backend", "m", "n_x"]).loc[("two_loop", *ROOF_POINT)]
    m, n_x = ROOF_POINT
    said = [line for line in answer.answer_lines(reference) if line.startswith(f"At m={m:,}")]
    # A prediction is not a measurement: over a skipped two_loop no speedup is claimed.
    assert said == ([] if two_loop.status != "measured" else said[:1])


def test_each_claims_row_spans_its_speedups_over_the_grid(reference):
    rows = answer._verdict_rows(reference.verdicts)
    assert len(rows) == len(reference.verdicts)
    for row, verdict in zip(rows, reference.verdicts, strict=True):
        low, high = verdict.points["speedup"].min(), verdict.points["speedup"].max()
        assert row[2] == f"{format_ratio(low)}x … {format_ratio(high)}x"


def test_a_run_without_the_example_point_says_nothing_of_it(small):
    lines = answer.answer_lines(small)
    m, n_x = EXAMPLE_POINT
    assert not any(line.startswith(f"At m={m:,}") for line in lines)
    points = int((small.run.table["status"] == "measured").sum())
    assert f"{points} points measured" in lines[0]


def test_the_answer_replaces_only_what_stands_between_its_markers(small, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{answer.START}\nOLD-TEXT\n{answer.END}\n\nAfter.\n")
    answer.write_answer(small, readme)
    text = readme.read_text()
    assert text.startswith("# Title\n\n") and text.endswith(f"{answer.END}\n\nAfter.\n")
    assert "OLD-TEXT" not in text and answer.answer_lines(small)[0] in text
