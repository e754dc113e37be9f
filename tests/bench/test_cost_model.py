"""The cost-model fit and the budget predictor, on data whose answer is known."""

import numpy as np
import pytest

from bench import cost_model

M = np.array([10, 100, 1000, 10_000, 10, 100, 1000, 10_000])
NX = np.array([1, 1, 1, 1, 1000, 1000, 1000, 1000])


def test_fit_recovers_known_coefficients():
    seconds = 2e-6 + 3e-7 * M + 4e-9 * M * NX
    model = cost_model.fit(M, NX, seconds)
    assert model.overhead_s == pytest.approx(2e-6, rel=1e-6)
    assert model.per_example_s == pytest.approx(3e-7, rel=1e-6)
    assert model.per_element_s == pytest.approx(4e-9, rel=1e-6)
    assert model.rms_relative_error < 1e-9
    assert model.points == len(M)


def test_fit_keeps_coefficients_non_negative():
    # Pure per-element cost plus noise: no term may go negative to chase the noise.
    noise = np.random.default_rng(0).uniform(0.95, 1.05, len(M))
    model = cost_model.fit(M, NX, 5e-9 * M * NX * noise)
    assert min(model.overhead_s, model.per_example_s, model.per_element_s) >= 0
    assert model.per_element_s == pytest.approx(5e-9, rel=0.1)


def test_fit_restricted_to_some_terms():
    seconds = 1e-6 + 2e-9 * M * NX
    model = cost_model.fit(M, NX, seconds, terms=("overhead_s", "per_element_s"))
    assert model.per_example_s == 0
    assert model.per_element_s == pytest.approx(2e-9, rel=1e-6)


def test_fit_needs_points():
    with pytest.raises(ValueError, match="no points"):
        cost_model.fit([], [], [])


def test_prediction_without_data_is_none():
    assert cost_model.predict_seconds([], 100, 10) is None


def test_prediction_from_one_point_scales_with_size_and_never_shrinks():
    assert cost_model.predict_seconds([(100, 10, 1e-3)], 1000, 100) == pytest.approx(0.1)
    assert cost_model.predict_seconds([(100, 10, 1e-3)], 10, 10) == pytest.approx(1e-3)


def test_prediction_extrapolates_a_per_example_cost():
    # one_loop-like: the per-example term dominates at n_x = 1, where size alone would mislead.
    measured = [(m, n, 1e-6 + 2e-6 * m + 1e-9 * m * n) for m, n in zip(M[:6], NX[:6], strict=True)]
    predicted = cost_model.predict_seconds(measured, 1_000_000, 1)
    assert predicted == pytest.approx(1e-6 + 2.0 + 1e-3, rel=1e-3)
