"""The atlas and a run of yours beside ours, from the committed fixture run and edits of it."""

from dataclasses import replace

import pytest

from bench.analysis.atlas import Placed
from bench.analysis.verdicts import judge_run
from bench.report import atlas
from bench.results import Run
from tests.bench.conditions import with_neighbours
from tests.bench.damaged import RUN
from tests.bench.report.test_markdown import table_rows


@pytest.fixture(scope="module")
def run():
    return Run.load(RUN)


def slower(run: Run, backend: str, factor: float, source: str) -> Run:
    """The run with one backend's every time multiplied by factor, pass by pass."""
    table = run.table.copy()
    rows = (table["backend"] == backend) & (table["status"] == "measured")
    table.loc[rows, "median_s"] *= factor
    table.loc[rows, "pass_medians_s"] = table.loc[rows, "pass_medians_s"].map(
        lambda medians: tuple(m * factor for m in medians)
    )
    return replace(run, table=table, source=source)


def test_runs_side_by_side_say_how_each_was_measured_and_which_is_a_quiet_reference(run):
    quiet = with_neighbours(run, set())
    gradient = [i for i, b in enumerate(run.to_document()["benchmarks"]) if b.get("group") is None]
    busy = replace(with_neighbours(run, {gradient[0]}), source="busy.json")
    unsteady = replace(with_neighbours(run, set(), spread=0.12), source="unsteady.json")
    every = [judge_run(each) for each in (quiet, busy, unsteady, run)]
    rows = {
        cells[0]: cells
        for cells in table_rows(atlas.how_measured_lines(every))
        if cells[0][0] == "`"
    }
    assert rows["`with-neighbours.json`"][-1] == "yes"
    assert rows["`busy.json`"][3].startswith("1 of ") and rows["`busy.json`"][-1] == "no"
    assert rows["`unsteady.json`"][5] == "12.0%" and rows["`unsteady.json`"][-1] == "no"
    assert rows["`busy.json`"][4] == "0.0% of a core"
    unrecorded = rows[f"`{run.source}`"]
    assert unrecorded[3] == unrecorded[4] == "not recorded" and unrecorded[-1] == "no"
    widths = [float(w) for w in rows["`with-neighbours.json`"][7].split(", ")]
    assert len(widths) == len(every[0].verdicts) and all(w >= 1 for w in widths)


def test_the_atlas_shows_each_cpu_once_and_how_far_its_runs_differ(run):
    twin = slower(run, "two_loop", 1.2, "twin.json")  # every speedup over two_loop 1.2x
    other = replace(run, source="other-cpu.json")
    placed = [
        Placed("CPU A", judge_run(run)),
        Placed("CPU B", judge_run(other)),
        Placed("CPU A", judge_run(twin)),
    ]
    lines = atlas.atlas_lines(placed)
    claims = table_rows(lines[: lines.index("", 4)])  # the first table: a row per CPU and claim
    cpus = [cells[0] for cells in claims if cells[0]]
    assert cpus == ["CPU A", "CPU B"]  # the first run of each CPU stands for it
    between = table_rows(lines[lines.index("### How far runs of one CPU differ") :])
    assert len(between) == 1
    cpu, first, second, point_claims, same, within, ratio = between[0]
    assert (cpu, first, second) == ("CPU A", f"`{run.source}`", "`twin.json`")
    assert ratio.startswith("1.200x [1.20, 1.20]")
    assert int(point_claims) > 0


def per_point_cells(lines: list[str], claim: int | None = None) -> list[str]:
    """The per-point table's cells: of every claim, or of the claim-th column."""
    start = next(i for i, line in enumerate(lines) if line.startswith("Your speedup"))
    rows = table_rows(lines[start:])
    cells = [row[2:] if claim is None else [row[2 + claim]] for row in rows]
    return [cell for row in cells for cell in row if cell != "—"]


def ratio_and_interval(cell: str) -> tuple[float, float, float]:
    ratio, low, high = cell.strip("*").replace("[", "").replace("]", "").replace(",", "").split()
    return float(ratio), float(low), float(high)


def test_your_run_beside_ours_of_the_same_cpu_gives_each_point_with_welchs_interval(run):
    ours = [Placed("our CPU", judge_run(run))]
    yours = judge_run(slower(run, "two_loop", 3.0, "yours.json"))  # 3x our speedups over it
    lines = atlas.beside_ours_lines(yours, ours)
    assert lines[0] == "## Your run beside ours"
    assert f"Ours of this CPU model: `{run.source}`" in lines[2]
    claims = {cells[0]: cells for cells in table_rows(lines[: lines.index("", 4)])}
    first = claims["~300x (vectorized vs two_loop)"]  # the first claim, the first column
    assert first[5] == f"{len(per_point_cells(lines, 0))} of {first[1]}"
    for cell in per_point_cells(lines):
        ratio, low, high = ratio_and_interval(cell)
        assert ratio == pytest.approx(3, abs=5e-4) and low > 1 and cell.startswith("**")
    same = atlas.beside_ours_lines(judge_run(run), ours)
    for cell in per_point_cells(same):
        ratio, low, high = ratio_and_interval(cell)
        assert ratio == 1 and low < 1 < high and not cell.startswith("**")


def test_a_run_of_a_cpu_we_have_not_measured_is_shown_the_atlas(run):
    yours = judge_run(run)
    elsewhere = replace(run, facts=run.facts | {"cpu_model": "Another CPU"})
    lines = atlas.beside_ours_lines(yours, [Placed("another CPU", judge_run(elsewhere))])
    assert "We have no run of this CPU model" in lines[2]
    assert any(line.startswith("| another CPU |") for line in lines)


def test_ours_of_the_same_preset_comes_first(run):
    quick = replace(run, settings=replace(run.settings, preset="quick"), source="quick.json")
    ours = [Placed("c", judge_run(quick)), Placed("c", judge_run(run))]
    assert atlas.ours_for(run, ours).judged.run.source == run.source
    assert atlas.ours_for(quick, ours).judged.run.source == "quick.json"
    other = replace(run, settings=replace(run.settings, dtype="float32"))
    assert atlas.ours_for(other, ours) is None
