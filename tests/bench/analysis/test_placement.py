"""The placement study: each claim's speedup at the run's placement and on a page boundary."""

import copy

import numpy as np
import pytest

from bench.analysis.placement import best_placement
from bench.records import BEST_PLACEMENT
from bench.results import ResultsError, Run
from tests.bench.damaged import RUN


def with_study(run: Run, backend: str, size: tuple[int, int], factor: float) -> Run:
    """The run as if its study had timed backend at size on a page boundary, each pass
    factor times faster than at the run's own placement."""
    document = run.to_document()
    m, n_x = size
    for bench in run.to_document()["benchmarks"]:
        params = bench.get("params") or {}
        if bench.get("group") is None and (params["backend"], params["m"], params["n_x"]) == (
            backend,
            m,
            n_x,
        ):
            placed = copy.deepcopy(bench)
            placed["group"] = BEST_PLACEMENT
            placed["params"] = {k: params[k] for k in ("pass_number", "m", "n_x")}
            placed["params"]["study_backend"] = backend
            placed["stats"]["median"] /= factor
            placed["extra_info"]["x_offset"] = 0
            document["benchmarks"].append(placed)
    return Run.from_document(document, "study.json")


@pytest.fixture(scope="module")
def run():
    return Run.load(RUN)


def test_the_speedup_on_a_page_boundary_is_paired_with_the_baseline_pass_by_pass(run):
    study = best_placement(with_study(run, "vectorized", (10, 1), 1.25))
    row = study.set_index("claim").loc["~300x (vectorized vs two_loop)"]
    assert (row.m, row.n_x, row.passes, row.bytes_X) == (10, 1, 3, 80)
    assert row.effect == pytest.approx(1.25) and row.effect_low == pytest.approx(1.25)
    assert row.at_best == pytest.approx(1.25 * row.at_run)
    assert row.at_run_low < row.at_run < row.at_run_high
    assert row.at_best_low == pytest.approx(1.25 * row.at_run_low)
    # The fixture has no course loops: no row for the claims against them.
    assert set(study["baseline"]) == {"two_loop"}


def test_a_run_without_a_study_has_none_nor_a_point_whose_sides_were_not_both_measured(run):
    assert best_placement(run).empty and run.placement.empty
    assert best_placement(with_study(run, "numba", (10, 1), 2.0)).empty  # no claim's backend
    # At m=100, n_x=1 two_loop was skipped: numba alone was measured there.
    document = with_study(run, "vectorized", (10, 1), 2.0).to_document()
    for bench in document["benchmarks"]:
        if bench.get("group") == BEST_PLACEMENT:
            bench["params"] |= {"m": 100, "n_x": 1}
    moved = Run.from_document(document, "moved.json")
    assert len(moved.placement) == 3 and best_placement(moved).empty
    assert np.isfinite(best_placement(with_study(run, "one_loop", (10, 1), 2.0))["at_best"]).all()


def test_a_study_point_without_its_offset_is_refused_naming_the_field(run):
    document = with_study(run, "vectorized", (10, 1), 1.25).to_document()
    del document["benchmarks"][-1]["extra_info"]["x_offset"]
    with pytest.raises(ResultsError, match=r"extra_info.x_offset is missing"):
        Run.from_document(document, "damaged.json")
