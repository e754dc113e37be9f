"""REPORT.md section by section, from the committed fixture run and small edits of it."""

import copy
from dataclasses import replace

import pytest

from bench.analysis import describe
from bench.analysis.verdicts import NoVerdict, judge_run
from bench.cost_model import CostModel
from bench.records import Status
from bench.report import markdown
from bench.results import Run
from tests.bench.damaged import RUN


@pytest.fixture(scope="module")
def run():
    return Run.load(RUN)


@pytest.fixture(scope="module")
def judged(run):
    return judge_run(run)


def with_facts(run: Run, **facts) -> Run:
    return replace(run, facts=copy.deepcopy(run.facts) | facts)


def table_rows(lines: list[str]) -> list[list[str]]:
    """The cells of every Markdown table row, headers and rules left out."""

    def is_rule(index: int) -> bool:
        return index < len(lines) and lines[index].startswith("| ---")

    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for index, line in enumerate(lines)
        if line.startswith("|") and not is_rule(index) and not is_rule(index + 1)
    ]


def row_named(lines: list[str], name: str) -> str:
    return next(cells[1] for cells in table_rows(lines) if cells[0] == name)


def test_the_machine_table_writes_each_fact_as_its_schema_shows_it(run):
    lines = markdown.machine_section(run)
    assert lines[0] == "## Machine"
    names = [cells[0] for cells in table_rows(lines)]
    assert names[:4] == ["CPU", "Last-level cache", "Python, numpy, numba", "BLAS"]
    facts = run.facts
    assert row_named(lines, "CPU") == (
        f"{describe.cpu(run)}, {facts['cpu_count']} cores, SIMD: {', '.join(facts['cpu_simd'])}"
    )
    assert row_named(lines, "Python, numpy, numba").startswith(f"{facts['python']}, numpy ")
    assert row_named(lines, "Environment") == "no BLAS, OpenMP, numba or malloc variables set"
    assert row_named(lines, "Threads (BLAS and numba)") == (
        f"{facts['threads_requested']} requested; numba {facts['numba_threads']}"
    )


def test_the_machine_table_names_timing_variables_and_prints_each_warning(run):
    edited = with_facts(
        run,
        environment={"OPENBLAS_CORETYPE": "Haswell"},
        warnings=["first warning", "second warning"],
    )
    lines = markdown.machine_section(edited)
    assert row_named(lines, "Environment") == "`OPENBLAS_CORETYPE=Haswell`"
    assert lines[-2:] == ["> **Warning:** first warning", "> **Warning:** second warning"]


def test_facts_an_older_run_lacks_are_written_as_unknown_not_guessed(run):
    facts = {
        k: v for k, v in run.facts.items() if k not in ("python", "cpu_simd", "read_bandwidth")
    }
    lines = markdown.machine_section(replace(run, facts=facts))
    assert row_named(lines, "CPU").endswith("SIMD: ?")
    assert row_named(lines, "Python, numpy, numba").startswith("?, numpy ")
    assert row_named(lines, "Memory read bandwidth") == (
        "not measured on 1 thread, not measured on ?"
    )


def test_the_verdict_section_has_a_row_per_claim_and_a_table_per_claim(judged):
    lines = markdown.verdict_section(judged.verdicts, judged.failures)
    summary = [c for c in table_rows(lines) if c[0] in {v.claim.label for v in judged.verdicts}]
    assert [c[1] for c in summary] == [
        f"{v.claim.backend} vs {v.claim.baseline}" for v in judged.verdicts
    ]
    for verdict in judged.verdicts:
        start = lines.index(f"### {verdict.claim.name}")
        points = table_rows(lines[start : start + 12 + len(verdict.points)])
        point_rows = [c for c in points if c[0].replace(",", "").isdigit()]
        assert len(point_rows) == len(verdict.points)
    for name, failure in judged.failures.items():
        assert f"\n**{name}**: no verdict: {failure.why}" in lines


def test_the_verdict_section_says_where_no_size_reaches_the_claim(judged):
    verdict = judged.verdicts[0]
    slow = verdict.points.assign(speedup=verdict.claim.factor / 10)
    lines = markdown.verdict_section([replace(verdict, points=slow)], {})
    assert any(line.startswith("- There is no size from which on") for line in lines)


def test_skipped_points_are_listed_with_their_reasons(run):
    lines = markdown.skipped_section(run.table)
    skipped = run.table[run.table["status"] != Status.MEASURED]
    assert f"{len(skipped)} of {len(run.table)} points were not run." in lines[2]
    rows = {cells[0]: cells[1] for cells in table_rows(lines)}  # a row per backend
    assert set(rows) == set(skipped["backend"])
    for r in skipped.itertuples():
        assert f"m={r.m:,}, n_x={r.n_x:,}: {r.reason}" in rows[r.backend]
    everything = run.table.assign(status=Status.MEASURED)
    assert markdown.skipped_section(everything)[-1] == (
        "None: every point of the grid was measured."
    )


def test_the_cost_model_table_shows_fitted_models_and_says_why_others_are_not(judged):
    fitted = CostModel(2e-6, 0.0, 4e-9, 0.031, 5)
    lines = markdown.cost_model_section({"a": fitted, "b": "too few points (2)"})
    assert table_rows(lines) == [
        ["a", "2", "0", "2", "3.1%", "5"],
        ["b", "too few points (2)", "", "", "", ""],
    ]


def test_the_lecture_demo_has_a_row_per_kernel_or_says_it_did_not_run(run):
    lines = markdown.lecture_section(run)
    kernels = [c[0] for c in table_rows(lines)]
    assert kernels == [
        "`for` loop over numpy arrays (the lecture's)",
        "`for` loop over Python lists",
        "`np.dot`",
    ]
    assert all("[" in c[1] for c in table_rows(lines))
    empty = replace(run, lecture=run.lecture.iloc[0:0])
    assert markdown.lecture_section(empty)[-1] == "Not run in this sweep."


def test_a_run_without_dask_has_no_out_of_core_section(run):
    assert markdown.out_of_core_section([run]) == []


def test_targets_name_every_run_and_say_what_was_not_measured(run):
    lines = markdown.targets_section([run])
    rows = table_rows(lines)
    assert rows and all(c[0] == f"{describe.label(run)} (`{run.source}`)" for c in rows)
    assert {c[3] for c in rows} <= {"yes", "**no**", "not measured"}
    assert "not measured" in {c[3] for c in rows}  # the fixture has no roof study


def test_a_claim_without_verdict_is_named_with_its_reason():
    lines = markdown.verdict_section([], {"~1x (a vs b)": NoVerdict("b not in this run")})
    assert lines[-1] == "\n**~1x (a vs b)**: no verdict: b not in this run"
