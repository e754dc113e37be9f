"""The roof study: the probe, the kernels and the parts of a step, timed in interleaved rounds."""

from dataclasses import replace

import numba
import numpy as np
import pytest

from bench.harness import roof
from bench.harness.settings import build_settings
from bench.records import PLAN_PREFIX, ROOF_PARTS, ROOF_POINT, ROOF_PROBE
from impls import _plans, numba_fused


def test_every_round_times_the_probe_the_kernels_the_parts_and_the_plans():
    study = roof.measure(point=(3_000, 40), rounds=3)
    assert study["point"] == [3_000, 40] and study["bytes_X"] == 8 * 3_000 * 40
    one = study["seconds"]["1"]
    plans = {f"{PLAN_PREFIX}{plan}" for plan in numba_fused.CANDIDATES}  # 40 features: all
    assert set(one) == {ROOF_PROBE, *roof.KERNELS, *ROOF_PARTS, *plans}
    assert study["plan"] in {str(plan) for plan in numba_fused.CANDIDATES}
    assert study["plan_source"] in {_plans.TUNED, _plans.CACHED}
    assert all(len(times) == 3 and min(times) > 0 for times in one.values())
    cores = numba.config.NUMBA_NUM_THREADS
    if cores > 1:  # every core: the parallel probe and numba_parallel only
        assert set(study["seconds"][str(cores)]) == {ROOF_PROBE, "numba_parallel"}


def test_the_threads_a_sweep_set_are_kept():
    before = numba.get_num_threads()
    roof.measure(point=(500, 8), rounds=1, backends=("numba_fused",))
    assert numba.get_num_threads() == before


def test_a_sweep_without_the_roof_point_or_a_compiled_backend_makes_no_study():
    said = []
    quick = build_settings("quick")
    assert ROOF_POINT not in quick.sizes()
    assert roof.study_for(quick, said.append) is None
    default = build_settings("default")
    assert roof.study_for(replace(default, backends=("vectorized",)), said.append) is None
    assert said == []


def test_a_machine_short_of_memory_is_told_why_there_is_no_study(monkeypatch):
    monkeypatch.setattr(roof.psutil, "virtual_memory", lambda: type("M", (), {"available": 10}))
    said = []
    assert roof.study_for(build_settings("default"), said.append) is None
    (message,) = said
    assert message.startswith("roof study left out: it needs 2.2 GiB")  # X, two copies


def test_the_plans_share_one_copy_and_agree():
    X, Y, *_ = (*roof.impls.make_problem(300, 24),)
    plans = roof.candidates(roof.impls.BACKENDS["numba_fused"], X, Y)
    rows = [data.X for data in plans.values() if not data.blocks.by_columns]
    assert len(rows) == 6 and all(np.shares_memory(rows[0], other) for other in rows)
    assert all(np.shares_memory(d.X, X) for d in plans.values() if d.blocks.by_columns)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_study_is_made_in_the_sweeps_dtype(dtype):
    study = roof.measure(dtype=dtype, point=(1_000, 20), rounds=1, backends=("numba_fused",))
    assert study["dtype"] == dtype
    assert study["bytes_X"] == (8 if dtype == "float64" else 4) * 1_000 * 20
