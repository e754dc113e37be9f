"""The worker that times one side of an A/B check, driven in-process."""

import json
import sys

import pytest

import impls
from bench.problem import weights
from bench.regress import worker

# The weights and b as the check sends them, for problems of 4 features.
W, B = weights(4, seed=0)
PARAMETERS = dict(w={"4": W.tolist()}, b={"4": B})


def test_slowed_step_waits_factor_times_the_steps_own_time():
    now = [0.0]

    def clock():
        now[0] += 1.0  # every reading of the clock advances it by one second
        return now[0]

    def gradient(w, b, data):
        now[0] += 10.0  # the step itself takes ten seconds
        return "result"

    assert worker.slowed(gradient, 1.5, clock)(None, None, None) == "result"
    # start at 1, the step ends at 12 (11 s with the clock's own tick): wait until 1 + 11 × 1.5
    assert now[0] >= 1 + 11 * 1.5


def test_prepare_gives_each_points_cost_and_time_gives_one_value_per_batch():
    side = worker.Server(impls, slowdown={})
    points = [["vectorized", 50, 4], ["two_loop", 50, 4]]
    prepared = side.prepare(points, seed=0, dtype="float64", **PARAMETERS)
    assert len(prepared["first_call_s"]) == 2
    assert prepared["cost"][0] == pytest.approx(prepared["cost"][1], rel=1e-12)
    X, Y = impls.make_problem(50, 4, seed=0)
    assert prepared["cost"][0] == pytest.approx(impls.gradient(W, B, X, Y).cost, rel=1e-12)
    timed = side.time(point=1, calls=3, batches=4)
    assert len(timed["s"]) == 4 and all(s > 0 for s in timed["s"])


def test_the_slowdown_switch_applies_to_the_backend_named_or_to_all():
    named = worker.Server(impls, slowdown={"two_loop": 3.0})
    named.prepare(
        [["vectorized", 50, 4], ["two_loop", 50, 4]], seed=0, dtype="float64", **PARAMETERS
    )
    assert [step.__name__ for step, _ in named.points] == ["gradient", "step"]
    every = worker.Server(impls, slowdown={"*": 3.0})
    every.prepare([["vectorized", 50, 4]], seed=0, dtype="float64", **PARAMETERS)
    assert every.points[0][0].__name__ == "step"


def test_impls_from_another_tree_is_refused(tmp_path, monkeypatch, capsys):
    # impls is already imported from this checkout, so importing it "from" tmp_path would
    # silently time this checkout's code: the worker must say so instead.
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert worker.main([str(tmp_path)]) == 1
    reply = json.loads(capsys.readouterr().out)
    assert "impls was imported from" in reply["error"] and str(tmp_path) in reply["error"]


def test_place_moves_every_points_x_and_prepares_it_again_with_the_same_answer():
    side = worker.Server(impls, slowdown={})
    points = [["vectorized", 50, 4], ["numba_fused", 50, 4]]
    costs = side.prepare(points, seed=0, dtype="float64", **PARAMETERS)["cost"]
    before = [args for _, args in side.points]
    assert side.place(offset=32) == {"offsets": [32]}
    after = [args for _, args in side.points]
    assert all(new is not old for new, old in zip(after, before, strict=True))
    assert after[0][2][0].ctypes.data % 4096 == 32  # vectorized steps X itself
    for (step, args), cost in zip(side.points, costs, strict=True):
        assert float(step(*args).cost) == pytest.approx(cost, rel=1e-12)
