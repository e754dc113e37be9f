"""What each chart draws from a small run: the numbers on its axes are the analysis's numbers."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bench.analysis.speedups import speedups
from bench.report import charts
from bench.results import Run
from tests.bench.damaged import RUN


@pytest.fixture(scope="module")
def run():
    return Run.load(RUN)


@pytest.fixture(autouse=True)
def closed():
    yield
    plt.close("all")


def lines_by_label(fig) -> dict[str, list]:
    """Each labelled line of every panel: label -> [(x, y), ...] per panel."""
    drawn = {}
    for ax in fig.axes:
        for line in ax.get_lines():
            if not line.get_label().startswith("_"):
                drawn.setdefault(line.get_label(), []).append(
                    (list(line.get_xdata()), list(line.get_ydata()))
                )
    return drawn


def test_speedup_by_m_draws_each_backends_speedups_over_the_reference_per_n_x_panel(run):
    fig = charts.speedup_vs_m(run.table, run, "two_loop")
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["n_x = 1", "n_x = 10"]
    expected = speedups(run.table, "one_loop", "two_loop")
    at_1 = expected[(expected["n_x"] == 1) & ~expected["predicted"]].sort_values("m")
    bars = next(c for c in panels[0].containers if c.get_label() == "one_loop")
    data_line, caps, (errors,) = bars
    assert list(data_line.get_xdata()) == list(at_1["m"])
    np.testing.assert_allclose(np.asarray(data_line.get_ydata(), float), at_1["speedup"])
    # The bars span the 95% interval.
    (low, high), *_ = (segment[:, 1] for segment in errors.get_segments())
    assert (float(low), float(high)) == pytest.approx((at_1["low"].iloc[0], at_1["high"].iloc[0]))


def test_the_heatmap_shows_vectorized_over_the_reference_where_both_were_measured(run):
    fig = charts.speedup_heatmap(run.table, run, "two_loop")
    image = fig.axes[0].get_images()[0].get_array()
    expected = speedups(run.table, "vectorized", "two_loop").set_index(["n_x", "m"])["speedup"]
    # Rows are n_x (1, 10), columns m (10, 100); only (n_x=1, m=10) has both measured.
    assert image[0, 0] == pytest.approx(expected.loc[(1, 10)])
    assert np.ma.getmaskarray(image)[1, 1] or not np.isfinite(image[1, 1])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("not run") == 3


def test_time_per_step_puts_each_measured_point_at_its_median_time(run):
    fig = charts.time_per_step(run.table, run, "two_loop")
    (x, y), *_ = lines_by_label(fig)["numba"]
    numba = run.measured[run.measured["backend"] == "numba"]
    drawn = sorted(zip(x, y, strict=True))
    assert drawn == sorted(zip(numba["elements"], numba["median_s"], strict=True))


def test_throughput_puts_each_point_at_the_bytes_of_x_over_its_time(run):
    fig = charts.throughput(run.table, run, "two_loop")
    (x, y), *_ = lines_by_label(fig)["vectorized"]
    vectorized = run.measured[run.measured["backend"] == "vectorized"]
    np.testing.assert_allclose(y, vectorized["bytes_X"] / vectorized["median_s"])
    assert x == list(vectorized["elements"])


def test_a_chart_of_a_run_with_one_backend_says_what_it_lacks(run):
    alone = run.table[run.table["backend"] == "numba"]
    with pytest.raises(charts.ChartError, match="no backend but numba was run"):
        charts.speedup_heatmap(alone, run, "numba")
    with pytest.raises(charts.ChartError, match="no point where two_loop and another"):
        charts.speedup_vs_m(alone, run, "two_loop")


def test_the_same_run_draws_the_same_bytes(run, tmp_path):
    for folder in ("a", "b"):
        fig = charts.time_per_step(run.table, run, "two_loop")
        charts.save(fig, tmp_path / folder, "time_per_step")
    for kind in ("png", "svg"):
        first, second = (tmp_path / f / f"time_per_step.{kind}" for f in ("a", "b"))
        assert first.read_bytes() == second.read_bytes()
